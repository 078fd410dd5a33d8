import { describe, expect, it } from 'vitest';
import { alice, aliceClick, aliceOpen, base, blank, bob, bobClick, bobOpen, harvard, verifier } from './reused-html.js';

// Another recipient's tracking URLs nested in re-used HTML, where they end and what follows them.

const enc = encodeURIComponent;
const aliceClickToken = aliceClick.slice(base.length + 5);

/** `html` rewritten for Bob, idempotent, with none of Alice's tokens left and Bob's pixel written `<PIXEL>`. */
function forBob(html: string): string {
  const out = harvard.rewriteHtml(html, bob);
  expect(harvard.rewriteHtml(out, bob)).toBe(out);
  expect(out).not.toContain(aliceOpen.slice(base.length + 5));
  expect(out).not.toContain(aliceClickToken);
  return out.replace(/<img src="[^"]*" width="1" height="1" alt="" border="0" [^>]*\/>/, '<PIXEL>');
}

describe('an encoded URL ends where its encoding level ends: what follows it is kept', () => {
  it('a share link tracked: ?url=<encoded open URL>&text=…', () => {
    const tweet = (url: string) => `https://twitter.com/intent/tweet?url=${enc(url)}&text=Week%203+is+open`;
    const html = `<p><a href="${tweet(aliceOpen).replace(/&/g, '&amp;')}">Tweet</a></p>`;
    expect(forBob(html)).toBe(`<p><a href="${harvard.clickUrl(tweet(blank), bob)}">Tweet</a></p><PIXEL>`);
  });

  it('a mailto body with +-encoded text right after the encoded URL', () => {
    for (const [from, to] of [
      [aliceOpen, blank],
      [aliceClick, bobClick],
    ] as const) {
      const mail = (url: string) => `mailto:?subject=CS50&amp;body=Look%20${enc(url)}+from+edX`;
      expect(forBob(`<p><a href="${mail(from)}">Mail</a></p>`)).toBe(`<p><a href="${mail(to)}">Mail</a></p><PIXEL>`);
    }
  });

  it('a share link encoded in a mailto body: the twice-encoded URL ends at %26, %2B, %20 or %23', () => {
    for (const after of ['&text=Week 3', '+from+edX', ' from edX', '#top'])
      for (const [from, to] of [
        [aliceOpen, blank],
        [aliceClick, bobClick],
      ] as const) {
        const mail = (url: string) =>
          `mailto:?body=${enc(`Share: https://twitter.com/intent/tweet?url=${enc(url)}${after}`)}+and+more`;
        expect(forBob(`<p><a href="${mail(from)}">Mail</a></p>`)).toBe(`<p><a href="${mail(to)}">Mail</a></p><PIXEL>`);
      }
  });

  it('a share link encoded once with the tracking URL written plainly inside it, then &text=', () => {
    const mail = (url: string) => `mailto:?body=${enc(`https://twitter.com/intent/tweet?url=${url}&text=hi`)}+from+edX`;
    expect(forBob(`<p><a href="${mail(aliceOpen)}">Mail</a></p>`)).toBe(
      `<p><a href="${mail(blank)}">Mail</a></p><PIXEL>`,
    );
  });
});

describe('an encoded URL whose slashes are left as they are (https%3A//…)', () => {
  // Django's and Jinja2's |urlencode and Python's quote() leave `/` as it is; so does JS escape().
  const quote = (url: string) => enc(url).replace(/%2F/g, '/');
  const escaped = (url: string) => url.replace(/:/g, '%3A');

  it('a tracked share link: ?url=<quoted tracking URL>, with &text= after it or not', () => {
    for (const encode of [quote, escaped])
      for (const share of [
        (url: string) => `https://twitter.com/intent/tweet?url=${url}&text=Week+3`,
        (url: string) => `https://www.facebook.com/sharer/sharer.php?u=${url}`,
      ])
        for (const [from, to] of [
          [aliceOpen, blank],
          [aliceClick, bobClick],
        ] as const)
          expect(forBob(`<p><a href="${share(encode(from)).replace(/&/g, '&amp;')}">Share</a></p>`)).toBe(
            `<p><a href="${harvard.clickUrl(share(quote(to)), bob)}">Share</a></p><PIXEL>`,
          );
  });

  it('in text and an image proxy src: replaced, what follows kept', () => {
    for (const encode of [quote, escaped, (url: string) => quote(quote(url))])
      for (const [from, to] of [
        [aliceOpen, blank],
        [aliceClick, bobClick],
      ] as const) {
        const html = (url: string) =>
          `<body><p>https://twitter.com/intent/tweet?url=${url}&amp;text=Week+3</p><img src="https://img.example.org/p?u=${url}&amp;w=600" alt=""></body>`;
        expect(forBob(html(encode(from)))).toBe(
          html(encode === escaped ? quote(to) : encode(to)).replace('</body>', '<PIXEL></body>'),
        );
      }
  });
});

describe('a plain tracking URL ends where its token ends', () => {
  it('inside percent-encoded text: a mailto body, a tweet text (%20, +, %0A after it)', () => {
    for (const [from, to] of [
      [aliceOpen, blank],
      [aliceClick, bobClick],
    ] as const) {
      for (const body of [
        (url: string) => `Look%20${url}%20from%20edX`,
        (url: string) => `Look+${url}+from+edX`,
        (url: string) => `Look:%0A${url}%0A%0AThanks`,
      ])
        expect(forBob(`<p><a href="mailto:?body=${body(from)}">m</a></p>`)).toBe(
          `<p><a href="mailto:?body=${body(to)}">m</a></p><PIXEL>`,
        );
      const tweet = (url: string) => `https://twitter.com/intent/tweet?text=Week%203%20${url}%20%23edX`;
      expect(forBob(`<p><a href="${tweet(from)}">t</a></p>`)).toBe(
        `<p><a href="${harvard.clickUrl(tweet(to), bob)}">t</a></p><PIXEL>`,
      );
    }
  });

  it('inside the query of an unreadable tracking URL, which is kept', () => {
    const made = `${base}/e/c/made-up?u=`;
    for (const [from, to] of [
      [aliceOpen, blank],
      [aliceClick, bobClick],
    ] as const)
      expect(forBob(`<body><p>${made}${from}</p></body>`)).toBe(`<body><p>${made}${to}</p><PIXEL></body>`);
  });

  it('glued to another URL or a query of the URL around it (`,`, `&`)', () => {
    for (const html of [
      (_: string, click: string) => `<p>${click},${click}</p>`,
      (open: string, click: string) => `<p>${open},${click}</p>`,
      (_: string, click: string) => `<p>https://x.org/r?${click}&amp;utm=1</p>`,
    ])
      expect(forBob(`<body>${html(aliceOpen, aliceClick)}</body>`)).toBe(
        `<body>${html(blank, bobClick)}<PIXEL></body>`,
      );
  });
});

describe('encoded URLs glued together at different encoding levels', () => {
  it('a twice-encoded URL ends where a once-encoded one starts', () => {
    const html = (open: string, click: string) => `<body><p>${enc(enc(open))}${enc(click)}</p></body>`;
    expect(forBob(html(aliceOpen, aliceClick))).toBe(html(blank, bobClick).replace('</body>', '<PIXEL></body>'));
  });
});

describe('punctuation glued after a URL in text, as a linkifier reads it', () => {
  it('**URL**, (URL), URL., URL,, URL!, URL~, _URL_', () => {
    for (const [before, after] of [
      ['**', '**'],
      ['(', ')'],
      ['', '.'],
      ['', ','],
      ['', '!'],
      ['', '~'],
      ['*', '*.'],
    ])
      for (const [from, to] of [
        [aliceOpen, blank],
        [aliceClick, bobClick],
      ] as const)
        expect(forBob(`<p>See ${before}${from}${after} now</p>`)).toBe(`<p>See ${before}${to}${after} now</p><PIXEL>`);
  });
});

describe('CSS url() is searched for encoded nested URLs', () => {
  it('in an inline style and a <style> sheet', () => {
    const proxy = (url: string) => `https://img.example.org/p?u=${enc(url)}&amp;w=600`;
    const html = (url: string) =>
      `<html><head><style>.a{background:url('${proxy(url)}')}</style></head><body><div style="background-image:url(${proxy(url)})">x</div></body></html>`;
    expect(forBob(html(aliceOpen))).toBe(html(blank).replace('</body>', '<PIXEL></body>'));
  });
});

describe('a CSS string with text around a URL', () => {
  it('only the URL is replaced: the text is kept', () => {
    for (const [from, to] of [
      [aliceOpen, blank],
      [aliceClick, bobClick],
    ] as const) {
      const html = (url: string) =>
        `<html><head><style>.f::after{content:"${url} — thanks"}</style></head><body><p style="--u:'See ${url}'">x</p></body></html>`;
      expect(forBob(html(from))).toBe(html(to).replace('</body>', '<PIXEL></body>'));
    }
  });
});

describe('a URL wrapped across lines in a VML comment', () => {
  it('is read whole and replaced', () => {
    for (const wrap of ['\r\n', '\n', '\n\t'])
      for (const [from, to] of [
        [aliceClick, bobClick],
        [aliceOpen, blank],
      ] as const) {
        const cut = from.length - 20;
        const html = `<body><!--[if mso]><v:roundrect href="${from.slice(0, cut)}${wrap}${from.slice(cut)}" arcsize="10%"><v:fill src="x.png"/></v:roundrect><![endif]--><p>x</p></body>`;
        expect(forBob(html)).toBe(
          html.replace(`${from.slice(0, cut)}${wrap}${from.slice(cut)}`, to).replace('</body>', '<PIXEL></body>'),
        );
      }
  });
});

describe('literal URLs nested in other URLs outside tracked link targets', () => {
  it('in text, an untracked href and another attribute: replaced, what follows kept', () => {
    const share = (url: string) => `https://twitter.com/share?url=${url}&amp;text=hi`;
    for (const [from, to] of [
      [aliceOpen, blank],
      [aliceClick, bobClick],
    ] as const) {
      const html = (url: string) =>
        `<body><p>Share: ${share(url)}</p><a href="mailto:?body=${share(url)}">m</a><div title="${share(url)}">t</div></body>`;
      expect(forBob(html(from))).toBe(html(to).replace('</body>', '<PIXEL></body>'));
    }
  });

  it('still reads a URL longer than any nested one whole (an ESP query appended to it)', () => {
    const html = (url: string) => `<body><p>See ${url}?utm=${'a'.repeat(9000)} now</p></body>`;
    expect(forBob(html(aliceOpen))).toBe(`<body><p>See ${blank} now</p><PIXEL></body>`);
  });

  it("leaves this message's own nested URLs as they are", () => {
    const html = `<body><p>Share: https://twitter.com/share?url=${bobOpen}&amp;text=hi</p></body>`;
    expect(forBob(html)).toBe(html.replace('</body>', '<PIXEL></body>'));
    expect(verifier.verify(bobOpen.slice(base.length + 5), 'open').ok).toBe(true);
    expect(alice.messageId).not.toBe(bob.messageId);
  });
});

describe('hostile input is read in linear time', () => {
  /** The CPU time (user and system, in ms) this process has spent since `started`. */
  const cpuMs = (started: NodeJS.CpuUsage): number => {
    const { user, system } = process.cpuUsage(started);
    return (user + system) / 1000;
  };

  it('256 KB of %25 runs, nested encodings, slashes and punctuation finish fast', () => {
    const size = 256 * 1024;
    const inputs = [
      '%25'.repeat(size / 3),
      `https%3A%2F%2F${'%25'.repeat(size / 3)}`,
      'https%3A%2F%2F'.repeat(size / 14),
      'https%253A%252F%252F'.repeat(size / 20),
      `${'https%3A%2F%2Fa%3Fu%3D'.repeat(300)}x&`.repeat(size / 6600),
      'http://'.repeat(size / 7),
      `//${'.'.repeat(size)}x`,
      `a=http://${'=http://'.repeat(size / 8)}`,
      // Many runs, each short enough for every `//` in it to be a nested URL's start.
      `${'/'.repeat(8190)} `.repeat(size / 8191),
      // URLs on the tracking host, each ended by a token within 8 KB, written plainly and JSON-escaped.
      `${'https://t.edx.org/'.repeat(450)}e/c/x%20`.repeat(size / 8110),
      `${'https:\\/\\/t.edx.org\\/'.repeat(350)}e\\/c\\/x,`.repeat(size / 7360),
      'https:/t.edx.org/'.repeat(size / 17),
      'https%253A%2F%2Ft.edx.org%2F'.repeat(size / 28),
      // Go's url.PathEscape form, Proofpoint URL Defense wrappers (v3 never closed, v3 and v2 many),
      // a long run of host labels, CSS escapes, and tracking URLs with dashes glued to them.
      'https:%2F%2Ft.edx.org%2F'.repeat(size / 24),
      'https://urldefense.com/v3/__'.repeat(size / 28),
      'https://urldefense.com/v3/__https://t.edx.org/e/c/x__;!!a$'.repeat(size / 58),
      'https://urldefense.proofpoint.com/v2/url?u=https-3A__t.edx.org_e_c_x-2D'.repeat(size / 72),
      'urldefense.'.repeat(size / 11),
      '\\41 https:\\/\\/'.repeat(size / 16),
      Array.from({ length: size / 32 }, (_, n) => `https://t.edx.org/e/c/x${n}-- `).join(''),
      // Protocol-relative URLs on the tracking host inside one another (in a `<style>`, bare CSS text).
      `${'//t.edx.org/'.repeat(680)}e/c/x%20`.repeat(31),
      `${'//t.edx.org/./'.repeat(580)}e/c/x%20`.repeat(31),
      // Dots in the query or the fragment, or starting a segment that is no dot segment (`/.well-known`).
      ...['.', '..', '?/.', '#/.', '.well-known'].map((dots) =>
        Array.from(
          { length: 31 },
          (_, n) => `${`//t.edx.org/${dots}`.repeat(8060 / (12 + dots.length))}/e/c/x${n}-a%20`,
        ).join(''),
      ),
      // Proofpoint wrappers percent-encoded, v3 inside v2, and v3 with placeholders.
      'https%3A%2F%2Furldefense.proofpoint.com%2Fv2%2Furl%3Fu%3Dhttps-3A__t.edx.org_e_c_x-2D'.repeat(size / 86),
      'https://urldefense.proofpoint.com/v2/url?u=https-3A__urldefense.com_v3_-5F-5Fhttps-3A__t.edx.org_e_c_x'.repeat(
        size / 100,
      ),
      'https://urldefense.com/v3/__https://t.edx.org/e/c/x*__;JQ!!a$'.repeat(size / 60),
      // Wrapper hosts written otherwise, and encoded URLs with full-width hosts (escape()'s, as they are).
      'https://urldef%65nse.com/v3/__'.repeat(size / 30),
      'https://ｕrldefense.proofpoint.com/v2/url?u=https-3A__t.edx.org_e_c_x-2D'.repeat(size / 72),
      'https%3A//%uFF54'.repeat(size / 16),
      `https%3A%2F%2F${'ｔ'.repeat(size)}`,
    ];
    // Each place alone takes about 0.2 s of CPU here (11 s and more before). The bound is coarse, and
    // on the process's CPU time (not wall time, which a busy CI runner stretches): a quadratic
    // regression takes tens of seconds.
    for (const hostile of inputs)
      for (const html of [
        `<p title="${hostile}">x</p>`,
        `<a href="https://x.example.org/?q=${hostile}">x</a>`,
        `<p>${hostile}</p>`,
        `<style>.a{background:url(${hostile})}</style>`,
        `<style>.a{--x:${hostile}}</style>`,
        `<style>.b{content:"\\41 ${hostile}"}</style>`,
        `<!--${hostile}-->`,
      ]) {
        const started = process.cpuUsage();
        harvard.rewriteHtml(html, bob);
        expect(cpuMs(started)).toBeLessThan(4000);
      }
    // Untracked links whose targets are each such a run.
    const links = Array.from({ length: 30 }, (_, n) => `<a href="https://x.org/${n}?q=${'/'.repeat(7990)}">x</a>`);
    const started = process.cpuUsage();
    harvard.rewriteHtml(links.join('\n'), bob);
    expect(cpuMs(started)).toBeLessThan(4000);
    // About 30 s of wall time alone; a CI runner whose 2 cores a browser suite shares stretches it.
  }, 300_000);
});

describe('an unreadable token in <img src> never throws', () => {
  it('an unreadable open URL there is a stale pixel (this message’s pixel takes its place); an unreadable click URL is kept', () => {
    const made = `${base}/e/o/made-up`;
    const click = `${base}/e/c/${aliceClickToken.slice(0, -4)}`;
    const html = `<body><img src="${made}"><img src="${click}"><img src="${made}x"></body>`;
    expect(harvard.rewriteHtml(html, bob)).toBe(`<body><img src="${bobOpen}"><img src="${click}"></body>`);
    expect(() => harvard.clickUrl(click, bob)).toThrow(expect.objectContaining({ code: 'unreadable_token' }));
  });
});

const pairs = [
  [aliceOpen, blank],
  [aliceClick, bobClick],
] as const;

describe('an encoded URL whose colon and slashes were encoded a different number of times', () => {
  // A share link with the tracking URL `|urlencode`d (Django: `https%3A//…`), encoded once more
  // with encodeURIComponent in a mailto body: the colon is now `%253A`, the slashes `%2F`.
  const quote = (url: string) => enc(url).replace(/%2F/g, '/');

  it('is replaced, and written back encoded the same way', () => {
    for (const [from, to] of pairs) {
      const share = (url: string) => enc(`https://twitter.com/intent/tweet?url=${quote(url)}&text=Hi`);
      const html = (url: string) =>
        `<body><a href="mailto:?subject=CS50&amp;body=${share(url)}">m</a><p>${share(url)}+from+edX</p></body>`;
      expect(forBob(html(from))).toBe(html(to).replace('</body>', '<PIXEL></body>'));
    }
  });

  it('slashes encoded more often than the colon (https%3A%252F%252F…)', () => {
    for (const [from, to] of pairs) {
      const html = (url: string) => `<body><p>${enc(enc(url)).replace(/%253A/g, '%3A')}%20from%20edX</p></body>`;
      expect(forBob(html(from))).toBe(html(to).replace('</body>', '<PIXEL></body>'));
    }
  });
});

describe('a tracking URL nested in a run of text longer than any tracking URL', () => {
  it('ends at its token: the 8 KB bound is on the URL, not the text after it', () => {
    for (const [from, to] of pairs) {
      const body = (url: string) =>
        `Hi%20from%20https://www.edx.org/%20-%20join%20at%20${url}%20${'and%20more%20words%20'.repeat(500)}`;
      const html = (url: string) => `<body><p><a href="mailto:?body=${body(url)}">m</a></p><p>${body(url)}</p></body>`;
      expect(forBob(html(from))).toBe(html(to).replace('</body>', '<PIXEL></body>'));
    }
  });
});

describe('a URL with its slashes JSON-escaped (https:\\/\\/…, as PHP json_encode writes)', () => {
  const json = (url: string) => url.replace(/\//g, '\\/');

  it('in a JSON-LD Go-To Action, a share link and an attribute: replaced, written back escaped', () => {
    for (const [from, to] of pairs) {
      const ld = (url: string) =>
        `{"@context":"http:\\/\\/schema.org","@type":"EmailMessage","potentialAction":{"@type":"ViewAction","url":"${json(url)}","name":"Open"},"share":"${json(`https://twitter.com/share?url=${url}`)}"}`;
      const html = (url: string) =>
        `<html><head><script type="application/ld+json">${ld(url)}</script></head><body><div data-ld='${ld(url).replace(/'/g, '&#39;')}'>x</div><p>${json(url)}, ${json(url)}</p></body></html>`;
      const out = forBob(html(from));
      expect(out).toBe(html(to).replace('</body>', '<PIXEL></body>'));
      const script = /<script[^>]*>(.*?)<\/script>/.exec(out)?.[1] ?? '';
      expect((JSON.parse(script) as { potentialAction: { url: string } }).potentialAction.url).toBe(to);
    }
  });
});

describe('CSS comments are searched', () => {
  it('in a <style> sheet (closed or left open) and in style=""', () => {
    for (const [from, to] of pairs) {
      const html = (url: string) =>
        `<html><head><style>/* old hero: .hero{background:url(${url})} see ${url} */ .x{color:red} /* ${url}</style></head><body><div style="/* background:url(${url}) */ color:red">x</div></body></html>`;
      expect(forBob(html(from))).toBe(html(to).replace('</body>', '<PIXEL></body>'));
    }
  });
});

describe('a CSS string with whitespace around the URL', () => {
  it('keeps the whitespace: only the URL is replaced', () => {
    for (const [from, to] of pairs) {
      const html = (url: string) =>
        `<html><head><style>.a{background:url(" ${url}\t")}</style></head><body><div style="background:url(' ${url} ')">x</div></body></html>`;
      expect(forBob(html(from))).toBe(html(to).replace('</body>', '<PIXEL></body>'));
    }
  });

  it('keeps a whitespace that ends a CSS escape inside the string', () => {
    const html = `<p style="background:url(' https://x.org/\\31  ')">x</p>`;
    expect(forBob(html)).toBe(`${html}<PIXEL>`);
  });
});

describe('a nested URL with one slash after its scheme (https:/t.edx.org/…, as a slash-merging archive writes it)', () => {
  it('is read as the URL a browser reads, and replaced written the same way', () => {
    const archive = (url: string) => `https://web.archive.org/web/2020/${url.replace('https://', 'https:/')}`;
    for (const [from, to] of pairs)
      expect(forBob(`<p><a href="${archive(from)}">a</a> ${archive(from)}</p>`)).toBe(
        `<p><a href="${harvard.clickUrl(archive(to), bob)}">a</a> ${archive(to)}</p><PIXEL>`,
      );
  });
});

describe('attributes written on an end tag (which a browser ignores, but the email holds)', () => {
  it('are searched as those of a start tag', () => {
    for (const [from, to] of pairs) {
      const html = (url: string) =>
        `<body><p>x</p title="${url}"><b>y</b href='${url}' style="background:url(${url})"></body>`;
      expect(forBob(html(from))).toBe(html(to).replace('</body>', '<PIXEL></body>'));
    }
  });
});
