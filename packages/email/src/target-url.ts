import { createHash } from 'node:crypto';
import { domainToUnicode } from 'node:url';
import { normalizeAddress } from './pseudonym.js';

/**
 * Parses `value` as an absolute http(s) URL the way a mail client's browser would (surrounding
 * whitespace and embedded tabs/newlines dropped), and returns its serialised form, or `undefined`
 * for anything else: relative references (unless `base` is given to resolve them against),
 * `mailto:`, `tel:`, `javascript:`, `data:`, unparsable text.
 */
export function httpUrl(value: string, base?: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return undefined;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
}

/**
 * Whether the URL `value` has userinfo (`https://ada:pw@example.org/`): a password signed into a
 * token would be in every click URL and every click the collector logs.
 */
export function hasUserinfo(value: string): boolean {
  try {
    const url = new URL(value);
    return url.username !== '' || url.password !== '';
  } catch {
    return false;
  }
}

const escapeRun = /(?:%[0-9a-f]{2})+/gi;
const bytesOf = (run: string): Buffer => Buffer.from(run.replace(/%/g, ''), 'hex');

/**
 * Every way a server may read the `%XX` escapes of `text`: as UTF-8 (a run that is not valid UTF-8
 * kept as typed); as UTF-8 with undecodable bytes and stray `%` dropped (so junk escapes cannot
 * split an address); and byte by byte as Latin-1 (`jos%E9` is `josé`).
 */
function percentDecodings(text: string): string[] {
  return [
    text.replace(escapeRun, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    }),
    text
      .replace(/%(?![0-9a-f]{2})/gi, '')
      .replace(escapeRun, (run) => bytesOf(run).toString('utf8').replaceAll('\uFFFD', '')),
    text.replace(escapeRun, (run) => bytesOf(run).toString('latin1')),
  ];
}

/** Named character references that write a character of an address (`&commat;` is `@`), and `&amp;`. */
const namedReferences = new Map([
  ['commat', '@'],
  ['period', '.'],
  ['plus', '+'],
  ['lowbar', '_'],
  ['amp', '&'],
]);

/**
 * A JavaScript or JSON escape (`\u0040`, `\u{40}`, `\x40`), one of JS `escape()` (`%u0040`), or an
 * HTML character reference (`&#64;`, `&#x40;`, `&commat;`).
 */
const otherEscape =
  /\\u\{([\da-f]{1,6})\}|\\u([\da-f]{4})|\\x([\da-f]{2})|%u([\da-f]{4})|&#x([\da-f]{1,6});?|&#(\d{1,7});?|&([a-z]+);/gi;

/**
 * `text` with its escapes other than percent-encoding read (see `otherEscape`), as the JSON parser,
 * the JavaScript or the HTML a link leads to reads them; none if it has none. One that writes no
 * character (`\u{110000}`, an unknown name) is kept as written.
 */
function otherDecodings(text: string): string[] {
  const decoded = text.replace(otherEscape, (escape: string, ...found: (string | undefined)[]) => {
    const name = found[6];
    if (name !== undefined) return namedReferences.get(name.toLowerCase()) ?? escape;
    const hex = found.slice(0, 5).find((code) => code !== undefined);
    const code = hex === undefined ? Number(found[5]) : parseInt(hex, 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : escape;
  });
  return decoded === text ? [] : [decoded];
}

// Characters IDNA maps to nothing (soft hyphen, zero-width space, word joiner, variation selectors,
// ...): `ex\u00ADample.org` is the domain `example.org`. Listed from `url.domainToASCII`.
const ignoredByIdna = /\p{Variation_Selector}|\u034F|[\u00AD\u200B\u2060\u2064\uFEFF\u{1BCA0}-\u{1BCA3}]/gu;
// A punycode label: `xn--` where a label starts (not inside a longer word).
const punycodeLabel = /(?<![\p{L}\p{M}\p{N}-])xn--[a-z0-9-]+/giu;

/**
 * The forms of `text` an address is looked for in, letter case kept (base64 needs it): NFKC,
 * without the characters IDNA ignores, the ideographic full stop as "."; and the same with every
 * punycode label in Unicode (`xn--bcher-kva` as `bücher`), so a domain matches whichever way each
 * of its labels is written.
 */
function forms(text: string): string[] {
  const folded = text.normalize('NFKC').replace(ignoredByIdna, '').replaceAll('\u3002', '.');
  const unicode = folded.replace(punycodeLabel, (label) => {
    const decoded = domainToUnicode(label.toLowerCase());
    return decoded && !decoded.includes('.') ? decoded : label;
  });
  return unicode === folded ? [folded] : [folded, unicode];
}

const base64Run = /[A-Za-z0-9+/_-]+/g;

/**
 * What the base64 or base64url runs of `text` at least `minChars` long decode to (Node's decoder
 * reads both alphabets), as UTF-8 and as Latin-1. Each run is decoded from each of its first four
 * characters, since it may start with characters that are not part of the encoding (`/u/` before
 * a path segment): one of the four is aligned with the encoding's own 4-character groups.
 */
function base64Decodings(text: string, minChars: number): string[] {
  const decoded: string[] = [];
  for (const [run] of text.matchAll(base64Run)) {
    for (let at = 0; at < 4 && run.length - at >= minChars; at++) {
      const bytes = Buffer.from(run.slice(at), 'base64');
      decoded.push(bytes.toString('utf8'), bytes.toString('latin1'));
    }
  }
  return decoded;
}

/** The unkeyed hashes senders put an address in URLs as (to match audiences, to unsubscribe). */
const addressHashes = ['md5', 'sha1', 'sha256', 'sha512'];

/** What an address is looked for as besides itself: in hex (any letter case), and in base64. */
interface Derived {
  /** Lowercase hex: the address's bytes, and each hash of it. */
  hex: string[];
  /** Runs of hex at least as long as the shortest of `hex`: the only ones that can hold one. */
  hexRun: RegExp;
  /** Each hash of it in base64 and base64url, unpadded (letter case matters). */
  base64: string[];
}

// Runs of base64 or base64url long enough to hold the shortest hash (an MD5 digest: 22 characters).
// Runs of hex are told by the shortest hex form (see `Derived.hexRun`): an address's bytes may be
// fewer than an MD5 digest's 16 (`ada@example.org` is 30 hex digits).
const digestRun = /[A-Za-z0-9+/_-]{22,}/g;

let derivedFor: { address: string; derived: Derived } | undefined;

/**
 * The forms an address is carried in that do not decode back to it: its bytes in hex, and its
 * unkeyed hashes (MD5, SHA-1, SHA-256, SHA-512) in hex, base64 and base64url, of the address as
 * typed (trimmed) and normalised (each of `normalised`: its domain in Unicode and in punycode).
 * Anyone can recompute such a hash from a list of addresses: it is the address. Kept for the last
 * address asked about, since one rewrite asks about one address again and again.
 */
function derivedForms(address: string, normalised: readonly string[]): Derived {
  if (derivedFor?.address === address) return derivedFor.derived;
  const hex: string[] = [];
  const base64: string[] = [];
  for (const form of new Set([address.trim(), ...normalised])) {
    hex.push(Buffer.from(form).toString('hex'));
    for (const algorithm of addressHashes) {
      const digest = createHash(algorithm).update(form).digest();
      hex.push(digest.toString('hex'));
      base64.push(digest.toString('base64').replace(/=+$/, ''), digest.toString('base64url'));
    }
  }
  const shortest = Math.min(...hex.map((form) => form.length));
  const derived: Derived = { hex, base64, hexRun: new RegExp(`[0-9a-f]{${shortest},}`, 'g') };
  derivedFor = { address, derived };
  return derived;
}

/**
 * Whether `text` contains the recipient's address: as typed, in any letter case, in any Unicode
 * form (composed or not, full-width), with an international domain in Unicode or punycode (either
 * way round, label by label), its `+` read as a space (a query decoded as a form), percent-encoded
 * (as UTF-8 or Latin-1, with or without undecodable escapes in it), escaped as JavaScript, JSON
 * or HTML write characters (`\u0040`, `%u0040`, `&#64;`, `&commat;`) or base64/base64url-encoded
 * (alone or inside a longer encoded text), these encodings nested up to three deep; or its bytes in
 * hex, or an unkeyed hash of it (see `derivedForms`), in any of those encodings. A URL that carries
 * the address is never put inside a token.
 */
export function containsAddress(text: string, address: string): boolean {
  const needles = forms(normalizeAddress(address)).map((form) => form.toLowerCase());
  const derived = derivedForms(address, needles);
  const read = needles.flatMap((needle) => (needle.includes('+') ? [needle, needle.replaceAll('+', ' ')] : [needle]));
  const carries = (hay: string): boolean => {
    const lower = hay.toLowerCase();
    if (read.some((needle) => lower.includes(needle))) return true;
    // Looked for in the runs that could hold one only, so that a long text without any is read once.
    for (const [run] of lower.matchAll(derived.hexRun)) if (derived.hex.some((hex) => run.includes(hex))) return true;
    for (const [run] of hay.matchAll(digestRun))
      if (derived.base64.some((encoded) => run.includes(encoded))) return true;
    return false;
  };
  // The shortest run of base64 that can hold the shortest form of the address (3 bytes in 4 characters).
  const minChars = Math.floor((Math.min(...needles.map((needle) => needle.length)) * 4) / 3);
  const seen = new Set<string>();
  let texts = new Set(forms(text));
  for (let round = 0; ; round++) {
    if ([...texts].some(carries)) return true;
    if (round === 3) return false;
    const next = new Set<string>();
    for (const hay of texts) {
      seen.add(hay);
      for (const decoded of [...percentDecodings(hay), ...otherDecodings(hay), ...base64Decodings(hay, minChars)])
        for (const form of forms(decoded)) if (!seen.has(form)) next.add(form);
    }
    if (next.size === 0) return false;
    texts = next;
  }
}
