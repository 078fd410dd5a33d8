import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeDecision,
  definePolicy,
  edxPolicy,
  encodeDecision,
  policyHash,
  type Decision,
  type Policy,
} from '../src/index.js';

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

/**
 * A later edit of the edX policy that keeps some purposes' ids: purposes dropped, added (new ids),
 * reordered, reworded, and a new version.
 */
const edits: fc.Arbitrary<Policy> = fc
  .record({
    kept: fc.shuffledSubarray([...edxPolicy.purposes]),
    added: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9_-]{0,11}$/), { maxLength: 4 }),
    at: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
    reworded: fc.boolean(),
  })
  .map(({ kept, added, at, reworded }) => {
    const purposes = kept.map((p) => (reworded ? { ...p, description: `${p.description} And more.` } : p));
    added
      .filter((id) => !ids.includes(id))
      .forEach((id, i) => purposes.splice(at[i]! % (purposes.length + 1), 0, { id, label: id, description: id }));
    return { ...edxPolicy, version: '2027-01', purposes: purposes.length ? purposes : edxPolicy.purposes.slice(0, 1) };
  });

/** A decision of any policy: as many purposes as `n`, with random ids (so some share a fingerprint). */
const anyPolicyDecisions = fc
  .uniqueArray(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,6}$/), { minLength: 1, maxLength: 60 })
  .chain((purposeIds) => {
    const policy = definePolicy({
      id: 'p',
      version: '1',
      purposes: purposeIds.map((id, i) => ({ id, label: id, description: id, required: i === 0 })),
    });
    // Member overrides of the purposes that can be refused (not the first, required one).
    const optional = purposeIds.slice(1);
    const choice = optional.length ? fc.dictionary(fc.constantFrom(...optional), fc.boolean()) : fc.constant({});
    return fc.record({
      policy: fc.constant(policy),
      decision: fc.record({
        consentId: fc.constant('c1'),
        policy: fc.constant({ id: 'p', version: '1', hash: policyHash(policy) }),
        purposes: fc
          .tuple(...purposeIds.map(() => fc.boolean()))
          .map((bits) => Object.fromEntries(purposeIds.map((id, i) => [id, i === 0 || bits[i]!]))),
        members: fc.dictionary(fc.constantFrom('HarvardX', 'MITx'), choice, { maxKeys: 2 }),
        source: fc.constant('banner' as const),
        decidedAt: fc.constant(new Date(Date.UTC(2026, 0, 1)).toISOString()),
      }),
    });
  });

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

  it('decode(encode(d)) equals d under any policy, even one whose purposes share a fingerprint', () => {
    fc.assert(
      fc.property(anyPolicyDecisions, ({ policy, decision }) => {
        expect(decodeDecision(encodeDecision(decision, policy), policy)).toEqual(decision);
        expect(decodeDecision(encodeDecision(decision, policy), policy, true)).toEqual(decision);
      }),
      { numRuns: 500 },
    );
  });

  it('refusals (and Member overrides) outlive any policy edit that keeps the purpose id: added, dropped or reordered purposes', () => {
    const optional = new Set(ids.filter((id) => id !== 'necessary'));
    fc.assert(
      fc.property(decisions, edits, (d, edited) => {
        const value = encodeDecision(d, edxPolicy);
        // Under the edit it binds no more: the learner is asked again, and no grant counts.
        expect(decodeDecision(value, edited)).toBeNull();
        const read = decodeDecision(value, edited, true);
        expect(read?.policy).toEqual({ id: 'edx', version: '2027-01', hash: '' });
        // Each purpose that kept its id reads what the learner refused of it, wherever it moved; a
        // purpose the edit added is never read as granted.
        const refusals = (choices: Readonly<Record<string, boolean>>, got: Readonly<Record<string, boolean>> = {}) => {
          for (const p of edited.purposes)
            if (optional.has(p.id))
              expect([p.id, got[p.id]]).toEqual([p.id, choices[p.id] === false ? false : undefined]);
            else expect([p.id, got[p.id]]).not.toEqual([p.id, !p.required]);
        };
        refusals(d.purposes, read?.purposes);
        expect(Object.keys(read?.members ?? {})).toEqual(Object.keys(d.members));
        for (const [member, choices] of Object.entries(d.members)) refusals(choices, read?.members[member]);
      }),
      { numRuns: 2000 },
    );
    // The case of the report: the platform adds a purpose before marketing, which was refused.
    const d = fc.sample(decisions, 1)[0]!;
    const refused = decodeDecision(
      encodeDecision({ ...d, purposes: { ...d.purposes, analytics: true, marketing: false } }, edxPolicy),
      {
        ...edxPolicy,
        purposes: [
          ...edxPolicy.purposes.slice(0, 4),
          { id: 'surveys', label: 'Surveys', description: 'Asking what you think of a course.' },
          edxPolicy.purposes[4]!,
        ],
      },
      true,
    );
    expect(refused?.purposes.marketing).toBe(false);
    expect(refused?.purposes.analytics).toBeUndefined();
    expect(refused?.purposes.surveys).toBeUndefined();
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
    // Each purpose's fingerprint (so that its refusal outlives policy edits) and two checksums (one
    // outlives a policy version, for the refusals): still under 64 characters.
    expect(plain.length).toBeLessThan(64);
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
      fc.property(refusal, fc.array(mutation, { minLength: 1, maxLength: 3 }), edits, (d, mutations, edited) => {
        let value = encodeDecision(d, edxPolicy);
        const original = value;
        for (const { at, kind, char } of mutations) {
          const i = at % (value.length + 1);
          value =
            kind === 'insert'
              ? value.slice(0, i) + char + value.slice(i)
              : value.slice(0, i) + (kind === 'replace' ? char : '') + value.slice(i + 1);
        }
        if (value === original) return;
        expect(grantsBeyondNecessary(decodeDecision(value, edxPolicy))).toBe(false);
        // Nor read as made under another version or another list of purposes.
        expect(grantsBeyondNecessary(decodeDecision(value, edxPolicy, true))).toBe(false);
        expect(grantsBeyondNecessary(decodeDecision(value, edited, true))).toBe(false);
      }),
      { numRuns: 5000 },
    );
  });

  it('a value dated beyond clock skew in the future grants nothing but keeps its refusals, dated so it outranks no recent choice', () => {
    const d = fc.sample(decisions, 1)[0]!;
    const at = (time: number, decision: Decision = d) =>
      encodeDecision({ ...decision, decidedAt: new Date(time).toISOString() }, edxPolicy);
    // A browser clock a minute ahead of the server's still counts.
    expect(decodeDecision(at(Date.now() + 6e4), edxPolicy)?.purposes).toEqual(d.purposes);
    // A learner whose clock ran ahead refused marketing and analytics (and marketing for HarvardX).
    const refusal: Decision = {
      ...d,
      purposes: { necessary: true, analytics: false, performance: true, functionality: true, marketing: false },
      members: { HarvardX: { marketing: false, performance: true } },
    };
    // Ten minutes, a day, 30 years ahead, and the last time a Date can hold.
    for (const time of [Date.now() + 6e5, Date.now() + 864e5, Date.now() + 1e12, 8.64e15]) {
      // It binds no longer (the learner is asked again) and grants nothing...
      expect(decodeDecision(at(time), edxPolicy)).toBeNull();
      const read = decodeDecision(at(time, refusal), edxPolicy, true);
      expect(read?.policy.hash).toBe('');
      expect(grantsBeyondNecessary(decodeDecision(at(time), edxPolicy, true))).toBe(false);
      // ...but what the learner refused stays refused.
      expect(read?.purposes).toEqual({ analytics: false, marketing: false });
      expect(read?.members).toEqual({ HarvardX: { marketing: false } });
      // Dated five minutes ago: it outlives no real decision and outranks none made since.
      expect(Math.abs(Date.parse(read!.decidedAt) - (Date.now() - 3e5))).toBeLessThan(5e3);
    }
  });

  it('a value made under another policy or version is no decision', () => {
    const d = fc.sample(decisions, 1)[0]!;
    const value = encodeDecision(d, edxPolicy);
    expect(decodeDecision(value, { ...edxPolicy, version: '2027-01' })).toBeNull();
    expect(decodeDecision(value, { ...edxPolicy, id: 'other' })).toBeNull();
  });
});
