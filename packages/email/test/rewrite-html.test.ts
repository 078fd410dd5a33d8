import { parse, type DefaultTreeAdapterMap } from 'parse5';
import { describe, expect, it } from 'vitest';
import { courseEmail, fragment, newsletter, recipient, tracked } from './fixtures/emails.js';
import {
  attributes,
  clickTargets as supportClickTargets,
  pixels as supportPixels,
  restore as supportRestore,
  harvardSigning,
  tokenOf,
} from './support.js';

const { base, signer, verifier } = harvardSigning();
const meta = { messageId: 'msg-2026-11-29-0001', recipient, campaign: 'weekly-48' };

const fixtures = { newsletter, courseEmail, fragment } as const;

const clickTargets = (html: string) => supportClickTargets(html, base, verifier);
const pixels = (html: string) => supportPixels(html, base);
const restore = (original: string, rewritten: string) => supportRestore(original, rewritten, base);

// Where a mail client (no scripts) shows the pixel: in the parsed document, outside `<template>`
// content and outside every element whose content is not rendered.
const hides = (el: DefaultTreeAdapterMap['element']) =>
  ['select', 'datalist', 'template', 'video', 'audio', 'object', 'canvas'].includes(el.tagName) ||
  (['details', 'dialog'].includes(el.tagName) && !el.attrs.some((a) => a.name === 'open')) ||
  el.attrs.some((a) => a.name === 'hidden' || (a.name === 'style' && /display\s*:\s*none/i.test(a.value)));
const shown = (node: DefaultTreeAdapterMap['parentNode']): boolean =>
  node.childNodes.some((child) =>
    'tagName' in child
      ? (child.tagName === 'img' && child.attrs.some((a) => a.name === 'src' && a.value.includes('/e/o/'))) ||
        (!hides(child) && shown(child))
      : false,
  );

describe('rewriteHtml on realistic emails', () => {
  for (const [name, html] of Object.entries(fixtures)) {
    describe(name, () => {
      const out = signer.rewriteHtml(html, meta);

      it('tracks every absolute http(s) link, and each verifies back to its original target', () => {
        expect(clickTargets(out)).toEqual(tracked[name as keyof typeof tracked]);
      });

      it('keeps every other byte of the document', () => {
        expect(restore(html, out)).toBe(html);
      });

      it('adds exactly one pixel, signed for this message', () => {
        const found = pixels(out);
        expect(found).toHaveLength(1);
        const result = verifier.verify(tokenOf(found[0]!, base, 'o')!, 'open');
        expect(result).toMatchObject({ ok: true, kind: 'open', memberId: 'HarvardX', messageId: meta.messageId });
      });

      it('is idempotent: a second rewrite changes nothing', () => {
        expect(signer.rewriteHtml(out, meta)).toBe(out);
      });

      it('re-signs, never double-wraps, when rewritten for another recipient', () => {
        const other = {
          ...meta,
          recipient: 'grace@example.org',
          messageId: 'msg-2',
          sentAt: new Date('2026-11-29T05:00:00Z'),
        };
        const again = signer.rewriteHtml(out, other);
        const targets = clickTargets(again);
        expect(targets.length).toBeGreaterThanOrEqual(tracked[name as keyof typeof tracked].length);
        expect(targets.filter((t) => t.startsWith(base))).toEqual([]);
        expect(pixels(again)).toHaveLength(1);
        for (const a of attributes(again)) {
          const token = tokenOf(a.value, base, a.tag === 'img' ? 'o' : 'c');
          if (token !== undefined)
            expect(verifier.verify(token)).toMatchObject({
              messageId: 'msg-2',
              recipient: signer.pseudonym('grace@example.org'),
            });
        }
        expect(again).toBe(signer.rewriteHtml(html, other));
      });

      it('never puts the recipient address in the document it did not already contain', () => {
        const lower = recipient.toLowerCase();
        const count = (s: string, needle: string) => s.toLowerCase().split(needle.toLowerCase()).length - 1;
        expect(count(out, lower)).toBe(count(html, lower));
        expect(count(out, encodeURIComponent(lower))).toBe(count(html, encodeURIComponent(lower)));
      });
    });
  }

  it('puts the pixel right before </body>, or at the end of a fragment', () => {
    const out = signer.rewriteHtml(newsletter, meta);
    expect(out).toMatch(/<img src="https:\/\/t\.edx\.org\/e\/o\/[A-Za-z0-9_-]+"[^>]*\/>\r?\n?<\/body>/);
    expect(signer.rewriteHtml(fragment, meta)).toMatch(/<img [^>]+\/>$/);
    expect(signer.rewriteHtml('<html><body><p>x</p></html>', meta)).toMatch(/<p>x<\/p><img [^>]+\/><\/html>$/);
  });

  it('puts the pixel right before </body> after a byte order mark, whitespace, comments or a doctype, keeping the mark', () => {
    // A template saved by a Windows editor and read with readFile(…, 'utf8') starts with U+FEFF.
    const body =
      '<body>\r\n<p><a href="https://a.org/1?x=1&amp;y=2">a</a> <a href=\'https://b.org/2\'>b</a></p>\r\n</body></html>';
    for (const head of [
      '\uFEFF<!doctype html><html>',
      '\uFEFF<html>',
      '\uFEFF\r\n<!DOCTYPE html>\r\n<html lang="en">',
      '\uFEFF<!-- saved by Notepad --><!doctype html><html>',
      '\uFEFF',
      '  \n<!doctype html><!-- x -->\n<html>',
    ]) {
      const html = head + body;
      const out = signer.rewriteHtml(html, meta);
      expect(out.startsWith(head)).toBe(true);
      expect(out.replace(/<img [^>]+\/>/, '<PIXEL>')).toMatch(/<\/p>\r\n<PIXEL><\/body><\/html>$/);
      expect(restore(html, out)).toBe(html);
      expect(clickTargets(out)).toEqual(['https://a.org/1?x=1&y=2', 'https://b.org/2']);
      expect(signer.rewriteHtml(out, meta)).toBe(out);
    }
    // The doctype after the mark counts, as in a browser (whose decoder drops the mark): in standards
    // mode <table> closes the hidden <p>, so the end of the body is shown and the pixel goes there.
    const standards = '\uFEFF<!doctype html><body><p hidden>x<table><tr><td>y</table> Thanks</body>';
    expect(signer.rewriteHtml(standards, meta).replace(/<img [^>]+\/>/, '<PIXEL>')).toBe(
      standards.replace('</body>', '<PIXEL></body>'),
    );
  });

  it('puts the pixel right before </body> (else </html>) when text comes before <html> or <body>', () => {
    // Text before them (a stray zero-width space, &nbsp;, a preheader pasted above <html>) makes the
    // parser imply <html> and <body>; their end tags still close them, as in every browser.
    for (const [html, expected] of [
      [
        '\u200B<!doctype html><html><body><p>x</p>\n</body></html>',
        '\u200B<!doctype html><html><body><p>x</p>\n<PIXEL></body></html>',
      ],
      ['&nbsp;<html><body><p>x</p></body></html>\n', '&nbsp;<html><body><p>x</p><PIXEL></body></html>\n'],
      [
        '<div style="display:none">Week 3</div><html><body>x</body></html>',
        '<div style="display:none">Week 3</div><html><body>x<PIXEL></body></html>',
      ],
      ['<html><head></head>Hi<body><p>x</p></body></html>', '<html><head></head>Hi<body><p>x</p><PIXEL></body></html>'],
      ['Hi<html><body><p>x</p></html>', 'Hi<html><body><p>x</p><PIXEL></html>'],
      ['Hi<body><p>x</p><div hidden><p>y</body>', 'Hi<body><p>x</p><PIXEL><div hidden><p>y</body>'],
    ]) {
      const out = signer.rewriteHtml(html!, meta);
      expect(out.replace(/<img [^>]+\/>/, '<PIXEL>')).toBe(expected);
      expect(signer.rewriteHtml(out, meta)).toBe(out);
    }
  });

  it('puts the pixel before a comment or a <textarea>/<title> left open at the end, where it still shows', () => {
    for (const open of ['<!-- footer', '<textarea>', '<title>', '<script>']) {
      const out = signer.rewriteHtml(`<p>hi</p>${open}`, meta);
      expect(out).toMatch(new RegExp(`^<p>hi</p><img [^>]+/>${open}$`));
      expect(pixels(out)).toHaveLength(1);
      expect(signer.rewriteHtml(out, meta)).toBe(out); // still idempotent
    }
    expect(signer.rewriteHtml('<p>hi</p><!-- closed -->', meta)).toMatch(/<!-- closed --><img [^>]+\/>$/);
  });

  it('puts the pixel before a comment left open at the end that holds `<!doctype` (no unfinished doctype there)', () => {
    for (const [html, expected] of [
      ['<p>Hello</p><!-- <!doctype', '<p>Hello</p><PIXEL><!-- <!doctype'],
      ['<p>Hello</p><!-- a <!DOCTYPE html', '<p>Hello</p><PIXEL><!-- a <!DOCTYPE html'],
      ['<p>Hello</p><? <!doctype', '<p>Hello</p><PIXEL><? <!doctype'],
      ['<p>Hi</p><!-- footer: see <!doctype html PUBLIC', '<p>Hi</p><PIXEL><!-- footer: see <!doctype html PUBLIC'],
      ['<p>hi</p><!-- <!doctype -->', '<p>hi</p><!-- <!doctype --><PIXEL>'],
    ]) {
      const out = signer.rewriteHtml(html!, meta);
      expect(out.replace(/<img [^>]+\/>/, '<PIXEL>')).toBe(expected);
      expect(pixels(out)).toHaveLength(1);
      expect(signer.rewriteHtml(out, meta)).toBe(out);
    }
  });

  it('puts the pixel before an element left open whose content is not shown (<select>, <template>, hidden, ...)', () => {
    for (const [html, expected] of [
      ['<p>Pick your track</p><select><option>Verified', '<p>Pick your track</p><PIXEL><select><option>Verified'],
      ['<p>Hi</p><template><p>later', '<p>Hi</p><PIXEL><template><p>later'],
      ['<body><p>Hi</p><div hidden><p>x</body></html>', '<body><p>Hi</p><PIXEL><div hidden><p>x</body></html>'],
      ['<p>a<div style="display: none">x', '<p>a<PIXEL><div style="display: none">x'],
      ['<body><select><option>x</body></html>', '<body><PIXEL><select><option>x</body></html>'],
      ['<div><video><p>no video', '<div><PIXEL><video><p>no video'],
      ['<details><summary>More</summary>x', '<PIXEL><details><summary>More</summary>x'],
      ['<details open><summary>More</summary>x', '<details open><summary>More</summary>x<PIXEL>'],
      ['<p>x<datalist><option>a', '<p>x<PIXEL><datalist><option>a'],
      ['<p><select><option>a</select> b', '<p><select><option>a</select> b<PIXEL>'],
      ['<div hidden>x</div><p>y', '<div hidden>x</div><p>y<PIXEL>'],
    ]) {
      const out = signer.rewriteHtml(html!, meta);
      expect(out.replace(/<img [^>]+\/>/, '<PIXEL>')).toBe(expected);
      expect(shown(parse(out, { scriptingEnabled: false }))).toBe(true);
      expect(signer.rewriteHtml(out, meta)).toBe(out);
    }
  });

  it('puts the pixel before a tag left unfinished at the end, where it still loads', () => {
    for (const [html, expected] of [
      ['<p>Hello</p><b', '<p>Hello</p><PIXEL><b'],
      ['<p>Hello</p></p', '<p>Hello</p><PIXEL></p'],
      ['<p>Hello</p><a href="https://x.org/', '<p>Hello</p><PIXEL><a href="https://x.org/'],
      ['<p>Hello <img alt="x', '<p>Hello <PIXEL><img alt="x'],
      ["<p>hi</p><div class='x", "<p>hi</p><PIXEL><div class='x"],
      ['<p>hi</p><a title="<b>" href="x', '<p>hi</p><PIXEL><a title="<b>" href="x'],
      ['<body><p>x</body', '<body><p>x<PIXEL></body'],
      ['<p>x</p><', '<p>x</p><PIXEL><'],
      ['<p>x</p></', '<p>x</p><PIXEL></'],
      ['<p>x<!DOCTYPE html', '<p>x<PIXEL><!DOCTYPE html'],
      ['<!DOCTYPE', '<PIXEL><!DOCTYPE'],
      ['<!DOCTYPE html', '<PIXEL><!DOCTYPE html'],
      // Cut off inside PUBLIC or SYSTEM: parse5 ends the doctype there with no error at the end.
      ['<!DOCTYPE html PUBL', '<PIXEL><!DOCTYPE html PUBL'],
      ['<!doctype html syst', '<PIXEL><!doctype html syst'],
      ['<!DOCTYPE html P', '<PIXEL><!DOCTYPE html P'],
      // In the body, a doctype gets no node at all.
      ['<p>x</p><!DOCTYPE HTML PU', '<p>x</p><PIXEL><!DOCTYPE HTML PU'],
      ['<p>x</p><!DocType html SYSTE', '<p>x</p><PIXEL><!DocType html SYSTE'],
    ]) {
      const out = signer.rewriteHtml(html!, meta);
      expect(out.replace(/<img [^>]+\/>/, '<PIXEL>')).toBe(expected);
      expect(shown(parse(out, { scriptingEnabled: false }))).toBe(true);
      expect(signer.rewriteHtml(out, meta)).toBe(out);
    }
  });

  it('puts the pixel before a <select> left open that a later tag closed, not inside it', () => {
    for (const [html, expected] of [
      ['<p>Hi<select><option>a<textarea>', '<p>Hi<PIXEL><select><option>a<textarea>'],
      ['<p>Hi<select><option>a<input>b', '<p>Hi<select><option>a<input>b<PIXEL>'],
    ]) {
      const out = signer.rewriteHtml(html!, meta);
      expect(out.replace(/<img [^>]+\/>/, '<PIXEL>')).toBe(expected);
      expect(shown(parse(out, { scriptingEnabled: false }))).toBe(true);
      const again = signer.rewriteHtml(out, meta);
      expect(again).toBe(out);
      expect(pixels(again)).toHaveLength(1);
    }
  });

  it('places the pixel in one walk before a long run of hiding elements a later tag closed (<p hidden>x<p hidden>x…)', () => {
    // Each `<p>` closes the one before it: were every move to re-walk the document, 20,000 of them
    // would take minutes, past the test's timeout.
    const html = '<p hidden>x'.repeat(20_000);
    const out = signer.rewriteHtml(html, meta);
    expect(out.replace(/<img [^>]+\/>/, '<PIXEL>')).toBe(`<PIXEL>${html}`);
    expect(pixels(out)).toHaveLength(1);
  });

  it('puts the pixel before an <svg> or <math> left open, never inside it (a foreign <template> hides nothing)', () => {
    for (const [html, expected] of [
      [
        '<p>Formula: <math><template><a href="https://x.org/">x</a>Read on',
        '<p>Formula: <PIXEL><math><template><a href="https://x.org/">x</a>Read on',
      ],
      [
        '<p>Icon <svg><template><a href="https://x.org/">x</a>Read on',
        '<p>Icon <PIXEL><svg><template><a href="https://x.org/">x</a>Read on',
      ],
      ['<p>Icon <svg><title>Logo', '<p>Icon <PIXEL><svg><title>Logo'],
      ['<p>Icon <svg><g><text>edX', '<p>Icon <PIXEL><svg><g><text>edX'],
      ['<p>Icon <svg><foreignObject><p>x', '<p>Icon <PIXEL><svg><foreignObject><p>x'],
      ['<p>Icon <svg><title>Logo</title></svg> Read on', '<p>Icon <svg><title>Logo</title></svg> Read on<PIXEL>'],
      // Foster-parented out of a `<table>`: the pixel goes before the `<svg>`, and out of the table with it.
      ['<table><svg><title>x', '<table><PIXEL><svg><title>x'],
      ['<table><svg><title><textarea>', '<table><PIXEL><svg><title><textarea>'],
      ['<table><svg><title><template><select>', '<table><PIXEL><svg><title><template><select>'],
    ]) {
      const out = signer.rewriteHtml(html!, meta);
      expect(out.replace(/<img [^>]+\/>/, '<PIXEL>')).toBe(expected);
      expect(pixels(out)).toHaveLength(1);
      expect(signer.rewriteHtml(out, meta)).toBe(out);
    }
  });

  it('reads a <template> inside <svg> or <math> (no template content there) as an ordinary element', () => {
    for (const html of [
      '<p><svg><template></template></svg></p>',
      '<p><math><template><a href="https://x.org/">x</a></template></math></p>',
    ]) {
      const out = signer.rewriteHtml(html, meta);
      expect(pixels(out)).toHaveLength(1);
      expect(signer.rewriteHtml(out, meta)).toBe(out);
    }
  });

  it('leaves mailto:, tel:, anchors, relative and notrack links exactly as they were', () => {
    const out = signer.rewriteHtml(newsletter, meta);
    for (const kept of [
      '<a href="mailto:support@edx.org?subject=Newsletter">',
      '<a href="tel:+1-617-555-0100">',
      '<a href="#top">',
      '<a href="/dashboard">',
      '<a href="//www.edx.org/about">',
      '<a data-optin-notrack href="https://www.edx.org/edx-privacy-policy">',
      '<a href="https://www.edx.org/edx-terms-service" data-optin-notrack="">',
      '<!--[if mso]><v:roundrect href="https://www.edx.org/learn/computer-science"',
    ])
      expect(out).toContain(kept);
  });

  it('tracks links inside <noscript>, which a mail client (scripts off) shows, and keeps the pixel out of it', () => {
    // Content pasted from a web page: a mail client runs no scripts, so it shows <noscript> content.
    const html = '<p>New on the blog</p><noscript><a href="https://www.edx.org/blog/cs50">Read it</a></noscript>';
    const out = signer.rewriteHtml(html, meta);
    expect(clickTargets(out)).toEqual(['https://www.edx.org/blog/cs50']);
    expect(restore(html, out)).toBe(html);
    expect(signer.rewriteHtml(out, meta)).toBe(out);
    // Left open at the end, it still gets no pixel inside: webmail drops <noscript> with its content.
    const open = signer.rewriteHtml('<p>New on the blog</p><noscript><p>Read it', meta);
    expect(open.replace(/<img [^>]+\/>/, '<PIXEL>')).toBe('<p>New on the blog</p><PIXEL><noscript><p>Read it');
  });

  it('escapes the new value for the attribute it lands in, keeping the quote style', () => {
    const out = signer.rewriteHtml(courseEmail, meta);
    expect(out).toMatch(/<a href = "https:\/\/t\.edx\.org\/e\/c\/[A-Za-z0-9_-]+" class="btn">/);
    expect(out).toMatch(/<a href="https:\/\/t\.edx\.org\/e\/c\/[A-Za-z0-9_-]+" target=_blank>/);
    expect(out).toMatch(/<A Href="https:\/\/t\.edx\.org\/e\/c\/[A-Za-z0-9_-]+">notes<\/A>/);
    const single = signer.rewriteHtml(newsletter, meta);
    expect(single).toMatch(/<a HREF='https:\/\/t\.edx\.org\/e\/c\/[A-Za-z0-9_-]+'>CS50/);
  });

  it('keeps a pixel of its own for the same message, and an unrelated image untouched', () => {
    const html = `<body><img src="${signer.pixelUrl(meta)}"><img src="https://cdn.example.org/p.gif"></body>`;
    const out = signer.rewriteHtml(html, meta);
    expect(pixels(out)).toHaveLength(1);
    expect(out).toContain('<img src="https://cdn.example.org/p.gif">');
  });

  it('keeps lone surrogates (which parse5 7 alone would choke on) and still rewrites', () => {
    const html = '<p>\udf93\udf93 \ud83c</p><a href="https://x.org/">x</a>';
    const out = signer.rewriteHtml(html, meta);
    expect(clickTargets(out)).toEqual(['https://x.org/']);
    expect(restore(html, out)).toBe(html);
  });
});
