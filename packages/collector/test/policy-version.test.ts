import { edxPolicy, policyHash, type ConsentReceipt } from '@optin/consent';
import { createEmailSigner, createEmailVerifier } from '@optin/email';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  backends,
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
const hxKeys = { 'hx-2026': 'harvard-secret-2026-0123456789abcdef-0123' };
const harvard = createEmailSigner({ memberId: 'HarvardX', keys: hxKeys, activeKid: 'hx-2026', baseUrl: 'http://x' });

/** The policy the collector is configured with, as `@optin/consent` stamps a receipt made under it. */
const current = { id: edxPolicy.id, version: edxPolicy.version, hash: policyHash(edxPolicy) };
/** An earlier version of it (another version and hash), and the same version with another text (hash). */
const earlier = { id: edxPolicy.id, version: '2024-01', hash: 'oldhash1' };
const edited = { id: edxPolicy.id, version: edxPolicy.version, hash: 'k3j2' };

const receipt = (subject: string, policy: ConsentReceipt['policy'], analytics: boolean): ConsentReceipt => ({
  subject,
  consentId: mid('c'),
  policy,
  purposes: { necessary: true, functionality: true, performance: true, marketing: true, analytics },
  members: {},
  source: 'banner',
  decidedAt: new Date(Date.now() - 1000).toISOString(),
  gpc: false,
});

describe.each(backends)('a receipt under another version of the policy is no consent ($name)', (backend) => {
  const { skip } = backend;
  const live = useCollector(backend, {
    email: createEmailVerifier({ members: { HarvardX: { keys: hxKeys } } }),
    minLearnersForRates: 0,
  });
  const learners: [string, ConsentReceipt['policy'], boolean][] = [
    ['current-yes', current, true],
    ['current-no', current, false],
    ['earlier-yes', earlier, true],
    ['earlier-no', earlier, false],
    ['edited-yes', edited, true],
  ];

  beforeAll(async () => {
    if (skip) return;
    const seen = learners.map(([anonymousId]) => trackMessage('HarvardX', { anonymousId }));
    expect((await postJson(`${live.url}/v1/batch`, { batch: seen })).body.accepted).toBe(seen.length);
  });

  const openRecorded = (subject: string) => emailOpenRecorded(live.url, harvard, subject);

  it.skipIf(skip)('is stored as the proof it is, and read back as sent', async () => {
    for (const [subject, policy, analytics] of learners) {
      expect((await postJson(`${live.url}/v1/consent`, receipt(subject, policy, analytics))).status, subject).toBe(201);
    }
    const stored = await getJson(`${live.url}/v1/consent?subject=earlier-yes`, bearer(tokens.platform));
    expect(stored.body).toMatchObject({ policy: earlier, purposes: { analytics: true } });
  });

  it.skipIf(skip)("its grant records no email open (kept in aggregate only, as a refusal's)", async () => {
    const aggregate = () => live.collector.metrics.value('email', { kind: 'open', outcome: 'aggregate' });
    expect(await openRecorded('current-yes')).toBe(true);
    const before = aggregate();
    expect(await openRecorded('earlier-yes')).toBe(false);
    expect(await openRecorded('edited-yes')).toBe(false);
    expect(await openRecorded('earlier-no')).toBe(false);
    expect(aggregate()).toBe(before + 3);
  });

  it.skipIf(skip)('rates count its grants in neither granted nor implied, its refusals as refusals', async () => {
    // 5 learners; only current-yes granted analytics under the policy in force. Every one granted
    // marketing, but only the 2 current receipts count.
    const expected = {
      analytics: { granted: 1, implied: 0, total: 5, rate: 1 / 5 },
      marketing: { granted: 2, implied: 0, total: 5, rate: 2 / 5 },
    };
    for (const [path, token] of [
      ['/v1/stats', tokens.platform],
      ['/v1/members/HarvardX/stats', tokens.HarvardX],
    ] as const) {
      const { body } = await getJson(`${live.url}${path}`, bearer(token));
      expect(body.consentRates.analytics, path).toEqual(expected.analytics);
      expect(body.consentRates.marketing, path).toEqual(expected.marketing);
    }
  });
});

describe.each(backends)('in opt-out mode, a receipt under another version of the policy ($name)', (backend) => {
  const { skip } = backend;
  const live = useCollector(backend, {
    email: createEmailVerifier({ members: { HarvardX: { keys: hxKeys } } }),
    minLearnersForRates: 0,
    config: { ...testConfig, collector: { mode: 'opt-out' } },
  });
  const refusedToHarvard = (subject: string) => ({
    ...receipt(subject, earlier, true),
    members: { HarvardX: { analytics: false } },
  });

  beforeAll(async () => {
    if (skip) return;
    const sent = [
      receipt('out-current-yes', current, true),
      receipt('out-current-no', current, false),
      receipt('out-earlier-yes', earlier, true),
      receipt('out-earlier-no', earlier, false),
      refusedToHarvard('out-earlier-harvard-no'),
    ];
    for (const r of sent) expect((await postJson(`${live.url}/v1/consent`, r)).status, r.subject).toBe(201);
  });

  const openRecorded = (subject: string) => emailOpenRecorded(live.url, harvard, subject);

  it.skipIf(skip)("grants what no receipt grants (the mode's default), and its refusals refuse", async () => {
    expect(await openRecorded('out-nobody')).toBe(true);
    expect(await openRecorded('out-current-yes')).toBe(true);
    expect(await openRecorded('out-earlier-yes')).toBe(true);
    expect(await openRecorded('out-current-no')).toBe(false);
    expect(await openRecorded('out-earlier-no')).toBe(false);
    expect(await openRecorded('out-earlier-harvard-no')).toBe(false);
  });

  it.skipIf(skip)('rates count its grants as implied (defaults), never as granted', async () => {
    const { body } = await getJson(`${live.url}/v1/stats`, bearer(tokens.platform));
    // 5 learners: current-yes chose analytics; earlier-yes and earlier-harvard-no (the platform's
    // rates read no Member's overrides) hold it by default only; the two others refused it.
    expect(body.consentRates.analytics).toEqual({ granted: 1, implied: 2, total: 5, rate: 1 / 5 });
    expect(body.consentRates.marketing).toEqual({ granted: 2, implied: 3, total: 5, rate: 2 / 5 });
  });
});

/** A page view stamped as `@optin/analytics` stamps it (`policy: { id, version }`, `hash` when given). */
const stampedView = (
  policy: { id: string; version?: string; hash?: string },
  categoryPreferences: Record<string, boolean>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> => ({
  type: 'page',
  messageId: mid('pv'),
  anonymousId: `pv-${policy.version ?? 'none'}`,
  context: { consent: { policy, categoryPreferences, ...extra }, page: { path: '/courses' } },
});
const grantsAll = { analytics: true, marketing: true, performance: true, functionality: true };

describe.each(backends)('in opt-in mode, an event stamped under another version of the policy ($name)', (backend) => {
  const { skip } = backend;
  const live = useCollector(backend);

  it.skipIf(skip)('is refused as a refusal is: dropped, never stored', async () => {
    const batch = [
      stampedView({ id: edxPolicy.id, version: edxPolicy.version }, grantsAll),
      stampedView(current, grantsAll),
      stampedView(earlier, grantsAll),
      stampedView({ id: edxPolicy.id, version: '2024-01' }, grantsAll),
      stampedView(edited, grantsAll),
      stampedView({ id: edxPolicy.id, version: '2024-01' }, { ...grantsAll, analytics: false }),
    ];
    const res = await postJson(`${live.url}/v1/batch`, { batch });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: 2, duplicates: 0, errors: [] });
    expect(res.body.dropped).toEqual([
      { index: 2, reason: 'policy_mismatch', purpose: 'analytics' },
      { index: 3, reason: 'policy_mismatch', purpose: 'analytics' },
      { index: 4, reason: 'policy_mismatch', purpose: 'analytics' },
      { index: 5, reason: 'purpose_refused', purpose: 'analytics' },
    ]);
    const { body } = await getJson(`${live.url}/v1/events?type=page`, bearer(tokens.platform));
    expect(body.events.map((e: { messageId: string }) => e.messageId).sort()).toEqual(
      [batch[0]!.messageId, batch[1]!.messageId].sort(),
    );
  });
});

describe.each(backends)('in opt-out mode, an event stamped under another version of the policy ($name)', (backend) => {
  const { skip } = backend;
  const live = useCollector(backend, { config: { ...testConfig, collector: { mode: 'opt-out' } } });

  it.skipIf(skip)("is read with the mode's defaults: granted unless refused, GPC's purposes never", async () => {
    const stale = { id: edxPolicy.id, version: '2024-01' };
    const promo = (policy: typeof stale, extra: Record<string, unknown>) => ({
      ...stampedView(policy, grantsAll, extra),
      type: 'track',
      event: 'promo_banner_shown',
    });
    const batch = [
      stampedView(stale, grantsAll),
      stampedView(stale, { analytics: false }),
      // Granted "under GPC" under another version: no explicit choice of this policy, so GPC refuses it.
      promo(stale, { gpc: true }),
      promo({ id: edxPolicy.id, version: edxPolicy.version }, { gpc: true }),
    ];
    const res = await postJson(`${live.url}/v1/batch`, { batch }, { 'sec-gpc': '1' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: 2, duplicates: 0, errors: [] });
    expect(res.body.dropped).toEqual([
      { index: 1, reason: 'purpose_refused', purpose: 'analytics' },
      { index: 2, reason: 'gpc', purpose: 'marketing' },
    ]);
  });
});
