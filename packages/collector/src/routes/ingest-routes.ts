import type { FastifyInstance } from 'fastify';
import type { CollectorContext } from '../collector-context.js';
import { HttpProblem } from '../http-problem.js';
import type { IngestEndpoint } from '../ingest.js';
import { mayHoldUnstorableText } from '../unstorable-text.js';

// The scheme is case-insensitive (RFC 9110): `basic` is Basic too, and its key is checked.
const basicScheme = /^Basic\s+/i;

/** The Segment write key of a request: HTTP Basic user name (Segment's way) or the body's `writeKey`. */
function writeKeyOf(authorization: string | undefined, body: unknown): string | undefined {
  const scheme = authorization === undefined ? null : basicScheme.exec(authorization);
  if (scheme) {
    const decoded = Buffer.from(scheme.input.slice(scheme[0].length).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon === -1 ? decoded : decoded.slice(0, colon);
  }
  if (typeof body === 'object' && body !== null && 'writeKey' in body) {
    const key = (body as { writeKey?: unknown }).writeKey;
    return typeof key === 'string' ? key : undefined;
  }
  return undefined;
}

/**
 * The paths of Segment's HTTP tracking API and the endpoint each one is: `/v1/batch` ... and the
 * one-letter paths Segment's own libraries post to (analytics.js `/v1/t`, `/v1/p`, `/v1/i` and, when
 * batching, `/v1/b`; analytics-kotlin and analytics-swift `/v1/b`).
 */
export const ingestPaths: Readonly<Record<string, IngestEndpoint>> = {
  '/v1/batch': 'batch',
  '/v1/track': 'track',
  '/v1/page': 'page',
  '/v1/identify': 'identify',
  '/v1/screen': 'screen',
  '/v1/b': 'batch',
  '/v1/t': 'track',
  '/v1/p': 'page',
  '/v1/i': 'identify',
  '/v1/s': 'screen',
};

/**
 * `POST /v1/batch`, `/v1/track`, `/v1/page`, `/v1/identify`, `/v1/screen` (and `/v1/b`, `/v1/t`,
 * `/v1/p`, `/v1/i`, `/v1/s`): Segment's HTTP tracking API. A write key, when given, must be a
 * configured one (401 otherwise); with `requireWriteKey` it must be given. `Sec-GPC: 1` refuses
 * marketing, unless a message's `context.consent` says the learner granted it while GPC was on
 * (`gpc: true`, and marketing granted: `consentVerdict`).
 */
export function registerIngestRoutes(app: FastifyInstance, ctx: CollectorContext): void {
  for (const [path, endpoint] of Object.entries(ingestPaths)) {
    app.post(path, async (request, reply) => {
      const key = writeKeyOf(request.headers.authorization, request.body);
      const valid = key !== undefined && ctx.credentials.isWriteKey(key);
      if ((key !== undefined && ctx.credentials.hasWriteKeys && !valid) || (ctx.requireWriteKey && !valid)) {
        ctx.metrics.inc('rejected', { reason: 'unauthorized' });
        throw new HttpProblem(
          401,
          'invalid_write_key',
          "the write key is not one of this collector's (send it as the Basic auth user name)",
        );
      }
      const result = await ctx.ingest(
        endpoint,
        request.body,
        {
          ip: ctx.clientIpOf(request.socket.remoteAddress, request.headers['x-forwarded-for']),
          userAgent: request.headers['user-agent'],
          receivedAt: new Date().toISOString(),
          // A browser's write key is public: only a server-side client (no Origin header, which
          // browsers send on every POST) may speak for the end user's address.
          trustedSource: valid && request.headers.origin === undefined,
        },
        request.headers['sec-gpc'] === '1',
        mayHoldUnstorableText(request),
      );
      return reply.code(result.status).send(result.body);
    });
  }
}
