import { Transform, type Readable } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { HttpProblem } from './http-problem.js';
import type { Metrics } from './metrics.js';

/** The body stream handed to Fastify's parsers: decoded bytes, and `receivedEncodedLength` as Fastify reads it. */
type DecodedBody = Transform & { receivedEncodedLength: number };

/** The decoder of a `Content-Encoding` (gzip, as Segment's mobile libraries send, or deflate); `null` for none. */
function decoderFor(encoding: string): Transform | null | undefined {
  if (encoding === '' || encoding === 'identity') return null;
  if (encoding === 'gzip' || encoding === 'x-gzip') return createGunzip();
  if (encoding === 'deflate') return createInflate();
  return undefined;
}

/**
 * Decodes request bodies sent with `Content-Encoding: gzip` or `deflate` before they are parsed, with
 * the body limit applied to the decoded bytes: the decoder stops (and is destroyed) at the first
 * byte over `limit`, so a small body that would inflate to gigabytes (a zip bomb) costs no more
 * than `limit` of work and memory before its 413. A body that is not valid in its encoding gets
 * 400 `invalid_encoding`; another encoding 415 `unsupported_encoding`.
 */
export function registerContentDecoding(app: FastifyInstance, limit: number, metrics: Metrics): void {
  const refuse = (status: number, code: string, message: string): HttpProblem => {
    metrics.inc('rejected', { reason: code });
    return new HttpProblem(status, code, message);
  };
  app.addHook('preParsing', (request, _reply, payload, done) => {
    const header = request.headers['content-encoding'];
    if (header === undefined) return done(null, payload);
    const encoding = header.trim().toLowerCase();
    const decoder = decoderFor(encoding);
    if (decoder === null) return done(null, payload);
    if (decoder === undefined)
      return done(
        refuse(
          415,
          'unsupported_encoding',
          `Content-Encoding "${header}" is not supported: send gzip, deflate or none`,
        ),
      );
    let decoded = 0;
    const body = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        decoded += chunk.length;
        if (decoded <= limit) return callback(null, chunk);
        stop();
        callback(
          refuse(
            413,
            'too_large',
            `the body is over ${limit / 1024} KB once decoded from ${encoding}; split the batch`,
          ),
        );
      },
    }) as DecodedBody;
    body.receivedEncodedLength = 0;
    const raw: Readable = payload;
    const count = (chunk: Buffer): void => {
      body.receivedEncodedLength += chunk.length;
    };
    const stop = (): void => {
      raw.off('data', count);
      raw.unpipe(decoder);
      decoder.destroy();
      // The rest of the request is left unread, never decoded: Node ends the connection with the answer.
    };
    decoder.on('error', (error) => {
      stop();
      body.destroy(refuse(400, 'invalid_encoding', `the body is not valid ${encoding}: ${error.message}`));
    });
    // Decoding starts when Fastify reads the body: one it never reads (a GET's, a 415's) is left to
    // Node, which discards it as it does any unread body.
    body.once('resume', () => {
      raw.on('data', count);
      raw.pipe(decoder).pipe(body);
    });
    done(null, body);
  });
}
