import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveCredentials } from '../src/credentials.js';
import type { Collector } from '../src/collector.js';
import {
  backends,
  getJson,
  learnerPageView,
  postJson,
  refusalDecision,
  startCollector,
  testConfig,
  tokens,
  type MemberOverrides,
  type TestStore,
} from './helpers.js';

const bearer = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });
const chrome =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';

/** A run of HarvardX's org, HarvardX's when the events were stored, MITx's after the config's edit. */
const moved = 'course-v1:HarvardX+Moved+2026';
/** A course of an org no Member had when the events were stored; NewX's after the edit. */
const newCourse = 'course-v1:NewX+Intro+2026';

/** The config the events were stored under: HarvardX's org, MITx's. */
const before = testConfig;
/** The config after the edit: the run moved to MITx, NewX added. */
const after = {
  ...testConfig,
  members: [
    { id: 'HarvardX', orgs: ['HarvardX'] },
    { id: 'MITx', orgs: ['MITx', 'MITxT'], courses: [moved] },
    { id: 'NewX', orgs: ['NewX'] },
  ],
};
const newxToken = 'newx-secret-token';
const afterCredentials = resolveCredentials(after, {
  OPTIN_PLATFORM_TOKEN: tokens.platform,
  OPTIN_TOKEN_HARVARDX: tokens.HarvardX,
  OPTIN_TOKEN_MITX: tokens.MITx,
  OPTIN_TOKEN_NEWX: newxToken,
  OPTIN_METRICS_TOKEN: tokens.metrics,
});

const refusesHarvardX = { HarvardX: { analytics: false } };
const learners: { id: string; members: MemberOverrides; course: string }[] = [
  // HarvardX's learners when stored: two granting it, three refusing it (two on the run that moves).
  { id: 'hx-granter-1', members: {}, course: moved },
  { id: 'hx-granter-2', members: {}, course: moved },
  { id: 'hx-refuser-moved-1', members: refusesHarvardX, course: moved },
  { id: 'hx-refuser-moved-2', members: refusesHarvardX, course: moved },
  { id: 'hx-refuser-stays', members: refusesHarvardX, course: 'course-v1:HarvardX+CS50+2026_T1' },
  // MITx's: one granting it.
  { id: 'mit-granter', members: {}, course: 'course-v1:MITx+6.00x+2026_T1' },
  // Seen on NewX's course before NewX was a Member: edX's events, one of them refusing NewX already.
  { id: 'newx-early-visitor', members: {}, course: newCourse },
  { id: 'newx-early-refuser', members: { NewX: { analytics: false } }, course: newCourse },
];

type Rates = { granted: number; implied: number; total: number; rate: number } | null;

describe.each(backends)("a Member's consent rates after its courses move to another Member ($name)", (backend) => {
  const { skip } = backend;
  let store: TestStore | undefined;
  const running: Collector[] = [];
  let first = '';
  let edited = '';
  let period = '';

  /** The analytics rates `member` (reading with `token`) has for the closed period, from the collector at `url`. */
  const analytics = async (url: string, member: string, token: string): Promise<Rates> => {
    const res = await getJson(`${url}/v1/members/${member}/stats?${period}`, bearer(token));
    expect(res.status).toBe(200);
    return (res.body.consentRates as Record<string, Rates> | null)?.analytics ?? null;
  };

  beforeAll(async () => {
    if (skip) return;
    store = backend.open();
    const from = new Date(Date.now() - 60_000).toISOString();
    // The events are stored under the config of then.
    const stored = await startCollector(store.storage, { config: before, minLearnersForRates: 1 });
    running.push(stored.collector);
    first = stored.url;
    for (const l of learners)
      expect((await postJson(`${first}/v1/consent`, refusalDecision(l.id, l.members))).status).toBe(201);
    const batch = learners.map((l) => learnerPageView(l.id, l.members, { id: l.course }));
    const answer = await postJson(`${first}/v1/batch`, { batch }, { 'user-agent': chrome });
    expect(answer.body).toMatchObject({ accepted: learners.length, dropped: [] });
    // A period that is over: every event and receipt of it has arrived.
    const to = new Date(Date.now() + 1).toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));
    period = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
    // The same database read under the edited config.
    const read = await startCollector(store.storage, {
      config: after,
      credentials: afterCredentials,
      minLearnersForRates: 1,
    });
    running.push(read.collector);
    edited = read.url;
  });
  afterAll(async () => {
    for (const c of running.reverse()) await c.close();
    await store?.dispose();
  });

  it.skipIf(skip)(
    'the Member the learners refused keeps them as refusers when the run moves to another Member',
    async () => {
      const stored = await analytics(first, 'HarvardX', tokens.HarvardX);
      expect(stored).toEqual({ granted: 2, implied: 0, total: 5, rate: 0.4 });
      expect(await analytics(edited, 'HarvardX', tokens.HarvardX)).toEqual(stored);
      expect(await analytics(edited, 'HarvardX', tokens.platform)).toEqual(stored);
    },
  );

  it.skipIf(skip)('the Member the run moved to does not gain them, as learners granting it', async () => {
    const stored = await analytics(first, 'MITx', tokens.MITx);
    expect(stored).toEqual({ granted: 1, implied: 0, total: 1, rate: 1 });
    expect(await analytics(edited, 'MITx', tokens.MITx)).toEqual(stored);
  });

  it.skipIf(skip)('a Member added later has no learners in a period before it owned the org', async () => {
    const res = await getJson(`${edited}/v1/members/NewX/stats?${period}`, bearer(newxToken));
    expect(res.status).toBe(200);
    expect(res.body.consentRates).toBeNull();
    expect(res.body.consentRatesWithheld).toEqual({ reason: 'too_few_learners', minLearners: 1 });
  });
});
