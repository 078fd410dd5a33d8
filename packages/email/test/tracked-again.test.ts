import { describe, expect, it } from 'vitest';
import { createEmailSigner, createEmailVerifier, EmailError, type MessageMeta } from '../src/index.js';
import { deriveKey } from '../src/keys.js';
import { sealToken } from '../src/token.js';
import { attributes, claimsOf, secret } from './support.js';

// HTML that was already tracked for someone else — a preview send, a Member re-using a platform
// email, a message copied from a mailbox, links an ESP appended `?utm_…` to — rewritten for Bob.
const base = 'https://t.edx.org';
const platformKey = secret();
const harvardKey = secret();
const platform = createEmailSigner({ keys: { 'edx-1': platformKey }, activeKid: 'edx-1', baseUrl: base });
// The sender holds the platform's keys too (it sends for both), so HarvardX may re-sign the platform's links.
const harvard = createEmailSigner({
  memberId: 'HarvardX',
  keys: { 'hx-1': harvardKey },
  activeKid: 'hx-1',
  baseUrl: base,
  trustedKeys: { platformKeys: { 'edx-1': platformKey } },
});
const verifier = createEmailVerifier({
  platformKeys: { 'edx-1': platformKey },
  members: { HarvardX: { keys: { 'hx-1': harvardKey } } },
});
const sentAt = Date.UTC(2026, 10, 29);
const alice: MessageMeta = { messageId: 'preview', recipient: 'alice@example.org', subject: 'user-alice', sentAt };
const carol: MessageMeta = { messageId: 'm-carol', recipient: 'carol@example.org', subject: 'user-carol', sentAt };
const bob: MessageMeta = { messageId: 'm-bob', recipient: 'bob@example.org', subject: 'user-bob', sentAt };
const template = '<p><a href="https://www.edx.org/course/x?a=1&amp;b=2">Course</a> <a href="https://x.org/">X</a></p>';

/** Whose every tracking URL of a document is, as the collector would record it. */
function tokens(html: string): string[] {
  return attributes(html).flatMap(({ value }) => {
    const match = /^https?:\/\/t\.edx\.org\/e\/([oc])\/([\w-]*)/i.exec(value);
    if (!match) return [];
    const result = verifier.verify(match[2]!, match[1] === 'o' ? 'open' : 'click');
    if (!result.ok) return [`unverified ${result.reason}`];
    return [
      `${result.kind} ${result.memberId} ${result.subject} ${result.recipient} ${'url' in result ? result.url : ''}`,
    ];
  });
}

function thrown(fn: () => unknown): EmailError {
  try {
    fn();
  } catch (error) {
    if (error instanceof EmailError) return error;
    throw error;
  }
  throw new Error('did not throw');
}

describe('rewriteHtml of HTML tracked for someone else', () => {
  const forAlice = platform.rewriteHtml(template, alice);

  it("leaves none of another signer's tokens: Bob's email carries Bob's links and Bob's pixel only", () => {
    const out = harvard.rewriteHtml(forAlice, bob);
    const pseudonym = harvard.pseudonym('bob@example.org');
    expect(tokens(out)).toEqual([
      `click HarvardX user-bob ${pseudonym} https://www.edx.org/course/x?a=1&b=2`,
      `click HarvardX user-bob ${pseudonym} https://x.org/`,
      `open HarvardX user-bob ${pseudonym} `,
    ]);
    expect(out).toBe(harvard.rewriteHtml(template, bob));
  });

  it('re-signs its own tracked link with a query or fragment appended, to the target it redirected to', () => {
    const appended = forAlice
      .replace(/(\/e\/c\/[\w-]+)/, '$1?utm_source=newsletter&amp;utm_medium=email')
      .replace(/(\/e\/c\/[\w-]+)(")/g, '$1#top$2')
      .replace(/(\/e\/o\/[\w-]+)/, '$1?cache=1');
    expect(platform.rewriteHtml(appended, bob)).toBe(platform.rewriteHtml(template, bob));
    expect(harvard.rewriteHtml(appended, bob)).toBe(harvard.rewriteHtml(template, bob));
  });

  it('recognises its endpoints however the URL is written: http or https, host in any case', () => {
    const respelled = forAlice.replaceAll('https://t.edx.org/e/', 'HTTP://T.EDX.ORG:80/e/');
    expect(respelled).not.toBe(forAlice);
    expect(harvard.rewriteHtml(respelled, bob)).toBe(harvard.rewriteHtml(template, bob));
  });

  it('recognises its endpoints as the collector routes them: a percent-encoded path, a host with a trailing dot', () => {
    // The collector's router decodes the path (`/e/%63/…` is served as `/e/c/…`) and DNS reads
    // `t.edx.org.` as `t.edx.org`: such a link is one of its tracked links, not a target to wrap.
    const encodeFirst = (token: string) => `%${token.charCodeAt(0).toString(16)}${token.slice(1)}`;
    for (const respelled of [
      forAlice.replaceAll('/e/c/', '/e/%63/').replaceAll('/e/o/', '/e/%6F/'),
      forAlice.replaceAll('/e/', '/%65/'),
      forAlice.replace(
        /\/e\/([co])\/([\w-]+)/g,
        (_, kind: string, token: string) => `/e/${kind}/${encodeFirst(token)}`,
      ),
      forAlice.replaceAll('https://t.edx.org/', 'https://T.EDX.ORG./'),
    ]) {
      expect(respelled).not.toBe(forAlice);
      expect(tokens(harvard.rewriteHtml(respelled, bob))).toEqual(tokens(harvard.rewriteHtml(template, bob)));
      expect(harvard.rewriteHtml(respelled, bob)).toBe(harvard.rewriteHtml(template, bob));
    }
    const link = platform.clickUrl('https://www.edx.org/course/x', alice).replace('/e/c/', '/e/%63/');
    expect(tokens(`<a href="${harvard.clickUrl(link, bob)}">x</a>`)).toEqual([
      `click HarvardX user-bob ${harvard.pseudonym('bob@example.org')} https://www.edx.org/course/x`,
    ]);
  });

  it("keeps this message's own tracked links as they are, appended query included (idempotent)", () => {
    const forBob = harvard.rewriteHtml(template, bob);
    const appended = forBob.replace(/(\/e\/c\/[\w-]+)/, '$1?utm_source=newsletter');
    expect(harvard.rewriteHtml(appended, bob)).toBe(appended);
  });

  it("writes this message's own links and pixel in the canonical form when their path is encoded", () => {
    // The collector serves only `/e/c/…` and `/e/o/…` as written: `/e/%63/…` is answered 404.
    const forBob = harvard.rewriteHtml(template, bob);
    expect(forBob).toMatch(/\/e\/o\//);
    for (const respelled of [
      forBob.replaceAll('/e/c/', '/e/%63/').replaceAll('/e/o/', '/e/%6F/'),
      forBob.replaceAll('/e/', '/%65/'),
    ]) {
      expect(respelled).not.toBe(forBob);
      expect(harvard.rewriteHtml(respelled, bob)).toBe(forBob);
    }
  });

  it("keeps one pixel, this message's: others' pixels are replaced (the first) or removed", () => {
    const alicePixel = `<img src="${platform.pixelUrl(alice)}">`;
    const carolPixel = `<img src="${harvard.pixelUrl(carol)}" width="1">`;
    const bobPixel = `<img src="${harvard.pixelUrl(bob)}">`;
    const two = `<body><p>a</p>${alicePixel}<p>b</p>${carolPixel}</body>`;
    expect(harvard.rewriteHtml(two, bob)).toBe(`<body><p>a</p>${bobPixel}<p>b</p></body>`);
    const withOwn = `<body>${alicePixel}<p>b</p>${bobPixel}${bobPixel}</body>`;
    expect(harvard.rewriteHtml(withOwn, bob)).toBe(`<body><p>b</p>${bobPixel}</body>`);
    const unreadable = `<body><img src="${base}/e/o/not-a-token"><p>b</p></body>`;
    expect(harvard.rewriteHtml(unreadable, bob)).toBe(`<body>${bobPixel}<p>b</p></body>`);
    // Bob's own click token at the open endpoint records no open: it is no pixel of this message.
    const clickAsOpen = `<body><img src="${harvard.clickUrl('https://x.org/', bob).replace('/e/c/', '/e/o/')}"></body>`;
    expect(harvard.rewriteHtml(clickAsOpen, bob)).toBe(`<body>${bobPixel}</body>`);
  });

  it('unwraps a link wrapped twice (as clickUrl did with a tracked link), and leaves plain a target it may not sign', () => {
    const inner = platform.clickUrl('https://www.edx.org/course/x', alice);
    const claims = claimsOf(/\/e\/c\/([\w-]+)/.exec(inner)![1]!);
    const outer = `${base}/e/c/${sealToken({ ...claims, url: inner }, deriveKey(platformKey, 'mac'))}`;
    expect(tokens(harvard.rewriteHtml(`<a href="${outer}">x</a>`, bob))[0]).toMatch(
      / https:\/\/www\.edx\.org\/course\/x$/,
    );
    // Alice's link may carry Bob's address; Bob's may not: it becomes the plain target.
    const carriesBob = platform.clickUrl('https://x.org/?e=bob@example.org', alice);
    expect(harvard.rewriteHtml(`<a href="${carriesBob}">x</a>`, bob)).toMatch(
      /^<a href="https:\/\/x\.org\/\?e=bob@example\.org">x<\/a><img /,
    );
  });

  it('does not wrap a tracked link in clickUrl either: it signs the target the link redirected to', () => {
    const link = platform.clickUrl('https://www.edx.org/course/x', alice);
    expect(tokens(`<a href="${harvard.clickUrl(`${link}?utm_source=x`, bob)}">x</a>`)).toEqual([
      `click HarvardX user-bob ${harvard.pseudonym('bob@example.org')} https://www.edx.org/course/x`,
    ]);
  });

  it('refuses a link to its tracking endpoints that is no readable click token, rather than pass it on', () => {
    const truncated = /\/e\/c\/([\w-]+)/.exec(forAlice)![1]!.slice(0, 30);
    // Bob's own open token at the click endpoint: the right message, but no target.
    const ownOpenAsClick = harvard.pixelUrl(bob).replace('/e/o/', '/e/c/');
    for (const href of [
      `${base}/e/c/${truncated}`,
      `${base}/e/c/`,
      `${base}/e/c/%%`,
      `${base}/e/%63/${truncated}`,
      `${base}/%65/c/%%`,
      `${base}/e/%63/${truncated}%E0%A4%A`,
      `https://t.edx.org./e/c/${truncated}`,
      platform.pixelUrl(alice),
      ownOpenAsClick,
    ]) {
      const error = thrown(() => harvard.rewriteHtml(`<a href="${href}">x</a>`, bob));
      expect({ code: error.code, path: error.path }).toEqual({ code: 'unreadable_token', path: 'html' });
      expect(error.hint).toMatch(/real target/);
      expect(error.message).not.toContain(href);
      expect(thrown(() => harvard.clickUrl(href, bob)).code).toBe('unreadable_token');
    }
    // A link marked not to be tracked is the sender's to keep as it is.
    const kept = `<a data-optin-notrack href="${base}/e/c/${truncated}">x</a>`;
    expect(harvard.rewriteHtml(kept, bob).startsWith(kept)).toBe(true);
  });
});
