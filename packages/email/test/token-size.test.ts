import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEmailSigner, type MessageMeta } from '../src/index.js';
import { secret } from './support.js';

// The README's "Token format" says how long a token is, for those who budget link lengths (SMS,
// plain-text parts, ESP limits): its figures must be what the signer produces.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('### Token format'), readme.indexOf('### Verification results'));
const figure = (pattern: RegExp): number => {
  const found = pattern.exec(section.replace(/\s+/g, ' '))?.[1];
  if (found === undefined) throw new Error(`README "Token format" does not say ${String(pattern)}`);
  return Number(found.replace(/,/g, ''));
};

const base = 'https://t.edx.org';
const bytes = (text: string | undefined, extra = 1): number =>
  text === undefined ? 0 : extra + Buffer.byteLength(text);
const tokenLength = (url: string): number => url.length - url.lastIndexOf('/') - 1;
const signerFor = (kid: string, memberId?: string) =>
  createEmailSigner({
    ...(memberId === undefined ? {} : { memberId }),
    keys: { [kid]: secret() },
    activeKid: kid,
    baseUrl: base,
  });

describe("the README's token sizes", () => {
  it('gives the formula of every token length', () => {
    const fixed = figure(/A token is ⌈4\/3 × n⌉ characters for n bytes: (\d+),/);
    const field = fc.string({ minLength: 1, maxLength: 60, unit: 'binary' }).filter((s) => !s.includes('@'));
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/),
        fc.option(field, { nil: undefined }),
        fc.record(
          { messageId: field, recipient: fc.constant('ada@example.org'), campaign: field, subject: field },
          { requiredKeys: ['messageId', 'recipient'] },
        ),
        fc.boolean(),
        fc.option(
          fc.webUrl().filter((u) => !u.includes('@')),
          { nil: undefined },
        ),
        (kid, memberId, given, expires, url) => {
          const meta: MessageMeta = { ...given, sentAt: 2e12, ...(expires ? { expiresAt: 2.1e12 } : {}) };
          const signer = signerFor(kid, memberId);
          const n =
            fixed +
            bytes(kid, 0) +
            bytes(meta.messageId, 0) +
            bytes(memberId) +
            bytes(meta.campaign) +
            bytes(meta.subject) +
            (expires ? 4 : 0);
          expect(tokenLength(signer.pixelUrl(meta))).toBe(Math.ceil((n * 4) / 3));
          if (url !== undefined) {
            const target = new URL(url).href;
            expect(tokenLength(signer.clickUrl(target, meta))).toBe(Math.ceil(((n + bytes(target, 2)) * 4) / 3));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("gives the example's, the shortest and the longest pixel token", () => {
    const example = { messageId: 'cs50-week3-000123', recipient: 'ada@example.org', campaign: 'cs50-week3' };
    const hx = signerFor('hx-2026', 'HarvardX');
    const withSubject = { ...example, subject: 'lms-user-8842', sentAt: 2e12 };
    expect(tokenLength(hx.pixelUrl(withSubject))).toBe(figure(/example above's pixel token is (\d+) characters/));
    expect(tokenLength(hx.pixelUrl({ ...withSubject, expiresAt: 2.1e12 }))).toBe(
      figure(/example above's pixel token is \d+ characters \((\d+) with `expiresAt`\)/),
    );
    expect(tokenLength(signerFor('k').pixelUrl({ messageId: 'm', recipient: 'a@b.co' }))).toBe(
      figure(/the shortest \([^)]*\) is (\d+)/),
    );
    const longest = 'x'.repeat(255);
    const full = { messageId: longest, recipient: 'a@b.co', campaign: longest, subject: longest, expiresAt: 2.1e12 };
    expect(tokenLength(signerFor('k'.repeat(64), longest).pixelUrl({ ...full, sentAt: 2e12 }))).toBe(
      figure(/at most ([\d,]+) for a pixel/),
    );
  });
});
