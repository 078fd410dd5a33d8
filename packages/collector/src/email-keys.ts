import { createEmailVerifier, EmailError, type EmailKeys, type EmailVerifier } from '@optin/email';
import * as z from 'zod';
import type { CollectorConfig } from './collector-config.js';
import { readSecret, type SecretEnv } from './credentials.js';
import { CollectorError, formatPath } from './errors.js';
import { keyPath, secretRefSchema } from './collector-config.js';

const emailSchema = z.looseObject({
  keyId: z.string().min(1).optional(),
  keys: z.record(z.string().min(1), secretRefSchema).optional(),
});

/** Where a Member's email key lives when the config names only its id: `OPTIN_EMAIL_<MEMBER>_<KID>`. */
export function emailKeyEnv(owner: string, kid: string): string {
  return `OPTIN_EMAIL_${`${owner}_${kid}`.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/**
 * The email verifier of a config: each Member's `email` (`{ keyId }` as `defineMember` takes it,
 * plus `keys: { [kid]: 'env:…' | 'file:…' }` for rotation) and the platform's `collector.email`.
 * A key named only by id is read from `OPTIN_EMAIL_<MEMBER>_<KID>`. Returns `undefined` when no
 * email keys are configured (the `/e/` routes are then off). Throws `invalid_config` for an
 * `email` block of the wrong shape and for two owners whose keys are read from one place (key ids
 * that make one environment variable name), and `missing_secret` for a key the config names but the
 * environment does not hold.
 */
export function emailVerifierFromConfig(
  config: CollectorConfig,
  env: SecretEnv = process.env,
): EmailVerifier | undefined {
  // Where each owner's keys are in the config, by the path the verifier names them under.
  const places = new Map<string, KeyPlace>();
  const placeOf = (owner: string, value: unknown, path: string, verifierPath: string): void => {
    if (value === undefined) return;
    const parsed = emailSchema.safeParse(value);
    if (!parsed.success)
      throw new CollectorError(
        'invalid_config',
        parsed.error.issues.map((i) => {
          const [setting, kid, ...rest] = i.path;
          // A key id may be a secret (a map written the wrong way round): named by position then.
          const at =
            setting === 'keys' && typeof kid === 'string'
              ? keyPath(`${path}.keys`, (value as { keys?: unknown }).keys, kid) +
                (rest.length ? `.${formatPath(rest)}` : '')
              : i.path.length
                ? `${path}.${formatPath(i.path)}`
                : path;
          return { path: at, message: i.message };
        }),
        'Give email as { keyId: "<key id>" } (read from OPTIN_EMAIL_<MEMBER>_<KEY ID>) or { keys: { "<key id>": "env:NAME" } }.',
      );
    const refs: Record<string, string> = { ...parsed.data.keys };
    // The reference made from a key id (`env:OPTIN_EMAIL_<MEMBER>_<KID>`) holds the id.
    let derived: string | undefined;
    if (parsed.data.keyId && !refs[parsed.data.keyId])
      refs[(derived = parsed.data.keyId)] = `env:${emailKeyEnv(owner, parsed.data.keyId)}`;
    places.set(verifierPath, { path, refs, derived });
  };
  config.members.forEach((m, i) =>
    placeOf(m.id, (m as { email?: unknown }).email, `members[${i}].email`, `members.${m.id}.keys`),
  );
  placeOf('platform', (config.collector as { email?: unknown } | undefined)?.email, 'collector.email', 'platformKeys');
  refuseSharedReferences(places);
  const keysOf = (verifierPath: string): EmailKeys | undefined => {
    const place = places.get(verifierPath);
    if (!place) return undefined;
    const keys: Record<string, string> = {};
    for (const [kid, ref] of Object.entries(place.refs)) {
      const secret = readSecret(ref, env);
      if (!secret) {
        const at = keyPath(`${place.path}.keys`, place.refs, kid);
        const { name, note } = refName(ref, kid === place.derived ? at : undefined);
        throw new CollectorError(
          'missing_secret',
          [{ path: at, message: `${name} is not set${note}` }],
          'Set the email signing key in the environment (the same secret the signer uses).',
        );
      }
      keys[kid] = secret;
    }
    return Object.keys(keys).length ? keys : undefined;
  };
  const members: Record<string, { keys: EmailKeys }> = {};
  for (const m of config.members) {
    const keys = keysOf(`members.${m.id}.keys`);
    if (keys) members[m.id] = { keys };
  }
  const platformKeys = keysOf('platformKeys');
  if (!platformKeys && !Object.keys(members).length) return undefined;
  try {
    return createEmailVerifier({ members, ...(platformKeys && { platformKeys }) });
  } catch (error) {
    throw error instanceof EmailError ? keyRefused(error, places) : error;
  }
}

interface KeyPlace {
  path: string;
  refs: Readonly<Record<string, string>>;
  /** The key id whose reference was made from it, if any. */
  derived?: string | undefined;
}

/**
 * Refuses two owners (Members, or a Member and the platform) that read their email keys from one
 * place: key ids that make one environment variable name (`Harvard` with `x-2026` and `Harvard.X`
 * with `2026` both read `OPTIN_EMAIL_HARVARD_X_2026`), or one reference written for both. An
 * `invalid_config` at the later key, naming the earlier one, before any secret is read.
 */
function refuseSharedReferences(places: ReadonlyMap<string, KeyPlace>): void {
  const readers = new Map<string, { owner: string; at: string; name: string }>();
  const issues: { path: string; message: string }[] = [];
  for (const [owner, place] of places)
    for (const [kid, ref] of Object.entries(place.refs)) {
      const at = keyPath(`${place.path}.keys`, place.refs, kid);
      const { name } = refName(ref, kid === place.derived ? at : undefined);
      const first = readers.get(ref);
      if (!first) readers.set(ref, { owner, at, name });
      else if (first.owner !== owner)
        // Named only where neither name is made from a key id that may be a secret.
        issues.push({
          path: at,
          message: `its key is read from ${name === ref && first.name === ref ? ref : 'the same place'}, as ${first.at}'s is: two principals would share one email key`,
        });
    }
  if (issues.length)
    throw new CollectorError(
      'invalid_config',
      issues,
      'Give each Member and the platform its own key: name where it is in email.keys ({ "<key id>": "env:NAME" }), or choose key ids that make different environment variable names (OPTIN_EMAIL_<MEMBER>_<KEY ID>, letters and digits kept, anything else "_").',
    );
}

/**
 * How an error names a reference: as written, except one made from a key id named by position
 * (`…keys[0]`: the id may be a secret), whose name would print the id; `note` then says why not.
 */
function refName(ref: string, derivedAt: string | undefined): { name: string; note: string } {
  const position = derivedAt === undefined ? undefined : /\[(\d+)\]$/.exec(derivedAt)?.[1];
  if (position === undefined) return { name: ref, note: '' };
  const n = Number(position) + 1;
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return {
    name: `the environment variable for the ${n}${suffix} key id`,
    note: ' (its name, made from the id, is not shown: the id may be a secret)',
  };
}

/**
 * A key the verifier refused (too short, a malformed kid, one secret of two principals), as an
 * `invalid_config` at its place in the config, naming the reference it was read from; an error
 * about no key in particular as it is.
 */
function keyRefused(error: EmailError, places: ReadonlyMap<string, KeyPlace>): CollectorError | EmailError {
  const [prefix, place] =
    [...places].find(([owner]) => error.path.startsWith(`${owner}.`) || error.path.startsWith(`${owner}[`)) ?? [];
  if (prefix === undefined || !place) return error;
  // A key named by its id (`.hx-2026`), or by its position (`[0]`) when its id may be a secret.
  const at = error.path.slice(prefix.length);
  const position = /^\[(\d+)\]$/.exec(at)?.[1];
  const [kid, ref] =
    (position === undefined
      ? Object.entries(place.refs).find(([k]) => k === at.slice(1))
      : Object.entries(place.refs)[Number(position)]) ?? [];
  const path = `${place.path}.keys${at}`;
  // `EmailError` messages are `<code>: <path>: <what>. <hint>`.
  const what = error.message.slice(`${error.code}: ${error.path}: `.length, -(error.hint.length + 2));
  const { name, note } =
    ref === undefined ? { name: 'its reference', note: '' } : refName(ref, kid === place.derived ? path : undefined);
  return new CollectorError('invalid_config', [{ path, message: `the key in ${name}${note}: ${what}` }], error.hint, {
    cause: error,
  });
}
