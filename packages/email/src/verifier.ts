import { EmailError } from './errors.js';
import { checkOptions, clock } from './options.js';
import { checkOwnSecrets, principalRings, type PrincipalKeys } from './principals.js';
import { pseudonymText } from './pseudonym.js';
import { httpUrl } from './target-url.js';
import { openToken, type EmailTokenKind, type OpenFailure } from './token.js';

/** Options of {@link createEmailVerifier}. */
export interface EmailVerifierOptions extends PrincipalKeys {
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
  const { principals, placed } = principalRings(options, '');
  checkOwnSecrets(placed);
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
