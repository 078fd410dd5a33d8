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
 * `email` block of the wrong shape and `missing_secret` for a key the config names but the
 * environment does not hold.
 */
export function emailVerifierFromConfig(
  config: CollectorConfig,
  env: SecretEnv = process.env,
): EmailVerifier | undefined {
  // Where each owner's keys are in the config, by the path the verifier names them under.
  const places = new Map<string, { path: string; refs: Readonly<Record<string, string>> }>();
  const keysOf = (owner: string, value: unknown, path: string, verifierPath: string): EmailKeys | undefined => {
    if (value === undefined) return undefined;
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
    if (parsed.data.keyId && !refs[parsed.data.keyId])
      refs[parsed.data.keyId] = `env:${emailKeyEnv(owner, parsed.data.keyId)}`;
    const keys: Record<string, string> = {};
    for (const [kid, ref] of Object.entries(refs)) {
      const secret = readSecret(ref, env);
      if (!secret)
        throw new CollectorError(
          'missing_secret',
          [{ path: keyPath(`${path}.keys`, refs, kid), message: `${ref} is not set` }],
          'Set the email signing key in the environment (the same secret the signer uses).',
        );
      keys[kid] = secret;
    }
    places.set(verifierPath, { path, refs });
    return Object.keys(keys).length ? keys : undefined;
  };
  const members: Record<string, { keys: EmailKeys }> = {};
  config.members.forEach((m, i) => {
    const keys = keysOf(m.id, (m as { email?: unknown }).email, `members[${i}].email`, `members.${m.id}.keys`);
    if (keys) members[m.id] = { keys };
  });
  const platformKeys = keysOf(
    'platform',
    (config.collector as { email?: unknown } | undefined)?.email,
    'collector.email',
    'platformKeys',
  );
  if (!platformKeys && !Object.keys(members).length) return undefined;
  try {
    return createEmailVerifier({ members, ...(platformKeys && { platformKeys }) });
  } catch (error) {
    throw error instanceof EmailError ? keyRefused(error, places) : error;
  }
}

/**
 * A key the verifier refused (too short, a malformed kid, one secret of two principals), as an
 * `invalid_config` at its place in the config, naming the reference it was read from; an error
 * about no key in particular as it is.
 */
function keyRefused(
  error: EmailError,
  places: ReadonlyMap<string, { path: string; refs: Readonly<Record<string, string>> }>,
): CollectorError | EmailError {
  const [prefix, place] =
    [...places].find(([owner]) => error.path.startsWith(`${owner}.`) || error.path.startsWith(`${owner}[`)) ?? [];
  if (prefix === undefined || !place) return error;
  // A key named by its id (`.hx-2026`), or by its position (`[0]`) when its id may be a secret.
  const at = error.path.slice(prefix.length);
  const position = /^\[(\d+)\]$/.exec(at)?.[1];
  const ref = position === undefined ? place.refs[at.slice(1)] : Object.values(place.refs)[Number(position)];
  // `EmailError` messages are `<code>: <path>: <what>. <hint>`.
  const what = error.message.slice(`${error.code}: ${error.path}: `.length, -(error.hint.length + 2));
  return new CollectorError(
    'invalid_config',
    [{ path: `${place.path}.keys${at}`, message: `the key in ${ref ?? 'its reference'}: ${what}` }],
    error.hint,
    { cause: error },
  );
}
