import { randomBytes } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { backends, mid, tokens, trackMessage, useCollector, type Body } from './helpers.js';

/** POSTs raw bytes over HTTP, in chunks when `chunked` (no Content-Length, as analytics-kotlin streams). */
function post(
  url: string,
  body: Buffer,
  headers: Record<string, string>,
  chunked = false,
): Promise<{ status: number; body: Body }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: 'POST', headers: chunked ? headers : { ...headers, 'content-length': String(body.length) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : text }));
      },
    );
    req.on('error', reject);
    if (chunked) for (let i = 0; i < body.length; i += 100) req.write(body.subarray(i, i + 100));
    else req.write(body);
    req.end();
  });
}

describe.each(backends)("Segment's own libraries' paths and encodings ($name)", (backend) => {
  const { skip } = backend;
  const live = useCollector(backend);

  it.skipIf(skip)('takes a gzipped text/plain batch on /v1/b, as analytics-kotlin streams it', async () => {
    const batch = [trackMessage(), trackMessage()];
    const body = gzipSync(JSON.stringify({ writeKey: tokens.writeKey, batch }));
    const res = await post(
      `${live.url}/v1/b`,
      body,
      { 'content-type': 'text/plain', 'content-encoding': 'gzip' },
      true,
    );
    expect(res).toMatchObject({ status: 200, body: { accepted: 2 } });
    expect((await live.storage.hasEvents(batch.map((m) => m.messageId as string))).size).toBe(2);
    // A wrong write key in the gzipped body is still a wrong key.
    const wrong = gzipSync(JSON.stringify({ writeKey: 'wrong', batch: [trackMessage()] }));
    expect(
      (await post(`${live.url}/v1/b`, wrong, { 'content-type': 'text/plain', 'content-encoding': 'gzip' })).status,
    ).toBe(401);
  });

  it.skipIf(skip)("takes analytics.js's one-letter paths, and deflate", async () => {
    const messages = {
      t: trackMessage(),
      p: { type: 'page', messageId: mid(), anonymousId: 'a', context: trackMessage().context },
      i: { type: 'identify', messageId: mid(), userId: 'u-1', context: trackMessage().context },
      s: { type: 'screen', messageId: mid(), anonymousId: 'a', context: trackMessage().context },
    };
    for (const [path, message] of Object.entries(messages)) {
      const res = await post(`${live.url}/v1/${path}`, Buffer.from(JSON.stringify(message)), {
        'content-type': 'text/plain',
      });
      expect(res, path).toMatchObject({ status: 200, body: { accepted: 1 } });
    }
    const deflated = trackMessage();
    const res = await post(`${live.url}/v1/t`, deflateSync(JSON.stringify(deflated)), {
      'content-type': 'application/json',
      'content-encoding': 'deflate',
    });
    expect(res).toMatchObject({ status: 200, body: { accepted: 1 } });
    const ids = [...Object.values(messages), deflated].map((m) => m.messageId as string);
    expect((await live.storage.hasEvents(ids)).size).toBe(5);
  });

  it.skipIf(skip)('applies the 500 KB limit to the decoded body, and says what was wrong with it', async () => {
    const json = { 'content-type': 'application/json', 'content-encoding': 'gzip' };
    // 100 KB compressed, 100 MB decoded.
    const bomb = gzipSync(Buffer.alloc(100 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(500 * 1024);
    const big = await post(`${live.url}/v1/batch`, bomb, json);
    expect(big).toMatchObject({ status: 413, body: { error: { code: 'too_large' } } });
    const notJson = await post(`${live.url}/v1/batch`, gzipSync('{"batch": ['), json);
    expect(notJson).toEqual({
      status: 400,
      body: { error: { code: 'invalid_json', message: 'the body is not valid JSON (once decoded from gzip)' } },
    });
    const plain = await post(`${live.url}/v1/batch`, Buffer.from('{"batch": ['), { 'content-type': 'text/plain' });
    expect(plain.body.error).toEqual({ code: 'invalid_json', message: 'the body is not valid JSON' });
    const notGzip = await post(`${live.url}/v1/batch`, Buffer.from('{"batch": []}'), json);
    expect(notGzip).toMatchObject({ status: 400, body: { error: { code: 'invalid_encoding' } } });
    const brotli = await post(`${live.url}/v1/batch`, Buffer.from('x'), { ...json, 'content-encoding': 'br' });
    expect(brotli).toMatchObject({ status: 415, body: { error: { code: 'unsupported_encoding' } } });
  });

  it.skipIf(skip)('a body in a bad encoding that is never read (415, a GET) ends nothing', async () => {
    const xml = await post(`${live.url}/v1/batch`, Buffer.from('<a/>'), {
      'content-type': 'application/xml',
      'content-encoding': 'gzip',
    });
    expect(xml.status).toBe(415);
    const get = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        `${live.url}/healthz`,
        { method: 'GET', headers: { 'content-encoding': 'deflate', 'content-length': '4' } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end('junk');
    });
    expect(get).toBe(200);
    // The decoders' errors come a moment later: they must have nowhere to crash to.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(
      (
        await post(`${live.url}/v1/track`, Buffer.from(JSON.stringify(trackMessage())), {
          'content-type': 'application/json',
        })
      ).status,
    ).toBe(200);
  });

  it.skipIf(skip)(
    'keeps a keep-alive connection usable after a body it does not read, and closes it after one it stops reading',
    async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const send = (path: string, method: string, headers: Record<string, string>, body?: Buffer) =>
        new Promise<{ status: number; reused: boolean; closes: boolean }>((resolve, reject) => {
          const req = httpRequest(`${live.url}${path}`, { method, headers, agent, timeout: 5000 }, (res) => {
            res.resume();
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                reused: req.reusedSocket,
                closes: res.headers.connection === 'close',
              }),
            );
          });
          req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer on a reused connection`)));
          req.on('error', reject);
          req.end(body);
        });
      try {
        // More than the buffers between the socket and a decoder hold: a body that must be read through.
        const gzipped = gzipSync(randomBytes(300 * 1024));
        const headers = { 'content-encoding': 'gzip', 'content-length': String(gzipped.length) };
        expect(
          await send('/v1/batch', 'POST', { ...headers, 'content-type': 'application/xml' }, gzipped),
        ).toMatchObject({
          status: 415,
        });
        expect(await send('/healthz', 'GET', {})).toEqual({ status: 200, reused: true, closes: false });
        const bomb = gzipSync(Buffer.alloc(2 * 1024 * 1024));
        const big = {
          'content-encoding': 'gzip',
          'content-type': 'application/json',
          'content-length': String(bomb.length),
        };
        expect(await send('/v1/batch', 'POST', big, bomb)).toMatchObject({ status: 413, closes: true });
        expect((await send('/healthz', 'GET', {})).status).toBe(200);
      } finally {
        agent.destroy();
      }
    },
  );

  it.skipIf(skip)('stops decoding at the limit: a bomb is never inflated whole', async () => {
    // 2,000 gzip members of 1 MB of zeros each (a valid gzip stream of 2 GB), read lazily.
    const member = gzipSync(Buffer.alloc(1024 * 1024));
    let read = 0;
    const payload = new Readable({
      read() {
        this.push(++read <= 2000 ? member : null);
      },
    });
    const res = await live.collector.app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload,
    });
    expect(res.statusCode).toBe(413);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The first megabyte is over the limit: nothing much past it is read, let alone inflated.
    expect(read).toBeLessThan(50);
  });
});
