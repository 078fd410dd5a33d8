import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createConsent,
  definePolicy,
  edxPolicy,
  encodeDecision,
  fromCookieHeader,
  policyHash,
  type Decision,
} from '../src/index.js';

const ids = edxPolicy.purposes.map((p) => p.id);
const [necessary, analytics, , , marketing] = edxPolicy.purposes;
/** Earlier versions of the policy: the same purposes, and other ones in another order. */
const earlier = [
  definePolicy({ ...edxPolicy, version: '2026-01' }),
  definePolicy({
    ...edxPolicy,
    version: '2025-09',
    purposes: [necessary!, marketing!, { id: 'surveys', label: 'Surveys', description: 'Surveys.' }, analytics!],
  }),
];

/** One stored copy of a decision: under this policy version or the earlier one, with any flags. */
const copy = fc.record({
  earlier: fc.constantFrom(-1, 0, 1),
  purposes: fc.tuple(...ids.map(() => fc.boolean())),
  secondsAgo: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constant(-86_400)), // or a day ahead
  gpc: fc.boolean(),
  implied: fc.boolean(),
  members: fc.dictionary(
    fc.constantFrom('HarvardX', 'MITx'),
    fc.dictionary(fc.constantFrom(...ids.slice(1)), fc.boolean()),
  ),
});

const encode = (c: typeof copy extends fc.Arbitrary<infer T> ? T : never) => {
  const policy = earlier[c.earlier] ?? edxPolicy;
  const decision: Decision = {
    consentId: 'c1',
    policy: { id: policy.id, version: policy.version, hash: policyHash(policy) },
    purposes: Object.fromEntries(
      policy.purposes.map((p, i) => [p.id, !!p.required || (c.purposes[i] ?? c.purposes[0]!)]),
    ),
    members: c.members,
    source: 'banner',
    decidedAt: new Date(Date.now() - c.secondsAgo * 1000).toISOString(),
    ...(c.gpc && { gpc: true }),
    ...(c.implied && { implied: true }),
  };
  return encodeDecision(decision, policy);
};

describe('fromCookieHeader and the browser’s store', () => {
  it('allow the same purposes, for every Member, from the same cookies, in either mode, with or without GPC', () => {
    fc.assert(
      fc.property(
        fc.array(copy, { maxLength: 3 }),
        fc.constantFrom('opt-in', 'opt-out' as const),
        fc.boolean(),
        (copies, mode, gpc) => {
          const values = copies.map(encode);
          const browser = createConsent({
            policy: edxPolicy,
            mode,
            signals: { gpc },
            storage: { kind: 'cookie', read: () => values, write: () => false, clear: () => {} },
          });
          const server = fromCookieHeader(values.map((v) => `optin=${v}`).join('; '), edxPolicy, { mode, gpc });
          // What a server page allows from it: a purpose the decision does not name takes the mode's
          // default; without a decision, so does every purpose, except what GPC refuses.
          for (const p of edxPolicy.purposes)
            for (const member of [undefined, 'HarvardX', 'MITx']) {
              const allowed = server
                ? !!p.required ||
                  ((server.purposes[p.id] ?? mode === 'opt-out') && server.members[member ?? '']?.[p.id] !== false)
                : !!p.required || (mode === 'opt-out' && !(gpc && p.gpc));
              expect([p.id, member, browser.allows(p.id, member)]).toEqual([p.id, member, allowed]);
            }
        },
      ),
      { numRuns: 1000 },
    );
  }, 60_000);
});
