import { html as htmlSpec, type Token } from 'parse5';
import { attribute, nodes, type HtmlElement, type HtmlNode } from './html-tree.js';
import { parseEmail } from './parse-email.js';
import { pixelOffset } from './pixel-place.js';
import { httpUrl } from './target-url.js';

/**
 * What an `<img>` is: not a pixel of the collector's (`other`), the pixel of this very message
 * (`this`), or a pixel signed for another message or by another signer, or unreadable (`stale`).
 */
export type PixelVerdict = 'other' | 'this' | 'stale';

/** What the HTML rewriter asks of the signer; the rewriter itself only finds and splices. */
export interface LinkPolicy {
  /**
   * The new href for a link whose decoded href is `value`, or `undefined` to leave it as it is.
   * `base` is the document's base URL, to resolve a relative `value` against, if it has one;
   * `where` is the href's place in the source (`line 4, column 6`), for an error about it.
   */
  href(value: string, base: string | undefined, where: string): string | undefined;
  /** What the `<img>` whose decoded src is `value` is. */
  pixel(value: string): PixelVerdict;
  /** The src of this message's pixel, for a stale pixel or to append when there is none. */
  pixelUrl: string;
}

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
 * An attribute as the HTML tokenizer reads it from where its name starts: the name, `=` with the
 * whitespace around it, and the value, double-quoted, single-quoted, or up to whitespace or `>`.
 */
const attributeSyntax = /[^\t\n\f\r />=]+[\t\n\f\r ]*=[\t\n\f\r ]*(?:"[^"]*"|'[^']*'|[^\t\n\f\r >]*)/y;

/**
 * The edit that replaces only the value of the attribute starting at `location` (its name, the
 * `=`, the whitespace and the quote character are kept). An unquoted value is given double quotes.
 * The value's end is read from the source: parse5 ends the location of an attribute followed by
 * another without a space between (`href="…"target=…`) after its name.
 */
function valueEdit(source: string, location: Token.Location, value: string): Edit | undefined {
  attributeSyntax.lastIndex = location.startOffset;
  const raw = attributeSyntax.exec(source)?.[0];
  const head = raw === undefined ? undefined : /^[^=]+=[\t\n\f\r ]*/.exec(raw);
  if (raw === undefined || !head) return undefined;
  const start = location.startOffset + head[0].length;
  const end = location.startOffset + raw.length;
  const quote = source[start];
  if (quote === '"' || quote === "'") return { start: start + 1, end: end - 1, text: escapeAttribute(value) };
  return { start, end, text: `"${escapeAttribute(value)}"` };
}

function* elements(node: HtmlNode): Generator<HtmlElement> {
  for (const n of nodes(node)) if ('tagName' in n) yield n;
}

/** Whether `element` is in the document `root` itself, not in the content of a `<template>`. */
function inDocument(element: HtmlElement, root: HtmlNode): boolean {
  let node: HtmlNode = element;
  while ('parentNode' in node && node.parentNode) node = node.parentNode;
  return node === root;
}

/**
 * The document's base URL, as a mail client that honours `<base>` resolves links: the href of the
 * first `<base href>` of the document, when it is an absolute http(s) URL (an email has no URL of
 * its own to resolve a relative one against).
 */
function documentBase(root: HtmlNode): string | undefined {
  for (const element of elements(root)) {
    const href = element.tagName === 'base' ? attribute(element, 'href') : undefined;
    if (href !== undefined && element.namespaceURI === htmlSpec.NS.HTML && inDocument(element, root))
      return httpUrl(href);
  }
  return undefined;
}

/** An href that is only a fragment (`#top`) or empty: a place in the email itself, never resolved against a base. */
const inThisEmail = /^[\0-\x20]*(?:#|$)/;

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
  const parsed = parseEmail(source);
  const { root } = parsed;
  const base = documentBase(root);
  const edits: Edit[] = [];
  const found: Record<Exclude<PixelVerdict, 'other'>, HtmlElement[]> = { this: [], stale: [] };
  // The parser re-opens an `<a>` left open across `</b>`, `<p>`, `<li>`, ...: several elements, one
  // source tag. Its href is spliced once (twice would glue two URLs into one broken link).
  const rewritten = new Set<number>();
  for (const element of elements(root)) {
    if (element.namespaceURI !== htmlSpec.NS.HTML) continue;
    const locations = element.sourceCodeLocation?.attrs;
    if (element.tagName === 'a' || element.tagName === 'area') {
      const href = attribute(element, 'href');
      const location = locations?.href;
      if (href === undefined || !location || attribute(element, noTrackAttribute) !== undefined) continue;
      if (rewritten.has(location.startOffset)) continue;
      rewritten.add(location.startOffset);
      const where = `line ${location.startLine}, column ${location.startCol}`;
      const next = policy.href(href, inThisEmail.test(href) ? undefined : base, where);
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
    const at = pixelOffset(source, parsed);
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
