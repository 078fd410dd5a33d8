import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeDecision, edxPolicy, encodeDecision, policyHash, type Decision } from '../src/index.js';

const ids = edxPolicy.purposes.map((p) => p.id);
const choices = fc.dictionary(fc.constantFrom(...ids.filter((id) => id !== 'necessary')), fc.boolean());

/** Any decision the store can make under the edX policy. */
const decisions: fc.Arbitrary<Decision> = fc
  .record({
    purposes: fc.tuple(...ids.map(() => fc.boolean())),
    members: fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), choices, { maxKeys: 4 }),
    source: fc.constantFrom('banner', 'preferences', 'api', 'gpc', 'default' as const),
    decidedAt: fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.now() }),
    consentId: fc.string({ minLength: 1, maxLength: 30 }),
    gpc: fc.boolean(),
  })
  .map(({ purposes, decidedAt, gpc, ...rest }) => ({
    ...rest,
    policy: { id: edxPolicy.id, version: edxPolicy.version, hash: policyHash(edxPolicy) },
    purposes: Object.fromEntries(ids.map((id, i) => [id, id === 'necessary' || purposes[i]!])),
    decidedAt: new Date(decidedAt).toISOString(),
    ...(gpc && { gpc: true }),
  }));

const grantsBeyondNecessary = (d: Decision | null) =>
  !!d && Object.entries(d.purposes).some(([id, v]) => v && id !== 'necessary');

describe('cookie codec', () => {
  it('decode(encode(d)) equals d', () => {
    fc.assert(
      fc.property(decisions, (d) => {
        expect(decodeDecision(encodeDecision(d, edxPolicy), edxPolicy)).toEqual(d);
      }),
      {
        numRuns: 2000,
      },
    );
  });

  it('uses only cookie-safe characters and stays compact', () => {
    fc.assert(
      fc.property(decisions, (d) => {
        const value = encodeDecision(d, edxPolicy);
        expect(value).toMatch(/^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]+$/);
      }),
    );
    const plain = encodeDecision(
      { ...fc.sample(decisions, 1)[0]!, members: {}, consentId: 'mjx1f3k2a9c8d7e6' },
      edxPolicy,
    );
    // Two checksums (one outlives a policy version, for the refusals): still well under 64 characters.
    expect(plain.length).toBeLessThan(60);
  });

  it('no random string decodes to anything', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (s) => {
        expect(decodeDecision(s, edxPolicy)).toBeNull();
      }),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(
        fc.stringMatching(/^[01]{5}\/[\w:&-]{0,12}\/[0-4]\/[0-9a-z]{8}\/\w{10}\/[01]\/[0-9a-z]{4,7}$/),
        (s) => {
          expect(decodeDecision(s, edxPolicy)).toBeNull();
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('no mutation of a valid cookie decodes to a grant of anything but necessary', () => {
    const refusal = decisions.map((d) => ({
      ...d,
      purposes: Object.fromEntries(ids.map((id) => [id, id === 'necessary'])),
    }));
    const mutation = fc.record({
      at: fc.nat(),
      kind: fc.constantFrom('replace', 'insert', 'delete'),
      char: fc.string({ minLength: 1, maxLength: 1 }),
    });
    fc.assert(
      fc.property(refusal, fc.array(mutation, { minLength: 1, maxLength: 3 }), (d, mutations) => {
        let value = encodeDecision(d, edxPolicy);
        const original = value;
        for (const { at, kind, char } of mutations) {
          const i = at % (value.length + 1);
          value =
            kind === 'insert'
              ? value.slice(0, i) + char + value.slice(i)
              : value.slice(0, i) + (kind === 'replace' ? char : '') + value.slice(i + 1);
        }
        const decoded = decodeDecision(value, edxPolicy);
        if (value !== original) expect(grantsBeyondNecessary(decoded)).toBe(false);
      }),
      { numRuns: 5000 },
    );
  });

  it('a value dated beyond clock skew in the future is no decision: it would outrank and outlive every real one', () => {
    const d = fc.sample(decisions, 1)[0]!;
    const at = (time: number) => encodeDecision({ ...d, decidedAt: new Date(time).toISOString() }, edxPolicy);
    // A browser clock a minute ahead of the server's still counts.
    expect(decodeDecision(at(Date.now() + 6e4), edxPolicy)?.purposes).toEqual(d.purposes);
    // Ten minutes, a day, 30 years ahead, and the last time a Date can hold.
    for (const time of [Date.now() + 6e5, Date.now() + 864e5, Date.now() + 1e12, 8.64e15]) {
      expect(decodeDecision(at(time), edxPolicy)).toBeNull();
      expect(decodeDecision(at(time), edxPolicy, true)).toBeNull();
    }
  });

  it('a value made under another policy or version is no decision', () => {
    const d = fc.sample(decisions, 1)[0]!;
    const value = encodeDecision(d, edxPolicy);
    expect(decodeDecision(value, { ...edxPolicy, version: '2027-01' })).toBeNull();
    expect(decodeDecision(value, { ...edxPolicy, id: 'other' })).toBeNull();
  });
});
