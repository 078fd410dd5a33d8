import type { FastifyInstance } from 'fastify';
import type { CollectorContext } from '../collector-context.js';
import { HttpProblem } from '../http-problem.js';
import type { IngestEndpoint } from '../ingest.js';
import { mayHoldUnstorableText } from '../unstorable-text.js';

/** The Segment write key of a request: HTTP Basic user name (Segment's way) or the body's `writeKey`. */
function writeKeyOf(authorization: string | undefined, body: unknown): string | undefined {
  if (authorization?.startsWith('Basic ')) {
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
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
 * `POST /v1/batch`, `/v1/track`, `/v1/page`, `/v1/identify`, `/v1/screen`: Segment's HTTP
 * tracking API. A write key, when given, must be a configured one (401 otherwise); with
 * `requireWriteKey` it must be given. `Sec-GPC: 1` refuses marketing.
 */
export function registerIngestRoutes(app: FastifyInstance, ctx: CollectorContext): void {
  const endpoints: IngestEndpoint[] = ['batch', 'track', 'page', 'identify', 'screen'];
  for (const endpoint of endpoints) {
    app.post(`/v1/${endpoint}`, async (request, reply) => {
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
