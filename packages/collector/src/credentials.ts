import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { CollectorConfig } from './collector-config.js';
import { CollectorError } from './errors.js';

/** Who a request is, once its bearer token is checked. */
export type Principal = { readonly kind: 'platform' } | { readonly kind: 'member'; readonly memberId: string };

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
   * The secret event cursors are enciphered with: derived from the digests of every API token (the
   * platform's and each Member's), so a Member, who knows its own token only, cannot read them, and
   * every process with the same tokens makes the same cursors. Rotating a token ends open cursors.
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
 * `env:OPTIN_PLATFORM_TOKEN`), each Member's (`tokenRef`, default `env:OPTIN_TOKEN_<ID>`) and the
 * Segment write keys (`collector.writeKeysRef`, default `env:OPTIN_WRITE_KEYS`, comma-separated).
 * A Member without a token simply cannot query; a token shared by two principals is refused.
 */
export function resolveCredentials(config: CollectorConfig, env: SecretEnv = process.env): Credentials {
  const principals: Principal[] = [];
  const digests: Buffer[] = [];
  const add = (principal: Principal, secret: string | undefined, where: string): void => {
    if (secret === undefined) return;
    const d = digest(secret);
    if (findDigest(d, digests) !== -1)
      throw new CollectorError(
        'invalid_config',
        [{ path: where, message: 'this token is already used by another principal' }],
        'Give every Member and the platform its own token.',
      );
    principals.push(principal);
    digests.push(d);
  };
  add(
    { kind: 'platform' },
    readSecret(config.collector?.platformTokenRef ?? 'env:OPTIN_PLATFORM_TOKEN', env),
    'collector.platformTokenRef',
  );
  config.members.forEach((m, i) => {
    add(
      { kind: 'member', memberId: m.id },
      readSecret(m.tokenRef ?? `env:${memberTokenEnv(m.id)}`, env),
      `members[${i}].tokenRef`,
    );
  });
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
    cursorSecret: createHash('sha256').update(Buffer.concat(digests)).digest(),
  };
}
