import type { FastifyInstance } from 'fastify';
import type { CollectorContext } from '../collector-context.js';
import { bearerTokenRequired, HttpProblem } from '../http-problem.js';
import { openApiDocument } from '../openapi.js';

/**
 * `GET /healthz` (storage and event sink reachable: 200, else 503 naming the one that is not),
 * `GET /metrics` (Prometheus text, to the metrics or the platform token: 401 without a valid one,
 * 403 for a Member's), `GET /openapi.json`.
 */
export function registerOpsRoutes(app: FastifyInstance, ctx: CollectorContext, version: string): void {
  const openapi = JSON.stringify(openApiDocument(version));
  app.get('/healthz', async (_request, reply) => {
    const kinds = { storage: ctx.storage.kind, sink: ctx.sink.kind };
    for (const [part, ping] of [
      ['storage', () => ctx.storage.ping()],
      ['sink', () => ctx.sink.ping()],
    ] as const) {
      try {
        await ping();
      } catch {
        return reply.code(503).send({ status: 'unavailable', ...kinds, unavailable: part });
      }
    }
    return { status: 'ok', ...kinds };
  });
  app.get('/metrics', (request, reply) => {
    const principal = ctx.principalOf(request.headers.authorization);
    if (!principal)
      throw bearerTokenRequired(
        'send "Authorization: Bearer <token>" with the metrics token (OPTIN_METRICS_TOKEN) or the platform token',
      );
    if (principal.kind !== 'metrics' && principal.kind !== 'platform')
      throw new HttpProblem(
        403,
        'forbidden',
        "a Member token does not read the platform's metrics: scrape with the metrics token (OPTIN_METRICS_TOKEN)",
      );
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(ctx.metrics.render());
  });
  app.get('/openapi.json', (_request, reply) => reply.type('application/json; charset=utf-8').send(openapi));
}
