import type { FastifyInstance } from 'fastify';
import type { CollectorContext } from '../collector-context.js';
import { openApiDocument } from '../openapi.js';

/**
 * `GET /healthz` (storage and event sink reachable: 200, else 503 naming the one that is not),
 * `GET /metrics` (Prometheus text), `GET /openapi.json`.
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
  app.get('/metrics', (_request, reply) =>
    reply.type('text/plain; version=0.0.4; charset=utf-8').send(ctx.metrics.render()),
  );
  app.get('/openapi.json', (_request, reply) => reply.type('application/json; charset=utf-8').send(openapi));
}
