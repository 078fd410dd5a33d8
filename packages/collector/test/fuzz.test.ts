import fc from 'fast-check';
import { Agent, request as httpRequest } from 'node:http';
import { deflateSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { backends, tokens, useCollector } from './helpers.js';

// Everything generated here must be refused or dropped: invalid, unauthorised, or without a
// granted purpose (the collector runs opt-in, so a message without consent is never stored).
const refusedConsent = fc.oneof(
  fc.constant(undefined),
  fc.anything(),
  fc.record({
    categoryPreferences: fc.dictionary(
      fc.constantFrom('analytics', 'marketing', 'performance', 'functionality', 'Advertising'),
      fc.constant(false),
    ),
  }),
  fc.record({ policy: fc.string(), categoryPreferences: fc.anything() }),
);

const message = fc.record(
  {
    type: fc.oneof(fc.constantFrom('track', 'page', 'screen', 'identify', 'alias', 'group', ''), fc.anything()),
    event: fc.oneof(fc.string(), fc.anything()),
    messageId: fc.oneof(fc.string(), fc.uuid(), fc.anything()),
    anonymousId: fc.oneof(fc.string(), fc.anything()),
    userId: fc.oneof(fc.string(), fc.integer(), fc.anything()),
    timestamp: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.string(),
      fc.anything(),
    ),
    properties: fc.anything(),
    traits: fc.anything(),
    context: fc.record(
      {
        consent: refusedConsent,
        course: fc.anything(),
        page: fc.anything(),
        ip: fc.oneof(fc.ipV4(), fc.ipV6(), fc.string()),
        userAgent: fc.string(),
        session: fc.anything(),
        purposes: fc.anything(),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);

const receiptLike = fc.record(
  {
    subject: fc.oneof(fc.string(), fc.anything()),
    consentId: fc.oneof(fc.string(), fc.anything()),
    policy: fc.oneof(fc.record({ id: fc.constant('acme'), version: fc.string(), hash: fc.string() }), fc.anything()),
    purposes: fc.anything(),
    members: fc.anything(),
    source: fc.oneof(fc.constantFrom('banner', 'api'), fc.anything()),
    decidedAt: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.anything(),
    ),
    gpc: fc.anything(),
  },
  { requiredKeys: [] },
);

const oversized = JSON.stringify({
  batch: [{ type: 'track', event: 'x', anonymousId: 'a', properties: { blob: 'x'.repeat(520 * 1024) } }],
});
const tooMany = JSON.stringify({ batch: Array.from({ length: 501 }, () => ({ type: 'page', anonymousId: 'a' })) });

const body = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(oversized, tooMany) },
  { weight: 3, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 3, arbitrary: fc.json({ maxDepth: 4 }) },
  { weight: 5, arbitrary: message.map((m) => JSON.stringify(m)) },
  {
    weight: 5,
    arbitrary: fc
      .record(
        {
          batch: fc.oneof(fc.array(message, { maxLength: 12 }), fc.anything()),
          context: fc.anything(),
          writeKey: fc.anything(),
        },
        { requiredKeys: [] },
      )
      .map((b) => JSON.stringify(b)),
  },
  { weight: 3, arbitrary: receiptLike.map((r) => JSON.stringify(r)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '{"__proto__":{"polluted":1},"batch":[]}',
      '{"constructor":{"prototype":{"x":1}}}',
      '[]',
      'null',
      '',
      '\u0000',
      '{"batch":[' + '{},'.repeat(600) + '{}]}',
    ),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a).toString('latin1')) },
);

const request = fc.record({
  method: fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE'),
  path: fc.oneof(
    fc.constantFrom(
      '/v1/batch',
      '/v1/track',
      '/v1/page',
      '/v1/identify',
      '/v1/screen',
      '/v1/consent',
      '/v1/b',
      '/v1/t',
      '/v1/p',
      '/v1/i',
      '/v1/s',
    ),
    fc.constantFrom(
      '/v1/members/HarvardX/events',
      '/v1/members/MITx/stats',
      '/v1/events',
      '/v1/stats',
      '/v1/consent/learner',
      '/v1/consent?subject=learner',
      '/healthz',
      '/metrics',
      '/openapi.json',
    ),
    fc
      .tuple(
        fc.constantFrom('/v1/members/', '/v1/consent/', '/v1/consent?subject=', '/e/o/', '/', '/v1'),
        fc.webSegment(),
        fc.constantFrom('', '/events', '/stats'),
        fc.constantFrom('', '?limit=-1', '?cursor=%00', '?from=x&to=y', '?type=track&limit=5000'),
      )
      .map((p) => p.join('')),
  ),
  contentType: fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'text/plain;charset=UTF-8',
    'application/xml',
    'multipart/form-data; boundary=x',
    'application/x-www-form-urlencoded',
    'garbage/ ;;',
    undefined,
  ),
  authorization: fc.oneof(
    fc.constant(undefined),
    fc.string().map((s) => `Basic ${Buffer.from(s).toString('base64')}`),
    fc.string().map((s) => `basic ${Buffer.from(s).toString('base64')}`),
    fc.string().map((s) => `Bearer ${s}`),
    fc.constantFrom(
      `Bearer ${tokens.HarvardX}`,
      `Bearer ${tokens.platform}`,
      `Basic ${Buffer.from(`${tokens.writeKey}:`).toString('base64')}`,
    ),
    fc.string(),
  ),
  gpc: fc.constantFrom(undefined, '1', '0', 'yes'),
  encoding: fc.constantFrom(undefined, undefined, 'gzip', 'deflate', 'identity', 'br', 'GZip ', 'x;y'),
  encodeBody: fc.boolean(),
  forwardedFor: fc.oneof(fc.constant(undefined), fc.ipV4(), fc.ipV6(), fc.string()),
  userAgent: fc.oneof(
    fc.constant(undefined),
    fc.string(),
    fc.constantFrom('edX/org.edx.mobile (5.1.2; OS Version 17.0 (Build 21A329))', 'Googlebot/2.1'),
  ),
  body,
});

const printable = (value: string): string => value.replace(/[^\x20-\x7e]/g, '');

/** Connections kept open between requests, several at a time: 10,000+ requests over real HTTP in seconds. */
const agent = new Agent({ keepAlive: true, maxSockets: 8 });
afterAll(() => agent.destroy());

/** Sends one request over HTTP; resolves to its status and body text. */
function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | Buffer | undefined,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

type FuzzRequest = typeof request extends fc.Arbitrary<infer T> ? T : never;

/** Sends a generated request as it is, its body gzipped or deflated when its headers say so and it was drawn so. */
async function sendGenerated(url: string, r: FuzzRequest): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = {};
  if (r.contentType) headers['content-type'] = r.contentType;
  if (r.authorization) headers.authorization = printable(r.authorization);
  if (r.gpc) headers['sec-gpc'] = r.gpc;
  if (r.forwardedFor) headers['x-forwarded-for'] = printable(r.forwardedFor);
  if (r.userAgent) headers['user-agent'] = printable(r.userAgent);
  if (r.encoding) headers['content-encoding'] = r.encoding;
  let body: string | Buffer | undefined = r.method === 'GET' ? undefined : r.body;
  if (body !== undefined && r.encodeBody && r.encoding === 'gzip') body = gzipSync(body);
  if (body !== undefined && r.encodeBody && r.encoding === 'deflate') body = deflateSync(body);
  return send(`${url}${r.path}`, r.method, headers, body);
}

/** Sends `numRuns` generated requests, eight at a time, over real HTTP; counts the statuses. */
async function fuzz(url: string, numRuns: number): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(fc.array(request, { minLength: 8, maxLength: 8 }), async (requests) => {
      const answers = await Promise.all(requests.map((r) => sendGenerated(url, r)));
      answers.forEach(({ status, text }, i) => {
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        const r = requests[i]!;
        expect(status, `${r.method} ${r.path} → ${status} ${text.slice(0, 300)}`).toBeLessThan(500);
      });
    }),
    { numRuns: Math.ceil(numRuns / 8) },
  );
  return statuses;
}

// Valid, consented messages whose strings are arbitrary UTF-16 (NUL, lone surrogates, emoji, ...):
// stored, or refused per message, and never a 5xx from the database.
const anyText = fc.string({ unit: 'binary', maxLength: 30 });
const storable = fc.record({
  type: fc.constant('track'),
  event: anyText.filter((t) => t.length > 0),
  messageId: fc.uuid(),
  anonymousId: anyText.filter((t) => t.length > 0),
  properties: fc.dictionary(anyText, fc.oneof(anyText, fc.integer(), fc.boolean())),
  context: fc.record({
    consent: fc.constant({ categoryPreferences: { analytics: true } }),
    page: fc.record({ path: anyText, title: anyText }),
  }),
});

describe.each(backends)('fuzz: arbitrary strings in consented messages ($name)', (backend) => {
  const { skip } = backend;
  const live = useCollector(backend);

  it.skipIf(skip)('1000 batches: each message stored or refused with its index, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(storable, { minLength: 1, maxLength: 5 }), async (batch) => {
        const res = await send(
          `${live.url}/v1/batch`,
          'POST',
          { 'content-type': 'application/json' },
          JSON.stringify({ batch }),
        );
        expect(res.status, res.text.slice(0, 300)).toBeLessThan(500);
        const body = JSON.parse(res.text) as {
          accepted?: number;
          duplicates?: number;
          errors?: unknown[];
          dropped?: unknown[];
          error?: unknown;
        };
        // A whole-body refusal (e.g. a "__proto__" key) is a 400 with an error; otherwise every message is accounted for.
        if (body.error === undefined) {
          expect(body.accepted! + body.duplicates! + body.errors!.length + body.dropped!.length).toBeGreaterThanOrEqual(
            batch.length,
          );
        } else expect(res.status).toBe(400);
      }),
      { numRuns: 1000 },
    );
  });
});

describe.each(backends)('fuzz: bodies and headers on every endpoint ($name)', (backend) => {
  const { name, skip } = backend;
  const live = useCollector(backend, { trustedProxies: ['loopback'] });

  const runs = name === 'sqlite' ? 10_000 : 2_000;
  it.skipIf(skip)(`${runs} generated requests: never a 5xx, never a crash, nothing stored`, async () => {
    const statuses = await fuzz(live.url, runs);
    // The generators reach every kind of answer, success included (valid but unconsented messages).
    const expected = name === 'sqlite' ? [200, 400, 401, 403, 404, 413, 415] : [200, 400, 415];
    expect([...statuses.keys()].sort()).toEqual(expect.arrayContaining(expected));
    expect(await live.storage.counts()).toEqual({ events: 0, receipts: 0 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await send(`${live.url}/healthz`, 'GET', {}, undefined)).status).toBe(200);
  });
});
