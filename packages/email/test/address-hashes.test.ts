import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEmailSigner, createEmailVerifier } from '../src/index.js';
import { containsAddress } from '../src/target-url.js';
import { secret } from './support.js';

// A link that carries an unkeyed hash of the recipient's address (`?eh=<sha256>`, as ad and ESP
// platforms match audiences) carries the address: anyone can recompute it from a list of addresses.
const key = secret();
const signer = createEmailSigner({ keys: { k1: key }, activeKid: 'k1', baseUrl: 'https://t.edx.org' });
const verifier = createEmailVerifier({ platformKeys: { k1: key } });
const recipient = 'Ada.Lovelace+news@Example.org';
const meta = { messageId: 'm', recipient };
const normalised = 'ada.lovelace+news@example.org';

const digest = (algorithm: string, text: string): Buffer => createHash(algorithm).update(text).digest();
const encodings: [string, (bytes: Buffer) => string][] = [
  ['hex', (b) => b.toString('hex')],
  ['upper-case hex', (b) => b.toString('hex').toUpperCase()],
  ['base64', (b) => encodeURIComponent(b.toString('base64'))],
  ['base64 unpadded, unescaped', (b) => b.toString('base64').replace(/=+$/, '')],
  ['base64url', (b) => b.toString('base64url')],
];
const cases = ['md5', 'sha1', 'sha256', 'sha512'].flatMap((algorithm) =>
  encodings.map(([name, encode]) => [`${algorithm} in ${name}`, encode(digest(algorithm, normalised))] as const),
);

describe("a URL carrying a hash of the recipient's address", () => {
  it.each(cases)('finds %s of the normalised address', (_name, hash) => {
    expect(containsAddress(`https://x.example/?eh=${hash}`, recipient)).toBe(true);
    expect(containsAddress(`https://x.example/u/${hash}/unsubscribe`, recipient)).toBe(true);
  });

  it("finds the address's bytes in hex", () => {
    expect(containsAddress(`https://x.example/?e=${Buffer.from(normalised).toString('hex')}`, recipient)).toBe(true);
  });

  it.each(['bo@x.io', 'ada@example.org'])(
    'finds the bytes in hex of an address shorter than an MD5 digest (%s)',
    (short) => {
      const hex = Buffer.from(short).toString('hex');
      expect(containsAddress(`https://x.example/?e=${hex}`, short)).toBe(true);
      expect(containsAddress(`https://x.example/?e=${hex.toUpperCase()}&x=1`, short)).toBe(true);
      expect(() => signer.clickUrl(`https://x.example/?e=${hex}`, { messageId: 'm', recipient: short })).toThrow(
        expect.objectContaining({ code: 'recipient_in_url' }) as Error,
      );
    },
  );

  it('finds the hash of the address as typed, too', () => {
    expect(containsAddress(`https://x.example/?eh=${digest('sha256', recipient).toString('hex')}`, recipient)).toBe(
      true,
    );
  });

  it.each(cases)('is never signed into a click token (%s)', (_name, hash) => {
    const url = `https://x.example/?eh=${hash}`;
    expect(() => signer.clickUrl(url, meta)).toThrow(expect.objectContaining({ code: 'recipient_in_url' }) as Error);
    const html = signer.rewriteHtml(`<a href="${url}">Unsubscribe</a>`, meta);
    expect(html).toContain(`<a href="${url}">`);
  });

  it("signs a link with another address's hash", () => {
    const url = `https://x.example/?eh=${digest('sha256', 'grace@example.org').toString('hex')}`;
    const click = signer.clickUrl(url, meta);
    const token = click.slice('https://t.edx.org/e/c/'.length);
    expect(verifier.verify(token, 'click')).toMatchObject({ ok: true, url });
  });
});
