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
 * Something that may be an absolute or protocol-relative URL in text, a `srcset` or an SVG
 * attribute: `//` (or `\\`, which a browser reads the same) with the scheme before it, if any, up to
 * whitespace, a quote, a bracket, `<>`, or anything outside printable ASCII (a tracking URL is
 * ASCII: `&nbsp;`, `。` or an emoji after one is text). The scheme starts only where no scheme
 * character comes before it, so a long run of letters is scanned once, not once from each of its
 * characters.
 */
const urlLike = /(?:(?<![A-Za-z\d+.-])[A-Za-z][A-Za-z\d+.-]*:)?[\\/]{2}[^\0-\x20"'<>()[\]{}^`|\x7F-\uFFFF]*/g;

const isSpace = (char: string | undefined): boolean =>
  char === ' ' || char === '\t' || char === '\n' || char === '\f' || char === '\r';

/**
 * The URLs in `text`, with punctuation after one left out (`https://…/x.` at the end of a
 * sentence, `…/a.png,` before the next `srcset` candidate).
 */
export function* urlsInText(text: string): Generator<EmbeddedUrl> {
  for (const match of text.matchAll(urlLike)) {
    const url = match[0].replace(/[.,;:!?]+$/, '');
    yield { start: match.index, end: match.index + url.length, url, write: asIs };
  }
}

/** Where a URL may start: `//` (or `\\`), with the scheme before it, if any. */
const urlStart = /(?:(?<![A-Za-z\d+.-])[A-Za-z][A-Za-z\d+.-]*:)?[\\/]{2}/g;

/**
 * The URLs inside a URL (`https://x.org/share?url=https://t.edx.org/e/c/…`), nested or not: one
 * from each `//` after its own, in order, each up to where it would end in text. For a link's
 * target, which is short: the work grows with its length times the number of `//` in it.
 */
export function* urlsInUrl(url: string): Generator<EmbeddedUrl> {
  const first = url.indexOf('//');
  for (const start of url.slice(first + 2).matchAll(urlStart)) {
    const at = first + 2 + start.index;
    const [inner] = urlsInText(url.slice(at));
    if (inner?.start === 0) yield { ...inner, start: at, end: at + inner.end };
  }
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
