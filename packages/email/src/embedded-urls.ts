import { proofpointUrls } from './proofpoint.js';

/** A URL written inside a longer text: where (indices into the text), and the URL it stands for. */
export interface EmbeddedUrl {
  start: number;
  end: number;
  url: string;
  /** How a new URL is written in its place. */
  write: (url: string) => string;
  /** The Proofpoint v3 wrapper the URL is in, if any (see `listOf`). */
  wrapper?: object;
  /**
   * For the list after `__;` of a Proofpoint v3 wrapper (no URL: `url` is empty), that wrapper:
   * the list is written again (from what its URLs then take out) once one of its URLs was
   * replaced, after them all.
   */
  listOf?: object;
  /**
   * Whether it is the argument of a CSS `url(` or `@import`, which a browser resolves against the
   * document's base URL: one written relative (`url(e/o/…)`) is a URL there too.
   */
  reference?: boolean;
}

const asIs = (url: string): string => url;

/**
 * The scheme before `//`: `http:` or `https:` wherever it starts (glued to what comes before it, as
 * in `%20https://…` in a `mailto:` body, `x2https://…` or `Look+https://…`), else any other scheme
 * (none ending in those), which starts only where no scheme character comes before it, so a long
 * run of letters is scanned once, not once from each of its characters.
 */
const scheme = String.raw`(?:[Hh][Tt][Tt][Pp][Ss]?:|(?<![A-Za-z\d+.-])(?![A-Za-z\d+.-]*?[Hh][Tt][Tt][Pp][Ss]?:)[A-Za-z][A-Za-z\d+.-]*:)?`;

/**
 * Where a URL may start: `//` (or `\\`, which a browser reads the same) with the scheme before it,
 * if any; or `http:` or `https:` and one slash, which a browser reads as two (`https:/t.edx.org/…`, as
 * an archive that merges slashes in its paths writes a URL inside its own).
 */
const startPattern = String.raw`(?:${scheme}[\\/]{2}|[Hh][Tt][Tt][Pp][Ss]?:[\\/])`;

/** A character of a URL in text: printable ASCII but a quote, a bracket or `<>`. */
const urlChar = String.raw`[^\0-\x20"'<>()[\]{}^\x60|\x7F-\uFFFF]`;

/** A run of `urlChar`s that starts no host: without `:`, `/` and `\\` (read one at a time). */
const pathRun = String.raw`[^\0-\x20"'<>()[\]{}^\x60|\x7F-\uFFFF:\\/]+`;

/**
 * A character of a URL's host in text: besides `urlChar`'s (but `/`, `\\`, `?` and `#`, which end
 * it), any but whitespace: a browser reads a host written in full-width or other compatibility forms
 * (`ｔ.edx.org`, `t。edx.org`) as IDNA maps it (NFKC), the ASCII host.
 */
const hostChar = String.raw`[^\0-\x20"'<>()[\]{}^\x60|\x7F\\/?#\s]`;

/**
 * Something that may be an absolute or protocol-relative URL in text, a `srcset` or an SVG
 * attribute: its start (see `startPattern`) up to whitespace, a quote, a bracket, `<>`, or anything
 * outside printable ASCII (a tracking URL's path is ASCII: `&nbsp;`, `。` or an emoji after one is
 * text) but in a host: the one after its start, and one after each `//` or `:/` in it (where a URL
 * inside it may start: `?u=https://ｔ.edx.org/…`), read up to its end as `hostChar`s.
 */
const urlLike = new RegExp(
  String.raw`${startPattern}${hostChar}*(?:${pathRun}|(?:[\\/]{2}|:[\\/]{1,2})${hostChar}*|${urlChar})*`,
  'g',
);

const isSpace = (char: string | undefined): boolean =>
  char === ' ' || char === '\t' || char === '\n' || char === '\f' || char === '\r';

/** Whether `code` (a character code) ends a URL in text: whitespace, a quote, a bracket, `<>`, or outside printable ASCII. */
const endsUrl = (code: number): boolean =>
  code <= 0x20 || code >= 0x7f || '"\'<>()[]{}^`|'.includes(String.fromCharCode(code));

/**
 * Punctuation a linkifier leaves out at the end of a URL (GitHub's and linkify's rules): `.`, `,`,
 * `;`, `:`, `!`, `?`, `*`, `~` (none of them a token character).
 */
const trailing = '.,;:!?*~';

/** Where `text` up to `end` ends without the punctuation a linkifier leaves out at its end, but not before `start`. */
function trimmedEnd(text: string, start: number, end: number): number {
  while (end > start && trailing.includes(text.charAt(end - 1))) end--;
  return end;
}

/**
 * Where an http(s) URL percent-encoded as a query value starts (`?u=https%3A%2F%2Ft.edx.org%2F…`,
 * a share button's), encoded once, twice (`%253A`) or three times, its slashes encoded or left as
 * they are (`https%3A//…`: Django's `|urlencode`, Python's `quote()`, JS `escape()`), or its colon
 * left as it is and its slashes encoded (`https:%2F%2F…`: Go's `url.PathEscape`; or one of them,
 * `https:%2F/…`, `https:/%2F…`, as mixed encoders leave them), each escape as
 * often as the encoders that did not leave it wrote it (`https%253A%2F%2F…`: `|urlencode`d, then
 * encoded once more).
 */
const encodedStart =
  /https?(?:%(?:25){0,2}3A(?:%(?:25){0,2}2F|\/){2}|:(?:%(?:25){0,2}2F(?:%(?:25){0,2}2F|\/)|\/%(?:25){0,2}2F))/gi;

/**
 * How an encoded URL was written: how often, by how many of those encodings (the first ones) its
 * colon and its slashes were left as they are, and the `://` after its scheme as written (`%3A%2F%2F`,
 * or `:%2F/` as a mixed encoder leaves it).
 */
interface Encoding {
  times: number;
  colonLeft: number;
  slashLeft: number;
  separator: string;
}

/**
 * How the URL whose start (an `encodedStart` match) is `start` was encoded: as often as its most
 * escaped character; its slashes as the last one of the start (the path's may tell otherwise: see
 * `urlsOfRun`).
 */
function encodingOf(start: string): Encoding {
  // How often its colon and each slash was escaped (`%2F` once, `%252F` twice), `-1` for one left as it is.
  const [colon = 0, ...slashes] = Array.from(start.matchAll(/%((?:25)*)(?:3A|2F)|[:/]/gi), (escape) =>
    escape[1] === undefined ? -1 : escape[1].length / 2,
  );
  const times = 1 + Math.max(colon, ...slashes);
  const slash = slashes.at(-1) ?? -1;
  return {
    times,
    colonLeft: times - 1 - colon,
    slashLeft: times - 1 - slash,
    separator: start.replace(/^https?/i, ''),
  };
}

/**
 * How often the character written at `at` in `text` (inside a run read by `decodedRun`) was
 * escaped: `-1` written as it is, `0` for `%2F`, `1` for `%252F`, and so on.
 */
function escapesAt(text: string, at: number): number {
  if (text.charCodeAt(at) !== 0x25) return -1;
  let k = 0;
  while (text.startsWith('25', at + 1 + 2 * k)) k++;
  return isHex(text[at + 1 + 2 * k]) && isHex(text[at + 2 + 2 * k]) ? k : k - 1;
}

/** Whether the `//` at `at` in `text` follows an encoded scheme's `%3A` (`https%3A//`): an encoded URL's, not one of its own. */
const afterEncodedColon = (text: string, at: number): boolean =>
  /%(?:25){0,2}3A$/i.test(text.slice(Math.max(0, at - 7), at));

/** Whether `at` in `text` comes right after `http://` or `https://` (or `https:\/`, `https:\\\\`). */
const afterHttpSlashes = (text: string, at: number): boolean =>
  /[Hh][Tt][Tt][Pp][Ss]?:[\\/]{2}$/.test(text.slice(Math.max(0, at - 8), at));

/** The longest URL read inside another or decoded (a tracking URL is at most a few kilobytes, encoded at most three times). */
const maxEncodedLength = 8192;

/** What a percent-encoder (`encodeURIComponent`, or one that leaves `/:@;,$=?` as they are) writes as it is, by character code. */
const unescaped = new Uint8Array(128).map((_, code) => +/[A-Za-z\d\-_.!~*/:@;,$=?]/.test(String.fromCharCode(code)));

/**
 * A percent escape: `%`, `25` k times (`%2520` is `%20` written once more), then a byte's two hex
 * digits or, as JS `escape()` writes a character above U+00FF, `u` and its four (`%uFF54`).
 */
const percentEscape = /%((?:25)*)(?:([\dA-Fa-f]{2})|u([\dA-Fa-f]{4}))/y;

/**
 * Whether a URL's host is read after the character `code` (`previous` before it, `host` whether one
 * was read before it): from `//` or `:/` (`\\` as `/`) up to the `/`, `\\`, `?` or `#` after it, as
 * `urlLike` reads one.
 */
function inHost(host: boolean, previous: number, code: number): boolean {
  if (code === 0x2f || code === 0x5c) return previous === 0x2f || previous === 0x5c || previous === 0x3a;
  return host && code !== 0x3f && code !== 0x23;
}

/**
 * Whether the character `code`, written as it is, is part of a run read by `decodedRun`: one an
 * encoder leaves as it is, or in a host (`host`) any but whitespace (a full-width host left as it
 * is, `https%3A%2F%2Fｔ.edx.org%2F…`, which a URL parser maps as IDNA maps it).
 */
const leftAsIs = (code: number, host: boolean): boolean =>
  code < 0x80 ? unescaped[code] === 1 : host && !/\s/.test(String.fromCharCode(code));

/**
 * One run of text read as written `times` times percent-encoded (from `start`): the text it decodes
 * to, where each decoded character was (`from`, one more at the end: where the run ends), and
 * nothing else. A character an encoder may leave as it is (`/`, `:`, a letter, one outside ASCII in
 * a host) may be escaped fewer times: by the later encoders only. It ends at what belongs to a
 * shallower encoding: a character an encoder escapes (`&`, `+`, `#`, `%` alone), an escape of one
 * written fewer times (`%26` in a URL encoded twice), or one that decodes to what ends a URL in text
 * (`%20`, `%22`), or at `limit` (where a URL encoded fewer times starts). A byte outside ASCII is
 * kept escaped once (`%EF`), as a URL parser reads it; a character JS `escape()` wrote (`%uFF54`) is
 * read as it (`ｔ`). Linear in its length.
 */
function decodedRun(text: string, start: number, times: number, limit: number): { decoded: string; from: number[] } {
  const parts: string[] = [];
  const from: number[] = [];
  // Whether a host is being read (see `inHost`), and the last character decoded.
  let host = false;
  let previous = 0;
  const read = (code: number) => {
    host = inHost(host, previous, code);
    previous = code;
  };
  let n = start;
  while (n < limit) {
    if (text.charCodeAt(n) !== 0x25) {
      // A run of characters written as they are, taken at once.
      const first = n;
      while (n < limit && leftAsIs(text.charCodeAt(n), host)) {
        read(text.charCodeAt(n));
        from.push(n++);
      }
      if (n === first) break;
      parts.push(text.slice(first, n));
      continue;
    }
    percentEscape.lastIndex = n;
    const escape = percentEscape.exec(text);
    if (!escape) break;
    const [written, twenties = '', byte, wide] = escape;
    const k = twenties.length / 2;
    const code = parseInt(byte ?? wide ?? '', 16);
    // Escaped fewer times than the URL was encoded: a character the first encoders left as it is
    // (the `/` of `https%253A%2F%2F…`, `|urlencode`d then encoded once more), or one of the text
    // around the URL (`%26` after a URL encoded twice); one outside ASCII, in a host only.
    const fewer = k < times - 1;
    if (code < 0x80 ? (fewer ? unescaped[code] !== 1 : k === times - 1 && endsUrl(code)) : fewer && !host) break;
    // A byte outside ASCII (of a full-width host's UTF-8, `%EF%BD%94.edx.org`) is kept escaped once:
    // a URL parser reads it so as it reads the character, its host decoded and mapped as IDNA maps it.
    const decoded =
      k >= times
        ? `%${'25'.repeat(k - times)}${written.slice(1 + 2 * k)}`
        : byte !== undefined && code >= 0x80
          ? `%${byte}`
          : String.fromCharCode(code);
    parts.push(decoded);
    for (let c = 0; c < decoded.length; c++) {
      read(decoded.charCodeAt(c));
      from.push(n);
    }
    n += written.length;
  }
  from.push(n);
  return { decoded: parts.join(''), from };
}

const isHex = (char: string | undefined): boolean =>
  char !== undefined && ((char >= '0' && char <= '9') || (char >= 'a' && char <= 'f') || (char >= 'A' && char <= 'F'));

/**
 * The URLs starting at `starts` (increasing indices into `text`, inside one run of URL characters
 * that ends at `end`), each up to the end of the run, or, for one that is a parameter's value (after
 * `=`), up to the next `&` or `#` (`?url=…&text=…`); without the punctuation a linkifier leaves out
 * at its end. Linear in the run's length and the number of starts.
 */
function* candidates(text: string, starts: readonly number[], end: number): Generator<[number, number]> {
  const trimmed = trimmedEnd(text, 0, end);
  let delimiter = -1;
  let beforeDelimiter = -1;
  for (const start of starts) {
    if (text[start - 1] === '=' && delimiter < start) {
      delimiter = start;
      while (delimiter < end && text[delimiter] !== '&' && text[delimiter] !== '#') delimiter++;
      beforeDelimiter = trimmedEnd(text, 0, delimiter);
    }
    yield [start, Math.max(start, text[start - 1] === '=' ? beforeDelimiter : trimmed)];
  }
}

/** A run of text decoded as often as it was encoded, and where the URLs in it start. */
interface DecodedRun {
  times: number;
  decoded: string;
  from: number[];
  starts: number[];
  /** How the URL at each start was encoded. */
  encodings: Encoding[];
}

/**
 * The percent-encoded URLs in `text`, one from each start (one inside another too), each decoded
 * as often as it was encoded and written back encoded as often; one that does not decode to an
 * http(s) URL is skipped. Each run is decoded once for its encoding level: linear in its length.
 */
function encodedUrls(text: string): EmbeddedUrl[] {
  const last = new Map<number, DecodedRun>();
  const runs: DecodedRun[] = [];
  const matches = Array.from(text.matchAll(encodedStart), (match) => ({ match, ...encodingOf(match[0]) }));
  // Where, after each match, the next URL encoded fewer times than it starts (a run ends there).
  const shallower: number[] = [];
  const next = [Infinity, Infinity, Infinity];
  for (const [m, { match, times }] of [...matches.entries()].reverse()) {
    shallower[m] = Math.min(text.length, ...next.slice(0, times - 1));
    next[times - 1] = match.index;
  }
  for (const [m, { match, ...encoding }] of matches.entries()) {
    const { times } = encoding;
    let run = last.get(times);
    if (!run || match.index >= (run.from.at(-1) ?? 0)) {
      const decoded = decodedRun(text, match.index, times, shallower[m] ?? text.length);
      run = { times, ...decoded, starts: [], encodings: [] };
      last.set(times, run);
      runs.push(run);
    }
    run.starts.push(match.index);
    run.encodings.push(encoding);
  }
  return runs.flatMap((run) => [...urlsOfRun(text, run)]);
}

/**
 * The URLs of one decoded run of `text` (see `encodedUrls`); each written back as it was written:
 * the `://` after its scheme as it was, the slashes of its path as its first one was (`https:%2F/`
 * then `t.edx.org/e/c/…`, or `https%3A%2F%2F` then `t.edx.org%2Fe%2Fc%2F…`).
 */
function* urlsOfRun(text: string, { decoded, from, starts, encodings }: DecodedRun): Generator<EmbeddedUrl> {
  // Where each start is in the decoded run: starts are in order, so one pass finds them all.
  let index = 0;
  const at: number[] = [];
  const encodingAt = new Map<number, Encoding>();
  for (const [n, start] of starts.entries()) {
    while ((from[index] ?? Infinity) < start) index++;
    at.push(index);
    const encoding = encodings[n];
    if (encoding) encodingAt.set(index, encoding);
  }
  const found: EmbeddedUrl[] = [];
  for (const [start, end] of tokenEnded(decoded, 0, candidates(decoded, at, decoded.length))) {
    const url = decoded.slice(start, end);
    const encoding = encodingAt.get(start);
    const path = url.indexOf('/', url.indexOf('//') + 2);
    const slash = path < 0 ? undefined : escapesAt(text, from[start + path] ?? 0);
    const own = slash === undefined ? encoding : encoding && { ...encoding, slashLeft: encoding.times - 1 - slash };
    if (own && /^https?:\/\//i.test(url)) found.push({ start, end, url, write: (next) => encoded(next, own) });
  }
  // With them, those in a Proofpoint wrapper encoded in the run (in a `mailto:` body); each written
  // back encoded as the URL it starts in (the last to start before it) is.
  const own = new Set(found);
  let last = 0;
  for (const url of withWrapped(decoded, found)) {
    while ((at[last + 1] ?? Infinity) <= url.start) last++;
    const encoding = encodingAt.get(at[last] ?? 0);
    if (encoding)
      yield {
        ...url,
        start: from[url.start] ?? 0,
        end: from[url.end] ?? 0,
        write: own.has(url) ? url.write : (next) => encoded(url.write(next), encoding),
      };
  }
}

/**
 * `url` encoded as `encoding` says: each time with encodeURIComponent, the colon and slashes left as
 * they are by the encodings that left them (`https%3A//…`, `https%253A%2F%2F…`); the `://` of an
 * http(s) URL written as it was.
 */
function encoded(url: string, { times, colonLeft, slashLeft, separator }: Encoding): string {
  const scheme = /^https?(?=:\/\/)/i.exec(url)?.[0];
  let out = scheme === undefined ? url : url.slice(scheme.length + 3);
  for (let n = 1; n <= times; n++) {
    // Every `%` of what is encoded becomes `%25`: a `%2F` or `%3A` is one this encoding wrote.
    out = encodeURIComponent(out);
    if (n <= slashLeft) out = out.replaceAll('%2F', '/');
    if (n <= colonLeft) out = out.replaceAll('%3A', ':');
  }
  return scheme === undefined ? out : scheme + separator + out;
}

/**
 * `found` in order of where each starts. One inside another is kept: a URL decoded from another
 * that is no tracking URL (a share link, encoded once, with a tracking URL encoded twice inside it).
 */
const inOrder = (found: EmbeddedUrl[]): EmbeddedUrl[] => found.sort((a, b) => a.start - b.start || b.end - a.end);

/** The URLs in `text`, written as such or percent-encoded (see `urlsInText`), those in wrappers aside. */
const unwrappedUrls = (text: string): EmbeddedUrl[] => [...literalUrls(text), ...encodedUrls(text)];

/**
 * The URLs in `text` (or in a URL: a share link's `?url=https://t.edx.org/e/c/…`), one inside
 * another too, with punctuation after one left out as a linkifier leaves it out (`https://…/x.` at
 * the end of a sentence, `**https://…**`, `…/a.png,` before the next `srcset` candidate),
 * percent-encoded ones among them, and those a Proofpoint URL Defense wrapper holds (a URL that
 * starts inside a v3 wrapper's ends where the wrapper's URL ends, at `__;`).
 */
export function urlsInText(text: string): EmbeddedUrl[] {
  return withWrapped(text, unwrappedUrls(text));
}

/** The finders of the URLs inside Proofpoint wrappers. */
const finders = { plain: unwrappedUrls, all: urlsInText };

/**
 * `found` (the URLs of `text` but those in Proofpoint wrappers) and those in wrappers, in order:
 * of `found`, those that start inside a v3 wrapper's URL left out (read there up to its end).
 */
function withWrapped(text: string, found: EmbeddedUrl[]): EmbeddedUrl[] {
  const wrapped = proofpointUrls(text, finders);
  if (wrapped.urls.length === 0 && wrapped.inner.length === 0) return inOrder(found);
  // Both in order: one pass tells which found URLs start inside a v3 wrapper's URL.
  let span = 0;
  const outside = inOrder(found).filter((url) => {
    while ((wrapped.inner[span]?.[1] ?? Infinity) <= url.start) span++;
    return url.start < (wrapped.inner[span]?.[0] ?? Infinity);
  });
  return inOrder([...outside, ...wrapped.urls]);
}

/** Where a URL may start (see `startPattern`). */
const urlStart = new RegExp(startPattern, 'g');

/**
 * A URL whose slashes are escaped as JSON may write them (`https:\/\/t.edx.org\/e\/c\/…`: PHP's
 * `json_encode`, in a JSON-LD Go-To Action), which a URL parser reads as `https://t.edx.org//e//c//…`.
 */
const jsonEscaped = /^[^\\/]*\\\/\\\/[^\\/]/;

/** A URL written with its slashes escaped as JSON, as `jsonEscaped`'s are. */
const escapeJson = (url: string): string => url.replaceAll('/', '\\/');

/** A URL with one slash after its scheme (`https:/t.edx.org/…`): one put in its place is written so too. */
const oneSlash = /^[Hh][Tt][Tt][Pp][Ss]?:([\\/])(?![\\/])/;

/** The slashes after an http(s) URL's scheme. */
const twoSlashes = /(?<=^https?:)\/\//i;

/**
 * `run` with the slashes escaped as JSON (`\/`) read as JSON reads them, and where each index of
 * `run` (and its end) is in that: read once for all the URLs in it, each then a part of it.
 */
function jsonUnescaped(run: string): { text: string; at: Int32Array } {
  const at = new Int32Array(run.length + 1);
  let index = 0;
  for (let n = 0; n < run.length; n++, index++) {
    at[n] = index;
    if (run.charCodeAt(n) === 0x5c && run.charCodeAt(n + 1) === 0x2f) at[++n] = index;
  }
  at[run.length] = index;
  return { text: run.replaceAll('\\/', '/'), at };
}

/**
 * The URLs written as such (not percent-encoded) in `text`: each run of URL characters, and the
 * URLs inside it (one from each `//` after its own); one with its slashes escaped as JSON
 * (`https:\/\/…`) read as JSON reads it, and written back so.
 */
function* literalUrls(text: string): Generator<EmbeddedUrl> {
  // `//` right after a `:` the scheme was not read from (`a+b://`): some other scheme's, left out;
  // after `%3A`, an encoded URL's (`https%3A//…`), read as such; right after `http(s)://`, more
  // slashes of that URL, which a browser skips (`https:\/\/…` escaped as JSON, `https:////…`). The
  // URLs inside it are looked for.
  const ownStart = (at: number, written: string): boolean =>
    (text[at - 1] !== ':' && !afterEncodedColon(text, at) && !afterHttpSlashes(text, at)) || /^[^\\/]/.test(written);
  for (const match of text.matchAll(urlLike)) {
    const end = match.index + match[0].length;
    const first = match.index + (/^[^\\/]*[\\/]{1,2}/.exec(match[0])?.[0].length ?? 0);
    const starts = ownStart(match.index, match[0]) ? [match.index] : [];
    for (const inner of match[0].slice(first - match.index).matchAll(urlStart))
      if (ownStart(first + inner.index, inner[0])) starts.push(first + inner.index);
    let json: ReturnType<typeof jsonUnescaped> | undefined;
    for (const [start, stop] of tokenEnded(match[0], match.index, candidates(text, starts, end))) {
      const url = text.slice(start, stop);
      if (!jsonEscaped.test(url)) {
        const slash = oneSlash.exec(url)?.[1];
        yield { start, end: stop, url, write: slash ? (next) => next.replace(twoSlashes, () => slash) : asIs };
        continue;
      }
      json ??= jsonUnescaped(match[0]);
      const from = json.at[start - match.index] ?? 0;
      const to = json.at[stop - match.index] ?? 0;
      yield { start, end: stop, url: json.text.slice(from, to), write: escapeJson };
    }
  }
}

/**
 * A tracking URL's path (`/e/o/` or `/e/c/`, its slashes escaped as JSON or not, then its token,
 * base64url) followed by what is no part of that URL: neither a token character nor the path, query
 * or fragment that may follow it, nor `:` (the token runs into the scheme of a URL glued to it:
 * `…/e/o/<token>https://…`, read whole).
 */
const tokenPath = /(?:\\?\/|\\)e(?:\\?\/|\\)[oc](?:\\?\/|\\)[\w-]+(?=[^\w\\/?#:-])/g;

/**
 * `found` (where URLs in `run` start and end, in order of their starts, as indices into a text in
 * which `run` starts at `offset`), each ending where the token of a tracking URL in it ends, when
 * what follows is no part of that URL (`%20from`, `+from`, `,https://…`, `&utm=` of the URL around
 * it). One after the first, longer than any tracking URL once so ended, is left out (a long run
 * holds as many URLs as it has slashes). Linear in the run's length and the number of URLs.
 */
function* tokenEnded(run: string, offset: number, found: Iterable<[number, number]>): Generator<[number, number]> {
  const cuts = Array.from(run.matchAll(tokenPath), (path) => offset + path.index + path[0].length);
  let cut = 0;
  let first = true;
  for (const [start, stop] of found) {
    while ((cuts[cut] ?? Infinity) <= start) cut++;
    const end = Math.min(stop, cuts[cut] ?? Infinity);
    if (first || end - start <= maxEncodedLength) yield [start, end];
    first = false;
  }
}

/**
 * In a comment (Outlook's `<!--[if mso]>` VML), the quoted attribute values wrapped across lines
 * and read whole as a URL attribute's (`href="https://t.edx.org/e/c/…⏎…"`), then its URLs as in text.
 */
export function urlsInComment(text: string): EmbeddedUrl[] {
  const found = urlsInText(text);
  for (const value of text.matchAll(/=[\t\n\f\r ]*(["'])([^"'<>]*)\1/g)) {
    if (!/[\t\n\r]/.test(value[2] ?? '')) continue;
    const at = value.index + value[0].length - 1 - (value[2]?.length ?? 0);
    const [whole] = urlsInAttribute(value[2] ?? '');
    if (whole && whole.write === asIs && /[\t\n\r]/.test(value[2]?.slice(whole.start, whole.end) ?? ''))
      found.push({ ...whole, start: at + whole.start, end: at + whole.end });
  }
  return inOrder(found);
}

/**
 * The URLs in an attribute value (not CSS), as in text; first, for a value that is one URL with
 * tabs or line breaks inside (Outlook wraps long lines), which a URL parser drops, that URL, whole
 * (where it is not the one URL it seems, what is found in the value as text comes after it).
 */
export function* urlsInAttribute(value: string): Generator<EmbeddedUrl> {
  // The value without the ASCII whitespace around it, which a URL parser drops too.
  let start = 0;
  let end = value.length;
  while (isSpace(value[start])) start++;
  while (end > start && isSpace(value[end - 1])) end--;
  const url = value.slice(start, end).replace(/[\t\n\r]/g, '');
  if (url.length !== end - start && url.match(urlLike)?.[0] === url && url.split(/[\\/]{2}/).length === 2)
    yield { start, end, url, write: asIs };
  yield* urlsInText(value);
}

/**
 * The pattern of the CSS name `name` (lower case) as CSS reads it: each character as it is (in any
 * case) or escaped (`\75`, `\000055 `, or `\u` for one that is no hex digit), so that `u\72l(` is
 * `url(` and `\69mage-set(` is `image-set(`.
 */
const cssName = (name: string): string =>
  Array.from(name, (char) => {
    const codes = new Set([char, char.toUpperCase()].map((c) => c.charCodeAt(0).toString(16)));
    const hex = String.raw`\\0{0,4}(?:${[...codes].join('|')})(?:[\t\n\f\r ]|(?![\da-f]))`;
    return `(?:${char}|${hex}${/[\da-f]/i.test(char) ? '' : String.raw`|\\${char}`})`;
  }).join('');

/**
 * In CSS, what is read whole: a comment (its text captured, up to `*\/` or the end), a string (`"…"`
 * or `'…'`, up to its quote or the end of its line), or the unquoted argument of `url(` (its name
 * escaped or not); each with its backslash escapes (in `url(`, a hex escape takes the one
 * whitespace after it: `\3a /`).
 */
const cssToken = new RegExp(
  String.raw`\/\*([\s\S]*?)(?:\*\/|$)|"((?:[^"\\\n\r\f]|\\[\s\S])*)"?|'((?:[^'\\\n\r\f]|\\[\s\S])*)'?|(?<![\w-])${cssName('url')}\([\t\n\f\r ]*((?:[^"'()\\\t\n\f\r ]|\\[\da-fA-F]{1,6}[\t\n\f\r ]?|\\[\s\S])*)`,
  'gi',
);

/**
 * A bracket of CSS outside strings and comments: `(` after the name of a function whose strings are
 * URLs (`url(`, `image-set(`, `-webkit-image-set(`, named with escapes or not), any other `(`, or `)`.
 */
const cssBracket = new RegExp(
  String.raw`(?<![\w-])(?:${cssName('url')}|${cssName('image-set')}|${cssName('-webkit-image-set')})(\()|[()]`,
  'gi',
);

/** A CSS escape: up to six hex digits and one whitespace after them, an escaped line end, or any one character. */
const cssEscape = /\\(?:([\da-fA-F]{1,6})[\t\n\f\r ]?|(\r\n|[\n\r\f])|([\s\S]))/g;

/** `written` (a string's or a `url(`'s content) as CSS reads it: escapes resolved. */
function unescapeCss(written: string): string {
  return written.replace(cssEscape, (_, hex: string | undefined, newline: string | undefined, char: string) => {
    if (newline !== undefined) return '';
    if (hex === undefined) return char;
    const code = parseInt(hex, 16);
    return code === 0 || (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff ? '\uFFFD' : String.fromCodePoint(code);
  });
}

/**
 * `written` (a string's or a `url(`'s content) as CSS reads it (see `unescapeCss`), and where each
 * of its characters was in `written` (an escape's, where the escape starts; one more at the end).
 */
function cssRead(written: string): { text: string; from: number[] } {
  const parts: string[] = [];
  const from: number[] = [];
  let at = 0;
  const take = (end: number) => {
    parts.push(written.slice(at, end));
    for (; at < end; at++) from.push(at);
  };
  for (const escape of written.matchAll(cssEscape)) {
    take(escape.index);
    const char = unescapeCss(escape[0]);
    parts.push(char);
    for (let n = 0; n < char.length; n++) from.push(escape.index);
    at = escape.index + escape[0].length;
  }
  take(written.length);
  from.push(written.length);
  return { text: parts.join(''), from };
}

/**
 * What ends the CSS before a string that is a URL besides a function's (see `cssBracket`): `@import`
 * (named with escapes or not) and whitespace (looked for in the 64 characters before it, so that CSS
 * is read once).
 */
const beforeUrlString = new RegExp(String.raw`@${cssName('import')}[\t\n\f\r ]*$`, 'i');

/** A URL escaped for a CSS string or an unquoted `url(`: quotes, brackets and backslashes. */
const escapeCss = (url: string): string => url.replace(/[\\"'()]/g, '\\$&');

/**
 * Where `written` (a string's or a `url(`'s content) is without the whitespace around it, which a
 * URL parser drops (`url(' https://… ')`): but for the one a hex escape ends with (`\31 `).
 */
function trimmedCss(written: string): { lead: number; trail: number } {
  let lead = 0;
  let trail = written.length;
  while (isSpace(written[lead])) lead++;
  while (trail > lead && isSpace(written[trail - 1])) trail--;
  if (trail < written.length && written.includes('\\'))
    for (const escape of written.matchAll(cssEscape)) trail = Math.max(trail, escape.index + escape[0].length);
  return { lead, trail };
}

/** The URLs of `urlsInText(text)`, `text` being the part of a longer text that starts at `offset`. */
function* urlsAt(text: string, offset: number): Generator<EmbeddedUrl> {
  for (const url of urlsInText(text)) yield { ...url, start: offset + url.start, end: offset + url.end };
}

/**
 * The URLs in `written` (CSS: a string's or a `url(`'s content), which starts at `offset`, as in
 * text, read with its escapes resolved (`https:\\2f \\2f …`), each over whole escapes and written
 * back escaped for CSS.
 */
function* urlsInCssText(written: string, offset: number): Generator<EmbeddedUrl> {
  const read = cssRead(written);
  for (const inner of urlsInText(read.text))
    yield {
      ...inner,
      start: offset + (read.from[inner.start] ?? 0),
      end: offset + (read.from[inner.end] ?? 0),
      write: (url) => escapeCss(inner.write(url)),
    };
}

/**
 * The URLs in `text`, CSS outside strings, `url(` and comments, which starts at `offset`: as in
 * text, and, where it holds escapes, as CSS reads it too (see `urlsInCssText`), in order.
 */
function urlsInBareCss(text: string, offset: number): EmbeddedUrl[] {
  const found = [...urlsAt(text, offset)];
  return text.includes('\\') ? inOrder([...found, ...urlsInCssText(text, offset)]) : found;
}

/**
 * The URLs in CSS (a `style` attribute, a `<style>` sheet): every unquoted `url(…)` and every string
 * without whitespace inside (the whitespace around it kept; the argument of `url(` or `@import`, and
 * a string of `image-set(` or `-webkit-image-set(` but not of a function inside (`type("image/png")`),
 * marked a `reference`, and read without the tabs and line breaks a URL parser drops), and the URLs inside each as in text, read with its escapes resolved (a
 * proxy's `?u=https%3A%2F%2F…`, a URL in a `content:` string's text), each written back escaped;
 * those in the text of a comment (`/* old hero: url(https://…) *\/`), which the email still holds;
 * and those anywhere else, as in text (a custom property's `--hero:https://…`, a bad `url((…))` a
 * browser skips).
 */
export function* urlsInCss(css: string): Generator<EmbeddedUrl> {
  let after = 0;
  // Whether each function open where a token starts (innermost last) takes URLs as strings.
  const open: boolean[] = [];
  for (const match of css.matchAll(cssToken)) {
    const bare = css.slice(after, match.index);
    yield* urlsInBareCss(bare, after);
    for (const bracket of bare.matchAll(cssBracket))
      if (bracket[0] === ')') open.pop();
      else open.push(bracket[1] !== undefined);
    after = match.index + match[0].length;
    const [, comment, double, single, unquoted] = match;
    if (comment !== undefined) {
      yield* urlsAt(comment, match.index + 2);
      continue;
    }
    if (unquoted !== undefined) open.push(true);
    const written = double ?? single ?? unquoted;
    if (!written) continue;
    // A string's content starts after its quote; a `url(`'s ends the match.
    const start = unquoted === undefined ? match.index + 1 : match.index + match[0].length - written.length;
    // A string is read whole only when it may be one URL: not `"https://… — thanks"` (`content:`).
    const { lead, trail } = trimmedCss(written);
    const read = unescapeCss(written.slice(lead, trail));
    const reference =
      open.at(-1) === true || beforeUrlString.test(css.slice(Math.max(0, match.index - 64), match.index));
    // A string loaded as a URL is one with tabs and line breaks inside (`\9 `, `&#9;`): a URL parser drops them.
    const url = reference ? read.replace(/[\t\n\r]/g, '') : read;
    if (unquoted !== undefined || !/[\t\n\f\r ]/.test(url.trim()))
      yield { start: start + lead, end: start + trail, url, write: escapeCss, reference };
    // The URLs inside it (`url(https://img.example.org/p?u=https%3A%2F%2F…)`), each over whole escapes.
    yield* urlsInCssText(written, start);
  }
  yield* urlsInBareCss(css.slice(after), after);
}
