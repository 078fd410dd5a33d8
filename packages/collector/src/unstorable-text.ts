import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { CollectorError } from './errors.js';

// PostgreSQL stores neither NUL characters (TEXT and JSONB) nor unpaired UTF-16 surrogates (JSONB),
// and SQLite drivers truncate at NUL: such strings are refused as bad input, the same on every
// backend, rather than failing at the database with a 5xx.

/** A NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
// eslint-disable-next-line no-control-regex -- NUL is exactly what is looked for
const unstorableChar = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const unstorableChars = new RegExp(unstorableChar.source, 'g');
/**
 * In `JSON.stringify` output: a `\u0000` or `\uDxxx` escape that is one (preceded by an even run of
 * backslashes), not the text `\u0000` written in a string (`\\u0000`). Paired surrogates are
 * written as they are, so any `\uD8xx`-`\uDFxx` escape is an unpaired one.
 */
const unstorableEscape = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f])/i;
/** In a request's raw JSON text: an escape that may decode to such a string (a cheap first look). */
const rawSuspect = /\\u0000|\\u[dD][89a-fA-F][0-9a-fA-F]{2}/;

const suspects = new WeakSet<IncomingMessage>();

/** The message for a value holding such a string. */
export const unstorableTextMessage =
  'contains a NUL character (\\u0000) or an unpaired surrogate, which cannot be stored';

// A first look, much cheaper than the exact patterns on the strings that have neither (nearly all).
// eslint-disable-next-line no-control-regex -- NUL is exactly what is looked for
const nulOrSurrogate = /[\u0000\uD800-\uDFFF]/;

/** Whether a string holds a NUL character or an unpaired surrogate. */
export function isUnstorableText(text: string): boolean {
  return nulOrSurrogate.test(text) && unstorableChar.test(text);
}

/** `text` with each NUL character and unpaired surrogate replaced by U+FFFD (as decoders treat bad bytes). */
export function toStorableText(text: string): string {
  return isUnstorableText(text) ? text.replace(unstorableChars, '\uFFFD') : text;
}

/** Whether `JSON.stringify` output holds such a string (as a value or a key), without parsing it back. */
export function jsonHoldsUnstorableText(json: string): boolean {
  return json.includes('\\u') && unstorableEscape.test(json);
}

/**
 * `base` followed by `key` as `formatPath` writes it (`.key`, `[3]`); a key that itself holds such a
 * character as `["k\u0000"]` (JSON-quoted, so the path shows the escape, not the character).
 */
function child(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  if (isUnstorableText(key)) return `${base}[${JSON.stringify(key)}]`;
  return base ? `${base}.${key}` : key;
}

/**
 * The path of the first string (value or key) in `value` holding a NUL character or an unpaired
 * surrogate, below `base` (e.g. `batch[3]` gives `batch[3].properties.note`); `undefined` when
 * there is none. The strings themselves are read: a backslash followed by `u0000` is text like any other.
 */
export function findUnstorableText(value: unknown, base = ''): string | undefined {
  if (typeof value === 'string') return isUnstorableText(value) ? base : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorableText(value[i], child(base, i));
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    const path = child(base, key);
    if (isUnstorableText(key)) return path;
    const found = findUnstorableText(item, path);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The error of a write refused for holding such a string at `path` (e.g. `events[2].properties.note`). */
export function unstorableTextError(path: string): CollectorError {
  return new CollectorError(
    'unstorable_text',
    [{ path, message: unstorableTextMessage }],
    'No backend stores such strings: remove or replace them (the collector answers 400 for them).',
  );
}

/** Whether the request's JSON text had an escape that may decode to such a string (then check values). */
export function mayHoldUnstorableText(request: { raw: IncomingMessage }): boolean {
  return suspects.has(request.raw);
}

/**
 * Replaces the JSON body parsers (`application/json`, and `text/plain` as sent by `sendBeacon`) with
 * the default one (which refuses `__proto__` and `constructor` poisoning) plus a single scan of the
 * text that marks requests needing {@link findUnstorableText}.
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
