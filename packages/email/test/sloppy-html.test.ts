import { describe, expect, it } from 'vitest';
import { harvardSigning, tokenOf } from './support.js';

// HTML as editors, CMSs and copy-paste leave it: tags left open, tags closed in the wrong order.
const { base, signer, verifier } = harvardSigning();
const meta = { messageId: 'digest-0001', recipient: 'ada@example.org' };

describe('rewriteHtml on sloppy HTML', () => {
  it('rewrites a link the parser re-opens (misnested or left open) once, into one working link', () => {
    // A browser re-opens an <a> left open across </b>, <p> or <li>: one source tag, two elements.
    for (const html of [
      '<p><a href="https://www.edx.org/course/cs50">CS50<p>Starts Monday</a></p>',
      '<b><a href="https://www.edx.org/course/cs50">CS50</b> starts Monday</a>',
      '<ul><li><a href="https://www.edx.org/course/cs50">CS50<li>Starts Monday</ul>',
    ]) {
      const out = signer.rewriteHtml(html, meta);
      const hrefs = [...out.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);
      expect(hrefs).toHaveLength(1);
      const verified = verifier.verify(tokenOf(hrefs[0]!, base, 'c')!, 'click');
      expect(verified).toMatchObject({ ok: true, url: 'https://www.edx.org/course/cs50' });
      expect(out.replace(hrefs[0]!, 'https://www.edx.org/course/cs50').replace(/<img [^>]*\/>$/, '')).toBe(html);
      expect(signer.rewriteHtml(out, meta)).toBe(out);
    }
  });

  it('rewrites an href with no space before the next attribute (`href="…"target="_blank"`), as browsers read it', () => {
    // Template engines that glue attributes together: a browser still follows these links.
    const html = [
      '<a href="https://www.edx.org/course/cs50"target="_blank">CS50</a>',
      "<a class='btn'href='https://www.edx.org/course/cs50'title='CS50'>CS50</a>",
      '<a href=https://www.edx.org/course/cs50 target=_blank>CS50</a>',
    ].join('\n');
    const out = signer.rewriteHtml(html, meta);
    const hrefs = [...out.matchAll(/href=(["'])(.*?)\1/g)].map((m) => m[2]!);
    expect(hrefs).toHaveLength(3);
    for (const href of hrefs)
      expect(verifier.verify(tokenOf(href, base, 'c')!, 'click')).toMatchObject({
        ok: true,
        url: 'https://www.edx.org/course/cs50',
      });
    expect(out).toContain(`"target="_blank">CS50</a>`);
    expect(out).toContain(`'title='CS50'>CS50</a>`);
    expect(signer.rewriteHtml(out, meta)).toBe(out);
  });

  it('gives a pixel of another message whose src has no space after it this message’s src, and no second pixel', () => {
    const other = signer.pixelUrl({ ...meta, messageId: 'digest-0000' });
    const html = `<p>Hi</p><img src="${other}"width="1" height="1"><p>Bye</p>`;
    const out = signer.rewriteHtml(html, meta);
    expect(out).toBe(`<p>Hi</p><img src="${signer.pixelUrl(meta)}"width="1" height="1"><p>Bye</p>`);
  });

  it('rewrites a document with thousands of elements left open, instead of overflowing the stack', () => {
    const html = '<div><span>A forum post\n'.repeat(5000) + '<a href="https://www.edx.org/course/cs50">CS50</a>';
    const out = signer.rewriteHtml(html, meta);
    const href = /<a href="([^"]*)">CS50<\/a>/.exec(out)?.[1];
    expect(verifier.verify(tokenOf(href!, base, 'c')!, 'click')).toMatchObject({
      ok: true,
      url: 'https://www.edx.org/course/cs50',
    });
    expect(out.match(/<img src="https:\/\/t\.edx\.org\/e\/o\/[\w-]+"/g)).toHaveLength(1);
    expect(out.replace(href!, 'https://www.edx.org/course/cs50').replace(/<img [^>]*\/>$/, '')).toBe(html);
  });
});
