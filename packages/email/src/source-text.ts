import { parseFragment, type DefaultTreeAdapterMap } from 'parse5';

/**
 * How the parser reads a span of the source: an attribute value or text with character references
 * (`&amp;`, `&#x2F;`, ...), text in SVG or MathML, where `<![CDATA[…]]>` is text too, or raw text
 * (`<style>`, `<script>`, a comment) with none.
 */
export type SourceKind = 'attribute' | 'text' | 'foreign' | 'raw';

/** A span of the source as the parser reads it, and where each of its characters came from. */
export interface SourceText {
  /** The span as the parser reads it. */
  text: string;
  /** The source offset of the character at `index` of `text` (of the span's end for `text.length`). */
  offset: (index: number) => number;
  /**
   * The source offset right after the character before `index` (the span's start for 0): where a
   * part of `text` ending at `index` ends in the source, before anything read but not in `text`
   * (the `]]>` of a CDATA section).
   */
  endOffset: (index: number) => number;
}

type Element = DefaultTreeAdapterMap['element'];

/**
 * A character reference, or an `&` that starts none: what the tokenizer looks at after an `&`. The
 * longest name is 31 letters: 40 characters are enough to decide, and a long run is not parsed
 * again from each `&` before it.
 */
const reference = /&(?:#[xX][\da-fA-F]{0,40}|#\d{0,40}|[A-Za-z\d]{0,40});?/y;

/**
 * Reads spans of `input` (the source as parsed: lone surrogates already U+FFFD, offsets those of
 * the source) as the parser reads them. Character references are decoded by parse5 itself, so
 * that every rule of the HTML standard applies (`&notit;` is `¬it;` in text and stays as written
 * in an attribute, `&#128;` is `€`), each distinct one once.
 */
export function sourceReader(input: string): (start: number, end: number, kind: SourceKind) => SourceText {
  const decoded = new Map<string, string>();
  const decode = (written: string, inAttribute: boolean): string => {
    const key = `${inAttribute ? 'a' : 't'}${written}`;
    let value = decoded.get(key);
    if (value === undefined) {
      // `written` holds only `&`, `#`, `;`, `=`, letters and digits: safe inside quotes or a textarea.
      const [node] = parseFragment(inAttribute ? `<a x="${written}">` : `<textarea>${written}`).childNodes;
      const element = node as Element;
      value = inAttribute
        ? (element.attrs[0]?.value ?? '')
        : ((element.childNodes[0] as DefaultTreeAdapterMap['textNode'] | undefined)?.value ?? '');
      decoded.set(key, value);
    }
    return value;
  };

  return (start, end, kind) => {
    let text = '';
    const offsets: number[] = [];
    const ends: number[] = [];
    const emit = (chars: string, at: number, after: number) => {
      text += chars;
      for (let n = 0; n < chars.length; n++) {
        offsets.push(at);
        ends.push(after);
      }
    };
    for (let at = start; at < end;) {
      const char = input.charAt(at);
      if (char === '\r') {
        // CR LF and a lone CR are one line feed.
        const length = input[at + 1] === '\n' && at + 1 < end ? 2 : 1;
        emit('\n', at, at + length);
        at += length;
      } else if (char === '\0') {
        emit('\uFFFD', at, at + 1);
        at++;
      } else if (char === '&' && kind !== 'raw') {
        reference.lastIndex = at;
        const written = (reference.exec(input)?.[0] ?? '&').slice(0, end - at);
        // In an attribute a reference without `;` followed by `=` stays as written: the `=` decides.
        const context = kind === 'attribute' && input[at + written.length] === '=' ? `${written}=` : written;
        const value = decode(context, kind === 'attribute');
        const length = value === context ? 1 : consumed(context, value);
        emit(value === context ? '&' : value.slice(0, value.length - (context.length - length)), at, at + length);
        at += length;
      } else if (kind === 'foreign' && input.startsWith('<![CDATA[', at)) {
        const close = input.indexOf(']]>', at + 9);
        const contentEnd = close === -1 || close > end ? end : close;
        for (let n = at + 9; n < contentEnd; n++)
          if (input[n] !== '\r' || input[n + 1] !== '\n') emit(input[n] === '\r' ? '\n' : input.charAt(n), n, n + 1);
        at = close === -1 || close > end ? end : close + 3;
      } else {
        emit(char, at, at + 1);
        at++;
      }
    }
    return {
      text,
      offset: (index) => offsets[index] ?? end,
      endOffset: (index) => (index > 0 ? (ends[index - 1] ?? end) : start),
    };
  };
}

/**
 * How many characters of `written` the reference decoded into `value` took: the rest of `written`
 * is at the end of `value` as written, after the one or two characters the reference stands for.
 */
function consumed(written: string, value: string): number {
  for (const chars of [1, 2]) {
    const rest = value.length - chars;
    if (rest >= 0 && rest < written.length && value.endsWith(written.slice(written.length - rest)))
      return written.length - rest;
  }
  return written.length;
}
