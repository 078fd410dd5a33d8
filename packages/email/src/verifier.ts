import { EmailError } from './errors.js';
import { checkOptions, clock } from './options.js';
import { keyRing, type EmailKeys, type KeyRing } from './keys.js';
import { pseudonymText } from './pseudonym.js';
import { httpUrl } from './target-url.js';
import { maxFieldBytes, openToken, type EmailTokenKind, type OpenFailure, type Principals } from './token.js';

/** The keys of one Member, as the verifier knows them. */
export interface MemberKeys {
  /** Every key id this Member has signed with and that should still verify (rotation). */
  keys: EmailKeys;
}

/** Options of {@link createEmailVerifier}. */
export interface EmailVerifierOptions {
  /** Each Member's keys, by Member id. A token only verifies with the keys of the Member it names. */
  members?: Readonly<Record<string, MemberKeys>>;
  /** The platform's (edX's) own keys, for tokens signed without a Member. */
  platformKeys?: EmailKeys;
  /** Clock in epoch milliseconds, for expiry. Defaults to `Date.now`. */
  now?: () => number;
}

/** Why a token did not verify. Every one of them means: no redirect, nothing recorded. */
export type VerificationFailureReason =
  | OpenFailure
  /** The token is valid but older than its `expiresAt`. */
  | 'expired'
  /** An open token at the click endpoint, or the reverse. */
  | 'wrong_kind';

/** A token that did not verify. */
export interface VerificationFailure {
  ok: false;
  /** Stable reason, for metrics and logs (never shown to the visitor). */
  reason: VerificationFailureReason;
}

/** What every verified token tells, whatever its kind. */
export interface VerifiedToken {
  ok: true;
  /** The key id that signed it. */
  kid: string;
  /** The Member that signed it, or `null` for the platform: attribute the event to it. */
  memberId: string | null;
  /** The message it was sent in. */
  messageId: string;
  /** The recipient's keyed pseudonym (22 base64url characters), never the address. */
  recipient: string;
  /** The campaign, when the signer named one. */
  campaign: string | null;
  /** The recipient's consent subject, when the signer gave one: look up their latest receipt with it. */
  subject: string | null;
  /** When the message was signed (second precision). */
  sentAt: Date;
  /** When the token stops verifying, if it ever does. */
  expiresAt: Date | null;
}

/** A verified open-pixel token. */
export interface VerifiedOpen extends VerifiedToken {
  kind: 'open';
}

/** A verified click token: `url` is the exact signed target, the only place to redirect to. */
export interface VerifiedClick extends VerifiedToken {
  kind: 'click';
  /** An absolute http(s) URL, exactly as signed. */
  url: string;
}

/** The result of {@link EmailVerifier.verify}. */
export type Verification = VerifiedOpen | VerifiedClick | VerificationFailure;

/** Verifies tokens made by {@link createEmailSigner} for any known Member or the platform. */
export interface EmailVerifier {
  /** Verifies a click token (`GET /e/c/:token`): a verified result carries the URL to redirect to. */
  verify(token: string, kind: 'click'): VerifiedClick | VerificationFailure;
  /** Verifies an open token (`GET /e/o/:token`). */
  verify(token: string, kind: 'open'): VerifiedOpen | VerificationFailure;
  /** Verifies a token of either kind. */
  verify(token: string, kind?: EmailTokenKind): Verification;
}

function memberRings(members: EmailVerifierOptions['members']): Map<string, KeyRing> {
  const rings = new Map<string, KeyRing>();
  for (const [memberId, member] of Object.entries(members ?? {})) {
    if (memberId.length === 0 || Buffer.byteLength(memberId) > maxFieldBytes)
      throw new EmailError(
        'invalid_option',
        'members',
        `a Member id must be 1-${maxFieldBytes} bytes`,
        'Use the id from optin.config.ts.',
      );
    const keys: unknown = (member as MemberKeys | undefined)?.keys; // a missing entry is a missing key
    rings.set(memberId, keyRing(keys, `members.${memberId}.keys`));
  }
  return rings;
}

/**
 * Refuses a secret held by two principals (the platform and a Member, or two Members): whoever holds
 * it could sign tokens naming the other, and they would verify. One principal may hold one secret
 * under two kids. The error names where the second copy is, never the secret.
 */
function checkOwnSecrets(principals: Principals): void {
  const holders = new Map<string, string>();
  const rings: [string, KeyRing | undefined][] = [
    ['platformKeys', principals.platform],
    ...[...principals.members].map(([id, ring]): [string, KeyRing] => [`members.${id}.keys`, ring]),
  ];
  for (const [path, ring] of rings)
    for (const [kid, key] of ring ?? []) {
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

/**
 * Creates the verifier the collector calls for `GET /e/o/:token` and `GET /e/c/:token`. It never
 * throws on a token: anything but a well-formed token whose MAC checks out (in constant time)
 * under a current key of the Member it names, of the expected kind and not expired, is a
 * {@link VerificationFailure}. Throws an {@link EmailError} at construction for bad keys, and for
 * one secret held by two principals (`invalid_key`).
 *
 * @example
 * const verifier = createEmailVerifier({
 *   platformKeys: { 'edx-2026': process.env.EDX_EMAIL_KEY! },
 *   members: { HarvardX: { keys: { 'hx-2025': oldKey, 'hx-2026': newKey } } },
 * });
 * const result = verifier.verify(token, 'click');
 * if (result.ok) redirect(result.url); else badRequest();
 */
export function createEmailVerifier(options: EmailVerifierOptions): EmailVerifier {
  checkOptions(options, '`{ platformKeys, members }`');
  const principals: Principals = {
    platform: options.platformKeys === undefined ? undefined : keyRing(options.platformKeys, 'platformKeys'),
    members: memberRings(options.members),
  };
  checkOwnSecrets(principals);
  if (!principals.platform && principals.members.size === 0)
    throw new EmailError('invalid_option', 'members', 'no keys at all', 'Pass `platformKeys`, `members`, or both.');
  const now = clock(options.now);

  function verify(token: string, kind?: EmailTokenKind): Verification {
    const claims = typeof token === 'string' ? openToken(token, principals) : 'malformed';
    if (typeof claims === 'string') return { ok: false, reason: claims };
    if (kind !== undefined && claims.kind !== kind) return { ok: false, reason: 'wrong_kind' };
    if (claims.expiresAt !== null && now() >= claims.expiresAt * 1000) return { ok: false, reason: 'expired' };
    const base: VerifiedToken = {
      ok: true,
      kid: claims.kid,
      memberId: claims.memberId,
      messageId: claims.messageId,
      recipient: pseudonymText(claims.recipient),
      campaign: claims.campaign,
      subject: claims.subject,
      sentAt: new Date(claims.sentAt * 1000),
      expiresAt: claims.expiresAt === null ? null : new Date(claims.expiresAt * 1000),
    };
    if (claims.url === null) return { ...base, kind: 'open' };
    // Defence in depth: the signer only signs canonical http(s) URLs; never redirect to anything else.
    if (httpUrl(claims.url) !== claims.url) return { ok: false, reason: 'malformed' };
    return { ...base, kind: 'click', url: claims.url };
  }

  return { verify: verify as EmailVerifier['verify'] };
}
