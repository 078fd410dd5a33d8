import { createHmac, timingSafeEqual } from 'node:crypto';
import { fromBase64UrlStrict, toBase64Url } from './base64url.js';
import type { KeyRing } from './keys.js';
import { pseudonymBytes } from './pseudonym.js';

/** What a token stands for: an open (the pixel) or a click (the redirect). */
export type EmailTokenKind = 'open' | 'click';

/** Everything a token carries. Times are whole seconds since the epoch. */
export interface TokenClaims {
  kind: EmailTokenKind;
  kid: string;
  /** The signing Member, or `null` for the platform. */
  memberId: string | null;
  messageId: string;
  /** The recipient's keyed pseudonym (16 bytes), never the address. */
  recipient: Uint8Array;
  campaign: string | null;
  /** The recipient's consent subject (the `subject` of their receipts), never an address. */
  subject: string | null;
  sentAt: number;
  expiresAt: number | null;
  /** The signed target of a click; `null` for an open. */
  url: string | null;
}

/** Longest token accepted before any decoding (a bound on work per request); servers routing `/e/…` must take paths this long. */
export const maxTokenChars = 8192;
/** Longest target URL a click token may carry, in bytes. */
export const maxUrlBytes = 4096;
/** Longest messageId, campaign or member id, in UTF-8 bytes. */
export const maxFieldBytes = 255;

const version = 1;
const macBytes = 16;
const flagClick = 1;
const flagMember = 2;
const flagCampaign = 4;
const flagExpiry = 8;
const flagSubject = 16;
const knownFlags = flagClick | flagMember | flagCampaign | flagExpiry | flagSubject;
const domain = Buffer.from('optin-email/v1\0', 'utf8');
const utf8 = new TextDecoder('utf-8', { fatal: true });

/*
 * Layout (all integers big-endian):
 *   u8 version | u8 flags | u8 len + kid | [u8 len + memberId] | u8 len + messageId
 *   | 16 bytes recipient pseudonym | u32 sentAt | [u8 len + campaign] | [u8 len + subject]
 *   | [u32 expiresAt] | [u16 len + url] | 16 bytes MAC
 * The MAC is HMAC-SHA256(macKey(kid), "optin-email/v1\0" || everything before it), truncated to
 * 128 bits: it binds the version, the kind, the kid, the Member, and the exact URL.
 */

function field(bytes: Buffer, lengthBytes: 1 | 2): Buffer {
  const head = Buffer.alloc(lengthBytes);
  if (lengthBytes === 1) head.writeUInt8(bytes.length);
  else head.writeUInt16BE(bytes.length);
  return Buffer.concat([head, bytes]);
}

function u32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value);
  return out;
}

/** The signed body of a token, without its MAC. Callers have checked every length. */
export function encodeClaims(claims: TokenClaims): Buffer {
  const flags =
    (claims.kind === 'click' ? flagClick : 0) |
    (claims.memberId !== null ? flagMember : 0) |
    (claims.campaign !== null ? flagCampaign : 0) |
    (claims.expiresAt !== null ? flagExpiry : 0) |
    (claims.subject !== null ? flagSubject : 0);
  const parts = [Buffer.from([version, flags]), field(Buffer.from(claims.kid, 'utf8'), 1)];
  if (claims.memberId !== null) parts.push(field(Buffer.from(claims.memberId, 'utf8'), 1));
  parts.push(field(Buffer.from(claims.messageId, 'utf8'), 1), Buffer.from(claims.recipient), u32(claims.sentAt));
  if (claims.campaign !== null) parts.push(field(Buffer.from(claims.campaign, 'utf8'), 1));
  if (claims.subject !== null) parts.push(field(Buffer.from(claims.subject, 'utf8'), 1));
  if (claims.expiresAt !== null) parts.push(u32(claims.expiresAt));
  if (claims.url !== null) parts.push(field(Buffer.from(claims.url, 'utf8'), 2));
  return Buffer.concat(parts);
}

/** Reads a body strictly: `undefined` for an unknown version or flag, a short read, or trailing bytes. */
export function decodeClaims(body: Buffer): TokenClaims | undefined {
  let at = 0;
  const take = (n: number): Buffer | undefined => {
    if (at + n > body.length) return undefined;
    at += n;
    return body.subarray(at - n, at);
  };
  const text = (lengthBytes: 1 | 2): string | undefined => {
    const head = take(lengthBytes);
    if (!head) return undefined;
    const bytes = take(lengthBytes === 1 ? head.readUInt8() : head.readUInt16BE());
    if (!bytes || bytes.length === 0) return undefined;
    try {
      return utf8.decode(bytes);
    } catch {
      return undefined;
    }
  };
  const number = (): number | undefined => take(4)?.readUInt32BE();

  const head = take(2);
  if (head?.[0] !== version) return undefined;
  const flags = head.readUInt8(1);
  if ((flags & ~knownFlags) !== 0) return undefined;
  const kid = text(1);
  const memberId = flags & flagMember ? text(1) : null;
  const messageId = text(1);
  const recipient = take(pseudonymBytes);
  const sentAt = number();
  const campaign = flags & flagCampaign ? text(1) : null;
  const subject = flags & flagSubject ? text(1) : null;
  const expiresAt = flags & flagExpiry ? number() : null;
  const url = flags & flagClick ? text(2) : null;
  if (
    kid === undefined ||
    memberId === undefined ||
    messageId === undefined ||
    recipient === undefined ||
    sentAt === undefined ||
    campaign === undefined ||
    subject === undefined ||
    expiresAt === undefined ||
    url === undefined ||
    at !== body.length
  )
    return undefined;
  const kind = flags & flagClick ? 'click' : 'open';
  return { kind, kid, memberId, messageId, recipient, sentAt, campaign, subject, expiresAt, url };
}

/** The longest a body is up to its last length field (every text field 255 bytes): where its length is told. */
const maxHeadBytes = 2 + 5 * (1 + 255) + pseudonymBytes + 4 + 4 + 2;

/**
 * How long (in bytes) a body that starts with `head` is, told from its flags and length fields
 * alone (see the layout): `undefined` for a head that is no body of ours or ends before its last
 * length field.
 */
function bodyLength(head: Buffer): number | undefined {
  const flags = head[1];
  if (head[0] !== version || flags === undefined || (flags & ~knownFlags) !== 0) return undefined;
  // Each field in order, if present: the bytes of its length (the text after it), or its fixed size.
  const fields: [boolean, 0 | 1 | 2, number][] = [
    [true, 1, 0],
    [(flags & flagMember) !== 0, 1, 0],
    [true, 1, 0],
    [true, 0, pseudonymBytes + 4],
    [(flags & flagCampaign) !== 0, 1, 0],
    [(flags & flagSubject) !== 0, 1, 0],
    [(flags & flagExpiry) !== 0, 0, 4],
    [(flags & flagClick) !== 0, 2, 0],
  ];
  let at = 2;
  for (const [present, lengthBytes, size] of fields) {
    if (!present) continue;
    if (at + lengthBytes > head.length) return undefined;
    const text = lengthBytes === 0 ? 0 : lengthBytes === 1 ? head.readUInt8(at) : head.readUInt16BE(at);
    at += lengthBytes + text + size;
  }
  return at;
}

/**
 * How many characters the token that `text` starts with has (a token's length is told by its
 * first bytes: see `bodyLength`), read from at most its first few thousand characters; `undefined`
 * when `text` starts with no token of ours. A token followed by more token characters
 * (`<token>-see-you-soon`) is so told apart from them, whatever follows it.
 */
export function tokenChars(text: string): number | undefined {
  const head = /^[\w-]*/.exec(text.slice(0, Math.ceil(maxHeadBytes / 3) * 4))?.[0] ?? '';
  const bytes = bodyLength(Buffer.from(head, 'base64url'));
  return bytes === undefined ? undefined : Math.ceil(((bytes + macBytes) * 4) / 3);
}

function mac(key: Buffer, body: Buffer): Buffer {
  return createHmac('sha256', key).update(domain).update(body).digest().subarray(0, macBytes);
}

/** Signs claims with the MAC key of `claims.kid`: the compact, URL-safe token. */
export function sealToken(claims: TokenClaims, macKey: Buffer): string {
  const body = encodeClaims(claims);
  return toBase64Url(Buffer.concat([body, mac(macKey, body)]));
}

interface TokenParts {
  body: Buffer;
  given: Buffer;
  claims: TokenClaims;
}

/** A token split into its body, its MAC and its claims; `undefined` when it is not one of ours at all. */
function tokenParts(token: string): TokenParts | undefined {
  if (token.length === 0 || token.length > maxTokenChars) return undefined;
  const bytes = fromBase64UrlStrict(token);
  if (!bytes || bytes.length <= macBytes) return undefined;
  const body = bytes.subarray(0, bytes.length - macBytes);
  const claims = decodeClaims(body);
  return claims && { body, given: bytes.subarray(bytes.length - macBytes), claims };
}

/**
 * Why a token could not be opened (before any check of kind or expiry): `malformed` (not a token
 * of ours at all), `unknown_member` (names a Member the verifier has no keys for), `unknown_kid`
 * (a kid that Member does not have, e.g. retired), `cross_member` (signed with another Member's
 * key), `bad_signature` (the MAC does not match: edited, truncated, or forged).
 */
export type OpenFailure = 'malformed' | 'unknown_member' | 'unknown_kid' | 'cross_member' | 'bad_signature';

/** The keys a verifier knows: the platform's, and each Member's. */
export interface Principals {
  platform: KeyRing | undefined;
  members: ReadonlyMap<string, KeyRing>;
}

function otherRings(principals: Principals, memberId: string | null): KeyRing[] {
  const rings = [...principals.members].filter(([id]) => id !== memberId).map(([, ring]) => ring);
  if (memberId !== null && principals.platform) rings.push(principals.platform);
  return rings;
}

/**
 * Decodes a token and checks its MAC, in constant time, with the key of the kid it names, looked up
 * among the keys of the Member (or the platform) it names. A token whose MAC only checks out under
 * another principal's key of that kid is `cross_member`: one Member forging another's events.
 */
export function openToken(token: string, principals: Principals): TokenClaims | OpenFailure {
  const parts = tokenParts(token);
  if (!parts) return 'malformed';
  const { body, given, claims } = parts;
  const ring = claims.memberId === null ? principals.platform : principals.members.get(claims.memberId);
  if (!ring) return 'unknown_member';
  const key = ring.get(claims.kid);
  const signedByOther = (): boolean =>
    otherRings(principals, claims.memberId).some((other) => {
      const otherKey = other.get(claims.kid);
      return otherKey !== undefined && timingSafeEqual(mac(otherKey, body), given);
    });
  if (!key) return signedByOther() ? 'cross_member' : 'unknown_kid';
  if (!timingSafeEqual(mac(key, body), given)) return signedByOther() ? 'cross_member' : 'bad_signature';
  return claims;
}
