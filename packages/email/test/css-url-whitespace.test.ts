import { describe, expect, it } from 'vitest';
import { aliceOpen, blank, bob, harvard } from './reused-html.js';

// A URL parser drops tabs and line feeds anywhere in a URL: a CSS string a browser loads as a URL
// (`url("…")`, `image-set("…")`, `@import "…"`) with a tab or a line feed inside, written as it is,
// as a character reference (`&#9;` in a style attribute) or as a CSS escape (`\9 `, `\a `), loads
// the tracking URL without them.

const places = {
  "a style attribute's url('…'), a tab written &#9;": (o: string) =>
    `<div style="background:url('${o.replace('edx.org', 'edx&#9;.org')}')">x</div>`,
  'a url("…") in a <style> sheet, a tab escaped \\9': (o: string) =>
    `<style>.a{background:url("${o.replace('edx.org', 'edx\\9 .org')}")}</style>`,
  'a url("…") in a <style> sheet, a line feed escaped \\a, in the path': (o: string) =>
    `<style>.a{background:url("${o.replace('/e/o/', '/e/\\a o/')}")}</style>`,
  'a string of image-set()': (o: string) =>
    `<style>.a{background:image-set("${o.replace('edx.org', 'edx\\9 .org')}" 1x)}</style>`,
  'an @import string, a raw tab': (o: string) => `<style>@import "${o.replace('edx.org', 'edx\t.org')}";</style>`,
};

describe('a tracking URL in a CSS string that a browser loads, with a tab or a line feed inside', () => {
  it.each(Object.entries(places))('is taken out: %s', (_name, write) => {
    const html = `<body>${write(aliceOpen)}</body>`;
    const token = aliceOpen.slice(-20);
    const untracked = harvard.untrackHtml(html);
    expect(untracked).not.toContain(token);
    expect(untracked).toContain(blank);
    expect(harvard.rewriteHtml(html, bob)).not.toContain(token);
  });

  it('leaves a string a browser does not load as a URL (content:) as it is', () => {
    const html = `<style>.a::after{content:"${aliceOpen.replace('edx.org', 'edx\\9 .org')}"}</style>`;
    expect(harvard.untrackHtml(html)).toBe(html);
  });
});
