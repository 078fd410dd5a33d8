/**
 * Decoded text of at least 4 characters (`Ab+C`, as short as a course id is) between what is no
 * text: bytes that are no UTF-8 (U+FFFD) and control characters (a key holds none). A key is text, in
 * binary data too (a protocol buffer's string); garbage (what a run that encodes no text, or a
 * prefix misread, decodes to) is read no further.
 */
const textStretch = /[^\ufffd\p{Cc}]{4,}/gu;

/**
 * The text decoded bytes (base64's, hex's) may hold, each decoding as its stretches of text ({@link
 * textStretch}, one a line; none without any): as UTF-8, and as UTF-16 where an eighth of its
 * bytes are `0` at even or at odd places (as Latin text's are in UTF-16: .NET's `Encoding.Unicode`,
 * Java's `UTF_16BE`), little- and big-endian from that byte on (a prefix glued before the encoding
 * may shift its text by a byte). Most bytes hold few zeros, and cost one decoding.
 *
 * @example textsOfBytes(Buffer.from('MITx+6.002x', 'utf16le')) // ['MITx+6.002x', …]
 */
export function textsOfBytes(bytes: Buffer): string[] {
  const texts = [bytes.toString('utf8')];
  let even = 0;
  let odd = 0;
  for (let i = 0; i < bytes.length; i += 2) {
    if (bytes[i] === 0) even++;
    if (bytes[i + 1] === 0) odd++;
  }
  for (const [parity, zeros] of [
    [0, even],
    [1, odd],
  ] as const)
    if (zeros * 8 >= bytes.length) {
      // Zeros at even places: big-endian from there on, little-endian from the next byte; at odd ones, the reverse.
      const big = bytes.subarray(parity);
      const little = bytes.subarray(1 - parity);
      texts.push(
        little.toString('utf16le'),
        Buffer.from(big.subarray(0, big.length & ~1))
          .swap16()
          .toString('utf16le'),
      );
    }
  return texts.flatMap((text) => text.match(textStretch)?.join('\n') ?? []);
}
