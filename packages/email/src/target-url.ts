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
 * Whether `text` contains the recipient's address: as typed, in any letter case, or percent-encoded
 * (up to three times). A URL that carries the address is never put inside a token.
 */
export function containsAddress(text: string, address: string): boolean {
  const needle = normalizeAddress(address);
  let hay = text.toLowerCase();
  for (let round = 0; round < 4; round++) {
    if (hay.includes(needle)) return true;
    const next = percentDecode(hay).toLowerCase();
    if (next === hay) return false;
    hay = next;
  }
  return false;
}
