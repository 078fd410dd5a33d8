import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConsentReceipt } from '@optin/consent';
import { createSubjectVerifier, sealSubject } from '@optin/email';
import {
  allGranted,
  backends,
  currentPolicy,
  getJson,
  mid,
  postJson,
  tokens,
  trackMessage,
  useCollector,
} from './helpers.js';

const bearer = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });
/** How the rates are counted is tested here, over a few learners: no minimum (rates-min-learners.test.ts tests it). */
const noMinimum = { minLearnersForRates: 0 };
const minute = 60_000;

/** A decision of `subject`, `minutesAgo` minutes ago. */
const receipt = (
  subject: string,
  purposes: Record<string, boolean>,
  extra: Partial<ConsentReceipt> = {},
  minutesAgo = 1,
): ConsentReceipt => ({
  subject,
  consentId: mid('c'),
  policy: currentPolicy,
  purposes: { necessary: true, ...purposes },
  members: {},
  source: 'banner',
  decidedAt: new Date(Date.now() - minutesAgo * minute).toISOString(),
  gpc: false,
  ...extra,
});

describe.each(backends)("consent rates: a Member's over the learners seen on its courses ($name)", (backend) => {
  const { skip } = backend;
  const live = useCollector(backend, noMinimum);

  beforeAll(async () => {
    if (skip) return;
    const longAgo = new Date(Date.now() - 40 * 86_400_000).toISOString();
    const batch = [
      // HarvardX's learners in the period: one known by its anonymousId, one by its userId (the
      // subject `sendReceipts` is given once the learner is signed in), one by both, two events each.
      trackMessage('HarvardX', { anonymousId: 'seen-anon' }),
      trackMessage('HarvardX', { anonymousId: 'seen-anon' }),
      trackMessage('HarvardX', { anonymousId: 'device-1', userId: 'seen-user' }),
      trackMessage('HarvardX', { anonymousId: 'seen-both' }),
      trackMessage('HarvardX', { anonymousId: 'device-2', userId: 'seen-both' }),
      trackMessage('HarvardX', { anonymousId: 'seen-implied' }),
      // On HarvardX's courses only before the period.
      trackMessage('HarvardX', { anonymousId: 'seen-long-ago', timestamp: longAgo }),
      // On MITx's courses, and on the platform's own pages.
      trackMessage('MITx', { anonymousId: 'seen-mit' }),
      { type: 'page', messageId: mid(), anonymousId: 'seen-platform', context: { consent: allGranted } },
    ];
    expect((await postJson(`${live.url}/v1/batch`, { batch })).body.accepted).toBe(batch.length);
    const receipts = [
      receipt('seen-anon', { analytics: true, marketing: true }),
      receipt('seen-user', { analytics: true, marketing: true }, { members: { HarvardX: { marketing: false } } }),
      // Granted, then withdrew: the latest decision counts.
      receipt('seen-both', { analytics: true, marketing: true }, {}, 3),
      receipt('seen-both', { analytics: false, marketing: false }, {}, 2),
      // Opt-out defaults carried along: counted apart, never as consent.
      receipt('seen-implied', { analytics: true, marketing: false }, { implied: true }),
      receipt('seen-long-ago', { analytics: true, marketing: true }),
      receipt('seen-mit', { analytics: true, marketing: true }),
      receipt('seen-platform', { analytics: true, marketing: true }),
      receipt('never-seen', { analytics: true, marketing: true }),
      receipt('never-seen-2', { analytics: false, marketing: false }),
    ];
    for (const r of receipts) expect((await postJson(`${live.url}/v1/consent`, r)).status).toBe(201);
  });

  it.skipIf(skip)(
    "a Member's rates count the learners of its own events in the period, never the platform's volume",
    async () => {
      const harvard = await getJson(`${live.url}/v1/members/HarvardX/stats`, bearer(tokens.HarvardX));
      expect(harvard.status).toBe(200);
      expect(harvard.body.consentRates.analytics).toEqual({ granted: 2, implied: 1, total: 4, rate: 0.5 });
      expect(harvard.body.consentRates.marketing).toEqual({ granted: 1, implied: 0, total: 4, rate: 0.25 });
      expect(harvard.body.consentRates.performance).toEqual({ granted: 0, implied: 0, total: 4, rate: 0 });
      // The platform token reading HarvardX reads the same figures.
      expect(
        (await getJson(`${live.url}/v1/members/HarvardX/stats`, bearer(tokens.platform))).body.consentRates,
      ).toEqual(harvard.body.consentRates);
      const mit = await getJson(`${live.url}/v1/members/MITx/stats`, bearer(tokens.MITx));
      expect(mit.body.consentRates.analytics).toEqual({ granted: 1, implied: 0, total: 1, rate: 1 });
      // A period when HarvardX saw only the learner of long ago.
      const then = new Date(Date.now() - 41 * 86_400_000).toISOString();
      const before = new Date(Date.now() - 39 * 86_400_000).toISOString();
      const past = await getJson(
        `${live.url}/v1/members/HarvardX/stats?from=${then}&to=${before}`,
        bearer(tokens.HarvardX),
      );
      // Its receipt was received now, out of that period: nobody's latest decision falls in it.
      expect(past.body.consentRates.analytics).toEqual({ granted: 0, implied: 0, total: 0, rate: 0 });
    },
  );

  it.skipIf(skip)("the platform's rates stay over every learner whose latest decision is in the period", async () => {
    const platform = await getJson(`${live.url}/v1/stats`, bearer(tokens.platform));
    expect(platform.status).toBe(200);
    // Everyone but seen-both (withdrew) and never-seen-2 granted analytics; seen-implied's is implied.
    expect(platform.body.consentRates.analytics).toEqual({ granted: 6, implied: 1, total: 9, rate: 6 / 9 });
    // Member overrides do not narrow the platform's own figures.
    expect(platform.body.consentRates.marketing).toEqual({ granted: 6, implied: 0, total: 9, rate: 6 / 9 });
  });
});

describe.each(backends)("consent rates: a Member's overrides under its id in any letter case ($name)", (backend) => {
  const { skip } = backend;
  const live = useCollector(backend, noMinimum);

  beforeAll(async () => {
    if (skip) return;
    const learners = [
      'plain',
      'lower',
      'both-spellings',
      'upper',
      'lower-grant',
      'other-member',
      'implied',
      'implied-lower',
    ];
    const batch = learners.map((anonymousId) => trackMessage('HarvardX', { anonymousId }));
    expect((await postJson(`${live.url}/v1/batch`, { batch })).body.accepted).toBe(batch.length);
    const granted = { analytics: true, marketing: true };
    const receipts = [
      receipt('plain', granted),
      receipt('lower', granted, { members: { harvardx: { analytics: false } } }),
      // A refusal under any spelling wins over a grant under another.
      receipt('both-spellings', granted, {
        members: { HarvardX: { analytics: true }, HARVARDX: { analytics: false } },
      }),
      receipt('upper', granted, { members: { HARVARDX: { marketing: false } } }),
      // An override can only narrow: a grant under it is the purpose's grant.
      receipt('lower-grant', granted, { members: { harvardx: { analytics: true } } }),
      receipt('other-member', granted, { members: { mitx: { analytics: false }, MITx: { marketing: false } } }),
      receipt('implied', granted, { implied: true }),
      receipt('implied-lower', granted, { implied: true, members: { harvardX: { analytics: false } } }),
    ];
    for (const r of receipts) expect((await postJson(`${live.url}/v1/consent`, r)).status).toBe(201);
  });

  it.skipIf(skip)('a refusal to HarvardX under harvardx, HARVARDX or beside a grant is a refusal', async () => {
    const harvard = await getJson(`${live.url}/v1/members/HarvardX/stats`, bearer(tokens.HarvardX));
    expect(harvard.status).toBe(200);
    // Granted: plain, upper, lower-grant, other-member (lower and both-spellings refused it; the
    // implied ones are counted apart, implied-lower's refusal counting as one).
    expect(harvard.body.consentRates.analytics).toEqual({ granted: 4, implied: 1, total: 8, rate: 0.5 });
    // Granted: all but upper (refused to HarvardX) and the implied ones.
    expect(harvard.body.consentRates.marketing).toEqual({ granted: 5, implied: 2, total: 8, rate: 5 / 8 });
    // The platform's rates read no Member's overrides.
    const platform = await getJson(`${live.url}/v1/stats`, bearer(tokens.platform));
    expect(platform.body.consentRates.analytics).toEqual({ granted: 6, implied: 2, total: 8, rate: 6 / 8 });
  });
});

describe.each(backends)(
  "consent rates read an override's purposes as events do: any letter case, aliases, refusal winning ($name)",
  (backend) => {
    const { skip } = backend;
    const live = useCollector(backend, noMinimum);
    // Each learner's overrides, and the purposes they refuse to HarvardX (as the event path reads them).
    const cases: { learner: string; members: ConsentReceipt['members']; refuses: string[] }[] = [
      { learner: 'plain', members: {}, refuses: [] },
      { learner: 'capital', members: { HarvardX: { Analytics: false } }, refuses: ['analytics'] },
      { learner: 'upper', members: { harvardx: { MARKETING: false } }, refuses: ['marketing'] },
      { learner: 'alias', members: { HarvardX: { advertising: false } }, refuses: ['marketing'] },
      { learner: 'alias-capital', members: { HARVARDX: { Statistics: false } }, refuses: ['analytics'] },
      { learner: 'disagree', members: { HarvardX: { marketing: true, Targeting: false } }, refuses: ['marketing'] },
      { learner: 'disagree-2', members: { HarvardX: { analytics: false, ANALYTICS: true } }, refuses: ['analytics'] },
      // A Kelvin sign, which JavaScript's toLowerCase (and so the event path) reads as `k`.
      { learner: 'kelvin', members: { HarvardX: { 'MAR\u212AETING': false } }, refuses: ['marketing'] },
      { learner: 'grants', members: { HarvardX: { Analytics: true, 'Targeting Cookies': true } }, refuses: [] },
      { learner: 'other-member', members: { MITx: { Analytics: false, ADVERTISING: false } }, refuses: [] },
    ];
    /** A HarvardX event needing `purpose`, with consent granting everything but `members`. */
    const event = (anonymousId: string, purpose: 'analytics' | 'marketing', members: ConsentReceipt['members']) => {
      const message = trackMessage('HarvardX', { anonymousId });
      if (purpose === 'marketing') message.event = 'campaign.banner_viewed';
      message.context = { ...(message.context as object), consent: { ...allGranted, members } };
      return message;
    };

    beforeAll(async () => {
      if (skip) return;
      // Every learner seen on HarvardX's courses (an event without overrides).
      const seen = cases.map((c) => trackMessage('HarvardX', { anonymousId: c.learner }));
      expect((await postJson(`${live.url}/v1/batch`, { batch: seen })).body.accepted).toBe(seen.length);
      const granted = { analytics: true, marketing: true };
      for (const c of cases)
        expect(
          (await postJson(`${live.url}/v1/consent`, receipt(c.learner, granted, { members: c.members }))).status,
        ).toBe(201);
    });

    it.skipIf(skip)(
      'the event path keeps from HarvardX what each override refuses (the reading rates must share)',
      async () => {
        for (const c of cases) {
          const batch = [event(c.learner, 'analytics', c.members), event(c.learner, 'marketing', c.members)];
          const res = await postJson(`${live.url}/v1/batch`, { batch });
          // Granted to the platform: stored, for the platform alone where refused to HarvardX.
          expect(res.body, c.learner).toMatchObject({ accepted: 2, dropped: [] });
          const harvard = await getJson(
            `${live.url}/v1/members/HarvardX/events?anonymousId=${encodeURIComponent(c.learner)}&limit=1000`,
            bearer(tokens.HarvardX),
          );
          const kept = new Set((harvard.body.events as { messageId: string }[]).map((e) => e.messageId));
          const refused = (['analytics', 'marketing'] as const).filter(
            (_, i) => !kept.has(batch[i]?.messageId as string),
          );
          expect(refused, c.learner).toEqual(c.refuses);
        }
      },
    );

    it.skipIf(skip)("HarvardX's rates count each refusal under any spelling, as the events did", async () => {
      const harvard = await getJson(`${live.url}/v1/members/HarvardX/stats`, bearer(tokens.HarvardX));
      expect(harvard.status).toBe(200);
      const refusing = (purpose: string) => cases.filter((c) => c.refuses.includes(purpose)).length;
      const total = cases.length;
      // Refused: capital, alias-capital, disagree-2.
      expect(refusing('analytics')).toBe(3);
      expect(harvard.body.consentRates.analytics).toEqual({ granted: total - 3, implied: 0, total, rate: 7 / 10 });
      // Refused: upper, alias, disagree, kelvin.
      expect(refusing('marketing')).toBe(4);
      expect(harvard.body.consentRates.marketing).toEqual({ granted: total - 4, implied: 0, total, rate: 6 / 10 });
      // The platform's rates read no Member's overrides.
      const platform = await getJson(`${live.url}/v1/stats`, bearer(tokens.platform));
      expect(platform.body.consentRates.analytics).toEqual({ granted: total, implied: 0, total, rate: 1 });
    });
  },
);

describe.each(backends)(
  "consent rates read a receipt's own purposes as its overrides and events' choices: any letter case, aliases, refusal winning ($name)",
  (backend) => {
    const { skip } = backend;
    const live = useCollector(backend, noMinimum);
    // Each learner's choices, and the purposes they grant (as the event path reads them).
    const cases: { learner: string; purposes: Record<string, boolean>; grants: string[] }[] = [
      { learner: 'plain', purposes: { analytics: true, marketing: true }, grants: ['analytics', 'marketing'] },
      { learner: 'capital', purposes: { Analytics: true, MARKETING: true }, grants: ['analytics', 'marketing'] },
      { learner: 'alias', purposes: { Statistics: true, advertising: true }, grants: ['analytics', 'marketing'] },
      { learner: 'disagree', purposes: { analytics: true, Analytics: false, marketing: true }, grants: ['marketing'] },
      {
        learner: 'alias-refusal',
        purposes: { analytics: true, marketing: true, Targeting: false },
        grants: ['analytics'],
      },
      // A Kelvin sign, which JavaScript's toLowerCase (and so the event path) reads as `k`.
      { learner: 'kelvin', purposes: { analytics: true, 'MAR\u212AETING': true }, grants: ['analytics', 'marketing'] },
      { learner: 'refuses', purposes: { Analytics: false, marketing: false }, grants: [] },
    ];
    /** A HarvardX event needing `purpose`, with consent choosing `purposes`. */
    const event = (anonymousId: string, purpose: 'analytics' | 'marketing', purposes: Record<string, boolean>) => {
      const message = trackMessage('HarvardX', { anonymousId });
      if (purpose === 'marketing') message.event = 'campaign.banner_viewed';
      message.context = {
        ...(message.context as object),
        consent: { policy: 'edx', categoryPreferences: { necessary: true, ...purposes } },
      };
      return message;
    };

    beforeAll(async () => {
      if (skip) return;
      const seen = cases.map((c) => trackMessage('HarvardX', { anonymousId: c.learner }));
      expect((await postJson(`${live.url}/v1/batch`, { batch: seen })).body.accepted).toBe(seen.length);
      for (const c of cases)
        expect((await postJson(`${live.url}/v1/consent`, receipt(c.learner, c.purposes))).status).toBe(201);
    });

    it.skipIf(skip)('the event path stores what each grants (the reading rates must share)', async () => {
      for (const c of cases) {
        const batch = [event(c.learner, 'analytics', c.purposes), event(c.learner, 'marketing', c.purposes)];
        const res = await postJson(`${live.url}/v1/batch`, { batch });
        const dropped = new Set((res.body.dropped as { purpose: string }[]).map((d) => d.purpose));
        expect(
          ['analytics', 'marketing'].filter((p) => !dropped.has(p)),
          c.learner,
        ).toEqual(c.grants);
      }
    });

    it.skipIf(skip)('the platform’s and a Member’s rates count each grant and refusal under any spelling', async () => {
      const total = cases.length;
      const granting = (purpose: string) => cases.filter((c) => c.grants.includes(purpose)).length;
      // Granted: plain, capital, alias, alias-refusal, kelvin.
      expect(granting('analytics')).toBe(5);
      // Granted: plain, capital, alias, disagree, kelvin.
      expect(granting('marketing')).toBe(5);
      for (const [path, token] of [
        ['/v1/stats', tokens.platform],
        ['/v1/members/HarvardX/stats', tokens.HarvardX],
      ] as const) {
        const stats = await getJson(`${live.url}${path}`, bearer(token));
        expect(stats.status).toBe(200);
        expect(stats.body.consentRates.analytics, path).toEqual({ granted: 5, implied: 0, total, rate: 5 / total });
        expect(stats.body.consentRates.marketing, path).toEqual({ granted: 5, implied: 0, total, rate: 5 / total });
      }
    });
  },
);

describe.each(backends)('consent rates when subjects must be proved ($name)', (backend) => {
  const { skip } = backend;
  const keys = { 'edx-2026': randomBytes(32).toString('base64') };
  const prove = (subject: string) => sealSubject(subject, { keys, activeKid: 'edx-2026' });
  const live = useCollector(backend, { ...noMinimum, subjectProofs: createSubjectVerifier({ keys }) });

  beforeAll(async () => {
    if (skip) return;
    const seen = ['proved-grant', 'unproved-grant', 'unproved-refusal', 'forged', 'proved-implied', 'unproved-implied'];
    const batch = seen.map((anonymousId) => trackMessage('HarvardX', { anonymousId }));
    expect((await postJson(`${live.url}/v1/batch`, { batch })).body.accepted).toBe(batch.length);
    const granted = { analytics: true, marketing: false };
    const refused = { analytics: false, marketing: false };
    const receipts: [ConsentReceipt, boolean][] = [
      [receipt('proved-grant', granted), true],
      [receipt('unproved-grant', granted), false],
      [receipt('unproved-refusal', refused), false],
      // A proved refusal, then a later grant nobody proved: the latest decision grants nothing.
      [receipt('forged', refused, {}, 3), true],
      [receipt('forged', granted, {}, 2), false],
      [receipt('proved-implied', granted, { implied: true }), true],
      [receipt('unproved-implied', granted, { implied: true }), false],
      [receipt('never-seen-unproved', granted), false],
      [receipt('never-seen-proved', granted), true],
    ];
    for (const [r, proved] of receipts) {
      const res = await postJson(`${live.url}/v1/consent`, proved ? { ...r, subjectProof: prove(r.subject) } : r);
      expect(res.body).toMatchObject({ stored: true, subjectProved: proved });
    }
  });

  it.skipIf(skip)(
    "an unproved receipt's grants count in neither granted nor implied, its learner in total",
    async () => {
      const harvard = await getJson(`${live.url}/v1/members/HarvardX/stats`, bearer(tokens.HarvardX));
      expect(harvard.status).toBe(200);
      expect(harvard.body.consentRates.analytics).toEqual({ granted: 1, implied: 1, total: 6, rate: 1 / 6 });
      const platform = await getJson(`${live.url}/v1/stats`, bearer(tokens.platform));
      expect(platform.body.consentRates.analytics).toEqual({ granted: 2, implied: 1, total: 8, rate: 2 / 8 });
    },
  );
});

describe.each(backends)('stats under a policy with no purpose to choose ($name)', (backend) => {
  const { skip } = backend;
  // Only `necessary`, always granted: no purpose has a rate, and the rest of the stats still answers.
  const policy = {
    id: 'edx',
    version: '2026-11',
    purposes: [{ id: 'necessary', label: 'Necessary', description: 'Keeps the site working.', required: true }],
  };
  const live = useCollector(backend, () => ({
    config: {
      policy,
      members: [
        { id: 'HarvardX', orgs: ['HarvardX'] },
        { id: 'MITx', orgs: ['MITx'] },
      ],
    },
  }));

  it.skipIf(skip)("answers a Member's and the platform's stats, with no consent rates", async () => {
    for (const [path, token] of [
      ['/v1/members/HarvardX/stats', tokens.HarvardX],
      ['/v1/stats', tokens.platform],
    ] as const) {
      const res = await getJson(`${live.url}${path}`, bearer(token));
      expect(res.status, path).toBe(200);
      expect(res.body.consentRates, path).toEqual({});
    }
  });
});
