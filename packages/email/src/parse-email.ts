import { defaultTreeAdapter, Parser, type DefaultTreeAdapterMap, type Token, type TreeAdapter } from 'parse5';
import { nodes, type HtmlNode } from './html-tree.js';

/**
 * A start tag with attributes, as the tokenizer read it, whatever the parser then made of it: an
 * element (several, for a formatting element it re-opens), attributes merged into `<html>` or
 * `<body>` (a second `<body background=…>`), or nothing (a `<td>` outside any table).
 */
export interface StartTag {
  /** Where the tag starts in the source: where the elements made of it start. */
  startOffset: number;
  /** Its attributes: name as written in lower case, value as decoded, and place in the source. */
  attrs: { name: string; value: string; location: Token.Location }[];
}

/** parse5's parser, noting every start tag with attributes on its way. */
class TagNotingParser extends Parser<DefaultTreeAdapterMap> {
  readonly startTags: StartTag[] = [];

  override onStartTag(token: Token.TagToken): void {
    const locations = token.location?.attrs;
    if (token.location && locations && token.attrs.length > 0)
      this.startTags.push({
        startOffset: token.location.startOffset,
        // Copied before the parser adjusts the names of SVG and MathML attributes in place.
        attrs: token.attrs.flatMap(({ name, value }) => {
          const location = locations[name];
          return location ? [{ name, value, location }] : [];
        }),
      });
    super.onStartTag(token);
  }
}

/** An email parsed as a mail client parses it, with the source location of every node. */
export interface ParsedEmail {
  /** The document. */
  root: DefaultTreeAdapterMap['document'];
  /** The source as parsed: lone surrogates read as U+FFFD, a leading byte order mark as a space. */
  input: string;
  /** Every start tag with attributes, in source order. */
  startTags: StartTag[];
  /** Where the end tag of `node` starts in the source, if it has one. */
  endTagStart: (node: HtmlNode | undefined) => number | undefined;
  /**
   * Where a tag the source ends partway through starts (`…<b`, `…</p`, `…<a href="x`), if it does:
   * the parser drops it, and whatever is appended to the source would be read as part of it.
   */
  unfinishedTag: number | undefined;
}

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Parses `source` with parse5 (the WHATWG algorithm browsers use) with source locations and
 * scripting off (a mail client runs none: the content of `<noscript>` is shown). Offsets are those
 * of `source` itself, so edits found in the document splice into it:
 * - parse5 7 throws on some runs of lone surrogates: each is read as U+FFFD, as a browser does;
 * - a leading byte order mark (a template saved on Windows, read as UTF-8), which a browser's
 *   decoder drops, is read as a space, which the parser ignores there as well;
 * - an `<html>` or `<body>` the parser implied (text before it) still gets the end tag that closes
 *   it, which parse5 records only for an element with a start tag.
 * Each swap is one UTF-16 unit for one.
 */
export function parseEmail(source: string): ParsedEmail {
  const implied = new Map<HtmlNode, Partial<Token.ElementLocation>>();
  const treeAdapter: TreeAdapter<DefaultTreeAdapterMap> = {
    ...defaultTreeAdapter,
    setNodeSourceCodeLocation(node, location) {
      node.sourceCodeLocation = location;
      if (!location && 'tagName' in node && (node.tagName === 'html' || node.tagName === 'body')) implied.set(node, {});
    },
    getNodeSourceCodeLocation: (node) => node.sourceCodeLocation ?? (implied.get(node) as Token.ElementLocation),
    updateNodeSourceCodeLocation(node, end) {
      const location = implied.get(node);
      if (location) Object.assign(location, end);
      else defaultTreeAdapter.updateNodeSourceCodeLocation(node, end);
    },
  };
  const eofErrors = new Set<string>();
  const input = source.replace(loneSurrogate, '\uFFFD').replace(/^\uFEFF/, ' ');
  const parser = new TagNotingParser({
    sourceCodeLocationInfo: true,
    scriptingEnabled: false,
    treeAdapter,
    onParseError: ({ code }) => {
      if (code.startsWith('eof-')) eofErrors.add(code);
    },
  });
  parser.tokenizer.write(input, true);
  const root = parser.document;
  const locationOf = (node: HtmlNode) =>
    (node.sourceCodeLocation as Token.ElementLocation | undefined) ?? implied.get(node);
  const unfinishedTag = eofErrors.has('eof-before-tag-name')
    ? source.length - (/<\/?$/.exec(source)?.[0].length ?? 0)
    : eofErrors.has('eof-in-tag') || eofErrors.has('eof-in-doctype')
      ? unfinishedTagStart(source, root, locationOf)
      : undefined;
  // A doctype the source ends inside (`<!DOCTYPE html PUBL`): parse5 ends one cut off in PUBLIC or
  // SYSTEM with no error at the end, and one in the body gets no node; nothing but `>` ends it.
  const doctype = source.toLowerCase().lastIndexOf('<!doctype');
  const inDoctype = doctype >= 0 && !source.includes('>', doctype) ? doctype : undefined;
  return {
    root,
    input,
    startTags: parser.startTags,
    endTagStart: (node) => node && locationOf(node)?.endTag?.startOffset,
    unfinishedTag: inDoctype === undefined ? unfinishedTag : Math.min(inDoctype, unfinishedTag ?? Infinity),
  };
}

/**
 * Where the tag the source ends inside starts: the first `<` that opens a tag after the last tag,
 * comment or doctype the parser kept (a text node's end is no guide: the end of the source extends
 * it). Starting there, the tags the parser ignored come first, as harmless to put something before.
 */
function unfinishedTagStart(
  source: string,
  root: HtmlNode,
  locationOf: (node: HtmlNode) => Partial<Token.ElementLocation> | undefined,
): number | undefined {
  let end = 0;
  for (const node of nodes(root)) {
    const location = locationOf(node);
    const ends =
      'tagName' in node
        ? [location?.startTag?.endOffset, location?.endTag?.endOffset]
        : node.nodeName === '#text' ||
            // A doctype the source ends inside is kept, ending at the end: it is the unfinished tag.
            (node.nodeName === '#documentType' && (location?.endOffset ?? 0) >= source.length && !source.endsWith('>'))
          ? []
          : [location?.endOffset];
    for (const offset of ends) if (offset !== undefined && offset > end) end = offset;
  }
  const tagOpen = /<(?:[a-z!?]|\/[a-z])/gi;
  tagOpen.lastIndex = end;
  return tagOpen.exec(source)?.index;
}
