import { EmailError } from './errors.js';
import { keyRing, type EmailKeys, type KeyRing } from './keys.js';
import { maxFieldBytes, type Principals } from './token.js';

/** The keys of one Member, as a verifier (or a signer that trusts them) knows them. */
export interface MemberKeys {
  /** Every key id this Member has signed with and that should still verify (rotation). */
  keys: EmailKeys;
}

/** Keys by principal: the platform's (edX's) and each Member's, as options give them. */
export interface PrincipalKeys {
  /** Each Member's keys, by Member id. A token only verifies with the keys of the Member it names. */
  members?: Readonly<Record<string, MemberKeys>>;
  /** The platform's (edX's) own keys, for tokens signed without a Member. */
  platformKeys?: EmailKeys;
}

/** One principal's key ring and where its keys sit in the caller's options. */
export type PlacedRing = readonly [path: string, ring: KeyRing];

/**
 * The entries of a `members` option: a map of Member id to its keys, `{}` when omitted (or null).
 * A list or any other value has no Member ids (`Object.entries` would read a list as Members "0",
 * "1", ... and a number as none), so it is an error at `path`.
 */
function memberEntries(members: unknown, path: string): [string, unknown][] {
  if (members === undefined || members === null) return [];
  if (typeof members !== 'object' || Array.isArray(members))
    throw new EmailError(
      'invalid_option',
      path,
      Array.isArray(members) ? 'is a list, not a map of Member id to keys' : 'must be a map of Member id to keys',
      "Pass `{ HarvardX: { keys: { 'hx-2026': secret } } }`: each Member's id, from optin.config.ts, to its keys.",
    );
  return Object.entries(members);
}

/**
 * Validates `given` and derives each principal's MAC keys. `prefix` is where `given` sits in the
 * caller's options (`''` for the verifier's, `'trustedKeys.'` for a signer's), for errors.
 */
export function principalRings(given: PrincipalKeys, prefix: string): { principals: Principals; placed: PlacedRing[] } {
  const platform = given.platformKeys === undefined ? undefined : keyRing(given.platformKeys, `${prefix}platformKeys`);
  const members = new Map<string, KeyRing>();
  const placed: PlacedRing[] = platform ? [[`${prefix}platformKeys`, platform]] : [];
  for (const [memberId, member] of memberEntries(given.members, `${prefix}members`)) {
    if (memberId.length === 0 || Buffer.byteLength(memberId) > maxFieldBytes)
      throw new EmailError(
        'invalid_option',
        `${prefix}members`,
        `a Member id must be 1-${maxFieldBytes} bytes`,
        'Use the id from optin.config.ts.',
      );
    const keys: unknown = (member as MemberKeys | undefined)?.keys; // a missing entry is a missing key
    const path = `${prefix}members.${memberId}.keys`;
    const ring = keyRing(keys, path);
    members.set(memberId, ring);
    placed.push([path, ring]);
  }
  return { principals: { platform, members }, placed };
}

/**
 * Refuses a secret held by two principals (the platform and a Member, or two Members): whoever holds
 * it could sign tokens naming the other, and they would verify. One principal may hold one secret
 * under two kids. The error names where the second copy is, never the secret.
 */
export function checkOwnSecrets(placed: readonly PlacedRing[]): void {
  const holders = new Map<string, string>();
  for (const [path, ring] of placed)
    for (const [kid, key] of ring) {
      const derived = key.toString('base64');
      const holder = holders.get(derived);
      if (holder !== undefined && holder !== path)
        throw new EmailError(
          'invalid_key',
          `${path}.${kid}`,
          `is the same secret as one of ${holder}`,
          'Give the platform and every Member secrets of their own: whoever holds a secret can sign as each of its holders.',
        );
      holders.set(derived, path);
    }
}
