import { createHmac } from 'node:crypto';
import { domainToUnicode } from 'node:url';
import { toBase64Url } from './base64url.js';

/** Bytes of a recipient pseudonym inside a token (128 bits). */
export const pseudonymBytes = 16;

/** A domain IDNA may rewrite: one with a non-ASCII character or a punycode (`xn--`) label. */
const internationalDomain = /\P{ASCII}|(?:^|\.)xn--/u;

/**
 * The address as it is pseudonymised and searched for: trimmed, Unicode NFKC (full-width and other
 * compatibility characters as their plain forms), lowercased, and an international domain in
 * Unicode as IDNA maps it, so `ada@xn--bcher-kva.example`, `ada@BÜCHER.example` and
 * `ａｄａ@bücher.example` are all `ada@bücher.example`. A domain in plain ASCII is kept as typed (only
 * lowercased): the pseudonyms of ASCII addresses never depend on how a URL parser reads a host.
 */
export function normalizeAddress(address: string): string {
  const plain = address.trim().normalize('NFKC').toLowerCase();
  const at = plain.lastIndexOf('@') + 1;
  const domain = plain.slice(at);
  if (at === 0 || !internationalDomain.test(domain)) return plain;
  return plain.slice(0, at) + (domainToUnicode(domain) || domain);
}

/**
 * The keyed pseudonym of a recipient: the first 16 bytes of HMAC-SHA256 of the normalised address
 * under a key derived for this use only. Without the key it cannot be reversed or recomputed from a
 * list of addresses (an unkeyed hash could).
 */
export function pseudonymOf(address: string, key: Buffer): Buffer {
  return createHmac('sha256', key).update(normalizeAddress(address), 'utf8').digest().subarray(0, pseudonymBytes);
}

/** The pseudonym as the verifier reports it: 22 base64url characters. */
export function pseudonymText(bytes: Uint8Array): string {
  return toBase64Url(bytes);
}
