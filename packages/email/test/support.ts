import { randomBytes } from 'node:crypto';
import { html as htmlSpec, parse, type DefaultTreeAdapterMap } from 'parse5';
import { createEmailSigner, createEmailVerifier, type EmailSigner, type EmailVerifier } from '../src/index.js';
import { decodeClaims, type TokenClaims } from '../src/token.js';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

/** A fresh 32-byte secret, base64. */
export const secret = (): string => randomBytes(32).toString('base64');

/** One attribute found by parse5 in a document: its decoded value and its exact source span. */
export interface FoundAttribute {
  tag: string;
  value: string;
  start: number;
  end: number;
}

function* walk(node: Node): Generator<Element> {
  if ('tagName' in node) {
    yield node;
    if (node.tagName === 'template' && 'content' in node) yield* walk(node.content);
  }
  if ('childNodes' in node) for (const child of node.childNodes) yield* walk(child);
}

/** Every `href` of `<a>`/`<area>` and `src` of `<img>` in HTML elements, in document order. */
export function attributes(html: string): FoundAttribute[] {
  const found: FoundAttribute[] = [];
  const wellFormed = html.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
  // As a mail client parses it: no scripts, so <noscript> content is elements.
  for (const el of walk(parse(wellFormed, { sourceCodeLocationInfo: true, scriptingEnabled: false }))) {
    if (el.namespaceURI !== htmlSpec.NS.HTML) continue;
    const name = el.tagName === 'img' ? 'src' : el.tagName === 'a' || el.tagName === 'area' ? 'href' : undefined;
    const attr = name === undefined ? undefined : el.attrs.find((a) => a.name === name);
    const loc = name === undefined ? undefined : el.sourceCodeLocation?.attrs?.[name];
    if (attr && loc) found.push({ tag: el.tagName, value: attr.value, start: loc.startOffset, end: loc.endOffset });
  }
  return found;
}

/** The token at the end of a click or pixel URL of `base`, or undefined. */
export function tokenOf(url: string, base: string, kind: 'c' | 'o'): string | undefined {
  const prefix = `${base}/e/${kind}/`;
  return url.startsWith(prefix) ? url.slice(prefix.length) : undefined;
}

/** The claims a token carries, read without checking its MAC: to forge or re-wrap one in a test. */
export function claimsOf(token: string): TokenClaims {
  const claims = decodeClaims(Buffer.from(token, 'base64url').subarray(0, -16));
  if (!claims) throw new Error('not a token');
  return claims;
}

/** The click targets of a rewritten document, in document order, each verified (throws if one does not). */
export function clickTargets(html: string, base: string, verifier: EmailVerifier): string[] {
  return attributes(html)
    .filter((a) => a.tag !== 'img')
    .flatMap((a) => {
      const token = tokenOf(a.value, base, 'c');
      if (token === undefined) return [];
      const result = verifier.verify(token, 'click');
      if (!result.ok) throw new Error(`link does not verify: ${result.reason}`);
      return [result.url];
    });
}

/** The src of every pixel of `base` in a document. */
export function pixels(html: string, base: string): string[] {
  return attributes(html)
    .filter((a) => a.tag === 'img' && tokenOf(a.value, base, 'o') !== undefined)
    .map((a) => a.value);
}

/**
 * Puts every original href back in place of the rewritten one (whole attribute spans, matched in
 * document order) and takes the one pixel out: what is left must be the original, byte for byte.
 */
export function restore(original: string, rewritten: string, base: string): string {
  const before = attributes(original).filter((a) => a.tag !== 'img');
  const after = attributes(rewritten).filter((a) => a.tag !== 'img');
  if (after.length !== before.length) throw new Error(`${before.length} links became ${after.length}`);
  let out = rewritten;
  for (let i = after.length - 1; i >= 0; i--) {
    const a = after[i]!;
    const b = before[i]!;
    out = out.slice(0, a.start) + original.slice(b.start, b.end) + out.slice(a.end);
  }
  const found = pixels(out, base);
  if (found.length !== 1) throw new Error(`${found.length} pixels`);
  const tagStart = out.lastIndexOf('<img src="', out.indexOf(found[0]!));
  const tagEnd = out.indexOf('/>', tagStart) + 2;
  return out.slice(0, tagStart) + out.slice(tagEnd);
}

/**
 * HarvardX's signer with one fresh key, under `https://t.edx.org`, and the verifier that trusts it:
 * the set-up most rewriting tests share.
 */
export function harvardSigning(): { base: string; signer: EmailSigner; verifier: EmailVerifier } {
  const base = 'https://t.edx.org';
  const key = secret();
  const signer = createEmailSigner({
    memberId: 'HarvardX',
    keys: { 'hx-2026': key },
    activeKid: 'hx-2026',
    baseUrl: base,
  });
  const verifier = createEmailVerifier({ members: { HarvardX: { keys: { 'hx-2026': key } } } });
  return { base, signer, verifier };
}
