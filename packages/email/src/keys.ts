import { hkdfSync } from 'node:crypto';
import { EmailError } from './errors.js';

/** Secrets by key id (`kid`): `{ 'hx-2026': process.env.HX_EMAIL_KEY }`. Each at least 32 bytes. */
export type EmailKeys = Readonly<Record<string, string>>;

/** The keys one signer (the platform or one Member) holds, derived once from its secrets. */
export type KeyRing = ReadonlyMap<string, Buffer>;

const kidPattern = /^[A-Za-z0-9._:-]{1,64}$/;
const minSecretBytes = 32;
const salt = 'optin-email/v1';

/** What a derived key is for: email token MACs, recipient pseudonyms, or consent-subject proofs. */
export type KeyUse = 'mac' | 'recipient-pseudonym' | 'subject-proof';

/** Derives a 32-byte sub-key of `secret` for one use with HKDF-SHA256: a key never serves two uses. */
export function deriveKey(secret: string, use: KeyUse): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, salt, use, 32));
}

/** Checks one secret; `path` names it in the error, `which` (if given) in the message. */
export function checkSecret(secret: unknown, path: string, which = ''): string {
  if (typeof secret !== 'string' || Buffer.byteLength(secret) < minSecretBytes)
    throw new EmailError(
      'invalid_key',
      path,
      `${which}must be a string of at least ${minSecretBytes} bytes`,
      'Generate one with `openssl rand -base64 32` and keep it out of source control.',
    );
  return secret;
}

/**
 * Validates `keys` (every kid well-formed, every secret long enough, at least one) and derives each
 * kid's key for `use` (default: token MACs). `path` is where these keys sit in the caller's
 * options, for the error.
 */
export function keyRing(keys: unknown, path: string, use: KeyUse = 'mac'): Map<string, Buffer> {
  if (Array.isArray(keys))
    throw new EmailError(
      'invalid_key',
      path,
      'is a list, not a map of key id to secret',
      "Pass `{ [kid]: secret }`, e.g. `{ 'hx-2026': secret }`: the kid is what a token names.",
    );
  if (typeof keys !== 'object' || keys === null || Object.keys(keys).length === 0)
    throw new EmailError('invalid_key', path, 'needs at least one key', 'Pass `{ [kid]: secret }`.');
  const ring = new Map<string, Buffer>();
  for (const [index, [kid, secret]] of Object.entries(keys).entries()) {
    // A key map written the wrong way round (`{ [secret]: kid }`) has a secret for a kid: a kid that
    // is malformed, as long as a secret, or of 16 bytes or more mapped to a value shaped as a key
    // id, is named by its position, never repeated.
    const at = `${path}[${index}]`;
    if (!kidPattern.test(kid))
      throw new EmailError(
        'invalid_key',
        at,
        'is not a valid key id (1-64 letters, digits, ".", "_", ":" or "-"); not shown, as it may be a secret',
        "Map each key id to its secret, `{ 'hx-2026': secret }`, not the other way round; or rename the key id.",
      );
    const bytes = Buffer.byteLength(kid);
    const reversed = typeof secret === 'string' && kidPattern.test(secret);
    const named = bytes < 16 || (bytes < minSecretBytes && !reversed);
    ring.set(
      kid,
      deriveKey(
        named
          ? checkSecret(secret, `${path}.${kid}`)
          : checkSecret(
              secret,
              at,
              `the ${ordinal(index + 1)} key (its id is not shown: ${reversed ? 'both the id and the value look like key ids' : 'it is as long as a secret'} — is the map the wrong way round?) `,
            ),
        use,
      ),
    );
  }
  return ring;
}

/** `1st`, `2nd`, `3rd`, `4th`, ..., `11th`, `21st`. */
function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}
