import { describe, expect, it } from 'vitest';
import { createEmailSigner } from '../src/index.js';
import { secret } from './support.js';

// A URL with userinfo (`https://ada:pw@example.org/`) puts its password in every token signed for
// it, and so in every click the collector logs: it is never tracked.
const signer = createEmailSigner({ keys: { k1: secret() }, activeKid: 'k1', baseUrl: 'https://t.edx.org' });
const meta = { messageId: 'm', recipient: 'grace@example.org' };

describe('a URL with a user name or password', () => {
  it.each(['https://ada:pw@example.org/', 'https://ada@example.org/x', 'http://:pw@example.org/'])(
    'is refused by clickUrl: %s',
    (url) => {
      expect(() => signer.clickUrl(url, meta)).toThrow(
        expect.objectContaining({ code: 'invalid_url', path: 'url' }) as Error,
      );
    },
  );

  it('is left untracked by rewriteHtml', () => {
    const html = '<a href="https://ada:pw@example.org/">Files</a><a href="https://example.org/">Home</a>';
    const out = signer.rewriteHtml(html, meta);
    expect(out).toContain('<a href="https://ada:pw@example.org/">Files</a>');
    expect(out).not.toContain('<a href="https://example.org/">');
  });
});
