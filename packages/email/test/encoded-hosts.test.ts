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
    /** v2: each byte but letters, digits and `.` written `-XX`, `/` written `_`. */
    const v2 = (url: string) =>
      `https://urldefense.proofpoint.com/v2/url?u=${Array.from(Buffer.from(url), (byte) => {
        const char = String.fromCharCode(byte);
        if (/[A-Za-z\d.]/.test(char)) return char;
        return char === '/' ? '_' : `-${byte.toString(16).toUpperCase()}`;
      }).join('')}&amp;d=DwMFaQ`;
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
