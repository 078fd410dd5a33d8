import { describe, expect, it } from 'vitest';
import { aliceClick, aliceOpen, blank, bob, harvard, target } from './reused-html.js';

// A URL parser percent-decodes a host, then maps it as IDNA does (NFKC): `https://%EF%BD%94.edx.org/`
// is `https://t.edx.org/`, as `https://ｔ.edx.org/` is. A tracking URL whose host is written so,
// as it is or percent-encoded inside another URL's query (`?u=https%3A%2F%2F%EF%BD%94.edx.org%2F…`,
// what encodeURIComponent makes of a full-width host), is the tracking URL the collector records.

const enc = encodeURIComponent;
/** Alice's URL `url` with its host written with a full-width `ｔ`. */
const fullWidth = (url: string): string => url.replace('t.edx.org', 'ｔ.edx.org');
/** Alice's URL `url` with the full-width `ｔ` of its host percent-encoded (UTF-8). */
const escaped = (url: string): string => url.replace('t.edx.org', `${enc('ｔ')}.edx.org`);

const places = {
  'an image src': (o: string) => `<img src="https://img.example.org/p?u=${o}" alt="">`,
  'a srcset candidate': (o: string) =>
    `<img src="https://cdn.example.org/a.png" srcset="https://img.example.org/p?u=${o} 2x">`,
  'a CSS url()': (o: string) => `<div style="background:url(https://img.example.org/p?u=${o})">x</div>`,
  text: (o: string) => `<p>Open https://img.example.org/p?u=${o} in your browser.</p>`,
  "a mailto: link's body": (o: string) =>
    `<a href="mailto:x@example.org?body=${enc(`See https://img.example.org/p?u=${o}`)}">Tell</a>`,
};

/**
 * `url` wrapped by Proofpoint URL Defense v2 (each byte but letters, digits and `.` written `-XX`,
 * `/` written `_`), the wrapper's own host written `host`.
 */
const v2 = (url: string, host = 'urldefense.proofpoint.com') =>
  `https://${host}/v2/url?u=${Array.from(Buffer.from(url), (byte) => {
    const char = String.fromCharCode(byte);
    if (/[A-Za-z\d.]/.test(char)) return char;
    return char === '/' ? '_' : `-${byte.toString(16).toUpperCase()}`;
  }).join('')}&amp;d=DwMFaQ`;

/**
 * Whether `html` still holds Alice's open token, written as it is, percent-encoded (once or twice)
 * or as a Proofpoint v2 wrapper writes it (`-` as `-2D`, `_` as `-5F`).
 */
const holdsAliceOpen = (html: string): boolean => {
  const token = aliceOpen.slice(aliceOpen.lastIndexOf('/') + 1);
  const v2 = token.replace(/[-_]/g, (char) => (char === '-' ? '-2D' : '-5F'));
  return [token, enc(token), enc(enc(token)), v2].some((written) => html.includes(written));
};

describe('a tracking URL whose host is percent-encoded', () => {
  it.each(Object.entries(places))(
    'in a URL inside %s, its full-width host percent-encoded there: taken out',
    (_name, write) => {
      for (const open of [
        escaped(aliceOpen),
        enc(fullWidth(aliceOpen)),
        enc(escaped(aliceOpen)),
        enc(enc(fullWidth(aliceOpen))),
      ]) {
        const html = `<body>${write(open)}</body>`;
        const untracked = harvard.untrackHtml(html);
        expect(holdsAliceOpen(untracked)).toBe(false);
        expect(holdsAliceOpen(harvard.rewriteHtml(html, bob))).toBe(false);
      }
    },
  );

  it("in a share link's query, encoded with its full-width host: unwrapped to its target", () => {
    const share = (url: string) => `<a href="https://www.facebook.com/sharer.php?u=${enc(url)}">Share</a>`;
    expect(harvard.untrackHtml(share(fullWidth(aliceClick)))).toBe(share(target));
    expect(harvard.rewriteHtml(share(fullWidth(aliceClick)), bob)).toBe(harvard.rewriteHtml(share(aliceClick), bob));
  });

  it('as it is in a srcset, a background and text: taken out', () => {
    const open = escaped(aliceOpen);
    const html = `<img src="a.png" srcset="a.png 1x, ${open} 2x"><table background="${open}"><tr><td>Open ${open} now</td></tr></table>`;
    expect(harvard.untrackHtml(html)).toBe(html.replaceAll(open, blank));
  });

  it('wrapped by Proofpoint URL Defense v2, its full-width host written as UTF-8 bytes (-EF-BD-94): taken out', () => {
    for (const url of [fullWidth(aliceOpen), escaped(aliceOpen)]) {
      const html = `<body><p>${v2(url)}</p><img src="${v2(url)}" alt=""></body>`;
      expect(holdsAliceOpen(harvard.untrackHtml(html))).toBe(false);
      expect(holdsAliceOpen(harvard.rewriteHtml(html, bob))).toBe(false);
    }
    const click = `<a href="${v2(fullWidth(aliceClick))}">Course</a>`;
    expect(harvard.untrackHtml(click)).toBe(`<a href="${v2(target)}">Course</a>`);
  });

  it('leaves a URL to another host, written so, as it is', () => {
    const html = `<p>https://img.example.org/p?u=${enc('https://ｅｘａｍｐｌｅ.org/e/o/x')} and ${enc('https://www.edx.org/ｘ')}。</p>`;
    expect(harvard.untrackHtml(html)).toBe(html);
  });
});

describe('a Proofpoint URL Defense wrapper whose own host is percent-encoded or full-width', () => {
  // A URL parser reads `https://urldef%65nse.proofpoint.com/…` and `https://ｕrldefense.proofpoint.com/…`
  // as `https://urldefense.proofpoint.com/…`: the wrapper redirects to the URL it holds.
  const hosts = ['urldef%65nse.proofpoint.com', 'ｕrldefense.proofpoint.com', `${enc('ｕ')}rldefense.proofpoint.com`];

  it.each(hosts)('%s: the tracking URL it holds is taken out', (host) => {
    const html = `<body><p>${v2(aliceOpen, host)}</p><img src="${v2(aliceOpen, host)}" alt=""></body>`;
    expect(holdsAliceOpen(harvard.untrackHtml(html))).toBe(false);
    expect(holdsAliceOpen(harvard.rewriteHtml(html, bob))).toBe(false);
    const click = (url: string) => `<p><a href="${v2(url, host)}">Course</a> ${v2(url, host)}</p>`;
    expect(harvard.untrackHtml(click(aliceClick))).toBe(click(target));
  });

  it('leaves a wrapper of another host, written so, as it is', () => {
    const html = `<p>${v2(aliceOpen, 'urldef%66nse.proofpoint.com')} ${v2(aliceOpen, 'ｕrldefense-proofpoint.com')}</p>`;
    expect(harvard.untrackHtml(html)).toBe(html);
  });
});

/**
 * `url` as JavaScript's `escape()` writes it: letters, digits and `@*_+-./` as they are, other
 * characters `%XX`, or `%uXXXX` above U+00FF (a full-width `ｔ` is `%uFF54`).
 */
const jsEscape = (url: string): string =>
  url.replace(/[^\w@*+\-./]/g, (char) => {
    const code = char.charCodeAt(0).toString(16).toUpperCase();
    return code.length <= 2 ? `%${code.padStart(2, '0')}` : `%u${code.padStart(4, '0')}`;
  });

describe("a tracking URL inside another URL's query, its full-width host written as escape() writes it (%uFF54)", () => {
  it.each(Object.entries(places))('in a URL inside %s: taken out', (_name, write) => {
    for (const open of [jsEscape(fullWidth(aliceOpen)), enc(jsEscape(fullWidth(aliceOpen)))]) {
      const html = `<body>${write(open)}</body>`;
      expect(holdsAliceOpen(harvard.untrackHtml(html))).toBe(false);
      expect(holdsAliceOpen(harvard.rewriteHtml(html, bob))).toBe(false);
    }
  });

  it('in a Proofpoint v2 wrapper of such a URL: taken out', () => {
    const html = `<p>${v2(`https://img.example.org/p?u=${jsEscape(fullWidth(aliceOpen))}`)}</p>`;
    expect(holdsAliceOpen(harvard.untrackHtml(html))).toBe(false);
  });

  it("a click URL in a share link's text: its target put in its place, escaped as it was", () => {
    const share = (url: string) => `<p>https://www.facebook.com/sharer.php?u=${url} now</p>`;
    expect(harvard.untrackHtml(share(jsEscape(fullWidth(aliceClick))))).toBe(share(jsEscape(target)));
  });
});

describe("a tracking URL percent-encoded inside another URL's query but for its full-width host, written as it is", () => {
  /** Alice's URL `url` percent-encoded, but for the full-width `ｔ` of its host, left as it is. */
  const encodedButHost = (url: string): string => enc(url).replace('t.edx.org', 'ｔ.edx.org');

  it.each(Object.entries(places))('in a URL inside %s: taken out', (_name, write) => {
    for (const open of [encodedButHost(aliceOpen), enc(encodedButHost(aliceOpen))]) {
      const html = `<body>${write(open)}</body>`;
      expect(holdsAliceOpen(harvard.untrackHtml(html))).toBe(false);
      expect(holdsAliceOpen(harvard.rewriteHtml(html, bob))).toBe(false);
    }
  });

  it('keeps the text written as it is after such a URL', () => {
    const html = (url: string) => `<p>https://img.example.org/p?u=${url}。ありがとう</p>`;
    expect(harvard.untrackHtml(html(encodedButHost(aliceOpen)))).toBe(html(enc(blank)));
  });
});
