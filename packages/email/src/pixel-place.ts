import { html as htmlSpec, type Token } from 'parse5';
import { attribute, childrenOf, nodes, type HtmlElement, type HtmlNode } from './html-tree.js';
import type { ParsedEmail } from './parse-email.js';

/** Elements whose text runs to the end of the document when their end tag is missing. */
const rawText = ['textarea', 'title', 'script', 'style', 'xmp', 'iframe', 'noembed', 'noframes', 'plaintext'];

/**
 * Elements whose content a mail client does not show: raw text, a `<select>` (an `<img>` in it is
 * dropped by the parser), `<template>` content, the fallback content of media and embeds, the
 * unrendered `<datalist>` and `<rp>`, and a `<frameset>`; and `<noscript>`, whose content a client
 * without scripts shows but webmail drops.
 */
const hidingTags = new Set([
  ...rawText,
  'noscript',
  'select',
  'datalist',
  'template',
  'audio',
  'video',
  'canvas',
  'object',
  'rp',
  'frameset',
]);

const htmlNs = htmlSpec.NS.HTML;

const displayNone = /(?:^|[;\s])display\s*:\s*none\b/i;

/** Whether the content of `element` is not shown: by its kind, closed (`<details>`, `<dialog>`), `hidden` or `display:none`. */
function hides(element: HtmlElement): boolean {
  // In SVG or MathML a `<template>`, `<title>` or `<style>` is an element like any other.
  if (element.namespaceURI !== htmlNs) return false;
  if (hidingTags.has(element.tagName)) return true;
  if ((element.tagName === 'details' || element.tagName === 'dialog') && attribute(element, 'open') === undefined)
    return true;
  return attribute(element, 'hidden') !== undefined || displayNone.test(attribute(element, 'style') ?? '');
}

/** Whether `node` has content before `at`: it starts before it, or (an element the parser implied) has children. */
const startsBefore = (node: HtmlNode, at: number): boolean =>
  node.sourceCodeLocation ? node.sourceCodeLocation.startOffset < at : childrenOf(node).length > 0;

/** Where `node` starts in the source; for one the parser implied, where its content does (`-1`: none). */
function startOf(node: HtmlNode): number {
  for (let next: HtmlNode | undefined = node; next; next = childrenOf(next)[0])
    if (next.sourceCodeLocation) return next.sourceCodeLocation.startOffset;
  return -1;
}

/**
 * The elements still open at offset `at` of the source, outermost first: what a tag inserted there
 * lands inside. From the document down, each is the child that starts last before `at` (in the
 * source: one foster-parented out of a `<table>` comes before it in the document, yet starts after
 * it), as long as its end tag (if it has one) is not before `at`.
 */
function* openAt({ root, endTagStart }: ParsedEmail, at: number): Generator<HtmlElement> {
  for (let node: HtmlNode = root; ;) {
    let last: HtmlNode | undefined;
    for (const child of childrenOf(node))
      if (startsBefore(child, at) && (!last || startOf(child) >= startOf(last))) last = child;
    if (!last || !('tagName' in last)) return;
    const end = endTagStart(last);
    if (end !== undefined && end < at) return;
    yield last;
    node = last;
  }
}

/**
 * Where the pixel goes: before `</body>`, else before `</html>`, else at the very end, or before a
 * comment left open at the end; and, if that spot is inside an element whose content is not shown
 * (left open: `<textarea>`, `<title>`, `<select>`, `<template>`, `<video>`, a `hidden` `<div>`,
 * ...) or inside an `<svg>` or `<math>`, before the outermost such element, where a mail client
 * still loads it.
 */
export function pixelOffset(source: string, parsed: ParsedEmail): number {
  const { root, endTagStart } = parsed;
  const html = root.childNodes.find((node) => node.nodeName === 'html');
  const body = html && 'childNodes' in html ? html.childNodes.find((node) => node.nodeName === 'body') : undefined;
  let at = Math.min(endTagStart(body) ?? endTagStart(html) ?? source.length, parsed.unfinishedTag ?? Infinity);
  const comment = [...nodes(root)].find(
    (node) => node.nodeName === '#comment' && (node.sourceCodeLocation?.endOffset ?? 0) >= source.length,
  );
  if (comment?.sourceCodeLocation && at > comment.sourceCodeLocation.startOffset && !/--!?>$/.test(source))
    at = comment.sourceCodeLocation.startOffset;
  // Inside an `<svg>` or `<math>` (an SVG `<title>`, `<text>`, ...), the pixel is not shown: it goes
  // before the outermost one, as before the outermost element that hides.
  for (const element of openAt(parsed, at))
    if ((hides(element) || element.namespaceURI !== htmlNs) && element.sourceCodeLocation) {
      at = element.sourceCodeLocation.startOffset;
      break;
    }
  // A tag at `at` may have closed an element that hides (`<select>…<textarea>` closes the select):
  // inserted before that tag, the pixel would still be inside it.
  // Walked once: latest start first, `at` only moves back, so an element passed over starts at or
  // after where `at` ends up (quadratic if every move re-walked the document).
  // The text of a raw-text element without its end tag runs to the end of the source, whatever end
  // parse5 gives it (its start, for one foster-parented out of a `<table>`).
  const unclosed: Token.Location[] = [];
  for (const node of nodes(root)) {
    const location = node.sourceCodeLocation as Token.ElementLocation | null | undefined;
    if ('tagName' in node && location && !location.endTag && (hides(node) || node.namespaceURI !== htmlNs))
      unclosed.push(
        node.namespaceURI === htmlNs && rawText.includes(node.tagName)
          ? { ...location, endOffset: Infinity }
          : location,
      );
  }
  unclosed.sort((a, b) => b.startOffset - a.startOffset);
  for (const { startOffset, endOffset } of unclosed) if (startOffset < at && endOffset >= at) at = startOffset;
  return at;
}
