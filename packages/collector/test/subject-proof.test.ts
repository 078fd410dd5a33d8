import { randomBytes } from 'node:crypto';
import type { ConsentReceipt } from '@optin/consent';
import { createEmailSigner, createEmailVerifier, sealSubject } from '@optin/email';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollector, CollectorError, SqliteStorage } from '../src/index.js';
import {
  backends,
  emailOpenRecorded,
  getJson,
  postJson,
  receipt,
  testConfig,
  testCredentials,
  tokens,
  useCollector,
} from './helpers.js';

// The platform's subject keys: 'edx-2025' retired from signing but still verifying (rotation).
const subjectSecrets = {
  'edx-2025': randomBytes(32).toString('base64'),
  'edx-2026': randomBytes(32).toString('base64'),
};
const env = {
  OPTIN_TEST_SUBJECT_2025: subjectSecrets['edx-2025'],
  OPTIN_TEST_SUBJECT_2026: subjectSecrets['edx-2026'],
};
const config = {
  ...testConfig,
  collector: { subjectKeys: { 'edx-2025': 'env:OPTIN_TEST_SUBJECT_2025', 'edx-2026': 'env:OPTIN_TEST_SUBJECT_2026' } },
};
const prove = (subject: string, kid: 'edx-2025' | 'edx-2026' = 'edx-2026') =>
  sealSubject(subject, { keys: { [kid]: subjectSecrets[kid] }, activeKid: kid });

const hxKeys = { 'hx-2026': randomBytes(32).toString('base64') };
const harvard = createEmailSigner({ memberId: 'HarvardX', keys: hxKeys, activeKid: 'hx-2026', baseUrl: 'http://x' });

describe.each(backends)('receipts must prove their subject ($name, real HTTP)', (backend) => {
  const { skip } = backend;
  beforeAll(() => Object.assign(process.env, env));
  afterAll(() => Object.keys(env).forEach((name) => Reflect.deleteProperty(process.env, name)));
  // The subject keys come from the config and the environment, as in production.
  const live = useCollector(backend, () => ({
    config,
    email: createEmailVerifier({ members: { HarvardX: { keys: hxKeys } } }),
  }));

  const post = (r: ConsentReceipt, subjectProof?: unknown) =>
    postJson(`${live.url}/v1/consent`, subjectProof === undefined ? r : { ...r, subjectProof });
  const latest = async (subject: string) =>
    (
      await getJson(`${live.url}/v1/consent?subject=${encodeURIComponent(subject)}`, {
        authorization: `Bearer ${tokens.platform}`,
      })
    ).body;
  const openRecorded = (subject: string) => emailOpenRecorded(live.url, harvard, subject);

  it.skipIf(skip)(
    "a forged later grant (no proof, another subject's proof, a wrong key's) never records the learner's opens",
    async () => {
      expect((await post(receipt('ada', false), prove('ada'))).body).toEqual({ stored: true, subjectProved: true });
      expect(await openRecorded('ada')).toBe(false);
      const forgeries: [unknown, string][] = [
        [undefined, 'missing'],
        [prove('mallory'), 'bad_signature'],
        [
          sealSubject('ada', { keys: { 'edx-2026': randomBytes(32).toString('base64') }, activeKid: 'edx-2026' }),
          'bad_signature',
        ],
        [
          sealSubject('ada', { keys: { 'edx-2027': randomBytes(32).toString('base64') }, activeKid: 'edx-2027' }),
          'unknown_kid',
        ],
        ['not-a-proof', 'malformed'],
        [42, 'malformed'],
      ];
      for (const [i, [proof, reason]] of forgeries.entries()) {
        // Each later than the last (a time ahead is taken as the arrival's): stored as evidence, answered as unproved.
        const res = await post(receipt('ada', true, 60_000 + i * 1000), proof);
        expect(res).toEqual({ status: 201, body: { stored: true, subjectProved: false, reason } });
        expect(await latest('ada')).toMatchObject({ purposes: { analytics: true }, subjectProved: false });
        expect(await openRecorded('ada')).toBe(false);
      }
      expect(live.collector.metrics.value('receipts', { subject: 'bad_signature' })).toBe(2);
    },
  );

  it.skipIf(skip)(
    'a proved grant records them, under the active and the retired key alike; a later refusal needs no proof',
    async () => {
      await post(receipt('grace', false), prove('grace'));
      expect(await openRecorded('grace')).toBe(false);
      expect((await post(receipt('grace', true, 1000), prove('grace', 'edx-2025'))).body.subjectProved).toBe(true);
      expect(await latest('grace')).toMatchObject({
        purposes: { analytics: true },
        subjectProved: true,
        subjectProvedBy: 'edx-2025',
      });
      expect(await openRecorded('grace')).toBe(true);
      await post(receipt('grace', false, 2000));
      expect(await openRecorded('grace')).toBe(false);
      await post(receipt('grace', true, 3000), prove('grace', 'edx-2026'));
      expect(await openRecorded('grace')).toBe(true);
    },
  );

  it.skipIf(skip)(
    "a fast clock's decision sent proved after a later decision stays before it (its stored copy's time)",
    async () => {
      const fast = { ...receipt('ida', true), decidedAt: new Date(Date.now() + 10 * 60_000).toISOString() };
      expect((await post(fast)).body).toEqual({ stored: true, subjectProved: false, reason: 'missing' });
      await new Promise((resolve) => setTimeout(resolve, 20));
      const refusal = receipt('ida', false);
      expect((await post(refusal, prove('ida'))).body).toEqual({ stored: true, subjectProved: true });
      await new Promise((resolve) => setTimeout(resolve, 20));
      // The first decision again, proved (another tab's copy): still the earlier decision.
      expect((await post(fast, prove('ida'))).body).toEqual({ stored: true, subjectProved: true });
      expect(await latest('ida')).toMatchObject({ consentId: refusal.consentId, purposes: { analytics: false } });
      expect(await openRecorded('ida')).toBe(false);
    },
  );

  it.skipIf(skip)(
    'a decision sent unproved, then proved, is kept proved: in the answer, the latest receipt and email',
    async () => {
      const decision = receipt('hedy', true);
      expect((await post(decision)).body).toEqual({ stored: true, subjectProved: false, reason: 'missing' });
      expect(await openRecorded('hedy')).toBe(false);
      // Another tab's copy, or a retry, with its proof.
      expect((await post(decision, prove('hedy'))).body).toEqual({ stored: true, subjectProved: true });
      expect(await latest('hedy')).toMatchObject({ subjectProved: true, subjectProvedBy: 'edx-2026' });
      expect(await openRecorded('hedy')).toBe(true);
      // An unproved copy after it changes nothing, and the answer says what is stored.
      expect((await post(decision)).body).toEqual({ stored: true, subjectProved: true });
      expect((await post(decision, prove('mallory'))).body).toEqual({ stored: true, subjectProved: true });
      expect(await latest('hedy')).toMatchObject({ subjectProved: true, subjectProvedBy: 'edx-2026' });
      expect(await openRecorded('hedy')).toBe(true);
      // Sent proved first: the unproved copy never displaces it either.
      const other = receipt('hopper', true);
      expect((await post(other, prove('hopper', 'edx-2025'))).body).toEqual({ stored: true, subjectProved: true });
      expect((await post(other)).body).toEqual({ stored: true, subjectProved: true });
      expect(await latest('hopper')).toMatchObject({ subjectProved: true, subjectProvedBy: 'edx-2025' });
      expect(await openRecorded('hopper')).toBe(true);
    },
  );

  it.skipIf(skip)(
    "an unproved grant is no consent for a subject with no other receipt, nor takes another's place",
    async () => {
      await post(receipt('linus', true));
      expect(await latest('linus')).toMatchObject({ subjectProved: false });
      expect(await openRecorded('linus')).toBe(false);
    },
  );
});

describe.each(backends)('in opt-out mode, an unproved receipt never widens ($name)', (backend) => {
  const { skip } = backend;
  beforeAll(() => Object.assign(process.env, env));
  afterAll(() => Object.keys(env).forEach((name) => Reflect.deleteProperty(process.env, name)));
  const live = useCollector(backend, () => ({
    config: { ...config, collector: { ...config.collector, mode: 'opt-out' as const } },
    email: createEmailVerifier({ members: { HarvardX: { keys: hxKeys } } }),
    minLearnersForRates: 0,
  }));
  const post = (r: ConsentReceipt, subjectProof?: unknown) =>
    postJson(`${live.url}/v1/consent`, subjectProof === undefined ? r : { ...r, subjectProof });
  /** A receipt made under an earlier version of the configured policy. */
  const earlier = (r: ConsentReceipt): ConsentReceipt => ({
    ...r,
    policy: { ...r.policy, version: '2024-01', hash: 'oldhash1' },
  });
  const openRecorded = (subject: string) => emailOpenRecorded(live.url, harvard, subject);

  it.skipIf(skip)(
    "a forged later grant, of this policy or an earlier one, does not undo a learner's proved refusal",
    async () => {
      expect((await post(receipt('ana', false), prove('ana'))).body.subjectProved).toBe(true);
      expect((await post(receipt('bea', false), prove('bea'))).body.subjectProved).toBe(true);
      expect(await openRecorded('ana')).toBe(false);
      // Posted by anyone, without a proof: stored, and later than the learner's refusal.
      expect((await post(receipt('ana', true, 60_000))).body.subjectProved).toBe(false);
      expect((await post(earlier(receipt('bea', true, 60_000)))).body.subjectProved).toBe(false);
      // Its grants are not counted as the mode's defaults in the rates: in neither granted nor implied.
      const { body } = await getJson(`${live.url}/v1/stats`, { authorization: `Bearer ${tokens.platform}` });
      expect(body.consentRates.analytics).toEqual({ granted: 0, implied: 0, total: 2, rate: 0 });
      expect(await openRecorded('ana')).toBe(false);
      expect(await openRecorded('bea')).toBe(false);
    },
  );
});

describe('subject keys in the config', () => {
  const start = (collector: object, env: Record<string, string>, members: object[] = testConfig.members) => {
    Object.assign(process.env, env);
    return createCollector({
      config: { ...testConfig, members, collector },
      credentials: testCredentials,
      storage: new SqliteStorage(':memory:'),
    }).finally(() => Object.keys(env).forEach((name) => Reflect.deleteProperty(process.env, name)));
  };
  const secret = randomBytes(32).toString('base64');

  it('refuse to start when a key is not set, is too short, or is also a Member email key', async () => {
    await expect(start({ subjectKeys: { k1: 'env:OPTIN_TEST_SUBJECT_UNSET' } }, {})).rejects.toMatchObject({
      code: 'missing_secret',
      issues: [{ path: 'collector.subjectKeys.k1' }],
    });
    await expect(
      start({ subjectKeys: { k1: 'env:OPTIN_TEST_SUBJECT_SHORT' } }, { OPTIN_TEST_SUBJECT_SHORT: 'short' }),
    ).rejects.toMatchObject({
      code: 'invalid_config',
      issues: [{ path: 'collector.subjectKeys.k1' }],
    });
    const shared = start(
      { subjectKeys: { k1: 'env:OPTIN_TEST_SUBJECT_SHARED' } },
      { OPTIN_TEST_SUBJECT_SHARED: secret, OPTIN_EMAIL_HARVARDX_HX_1: secret },
      [{ id: 'HarvardX', orgs: ['HarvardX'], email: { keyId: 'hx-1' } }],
    );
    const error = await shared.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CollectorError);
    expect(error).toMatchObject({ code: 'invalid_config', issues: [{ path: 'collector.subjectKeys.k1' }] });
    const { issues } = error as CollectorError;
    expect(issues[0]?.message).toContain('members[0].email.keys.hx-1');
    expect(JSON.stringify(issues) + (error as Error).message).not.toContain(secret);
  });
});
