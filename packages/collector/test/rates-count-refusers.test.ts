import { beforeAll, describe, expect, it } from 'vitest';
import {
  backends,
  getJson,
  learnerPageView,
  postJson,
  refusalDecision,
  testConfig,
  tokens,
  useCollector,
  type MemberOverrides,
} from './helpers.js';

const bearer = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });
const chrome =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';

/** A run of HarvardX's org that MITx lists in its `courses`: MITx's, not HarvardX's. */
const jointRun = 'course-v1:HarvardX+Joint+2026';
const config = {
  ...testConfig,
  members: [
    { id: 'HarvardX', orgs: ['HarvardX'] },
    { id: 'MITx', orgs: ['MITx', 'MITxT'], courses: [jointRun] },
  ],
};

const refusesHarvardX = { HarvardX: { analytics: false } };
const learners: { id: string; members: MemberOverrides; course: Record<string, string> | undefined }[] = [
  // Two learners granting HarvardX: its own events name them.
  { id: 'hx-granter-1', members: {}, course: { id: 'course-v1:HarvardX+CS50+2026_T1' } },
  { id: 'hx-granter-2', members: {}, course: { id: 'course-v1:HarvardX+CS50+2026_T1' } },
  // Three refusing HarvardX analytics: their page views are edX's alone, on a run, a CCX and by org.
  { id: 'hx-refuser-run', members: refusesHarvardX, course: { id: 'course-v1:HarvardX+CS50+2026_T1' } },
  { id: 'hx-refuser-ccx', members: refusesHarvardX, course: { id: 'ccx-v1:HarvardX+CS50+2026_T1+ccx@3' } },
  { id: 'hx-refuser-org', members: { harvardx: { Statistics: false } }, course: { org: 'harvardx' } },
  // Three granting MITx, and one refusing it on the run MITx lists under HarvardX's org: MITx's
  // learner, never HarvardX's.
  ...[1, 2, 3].map((n) => ({ id: `mit-granter-${n}`, members: {}, course: { id: 'course-v1:MITx+6.00x+2026_T1' } })),
  { id: 'joint-refuser', members: { MITx: { analytics: false } }, course: { id: jointRun } },
  // Seen on no Member's course.
  { id: 'platform-visitor', members: refusesHarvardX, course: undefined },
];

describe.each(backends)("a Member's consent rates count the learners who refused it ($name)", (backend) => {
  const { skip } = backend;
  // Four learners at least: HarvardX's two granters alone were too few.
  const live = useCollector(backend, { config, minLearnersForRates: 4 });

  beforeAll(async () => {
    if (skip) return;
    for (const l of learners)
      expect((await postJson(`${live.url}/v1/consent`, refusalDecision(l.id, l.members))).status).toBe(201);
    const batch = learners.map((l) => learnerPageView(l.id, l.members, l.course));
    const answer = await postJson(`${live.url}/v1/batch`, { batch }, { 'user-agent': chrome });
    expect(answer.body).toMatchObject({ accepted: learners.length, dropped: [] });
  });

  it.skipIf(skip)(
    'its learners are those its events name and those named by its courses’ events kept from it, the refusers not granting',
    async () => {
      for (const token of [tokens.HarvardX, tokens.platform]) {
        const harvard = await getJson(`${live.url}/v1/members/HarvardX/stats`, bearer(token));
        expect(harvard.status).toBe(200);
        expect(harvard.body.consentRatesWithheld).toBeNull();
        expect(harvard.body.consentRates.analytics).toEqual({ granted: 2, implied: 0, total: 5, rate: 0.4 });
        expect(harvard.body.consentRates.marketing).toEqual({ granted: 0, implied: 0, total: 5, rate: 0 });
        // Counted in the rates only: their page views are still none of HarvardX's.
        expect((harvard.body.pageViewsPerDay as { views: number }[]).reduce((n, d) => n + d.views, 0)).toBe(2);
      }
      const events = await getJson(`${live.url}/v1/members/HarvardX/events?limit=1000`, bearer(tokens.HarvardX));
      expect((events.body.events as { anonymousId: string }[]).map((e) => e.anonymousId).sort()).toEqual([
        'hx-granter-1',
        'hx-granter-2',
      ]);
    },
  );

  it.skipIf(skip)('a run a Member lists under another org is that Member’s, its refusers too', async () => {
    const mit = await getJson(`${live.url}/v1/members/MITx/stats`, bearer(tokens.MITx));
    expect(mit.status).toBe(200);
    expect(mit.body.consentRatesWithheld).toBeNull();
    expect(mit.body.consentRates.analytics).toEqual({ granted: 3, implied: 0, total: 4, rate: 0.75 });
  });
});
