import { describe, expect, it } from 'vitest';
import { containsAddress } from '../src/target-url.js';
import { harvardSigning } from './support.js';

// A link may carry the recipient's address escaped otherwise than percent-encoded: its `@` as a
// JavaScript or JSON escape (`\u0040`, in a JSON blob in the query; `%u0040`, JS `escape()`), as an
// HTML character reference (`&#64;`, a template that escaped it twice), or its `+` read as a space
// (a query decoded as a form and encoded again). The server it leads to reads the address all the same.
const { signer } = harvardSigning();
const recipient = 'Ada.Lovelace+news@Example.org';

const carriers = {
  '\\u0040 in a JSON blob': 'https://x.example/?d={"e":"ada.lovelace+news\\u0040example.org"}',
  '\\u0040 in a percent-encoded JSON blob': `https://x.example/?d=${encodeURIComponent('{"e":"ada.lovelace+news\\u0040example.org"}')}`,
  '\\x40': 'https://x.example/?e=ada.lovelace+news\\x40example.org',
  '%u0040 (JS escape())': 'https://x.example/?e=ada.lovelace%2Bnews%u0040example.org',
  '&#64;': 'https://x.example/?e=ada.lovelace+news&#64;example.org',
  '&#x40; percent-encoded': `https://x.example/?e=${encodeURIComponent('ada.lovelace+news&#x40;example.org')}`,
  '&commat;': 'https://x.example/?e=ada.lovelace+news&commat;example.org',
  '+ as a space, percent-encoded': 'https://x.example/?e=ada.lovelace%20news%40example.org',
  '+ as a space, in base64': `https://x.example/?e=${Buffer.from('ada.lovelace news@example.org').toString('base64url')}`,
};

describe("a URL carrying the recipient's address with another escape", () => {
  it.each(Object.entries(carriers))('finds it written with %s', (_name, url) => {
    expect(containsAddress(url, recipient)).toBe(true);
    expect(() => signer.clickUrl(url, { messageId: 'm', recipient })).toThrow(
      expect.objectContaining({ code: 'recipient_in_url' }) as Error,
    );
    const html = `<a href="${url.replaceAll('&', '&amp;').replaceAll('"', '&quot;')}">x</a>`;
    expect(signer.rewriteHtml(html, { messageId: 'm', recipient })).toContain(html);
  });

  it('finds no address in the same escapes of another one', () => {
    for (const url of Object.values(carriers)) expect(containsAddress(url, 'grace@example.org')).toBe(false);
    expect(containsAddress('https://x.example/?e=ada.lovelace%20old%40example.org', recipient)).toBe(false);
  });
});
