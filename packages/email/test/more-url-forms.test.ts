import { describe, expect, it } from 'vitest';
import { alice, aliceClick, aliceOpen, base, blank, bob, bobClick, harvard, target, verifier } from './reused-html.js';
import { clickTargets } from './support.js';

// Another recipient's tracking URLs written in more forms in re-used HTML: each is found and
// replaced, written back in the same form, and every byte around it is kept.

const enc = encodeURIComponent;
const tokenOf = (url: string): string => url.slice(base.length + 5);

/** `html` rewritten for Bob, idempotent, with none of Alice's tokens left and Bob's pixel written `<PIXEL>`. */
function forBob(html: string): string {
  const out = harvard.rewriteHtml(html, bob);
  expect(harvard.rewriteHtml(out, bob)).toBe(out);
  for (const token of [tokenOf(aliceOpen), tokenOf(aliceClick)]) {
    expect(out).not.toContain(token);
    expect(out).not.toContain(enc(token));
  }
  return out.replace(/<img src="[^"]*" width="1" height="1" alt="" border="0" [^>]*\/>/, '<PIXEL>');
}

const pairs = [
  [aliceOpen, blank],
  [aliceClick, bobClick],
] as const;

describe("a nested URL as Go's url.PathEscape writes it (https:%2F%2F…: the colon left, the slashes escaped)", () => {
  /** Go's url.PathEscape: `:@&=+$` left as they are, `/` escaped. */
  const pathEscape = (url: string) =>
    enc(url).replace(/%(3A|40|26|3D|2B|24)/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  const redirect = (url: string) => `https://t.example/r/${pathEscape(url)}`;

  it('in a tracked link, text and an image src: replaced, written back path-escaped', () => {
    for (const [from, to] of pairs) {
      const html = (url: string, link: string) =>
        `<body><p><a href="${link}">Course</a> ${redirect(url)} now</p><img src="${redirect(url)}" alt=""></body>`;
      const out = forBob(html(from, redirect(from)));
      expect(out).toBe(html(to, harvard.clickUrl(redirect(to), bob)).replace('</body>', '<PIXEL></body>'));
      expect(clickTargets(out, base, verifier)).toEqual([redirect(to)]);
    }
  });
});

describe('an encoded URL with one slash encoded and one left (https:%2F/…, https:/%2F…)', () => {
  it('in a share link in text and an attribute: replaced, written back in the form it was read', () => {
    for (const mixed of [
      (url: string) => url.replace('://', ':%2F/'),
      (url: string) => url.replace('://', ':/%2F'),
      (url: string) => enc(url).replace('%3A%2F%2F', ':%2F/'),
      (url: string) => enc(url).replace('%2F%2F', '/%2F'),
    ])
      for (const [from, to] of pairs) {
        const html = (url: string) =>
          `<body><p>https://x.example.org/share?u=${mixed(url)}&amp;t=1</p><p title="${mixed(url)}">x</p></body>`;
        const out = forBob(html(from));
        // The blank image is no http(s) URL: written percent-encoded, its `/` as the path's slashes are.
        if (to === blank)
          expect(decodeURIComponent(out)).toBe(decodeURIComponent(html(to)).replace('</body>', '<PIXEL></body>'));
        else expect(out).toBe(html(to).replace('</body>', '<PIXEL></body>'));
      }
  });
});

describe('a URL wrapped by Proofpoint URL Defense', () => {
  /** v2: the URL percent-encoded, `%` written `-` and `/` written `_`. */
  const v2 = (url: string) =>
    `https://urldefense.proofpoint.com/v2/url?u=${enc(url)
      .replace(/[-_.!~*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
      .replace(/%2E/g, '.')
      .replace(/%/g, '-')
      .replace(/-2F/g, '_')}&d=DwMFaQ&c=abc&r=def&m=ghi&s=jkl&e=`;
  /** v3: the URL as it is between `__` and `__;`, then the bytes Proofpoint took out and its signature. */
  const v3 = (url: string) => `https://urldefense.com/v3/__${url}__;!!Fq6y3Kkd!AbCdEf-gh_ij$`;

  it('v2 (?u=https-3A__…): the inner URL replaced and written back as v2 writes it', () => {
    for (const [from, to] of pairs) {
      const html = (url: string, link: string) =>
        `<body><p><a href="${link.replace(/&/g, '&amp;')}">Course</a></p><p>${v2(url).replace(/&/g, '&amp;')}</p></body>`;
      const out = forBob(html(from, v2(from)));
      expect(out).toBe(html(to, harvard.clickUrl(v2(to), bob)).replace('</body>', '<PIXEL></body>'));
    }
  });

  it('v3 (__https://…__;!!…$): the inner URL replaced, the wrapper kept byte for byte', () => {
    for (const [from, to] of pairs) {
      const html = (url: string, link: string) =>
        `<body><p><a href="${link}">Course</a> ${v3(url)}</p><div style="background:url(${v3(url)})">x</div></body>`;
      const out = forBob(html(from, v3(from)));
      expect(out).toBe(html(to, harvard.clickUrl(v3(to), bob)).replace('</body>', '<PIXEL></body>'));
    }
  });

  it('v3 with `%` written `*` (the characters listed after __;): a share link inside found and replaced', () => {
    /** v3 as Proofpoint writes an encoded URL: each `%` of it written `*`, the `%`s base64 after `__;`. */
    const starred = (url: string) => {
      const encoded = `https://twitter.com/share?url=${enc(url)}`;
      const taken = encoded.replace(/[^%]/g, '');
      return `https://urldefense.com/v3/__${encoded.replace(/%/g, '*')}__;${Buffer.from(taken).toString('base64url')}!!x!y$`;
    };
    const out = forBob(`<body><p>${starred(aliceClick)}</p><p>x ${starred(aliceOpen)}</p></body>`);
    // The click URL has as many `%` as Alice's: written back with `*` as Proofpoint wrote it.
    expect(out).toContain(`<p>${starred(bobClick)}</p>`);
    expect(out).toContain(enc(blank).replace(/%/g, '*').slice(0, 20));
    // Runs (`**B`: three characters) read as Proofpoint's decoder reads them, the wrapper kept byte for byte.
    const runs = (url: string) =>
      `https://urldefense.com/v3/__https://twitter.com/share?url=https**B**B**Bt.edx.org**Be**Bc**B${tokenOf(url)}__;${Buffer.from('%3A%2F%2F%2F%2F%2F').toString('base64url')}!!x$`;
    expect(forBob(`<p>${runs(aliceClick)}</p>`)).toBe(`<p>${runs(bobClick)}</p><PIXEL>`);
  });

  /** The characters a v3 run (`**X`) ends with, by length: `A` two characters, `B` three, … */
  const lengths = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  /** The URL inside each v3 wrapper of `text`, its placeholders read as Proofpoint's decoder reads them. */
  const decodedV3 = (text: string): string[] =>
    Array.from(text.matchAll(/urldefense\.com\/v3\/__(.*?)__;([\w-]*)=*!/g), ([, url = '', list = '']) => {
      const chars = Array.from(Buffer.from(list, 'base64url').toString('utf8'));
      const decoded = url.replace(/\*(?:\*(.))?/g, (_, run?: string) =>
        chars.splice(0, run === undefined ? 1 : lengths.indexOf(run) + 2).join(''),
      );
      expect(chars).toEqual([]);
      return decoded;
    });

  it('v3 whose new URL takes fewer characters out (an open URL, **X runs): the list after __; rebuilt', () => {
    const escaped = (url: string) => url.replace('://', '%3A%2F%2F').replace(/\//g, '%2F');
    const wrapped = (url: string, more = '') => {
      const encoded = `https://twitter.com/share?url=${escaped(url)}${more}&t=a%20b%2Fc%3Ad`;
      // Each run of escapes taken out whole, written `**X` (`X`: its length).
      const runs = /(?:%[\dA-F]{2})+/g;
      const placeheld = encoded.replace(runs, (run) => `**${lengths.charAt(run.length - 2)}`);
      return `https://urldefense.com/v3/__${placeheld}__;${Buffer.from(encoded.match(runs)?.join('') ?? '').toString('base64url')}!!x!y$`;
    };
    const html = wrapped(aliceOpen).replace(/&/g, '&amp;');
    expect(decodedV3(html)[0]?.endsWith('&amp;t=a%20b%2Fc%3Ad')).toBe(true);
    const out = forBob(`<p>${html} ok</p>`);
    const [decoded = ''] = decodedV3(out);
    expect(decoded.endsWith('&amp;t=a%20b%2Fc%3Ad')).toBe(true);
    expect(decoded).toContain(enc(blank).slice(0, 30));
    expect(out.endsWith('!!x!y$ ok</p><PIXEL>')).toBe(true);
    // Two in one wrapper: the list holds what each now takes out.
    const two = forBob(`<p>${wrapped(aliceOpen, `&u=${escaped(aliceClick)}`).replace(/&/g, '&amp;')}</p>`);
    const [both = ''] = decodedV3(two);
    expect(both.endsWith('&amp;t=a%20b%2Fc%3Ad')).toBe(true);
    expect(both).toContain(`&amp;u=${escaped(bobClick)}`);
  });

  it('v3 holding more URLs, the last of them not rewritten: the list after __; rebuilt all the same', () => {
    /** v3 as Proofpoint writes an encoded URL: each `%` of it written `*`, the `%`s base64 after `__;`. */
    const starred = (encoded: string) =>
      `https://urldefense.com/v3/__${encoded.replace(/%/g, '*')}__;${Buffer.from(encoded.replace(/[^%]/g, '')).toString('base64url')}!!x!y$`;
    const share = (url: string) => `https://twitter.com/share?url=${enc(url)}&via=${enc('https://www.edx.org/a b')}`;
    // Alice's URLs with a query that takes more characters out than what replaces them.
    for (const [f, to] of pairs) {
      const from = `${f}?utm_content=${'a/'.repeat(12)}`;
      const text = forBob(`<p>${starred(share(from)).replace(/&/g, '&amp;')} ok</p>`);
      expect(decodedV3(text)).toEqual([share(to).replace(/&/g, '&amp;')]);
      expect(text.endsWith('!!x!y$ ok</p><PIXEL>')).toBe(true);
      // In a mailto body, the wrapper percent-encoded once more.
      const mail = forBob(`<p><a href="mailto:?body=${enc(starred(share(from)))}">m</a></p>`);
      expect(decodedV3(decodeURIComponent(mail))).toEqual([share(to)]);
    }
  });

  it('a wrapper percent-encoded (in a mailto body), JSON-escaped, or v3 inside v2: the URL inside replaced', () => {
    for (const [from, to] of pairs) {
      const mail = (url: string) => `<p><a href="mailto:?body=${enc(url)}">Mail</a></p>`;
      for (const wrap of [v2, v3])
        expect(forBob(mail(wrap(from)))).toBe(`${mail(wrap(to)).replace(/&/g, '&amp;')}<PIXEL>`);
      for (const wrap of [v2, v3]) {
        const json = (url: string) =>
          `<script type="application/ld+json">{"url":"${wrap(url).replace(/\//g, '\\/')}"}</script>`;
        expect(forBob(`<head>${json(from)}</head>`)).toBe(`<head>${json(to)}</head><PIXEL>`);
      }
      const both = (url: string) => `<p>${v2(v3(url)).replace(/&/g, '&amp;')}</p>`;
      expect(forBob(both(from))).toBe(`${both(to)}<PIXEL>`);
    }
  });

  it('v3 around a share link: the tracking URL inside it ends before __;', () => {
    for (const [from, to] of pairs) {
      const html = (url: string) => `<body><p>${v3(`https://twitter.com/share?url=${url}`)}</p></body>`;
      expect(forBob(html(from))).toBe(html(to).replace('</body>', '<PIXEL></body>'));
    }
  });
});

describe('a URL glued to what follows it', () => {
  it('to a `-` after it, or between <>, in text, an attribute and a comment: the `-` kept', () => {
    for (const [from, to] of pairs) {
      const html = (url: string) =>
        `<body><p>${url}- now, &lt;${url}&gt;- and ${url}-- too</p><span title="<${url}>- ${url}-">t</span><!-- ${url}- --></body>`;
      expect(forBob(html(from))).toBe(html(to).replace('</body>', '<PIXEL></body>'));
    }
  });

  it('a click URL whose token itself ends in `-` is still read with it', () => {
    let meta = { ...bob, messageId: 'm-dash-0' };
    for (let n = 1; !tokenOf(harvard.clickUrl(target, meta)).endsWith('-'); n++)
      meta = { ...bob, messageId: `m-dash-${n}` };
    const dashed = harvard.clickUrl(target, meta);
    expect(forBob(`<body><p>${dashed}- now</p></body>`)).toBe(`<body><p>${bobClick}- now</p><PIXEL></body>`);
  });

  /** Alice's click and open URLs for a message whose token ends in `end`. */
  function endingIn(end: string): [string, string] {
    const found: string[] = [];
    for (const kind of ['click', 'open'] as const)
      for (let n = 0; ; n++) {
        const meta = { ...alice, messageId: `m-${kind}-${n}` };
        const url = kind === 'click' ? harvard.clickUrl(target, meta) : harvard.pixelUrl(meta);
        if (!url.endsWith(end)) continue;
        found.push(url);
        break;
      }
    return [found[0] ?? '', found[1] ?? ''];
  }

  /** `html` rewritten for Bob: idempotent, none of `urls`' tokens left, Bob's pixel written `<PIXEL>`. */
  function withoutTokens(html: string, urls: string[]): string {
    const out = forBob(html);
    for (const url of urls) expect(out).not.toContain(tokenOf(url));
    return out;
  }

  it('a token that itself ends in `-` or `_`, with `--`, `__` or `-word` glued after it: replaced, the rest kept', () => {
    for (const end of ['-', '_']) {
      const [click, open] = endingIn(end);
      for (const glued of ['--', '---', '__', '_', '-now', '--now', '_x']) {
        const html = (c: string, o: string) => `<body><p>${c}${glued} x</p><p>${o}${glued} y</p></body>`;
        expect(withoutTokens(html(click, open), [click, open])).toBe(
          html(bobClick, blank).replace('</body>', '<PIXEL></body>'),
        );
      }
    }
  });

  it('an open URL with dashes, `_` or a word glued after it: the glued text kept byte for byte', () => {
    for (const glued of ['--- x', '_ x', '-now', '-- x', '__', '-now-']) {
      const html = (url: string) => `<body><p>${url}${glued}</p></body>`;
      expect(forBob(html(aliceOpen))).toBe(html(blank).replace('</body>', '<PIXEL></body>'));
    }
  });

  it('three or more glued `-word`s, or a glued word over 24 characters: replaced, the rest kept byte for byte', () => {
    for (const glued of ['-see-you-soon', '-a-b-c', `-${'w'.repeat(30)}`, '_a_b_c-d-e'])
      for (const [from, to] of pairs) {
        const html = (url: string) => `<p>${url}${glued} ok</p>`;
        expect(forBob(html(from))).toBe(`${html(to)}<PIXEL>`);
      }
  });

  it('a glued word of any length, any number of `-`/`_` in it, or letters glued with no `-`: replaced, the rest kept', () => {
    const long = `-${'w'.repeat(100)}`;
    const cuts = '-a-b-c-d-e-f-g-h-i-j-k';
    const huge = `_${'see-you_'.repeat(2000)}`;
    for (const glued of [long, cuts, huge, 'Thanks', '2026', `${'w'.repeat(70)}-x`])
      for (const [from, to] of pairs) {
        const html = (url: string) => `<body><p>${url}${glued} ok</p><p title="${url}${glued}">t</p></body>`;
        expect(forBob(html(from))).toBe(html(to).replace('</body>', '<PIXEL></body>'));
      }
  });

  it('a glued word, then a query: replaced with the glued word kept, the query gone with the URL as any query goes', () => {
    for (const [from, to] of pairs)
      for (const after of ['?utm_source=x', '#top', `?u=${aliceClick}`])
        expect(forBob(`<body><p>${from}-see-you-soon${after} ok</p></body>`)).toBe(
          `<body><p>${to}-see-you-soon ok</p><PIXEL></body>`,
        );
  });

  it('Markdown emphasis (`_…_`, `__…__`) and a `-word` glued after a click URL: replaced, the rest kept', () => {
    for (const [from, to] of pairs)
      for (const html of [
        (url: string) => `<body><p>_${url}_</p></body>`,
        (url: string) => `<body><p>__${url}__</p></body>`,
        (url: string) => `<body><p>${url}-now and ${url}_, then ${url}-_-</p></body>`,
        (url: string) => `<body><p title="_${url}_">${url}-2026</p><!-- __${url}__ --></body>`,
      ])
        expect(forBob(html(from))).toBe(html(to).replace('</body>', '<PIXEL></body>'));
  });
});

describe('a URL on the tracking host whose path a URL parser resolves to the endpoints', () => {
  it('dot segments (`/x/../e/c/…`, `/./`, `%2e%2e`) before the endpoint path: replaced', () => {
    const moved = (url: string, dots: string) => url.replace('/e/', `/${dots}/e/`);
    for (const dots of ['x/..', '.', 'a/b/%2E%2e/%2e%2E', 'x\\..'])
      for (const [from, to] of pairs) {
        const html = (url: string) => `<body><p>${url} now</p><style>:root{--a:${url}}</style></body>`;
        expect(forBob(html(moved(from, dots)))).toBe(html(to).replace('</body>', '<PIXEL></body>'));
      }
  });
});

describe('dots on the tracking host: dot segments, or none (in the query or fragment, `/.well-known`)', () => {
  /** 31 runs of `//t.edx.org/<dots>` up to 8 KB each, ended by a tracking-like path. */
  const runs = (dots: string) =>
    Array.from(
      { length: 31 },
      (_, n) => `${`//t.edx.org/${dots}`.repeat(8060 / (12 + dots.length))}/e/c/x${n}-a%20`,
    ).join('');
  /** The CPU time (ms) rewriting `<p>${text}</p>` for Bob takes. */
  const cpuMs = (text: string): number => {
    const started = process.cpuUsage();
    harvard.rewriteHtml(`<p>${text}</p>`, bob);
    const { user, system } = process.cpuUsage(started);
    return (user + system) / 1000;
  };

  it('cost about as much as any other path (no URL parsed whole for them)', () => {
    const other = cpuMs(runs('x'));
    for (const dots of ['.', '?/.', '#/.', '.well-known', '%2Ewell-known'])
      expect(cpuMs(runs(dots))).toBeLessThan(2 * other + 150);
  }, 60_000);

  it('`..` segments too: the paths of the URLs inside one another in a run are resolved once', () => {
    const other = cpuMs(runs('x'));
    for (const dots of ['..', '%2e%2E', 'a/..', './..', '../..', '..\\..'])
      expect(cpuMs(runs(dots))).toBeLessThan(2 * other + 150);
  }, 60_000);
});

describe('a CSS string or url() with whitespace and escapes in it', () => {
  it('a URL nested in a string with an escape: replaced, the CSS escapes kept', () => {
    const proxy = (url: string) => `https://img.example.org/p?u=${enc(url)}&amp;q=\\"y\\"`;
    for (const [from, to] of pairs) {
      const html = (url: string) =>
        `<html><head><style>.a{background:url( "${proxy(url)}" )}</style></head><body><div style='background:url( "${proxy(url)}"	)'>x</div></body></html>`;
      expect(forBob(html(from))).toBe(html(to).replace('</body>', '<PIXEL></body>'));
    }
  });

  it('a whole URL with an escaped quote in its query: replaced, the string still closed', () => {
    for (const [from, to] of pairs) {
      const html = (url: string) => `<body><div style='background:url( "${url}?v=\\"2\\"" )'>x</div></body>`;
      const out = forBob(html(from));
      expect(out).toBe(
        `<body><div style='background:url( "${to.replace(/[\\"'()]/g, '\\$&')}" )'>x</div><PIXEL></body>`,
      );
    }
  });
});

describe('a split URL in a quoted-printable body is rewritten once the body is decoded', () => {
  // rewriteHtml takes the HTML text, as a MIME library hands it over: decoded from quoted-printable.
  /** The quoted-printable decoding of RFC 2045 §6.7: soft line breaks dropped, `=XX` bytes read as UTF-8. */
  const decodeQp = (body: string) =>
    Buffer.from(
      body.replace(/=\r?\n/g, '').replace(/=([\dA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
      'latin1',
    ).toString('utf8');

  it('a link and a text URL split by =CRLF and =LF soft line breaks', () => {
    const split = (url: string, at: number, br: string) => `${url.slice(0, at)}=${br}${url.slice(at)}`;
    for (const br of ['\r\n', '\n']) {
      const qp = `<p><a href=3D"${split(aliceClick, 20, br)}">Course</a> ${split(aliceOpen, 40, br)}</p>`;
      const out = forBob(decodeQp(qp));
      expect(out).toBe(`<p><a href="${harvard.clickUrl(target, bob)}">Course</a> ${blank}</p><PIXEL>`);
      expect(clickTargets(out, base, verifier)).toEqual([target]);
    }
  });
});

describe('old fuzz cases', () => {
  it('url((https%253A//…)): a bad CSS url() with the URL encoded inside it', () => {
    const twice = (url: string) => enc(enc(url)).replace(/%252F/g, '/');
    for (const [from, to] of pairs) {
      const html = (url: string) =>
        `<html><head><style>.a{background:url((${twice(url)}))}</style></head><body><div style="background:url((${twice(url)}))">x</div></body></html>`;
      expect(forBob(html(from))).toBe(html(to).replace('</body>', '<PIXEL></body>'));
    }
  });

  it('a bare URL in CSS (a custom property), plain or encoded', () => {
    for (const [from, to] of pairs) {
      const html = (url: string) =>
        `<html><head><style>:root{--hero:${url};--proxied:${enc(url)}}</style></head><body><p>x</p></body></html>`;
      expect(forBob(html(from))).toBe(html(to).replace('</body>', '<PIXEL></body>'));
    }
  });

  it('a bare URL in CSS written with hex escapes (`https:\\2f \\2f t.edx.org\\2f …`): replaced', () => {
    const hex = (url: string) => url.replace(/\//g, '\\2f ');
    for (const [from, to] of pairs) {
      const html = (url: string) =>
        `<html><head><style>:root{--hero:${url}}</style></head><body><p>x</p></body></html>`;
      expect(forBob(html(hex(from)))).toBe(html(to).replace('</body>', '<PIXEL></body>'));
    }
  });

  it('<token>%3Futm_source=… in CDATA and srcset: the URL ends at its token, what follows is kept', () => {
    for (const [from, to] of pairs) {
      const html = (url: string) =>
        `<body><svg><text><![CDATA[${url}%3Futm_source=newsletter]]></text></svg><p><![CDATA[${url}%3Futm_source=x]]></p><img srcset="${url}%3Futm_source=x 1x, ${url}%3Futm_source=x,https://x.org/a.png 2x"></body>`;
      expect(forBob(html(from))).toBe(html(to).replace('</body>', '<PIXEL></body>'));
    }
  });

  it('the same URL encoded in a proxy URL: its encoded query goes with it, as any query does', () => {
    const proxy = (url: string) => `https://img.example.org/p?u=${url}`;
    for (const [from, to] of pairs) {
      const html = (url: string) =>
        `<body><svg><text><![CDATA[${proxy(url)}]]></text></svg><p><![CDATA[${proxy(url)}]]></p><img srcset="${proxy(url)} 1x, ${proxy(url)} 2x"></body>`;
      expect(forBob(html(`${enc(from)}%3Futm_source%3Dnewsletter`))).toBe(
        html(enc(to)).replace('</body>', '<PIXEL></body>'),
      );
    }
  });
});
