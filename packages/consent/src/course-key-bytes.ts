/**
 * Decoded text of at least 4 characters (`Ab+C`, as short as a course id is) between what is no
 * text: bytes that are no UTF-8 (U+FFFD) and control characters (a key holds none). A key is text, in
 * binary data too (a protocol buffer's string); garbage (what a run that encodes no text, or a
 * prefix misread, decodes to) is read no further.
 */
const textStretch = /[^\ufffd\p{Cc}]{4,}/gu;

/** `bytes` read as UTF-16 code units, two bytes each (a last odd byte left out), little- or big-endian. */
function utf16(bytes: Uint8Array, bigEndian: boolean): string {
  let text = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    const [a = 0, b = 0] = [bytes[i], bytes[i + 1]];
    text += String.fromCharCode(bigEndian ? (a << 8) | b : (b << 8) | a);
  }
  return text;
}

/**
 * The text decoded bytes (base64's, hex's) may hold, each decoding as its stretches of text ({@link
 * textStretch}, one a line; none without any): as UTF-8, and as UTF-16 where an eighth of its
 * bytes are `0` at even or at odd places (as Latin text's are in UTF-16: .NET's `Encoding.Unicode`,
 * Java's `UTF_16BE`), little- and big-endian from that byte on (a prefix glued before the encoding
 * may shift its text by a byte). Most bytes hold few zeros, and cost one decoding. In the browser
 * and on the server alike (no `Buffer`).
 *
 * @example textsOfBytes(new TextEncoder().encode('MITx+6.002x')) // ['MITx+6.002x']
 */
export function textsOfBytes(bytes: Uint8Array): string[] {
  const texts = [new TextDecoder().decode(bytes)];
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
    // Zeros at even places: big-endian from there on, little-endian from the next byte; at odd ones, the reverse.
    if (zeros * 8 >= bytes.length)
      texts.push(utf16(bytes.subarray(1 - parity), false), utf16(bytes.subarray(parity), true));
  return texts.flatMap((text) => text.match(textStretch)?.join('\n') ?? []);
}
