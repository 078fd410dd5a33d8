import { decodePercent } from './course-key-path.js';

/** An HTML character reference that may hide a key's `:`, `/` or `+` (`&#58;`, `&#x2F;`, `&sol;`, `&plus;`). */
const entity = /&(?:#(\d{1,7})|#x([\dA-Fa-f]{1,6})|(colon|sol|plus|amp|percnt|quot|apos|lt|gt));/gi;
const named: Readonly<Record<string, string>> = {
  colon: ':',
  sol: '/',
  plus: '+',
  amp: '&',
  percnt: '%',
  quot: '"',
  apos: "'",
  lt: '<',
  gt: '>',
};
/** A code escape: JavaScript's `\u003a`, `\u{3a}`, `\x3a` (Python's, C's too), `escape()`'s `%u003A`. */
const codeEscape = /\\u([\dA-Fa-f]{4})|\\u\{([\dA-Fa-f]{1,6})\}|\\x([\dA-Fa-f]{2})|%u([\dA-Fa-f]{4})/gi;

/**
 * `s` with one level of its encodings decoded, as a course key may hide in text sent to a Member:
 * percent escapes ({@link decodePercent}), code escapes (`\u003a`, `\u{3a}`, `\x3a`, `%u003A`) and
 * HTML character references (`&#58;`, `&#x2F;`, `&colon;`, `&sol;`, `&plus;`, …). Decode again while
 * it changes to read text encoded more than once (bound the rounds: each may only shorten it).
 *
 * @example decodeTextOnce('course-v1&#58;MITx%2B6.00x+2026') // 'course-v1:MITx+6.00x+2026'
 */
export function decodeTextOnce(s: string): string {
  let text = decodePercent(s);
  if (/\\[ux]|%u/i.test(text))
    text = text.replace(codeEscape, (written, ...hexes: (string | undefined)[]) => {
      const code = parseInt(hexes.slice(0, 4).find((hex) => hex !== undefined) ?? '', 16);
      return code <= 0x10ffff ? String.fromCodePoint(code) : written;
    });
  return text.includes('&')
    ? text.replace(entity, (ref, dec?: string, hex?: string, name?: string) => {
        const code = dec !== undefined ? Number(dec) : hex !== undefined ? parseInt(hex, 16) : undefined;
        if (code === undefined) return named[(name ?? '').toLowerCase()] ?? ref;
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ref;
      })
    : text;
}
