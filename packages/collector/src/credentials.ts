import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { CollectorConfig } from './collector-config.js';
import { CollectorError } from './errors.js';

/**
 * Who a request is, once its bearer token is checked: the platform (reads everything), a Member
 * (reads its own Member) or the metrics scraper (reads `/metrics` and nothing else).
 */
export type Principal =
  { readonly kind: 'platform' } | { readonly kind: 'member'; readonly memberId: string } | { readonly kind: 'metrics' };

/** Where secrets are read from: by default `process.env`. */
export type SecretEnv = Readonly<Record<string, string | undefined>>;

/**
 * API tokens and Segment write keys, held only as SHA-256 digests and compared in constant time.
 * Built from references (`env:NAME`, `file:/path`): a secret is never part of the config.
 */
export interface Credentials {
  /** The principal a bearer token belongs to, or `undefined`. */
  authenticate(token: string): Principal | undefined;
  /** Whether a Segment write key is one of the configured ones. */
  isWriteKey(key: string): boolean;
  /** Whether any write key is configured. */
  readonly hasWriteKeys: boolean;
  /**
   * The secret event cursors are enciphered with: derived from the digests of the platform's and
   * each Member's token, so a Member, who knows its own token only, cannot read them, and every
   * process with the same tokens makes the same cursors. Rotating one of those tokens ends open
   * cursors; rotating the metrics token does not. Without a platform token and with one Member token
   * at most, no token is unknown to every Member: the secret then also holds `OPTIN_CURSOR_SECRET`
   * (which `serve` with `OPTIN_WORKERS` > 1 makes once for all its workers when unset), else random
   * bytes of this process (cursors end on restart and are refused by other processes).
   */
  readonly cursorSecret: Buffer;
}

/** The environment variable a Member's token is read from by default: `OPTIN_TOKEN_HARVARDX`. */
export function memberTokenEnv(memberId: string): string {
  return `OPTIN_TOKEN_${memberId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** Reads a secret reference; `undefined` when the variable or file is absent or empty. */
export function readSecret(ref: string, env: SecretEnv): string | undefined {
  let value: string | undefined;
  if (ref.startsWith('env:')) value = env[ref.slice(4)];
  else if (ref.startsWith('file:')) {
    try {
      value = readFileSync(ref.slice(5), 'utf8');
    } catch (cause) {
      throw new CollectorError(
        'missing_secret',
        [{ path: ref, message: 'cannot read the file' }],
        'Check the path and its permissions.',
        { cause },
      );
    }
  } else
    throw new CollectorError(
      'missing_secret',
      [{ path: ref, message: 'not a secret reference' }],
      'Use "env:NAME" or "file:/path".',
    );
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/**
 * Whether a token is what one bearer token can hold and every client sends as it is: visible ASCII,
 * no space. A header's bytes are read as Latin-1, while curl and Prometheus send UTF-8, so a token
 * with any other character (or a space, which ends `Bearer <token>`) would never authenticate.
 * Checked without a regular expression, which would keep the secret as its last input.
 */
function isSendableToken(secret: string): boolean {
  for (let i = 0; i < secret.length; i++) {
    const code = secret.charCodeAt(i);
    if (code < 0x21 || code > 0x7e) return false;
  }
  return secret.length > 0;
}

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Compares a digest with every candidate without stopping early; returns the index matched or -1. */
function findDigest(candidate: Buffer, digests: readonly Buffer[]): number {
  let found = -1;
  for (let i = 0; i < digests.length; i++) {
    const d = digests[i];
    if (d && timingSafeEqual(candidate, d) && found === -1) found = i;
  }
  return found;
}

/**
 * Resolves every token of a config: the platform token (`collector.platformTokenRef`, default
 * `env:OPTIN_PLATFORM_TOKEN`), each Member's (`tokenRef`, default `env:OPTIN_TOKEN_<ID>`), the
 * metrics token (`collector.metricsTokenRef`, default `env:OPTIN_METRICS_TOKEN`: reads `/metrics`
 * only) and the Segment write keys (`collector.writeKeysRef`, default `env:OPTIN_WRITE_KEYS`,
 * comma-separated). A Member without a token simply cannot query. A `CollectorError`
 * `invalid_config` at the reference's config path refuses a token shared by two principals and one
 * that is not a single word of visible ASCII (no client could send it as a bearer token).
 */
export function resolveCredentials(config: CollectorConfig, env: SecretEnv = process.env): Credentials {
  const principals: Principal[] = [];
  const digests: Buffer[] = [];
  const add = (principal: Principal, ref: string, where: string): void => {
    const secret = readSecret(ref, env);
    if (secret === undefined) return;
    if (!isSendableToken(secret))
      throw new CollectorError(
        'invalid_config',
        [
          {
            path: where,
            message: `the token in ${ref} holds a space, a control or a non-ASCII character: a bearer token is one word of visible ASCII`,
          },
        ],
        'Make the token of letters, digits and punctuation only, e.g. `openssl rand -hex 32`.',
      );
    const d = digest(secret);
    if (findDigest(d, digests) !== -1)
      throw new CollectorError(
        'invalid_config',
        [{ path: where, message: 'this token is already used by another principal' }],
        'Give every Member, the platform and the metrics scraper its own token.',
      );
    principals.push(principal);
    digests.push(d);
  };
  add(
    { kind: 'platform' },
    config.collector?.platformTokenRef ?? 'env:OPTIN_PLATFORM_TOKEN',
    'collector.platformTokenRef',
  );
  config.members.forEach((m, i) => {
    add({ kind: 'member', memberId: m.id }, m.tokenRef ?? `env:${memberTokenEnv(m.id)}`, `members[${i}].tokenRef`);
  });
  // The cursors' secret comes from the tokens that read events: not from the scraper's. It must hold
  // one a Member does not know (the platform's, or another Member's), else OPTIN_CURSOR_SECRET (the
  // same in every worker of a cluster), else a random one of this process.
  const unknownToMembers = principals.some((p) => p.kind === 'platform') || principals.length > 1;
  const own = env.OPTIN_CURSOR_SECRET ? Buffer.from(env.OPTIN_CURSOR_SECRET) : randomBytes(32);
  const cursorSecret = createHash('sha256')
    .update(Buffer.concat(unknownToMembers ? digests : [...digests, own]))
    .digest();
  add({ kind: 'metrics' }, config.collector?.metricsTokenRef ?? 'env:OPTIN_METRICS_TOKEN', 'collector.metricsTokenRef');
  const keys = (readSecret(config.collector?.writeKeysRef ?? 'env:OPTIN_WRITE_KEYS', env) ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean)
    .map(digest);
  return {
    authenticate(token) {
      const i = findDigest(digest(token), digests);
      return i === -1 ? undefined : principals[i];
    },
    isWriteKey(key) {
      return findDigest(digest(key), keys) !== -1;
    },
    hasWriteKeys: keys.length > 0,
    cursorSecret,
  };
}
