import type { EmbeddedUrl } from './embedded-urls.js';

/** How the URLs of a text are found (passed in: the finder is the one that calls these). */
export type UrlFinder = (text: string) => EmbeddedUrl[];

/** The URLs inside Proofpoint URL Defense wrappers of a text, and where a v3 wrapper's URL is. */
export interface WrappedUrls {
  /** The URLs found inside the wrappers, as indices into the text. */
  urls: EmbeddedUrl[];
  /**
   * Where the URL of each v3 wrapper is (`__…__;`), in order: a URL found in the text that starts
   * there is read only up to its end.
   */
  inner: [number, number][];
}

/**
 * Where the URL of a v2 wrapper starts: `https://urldefense.proofpoint.com/v2/url?u=…` (the host a
 * few labels at most, so that a long run of them is not scanned again from each).
 */
const v2Start = /urldefense(?:\.[\w-]+){1,4}\/v2\/url\?u=/gi;

/** The URL of a v2 wrapper, up to the `&` of its next parameter: `https-3A__t.edx.org_e_c_…`. */
const v2Value = /[\w.~-]*/y;

/** Where the URL of a v3 wrapper starts: `https://urldefense.com/v3/__…`. */
const v3Start = /urldefense(?:\.[\w-]+){1,4}\/v3\/__/gi;

/** Whether `code` ends a run of URL characters: whitespace, a quote, a bracket, `<>`, or outside printable ASCII. */
const endsRun = (code: number): boolean =>
  code <= 0x20 || code >= 0x7f || '"\'<>()[]{}^`|'.includes(String.fromCharCode(code));

/**
 * A v2 wrapper's URL read as Proofpoint's decoder reads it (`-XX` a byte, `_` a slash), and where
 * each decoded character was (one more at the end: where the URL ends).
 */
function decodeV2(text: string, start: number, end: number): { decoded: string; from: number[] } {
  let decoded = '';
  const from: number[] = [];
  for (let n = start; n < end;) {
    from.push(n);
    const hex = text[n] === '-' ? /^[\dA-Fa-f]{2}$/.exec(text.slice(n + 1, n + 3))?.[0] : undefined;
    const char = text.charAt(n);
    decoded += hex ? String.fromCharCode(parseInt(hex, 16)) : char === '_' ? '/' : char;
    n += hex ? 3 : 1;
  }
  from.push(end);
  return { decoded, from };
}

/** `url` written as a v2 wrapper writes it: letters, digits and `.` as they are, `/` as `_`, every other byte `-XX`. */
const encodeV2 = (url: string): string =>
  Array.from(Buffer.from(url), (byte) => {
    const char = String.fromCharCode(byte);
    return /[A-Za-z\d.]/.test(char)
      ? char
      : char === '/'
        ? '_'
        : `-${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');

/**
 * The URLs (found by `find`) inside the Proofpoint URL Defense wrappers of `text`, as a mail
 * server that rewrote its links writes them: v2 (`…/v2/url?u=https-3A__t.edx.org_e_c_…&d=…`), each
 * decoded and written back so; and v3 (`…/v3/__https://t.edx.org/e/c/…__;!!…$`), each up to the
 * `__;` that ends its URL, written back as it is (the bytes Proofpoint took out, after `__;`, are
 * those of its `*`, which no URL put in place holds). Linear in the length of `text`.
 */
export function proofpointUrls(text: string, find: UrlFinder): WrappedUrls {
  const urls: EmbeddedUrl[] = [];
  for (const match of text.matchAll(v2Start)) {
    const start = match.index + match[0].length;
    v2Value.lastIndex = start;
    const end = start + (v2Value.exec(text)?.[0].length ?? 0);
    const { decoded, from } = decodeV2(text, start, end);
    for (const url of find(decoded))
      urls.push({
        ...url,
        start: from[url.start] ?? start,
        end: from[url.end] ?? end,
        write: (next) => encodeV2(url.write(next)),
      });
  }
  const inner: [number, number][] = [];
  let scanned = 0;
  for (const match of text.matchAll(v3Start)) {
    const start = match.index + match[0].length;
    if (start < scanned) continue;
    let at = start;
    while (at < text.length && !endsRun(text.charCodeAt(at)) && !text.startsWith('__;', at)) at++;
    scanned = at;
    if (!text.startsWith('__;', at)) continue;
    inner.push([start, at]);
    for (const url of find(text.slice(start, at)))
      urls.push({ ...url, start: start + url.start, end: start + url.end });
  }
  return { urls, inner };
}
