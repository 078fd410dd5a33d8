import type { FastifyInstance } from 'fastify';
import { CollectorError } from '../errors.js';

// What browsers may send: posts to the ingestion endpoints and of consent receipts (never the
// Member or platform APIs, nor reads of receipts, which take bearer tokens from servers).
const browserRoutes = /^\/v1\/(batch|track|page|identify|screen|b|t|p|i|s|consent)\/?(\?|$)/;

/** A `POST`, or the preflight of one. */
const isBrowserPost = (method: string, preflightMethod: string | string[] | undefined): boolean =>
  method === 'POST' || (method === 'OPTIONS' && preflightMethod === 'POST');

/** `origin` as a browser sends it in `Origin` (`scheme://host[:port]`, lower case, no default port), or `undefined`. */
function originOf(origin: string): string | undefined {
  try {
    const { origin: read } = new URL(origin);
    return read === 'null' ? undefined : read;
  } catch {
    return undefined;
  }
}

/**
 * The page origins allowed to post from browsers, each checked: `*`, or an origin exactly as a
 * browser sends it (`https://www.edx.org`: `new URL(o).origin === o`). Anything else would never
 * match an `Origin` header, the pages silently refused: it is a `CollectorError` `invalid_option`
 * at `{path}[i]` (e.g. `OPTIN_ALLOWED_ORIGINS[1]`), its hint the origin to write when it has one
 * (`https://www.edx.org/` or `HTTPS://WWW.edX.org` is `https://www.edx.org`).
 */
export function allowedOriginList(origins: readonly string[], path = 'allowedOrigins'): readonly string[] {
  origins.forEach((origin, i) => {
    if (origin === '*') return;
    const read = originOf(origin);
    if (read === origin) return;
    throw new CollectorError(
      'invalid_option',
      [{ path: `${path}[${i}]`, message: `"${origin}" is not an origin as browsers send it` }],
      read === undefined
        ? 'Write an origin as scheme://host[:port] (https://www.edx.org), with no path, or * for any origin.'
        : `Write it as browsers send it in Origin: "${read}" (lower case, no path, no default port).`,
    );
  });
  return origins;
}

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
