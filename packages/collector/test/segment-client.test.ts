import { Analytics } from '@segment/analytics-node';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../src/stored-event.js';
import { allGranted, backends, getJson, tokens, trackMessage, useCollector } from './helpers.js';

const safari =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15';

describe.each(backends)('@segment/analytics-node sends to the collector ($name)', (backend) => {
  const { skip } = backend;
  const live = useCollector(backend, { requireWriteKey: true });

  it.skipIf(skip)("a browser's write key does not let it choose the stored IP address", async () => {
    const post = (headers: Record<string, string>, anonymousId: string) =>
      fetch(`${live.url}/v1/track`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from(`${tokens.writeKey}:`).toString('base64')}`,
          ...headers,
        },
        body: JSON.stringify({
          ...trackMessage('HarvardX', { anonymousId }),
          context: { ...(trackMessage().context as object), ip: '203.0.113.77' },
        }),
      });
    expect((await post({ origin: 'https://www.edx.org' }, 'from-browser')).status).toBe(200);
    expect((await post({}, 'from-server')).status).toBe(200);
    const ipOf = async (anonymousId: string) => {
      const res = await getJson(`${live.url}/v1/members/HarvardX/events?anonymousId=${anonymousId}`, {
        authorization: `Bearer ${tokens.platform}`,
      });
      return (res.body.events as StoredEvent[])[0]?.ip;
    };
    expect(await ipOf('from-browser')).toBe('127.0.0.0');
    expect(await ipOf('from-server')).toBe('203.0.113.0');
  });

  it.skipIf(skip)('track, page and identify land enriched', async () => {
    const analytics = new Analytics({ writeKey: tokens.writeKey, host: live.url, flushAt: 3, maxRetries: 0 });
    const errors: unknown[] = [];
    analytics.on('error', (e) => errors.push(e));
    const context = {
      consent: allGranted,
      course: { id: 'course-v1:HarvardX+CS50+2026_T1' },
      userAgent: safari,
      ip: '203.0.113.77',
    };
    analytics.track({
      anonymousId: 'seg-anon',
      event: 'edx.ui.lms.link_clicked',
      properties: { target_url: 'https://www.edx.org/' },
      context,
    });
    analytics.page({
      anonymousId: 'seg-anon',
      name: 'Course home',
      properties: { path: '/learning/course/x' },
      context: {
        ...context,
        page: {
          path: '/learning/course/x',
          url: 'https://learning.edx.org/learning/course/x',
          referrer: 'https://www.bing.com/',
        },
      },
    });
    analytics.identify({ userId: 'learner-7', traits: { plan: 'verified' }, context });
    await analytics.closeAndFlush();
    expect(errors).toEqual([]);

    const res = await getJson(`${live.url}/v1/members/HarvardX/events?anonymousId=seg-anon`, {
      authorization: `Bearer ${tokens.HarvardX}`,
    });
    const events = res.body.events as StoredEvent[];
    expect(events.map((e) => e.type).sort()).toEqual(['page', 'track']);
    for (const e of events)
      expect(e).toMatchObject({
        browser: 'Safari',
        os: 'Mac OS',
        deviceType: 'desktop',
        ip: '203.0.113.0',
        memberId: 'HarvardX',
      });
    expect(events.find((e) => e.type === 'page')).toMatchObject({
      referrerClass: 'search',
      path: '/learning/course/x',
    });
    expect(events[0]!.context).toHaveProperty('library');
    const identify = await getJson(`${live.url}/v1/members/HarvardX/events?userId=learner-7&type=identify`, {
      authorization: `Bearer ${tokens.platform}`,
    });
    expect(identify.body.events[0]).toMatchObject({ type: 'identify', properties: { plan: 'verified' } });
  });

  it.skipIf(skip)("events without context.userAgent are not bots for the library's own User-Agent", async () => {
    // Segment's libraries name themselves in the request's User-Agent (`analytics-node-next/latest`,
    // `analytics-kotlin/1.x`, `analytics-ios/…`): that is the sender, not the learner's device.
    const analytics = new Analytics({ writeKey: tokens.writeKey, host: live.url, flushAt: 2, maxRetries: 0 });
    const errors: unknown[] = [];
    analytics.on('error', (e) => errors.push(e));
    const context = { consent: allGranted, course: { id: 'course-v1:HarvardX+Server+2026' } };
    analytics.page({ anonymousId: 'server-side', name: 'Dashboard', context: { ...context, page: { path: '/srv' } } });
    analytics.track({ anonymousId: 'server-side', event: 'edx.ui.lms.link_clicked', context });
    await analytics.closeAndFlush();
    expect(errors).toEqual([]);
    const res = await getJson(`${live.url}/v1/members/HarvardX/events?anonymousId=server-side`, {
      authorization: `Bearer ${tokens.HarvardX}`,
    });
    const events = res.body.events as StoredEvent[];
    expect(events).toHaveLength(2);
    for (const e of events) expect(e).toMatchObject({ isBot: false, deviceType: null, browser: null });
    // Posted as a native app's library does (its own User-Agent, the write key), the same.
    const native = await fetch(`${live.url}/v1/b`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'analytics-kotlin/1.16.3',
        authorization: `Basic ${Buffer.from(`${tokens.writeKey}:`).toString('base64')}`,
      },
      body: JSON.stringify({
        batch: [{ type: 'screen', name: 'Course', anonymousId: 'native-app', messageId: `n-${Date.now()}`, context }],
      }),
    });
    expect(native.status).toBe(200);
    const app = await getJson(`${live.url}/v1/members/HarvardX/events?anonymousId=native-app`, {
      authorization: `Bearer ${tokens.HarvardX}`,
    });
    expect(app.body.events[0]).toMatchObject({ isBot: false });
    // And they count as the learners' page views.
    const stats = await getJson(`${live.url}/v1/members/HarvardX/stats`, {
      authorization: `Bearer ${tokens.HarvardX}`,
    });
    expect(stats.body.topPages).toContainEqual({ path: '/srv', views: 1 });
  });

  it.skipIf(skip)('refuses the client when its write key is wrong (requireWriteKey)', async () => {
    const analytics = new Analytics({ writeKey: 'wrong-key', host: live.url, flushAt: 1, maxRetries: 0 });
    const errors: unknown[] = [];
    analytics.on('error', (e) => errors.push(e));
    analytics.track({ anonymousId: 'x', event: 'edx.ui.lms.link_clicked', context: { consent: allGranted } });
    await analytics.closeAndFlush();
    expect(errors.length).toBe(1);
  });
});
