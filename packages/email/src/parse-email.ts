import {
  defaultTreeAdapter,
  ErrorCodes,
  Parser,
  type DefaultTreeAdapterMap,
  type Token,
  type TreeAdapter,
} from 'parse5';
import { nodes, type HtmlNode } from './html-tree.js';

/**
 * A start tag with attributes, as the tokenizer read it, whatever the parser then made of it: an
 * element (several, for a formatting element it re-opens), attributes merged into `<html>` or
 * `<body>` (a second `<body background=…>`), or nothing (a `<td>` outside any table); or an end tag
 * with attributes (`</p title="…">`), which the parser ignores, yet the email holds.
 */
export interface StartTag {
  /** Where the tag starts in the source: where the elements made of it start. */
  startOffset: number;
  /**
   * Its attributes: name as written in lower case, value as decoded, and place in the source (only
   * its start, for a second attribute of the same name, which the parser drops: the email holds it).
   */
  attrs: { name: string; value: string; location: Token.Location }[];
}

/** A part of the source. */
export interface Span {
  startOffset: number;
  endOffset: number;
}

/** What parse5's tokenizer holds while it reads an attribute (protected in its types). */
interface AttributeReading {
  currentAttr: Token.Attribute;
  currentLocation: Token.Location | null;
}

/** parse5's parser, noting every start tag with attributes on its way, duplicate attributes included. */
class TagNotingParser extends Parser<DefaultTreeAdapterMap> {
  readonly startTags: StartTag[] = [];
  /** The characters being inserted into the document. */
  inserting: Token.Location | undefined;
  /** The attributes of the tag being read that repeat a name before them, read on as the tokenizer goes. */
  private duplicates: StartTag['attrs'] = [];

  /** Called on the parse error `duplicate-attribute`: the tokenizer is at the end of the repeated name. */
  noteDuplicate(): void {
    const { currentAttr, currentLocation } = this.tokenizer as unknown as AttributeReading;
    // The tokenizer reads the value into this same object, which then goes nowhere.
    if (currentLocation)
      this.duplicates.push({
        name: currentAttr.name,
        get value() {
          return currentAttr.value;
        },
        location: currentLocation,
      });
  }

  override onStartTag(token: Token.TagToken): void {
    this.noteTag(token);
    super.onStartTag(token);
  }

  /** Notes `token` (a start or end tag) in `startTags` if it has attributes. */
  private noteTag(token: Token.TagToken): void {
    const locations = token.location?.attrs;
    const duplicates = this.duplicates;
    this.duplicates = [];
    if (token.location && locations && token.attrs.length > 0)
      this.startTags.push({
        startOffset: token.location.startOffset,
        // Copied before the parser adjusts the names of SVG and MathML attributes in place.
        attrs: [
          ...token.attrs.flatMap(({ name, value }) => {
            const location = locations[name];
            return location ? [{ name, value, location }] : [];
          }),
          ...duplicates.map(({ name, value, location }) => ({ name, value, location })),
        ],
      });
  }

  override _insertCharacters(token: Token.CharacterToken): void {
    this.inserting = token.location ?? undefined;
    super._insertCharacters(token);
    this.inserting = undefined;
  }

  override onEndTag(token: Token.TagToken): void {
    this.noteTag(token);
    super.onEndTag(token);
  }
}

/** An email parsed as a mail client parses it, with the source location of every node. */
export interface ParsedEmail {
  /** The document. */
  root: DefaultTreeAdapterMap['document'];
  /** The source as parsed: lone surrogates read as U+FFFD, a leading byte order mark as a space. */
  input: string;
  /** Every start tag with attributes, in source order, and every end tag with attributes among them. */
  startTags: StartTag[];
  /**
   * The parts of the source a text node was put together from, in source order, when there are
   * several (text foster-parented out of a table, text around a tag the parser drops); else
   * `undefined`: its location is its one part.
   */
  textParts: (node: HtmlNode) => Span[] | undefined;
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
  const pieces = new Map<HtmlNode, Span[]>();
  const treeAdapter: TreeAdapter<DefaultTreeAdapterMap> = {
    ...defaultTreeAdapter,
    setNodeSourceCodeLocation(node, location) {
      node.sourceCodeLocation = location;
      if (location && node.nodeName === '#text')
        pieces.set(node, [{ startOffset: location.startOffset, endOffset: location.endOffset }]);
      if (!location && 'tagName' in node && (node.tagName === 'html' || node.tagName === 'body')) implied.set(node, {});
    },
    getNodeSourceCodeLocation: (node) => node.sourceCodeLocation ?? (implied.get(node) as Token.ElementLocation),
    updateNodeSourceCodeLocation(node, end) {
      const location = implied.get(node);
      if (location) Object.assign(location, end);
      else defaultTreeAdapter.updateNodeSourceCodeLocation(node, end);
      // Characters appended to a text node: where they are in the source, after the text's or not.
      const parts = node.nodeName === '#text' ? pieces.get(node) : undefined;
      const last = parts?.[parts.length - 1];
      const from = parser.inserting?.startOffset;
      if (parts && last && from !== undefined && end.endOffset !== undefined) {
        if (from === last.endOffset) last.endOffset = end.endOffset;
        else parts.push({ startOffset: from, endOffset: end.endOffset });
      }
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
      if (code === ErrorCodes.duplicateAttribute) parser.noteDuplicate();
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
    textParts: (node) => {
      const parts = pieces.get(node);
      return parts && parts.length > 1 ? parts : undefined;
    },
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
