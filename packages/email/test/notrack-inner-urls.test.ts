import { describe, expect, it } from 'vitest';
import { aliceClick, aliceOpen, blank, bob, harvard, target, verifier } from './reused-html.js';

// `data-optin-notrack` is the sender's opt-out of click tracking for a link; a tracking URL of
// another message inside it (an unsubscribe link's `?next=`, copied from an email tracked before)
// still records the click as that message's recipient's. It is unwrapped to its target (an open URL
// becomes the blank image), in untrackHtml and rewriteHtml alike, and never signed again.

/** Every token left in `html` that the collector would verify and record. */
const recorded = (html: string): string[] =>
  [...html.matchAll(/\/e\/([oc])\/([\w-]+)/g)]
    .filter(([, kind, token]) => verifier.verify(token!, kind === 'o' ? 'open' : 'click').ok)
    .map(([url]) => url);

const unsubscribe = (next: string) =>
  `<a data-optin-notrack href="https://www.edx.org/unsubscribe?next=${next}&amp;list=cs50">Unsubscribe</a>`;

describe('a data-optin-notrack link with a tracking URL in its query', () => {
  it('has the click URL unwrapped to its target by untrackHtml, every other byte kept', () => {
    expect(harvard.untrackHtml(unsubscribe(aliceClick))).toBe(unsubscribe(target));
    expect(harvard.untrackHtml(unsubscribe(encodeURIComponent(aliceClick)))).toBe(
      unsubscribe(encodeURIComponent(target)),
    );
  });

  it('has it unwrapped to its target by rewriteHtml too, never signed for the recipient: the link stays untracked', () => {
    const out = harvard.rewriteHtml(`<p>x</p>${unsubscribe(aliceClick)}`, bob);
    expect(out).toContain(unsubscribe(target));
    expect(recorded(out)).toHaveLength(1); // Bob's pixel only
  });

  it('has an open URL in it replaced by the blank image', () => {
    expect(harvard.untrackHtml(unsubscribe(aliceOpen))).toBe(unsubscribe(blank));
  });

  it('is kept byte for byte when it holds no tracking URL', () => {
    const html = unsubscribe('https://www.edx.org/dashboard');
    expect(harvard.untrackHtml(html)).toBe(html);
    expect(harvard.rewriteHtml(html, bob)).toContain(html);
  });

  it('has the tracking URLs in the target of a notrack link to the click endpoint unwrapped, not signed for the recipient', () => {
    const wrapped = harvard.clickUrl(`https://www.edx.org/unsubscribe?next=${aliceClick}`, {
      ...bob,
      messageId: 'm-x',
    });
    const html = `<a data-optin-notrack href="${wrapped}">Unsubscribe</a>`;
    const expected = `<a data-optin-notrack href="https://www.edx.org/unsubscribe?next=${target}">Unsubscribe</a>`;
    expect(harvard.untrackHtml(html)).toBe(expected);
    const out = harvard.rewriteHtml(html, bob);
    expect(out).toContain(expected);
    expect(recorded(out)).toHaveLength(1); // Bob's pixel only
  });
});
