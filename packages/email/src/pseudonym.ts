import { createHmac } from 'node:crypto';
import { toBase64Url } from './base64url.js';

/** Bytes of a recipient pseudonym inside a token (128 bits). */
export const pseudonymBytes = 16;

/** The address as it is pseudonymised: trimmed, Unicode NFC, lowercased. */
export function normalizeAddress(address: string): string {
  return address.trim().normalize('NFC').toLowerCase();
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
