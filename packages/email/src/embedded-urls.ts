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
 * whitespace, a quote, a bracket or `<>`. The scheme starts only where no scheme character comes
 * before it, so a long run of letters is scanned once, not once from each of its characters.
 */
const urlLike = /(?:(?<![A-Za-z\d+.-])[A-Za-z][A-Za-z\d+.-]*:)?[\\/]{2}[^\t\n\f\r "'<>()[\]{}^`|]*/g;

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
