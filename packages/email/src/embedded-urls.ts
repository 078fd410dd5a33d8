/** A URL written inside a longer text: where (indices into the text), and the URL it stands for. */
export interface EmbeddedUrl {
  start: number;
  end: number;
  url: string;
  /** How a new URL is written in its place. */
  write: (url: string) => string;
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
 * Something that may be an absolute or protocol-relative URL in text, a `srcset` or an SVG
 * attribute: `//` (or `\\`, which a browser reads the same) with the scheme before it, if any, up to
 * whitespace, a quote, a bracket, `<>`, or anything outside printable ASCII (a tracking URL is
 * ASCII: `&nbsp;`, `。` or an emoji after one is text).
 */
const urlLike = new RegExp(String.raw`${scheme}[\\/]{2}[^\0-\x20"'<>()[\]{}^\x60|\x7F-\uFFFF]*`, 'g');

const isSpace = (char: string | undefined): boolean =>
  char === ' ' || char === '\t' || char === '\n' || char === '\f' || char === '\r';

/**
 * Where an http(s) URL percent-encoded as a query value starts (`?u=https%3A%2F%2Ft.edx.org%2F…`,
 * a share button's), encoded once, twice (`%253A`) or three times.
 */
const encodedStart = /https?%(?:25){0,2}3A%(?:25){0,2}2F%(?:25){0,2}2F/gi;

/** The longest encoded URL read (a tracking URL is at most a few kilobytes, encoded at most three times). */
const maxEncodedLength = 8192;

/** The rest of an encoded URL: up to `&`, `#`, or where a URL ends in text. */
const encodedRest = /[^&#\0-\x20"'<>()[\]{}^\x60|\x7F-\uFFFF]*/y;

/**
 * `text` with its `%XX` escapes decoded, and where each character of it was in what `from` maps
 * (`from[i]` for `text[i]`, one more at the end). A byte outside ASCII is U+FFFD: it ends a URL.
 */
function percentDecoded(text: string, from: readonly number[]): [string, number[]] {
  let out = '';
  const at: number[] = [];
  for (let n = 0; n < text.length;) {
    const code =
      text[n] === '%' && isHex(text[n + 1]) && isHex(text[n + 2]) ? parseInt(text.slice(n + 1, n + 3), 16) : -1;
    out += code < 0 ? text.charAt(n) : code < 0x80 ? String.fromCharCode(code) : '\uFFFD';
    at.push(from[n] ?? 0);
    n += code < 0 ? 1 : 3;
  }
  at.push(from[text.length] ?? 0);
  return [out, at];
}

const isHex = (char: string | undefined): boolean => char !== undefined && /^[\da-fA-F]$/.test(char);

/**
 * The percent-encoded URLs in `text`, one from each start (one inside another too), each decoded
 * as often as it was encoded and written back encoded as often; one that does not decode to an
 * http(s) URL is skipped.
 */
function* encodedUrls(text: string): Generator<EmbeddedUrl> {
  // Every start in one run of URL characters ends where the run ends: it is scanned once.
  let runEnd = 0;
  for (const match of text.matchAll(encodedStart)) {
    if (match.index + match[0].length > runEnd) {
      encodedRest.lastIndex = match.index + match[0].length;
      runEnd = encodedRest.lastIndex + (encodedRest.exec(text)?.[0].length ?? 0);
    }
    // Longer than any tracking URL encoded three times: left as it is, not decoded.
    if (runEnd - match.index > maxEncodedLength) continue;
    const times = 1 + (/%((?:25)*)3A/i.exec(match[0])?.[1]?.length ?? 0) / 2;
    // Decoded as often as it was encoded, each character with where it was written.
    let decoded = text.slice(match.index, runEnd);
    let from = Array.from({ length: decoded.length + 1 }, (_, n) => n);
    for (let n = 0; n < times; n++) [decoded, from] = percentDecoded(decoded, from);
    // The URL ends, decoded, where it would end in text (`%20ok` after it is text).
    const url = (/^[^\0-\x20"'<>()[\]{}^\x60|\x7F-\uFFFF]*/.exec(decoded)?.[0] ?? '').replace(/[.,;:!?]+$/, '');
    if (!/^https?:\/\//i.test(url)) continue;
    const written = text.slice(match.index, match.index + (from[url.length] ?? 0));
    const write = (next: string): string => {
      let out = next;
      for (let n = 0; n < times; n++) out = encodeURIComponent(out);
      return out;
    };
    yield { start: match.index, end: match.index + written.length, url, write };
  }
}

/**
 * `found` in order of where each starts. One inside another is kept: a URL decoded from another
 * that is no tracking URL (a share link, encoded once, with a tracking URL encoded twice inside it).
 */
const inOrder = (found: EmbeddedUrl[]): EmbeddedUrl[] => found.sort((a, b) => a.start - b.start);

/**
 * The URLs in `text`, with punctuation after one left out (`https://…/x.` at the end of a
 * sentence, `…/a.png,` before the next `srcset` candidate), percent-encoded ones among them.
 */
export function urlsInText(text: string): EmbeddedUrl[] {
  return inOrder([...literalUrls(text), ...encodedUrls(text)]);
}

/** The URLs written as such (not percent-encoded) in `text`. */
function* literalUrls(text: string): Generator<EmbeddedUrl> {
  for (const match of text.matchAll(urlLike)) {
    // `//` right after a `:` the scheme was not read from (`a+b://`): some other scheme's, left out.
    if (text[match.index - 1] === ':' && /^[\\/]/.test(match[0])) continue;
    const url = match[0].replace(/[.,;:!?]+$/, '');
    yield { start: match.index, end: match.index + url.length, url, write: asIs };
  }
}

/** Where a URL may start: `//` (or `\\`), with the scheme before it, if any. */
const urlStart = new RegExp(String.raw`${scheme}[\\/]{2}`, 'g');

/**
 * The URLs inside a URL (`https://x.org/share?url=https://t.edx.org/e/c/…`), nested or not: one
 * from each `//` after its own, in order, each up to where it would end in text, and one that is a
 * parameter's value (after `=`) up to the next `&` or `#` too (`?url=…&title=…`). For a link's
 * target, which is short: the work grows with its length times the number of `//` in it.
 */
export function urlsInUrl(url: string): EmbeddedUrl[] {
  const first = url.indexOf('//');
  const found: EmbeddedUrl[] = [...encodedUrls(url)];
  for (const start of url.slice(first + 2).matchAll(urlStart)) {
    const at = first + 2 + start.index;
    const rest = url.slice(at);
    const [inner] = literalUrls(url[at - 1] === '=' ? rest.replace(/[&#][\s\S]*/, '') : rest);
    if (inner?.start === 0) found.push({ ...inner, start: at, end: at + inner.end });
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
 * In CSS, what is read whole: a comment (skipped), a string (`"…"` or `'…'`, up to its quote or the
 * end of its line), or the unquoted argument of `url(`; each with its backslash escapes (in `url(`,
 * a hex escape takes the one whitespace after it: `\3a /`).
 */
const cssToken =
  /\/\*[\s\S]*?(?:\*\/|$)|"((?:[^"\\\n\r\f]|\\[\s\S])*)"?|'((?:[^'\\\n\r\f]|\\[\s\S])*)'?|(?<![\w-])url\([\t\n\f\r ]*((?:[^"'()\\\t\n\f\r ]|\\[\da-fA-F]{1,6}[\t\n\f\r ]?|\\[\s\S])*)/gi;

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

/** A URL escaped for a CSS string or an unquoted `url(`: quotes, brackets and backslashes. */
const escapeCss = (url: string): string => url.replace(/[\\"'()]/g, '\\$&');

/** The URLs in CSS (a `style` attribute, a `<style>` sheet): every string and every unquoted `url(…)`. */
export function* urlsInCss(css: string): Generator<EmbeddedUrl> {
  for (const match of css.matchAll(cssToken)) {
    const [, double, single, unquoted] = match;
    const written = double ?? single ?? unquoted;
    if (!written) continue; // a comment, or nothing
    // A string's content starts after its quote; a `url(`'s ends the match.
    const start = unquoted === undefined ? match.index + 1 : match.index + match[0].length - written.length;
    yield { start, end: start + written.length, url: unescapeCss(written), write: escapeCss };
  }
}
