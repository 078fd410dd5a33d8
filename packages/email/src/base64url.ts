const alphabet = /^[A-Za-z0-9_-]*$/;

/** Encodes bytes as unpadded base64url (RFC 4648 §5). */
export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/**
 * Decodes unpadded base64url strictly: `undefined` for any character outside the alphabet, and for
 * any string that is not the one canonical encoding of its bytes (non-zero padding bits, a length
 * of 1 mod 4). Node's own decoder silently skips unknown characters, which would let an edited
 * token decode to the same bytes.
 */
export function fromBase64UrlStrict(text: string): Buffer | undefined {
  if (!alphabet.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}
