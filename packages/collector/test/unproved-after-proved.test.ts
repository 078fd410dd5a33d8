import { randomBytes } from 'node:crypto';
import type { ConsentReceipt } from '@optin/consent';
import { createEmailSigner, createEmailVerifier, createSubjectVerifier, sealSubject } from '@optin/email';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  backends,
  type Backend,
  currentPolicy,
  emailOpenRecorded,
  getJson,
  mid,
  postJson,
  testConfig,
  tokens,
  trackMessage,
  useCollector,
} from './helpers.js';

const bearer = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });
const subjectKeys = { 'edx-2026': randomBytes(32).toString('base64') };
const prove = (subject: string) => sealSubject(subject, { keys: subjectKeys, activeKid: 'edx-2026' });
const hxKeys = { 'hx-2026': randomBytes(32).toString('base64') };
const harvard = createEmailSigner({ memberId: 'HarvardX', keys: hxKeys, activeKid: 'hx-2026', baseUrl: 'http://x' });
const all = { analytics: true, performance: true, functionality: true, marketing: true };
/** An earlier version of the configured policy. */
const earlier = { ...currentPolicy, version: '2024-01', hash: 'oldhash1' };

/** A decision of `subject`, `minutesAgo` minutes ago, posted with a valid subject proof or without one. */
type Posted = [subject: string, minutesAgo: number, proved: boolean, choices: Partial<ConsentReceipt>];

const receipt = (subject: string, minutesAgo: number, choices: Partial<ConsentReceipt>): ConsentReceipt => ({
  subject,
  consentId: mid('c'),
  policy: currentPolicy,
  purposes: { necessary: true },
  members: {},
  source: 'banner',
  decidedAt: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
  gpc: false,
  ...choices,
  ...(choices.purposes && { purposes: { necessary: true, ...choices.purposes } }),
});

/** Starts a collector requiring subject proofs and posts each learner's events (HarvardX) and decisions. */
function withDecisions(backend: Backend, mode: 'opt-in' | 'opt-out', posted: Posted[]) {
  const live = useCollector(backend, () => ({
    config: { ...testConfig, collector: { mode } },
    subjectProofs: createSubjectVerifier({ keys: subjectKeys }),
    email: createEmailVerifier({ members: { HarvardX: { keys: hxKeys } } }),
    minLearnersForRates: 0,
  }));
  beforeAll(async () => {
    if (backend.skip) return;
    const learners = [...new Set(posted.map(([subject]) => subject))];
    const batch = learners.map((anonymousId) => trackMessage('HarvardX', { anonymousId }));
    expect((await postJson(`${live.url}/v1/batch`, { batch })).body.accepted).toBe(batch.length);
    for (const [subject, minutesAgo, proved, choices] of posted) {
      const r = receipt(subject, minutesAgo, choices);
      const res = await postJson(`${live.url}/v1/consent`, proved ? { ...r, subjectProof: prove(subject) } : r);
      expect(res.body, subject).toMatchObject({ stored: true, subjectProved: proved });
    }
  });
  return live;
}

describe.each(backends)("an unproved receipt after a learner's proved one only narrows it ($name)", (backend) => {
  const { skip } = backend;
  const live = withDecisions(backend, 'opt-in', [
    // Proved: analytics granted, marketing refused; then a later grant of everything nobody proved.
    ['ada', 3, true, { purposes: { ...all, marketing: false } }],
    ['ada', 2, false, { purposes: all }],
    // Proved: both granted; then a later refusal of analytics from a page that could not prove.
    ['bob', 3, true, { purposes: all }],
    ['bob', 2, false, { purposes: { ...all, analytics: false } }],
    // Proved: both granted; then an unproved refusal to HarvardX (by an alias, another letter case),
    // then an unproved grant of everything: every refusal after the proved decision counts.
    ['cy', 4, true, { purposes: all }],
    ['cy', 3, false, { purposes: all, members: { harvardx: { Statistics: false } } }],
    ['cy', 2, false, { purposes: all }],
    // Only an unproved grant: none, as before.
    ['dee', 2, false, { purposes: all }],
    // Proved refusal, then an unproved grant: still refused.
    ['eve', 3, true, { purposes: { ...all, analytics: false, marketing: false } }],
    ['eve', 2, false, { purposes: all }],
    // A proved grant under an earlier version of the policy (opt-in: no consent), then an unproved grant.
    ['fay', 3, true, { purposes: all, policy: earlier }],
    ['fay', 2, false, { purposes: all }],
  ]);
  const openRecorded = (subject: string) => emailOpenRecorded(live.url, harvard, subject);

  it.skipIf(skip)('GET /v1/consent still answers the latest decision, unproved', async () => {
    const { body } = await getJson(`${live.url}/v1/consent?subject=ada`, bearer(tokens.platform));
    expect(body).toMatchObject({ purposes: all, subjectProved: false });
  });

  it.skipIf(skip)(
    'GET /v1/consent says what is in effect: the proved grants (its receipt), narrowed by every later refusal',
    async () => {
      const inEffect = async (subject: string) =>
        (await getJson(`${live.url}/v1/consent?subject=${subject}`, bearer(tokens.platform))).body.inEffect;
      const granted = (choices: Record<string, boolean>) => ({ necessary: true, ...choices });
      const none = granted({ analytics: false, performance: false, functionality: false, marketing: false });
      // A forged later grant neither widens nor hides the proved decision.
      expect(await inEffect('ada')).toMatchObject({
        receipt: { subjectProvedBy: 'edx-2026', purposes: { marketing: false } },
        purposes: granted({ ...all, marketing: false }),
        members: {},
      });
      // A later refusal without a proof still refuses.
      expect(await inEffect('bob')).toMatchObject({ purposes: granted({ ...all, analytics: false }), members: {} });
      // A later refusal to a Member (its id and the purpose in another spelling) is that Member's, as configured.
      expect(await inEffect('cy')).toMatchObject({
        purposes: granted(all),
        members: { HarvardX: { analytics: false } },
      });
      // Nothing proved: nothing granted.
      expect(await inEffect('dee')).toEqual({ receipt: null, purposes: none, members: {} });
      expect(await inEffect('eve')).toMatchObject({
        purposes: granted({ ...all, analytics: false, marketing: false }),
      });
      // A proved grant of an earlier version of the policy, under opt-in: no consent.
      expect(await inEffect('fay')).toMatchObject({ receipt: { policy: earlier }, purposes: none });
    },
  );

  it.skipIf(skip)(
    "the platform's rates count the proved grants, narrowed by every later unproved refusal",
    async () => {
      const { body } = await getJson(`${live.url}/v1/stats`, bearer(tokens.platform));
      // analytics: ada's and cy's proved grants (bob refused it later; cy's refusal was HarvardX's only).
      expect(body.consentRates.analytics).toEqual({ granted: 2, implied: 0, total: 6, rate: 2 / 6 });
      // marketing: bob's and cy's; ada's proved refusal stays a refusal under a later unproved grant.
      expect(body.consentRates.marketing).toEqual({ granted: 2, implied: 0, total: 6, rate: 2 / 6 });
    },
  );

  it.skipIf(skip)("a Member's rates read the later unproved refusals to it too", async () => {
    const { body } = await getJson(`${live.url}/v1/members/HarvardX/stats`, bearer(tokens.HarvardX));
    expect(body.consentRates.analytics).toEqual({ granted: 1, implied: 0, total: 6, rate: 1 / 6 });
    expect(body.consentRates.marketing).toEqual({ granted: 2, implied: 0, total: 6, rate: 2 / 6 });
  });

  it.skipIf(skip)('an email open is recorded as the proved decision says, narrowed by later refusals', async () => {
    expect(await openRecorded('ada')).toBe(true);
    expect(await openRecorded('bob')).toBe(false);
    expect(await openRecorded('cy')).toBe(false);
    expect(await openRecorded('dee')).toBe(false);
    expect(await openRecorded('eve')).toBe(false);
    expect(await openRecorded('fay')).toBe(false);
  });
});

describe.each(backends)(
  'in opt-out mode, a proved receipt of an earlier policy keeps its reading ($name)',
  (backend) => {
    const { skip } = backend;
    const live = withDecisions(backend, 'opt-out', [
      // Proved under an earlier version (the mode's defaults), then a later unproved grant: defaults.
      ['gil', 3, true, { purposes: all, policy: earlier }],
      ['gil', 2, false, { purposes: all }],
      // The same, then a later unproved refusal of analytics: it narrows the defaults.
      ['hal', 3, true, { purposes: all, policy: earlier }],
      ['hal', 2, false, { purposes: { ...all, analytics: false } }],
      // Proved under the policy in force, then an unproved grant.
      ['ivy', 3, true, { purposes: { ...all, marketing: false } }],
      ['ivy', 2, false, { purposes: all }],
    ]);
    const openRecorded = (subject: string) => emailOpenRecorded(live.url, harvard, subject);

    it.skipIf(skip)('its grants count as the defaults (implied), narrowed by later unproved refusals', async () => {
      const { body } = await getJson(`${live.url}/v1/stats`, bearer(tokens.platform));
      expect(body.consentRates.analytics).toEqual({ granted: 1, implied: 1, total: 3, rate: 1 / 3 });
      expect(body.consentRates.marketing).toEqual({ granted: 0, implied: 2, total: 3, rate: 0 });
    });

    it.skipIf(skip)('GET /v1/consent says what is in effect as that reading says', async () => {
      const purposes = async (subject: string) =>
        (await getJson(`${live.url}/v1/consent?subject=${subject}`, bearer(tokens.platform))).body.inEffect.purposes;
      // The defaults of opt-out (the receipt is of an earlier policy), narrowed by a later refusal.
      expect(await purposes('gil')).toEqual({ necessary: true, ...all });
      expect(await purposes('hal')).toEqual({ necessary: true, ...all, analytics: false });
      expect(await purposes('ivy')).toEqual({ necessary: true, ...all, marketing: false });
    });

    it.skipIf(skip)('an email open is recorded as that reading says', async () => {
      expect(await openRecorded('gil')).toBe(true);
      expect(await openRecorded('hal')).toBe(false);
      expect(await openRecorded('ivy')).toBe(true);
    });
  },
);

describe.each(backends)('an unproved refusal of the instant of a proved grant ($name)', (backend) => {
  const live = useCollector(backend, () => ({
    config: { ...testConfig, collector: { mode: 'opt-in' } },
    subjectProofs: createSubjectVerifier({ keys: subjectKeys }),
  }));

  it.skipIf(backend.skip)('narrows it: acceptAll then rejectAll in one millisecond, the refusal unproved', async () => {
    // The device dates the refusal a millisecond after the grant; both leave in that millisecond (one
    // sentAt, so both are dated by it); the refusal's proof could not be given (it had expired).
    const t = Date.now() - 20;
    const sentAt = new Date(t).toISOString();
    const grant = { ...receipt('jo', 0, { purposes: all }), decidedAt: sentAt, sentAt };
    const refusal = {
      ...receipt('jo', 0, { purposes: { ...all, analytics: false } }),
      consentId: grant.consentId,
      decidedAt: new Date(t + 1).toISOString(),
      sentAt,
    };
    const proved = await postJson(`${live.url}/v1/consent`, { ...grant, subjectProof: prove('jo') });
    expect(proved.body).toMatchObject({ subjectProved: true });
    expect((await postJson(`${live.url}/v1/consent`, refusal)).body).toMatchObject({ subjectProved: false });
    const { body } = await getJson(`${live.url}/v1/consent?subject=jo`, bearer(tokens.platform));
    expect(body).toMatchObject({ purposes: { analytics: false }, inEffect: { purposes: { analytics: false } } });
  });
});
