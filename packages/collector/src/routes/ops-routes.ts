import type { FastifyInstance } from 'fastify';
import type { CollectorContext } from '../collector-context.js';
import { openApiDocument } from '../openapi.js';

/** `GET /healthz` (storage reachable), `GET /metrics` (Prometheus text), `GET /openapi.json`. */
export function registerOpsRoutes(app: FastifyInstance, ctx: CollectorContext, version: string): void {
  const openapi = JSON.stringify(openApiDocument(version));
  app.get('/healthz', async (_request, reply) => {
    try {
      await ctx.storage.ping();
      return { status: 'ok', storage: ctx.storage.kind, sink: ctx.sink.kind };
    } catch {
      return reply.code(503).send({ status: 'unavailable', storage: ctx.storage.kind, sink: ctx.sink.kind });
    }
  });
  app.get('/metrics', (_request, reply) =>
    reply.type('text/plain; version=0.0.4; charset=utf-8').send(ctx.metrics.render()),
  );
  app.get('/openapi.json', (_request, reply) => reply.type('application/json; charset=utf-8').send(openapi));
}
