import { html as htmlSpec, type Token } from 'parse5';
import { urlsInAttribute, urlsInComment, urlsInCss, urlsInText, type EmbeddedUrl } from './embedded-urls.js';
import { attribute, nodes, type HtmlElement, type HtmlNode } from './html-tree.js';
import { parseEmail, type Span, type StartTag } from './parse-email.js';
import { pixelOffset } from './pixel-place.js';
import { transparentGif } from './responses.js';
import { sourceReader, type SourceKind, type SourceText } from './source-text.js';
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
  /**
   * The new href for a `data-optin-notrack` link whose decoded href is `value` (`base` and `where`
   * as for `href`), or `undefined` to leave it as it is: the sender's opt-out of tracking, so never
   * a click URL, but one to the click endpoint (copied from an email tracked before) would still
   * record the click as the one it was signed for.
   */
  notrack(value: string, base: string | undefined, where: string): string | undefined;
  /** What the `<img>` whose decoded src is `value` (resolved against `base`, if given) is. */
  pixel(value: string, base: string | undefined): PixelVerdict;
  /**
   * The src of this message's pixel, for a stale pixel or to append when there is none; `undefined`
   * for no pixel at all: every pixel of the collector's is removed (HTML sent untracked).
   */
  pixelUrl: string | undefined;
  /**
   * The new URL for `url` (absolute or protocol-relative; a relative one in a URL attribute, a
   * `srcset` or a CSS `url(` or `@import` is given resolved against the document's base), written
   * anywhere but an `<a>`/`<area>` href or a pixel's src: in another attribute, CSS, text or a
   * comment; `null` for a tracking URL left as it is (this message's own, or one that cannot be read
   * with certainty); `undefined` for no tracking URL. `open` is what an open URL of another message becomes there; `where` is as for
   * `href`, for the `unreadable_token` it may throw. `tracked` is `false` in the href of a
   * `data-optin-notrack` link: a click URL there becomes its target, never a click URL again.
   */
  embedded(url: string, open: string, where: string, tracked: boolean): string | null | undefined;
}

/**
 * What an open URL of another message becomes outside the one pixel: the 1×1 transparent GIF the
 * open endpoint answers, written in place, so the email looks the same, loads nothing and counts
 * no second open (the collector records every request to the pixel).
 */
export const blankImage = `data:image/gif;base64,${Buffer.from(transparentGif()).toString('base64')}`;

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

const escapeText = (value: string): string => value.replace(/&/g, '&amp;').replace(/</g, '&lt;');

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
  const span = valueSpan(source, location);
  if (!span) return undefined;
  if (span.quoted) return { start: span.start, end: span.end, text: escapeAttribute(value) };
  return { start: span.start, end: span.end, text: `"${escapeAttribute(value)}"` };
}

/** Where the value of the attribute starting at `location` is in the source, inside its quotes if it has them. */
function valueSpan(
  source: string,
  location: Token.Location,
): { start: number; end: number; quoted: boolean } | undefined {
  attributeSyntax.lastIndex = location.startOffset;
  const raw = attributeSyntax.exec(source)?.[0];
  const head = raw === undefined ? undefined : /^[^=]+=[\t\n\f\r ]*/.exec(raw);
  if (raw === undefined || !head) return undefined;
  const start = location.startOffset + head[0].length;
  const end = location.startOffset + raw.length;
  const quote = source[start];
  if (quote === '"' || quote === "'") return { start: start + 1, end: end - 1, quoted: true };
  return { start, end, quoted: false };
}

/** A URL found in a text, with what replaces it. */
type Replaced = EmbeddedUrl & { next: string };

/** `text` with each URL of `replaced` (found in it) in place. */
function splice(text: string, replaced: readonly Replaced[]): string {
  let out = '';
  let at = 0;
  for (const url of replaced) {
    out += text.slice(at, url.start) + url.write(url.next);
    at = url.end;
  }
  return out + text.slice(at);
}

/** Adds to `edits` those that put each URL of `replaced` (found in `read.text`) in place in the source. */
function spanEdits(edits: Edit[], read: SourceText, replaced: readonly Replaced[], escape: (text: string) => string) {
  for (const url of replaced)
    edits.push({ start: read.offset(url.start), end: read.endOffset(url.end), text: escape(url.write(url.next)) });
}

/** How the URLs of a text are found in it. */
type UrlFinder = (text: string) => Iterable<EmbeddedUrl>;

/**
 * The attributes whose value is a URL: one wrapped across lines there is read whole (a URL parser
 * drops the line breaks); in any other (`alt`, `title`, `data-*`), a line break ends a URL, as in text.
 */
const urlAttributes = new Set([
  'action',
  'background',
  'cite',
  'codebase',
  'data',
  'dynsrc',
  'formaction',
  'href',
  'icon',
  'longdesc',
  'lowsrc',
  'manifest',
  'ping',
  'poster',
  'src',
  'usemap',
  'xlink:href',
]);

/** The attributes whose value is a list of image candidates: a URL, then descriptors, separated by commas. */
const srcsetAttributes = new Set(['srcset', 'imagesrcset']);

/**
 * Where each URL of a `srcset` value is, as the HTML standard splits it: a run of non-whitespace
 * after whitespace and commas (without the commas ending it, which end the candidate), then
 * descriptors up to a comma outside parentheses.
 */
function* srcsetCandidates(value: string): Generator<{ start: number; end: number }> {
  const candidate = /[\t\n\f\r ,]*([^\t\n\f\r ]*)/y;
  const descriptors = /(?:[^,(]|\([^)]*\)?)*/y;
  for (let at = 0; at < value.length;) {
    candidate.lastIndex = at;
    const [run = '', url = ''] = candidate.exec(value) ?? [];
    at += run.length;
    if (url === '') return;
    const start = at - url.length;
    const end = at - (/,+$/.exec(url)?.[0].length ?? 0);
    if (end === at) {
      descriptors.lastIndex = at;
      at += descriptors.exec(value)?.[0].length ?? 0;
    }
    yield { start, end };
  }
}

/**
 * The relative URLs of the attribute `name` (a URL attribute's whole value, each `srcset`
 * candidate), resolved against the document's `base`: a mail client that honours `<base href>`
 * loads `<img src="e/o/…">` from there, so a tracking URL may be written so.
 */
function* relativeUrls(name: string, value: string, base: string): Generator<EmbeddedUrl> {
  const spans = srcsetAttributes.has(name)
    ? srcsetCandidates(value)
    : urlAttributes.has(name)
      ? [{ start: value.search(/[^\t\n\f\r ]|$/), end: value.search(/[\t\n\f\r ]*$/) }]
      : [];
  for (const { start, end } of spans) {
    const url = relativeUrl(value.slice(start, end), base);
    if (url !== undefined) yield { start, end, url, write: (next) => next };
  }
}

/**
 * `written` (a URL attribute's value, a `srcset` candidate, a CSS `url(`) resolved against the
 * document's `base`, if it is a relative http(s) URL: an absolute or protocol-relative one is found
 * as in text, and an anchor or empty value is the email itself.
 */
function relativeUrl(written: string, base: string): string | undefined {
  if (/^[^/?#\\]*:|^[\\/]{2}/.test(written) || inThisEmail.test(written)) return undefined;
  return httpUrl(written, base);
}

/**
 * How the URLs of CSS are found (see `urlsInCss`); under a `<base href>`, the argument of each
 * `url(` or `@import` written relative read resolved against it, as a mail client that honours it
 * loads it.
 */
const urlsOfCss = (base: string | undefined): UrlFinder =>
  base === undefined
    ? urlsInCss
    : (css) =>
        Array.from(urlsInCss(css), (url) => {
          const resolved = url.reference ? relativeUrl(url.url, base) : undefined;
          return resolved === undefined ? url : { ...url, url: resolved };
        });

/**
 * How the URLs of the attribute `name` are found: CSS in `style` (see `urlsOfCss`), a URL
 * attribute's as one value, else as text; and, under a `<base href>`, the relative ones (see
 * `relativeUrls`), in order.
 */
const urlsOf = (name: string, base: string | undefined): UrlFinder => {
  if (name === 'style') return urlsOfCss(base);
  const find = urlAttributes.has(name) ? urlsInAttribute : urlsInText;
  return base === undefined
    ? find
    : (value) => [...relativeUrls(name, value, base), ...find(value)].sort((a, b) => a.start - b.start);
};

/** The one of `spans` (in source order, none inside another) that `offset` is inside, if any. */
function spanAt(spans: readonly Span[], offset: number): Span | undefined {
  let low = 0;
  let high = spans.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((spans[middle]?.startOffset ?? Infinity) <= offset) low = middle + 1;
    else high = middle;
  }
  const span = spans[low - 1];
  return span !== undefined && offset < span.endOffset ? span : undefined;
}

/** Elements whose content is raw text: no character references, no tags. */
const rawTextTags = new Set(['style', 'script', 'xmp', 'iframe', 'noembed', 'noframes', 'plaintext']);

/** A place in the source, for an error about what is there. */
const placeOf = (location: Token.Location): string => `line ${location.startLine}, column ${location.startCol}`;

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
 * the collector's is removed (every one, when `policy.pixelUrl` is `undefined`). Every other URL in
 * the document (in any attribute, in CSS, in text or in a comment) is replaced as `policy.embedded`
 * decides. The document is parsed by parse5 (the
 * WHATWG algorithm browsers use) with source locations, and only attribute values, URLs (and
 * removed pixels) are spliced: every other byte of `source` is kept.
 */
export function rewriteDocument(source: string, policy: LinkPolicy): string {
  const parsed = parseEmail(source);
  const { root } = parsed;
  const read = sourceReader(parsed.input);
  const base = documentBase(root);
  const edits: Edit[] = [];
  const found: Record<Exclude<PixelVerdict, 'other'>, HtmlElement[]> = { this: [], stale: [] };
  // The parser re-opens an `<a>` left open across `</b>`, `<p>`, `<li>`, ...: several elements, one
  // source tag. Its href is spliced once (twice would glue two URLs into one broken link).
  const rewritten = new Set<number>();
  // Where the hrefs the link policy rewrote start: no other URL is looked for in them (any other href
  // is read as any attribute: a `mailto:` holds URLs too).
  const linkHrefs = new Set<number>();
  // Where the hrefs of `data-optin-notrack` links the policy left start: the URLs in them are read as
  // in any attribute, but never tracked (see `LinkPolicy.embedded`).
  const notrackHrefs = new Set<number>();

  /**
   * The URLs of `text` (found by `find`, and kept by `keep`: in the text itself) that `policy`
   * replaces, with what replaces each (`tracked` as for `LinkPolicy.embedded`).
   */
  const replacedIn = (
    text: string,
    find: UrlFinder,
    open: string,
    where: string,
    keep: (url: EmbeddedUrl) => boolean = () => true,
    tracked = true,
  ): Replaced[] => {
    if (!/[\\/%]/.test(text)) return [];
    const replaced: Replaced[] = [];
    // A URL inside a tracking URL (an attribute's whole value), replaced or left, goes with it; but
    // for one left as it is (its token unreadable), those in its query or fragment are looked for
    // (`…/e/c/made-up?u=<tracking URL>`).
    let covered = 0;
    // The Proofpoint v3 wrappers a URL was replaced in: their lists are written again.
    const rewrapped = new Set<object>();
    for (const url of find(text)) {
      if (url.start < covered || !keep(url)) continue;
      if (url.listOf) {
        if (rewrapped.has(url.listOf)) replaced.push({ ...url, next: '' });
        continue;
      }
      const next = policy.embedded(url.url, open, where, tracked);
      if (next === undefined) continue;
      const query = url.url.search(/[?#]/);
      covered = next === null && query >= 0 ? url.start + query : url.end;
      if (next !== null) replaced.push({ ...url, next });
      if (next !== null && url.wrapper) rewrapped.add(url.wrapper);
    }
    return replaced;
  };

  /** Edits the URLs in the attributes of `tag` but those starting at `skip`, another message's open URLs becoming `open`. */
  const editAttributes = (tag: StartTag, skip: ReadonlySet<number>, open: string): void => {
    for (const { name, value, location } of tag.attrs) {
      const at = location.startOffset;
      const replaced = skip.has(at)
        ? []
        : replacedIn(value, urlsOf(name, base), open, placeOf(location), undefined, !notrackHrefs.has(at));
      const span = replaced.length > 0 ? valueSpan(source, location) : undefined;
      if (!span) continue;
      const text = read(span.start, span.end, 'attribute');
      if (text.text === value) spanEdits(edits, text, replaced, escapeAttribute);
      else {
        // Read otherwise than the parser read it (never seen): the whole value is written anew.
        const edit = valueEdit(source, location, splice(value, replaced));
        if (edit) edits.push(edit);
      }
    }
  };

  /** Edits the URLs in a text node or comment. */
  const editContent = (node: HtmlNode, text: string, parent: HtmlNode | null): void => {
    const location = node.sourceCodeLocation;
    if (!location) return;
    const comment = node.nodeName === '#comment';
    const element = parent && 'tagName' in parent ? parent : undefined;
    const find = comment ? urlsInComment : element?.tagName === 'style' ? urlsOfCss(base) : urlsInText;
    const kind: SourceKind =
      comment || (element?.namespaceURI === htmlSpec.NS.HTML && rawTextTags.has(element.tagName))
        ? 'raw'
        : element && element.namespaceURI !== htmlSpec.NS.HTML
          ? 'foreign'
          : 'text';
    const where = placeOf(location);
    // Text the parser put together from more than one place (foster-parented out of a table, or
    // around a tag it drops: a `<td>` outside a table) is read as written: its URLs are replaced
    // where they are in the source, but for those in what lies between its parts (a tag, a comment,
    // a `<style>`, read as what it is), which are left out before anything is asked about them.
    const parts = comment ? undefined : parsed.textParts(node);
    if (!parts && replacedIn(text, find, blankImage, where).length === 0) return;
    // A comment's text starts after `<!--`, or after `<!` or `</` (a bogus comment), or at `?` (`<?xml …?>`).
    const start = comment
      ? location.startOffset +
        (source.startsWith('<!--', location.startOffset) ? 4 : source[location.startOffset + 1] === '?' ? 1 : 2)
      : location.startOffset;
    const span = read(start, location.endOffset, kind);
    const inText = (url: EmbeddedUrl): boolean => {
      const part = parts && spanAt(parts, span.offset(url.start));
      return !parts || (part !== undefined && span.endOffset(url.end) <= part.endOffset);
    };
    const replaced = replacedIn(comment ? span.text.slice(0, text.length) : span.text, find, blankImage, where, inText);
    spanEdits(edits, span, replaced, kind === 'raw' ? (url) => url : escapeText);
  };

  for (const node of nodes(root)) {
    const text = 'value' in node ? node.value : 'data' in node ? node.data : undefined;
    if (text !== undefined) {
      editContent(node, text, 'parentNode' in node ? node.parentNode : null);
      continue;
    }
    if (!('tagName' in node)) continue;
    const element = node;
    const html = element.namespaceURI === htmlSpec.NS.HTML;
    const locations = element.sourceCodeLocation?.attrs;
    if (html && (element.tagName === 'a' || element.tagName === 'area')) {
      const href = attribute(element, 'href');
      const location = locations?.href;
      if (href === undefined || !location || rewritten.has(location.startOffset)) continue;
      rewritten.add(location.startOffset);
      const marked = attribute(element, noTrackAttribute) !== undefined;
      const where = placeOf(location);
      const linkBase = inThisEmail.test(href) ? undefined : base;
      const next = marked ? policy.notrack(href, linkBase, where) : policy.href(href, linkBase, where);
      const edit = next === undefined ? undefined : valueEdit(source, location, next);
      if (edit) edits.push(edit);
      if (edit) linkHrefs.add(location.startOffset);
      else if (marked) notrackHrefs.add(location.startOffset);
      continue;
    }
    const src = html && element.tagName === 'img' && locations?.src ? attribute(element, 'src') : undefined;
    const verdict = src === undefined ? 'other' : policy.pixel(src, base);
    if (verdict !== 'other') found[verdict].push(element);
  }
  const { pixelUrl } = policy;
  let kept = pixelUrl === undefined ? undefined : found.this[0];
  const stale = found.stale[0]?.sourceCodeLocation?.attrs?.src;
  const staleEdit =
    pixelUrl !== undefined && kept === undefined && stale ? valueEdit(source, stale, pixelUrl) : undefined;
  if (staleEdit) {
    edits.push(staleEdit);
    kept = found.stale[0];
  } else if (pixelUrl !== undefined && kept === undefined) {
    const at = pixelOffset(source, parsed);
    edits.push({ start: at, end: at, text: pixelTag(pixelUrl) });
  }
  const removed = new Set<number>();
  for (const element of [...found.this, ...found.stale]) {
    const location = element.sourceCodeLocation;
    if (element !== kept && location) {
      edits.push({ start: location.startOffset, end: location.endOffset, text: '' });
      removed.add(location.startOffset);
    }
  }
  // The attributes of every tag, whatever the parser made of it (a second `<body background=…>` is
  // merged into the first, a `<td>` outside a table dropped, yet its URLs are in the email).
  const keptAt = kept?.sourceCodeLocation?.startOffset;
  const keptSrc = kept?.sourceCodeLocation?.attrs?.src?.startOffset;
  for (const tag of parsed.startTags) {
    if (removed.has(tag.startOffset)) continue;
    // The one image the kept pixel loads, from its `src` or its `srcset`, is this message's pixel.
    if (tag.startOffset === keptAt && keptSrc !== undefined && pixelUrl !== undefined)
      editAttributes(tag, new Set([keptSrc]), pixelUrl);
    else editAttributes(tag, linkHrefs, blankImage);
  }
  // The pixel inserted where an edit starts (never seen) goes before it.
  edits.sort((a, b) => a.start - b.start || a.end - b.end);
  const parts: string[] = [];
  let at = 0;
  for (const edit of edits) {
    parts.push(source.slice(at, edit.start), edit.text);
    at = edit.end;
  }
  parts.push(source.slice(at));
  return parts.join('');
}
