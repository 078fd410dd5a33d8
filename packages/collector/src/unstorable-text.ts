import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';

// PostgreSQL stores neither NUL characters (TEXT and JSONB) nor unpaired UTF-16 surrogates (JSONB),
// and SQLite drivers truncate at NUL: such strings are refused as bad input, the same on every
// backend, rather than failing at the database with a 5xx.
const rawSuspect = /\\u0000|\\u[dD][89a-fA-F][0-9a-fA-F]{2}/;
const unstorable = /\\u0000|\\ud[89a-f][0-9a-f]{2}/i;

const suspects = new WeakSet<IncomingMessage>();

/** The message for a value holding such a string. */
export const unstorableTextMessage =
  'contains a NUL character (\\u0000) or an unpaired surrogate, which cannot be stored';

/**
 * Whether a parsed value holds a NUL or an unpaired surrogate anywhere (keys included):
 * `JSON.stringify` writes exactly those as `\u0000` and `\udXXX` escapes.
 */
export function holdsUnstorableText(value: unknown): boolean {
  const text = JSON.stringify(value) as string | undefined;
  return text !== undefined && unstorable.test(text);
}

/** Whether the request's JSON text had an escape that may decode to such a string (then check values). */
export function mayHoldUnstorableText(request: { raw: IncomingMessage }): boolean {
  return suspects.has(request.raw);
}

/**
 * Replaces the JSON body parsers (`application/json`, and `text/plain` as sent by `sendBeacon`) with
 * the default one (which refuses `__proto__` and `constructor` poisoning) plus a single scan of the
 * text that marks requests needing {@link holdsUnstorableText}.
 */
export function registerJsonParsers(app: FastifyInstance, bodyLimit: number): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(
    ['application/json', 'text/plain'],
    { parseAs: 'string', bodyLimit },
    (request, body, done) => {
      const text = body.toString();
      if (rawSuspect.test(text)) suspects.add(request.raw);
      void parse(request, text, done);
    },
  );
}
