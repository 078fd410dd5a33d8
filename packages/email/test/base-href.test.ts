import { describe, expect, it } from 'vitest';
import { clickTargets, harvardSigning } from './support.js';

// A CMS that renders emails with relative links sets `<base href>`; a mail client that honours it
// (Outlook for Windows, Apple Mail) opens those links on that site.
const { base, signer, verifier } = harvardSigning();
const meta = { messageId: 'cms-0001', recipient: 'ada@example.org' };

const links = [
  '<a href="courses/cs50/progress">Progress</a>',
  '<a href="/dashboard">Dashboard</a>',
  '<a href="//www.edx.org/about">About</a>',
  '<a href="https://www.edx.org/">edX</a>',
  '<a href="#top">Top</a>',
  '<a href="">Here</a>',
  '<a href="mailto:cs50@harvard.edu">Ask</a>',
].join('\n');

describe('rewriteHtml with <base href>', () => {
  it('tracks relative links, resolved against the base as the mail client resolves them; anchors stay', () => {
    const html = `<html><head><base href="https://learning.edx.org/u/"></head><body>\n${links}\n</body></html>`;
    const out = signer.rewriteHtml(html, meta);
    expect(clickTargets(out, base, verifier)).toEqual([
      'https://learning.edx.org/u/courses/cs50/progress',
      'https://learning.edx.org/dashboard',
      'https://www.edx.org/about',
      'https://www.edx.org/',
    ]);
    for (const kept of ['<a href="#top">', '<a href="">', '<a href="mailto:cs50@harvard.edu">'])
      expect(out).toContain(kept);
    expect(signer.rewriteHtml(out, meta)).toBe(out);
  });

  it('uses the first <base> with an href, and only an absolute http(s) one', () => {
    const first = `<base target="_blank"><base href="https://learning.edx.org/"><base href="https://evil.example/">${links}`;
    expect(clickTargets(signer.rewriteHtml(first, meta), base, verifier)).toEqual([
      'https://learning.edx.org/courses/cs50/progress',
      'https://learning.edx.org/dashboard',
      'https://www.edx.org/about',
      'https://www.edx.org/',
    ]);
    for (const ignored of ['<base href="/u/">', '<template><base href="https://learning.edx.org/"></template>'])
      expect(clickTargets(signer.rewriteHtml(ignored + links, meta), base, verifier)).toEqual(['https://www.edx.org/']);
  });
});
