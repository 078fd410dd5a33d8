import { describe, expect, it } from 'vitest';
import type { ConsentReceipt } from '@optin/consent';
import { createSubjectVerifier, sealSubject } from '@optin/email';
import { parseCollectorConfig } from '../src/collector-config.js';
import { createCollector } from '../src/collector.js';
import { CollectorError } from '../src/errors.js';
import { SqliteStorage } from '../src/sqlite-storage.js';
import {
  backends,
  currentPolicy,
  getJson,
  mid,
  postJson,
  testConfig,
  testCredentials,
  tokens,
  trackMessage,
  useCollector,
} from './helpers.js';

const bearer = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });

/** A decision of `subject` granting analytics or not (marketing refused), now. */
const decision = (subject: string, analytics: boolean): ConsentReceipt => ({
  subject,
  consentId: mid('c'),
  policy: currentPolicy,
  purposes: { necessary: true, analytics, marketing: false },
  members: {},
  source: 'banner',
  decidedAt: new Date().toISOString(),
  gpc: false,
});

/** Posts an event of `org` naming each learner, and each learner's decision. */
async function seen(url: string, org: string, learners: readonly string[], analytics = true): Promise<void> {
  const batch = learners.map((anonymousId) => trackMessage(org, { anonymousId }));
  expect((await postJson(`${url}/v1/batch`, { batch })).body.accepted).toBe(batch.length);
  for (const learner of learners)
    expect((await postJson(`${url}/v1/consent`, decision(learner, analytics))).status).toBe(201);
}

const learners = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

const withheld = (minLearners: number) => ({ reason: 'too_few_learners', minLearners });

describe.each(backends)(
  "a Member's consent rates are withheld below the minimum of learners, 10 by default ($name)",
  (backend) => {
    const { skip } = backend;
    const live = useCollector(backend);

    it.skipIf(skip)('one learner: no rates (not that learner’s choices), the rest of the stats answered', async () => {
      await seen(live.url, 'MITx', ['only-learner']);
      for (const token of [tokens.MITx, tokens.platform]) {
        const mit = await getJson(`${live.url}/v1/members/MITx/stats`, bearer(token));
        expect(mit.status).toBe(200);
        expect(mit.body.consentRates).toBeNull();
        expect(mit.body.consentRatesWithheld).toEqual(withheld(10));
        // The rest of the stats is answered (the test client is counted as a bot: no clicks).
        expect(mit.body).toMatchObject({ member: 'MITx', clicks: 0, emailOpens: 0, pageViewsPerDay: [] });
      }
    });

    it.skipIf(skip)('nine learners withheld, ten answered; the platform’s own rates never withheld', async () => {
      await seen(live.url, 'HarvardX', learners('h', 9));
      const nine = await getJson(`${live.url}/v1/members/HarvardX/stats`, bearer(tokens.HarvardX));
      expect(nine.body.consentRates).toBeNull();
      expect(nine.body.consentRatesWithheld).toEqual(withheld(10));
      // The platform holds every receipt: its own figures are not thresholded (here 10 learners).
      const platform = await getJson(`${live.url}/v1/stats`, bearer(tokens.platform));
      expect(platform.body.consentRates.analytics).toEqual({ granted: 10, implied: 0, total: 10, rate: 1 });
      expect(platform.body.consentRatesWithheld).toBeNull();

      await seen(live.url, 'HarvardX', ['h-9'], false);
      const ten = await getJson(`${live.url}/v1/members/HarvardX/stats`, bearer(tokens.HarvardX));
      expect(ten.body.consentRates.analytics).toEqual({ granted: 9, implied: 0, total: 10, rate: 0.9 });
      expect(ten.body.consentRatesWithheld).toBeNull();
    });

    it.skipIf(skip)('a period with no learner is withheld too', async () => {
      const past = await getJson(
        `${live.url}/v1/members/HarvardX/stats?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z`,
        bearer(tokens.HarvardX),
      );
      expect(past.status).toBe(200);
      expect(past.body.consentRates).toBeNull();
      expect(past.body.consentRatesWithheld).toEqual(withheld(10));
    });
  },
);

describe.each(backends)('the minimum from the config, collector.minLearnersForRates ($name)', (backend) => {
  const { skip } = backend;
  const live = useCollector(backend, {
    config: { ...testConfig, collector: { minLearnersForRates: 3 } },
  });

  it.skipIf(skip)('two learners withheld, three answered', async () => {
    await seen(live.url, 'HarvardX', ['a', 'b']);
    const two = await getJson(`${live.url}/v1/members/HarvardX/stats`, bearer(tokens.HarvardX));
    expect(two.body.consentRates).toBeNull();
    expect(two.body.consentRatesWithheld).toEqual(withheld(3));
    await seen(live.url, 'HarvardX', ['c']);
    const three = await getJson(`${live.url}/v1/members/HarvardX/stats`, bearer(tokens.HarvardX));
    expect(three.body.consentRates.analytics).toEqual({ granted: 3, implied: 0, total: 3, rate: 1 });
  });
});

describe.each(backends)('the minimum given to createCollector wins over the config ($name)', (backend) => {
  const { skip } = backend;
  const live = useCollector(backend, {
    config: { ...testConfig, collector: { minLearnersForRates: 50 } },
    minLearnersForRates: 2,
  });

  it.skipIf(skip)('two learners answered', async () => {
    await seen(live.url, 'HarvardX', ['a', 'b']);
    const two = await getJson(`${live.url}/v1/members/HarvardX/stats`, bearer(tokens.HarvardX));
    expect(two.body.consentRates.analytics).toEqual({ granted: 2, implied: 0, total: 2, rate: 1 });
  });
});

describe.each(backends)(
  'an event posted now does not change the learners of a closed period (differencing) ($name)',
  (backend) => {
    const { skip } = backend;
    const live = useCollector(backend, { minLearnersForRates: 2 });

    it.skipIf(skip)('a back-dated event naming a learner leaves the period’s rates as they were', async () => {
      const start = new Date(Date.now() - 60_000).toISOString();
      await seen(live.url, 'HarvardX', ['a', 'b']);
      // The target decided in the period, seen by MITx only.
      await seen(live.url, 'MITx', ['target'], false);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const end = new Date().toISOString();
      await new Promise((resolve) => setTimeout(resolve, 20));
      const period = `${live.url}/v1/members/HarvardX/stats?from=${start}&to=${end}`;
      const before = await getJson(period, bearer(tokens.HarvardX));
      expect(before.body.consentRates.analytics).toEqual({ granted: 2, implied: 0, total: 2, rate: 1 });
      // HarvardX posts an event naming the target, its client time inside the closed period.
      const inside = new Date(Date.parse(end) - 10_000).toISOString();
      const planted = trackMessage('HarvardX', { anonymousId: 'target', timestamp: inside });
      expect((await postJson(`${live.url}/v1/batch`, { batch: [planted] })).body.accepted).toBe(1);
      // The event is stored, at its client time, among HarvardX's events of the period.
      const events = await getJson(period.replace('/stats?', '/events?'), bearer(tokens.HarvardX));
      expect(events.body.events.map((e: { anonymousId: string }) => e.anonymousId)).toContain('target');
      // But it arrived after the period: the target's choice is not added to the rates.
      const after = await getJson(period, bearer(tokens.HarvardX));
      expect(after.body.consentRates).toEqual(before.body.consentRates);
    });
  },
);

describe.each(backends)(
  'with subject proofs required, only proved learners count toward the minimum (padding) ($name)',
  (backend) => {
    const { skip } = backend;
    const keys = { 'edx-2026': 'platform-subject-key-0123456789abcdef-0123' };
    const live = useCollector(backend, { subjectProofs: createSubjectVerifier({ keys }) });
    const prove = (subject: string) => sealSubject(subject, { keys, activeKid: 'edx-2026' });

    it.skipIf(skip)('nine made-up learners do not reveal the one real learner’s choice', async () => {
      // The real learner, proved by the platform, refuses analytics.
      expect(
        (await postJson(`${live.url}/v1/batch`, { batch: [trackMessage('HarvardX', { anonymousId: 'real' })] })).status,
      ).toBe(200);
      const real = await postJson(`${live.url}/v1/consent`, {
        ...decision('real', false),
        subjectProof: prove('real'),
      });
      expect(real.body).toMatchObject({ stored: true });
      // A Member (no credentials needed) pads the period with nine learners of its own making.
      await seen(live.url, 'HarvardX', learners('fake', 9), false);
      const padded = await getJson(`${live.url}/v1/members/HarvardX/stats`, bearer(tokens.HarvardX));
      expect(padded.body.consentRates).toBeNull();
      expect(padded.body.consentRatesWithheld).toEqual(withheld(10));
      expect(JSON.stringify(padded.body)).not.toContain('provedLearners');

      // Ten proved learners: answered (the made-up ones still count in the rates themselves).
      const proved = learners('p', 9);
      expect(
        (
          await postJson(`${live.url}/v1/batch`, {
            batch: proved.map((anonymousId) => trackMessage('HarvardX', { anonymousId })),
          })
        ).body.accepted,
      ).toBe(9);
      for (const learner of proved)
        expect(
          (await postJson(`${live.url}/v1/consent`, { ...decision(learner, true), subjectProof: prove(learner) }))
            .status,
        ).toBe(201);
      const ten = await getJson(`${live.url}/v1/members/HarvardX/stats`, bearer(tokens.HarvardX));
      expect(ten.body.consentRatesWithheld).toBeNull();
      expect(ten.body.consentRates.analytics).toEqual({ granted: 9, implied: 0, total: 19, rate: 9 / 19 });
      expect(JSON.stringify(ten.body)).not.toContain('provedLearners');
    });
  },
);

describe('minLearnersForRates is checked', () => {
  it.each([[-1], [1.5], ['10'], [10_000_001]])('config collector.minLearnersForRates = %j: invalid_config', (v) => {
    let error: unknown;
    try {
      parseCollectorConfig({ ...testConfig, collector: { minLearnersForRates: v } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CollectorError);
    expect((error as CollectorError).code).toBe('invalid_config');
    expect((error as CollectorError).issues.map((i) => i.path)).toEqual(['collector.minLearnersForRates']);
  });

  it('a misspelt key is named with the setting it is closest to', () => {
    expect(() => parseCollectorConfig({ ...testConfig, collector: { minLearnerForRates: 5 } })).toThrow(
      /collector\.minLearnerForRates: not a collector setting; did you mean "minLearnersForRates"\?/,
    );
  });

  it.each([[-1], [2.5], [Number.NaN]])('createCollector({ minLearnersForRates: %j }): invalid_option', async (v) => {
    const storage = new SqliteStorage(':memory:');
    try {
      const started = createCollector({
        config: testConfig,
        credentials: testCredentials,
        storage,
        minLearnersForRates: v,
      });
      await expect(started).rejects.toMatchObject({
        code: 'invalid_option',
        issues: [{ path: 'minLearnersForRates' }],
      });
    } finally {
      await storage.close();
    }
  });
});
