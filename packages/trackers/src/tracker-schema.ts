import * as z from 'zod/mini';

const id = z
  .string('must be a string of letters, digits, ".", "-" or "_"')
  .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be letters, digits, ".", "-" or "_"'));
/** Who a tracker belongs to: the platform, or a Member by its id. */
const owner = z
  .string('must be "platform" or the id of a Member: letters, digits, ".", "-" or "_"')
  .check(
    z.regex(
      /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
      'must be "platform" or the id of a Member: letters, digits, ".", "-" or "_"',
    ),
  );
/** A tracker id: like a purpose or Member id, and may be namespaced by its Member (`HarvardX/ga4`). */
const trackerId = z
  .string('must be a string like "ga4" or "HarvardX/ga4"')
  .check(
    z.regex(
      /^([A-Za-z0-9][A-Za-z0-9._-]*\/)?[A-Za-z0-9][A-Za-z0-9._-]*$/,
      'must be letters, digits, ".", "-" or "_", optionally after "<member>/"',
    ),
  );
const text = z.string('must be a non-empty string').check(z.minLength(1, 'must not be empty'));
const url = z
  .string('must be an https:// URL')
  .check(z.regex(/^https:\/\/[^\s/]+\.[^\s/]+(\/\S*)?$/, 'must be an https:// URL'));
const party = z.enum(['first', 'third'], 'must be "first" or "third"');
const fn = z.optional(z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', 'must be a function'));

/** A cookie name browsers accept: no spaces, separators or control characters. */
const cookieName = z.union(
  [
    z
      .string()
      .check(z.regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, 'must be a valid cookie name (no spaces, "=", ";" or ",")')),
    z.instanceof(RegExp),
  ],
  'must be a cookie name or a RegExp',
);

/** The schema of a tracker declaration, used by `defineTracker` only (browser bundles skip it). */
export const trackerSchema = z.strictObject({
  id: trackerId,
  owner,
  purposes: z
    .array(id, 'must be a list of purpose ids, e.g. ["analytics"]')
    .check(z.minLength(1, 'a tracker serves at least one purpose')),
  party,
  vendor: z.strictObject(
    { name: text, privacyUrl: url, optOutUrl: z.optional(url) },
    'must be { name, privacyUrl, optOutUrl? }',
  ),
  cookies: z.array(
    z.strictObject(
      {
        name: cookieName,
        purpose: id,
        lifetime: z
          .string('must be "session" or like "30min", "24h", "90d", "13mo", "2y"')
          .check(
            z.regex(
              /^(session|[1-9]\d*(s|min|h|d|w|mo|y))$/,
              'must be "session" or like "30min", "24h", "90d", "13mo", "2y"',
            ),
          ),
        party,
        storage: z.optional(
          z.enum(['cookie', 'localStorage', 'sessionStorage'], 'must be "cookie", "localStorage" or "sessionStorage"'),
        ),
      },
      'must be { name, purpose, lifetime, party, storage? }',
    ),
    'must be a list of { name, purpose, lifetime, party, storage? } ([] when it sets none)',
  ),
  hosts: z.array(
    z
      .string('must be a lower-case host name')
      .check(
        z.regex(
          /^(\*\.)?([a-z0-9-]+\.)+[a-z]{2,}$/,
          'must be a lower-case host name, optionally "*.": no scheme, port or path',
        ),
      ),
    'must be a list of the host names it contacts ([] when none)',
  ),
  vendorId: z.optional(z.string("must be the vendor's id as a string").check(z.minLength(1, 'must not be empty'))),
  unloadable: z.optional(z.boolean('must be true or false')),
  load: fn,
  unload: fn,
  page: fn,
  track: fn,
  identify: fn,
});
