import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEmailSigner, createEmailVerifier, type MessageMeta } from '../src/index.js';
import { deriveKey } from '../src/keys.js';
import { decodeClaims, encodeClaims, sealToken, tokenChars } from '../src/token.js';
import { secret, tokenOf } from './support.js';

const base = 'https://t.edx.org';
const hxKeys = { 'hx-2025': secret(), 'hx-2026': secret() };
const mitKeys = { 'hx-2026': secret(), 'mit-1': secret() }; // a kid name both Members happen to use
const edxKeys = { 'edx-1': secret() };
const harvard = createEmailSigner({ memberId: 'HarvardX', keys: hxKeys, activeKid: 'hx-2026', baseUrl: base });
const mit = createEmailSigner({ memberId: 'MITx', keys: mitKeys, activeKid: 'hx-2026', baseUrl: base });
const platform = createEmailSigner({ keys: edxKeys, activeKid: 'edx-1', baseUrl: base });
const verifier = createEmailVerifier({
  platformKeys: edxKeys,
  members: { HarvardX: { keys: hxKeys }, MITx: { keys: mitKeys } },
});

const b64 = Array.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');

/** Metadata a sender might use; ids never contain the address (the signer refuses those). */
const metaArb: fc.Arbitrary<MessageMeta> = fc.record(
  {
    messageId: fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }).filter((s) => !s.includes('@')),
    recipient: fc.emailAddress(),
    campaign: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !s.includes('@')),
    subject: fc.uuid(),
  },
  { requiredKeys: ['messageId', 'recipient'] },
);
const urlArb = fc.webUrl({ withQueryParameters: true, withFragments: true }).filter((u) => !u.includes('@'));

const clickToken = (url: string, meta: MessageMeta, signer = harvard): string =>
  tokenOf(signer.clickUrl(url, meta), base, 'c')!;

/** One edit of a token: replace, insert or delete a character, truncate, or append. */
const mutationArb = fc.oneof(
  fc.record({
    op: fc.constant('replace' as const),
    at: fc.nat(),
    char: fc.constantFrom(...b64, '.', '=', '%', '~', ' '),
  }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    char: fc.constantFrom(...b64, '.', '=', '%', '~', '/'),
  }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('append' as const), text: fc.string({ minLength: 1, maxLength: 4 }) }),
);

type Mutation = typeof mutationArb extends fc.Arbitrary<infer T> ? T : never;

function mutate(token: string, m: Mutation): string {
  switch (m.op) {
    case 'replace': {
      const i = m.at % token.length;
      return token.slice(0, i) + m.char + token.slice(i + 1);
    }
    case 'insert': {
      const i = m.at % (token.length + 1);
      return token.slice(0, i) + m.char + token.slice(i);
    }
    case 'delete': {
      const i = m.at % token.length;
      return token.slice(0, i) + token.slice(i + 1);
    }
    case 'truncate':
      return token.slice(0, m.at % token.length);
    case 'append':
      return token + m.text;
  }
}

describe('tokens', () => {
  it('round-trip: a click URL verifies to its exact target, Member, message and pseudonym', () => {
    fc.assert(
      fc.property(urlArb, metaArb, (url, meta) => {
        const result = verifier.verify(clickToken(url, meta), 'click');
        expect(result).toMatchObject({
          ok: true,
          kind: 'click',
          url: new URL(url).href,
          memberId: 'HarvardX',
          kid: 'hx-2026',
          messageId: meta.messageId,
          campaign: meta.campaign ?? null,
          subject: meta.subject ?? null,
          recipient: harvard.pseudonym(meta.recipient),
        });
      }),
    );
  });

  it('any mutation of a token fails verification', () => {
    fc.assert(
      fc.property(urlArb, metaArb, fc.boolean(), mutationArb, (url, meta, click, m) => {
        const token = click ? clickToken(url, meta) : tokenOf(harvard.pixelUrl(meta), base, 'o')!;
        const forged = mutate(token, m);
        fc.pre(forged !== token);
        expect(verifier.verify(forged).ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('swapping the URL inside a token (or grafting one token’s MAC on another) fails', () => {
    fc.assert(
      fc.property(urlArb, urlArb, metaArb, (url, other, meta) => {
        fc.pre(new URL(url).href !== new URL(other).href);
        const token = clickToken(url, meta);
        const bytes = Buffer.from(token, 'base64url');
        const claims = decodeClaims(bytes.subarray(0, -16))!;
        const swapped = Buffer.concat([encodeClaims({ ...claims, url: new URL(other).href }), bytes.subarray(-16)]);
        expect(verifier.verify(swapped.toString('base64url'))).toEqual({ ok: false, reason: 'bad_signature' });
        const graft = Buffer.concat([
          Buffer.from(clickToken(other, meta), 'base64url').subarray(0, -16),
          bytes.subarray(-16),
        ]).toString('base64url');
        expect(verifier.verify(graft).ok).toBe(false);
      }),
    );
  });

  it('tokens and URLs never contain the recipient address, in any case or encoding', () => {
    fc.assert(
      fc.property(urlArb, metaArb, (url, meta) => {
        const address = meta.recipient;
        for (const signed of [harvard.clickUrl(url, meta), harvard.pixelUrl(meta)]) {
          const token = signed.slice(signed.lastIndexOf('/') + 1);
          const bytes = Buffer.from(token, 'base64url');
          for (const needle of [
            address,
            address.toLowerCase(),
            encodeURIComponent(address),
            encodeURIComponent(address.toLowerCase()),
          ]) {
            expect(signed).not.toContain(needle);
            expect(bytes.includes(Buffer.from(needle))).toBe(false);
          }
        }
      }),
    );
  });

  it('the pseudonym is keyed: the same address gets unrelated pseudonyms under different Members', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (address) => {
        expect(harvard.pseudonym(address)).toBe(harvard.pseudonym(`  ${address.toUpperCase()} `));
        expect(harvard.pseudonym(address)).not.toBe(mit.pseudonym(address));
        expect(harvard.pseudonym(address)).toMatch(/^[A-Za-z0-9_-]{22}$/);
      }),
    );
  });

  it('a token signed by one Member never verifies as another’s', () => {
    fc.assert(
      fc.property(urlArb, metaArb, (url, meta) => {
        // MITx's genuine token verifies as MITx, never as HarvardX, even with a shared kid name.
        expect(verifier.verify(clickToken(url, meta, mit))).toMatchObject({ ok: true, memberId: 'MITx' });
        // MITx forging a token that names HarvardX, with its own key of a kid both have: cross_member.
        const claims = decodeClaims(Buffer.from(clickToken(url, meta), 'base64url').subarray(0, -16))!;
        const forged = sealToken(claims, deriveKey(mitKeys['hx-2026'], 'mac'));
        expect(verifier.verify(forged)).toEqual({ ok: false, reason: 'cross_member' });
        // ...with a kid only MITx has: still cross_member, not accepted.
        const forged2 = sealToken({ ...claims, kid: 'mit-1' }, deriveKey(mitKeys['mit-1'], 'mac'));
        expect(verifier.verify(forged2)).toEqual({ ok: false, reason: 'cross_member' });
        // The platform's token names no Member; a Member's key cannot pass for the platform.
        const asPlatform = sealToken({ ...claims, memberId: null, kid: 'edx-1' }, deriveKey(mitKeys['mit-1'], 'mac'));
        expect(verifier.verify(asPlatform)).toEqual({ ok: false, reason: 'bad_signature' });
        expect(verifier.verify(clickToken(url, meta, platform))).toMatchObject({ ok: true, memberId: null });
        // A verifier that does not know the Member rejects its tokens.
        const harvardOnly = createEmailVerifier({ members: { HarvardX: { keys: hxKeys } } });
        expect(harvardOnly.verify(clickToken(url, meta, mit))).toEqual({ ok: false, reason: 'unknown_member' });
      }),
      { numRuns: 50 },
    );
  });

  it('refuses one secret held by two principals: each could sign tokens naming the other', () => {
    const shared = secret();
    const twoMembers = () =>
      createEmailVerifier({ members: { HarvardX: { keys: { 'hx-1': shared } }, MITx: { keys: { 'm-1': shared } } } });
    expect(twoMembers).toThrow(
      expect.objectContaining({ name: 'EmailError', code: 'invalid_key', path: 'members.MITx.keys.m-1' }),
    );
    expect(twoMembers).toThrow(expect.not.objectContaining({ message: expect.stringContaining(shared) }));
    const memberAndPlatform = () =>
      createEmailVerifier({ members: { HarvardX: { keys: { 'hx-1': shared } } }, platformKeys: { 'edx-1': shared } });
    expect(memberAndPlatform).toThrow(
      expect.objectContaining({ code: 'invalid_key', path: 'members.HarvardX.keys.hx-1' }),
    );
    // One principal may keep one secret under two kids (a renamed kid).
    expect(() =>
      createEmailVerifier({ members: { HarvardX: { keys: { 'hx-1': shared, 'hx-2': shared } } } }),
    ).not.toThrow();
  });

  it('expired tokens fail; unexpired ones pass', () => {
    fc.assert(
      fc.property(
        metaArb,
        fc.integer({ min: 1, max: 10 * 365 * 86400 }),
        fc.integer({ min: 0, max: 86400 }),
        (meta, ttl, late) => {
          const sentAt = 1_800_000_000_000;
          const expiresAt = sentAt + ttl * 1000;
          const token = tokenOf(harvard.pixelUrl({ ...meta, sentAt, expiresAt }), base, 'o')!;
          const at = (now: number) => createEmailVerifier({ members: { HarvardX: { keys: hxKeys } }, now: () => now });
          expect(at(expiresAt + late).verify(token)).toEqual({ ok: false, reason: 'expired' });
          expect(at(expiresAt - 1000).verify(token)).toMatchObject({ ok: true, expiresAt: new Date(expiresAt) });
        },
      ),
      { numRuns: 50 },
    );
  });

  it('rotation: the active kid signs, every known kid verifies, a retired kid fails as unknown_kid', () => {
    fc.assert(
      fc.property(urlArb, metaArb, (url, meta) => {
        const old = createEmailSigner({
          memberId: 'HarvardX',
          keys: { 'hx-2025': hxKeys['hx-2025'] },
          activeKid: 'hx-2025',
          baseUrl: base,
        });
        const oldToken = clickToken(url, meta, old);
        const newToken = clickToken(url, meta);
        expect(verifier.verify(oldToken)).toMatchObject({ ok: true, kid: 'hx-2025' });
        expect(verifier.verify(newToken)).toMatchObject({ ok: true, kid: 'hx-2026' });
        const retired = createEmailVerifier({ members: { HarvardX: { keys: { 'hx-2026': hxKeys['hx-2026'] } } } });
        expect(retired.verify(oldToken)).toEqual({ ok: false, reason: 'unknown_kid' });
        expect(retired.verify(newToken).ok).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('a token of one kind never passes for the other', () => {
    fc.assert(
      fc.property(urlArb, metaArb, (url, meta) => {
        expect(verifier.verify(clickToken(url, meta), 'open')).toEqual({ ok: false, reason: 'wrong_kind' });
        expect(verifier.verify(tokenOf(harvard.pixelUrl(meta), base, 'o')!, 'click')).toEqual({
          ok: false,
          reason: 'wrong_kind',
        });
      }),
      { numRuns: 50 },
    );
  });

  it('a token tells its own length, whatever token characters follow it', () => {
    fc.assert(
      fc.property(urlArb, metaArb, fc.stringMatching(/^[\w-]{0,80}$/), (url, meta, after) => {
        for (const token of [clickToken(url, meta), tokenOf(platform.pixelUrl(meta), base, 'o') ?? ''])
          expect(tokenChars(`${token}${after}`)).toBe(token.length);
      }),
      { numRuns: 200 },
    );
    expect(tokenChars('')).toBeUndefined();
    expect(tokenChars('A'.repeat(9000))).toBeUndefined();
  });

  it('arbitrary strings never verify and never throw', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.base64String({ maxLength: 400 }).map((s) => s.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')),
        ),
        (text) => {
          expect(verifier.verify(text).ok).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
    expect(verifier.verify('A'.repeat(9000))).toEqual({ ok: false, reason: 'malformed' });
  });
});
