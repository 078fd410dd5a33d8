import { describe, expect, it } from 'vitest';
import { createEmailSigner, createEmailVerifier, EmailError, type MessageMeta } from '../src/index.js';
import { blankImage } from '../src/rewrite-html.js';
import { courseEmail, fragment, newsletter } from './fixtures/emails.js';
import { secret } from './support.js';

// A refusal of analytics means sending the email unrewritten; but the HTML may be a template
// rewritten before (for Alice, who granted it). Sent to Bob as it is, Bob's open and clicks would be
// recorded as Alice's. `untrackHtml` takes every tracking URL out and adds no pixel.
const base = 'https://t.edx.org';
const platformKey = secret();
const harvardKey = secret();
const platform = createEmailSigner({ keys: { 'edx-1': platformKey }, activeKid: 'edx-1', baseUrl: base });
const harvard = createEmailSigner({
  memberId: 'HarvardX',
  keys: { 'hx-1': harvardKey },
  activeKid: 'hx-1',
  baseUrl: base,
  trustedKeys: { platformKeys: { 'edx-1': platformKey } },
});
const stranger = createEmailSigner({ keys: { 'x-1': secret() }, activeKid: 'x-1', baseUrl: base });
const verifier = createEmailVerifier({
  platformKeys: { 'edx-1': platformKey },
  members: { HarvardX: { keys: { 'hx-1': harvardKey } } },
});
const alice: MessageMeta = { messageId: 'm-alice', recipient: 'alice@example.org', subject: 'user-alice' };
const bob: MessageMeta = { messageId: 'm-bob', recipient: 'bob@example.org', subject: 'user-bob' };
const template =
  '<html><body><p><a href="https://www.edx.org/course/x?a=1&amp;b=2">Course</a> <a href="https://x.org/">X</a></p></body></html>';

/** Every token under the tracking host left anywhere in `html` that the collector would verify. */
const verifiedTokens = (html: string): string[] =>
  [...html.matchAll(/\/e\/([oc])\/([\w-]+)/g)]
    .filter(([, kind, token]) => verifier.verify(token!, kind === 'o' ? 'open' : 'click').ok)
    .map(([url]) => url);

describe('signer.untrackHtml', () => {
  it("gives back the template of an email rewritten for someone else, byte for byte: no pixel, each link's target", () => {
    const forAlice = harvard.rewriteHtml(template, alice);
    expect(verifiedTokens(forAlice)).toHaveLength(3);
    const forBob = harvard.untrackHtml(forAlice);
    expect(forBob).toBe(template);
    expect(verifiedTokens(forBob)).toEqual([]);
  });

  it.each(Object.entries({ newsletter, courseEmail, fragment }))(
    'leaves no tracking URL in the %s fixture rewritten for someone else, and nothing else changed',
    (_name, html) => {
      const forAlice = harvard.rewriteHtml(html, alice);
      const forBob = harvard.untrackHtml(forAlice);
      expect(forBob).not.toMatch(/t\.edx\.org\/e\/[oc]\//);
      // What rewriting did to the links (entities decoded, URLs serialised) is all that differs.
      expect(harvard.untrackHtml(harvard.rewriteHtml(forBob, alice))).toBe(forBob);
      expect(harvard.untrackHtml(html)).toBe(html);
    },
  );

  it('adds nothing to HTML that was never tracked, and is idempotent', () => {
    expect(harvard.untrackHtml(template)).toBe(template);
    const once = harvard.untrackHtml(harvard.rewriteHtml(template, alice));
    expect(harvard.untrackHtml(once)).toBe(once);
  });

  it('takes out the tracking URLs of every pixel, and those anywhere else in the document', () => {
    const pixel = harvard.pixelUrl(alice);
    const click = harvard.clickUrl('https://www.edx.org/help', alice);
    const html = [
      `<div style="background:url('${pixel}')">`,
      `<img src="${pixel}" alt=""><img src="${platform.pixelUrl(alice)}">`,
      `<a href="https://share.example/?u=${encodeURIComponent(click)}">Share</a>`,
      `<p>Copy: ${click}</p><!-- ${pixel} -->`,
      `<img srcset="${pixel} 1x"></div>`,
    ].join('');
    const out = harvard.untrackHtml(html);
    expect(verifiedTokens(out)).toEqual([]);
    expect(out).not.toContain('/e/o/');
    expect(out).not.toContain('/e/c/');
    expect(out).not.toMatch(/<img src=/); // both pixels gone
    expect(out).toContain(`url('${blankImage}')`);
    expect(out).toContain(`<img srcset="${blankImage} 1x">`);
    expect(out).toContain(`href="https://share.example/?u=${encodeURIComponent('https://www.edx.org/help')}"`);
    expect(out).toContain('<p>Copy: https://www.edx.org/help</p>');
  });

  it('unwraps the links of principals named in trustedKeys, and refuses a link whose token it cannot verify', () => {
    const platformLink = `<a href="${platform.clickUrl('https://www.edx.org/', alice)}">edX</a>`;
    expect(harvard.untrackHtml(platformLink)).toBe('<a href="https://www.edx.org/">edX</a>');
    const foreign = `<a href="${stranger.clickUrl('https://evil.example/', alice)}">x</a>`;
    expect(() => harvard.untrackHtml(foreign)).toThrow(
      expect.objectContaining({ code: 'unreadable_token', path: 'html' }) as Error,
    );
  });

  it.each(
    Object.entries({
      'a VML button': (url: string) =>
        `<!--[if mso]><v:roundrect href="${url}"><center>Go</center></v:roundrect><![endif]-->`,
      'a form action': (url: string) => `<form action="${url}"><button>Go</button></form>`,
      text: (url: string) => `<p>Or paste ${url} into your browser</p>`,
      "a share link's query": (url: string) =>
        `<a href="https://share.example/?u=${encodeURIComponent(url)}">Share</a>`,
    }),
  )('refuses a click token it cannot verify in %s, as in a link (its target is unknown)', (_name, write) => {
    const unknown = createEmailSigner({
      keys: { 'hx-1': harvardKey },
      activeKid: 'hx-1',
      baseUrl: base,
      memberId: 'HarvardX',
    });
    const html = `<p>x</p>\n${write(platform.clickUrl('https://www.edx.org/', alice))}`;
    expect(() => unknown.untrackHtml(html)).toThrow(
      expect.objectContaining({
        code: 'unreadable_token',
        path: 'html',
        message: expect.stringContaining('line 2') as string,
      }) as Error,
    );
    // A token that cannot be read (truncated) is no one's: it is left as it is.
    const truncated = `<p>Or paste ${base}/e/c/AREFZWR4 here</p>`;
    expect(unknown.untrackHtml(truncated)).toBe(truncated);
  });

  it('unwraps a data-optin-notrack link to the click endpoint to its target', () => {
    const click = harvard.clickUrl('https://www.edx.org/help', alice);
    const html = `<a data-optin-notrack href="${click}">Help</a><area data-optin-notrack href="${click}">`;
    const out = harvard.untrackHtml(html);
    expect(out).toBe(
      '<a data-optin-notrack href="https://www.edx.org/help">Help</a><area data-optin-notrack href="https://www.edx.org/help">',
    );
    expect(harvard.rewriteHtml(html, bob)).toContain('<a data-optin-notrack href="https://www.edx.org/help">Help</a>');
    expect(verifiedTokens(harvard.rewriteHtml(html, bob))).toHaveLength(1); // Bob's pixel only
  });

  it.each(
    Object.entries({
      'a relative pixel': (p: string, c: string) => `<img src="${p.slice(base.length + 1)}"><a href="x">x</a>${c}`,
      'a path-absolute background': (p: string) =>
        `<table background="${p.slice(base.length)}"><tr><td>x</td></tr></table>`,
      'a srcset candidate': (p: string) =>
        `<img src="https://cdn.example/a.png" srcset="a.png 1x, ${p.slice(base.length + 1)} 2x">`,
      'a form action': (_p: string, c: string) =>
        `<form action="${c.slice(base.length + 1)}"><button>Go</button></form>`,
      'a CSS url() in a style attribute': (p: string) =>
        `<div style="background-image:url(${p.slice(base.length + 1)})">x</div>`,
      'a quoted, path-absolute CSS url() in a <style> sheet': (p: string) =>
        `<style>.hero{background:#000 url('${p.slice(base.length)}') no-repeat}</style><p>x</p>`,
      'a CSS @import in a <style> sheet': (p: string) => `<style>@import "${p.slice(base.length + 1)}";</style>`,
      'a string of a CSS image-set() in a <style> sheet': (p: string) =>
        `<style>.hero{background-image:image-set("a.png" type("image/png") 1x, "${p.slice(base.length + 1)}" 2x)}</style>`,
      'a string of a CSS -webkit-image-set() in a style attribute': (p: string) =>
        `<div style="background-image:-webkit-image-set('${p.slice(base.length)}' 1x)">x</div>`,
      'a url() of a CSS image-set()': (p: string) =>
        `<div style="background-image:image-set(url(a.png) 1x, url('${p.slice(base.length + 1)}') 2x)">x</div>`,
      'a CSS url(), image-set() and @import named with escapes': (p: string) =>
        `<style>@\\69mport "${p.slice(base.length + 1)}";.a{background:u\\72l(${p.slice(base.length + 1)})}.b{background:\\69mage-set("${p.slice(base.length)}" 1x)}</style>`,
    }),
  )('takes out tracking URLs written relative to the <base href> of the document: %s', (_name, write) => {
    const pixel = harvard.pixelUrl(alice);
    const click = harvard.clickUrl('https://www.edx.org/help', alice);
    const html = `<html><head><base href="${base}/"></head><body>${write(pixel, click)}</body></html>`;
    const out = harvard.untrackHtml(html);
    expect(out).not.toContain('e/o/');
    expect(out).not.toContain('e/c/');
    const forBob = harvard.rewriteHtml(html, bob);
    expect(
      verifiedTokens(forBob).filter((url) => url.includes(pixel.slice(-20)) || url.includes(click.slice(-20))),
    ).toEqual([]);
  });

  it('keeps data-optin-notrack links and every URL not under the tracking endpoints', () => {
    const html =
      '<a href="https://t.edx.org/about" data-optin-notrack>About</a><img src="https://cdn.example/logo.png">';
    expect(harvard.untrackHtml(html)).toBe(html);
  });

  it('refuses html that is not a string with an EmailError', () => {
    expect(() => harvard.untrackHtml(5 as unknown as string)).toThrow(EmailError);
    expect(() => harvard.untrackHtml(5 as unknown as string)).toThrow(
      expect.objectContaining({ code: 'invalid_argument', path: 'html' }) as Error,
    );
  });
});
