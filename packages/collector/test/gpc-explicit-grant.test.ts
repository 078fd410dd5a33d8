import { describe, expect, it } from 'vitest';
import { allGranted, backends, getJson, mid, postJson, testConfig, tokens, useCollector } from './helpers.js';

const gpcOn = { 'sec-gpc': '1' };

/** A marketing `track` (its name calls for marketing) on a platform page, with `consent` as stamped. */
const promo = (consent: Record<string, unknown>): Record<string, unknown> => ({
  type: 'track',
  event: 'edx.bi.marketing.promo_banner_clicked',
  messageId: mid('gpc'),
  anonymousId: 'gpc-learner',
  properties: { banner: 'holiday' },
  context: { consent, page: { path: '/', url: 'https://www.edx.org/' } },
});

/** What @optin/analytics stamps once the learner granted marketing in the preferences while GPC was on. */
const grantedUnderGpc = { ...allGranted, gpc: true };

describe.each(backends)('Sec-GPC: 1 and an explicit grant made under GPC ($name)', (backend) => {
  const { skip } = backend;
  const live = useCollector(backend);

  it.skipIf(skip)(
    'stores marketing the learner granted while GPC was on (`context.consent.gpc: true`), and only that',
    async () => {
      const explicit = promo(grantedUnderGpc);
      const unstamped = promo(allGranted);
      const stampedRefused = promo({
        ...grantedUnderGpc,
        categoryPreferences: { ...allGranted.categoryPreferences, marketing: false },
      });
      const stampedSilent = promo({ gpc: true, categoryPreferences: { analytics: true } });
      const stampedFalse = promo({ ...allGranted, gpc: false });
      const before = live.collector.metrics.value('dropped_consent', { reason: 'gpc', purpose: 'marketing' });
      const res = await postJson(
        `${live.url}/v1/batch`,
        { batch: [explicit, unstamped, stampedRefused, stampedSilent, stampedFalse] },
        gpcOn,
      );
      expect(res.status).toBe(200);
      expect(res.body.errors).toEqual([]);
      expect(res.body.accepted).toBe(1);
      expect(res.body.dropped).toEqual([1, 2, 3, 4].map((index) => ({ index, reason: 'gpc', purpose: 'marketing' })));
      expect(live.collector.metrics.value('dropped_consent', { reason: 'gpc', purpose: 'marketing' })).toBe(before + 4);
      const stored = await live.storage.hasEvents(
        [explicit, unstamped, stampedRefused, stampedSilent, stampedFalse].map((m) => m.messageId as string),
      );
      expect([...stored]).toEqual([explicit.messageId]);
    },
  );

  it.skipIf(skip)("still applies the Member's overrides to an explicit grant under GPC", async () => {
    const onMITx = (members: Record<string, Record<string, boolean>>): Record<string, unknown> => {
      const message = promo({ ...grantedUnderGpc, members });
      return {
        ...message,
        context: { ...(message.context as object), course: { id: 'course-v1:MITx+6.00x+2026_T1' } },
      };
    };
    const otherMember = onMITx({ HarvardX: { marketing: false } });
    const refusedToMITx = onMITx({ MITx: { marketing: false } });
    const res = await postJson(`${live.url}/v1/batch`, { batch: [otherMember, refusedToMITx] }, gpcOn);
    expect((res.body.dropped as { reason: string }[]).filter((d) => d.reason === 'gpc')).toEqual([]);
    const mit = await getJson(`${live.url}/v1/members/MITx/events?anonymousId=gpc-learner&limit=1000`, {
      authorization: `Bearer ${tokens.MITx}`,
    });
    expect((mit.body.events as { messageId: string }[]).map((e) => e.messageId)).toEqual([otherMember.messageId]);
  });

  it.skipIf(skip)(
    "keeps a device's advertising id under GPC only with marketing granted explicitly while GPC was on",
    async () => {
      const device = { advertisingId: '38400000-8cf0-11bd-b23e-10b96e40000d', model: 'Pixel 8' };
      const screen = (consent: Record<string, unknown>) => ({
        type: 'screen',
        name: 'Dashboard',
        anonymousId: 'gpc-app',
        messageId: mid('gpc-app'),
        context: { consent, device },
      });
      const explicit = screen(grantedUnderGpc);
      const unstamped = screen(allGranted);
      for (const m of [explicit, unstamped])
        expect((await postJson(`${live.url}/v1/screen`, m, gpcOn)).body).toMatchObject({ accepted: 1 });
      const page = await getJson(`${live.url}/v1/events?anonymousId=gpc-app&limit=1000`, {
        authorization: `Bearer ${tokens.platform}`,
      });
      const deviceOf = (m: { messageId: string }) =>
        (page.body.events as { messageId: string; context: { device?: unknown } }[]).find(
          (e) => e.messageId === m.messageId,
        )?.context.device;
      expect(deviceOf(explicit)).toEqual(device);
      expect(deviceOf(unstamped)).toEqual({ model: 'Pixel 8' });
    },
  );

  it.skipIf(skip)(
    'reads a `context.consent.gpc` that is not `true` as no stamp: the message is kept, GPC still refuses',
    async () => {
      // Another sender's stamp ("1", 1, null): a page view needs no marketing, and is not lost for it.
      const view = (gpc: unknown) => ({
        type: 'page',
        messageId: mid('gpc-view'),
        anonymousId: 'gpc-learner',
        context: { consent: { ...allGranted, gpc }, page: { path: '/', url: 'https://www.edx.org/' } },
      });
      const views = ['1', 1, null, 'yes'].map(view);
      const res = await postJson(
        `${live.url}/v1/batch`,
        { batch: [...views, promo({ ...allGranted, gpc: 'yes' })] },
        gpcOn,
      );
      expect(res.status).toBe(200);
      expect(res.body.errors).toEqual([]);
      expect(res.body.accepted).toBe(4);
      expect(res.body.dropped).toEqual([{ index: 4, reason: 'gpc', purpose: 'marketing' }]);
    },
  );
});

describe.each(backends)('Sec-GPC: 1 under opt-out mode ($name)', (backend) => {
  const { skip } = backend;
  const live = useCollector(backend, { config: { ...testConfig, collector: { mode: 'opt-out' } } });

  it.skipIf(skip)('grants marketing under GPC only where the stamp grants it, never by default', async () => {
    const explicit = promo(grantedUnderGpc);
    const silent = promo({ gpc: true, categoryPreferences: { analytics: true } });
    const none = promo(allGranted);
    delete (none.context as { consent?: unknown }).consent;
    const res = await postJson(`${live.url}/v1/batch`, { batch: [explicit, silent, none] }, gpcOn);
    expect(res.body.accepted).toBe(1);
    expect(res.body.dropped).toEqual([1, 2].map((index) => ({ index, reason: 'gpc', purpose: 'marketing' })));
    // Without GPC, opt-out grants what is not refused.
    expect(
      (await postJson(`${live.url}/v1/track`, promo({ categoryPreferences: { analytics: true } }))).body,
    ).toMatchObject({ accepted: 1 });
  });
});
