import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  alice,
  aliceClick,
  aliceOpen,
  base,
  blank,
  bob,
  bobClick,
  bobOpen,
  harvard,
  target,
  verifier,
} from './reused-html.js';

// HTML re-used from Alice's tracked email, rewritten for Bob: Alice's tokens in places other than
// an `<a href>` or the pixel's `<img src>` would count Bob's opens and clicks as hers, and leave her
// pseudonym and subject in Bob's email.

/** Every tracking URL of the collector's in a document, wherever it is, as the collector would record it. */
function recorded(html: string): string[] {
  return [...html.matchAll(/https?:\/\/t\.edx\.org\/e\/([oc])\/([\w-]*)/gi)].map(([, kind, token]) => {
    const result = verifier.verify(token!, kind === 'o' ? 'open' : 'click');
    return result.ok ? `${result.kind} ${result.subject}${'url' in result ? ` ${result.url}` : ''}` : result.reason;
  });
}

/** `html` rewritten for Bob, with his pixel (wherever it was put) written `<PIXEL>`. */
function forBob(html: string): string {
  const out = harvard.rewriteHtml(html, bob);
  expect(harvard.rewriteHtml(out, bob)).toBe(out); // idempotent
  expect(out).not.toContain(aliceOpen.slice(base.length + 5));
  expect(out).not.toContain(aliceClick.slice(base.length + 5));
  expect(recorded(out).filter((r) => !r.includes('user-bob'))).toEqual([]);
  return out.replace(/<img src="[^"]*" width="1" height="1" alt="" border="0" [^>]*\/>/, '<PIXEL>');
}

describe("rewriteHtml leaves no other recipient's tracking URL anywhere", () => {
  it('srcset of <img>: an open URL becomes the blank image it served, the other candidates byte for byte', () => {
    const html = `<body><img src="https://cdn.example.org/a.png" srcset="https://cdn.example.org/a.png?w=1&amp;h=2 1x,${aliceOpen} 2x"></body>`;
    expect(forBob(html)).toBe(html.replace(aliceOpen, blank).replace('</body>', '<PIXEL></body>'));
  });

  it('srcset of <source> in <picture>', () => {
    const html = `<body><picture><source media="(min-width: 600px)" srcset="${aliceOpen} 1x, https://cdn.example.org/b.png 2x"><img src="https://cdn.example.org/a.png"></picture></body>`;
    expect(forBob(html)).toBe(html.replace(aliceOpen, blank).replace('</body>', '<PIXEL></body>'));
  });

  it('src of <source>', () => {
    const html = `<body><audio controls><source src='${aliceOpen}' type="audio/mpeg"></audio><p>x</p></body>`;
    expect(forBob(html)).toBe(html.replace(aliceOpen, blank).replace('</body>', '<PIXEL></body>'));
  });

  it('background= of <body>, <table> and <td>', () => {
    const html = `<html><body background="${aliceOpen}"><table background=${aliceOpen}><tr><td BACKGROUND='${aliceOpen}'>x</td></tr></table></body></html>`;
    expect(forBob(html)).toBe(html.replaceAll(aliceOpen, blank).replace('</body>', '<PIXEL></body>'));
  });

  it('inline style="…url(…)…", quoted, unquoted, or with its quotes written as &quot;', () => {
    const html = [
      `<div style="background-image:url('${aliceOpen}');color:#fff">a</div>`,
      `<div style='background:#000 url(${aliceOpen}) no-repeat'>b</div>`,
      `<div style="background-image: url(&quot;${aliceOpen}&quot;);">c</div>`,
    ].join('\n');
    expect(forBob(`<body>${html}</body>`)).toBe(`<body>${html.replaceAll(aliceOpen, blank)}<PIXEL></body>`);
  });

  it('CSS url() and @import strings inside <style>', () => {
    const css = `<style>\r\n@import "${aliceOpen}";\r\n.hero { background: url( ${aliceOpen} ) }\r\n.x { background-image: url('${aliceOpen}') }\r\n</style>`;
    const html = `<html><head>${css}</head><body>x</body></html>`;
    expect(forBob(html)).toBe(`<html><head>${css.replaceAll(aliceOpen, blank)}</head><body>x<PIXEL></body></html>`);
  });

  it('poster of <video>', () => {
    const html = `<body><video poster="${aliceOpen}" src="https://cdn.example.org/v.mp4"></video><p>x</p></body>`;
    expect(forBob(html)).toBe(html.replace(aliceOpen, blank).replace('</body>', '<PIXEL></body>'));
  });

  it('src of <input type=image>', () => {
    const html = `<body><form><input type="image" src="${aliceOpen}" alt="Go"></form></body>`;
    expect(forBob(html)).toBe(html.replace(aliceOpen, blank).replace('</body>', '<PIXEL></body>'));
  });

  it('href and xlink:href of <a> inside inline <svg>: re-signed for this recipient to the same target', () => {
    const html = `<body><svg><a href="${aliceClick}"><text>CS50</text></a><a xlink:href="${aliceClick}"><text>x</text></a><image href="${aliceOpen}"/><a href="https://www.edx.org/">kept</a></svg></body>`;
    const out = forBob(html);
    expect(out).toBe(
      html.replaceAll(aliceClick, bobClick).replace(aliceOpen, blank).replace('</body>', '<PIXEL></body>'),
    );
    expect(recorded(out)).toEqual([`click user-bob ${target}`, `click user-bob ${target}`]);
  });

  it('a click URL in a place an image loads from: re-signed for this recipient to the same target', () => {
    const html = `<body><img src="${aliceClick}"><img src="a.png" srcset="${aliceClick} 2x"><div style="background:url(${aliceClick})"></div></body>`;
    expect(forBob(html)).toBe(html.replaceAll(aliceClick, bobClick).replace('</body>', '<PIXEL></body>'));
  });

  it('the same URLs written otherwise: protocol-relative, upper-case host, trailing dot, encoded path or entities', () => {
    for (const respelled of [
      aliceOpen.replace('https:', ''),
      aliceOpen.replace('https://t.edx.org/', 'HTTP://T.EDX.ORG./'),
      aliceOpen.replace('/e/o/', '/e/%6F/'),
      aliceOpen.replace('/e/o/', '/e/&#111;/'),
      `${aliceOpen}?utm_source=x&amp;utm_medium=email`,
    ]) {
      const html = `<body><table background="${respelled}"><tr><td style="background:url('${respelled}')">x</td></tr></table></body>`;
      expect(forBob(html)).toBe(html.replaceAll(respelled, blank).replace('</body>', '<PIXEL></body>'));
    }
    const relative = aliceClick.replace('https:', '');
    expect(forBob(`<p><a href="${relative}">CS50</a></p>`)).toBe(`<p><a href="${bobClick}">CS50</a></p><PIXEL>`);
    // Alice's pixel written protocol-relative is still a pixel: it becomes Bob's, and stays the only one.
    const pixel = `<body><p>x</p><img src="${aliceOpen.replace('https:', '')}"></body>`;
    expect(forBob(pixel)).toBe(`<body><p>x</p><img src="${bobOpen}"></body>`);
  });

  it('an Outlook VML button or background in a conditional comment, and a URL written out as text', () => {
    const html = `<body><!--[if mso]><v:roundrect href="${aliceClick}"><v:fill src="${aliceOpen}"/></v:roundrect><![endif]--><p>Or paste ${aliceClick} in your browser.</p></body>`;
    expect(forBob(html)).toBe(
      html.replaceAll(aliceClick, bobClick).replace(aliceOpen, blank).replace('</body>', '<PIXEL></body>'),
    );
  });

  it('reads each place as the parser does: entities, line ends, CDATA in SVG, raw text, text moved out of a table', () => {
    for (const [html, expected] of [
      [
        // `&notit;` stays as written in an attribute, and `&amp=` too; `&#128;` is `€`.
        `<div title="&notit;&amp=x\r\n&#128; ${aliceOpen} &lt;" data-src='${aliceOpen}&quot;'>x</div>`,
        `<div title="&notit;&amp=x\r\n&#128; ${blank} &lt;" data-src='${blank}&quot;'>x</div><PIXEL>`,
      ],
      [
        `<svg><style>a{b:url(&amp;x)}<![CDATA[\r\n.x{background:url(${aliceOpen})}]]>&amp;.y{fill:url("${aliceOpen}")}</style></svg>`,
        `<svg><style>a{b:url(&amp;x)}<![CDATA[\r\n.x{background:url(${blank})}]]>&amp;.y{fill:url("${blank}")}</style></svg><PIXEL>`,
      ],
      [
        `<title>${aliceClick}</title><p>a &amp; ${aliceClick}. &lt;b&gt;</p><textarea>${aliceOpen}</textarea>`,
        `<title>${bobClick}</title><p>a &amp; ${bobClick}. &lt;b&gt;</p><textarea>${blank}</textarea><PIXEL>`,
      ],
      [
        `<script type="application/ld+json">{"potentialAction":{"url":"${aliceClick}"}}</script>`,
        `<script type="application/ld+json">{"potentialAction":{"url":"${bobClick}"}}</script><PIXEL>`,
      ],
      [`<table>Hi ${aliceClick}<tr><td>y</td></tr></table>`, `<table>Hi ${bobClick}<tr><td>y</td></tr></table><PIXEL>`],
      [`<?xml ${aliceOpen}?><!x ${aliceOpen}><p>x</p>`, `<?xml ${blank}?><!x ${blank}><p>x</p><PIXEL>`],
      [
        `<div style="background:url(https\\3a //t.edx.org/e/\\6f /${aliceOpen.slice(base.length + 5)})">x</div>`,
        `<div style="background:url(${blank})">x</div><PIXEL>`,
      ],
    ])
      expect(forBob(html!)).toBe(expected);
  });

  it('replaces thousands of URLs, and reads long runs of letters, slashes and CSS, in one pass', () => {
    // Were each URL or each run re-scanned from every character, these would take minutes.
    const many = `<div style="background:url(${aliceOpen})" title="${aliceClick}">x</div>`.repeat(1000);
    const out = harvard.rewriteHtml(many, bob);
    expect(out.split(blank)).toHaveLength(1001);
    expect(out.split(bobClick)).toHaveLength(1001);
    const runs = `<p title="${'a'.repeat(200_000)}//x ${'http:'.repeat(30_000)}">${'//a '.repeat(30_000)}</p><style>${'/*'.repeat(30_000)}${"'".repeat(30_000)}${'url('.repeat(30_000)}</style>`;
    expect(harvard.rewriteHtml(runs, bob).startsWith(runs)).toBe(true);
  });

  it('reads the tags the parser merges or drops: a second <body>, a <td> outside a table, an <img> in a <select>', () => {
    // A client loads the background of a second `<body>` (merged into the first); the others are in
    // the email all the same, with Alice's token in them.
    for (const html of [
      `<body><p>x</p><body background="${aliceOpen}"></body>`,
      `<body><td style="background:url(${aliceClick})">x</td></body>`,
      `<body><select><option>a<img src="${aliceOpen}"></select></body>`,
    ])
      expect(forBob(html)).toBe(
        html
          .replace(aliceOpen, blank)
          .replace(aliceClick, bobClick)
          .replace(/<\/body>$/, '<PIXEL></body>'),
      );
  });

  it("keeps this message's own URLs there as they are: a second rewrite changes nothing", () => {
    const html = `<body><table background="${bobOpen}"><tr><td style="background:url(${bobClick})"><img srcset="${bobOpen} 2x"></td></tr></table></body>`;
    expect(forBob(html)).toBe(html.replace('</body>', '<PIXEL></body>'));
  });

  it('gives the srcset of the pixel it keeps this message’s open URL (the one image it loads is the pixel)', () => {
    const html = `<body><p>x</p><img src="${aliceOpen}" srcset="${aliceOpen} 2x"></body>`;
    expect(forBob(html)).toBe(html.replaceAll(aliceOpen, bobOpen));
    expect(recorded(harvard.rewriteHtml(html, bob))).toEqual(['open user-bob', 'open user-bob']);
  });

  it('leaves a srcset, style and background without tracking URLs byte for byte', () => {
    const html =
      '<body background="https://cdn.example.org/bg.png"><img src="https://cdn.example.org/a.png" srcset="https://cdn.example.org/a.png?w=1&amp;h=2 1x,https://cdn.example.org/a@2x.png&#x3F;v=3 2x" style="background:url(&quot;//cdn.example.org/x.png&quot;)"></body>';
    expect(forBob(html)).toBe(html.replace('</body>', '<PIXEL></body>'));
  });

  it("on generated documents: every other message's URL replaced, every other byte kept, idempotent", () => {
    const respell = [
      (url: string) => url,
      (url: string) => url.replace('https://t.edx.org/', 'HTTP://T.EDX.ORG./'),
      (url: string) => url.replace('https:', ''),
      (url: string) => url.replace(/\/e\/([oc])\//, (_, kind: string) => `/e/%${kind.charCodeAt(0).toString(16)}/`),
    ];
    const enc = encodeURIComponent;
    const absolute = (u: string) => (u.startsWith('//') ? `https:${u}` : u);
    // Each URL, and what it must become in Bob's email.
    const url = fc.oneof(
      fc.constantFrom(...respell).map((spell) => [spell(aliceOpen), blank] as const),
      fc.constantFrom(...respell).map((spell) => [spell(aliceClick), bobClick] as const),
      fc.constantFrom(
        [bobOpen, bobOpen] as const,
        [bobClick, bobClick] as const,
        ['https://cdn.example.org/a.png?w=1&amp;h=2', 'https://cdn.example.org/a.png?w=1&amp;h=2'] as const,
        ['//t.edx.org/e/x/1', '//t.edx.org/e/x/1'] as const,
      ),
    );
    const places: ((u: string) => string)[] = [
      (u) => `<img src="https://cdn.example.org/a.png" srcset="${u} 2x, https://cdn.example.org/b.png?x=1&amp;y=2 3x">`,
      (u) => `<table background="${u}"><tr><td style="background:url('${u}')">x</td></tr></table>`,
      (u) => `<div style="background-image: url(&quot;${u}&quot;)">y</div>`,
      (u) => `<style>\r\n.a { background: url(${u}) }\r\n</style>`,
      (u) => `<video poster=${u}></video>`,
      (u) => `<svg><a xlink:href="${u}"><text>t</text></a></svg>`,
      (u) => `<!--[if mso]><v:fill src="${u}"/><![endif]-->`,
      (u) => `<p>Go to ${u} now &amp; then</p>`,
      // Glued punctuation, as a linkifier leaves it out, and a URL nested plainly in a share link.
      (u) => `<p>**${u}**, (${u}). ${u}~ ${u}!</p>`,
      (u) => `<p>Share: https://twitter.com/share?url=${u}&amp;text=hi</p>`,
      // Percent-encoded once or twice, with text right after it: `+from+edX`, `&text=`, `%20`.
      (u) => `<a href="mailto:?subject=x&amp;body=Look%20${enc(absolute(u))}+from+edX">m</a>`,
      (u) =>
        `<a href="mailto:?body=${enc(`Share https://twitter.com/intent/tweet?url=${enc(absolute(u))}&text=hi there`)}+ok">m</a>`,
      (u) => `<div style="background:url(https://img.example.org/p?u=${enc(absolute(u))}&amp;w=1)">z</div>`,
    ];
    const piece = fc.oneof(
      fc.tuple(fc.constantFrom(...places), url).map(([place, [from, to]]) => [place(from), place(to)]),
      // Wrapped across lines in a VML button: read whole, replaced whole (or kept as written).
      fc
        .tuple(
          // Bob's own, wrapped, is kept as written (it is his), which the check above cannot read.
          url.filter(([from]) => from !== bobOpen && from !== bobClick),
          fc.constantFrom('\r\n', '\n', '\n\t'),
        )
        .map(([[from, to], wrap]) => {
          const vml = (u: string) => `<!--[if mso]><v:roundrect href="${u}"/><![endif]-->`;
          const wrapped = `${from.slice(0, -10)}${wrap}${from.slice(-10)}`;
          return [vml(wrapped), vml(from === to ? wrapped : to)];
        }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const html = `<!doctype html><html><body>\r\n${pieces.map(([from]) => from).join('\r\n')}</body></html>`;
        const expected = `<!doctype html><html><body>\r\n${pieces.map(([, to]) => to).join('\r\n')}<PIXEL></body></html>`;
        expect(forBob(html)).toBe(expected);
      }),
      { numRuns: 150 },
    );
  }, 60_000);
});

describe('rewriteHtml reads each URL where it ends, and each place a URL can hide (review)', () => {
  const aliceOpenToken = aliceOpen.slice(base.length + 5);
  const aliceClickToken = aliceClick.slice(base.length + 5);

  it('keeps the `]]>` after a URL at the end of a CDATA section in SVG', () => {
    const html = `<body><svg><text><![CDATA[${aliceOpen}]]></text><text><![CDATA[see ${aliceClick}]]></text></svg><p>after</p></body>`;
    expect(forBob(html)).toBe(
      html.replace(aliceOpen, blank).replace(aliceClick, bobClick).replace('</body>', '<PIXEL></body>'),
    );
  });

  it('ends a URL in text at the first character outside printable ASCII (&nbsp;, CJK punctuation, …, emoji)', () => {
    for (const after of ['&nbsp;more', '。谢谢', '…', '&nbsp;|&nbsp;Unsubscribe', '👉', '\u00a0x'])
      for (const [from, to] of [
        [aliceOpen, blank],
        [aliceClick, bobClick],
      ]) {
        const html = `<body><p>View: ${from}${after}</p></body>`;
        expect(forBob(html)).toBe(`<body><p>View: ${to}${after}</p><PIXEL></body>`);
      }
  });

  it('edits a tag the parser drops inside text once, in its own place (a stray <td>)', () => {
    for (const html of [
      `<body>${aliceOpen} <td background="${aliceOpen}">y</body>`,
      `<body>see ${aliceClick} <td style="background:url(${aliceClick})">y</body>`,
      `<body>see ${aliceClick} <td title="&quot;${aliceClick}&quot;">y</body>`,
    ])
      expect(forBob(html)).toBe(
        html.replaceAll(aliceOpen, blank).replaceAll(aliceClick, bobClick).replace('</body>', '<PIXEL></body>'),
      );
  });

  it('reads an attribute URL with a tab or line break inside, as a URL parser does', () => {
    for (const html of [
      `<body><table background="https://t.e\ndx.org/e/o/${aliceOpenToken}"><tr><td>x</td></tr></table></body>`,
      `<body><table background="${base}/e/o/\r\n${aliceOpenToken}"><tr><td>x</td></tr></table></body>`,
    ])
      expect(forBob(html)).toBe(
        html.replace(/"[^"]*\/e\/o\/[^"]*"/, `"${blank}"`).replace('</body>', '<PIXEL></body>'),
      );
    const form = `<body><form action=" ${base}/e/c/\t${aliceClickToken}\n"><button>Go</button></form></body>`;
    expect(forBob(form)).toBe(`<body><form action=" ${bobClick}\n"><button>Go</button></form><PIXEL></body>`);
    // Values that are not one URL: each URL in them is found as in text.
    const list = `<div title="https://a.example.org/x\n${aliceOpen}" data-a="go\r\n${aliceOpen}" data-b="${aliceClick}\thttps://b.example.org/">x</div>`;
    expect(forBob(list)).toBe(`${list.replaceAll(aliceOpen, blank).replace(aliceClick, bobClick)}<PIXEL>`);
  });

  it('replaces a URL inside an href that is not tracked (a mailto: forward link)', () => {
    const html = `<body><a href="mailto:?subject=Look&amp;body=${aliceClick}">Forward</a><a href="/x?u=${aliceOpen}">y</a></body>`;
    expect(forBob(html)).toBe(
      html.replace(aliceClick, bobClick).replace(aliceOpen, blank).replace('</body>', '<PIXEL></body>'),
    );
  });

  it("replaces another message's URL inside the target of a link it tracks", () => {
    const tweet = (url: string) => `https://twitter.com/intent/tweet?url=${url}`;
    const html = `<body><a href="${tweet(aliceClick)}">Tweet</a></body>`;
    expect(forBob(html)).toBe(`<body><a href="${harvard.clickUrl(tweet(bobClick), bob)}">Tweet</a><PIXEL></body>`);
    // The same, reached through a click link of Alice's to it.
    const wrapped = `<body><a href="${harvard.clickUrl(tweet(aliceClick), alice)}">Tweet</a></body>`;
    expect(forBob(wrapped)).toBe(`<body><a href="${harvard.clickUrl(tweet(bobClick), bob)}">Tweet</a><PIXEL></body>`);
  });

  it('reads a duplicate attribute, which the parser drops but the email still holds', () => {
    const html = `<body><table background="https://c.example.org/bg.png" BACKGROUND='${aliceOpen}'><tr><td><a href="https://x.example.org/" href="${aliceClick}">x</a><img src="a.png" src=${aliceOpen}></td></tr></table></body>`;
    expect(forBob(html)).toBe(
      html
        .replace('https://x.example.org/', harvard.clickUrl('https://x.example.org/', bob))
        .replace(aliceClick, bobClick)
        .replaceAll(aliceOpen, blank)
        .replace('</body>', '<PIXEL></body>'),
    );
  });

  it('on generated documents with stray table tags, line ends, entities and non-ASCII around the URLs', () => {
    const junkAttr = fc.constantFrom(
      ...['&amp;', '&', '&ampx', '&amp', '\r\n', '\r', '\n', '\0', '😀', '&#x1F600;', 'x', '&notit;', '&lt;', '\t'],
      ...['&#0;', '&#x0D;', '&NotEqualTilde;', '&#xD800;', 'é', '\u00ad'],
    );
    const junkText = fc.oneof(
      junkAttr,
      fc.constantFrom(
        '<b>',
        '</b>',
        '<br/>',
        '<!-- c -->',
        '<p>',
        ']]>',
        '"',
        "'",
        '</td>',
        '<td>',
        '<table>',
        '</table>',
      ),
    );
    const junk = (arb: fc.Arbitrary<string>) => fc.array(arb, { maxLength: 4 }).map((a) => a.join(''));
    const url = fc.constantFrom(aliceOpen, aliceClick);
    const part = fc.oneof(
      fc.tuple(junk(junkAttr), url, junk(junkAttr)).map(([p, u, q]) => `<td background="${p} ${u} ${q}">`),
      fc.tuple(junk(junkAttr), url, junk(junkAttr)).map(([p, u, q]) => `<div title='${p} ${u} ${q}'>`),
      fc.tuple(junk(junkText), url, junk(junkText)).map(([p, u, q]) => `${p} ${u} ${q}`),
      fc.tuple(junk(junkAttr), url, junk(junkAttr)).map(([p, u, q]) => `<!--${p} ${u} ${q}-->`),
      url.map((u) => `<img src="https://c.example.org/a.png" srcset="${u} 2x, https://c.example.org/b.png 3x">`),
      url.map((u) => `<svg><text><![CDATA[${u}]]></text></svg>`),
    );
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 5 }), junk(junkText), (parts, tail) => {
        const html = `<html><body>${parts.join('\n')}${tail}</body></html>`;
        const out = forBob(html).replace('<PIXEL>', '');
        expect(out).toBe(html.replaceAll(aliceOpen, blank).replaceAll(aliceClick, bobClick));
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});
