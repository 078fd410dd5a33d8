import { createSubjectVerifier, EmailError, type SubjectVerifier } from '@optin/email';
import { keyPath, type CollectorConfig } from './collector-config.js';
import { readSecret, type SecretEnv } from './credentials.js';
import { CollectorError } from './errors.js';
import { emailKeyEnv } from './email-keys.js';

/** Every email secret a Member holds, by where the config names it (`members[0].email.keys.hx-2026`). */
function memberEmailSecrets(config: CollectorConfig, env: SecretEnv): Map<string, string> {
  const secrets = new Map<string, string>();
  config.members.forEach((m, i) => {
    const email = (m as { email?: unknown }).email as { keyId?: unknown; keys?: unknown } | null | undefined;
    if (typeof email !== 'object' || email === null) return;
    const refs: Record<string, unknown> = { ...(typeof email.keys === 'object' ? email.keys : {}) };
    if (typeof email.keyId === 'string' && refs[email.keyId] === undefined)
      refs[email.keyId] = `env:${emailKeyEnv(m.id, email.keyId)}`;
    for (const [kid, ref] of Object.entries(refs)) {
      const secret = typeof ref === 'string' ? readSecret(ref, env) : undefined;
      if (secret) secrets.set(secret, keyPath(`members[${i}].email.keys`, refs, kid));
    }
  });
  return secrets;
}

/**
 * The verifier of subject proofs of a config's `collector.subjectKeys` (`{ [kid]: 'env:…' | 'file:…' }`,
 * the secrets the platform's servers give `sealSubject` of `@optin/email`), or `undefined` when none
 * is configured (receipts are then taken on their word). Throws `missing_secret` for a key the
 * environment does not hold, and `invalid_config` at the key's path for a key `@optin/email` refuses
 * (a malformed kid, a secret under 32 bytes) and for a secret a Member also holds as an email key
 * (that Member could then prove any learner's receipts).
 */
export function subjectVerifierFromConfig(
  config: CollectorConfig,
  env: SecretEnv = process.env,
): SubjectVerifier | undefined {
  const refs = config.collector?.subjectKeys;
  if (!refs || !Object.keys(refs).length) return undefined;
  const keys: Record<string, string> = {};
  const memberSecrets = memberEmailSecrets(config, env);
  for (const [kid, ref] of Object.entries(refs)) {
    const path = keyPath('collector.subjectKeys', refs, kid);
    const secret = readSecret(ref, env);
    if (!secret)
      throw new CollectorError(
        'missing_secret',
        [{ path, message: `${ref} is not set` }],
        'Set the subject-proof key in the environment (the same secret the platform server seals subjects with).',
      );
    const member = memberSecrets.get(secret);
    if (member !== undefined)
      throw new CollectorError(
        'invalid_config',
        [
          {
            path,
            message: `the key in ${ref} is also a Member's email key (${member}): that Member could prove any learner's receipts`,
          },
        ],
        'Give subject proofs a secret of the platform alone: `openssl rand -base64 32`.',
      );
    keys[kid] = secret;
  }
  try {
    return createSubjectVerifier({ keys });
  } catch (error) {
    if (!(error instanceof EmailError)) throw error;
    // A key named by its id (`keys.hx-2026`), or by its position (`keys[0]`) when its id may be a secret.
    const at = error.path.slice('keys'.length);
    const position = /^\[(\d+)\]$/.exec(at)?.[1];
    const ref = position === undefined ? refs[at.slice(1)] : Object.values(refs)[Number(position)];
    // `EmailError` messages are `<code>: <path>: <what>. <hint>`.
    const what = error.message.slice(`${error.code}: ${error.path}: `.length, -(error.hint.length + 2));
    throw new CollectorError(
      'invalid_config',
      [{ path: `collector.subjectKeys${at}`, message: `the key in ${ref ?? 'its reference'}: ${what}` }],
      error.hint,
      { cause: error },
    );
  }
}
