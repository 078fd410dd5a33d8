import type { FastifyInstance } from 'fastify';

// What browsers may send: posts to the ingestion endpoints and of consent receipts (never the
// Member or platform APIs, nor reads of receipts, which take bearer tokens from servers).
const browserRoutes = /^\/v1\/(batch|track|page|identify|screen|b|t|p|i|s|consent)\/?(\?|$)/;

/** A `POST`, or the preflight of one. */
const isBrowserPost = (method: string, preflightMethod: string | string[] | undefined): boolean =>
  method === 'POST' || (method === 'OPTIONS' && preflightMethod === 'POST');

/**
 * Lets pages on `origins` (e.g. `https://www.edx.org`) post events and receipts to a collector on
 * another origin: answers preflights of a `POST` (`OPTIONS`, 204) and adds `Access-Control-Allow-Origin`
 * for an allowed `Origin` on the browser routes' `POST`s only. No credentials are ever allowed. `*` allows any
 * origin (events carry no secret; consent is enforced on every message anyway).
 */
export function registerCors(app: FastifyInstance, origins: readonly string[]): void {
  if (!origins.length) return;
  const allowed = (origin: string | undefined) =>
    origin !== undefined && (origins.includes('*') || origins.includes(origin));
  app.addHook('onRequest', (request, reply, done) => {
    const origin = request.headers.origin;
    const preflightMethod = request.headers['access-control-request-method'];
    if (isBrowserPost(request.method, preflightMethod) && browserRoutes.test(request.url) && allowed(origin)) {
      void reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
      if (request.method === 'OPTIONS')
        return void reply
          .code(204)
          .header('access-control-allow-methods', 'POST')
          .header('access-control-allow-headers', 'content-type, authorization')
          .header('access-control-max-age', '86400')
          .send();
    }
    done();
  });
}
