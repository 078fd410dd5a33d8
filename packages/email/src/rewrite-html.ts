import { html as htmlSpec, parse, type DefaultTreeAdapterMap, type Token } from 'parse5';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

/** What to do with an `<img>`: not ours, ours for this very message, or ours to re-sign. */
export type PixelVerdict = 'other' | 'keep' | { replace: string };

/** What the HTML rewriter asks of the signer; the rewriter itself only finds and splices. */
export interface LinkPolicy {
  /** The new href for a link whose decoded href is `value`, or `undefined` to leave it as it is. */
  href(value: string): string | undefined;
  /**
   * For an `<img src>`: `'other'` when it is not one of our pixels, `'keep'` when it is the pixel of
   * this very message, or the new src for a pixel of ours that was signed for another message.
   */
  pixel(value: string): PixelVerdict;
  /** The pixel URL to append when the document has none. */
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

function attribute(element: Element, name: string): string | undefined {
  return element.attrs.find((attr) => attr.name === name && attr.namespace === undefined)?.value;
}

function* elements(node: Node): Generator<Element> {
  for (const n of nodes(node)) if ('tagName' in n) yield n;
}

/** Elements whose text runs to the end of the document when their end tag is missing. */
const rawText = new Set([
  'textarea',
  'title',
  'script',
  'style',
  'xmp',
  'iframe',
  'noembed',
  'noframes',
  'noscript',
  'plaintext',
]);

/** Every node of `node`, in document order (`<template>` content included). */
function* nodes(node: Node): Generator<Node> {
  yield node;
  if ('tagName' in node && node.tagName === 'template')
    yield* nodes((node as DefaultTreeAdapterMap['template']).content);
  if ('childNodes' in node) for (const child of node.childNodes) yield* nodes(child);
}

/**
 * Where the pixel goes: before `</body>`, else before `</html>`, else at the very end, unless the
 * document ends inside a comment or an element left open whose text runs to the end (`<textarea>`,
 * `<title>`, ...): then before it, where a mail client still shows an image.
 */
function pixelOffset(source: string, root: DefaultTreeAdapterMap['document']): number {
  let htmlEnd: number | undefined;
  for (const node of nodes(root)) {
    const location = node.sourceCodeLocation;
    if (!location) continue;
    if (!('tagName' in node)) {
      if (node.nodeName === '#comment' && location.endOffset >= source.length && !/--!?>$/.test(source))
        return htmlEnd ?? location.startOffset;
      continue;
    }
    const end = (location as Token.ElementLocation).endTag?.startOffset;
    if (node.tagName === 'body' && end !== undefined) return end;
    if (node.tagName === 'html' && end !== undefined) htmlEnd = end;
    if (end === undefined && rawText.has(node.tagName)) return location.startOffset;
  }
  return htmlEnd ?? source.length;
}

/** The pixel element: 1×1, no alt text for screen readers to announce, no border or spacing. */
function pixelTag(url: string): string {
  return `<img src="${escapeAttribute(url)}" width="1" height="1" alt="" border="0" style="display:block;width:1px;height:1px;border:0;margin:0;padding:0" />`;
}

/**
 * Rewrites the hrefs of `<a>` and `<area>` (HTML namespace, `<template>` content included) and the
 * src of our own pixels, as `policy` decides, and appends one pixel when none of ours is there.
 * The document is parsed by parse5 (the WHATWG algorithm browsers use) with source locations, and
 * only attribute values are spliced: every other byte of `source` is kept.
 */
export function rewriteDocument(source: string, policy: LinkPolicy): string {
  // parse5 7 throws on some runs of lone surrogates; U+FFFD is what a browser sees in their place,
  // and the swap keeps every offset (one UTF-16 unit for one) so the splice still applies to `source`.
  const root = parse(source.replace(loneSurrogate, '\uFFFD'), { sourceCodeLocationInfo: true });
  const edits: Edit[] = [];
  let hasPixel = false;
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
      const location = locations?.src;
      if (src === undefined || !location) continue;
      const verdict = policy.pixel(src);
      if (verdict === 'other') continue;
      hasPixel = true;
      const edit = verdict === 'keep' ? undefined : valueEdit(source, location, verdict.replace);
      if (edit) edits.push(edit);
    }
  }
  if (!hasPixel) {
    const at = pixelOffset(source, root);
    edits.push({ start: at, end: at, text: pixelTag(policy.pixelUrl) });
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
