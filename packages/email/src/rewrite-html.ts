import { html as htmlSpec, parse, type Token } from 'parse5';
import { attribute, nodes, type HtmlElement, type HtmlNode } from './html-tree.js';
import { pixelOffset } from './pixel-place.js';

/**
 * What an `<img>` is: not a pixel of the collector's (`other`), the pixel of this very message
 * (`this`), or a pixel signed for another message or by another signer, or unreadable (`stale`).
 */
export type PixelVerdict = 'other' | 'this' | 'stale';

/** What the HTML rewriter asks of the signer; the rewriter itself only finds and splices. */
export interface LinkPolicy {
  /** The new href for a link whose decoded href is `value`, or `undefined` to leave it as it is. */
  href(value: string): string | undefined;
  /** What the `<img>` whose decoded src is `value` is. */
  pixel(value: string): PixelVerdict;
  /** The src of this message's pixel, for a stale pixel or to append when there is none. */
  pixelUrl: string;
}

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The attribute a sender puts on a link to keep it out of click tracking. */
export const noTrackAttribute = 'data-optin-notrack';

interface Edit {
  start: number;
  end: number;
  text: string;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * The edit that replaces only the value of the attribute at `location` (its name, the `=`, the
 * whitespace and the quote character are kept). An unquoted value is given double quotes.
 */
function valueEdit(source: string, location: Token.Location, value: string): Edit | undefined {
  const raw = source.slice(location.startOffset, location.endOffset);
  const head = /^[^\s=]+\s*=\s*/.exec(raw);
  if (!head) return undefined;
  const start = location.startOffset + head[0].length;
  const quote = source[start];
  if (quote === '"' || quote === "'")
    return { start: start + 1, end: location.endOffset - 1, text: escapeAttribute(value) };
  return { start, end: location.endOffset, text: `"${escapeAttribute(value)}"` };
}

function* elements(node: HtmlNode): Generator<HtmlElement> {
  for (const n of nodes(node)) if ('tagName' in n) yield n;
}

/** The pixel element: 1×1, no alt text for screen readers to announce, no border or spacing. */
function pixelTag(url: string): string {
  return `<img src="${escapeAttribute(url)}" width="1" height="1" alt="" border="0" style="display:block;width:1px;height:1px;border:0;margin:0;padding:0" />`;
}

/**
 * Rewrites the hrefs of `<a>` and `<area>` (HTML namespace, `<template>` content included) as
 * `policy` decides, and leaves one pixel, this message's: the first pixel of this message is kept,
 * else the first stale pixel gets this message's src, else one is appended; every other pixel of
 * the collector's is removed. The document is parsed by parse5 (the WHATWG algorithm browsers
 * use) with source locations, and only attribute values (and removed pixels) are spliced: every
 * other byte of `source` is kept.
 */
export function rewriteDocument(source: string, policy: LinkPolicy): string {
  // parse5 7 throws on some runs of lone surrogates; U+FFFD is what a browser sees in their place,
  // and the swap keeps every offset (one UTF-16 unit for one) so the splice still applies to `source`.
  const root = parse(source.replace(loneSurrogate, '\uFFFD'), { sourceCodeLocationInfo: true });
  const edits: Edit[] = [];
  const found: Record<Exclude<PixelVerdict, 'other'>, HtmlElement[]> = { this: [], stale: [] };
  for (const element of elements(root)) {
    if (element.namespaceURI !== htmlSpec.NS.HTML) continue;
    const locations = element.sourceCodeLocation?.attrs;
    if (element.tagName === 'a' || element.tagName === 'area') {
      const href = attribute(element, 'href');
      const location = locations?.href;
      if (href === undefined || !location || attribute(element, noTrackAttribute) !== undefined) continue;
      const next = policy.href(href);
      const edit = next === undefined ? undefined : valueEdit(source, location, next);
      if (edit) edits.push(edit);
    } else if (element.tagName === 'img') {
      const src = attribute(element, 'src');
      if (src === undefined || !locations?.src) continue;
      const verdict = policy.pixel(src);
      if (verdict !== 'other') found[verdict].push(element);
    }
  }
  let kept = found.this[0];
  const stale = found.stale[0]?.sourceCodeLocation?.attrs?.src;
  const staleEdit = kept === undefined && stale ? valueEdit(source, stale, policy.pixelUrl) : undefined;
  if (staleEdit) {
    edits.push(staleEdit);
    kept = found.stale[0];
  } else if (kept === undefined) {
    const at = pixelOffset(source, root);
    edits.push({ start: at, end: at, text: pixelTag(policy.pixelUrl) });
  }
  for (const element of [...found.this, ...found.stale]) {
    const location = element.sourceCodeLocation;
    if (element !== kept && location) edits.push({ start: location.startOffset, end: location.endOffset, text: '' });
  }
  edits.sort((a, b) => a.start - b.start);
  const parts: string[] = [];
  let at = 0;
  for (const edit of edits) {
    parts.push(source.slice(at, edit.start), edit.text);
    at = edit.end;
  }
  parts.push(source.slice(at));
  return parts.join('');
}
