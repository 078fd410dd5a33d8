import { describe, expect, it } from 'vitest';
import { createEmailSigner } from '../src/index.js';
import { alice, aliceClick, aliceOpen, blank, bob, harvard, target, verifier } from './reused-html.js';
import { secret } from './support.js';

// A browser reads a host written in full-width or other compatibility forms (`ｔ.edx.org`) as IDNA
// maps it, NFKC: the tracking host itself. Such a URL is a tracking URL in a `srcset`, a
// `background=`, CSS, text or another URL's query, as it already is in an href.

/** Alice's URL `url` with its host written in full-width letters. */
const fullWidth = (url: string): string => url.replace('t.edx.org', 'ｔ.edx.org');
const open = fullWidth(aliceOpen);
const click = fullWidth(aliceClick);

const places = {
  'a srcset candidate': (o: string) => `<img src="https://cdn.example.org/a.png" srcset="a.png 1x, ${o} 2x">`,
  'a background= attribute': (o: string) => `<table background="${o}"><tr><td>x</td></tr></table>`,
  'CSS background-image: url(), in a style attribute': (o: string) =>
    `<div style="background-image:url(https://img.example.org/p?u=${o})">x</div>`,
  'CSS background: url(), in a <style> sheet': (o: string) =>
    `<style>.hero{background:#000 url("https://img.example.org/p?u=${o}")}</style><p>x</p>`,
  text: (o: string) => `<p>Or open ${o} in your browser.</p>`,
};

/** Every tracking URL (any spelling of the host) left in `html` that the collector would record. */
const recorded = (html: string): string[] =>
  [...html.matchAll(/\/e\/([oc])\/([\w-]+)/g)]
    .filter(([, kind, token]) => verifier.verify(token!, kind === 'o' ? 'open' : 'click').ok)
    .map(([url]) => url);

describe('a tracking URL whose host is written in full-width or other compatibility forms', () => {
  it.each(Object.entries(places))('is taken out by untrackHtml and rewriteHtml in %s', (_name, write) => {
    const html = `<body>${write(open)}</body>`;
    expect(harvard.untrackHtml(html)).toBe(html.replace(open, blank));
    const forBob = harvard.rewriteHtml(html, bob);
    expect(forBob).not.toContain(open);
    expect(forBob).toContain(blank);
  });

  it("is read in another link's query as the same URL with its host in ASCII: never wrapped again", () => {
    const share = (url: string) => `<a href="https://www.facebook.com/sharer.php?u=${url}">Share</a>`;
    expect(harvard.untrackHtml(share(click))).toBe(share(target));
    const forBob = harvard.rewriteHtml(share(click), bob);
    expect(forBob).toBe(harvard.rewriteHtml(share(aliceClick), bob));
    const [link] = recorded(forBob);
    const verified = verifier.verify(link!.slice('/e/c/'.length), 'click');
    expect(verified).toMatchObject({ ok: true, subject: 'user-bob' });
    // The URL in its query is Bob's too, to the same target: no token of Alice's is left.
    expect(verified.ok && harvard.untrackHtml(`<a href="${verified.url}">Share</a>`)).toBe(share(target));
  });

  it('is recognised for a base URL whose whole host is written in full-width letters', () => {
    const tracker = createEmailSigner({ keys: { k: secret() }, activeKid: 'k', baseUrl: 'https://track.example' });
    const pixel = tracker.pixelUrl(alice).replace('track.example', 'ｔｒａｃｋ.example');
    const html = `<img src="x.png" srcset="${pixel} 2x"><div style="background:url(${pixel})">x</div>`;
    expect(tracker.untrackHtml(html)).toBe(html.replaceAll(pixel, blank));
  });

  it('leaves a URL to another host written so, and text after a host, as they are', () => {
    const html = `<p>See https://ｅｘａｍｐｌｅ.org/e/o/x and https://www.edx.org。次へ</p><img srcset="https://ｃｄｎ.example.org/a.png 2x">`;
    expect(harvard.untrackHtml(html)).toBe(html);
    expect(harvard.rewriteHtml(html, bob)).toContain(html);
  });
});
