import { domainToASCII } from 'node:url';
import { normalizeAddress } from './pseudonym.js';

/**
 * Parses `value` as an absolute http(s) URL the way a mail client's browser would (surrounding
 * whitespace and embedded tabs/newlines dropped), and returns its serialised form, or `undefined`
 * for anything else: relative references, `mailto:`, `tel:`, `javascript:`, `data:`, unparsable text.
 */
export function httpUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
}

function percentDecode(text: string): string {
  return text.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/**
 * Whether `text` contains the recipient's address: as typed, in any letter case, in any Unicode
 * form (composed or not, full-width), with an international domain in Unicode or punycode, or
 * percent-encoded (up to three times). A URL that carries the address is never put inside a token.
 */
export function containsAddress(text: string, address: string): boolean {
  const plain = normalizeAddress(address).normalize('NFKC');
  const at = plain.lastIndexOf('@') + 1;
  const needles = [plain, plain.slice(0, at) + (domainToASCII(plain.slice(at)) || plain.slice(at))];
  const fold = (t: string): string => t.normalize('NFKC').toLowerCase();
  let hay = fold(text);
  for (let round = 0; round < 4; round++) {
    if (needles.some((needle) => hay.includes(needle))) return true;
    const next = fold(percentDecode(hay));
    if (next === hay) return false;
    hay = next;
  }
  return false;
}
