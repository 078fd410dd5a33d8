import { createHmac, timingSafeEqual } from 'node:crypto';
import { fromBase64UrlStrict, toBase64Url } from './base64url.js';
import { EmailError } from './errors.js';
import { keyRing, type EmailKeys } from './keys.js';
import { checkOptions, clock } from './options.js';

const version = 1;
const macBytes = 16;
const domain = Buffer.from('optin-subject/v1\0', 'utf8');
/** The longest subject a consent receipt takes (`receiptSchema` of `@optin/consent`). */
const maxSubjectChars = 200;

/** The longest proof {@link sealSubject} makes (a 64-character kid): longer text is no proof. */
export const maxSubjectProofChars = 115;

/** Options of {@link sealSubject}. */
export interface SealSubjectOptions {
  /** The platform's subject keys by key id (each secret at least 32 bytes). */
  keys: EmailKeys;
  /** The kid that signs; every kid the collector holds verifies (rotation). */
  activeKid: string;
  /** After this moment (second precision) the proof no longer proves anything. Default: never. */
  expiresAt?: Date | number;
}

/** Options of {@link createSubjectVerifier}. */
export interface SubjectVerifierOptions {
  /** Every subject key that should still verify, by key id (keep a retired kid while its proofs are in pages). */
  keys: EmailKeys;
  /** Clock in epoch milliseconds, for expiry. Defaults to `Date.now`. */
  now?: () => number;
}

/** Why a proof does not prove its subject. */
export type SubjectProofFailureReason =
  /** No proof was given. */
  | 'missing'
  /** Not a proof: wrong encoding, version or length. */
  | 'malformed'
  /** Signed with a kid the verifier does not hold (never held, or dropped after a rotation). */
  | 'unknown_kid'
  /** Not made for this subject with that key: a forgery, or a proof of another subject. */
  | 'bad_signature'
  /** Past its `expiresAt`. */
  | 'expired';

/** The outcome of {@link SubjectVerifier.verify}. */
export type SubjectProofVerification =
  | { ok: true; /** The key id that signed it. */ kid: string }
  | { ok: false; /** Stable reason, for metrics and logs. */ reason: SubjectProofFailureReason };

/** Checks subject proofs (what the collector does with the proof posted beside a consent receipt). */
export interface SubjectVerifier {
  /** Whether `proof` was made by {@link sealSubject} for exactly `subject` with one of the keys. Never throws. */
  verify(subject: string, proof: unknown): SubjectProofVerification;
}

function mac(key: Buffer, header: Buffer, subject: string): Buffer {
  return createHmac('sha256', key).update(domain).update(header).update(subject, 'utf8').digest().subarray(0, macBytes);
}

function expirySeconds(value: unknown): number {
  const ms = value instanceof Date ? value.getTime() : value;
  const s = typeof ms === 'number' ? Math.floor(ms / 1000) : NaN;
  if (!(s >= 1 && s <= 0xffffffff))
    throw new EmailError(
      'invalid_option',
      'expiresAt',
      'must be a valid Date or epoch milliseconds (1970-2106)',
      'Pass a Date, or omit it for a proof that does not expire.',
    );
  return s;
}

/**
 * Proves whose consent a receipt is: the proof of `subject` (HMAC-SHA256 under a key derived from
 * the platform's secret for this use only, truncated to 128 bits, with its kid and optional expiry;
 * about 40 base64url characters). The platform's server, which knows who is signed in, makes it
 * and hands it to the page with the subject; the page passes both to `sendReceipts` of
 * `@optin/consent`, and the collector verifies it. Anyone who holds a proof can post receipts for
 * its subject: give it only to that learner's pages, and prefer an `expiresAt`.
 * Throws {@link EmailError} for a subject that is no receipt subject (1-200 characters) and for bad
 * keys, `activeKid` or `expiresAt`.
 *
 * @example
 * const proof = sealSubject(user.id, { keys: { 'edx-2026': env.OPTIN_SUBJECT_KEY }, activeKid: 'edx-2026' });
 */
export function sealSubject(subject: string, options: SealSubjectOptions): string {
  checkOptions(options, '`{ keys, activeKid }`');
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > maxSubjectChars)
    throw new EmailError(
      'invalid_argument',
      'subject',
      `must be a string of 1-${maxSubjectChars} characters`,
      "Pass the subject of the learner's consent receipts (their user id).",
    );
  const key = keyRing(options.keys, 'keys', 'subject-proof').get(options.activeKid);
  if (!key) throw new EmailError('invalid_option', 'activeKid', 'is not one of `keys`', 'Add its secret to `keys`.');
  const kid = Buffer.from(options.activeKid, 'utf8');
  const expires = Buffer.alloc(4);
  if (options.expiresAt !== undefined) expires.writeUInt32BE(expirySeconds(options.expiresAt));
  const header = Buffer.concat([Buffer.from([version, kid.length]), kid, expires]);
  return toBase64Url(Buffer.concat([header, mac(key, header, subject)]));
}

/**
 * The verifier of subject proofs, holding every kid that should still verify. Throws
 * {@link EmailError} (`invalid_key`) for a malformed kid or a short secret.
 */
export function createSubjectVerifier(options: SubjectVerifierOptions): SubjectVerifier {
  checkOptions(options, '`{ keys }`');
  const ring = keyRing(options.keys, 'keys', 'subject-proof');
  const now = clock(options.now);
  return {
    verify(subject, proof) {
      if (proof === undefined || proof === null || proof === '') return { ok: false, reason: 'missing' };
      const bytes =
        typeof proof === 'string' && proof.length <= maxSubjectProofChars ? fromBase64UrlStrict(proof) : undefined;
      const kidLength = bytes?.[1] ?? 0;
      const headerLength = 2 + kidLength + 4;
      if (!bytes || bytes[0] !== version || kidLength === 0 || bytes.length !== headerLength + macBytes)
        return { ok: false, reason: 'malformed' };
      const header = bytes.subarray(0, headerLength);
      const kid = header.subarray(2, 2 + kidLength).toString('utf8');
      const key = ring.get(kid);
      if (!key) return { ok: false, reason: 'unknown_kid' };
      if (typeof subject !== 'string' || !timingSafeEqual(mac(key, header, subject), bytes.subarray(headerLength)))
        return { ok: false, reason: 'bad_signature' };
      const expiresAt = header.readUInt32BE(2 + kidLength);
      if (expiresAt !== 0 && now() >= expiresAt * 1000) return { ok: false, reason: 'expired' };
      return { ok: true, kid };
    },
  };
}
