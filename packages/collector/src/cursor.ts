import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';

/** Turns positions in the events table into opaque cursors and back, each bound to one scope. */
export interface CursorCodec {
  /** The cursor of a position in the pages of `scope` (a Member's id, or `null` for the platform's). */
  encode(seq: number, scope: string | null): string;
  /**
   * The position of a cursor; `undefined` when it is not one this codec made for the pages of
   * `scope` (forged, damaged, or taken from another Member's or the platform's pages).
   */
  decode(cursor: string, scope: string | null): number | undefined;
}

/** The 8 bytes that tie a cursor to the pages it was made for: a Member's, or the platform's. */
function scopeTag(scope: string | null): Buffer {
  return createHash('sha256')
    .update(scope === null ? 'platform' : `member\0${scope}`)
    .digest()
    .subarray(0, 8);
}

/**
 * Cursors that tell nothing. A position (`seq`) counts every event of the platform: readable, a
 * Member's cursors would tell it how many events every other Member and the platform received
 * between its pages. The position is enciphered with AES-256 under a key derived from `secret`, as
 * one block of 8 bytes of position and 8 bytes naming the scope whose pages it continues (a
 * Member's id as the config writes it, or the platform), which a cursor must decipher to: a forged
 * or damaged one is refused, and so is one taken from another Member's pages or the platform's
 * (where it would place that scope's events among this Member's). The same secret gives the same
 * cursors in every process and after a restart.
 */
export function createCursorCodec(secret: Buffer): CursorCodec {
  const key = createHash('sha256').update('optin-cursor\0').update(secret).digest();
  return {
    encode(seq, scope) {
      const block = Buffer.alloc(16);
      block.writeBigUInt64BE(BigInt(seq));
      scopeTag(scope).copy(block, 8);
      const cipher = createCipheriv('aes-256-ecb', key, null).setAutoPadding(false);
      return Buffer.concat([cipher.update(block), cipher.final()]).toString('base64url');
    },
    decode(cursor, scope) {
      const bytes = Buffer.from(cursor, 'base64url');
      if (bytes.length !== 16 || bytes.toString('base64url') !== cursor) return undefined;
      const decipher = createDecipheriv('aes-256-ecb', key, null).setAutoPadding(false);
      const block = Buffer.concat([decipher.update(bytes), decipher.final()]);
      const seq = block.readBigUInt64BE();
      return block.subarray(8).equals(scopeTag(scope)) && seq <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(seq)
        : undefined;
    },
  };
}
