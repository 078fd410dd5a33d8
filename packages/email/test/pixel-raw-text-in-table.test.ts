import { describe, expect, it } from 'vitest';
import { harvardSigning, pixels as supportPixels } from './support.js';

const { base, signer } = harvardSigning();
const meta = { messageId: 'msg-pixel-table', recipient: 'learner@example.org' };
const pixels = (html: string) => supportPixels(html, base);

// A `<textarea>`, `<title>`, `<xmp>` or `<iframe>` opened inside a `<table>` is foster-parented out of
// it: in the parsed document it comes before the table, though it starts after it in the source.
describe('the pixel and a raw-text element left open inside a <table>', () => {
  it('goes before the element, where it is an image, not text; a second rewrite adds none', () => {
    for (const [html, expected] of [
      ['<table><textarea>', '<table><PIXEL><textarea>'],
      ['<body><table><xmp>a', '<body><table><PIXEL><xmp>a'],
      ['<table><title>', '<table><PIXEL><title>'],
      ['<table><iframe>', '<table><PIXEL><iframe>'],
      ['<table><tr><td>x</td></tr><textarea>y</body>', '<table><tr><td>x</td></tr><PIXEL><textarea>y</body>'],
      [
        '<p>x</p><table><tr><td>a</td></tr></table><textarea>',
        '<p>x</p><table><tr><td>a</td></tr></table><PIXEL><textarea>',
      ],
    ]) {
      const out = signer.rewriteHtml(html!, meta);
      expect(out.replace(/<img [^>]+\/>/, '<PIXEL>')).toBe(expected);
      expect(pixels(out)).toHaveLength(1);
      expect(signer.rewriteHtml(out, meta)).toBe(out);
    }
  });
});
