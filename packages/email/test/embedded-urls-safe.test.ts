import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aliceClick, aliceOpen, base, blank, bob, bobClick, bobOpen, harvard, verifier } from './reused-html.js';

// Outside an `<a>`/`<area>` href and an `<img src>`, a valid email never makes rewriteHtml throw:
// what cannot be read there with certainty is left exactly as it is, and no byte is corrupted.
const pixel = /<img src="[^"]*" width="1" height="1" alt="" border="0" [^>]*\/>/;
const wrap = (url: string, at = 40, by = '\n'): string => `${url.slice(0, at)}${by}${url.slice(at)}`;

/** `html` rewritten for Bob (checked idempotent), his appended pixel written `<PIXEL>`. */
function forBob(html: string): string {
  const out = harvard.rewriteHtml(html, bob);
  expect(harvard.rewriteHtml(out, bob)).toBe(out);
  return out.replace(pixel, '<PIXEL>');
}

/** The target Bob's click URL in `html` (the first) redirects to. */
function clickTarget(html: string): string {
  const [token] = /(?<=\/e\/c\/)[\w-]+/.exec(html) ?? [];
  const result = verifier.verify(token ?? '', 'click');
  return result.ok && 'url' in result ? result.url : `not verified: ${JSON.stringify(result)}`;
}

describe('rewriteHtml never throws on what it finds outside link targets and pixels (review of ba3cf3d)', () => {
  it('ends a URL nested after `=` at the next `&` or `#`: a share link with a parameter after it is signed', () => {
    const html = `<a href="https://www.linkedin.com/shareArticle?mini=true&amp;url=${aliceClick}&amp;title=CS50">Share</a>`;
    const out = forBob(html);
    expect(clickTarget(out)).toBe(`https://www.linkedin.com/shareArticle?mini=true&url=${bobClick}&title=CS50`);
    const open = forBob(`<a href="https://x.org/?img=${aliceOpen}&amp;w=1#top">x</a>`);
    expect(clickTarget(open)).toBe(`https://x.org/?img=${blank}&w=1#top`);
  });

  it('asks about the URLs of text merged around a dropped tag only where the text is', () => {
    const wrapped = wrap(aliceClick, 30);
    for (const html of [
      `<body>see ${aliceOpen} <td background="${wrapped}">y</body>`,
      `<body>see ${aliceOpen} <td background="${wrapped.replace('\n', '\r\n')}">y</body>`,
      `<body><table>see ${aliceOpen}<tr><td background="${wrapped}">y</td></tr>z</table></body>`,
    ])
      expect(forBob(html)).toBe(
        html
          .replace(aliceOpen, blank)
          .replace(/background="[^"]*"/, `background="${bobClick}"`)
          .replace('</body>', '<PIXEL></body>'),
      );
    const comment = `<body>see ${aliceOpen} <td><!-- ${wrapped} -->y</body>`;
    expect(forBob(comment)).toBe(comment.replace(aliceOpen, blank).replace('</body>', '<PIXEL></body>'));
  });

  it("keeps this message's own URL wrapped across lines in an attribute, byte for byte", () => {
    for (const html of [
      `<body><td background="${wrap(bobClick)}">x</td></body>`,
      `<body><td background="${wrap(bobOpen)}">x</td></body>`,
      `<body><form action="${wrap(bobClick, 40, '\r\n')}"><button>Go</button></form></body>`,
    ])
      expect(forBob(html)).toBe(html.replace('</body>', '<PIXEL></body>'));
  });

  it('reads a value wrapped across lines as one URL only in a URL attribute', () => {
    const alt = `<img src="https://c.org/logo.png" alt="${aliceOpen}\nLogo">`;
    expect(forBob(alt)).toBe(`${alt.replace(aliceOpen, blank)}<PIXEL>`);
    const title = `<div title="${aliceClick}\nThanks">x</div>`;
    expect(forBob(title)).toBe(`${title.replace(aliceClick, bobClick)}<PIXEL>`);
  });

  it('reads the scheme of a URL glued to what comes before it', () => {
    const mailto = `<a href="mailto:?subject=Hi&amp;body=Check%20this%3A%20${aliceClick}">Forward</a>`;
    expect(forBob(mailto)).toBe(`${mailto.replace(aliceClick, bobClick)}<PIXEL>`);
    const glued = `<div title="x2${aliceClick}">a</div><p>Link%20${aliceOpen}</p>`;
    expect(forBob(glued)).toBe(`${glued.replace(aliceClick, bobClick).replace(aliceOpen, blank)}<PIXEL>`);
    const other = `<p>ftp://t.edx.org/e/o/${aliceOpen.slice(base.length + 5)}</p>`;
    expect(forBob(other)).toBe(`${other}<PIXEL>`);
  });

  it('leaves a click URL it cannot verify outside a link target exactly as it is', () => {
    const made = `${base}/e/c/${'A'.repeat(60)}`;
    const html = `<body><img src="a.png" srcset="${made} 2x"><p>${made}&amp;x</p><div title="${made}">t</div></body>`;
    expect(forBob(html)).toBe(html.replace('</body>', '<PIXEL></body>'));
  });

  it("replaces another message's URL percent-encoded in a link's target or a mailto body, written back encoded", () => {
    const enc = encodeURIComponent;
    const share = `<a href="https://www.facebook.com/sharer/sharer.php?u=${enc(aliceClick)}&amp;t=x">Share</a>`;
    expect(clickTarget(forBob(share))).toBe(`https://www.facebook.com/sharer/sharer.php?u=${enc(bobClick)}&t=x`);
    const twice = `<a href="https://l.x.org/?u=${enc(`https://twitter.com/intent/tweet?url=${enc(aliceClick)}`)}">s</a>`;
    expect(clickTarget(forBob(twice))).toBe(
      `https://l.x.org/?u=${enc(`https://twitter.com/intent/tweet?url=${enc(bobClick)}`)}`,
    );
    const mailto = `<a href="mailto:?subject=Look&amp;body=${enc(aliceClick)}">Forward</a><p>${enc(aliceOpen)}</p>`;
    expect(forBob(mailto)).toBe(
      `${mailto.replace(enc(aliceClick), enc(bobClick)).replace(enc(aliceOpen), enc(blank))}<PIXEL>`,
    );
    const text = `<p>${enc(aliceOpen)}%20ok, ${enc(enc(aliceClick))}.</p>`;
    expect(forBob(text)).toBe(`<p>${enc(blank)}%20ok, ${enc(enc(bobClick))}.</p><PIXEL>`);
  });

  it('on generated documents: never throws, keeps every byte but the URLs it replaces, idempotent', () => {
    // Each URL, and what it must become in Bob's email where it is read whole.
    const url = fc.constantFrom(
      [aliceOpen, blank] as const,
      [aliceClick, bobClick] as const,
      [bobOpen, bobOpen] as const,
      [bobClick, bobClick] as const,
      [`${base}/e/c/${'A'.repeat(60)}`, `${base}/e/c/${'A'.repeat(60)}`] as const,
    );
    const junk = fc
      .array(
        fc.constantFrom(
          '&amp;',
          '&',
          '\r\n',
          '\n',
          '\t',
          'x',
          '2',
          '%20',
          '+',
          '&lt;',
          'é',
          '😀',
          '&nbsp;',
          ' ',
          'a//b',
        ),
        { maxLength: 3 },
      )
      .map((parts) => parts.join(''));
    const at = fc.integer({ min: 9, max: 60 });
    // Each place: the HTML with a URL (from) and the HTML with what it becomes (to), or the same
    // HTML twice where the URL must be left as it is.
    const places = fc.oneof(
      fc.tuple(url, junk, junk).map(([[f, t], p, q]) => [`<p>${p} ${f} ${q}</p>`, `<p>${p} ${t} ${q}</p>`]),
      fc
        .tuple(url, at)
        .map(([[f, t], n]) => [
          `<table><tr><td background="${wrap(f, n)}">x</td></tr></table>`,
          `<table><tr><td background="${f === t ? wrap(f, n) : t}">x</td></tr></table>`,
        ]),
      fc.tuple(url, at, fc.constantFrom('title', 'alt', 'data-x')).map(([[f, t], n, name]) => {
        const value = `${f}\n${'Logo'.slice(0, n % 5)}`;
        return [`<div ${name}="${value}">x</div>`, `<div ${name}="${value.replace(f, t)}">x</div>`];
      }),
      fc
        .tuple(url, fc.constantFrom('%20', '%0A', ' ', 'x2', '+'))
        .map(([[f, t], glue]) => [`<div title="a${glue}${f}">x</div>`, `<div title="a${glue}${t}">x</div>`]),
      fc.tuple(url, fc.constantFrom('&amp;title=CS50', '&amp;w=1', '#top', '')).map(([[f], after]) => {
        const html = `<a href="https://www.linkedin.com/shareArticle?mini=true&amp;url=${f}${after}">s</a>`;
        return [html, undefined];
      }),
      fc
        .tuple(url, url)
        .map(([[f, t], [g, u]]) => [
          `<body>see ${f} <td background="${g}">y`,
          `<body>see ${t} <td background="${u}">y`,
        ]),
      fc
        .tuple(url, junk)
        .map(([[f, t], p]) => [`<!-- ${p.replace(/[-<>]/g, '')} ${f} -->`, `<!-- ${p.replace(/[-<>]/g, '')} ${t} -->`]),
      fc
        .tuple(url)
        .map(([[f, t]]) => [
          `<div style="background:url('${f}')">x</div>`,
          `<div style="background:url('${t}')">x</div>`,
        ]),
      // Percent-encoded, once in a mailto body, twice in text, with what may follow.
      fc.tuple(url, fc.constantFrom('', '&amp;x=1', '.', '%20ok')).map(([[f, t], after]) => {
        const enc = encodeURIComponent;
        const shape = (u: string) => `<a href="mailto:?body=${enc(u)}${after}">m</a><p>${enc(enc(u))}${after}</p>`;
        return [shape(f), shape(t)];
      }),
    );
    fc.assert(
      fc.property(fc.array(places, { minLength: 1, maxLength: 6 }), (pieces) => {
        const html = `<html><body>\n${pieces.map(([from]) => from).join('\n')}</body></html>`;
        const out = harvard.rewriteHtml(html, bob);
        expect(harvard.rewriteHtml(out, bob)).toBe(out);
        // A share link's href is signed: compare what is around it.
        const hidden = (text: string) => text.replace(/<a href="[^"]*">/g, '<a>').replace(pixel, '');
        const expected = pieces.map(([from, to]) => (to === undefined ? from : to)).join('\n');
        expect(hidden(out)).toBe(hidden(`<html><body>\n${expected}</body></html>`));
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});
