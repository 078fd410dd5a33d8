import type { EmbeddedUrl } from './embedded-urls.js';
import { httpUrl } from './target-url.js';

/** How the URLs of a text are found (passed in: the finder is the one that calls these). */
export type UrlFinder = (text: string) => EmbeddedUrl[];

/** The finders of the URLs inside a wrapper. */
export interface UrlFinders {
  /** Those a v3 wrapper holds: URLs in text, no wrapper (a long run of v3 starts is read once). */
  plain: UrlFinder;
  /** Those a v2 wrapper holds, wrappers too (v3 inside v2): its URL is shorter than the wrapper. */
  all: UrlFinder;
}

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
 * A wrapper's host as written before its path: a whole run of characters a host may be written
 * with (so that a long run is scanned once, not again from each of its characters), percent-encoded
 * or in full-width letters too (`urldef%65nse.proofpoint.com`, `ｕrldefense.com`), as a URL parser
 * reads it (see `isWrapperHost`).
 */
const writtenHost = String.raw`(?<![^\s"'<>\\/?#:@])([^\s"'<>\\/?#:@]{1,2048})`;

/**
 * Whether `written` (a host, see `writtenHost`) is URL Defense's as a URL parser reads it: its
 * escapes decoded, mapped as IDNA maps it (`urldefense.proofpoint.com`, `urldefense.com`).
 */
function isWrapperHost(written: string): boolean {
  const url = httpUrl(`https://${written}/`);
  return url !== undefined && /urldefense(?:\.[\w-]+){1,4}$/.test(new URL(url).hostname.replace(/\.$/, ''));
}

/**
 * Where the URL of a v2 wrapper starts: `https://urldefense.proofpoint.com/v2/url?u=…` (its host as
 * `writtenHost`), its slashes escaped as JSON writes them or not.
 */
const v2Start = new RegExp(String.raw`${writtenHost}\\?\/v2\\?\/url\?u=`, 'gi');

/** The URL of a v2 wrapper, up to the `&` of its next parameter: `https-3A__t.edx.org_e_c_…`. */
const v2Value = /[\w.~-]*/y;

/** Where the URL of a v3 wrapper starts: `https://urldefense.com/v3/__…` (`\\/v3\\/__`: escaped as JSON). */
const v3Start = new RegExp(String.raw`${writtenHost}\\?\/v3\\?\/__`, 'gi');

/** What a text holds if it holds a wrapper: the path of one (a cheap test before any host is read). */
const wrapperPath = /\/v[23]\\?\/(?:url\?u=|__)/i;

/** Whether `code` ends a run of URL characters: whitespace, a quote, a bracket, `<>`, or outside printable ASCII. */
const endsRun = (code: number): boolean =>
  code <= 0x20 || code >= 0x7f || '"\'<>()[]{}^`|'.includes(String.fromCharCode(code));

/**
 * A v2 wrapper's URL read as Proofpoint's decoder reads it (`-XX` a byte, `_` a slash), and where
 * each decoded character was (one more at the end: where the URL ends). A byte outside ASCII (of a
 * full-width host's UTF-8, `-EF-BD-94`) is read percent-encoded (`%EF`), as a URL parser reads the
 * character it is part of.
 */
function decodeV2(text: string, start: number, end: number): { decoded: string; from: number[] } {
  let decoded = '';
  const from: number[] = [];
  for (let n = start; n < end;) {
    const hex = text[n] === '-' ? /^[\dA-Fa-f]{2}$/.exec(text.slice(n + 1, n + 3))?.[0] : undefined;
    const code = hex ? parseInt(hex, 16) : 0;
    const char = text.charAt(n);
    const read = hex ? (code < 0x80 ? String.fromCharCode(code) : `%${hex}`) : char === '_' ? '/' : char;
    decoded += read;
    for (let c = 0; c < read.length; c++) from.push(n);
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

/** The characters a v3 run (`**X`) ends with, by length: `A` two characters, `B` three, … `_` 65. */
const runLengths = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The most characters a v3 wrapper's list of those taken out is read for (a bound on work per wrapper). */
const maxTakenChars = 4096;

/** A placeholder of a v3 wrapper's URL: `*` (one character taken out) or `**X` (a run of them). */
const placeholder = /\*(?:\*(.))?/g;

/** A v3 wrapper's URL read as Proofpoint's decoder reads it, and where each decoded character was (as `decodeV2`'s). */
interface DecodedV3 {
  decoded: string;
  from: number[];
  /** Whether each decoded character was taken out (written as a placeholder). */
  taken: boolean[];
  /** Where the list after `__;` is in the text: from its first character to the `!` after it. */
  list: [number, number];
  /** The characters listed beyond those the placeholders stand for (kept after them). */
  unused: string;
}

/**
 * A part of a v3 wrapper's decoded URL (`start` to `end`) written anew, and the characters taken
 * out in what was written there (in order).
 */
interface Rewritten {
  start: number;
  end: number;
  taken: string;
}

/**
 * The URL of a v3 wrapper (`text` from `start` to `end`, the `__;` after it) with its placeholders
 * (`*`, `**X`) replaced by the characters taken out, which follow `__;` base64url-encoded up to the
 * next `!`; `undefined` when they do not add up (a placeholder with nothing left to stand for).
 */
function decodeV3(text: string, start: number, end: number): DecodedV3 | undefined {
  const list = /^__;([\w-]*)=*!/.exec(text.slice(end, end + 3 + 4 * maxTakenChars));
  const chars = Array.from(Buffer.from(list?.[1] ?? '', 'base64url').toString('utf8'));
  const inner = text.slice(start, end);
  const listEnd = end + (list?.[0].length ?? 4) - 1;
  const out: DecodedV3 = { decoded: '', from: [], taken: [], list: [end + 3, listEnd], unused: '' };
  const put = (written: string, at: number, taken: boolean) => {
    out.decoded += written;
    for (let n = 0; n < written.length; n++) {
      out.from.push(at);
      out.taken.push(taken);
    }
  };
  let at = 0;
  let next = 0;
  for (const token of inner.matchAll(placeholder)) {
    for (; at < token.index; at++) put(inner.charAt(at), start + at, false);
    // `*` one character, `**X` as many as `X` says; an unknown `X` is no placeholder Proofpoint writes.
    const length = token[1] === undefined ? 1 : runLengths.indexOf(token[1]) + 2;
    if ((token[1] !== undefined && length < 2) || next + length > chars.length) return undefined;
    for (const char of chars.slice(next, next + length)) put(char, start + token.index, true);
    next += length;
    at = token.index + token[0].length;
  }
  for (; at < inner.length; at++) put(inner.charAt(at), start + at, false);
  out.from.push(end);
  out.unused = chars.slice(next).join('');
  return out;
}

/**
 * `written` (a URL put in place of a part of a v3 wrapper's URL whose taken-out characters were
 * `taken`, in order) with those characters, where `written` holds them in the same order, written
 * as placeholders again (`*`, or `**X` for a run); and the characters so written (the list after
 * `__;` is rebuilt from them: `written` may hold fewer of them).
 */
function placeheld(written: string, taken: string): { text: string; taken: string } {
  let out = '';
  let run = 0;
  let next = 0;
  const flush = () => {
    for (; run > 0; run -= Math.min(run, 65)) out += run === 1 ? '*' : `**${runLengths.charAt(Math.min(run, 65) - 2)}`;
  };
  for (const char of written) {
    if (next < taken.length && taken.startsWith(char, next)) {
      run++;
      next += char.length;
      continue;
    }
    flush();
    out += char;
  }
  flush();
  return { text: out, taken: taken.slice(0, next) };
}

/**
 * The URLs (found by `find`) inside the Proofpoint URL Defense wrappers of `text`, as a mail
 * server that rewrote its links writes them: v2 (`…/v2/url?u=https-3A__t.edx.org_e_c_…&d=…`), each
 * decoded and written back so (a v3 wrapper inside read too); and v3
 * (`…/v3/__https://t.edx.org/e/c/…__;!!…$`), each up to the `__;` that ends its URL, its
 * placeholders (`*`: a `%` of an encoded URL, and the like, listed after `__;`) read as the
 * characters they stand for, and each written back as it was but for the part that changed (in
 * which those characters are placeholders again). Linear in the length of `text`.
 */
export function proofpointUrls(text: string, find: UrlFinders): WrappedUrls {
  const urls: EmbeddedUrl[] = [];
  const inner: [number, number][] = [];
  if (!wrapperPath.test(text)) return { urls, inner };
  for (const match of text.matchAll(v2Start)) {
    if (!isWrapperHost(match[1] ?? '')) continue;
    const start = match.index + match[0].length;
    v2Value.lastIndex = start;
    const end = start + (v2Value.exec(text)?.[0].length ?? 0);
    const { decoded, from } = decodeV2(text, start, end);
    for (const url of find.all(decoded))
      urls.push({
        ...url,
        start: from[url.start] ?? start,
        end: from[url.end] ?? end,
        write: (next) => encodeV2(url.write(next)),
      });
  }
  let scanned = 0;
  for (const match of text.matchAll(v3Start)) {
    const start = match.index + match[0].length;
    if (start < scanned || !isWrapperHost(match[1] ?? '')) continue;
    let at = start;
    while (at < text.length && !endsRun(text.charCodeAt(at)) && !text.startsWith('__;', at)) at++;
    scanned = at;
    if (!text.startsWith('__;', at)) continue;
    inner.push([start, at]);
    const wrapped = text.slice(start, at);
    const read = wrapped.includes('*') ? decodeV3(text, start, at) : undefined;
    if (!read) {
      for (const url of find.plain(wrapped)) urls.push({ ...url, start: start + url.start, end: start + url.end });
      continue;
    }
    const rewritten = new Map<number, Rewritten>();
    const wrapper = {};
    for (const url of find.plain(read.decoded)) urls.push({ ...v3Url(text, read, url, rewritten), wrapper });
    // The list after `__;`, written again after the URLs (whichever of them were replaced).
    urls.push({
      start: read.list[0],
      end: read.list[1],
      url: '',
      listOf: wrapper,
      write: () => listed(text, read, rewritten),
    });
  }
  return { urls, inner };
}

/**
 * The list after `__;` of a v3 wrapper (`read`) whose decoded URL had the parts of `rewritten`
 * written anew: the characters taken out elsewhere kept, those of each part replaced by those taken
 * out in what was written there, in order (read, not yet base64url-encoded).
 */
function rebuiltList({ decoded, taken, unused }: DecodedV3, rewritten: ReadonlyMap<number, Rewritten>): string {
  let list = '';
  for (let n = 0; n <= decoded.length; n++) {
    const part = rewritten.get(n);
    if (part) list += part.taken;
    if (part && part.end > n) n = part.end - 1;
    else if (taken[n]) list += decoded.charAt(n);
  }
  return list + unused;
}

/**
 * The list after `__;` of a v3 wrapper (`read`) of `text` once the parts of `rewritten` were written
 * anew (see `rebuiltList`), base64url-encoded; as it was written when it holds what it held.
 */
function listed(text: string, read: DecodedV3, rewritten: ReadonlyMap<number, Rewritten>): string {
  const was = text.slice(read.list[0], read.list[1]);
  const now = rebuiltList(read, rewritten);
  return now === Buffer.from(was, 'base64url').toString('utf8') ? was : Buffer.from(now).toString('base64url');
}

/**
 * `url`, found in the decoded URL of a v3 wrapper (`read`) of `text`, as indices into `text`,
 * written back as the wrapper wrote it: what it shares with the URL put in its place at its start
 * and end kept byte for byte, and the part between written with placeholders (see `placeheld`),
 * noted in `rewritten` (for the list after `__;`, see `listed`).
 */
function v3Url(text: string, read: DecodedV3, url: EmbeddedUrl, rewritten: Map<number, Rewritten>): EmbeddedUrl {
  const { decoded, from, taken } = read;
  const at = (index: number): number => from[index] ?? 0;
  // Where a placeholder does not begin: a run stands for more than one character.
  const inside = (index: number): boolean => index > 0 && index < decoded.length && at(index) === at(index - 1);
  const was = decoded.slice(url.start, url.end);
  return {
    start: at(url.start),
    end: at(url.end),
    url: url.url,
    write: (next) => {
      const written = url.write(next);
      let head = 0;
      while (head < was.length && head < written.length && was[head] === written[head]) head++;
      while (head > 0 && inside(url.start + head)) head--;
      let tail = 0;
      while (tail < was.length - head && tail < written.length - head && was.at(-1 - tail) === written.at(-1 - tail))
        tail++;
      while (tail > 0 && inside(url.end - tail)) tail--;
      let gone = '';
      for (let n = url.start + head; n < url.end - tail; n++) if (taken[n]) gone += decoded.charAt(n);
      const middle = placeheld(written.slice(head, written.length - tail), gone);
      rewritten.set(url.start + head, { start: url.start + head, end: url.end - tail, taken: middle.taken });
      return (
        text.slice(at(url.start), at(url.start + head)) + middle.text + text.slice(at(url.end - tail), at(url.end))
      );
    },
  };
}
