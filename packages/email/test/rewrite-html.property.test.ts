import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEmailSigner, createEmailVerifier } from '../src/index.js';
import { clickTargets, pixels, restore, secret } from './support.js';

const base = 'https://t.edx.org';
const key = secret();
const signer = createEmailSigner({ keys: { 'edx-1': key }, activeKid: 'edx-1', baseUrl: base });
const verifier = createEmailVerifier({ platformKeys: { 'edx-1': key } });
const meta = { messageId: 'prop-1', recipient: 'learner@example.org', sentAt: Date.UTC(2026, 10, 29) };

/** A piece of an email, and the target it must track (if any). */
interface Piece {
  html: string;
  target?: string;
}

const entityEncode = (url: string) => url.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
const webUrl = fc.webUrl({ withQueryParameters: true, withFragments: true }).filter((u) => !u.includes('@'));
// Text pieces, including emoji and lone surrogates (a JS string may hold them; parse5 7 alone chokes on some).
const text = fc
  .array(fc.constantFrom('a', 'Z', '0', ' ', '.', ';', 'é', '€', '🎓', '\r\n', '\uDF93', '\uD83C', '-'), {
    maxLength: 30,
  })
  .map((chars) => chars.join(''));

const piece: fc.Arbitrary<Piece> = fc.oneof(
  webUrl.map((u) => ({ html: `<a href="${entityEncode(u)}">link</a>`, target: new URL(u).href })),
  webUrl.map((u) => ({
    html: `<a class="x" HREF='${u.replace(/&/g, '&amp;').replace(/'/g, '&#39;')}' target="_blank">l</a>`,
    target: new URL(u).href,
  })),
  webUrl
    .filter((u) => !/[\s"'=<>`]/.test(u))
    .map((u) => ({ html: `<a href=${u.replace(/&/g, '&amp;')} >u</a>`, target: new URL(u).href })),
  webUrl.map((u) => ({
    html: `<area shape="rect" coords="0,0,1,1" href="${entityEncode(u)}">`,
    target: new URL(u).href,
  })),
  webUrl.map((u) => ({ html: `<a data-optin-notrack href="${entityEncode(u)}">no</a>` })),
  webUrl.map((u) => ({ html: `<!-- <a href="${entityEncode(u)}">in a comment</a> -->` })),
  fc.constantFrom<Piece>(
    { html: '<a href="mailto:help@edx.org?subject=Hi%20there">mail</a>' },
    { html: '<a href="tel:+16175550100">call</a>' },
    { html: '<a href="#section-2">jump</a>' },
    { html: '<a href="/relative/path?x=1&amp;y=2">rel</a>' },
    { html: '<a href="javascript:void(0)">js</a>' },
    { html: '<a name="anchor">no href</a>' },
    { html: '<img src="https://cdn.example.org/banner.png" alt="banner">' },
    { html: '<table><tr><td>&nbsp;&amp;&lt;x&gt;</td></tr></table>' },
    { html: '<br/>\r\n' },
  ),
  text.map((t) => ({ html: t })),
  // URLs with text right after them: kept byte for byte (none is a tracking URL).
  webUrl.map((u) => ({ html: `<p>**${entityEncode(u)}**, (${entityEncode(u)}). ${entityEncode(u)}~</p>` })),
  webUrl.map((u) => ({
    html: `<a href="mailto:?body=Look%20${encodeURIComponent(u)}+from+edX&amp;x=${encodeURIComponent(`https://t.co/s?url=${encodeURIComponent(u)}&text=a b`)}">m</a>`,
  })),
  webUrl.map((u) => ({
    html: `<div style="background:url(https://i.example.org/p?u=${encodeURIComponent(u)}&amp;w=1)">z</div>`,
  })),
);

const documentArb = fc
  .tuple(fc.array(piece, { maxLength: 25 }), fc.constantFrom('full', 'body-only', 'fragment'))
  .map(([pieces, shape]) => {
    const inner = pieces.map((p) => p.html).join('\n');
    const html =
      shape === 'full'
        ? `<!DOCTYPE html>\r\n<html><head><title>t</title></head>\r\n<body>\r\n${inner}\r\n</body>\r\n</html>\r\n`
        : shape === 'body-only'
          ? `<body>${inner}</body>`
          : inner;
    return { html, targets: pieces.flatMap((p) => (p.target === undefined ? [] : [p.target])) };
  });

describe('rewriteHtml on generated documents', () => {
  it('tracks exactly the http(s) links, keeps every other byte, adds one pixel, and is idempotent', () => {
    fc.assert(
      fc.property(documentArb, ({ html, targets }) => {
        const out = signer.rewriteHtml(html, meta);
        expect(clickTargets(out, base, verifier)).toEqual(targets);
        expect(pixels(out, base)).toHaveLength(1);
        expect(restore(html, out, base)).toBe(html);
        expect(signer.rewriteHtml(out, meta)).toBe(out);
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});
