import { textsOfBytes } from './course-key-bytes.js';

/**
 * A run of at least 16 characters of base64 and base64url's alphabets (`+/-_`, mixed: a prefix
 * glued with `-`, `sid-`, before standard base64) and `=` padding (a suffix may follow it), over
 * lines too (wrapped every 76), that no other such character touches.
 */
const candidate = /(?<![\w+/=-])[A-Za-z\d+/_=-]{16,}(?:\r?\n[A-Za-z\d+/_=-]+)*/g;
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * The bytes of base64 or base64url digits (both alphabets at once), as Node's `Buffer.from(digits,
 * 'base64')` decodes them: 6 bits a digit, what is left under a byte at the end dropped.
 */
function bytesOf(digits: string): Uint8Array {
  const bytes: number[] = [];
  let bits = 0;
  let held = 0;
  for (const digit of digits) {
    const value = alphabet.indexOf(digit === '-' ? '+' : digit === '_' ? '/' : digit);
    if (value < 0) continue;
    held = ((held << 6) | value) & 0xffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((held >> bits) & 0xff);
    }
  }
  return Uint8Array.from(bytes);
}

/**
 * What the base64 or base64url runs of `text` decode to (an OAuth `state`, a JWT's payload,
 * `eyJjb3Vyc2UiOi…`), as a course key may hide in text sent to a Member: each distinct run of at
 * least 16 characters (see {@link candidate}; each part between its `=`; with `/`, each segment of
 * it too, a path's `/cb/` glued before a value), decoded from each of its first four characters:
 * base64 glued after a prefix (`x-`, `state_`, `v2`) decodes from where it starts, the prefix's few
 * bytes before it garbled, and a suffix (`_v2`) garbles only the end. Each decoding is given as
 * {@link textsOfBytes} gives it (UTF-8, and UTF-16 where its bytes are so): a run that encodes no
 * text (a word, an id, a hash) is read all the same, what it holds never told by how it looks, but
 * its garbage is not. Linear in `text`; gives at most 6 times its length per reading.
 *
 * @example base64Texts('state=eyJjb3Vyc2UiOiJjb3Vyc2UtdjE6T3RoZXJYK0NTNTArMjAyNCJ9')[0]
 * // '{"course":"course-v1:OtherX+CS50+2024"}'
 */
export function base64Texts(text: string): string[] {
  const runs = new Set<string>();
  for (const [found] of text.matchAll(candidate)) {
    for (const run of found.replace(/\r?\n/g, '').split(/=+/)) {
      runs.add(run);
      if (run.includes('/')) for (const segment of run.split('/')) runs.add(segment);
    }
  }
  return [...runs]
    .filter((digits) => digits.length >= 16)
    .flatMap((digits) => [0, 1, 2, 3].flatMap((at) => textsOfBytes(bytesOf(digits.slice(at)))));
}
