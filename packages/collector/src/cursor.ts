import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';

/** Turns positions in the events table into opaque cursors and back. */
export interface CursorCodec {
  /** The cursor of a position. */
  encode(seq: number): string;
  /** The position of a cursor; `undefined` when it is not one this codec made. */
  decode(cursor: string): number | undefined;
}

const zeros = Buffer.alloc(8);

/**
 * Cursors that tell nothing. A position (`seq`) counts every event of the platform: readable, a
 * Member's cursors would tell it how many events every other Member and the platform received
 * between its pages. The position is enciphered with AES-256 under a key derived from `secret`, as
 * one block of 8 bytes of position and 8 zero bytes, which a cursor must decipher to (a forged or
 * damaged one is refused). The same secret gives the same cursors in every process and after a
 * restart.
 */
export function createCursorCodec(secret: Buffer): CursorCodec {
  const key = createHash('sha256').update('optin-cursor\0').update(secret).digest();
  return {
    encode(seq) {
      const block = Buffer.alloc(16);
      block.writeBigUInt64BE(BigInt(seq));
      const cipher = createCipheriv('aes-256-ecb', key, null).setAutoPadding(false);
      return Buffer.concat([cipher.update(block), cipher.final()]).toString('base64url');
    },
    decode(cursor) {
      const bytes = Buffer.from(cursor, 'base64url');
      if (bytes.length !== 16 || bytes.toString('base64url') !== cursor) return undefined;
      const decipher = createDecipheriv('aes-256-ecb', key, null).setAutoPadding(false);
      const block = Buffer.concat([decipher.update(bytes), decipher.final()]);
      const seq = block.readBigUInt64BE();
      return block.subarray(8).equals(zeros) && seq <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(seq) : undefined;
    },
  };
}
