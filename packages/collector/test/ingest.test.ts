import { describe, expect, it } from 'vitest';
import {
  allGranted,
  backends,
  type Body,
  getJson,
  mid,
  postJson,
  tokens,
  trackMessage,
  useCollector,
} from './helpers.js';

const basic = (key: string): string => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

describe.each(backends)('ingestion over HTTP ($name)', (backend) => {
  const { skip } = backend;
  const live = useCollector(backend);
  /** Whether HarvardX's events (read with its token) hold each of `messages`, all of one `anonymousId`. */
  const harvardXHas = async (messages: readonly Record<string, unknown>[]): Promise<boolean[]> => {
    const learner = encodeURIComponent(messages[0]?.anonymousId as string);
    const res = await getJson(`${live.url}/v1/members/HarvardX/events?limit=1000&anonymousId=${learner}`, {
      authorization: `Bearer ${tokens.HarvardX}`,
    });
    const ids = new Set((res.body.events as { messageId: string }[]).map((e) => e.messageId));
    return messages.map((m) => ids.has(m.messageId as string));
  };
  /** A course page of `anonymousId` with `context` and `properties`, marketing granted or not. */
  const clickIdPage = (
    anonymousId: string,
    context: Record<string, unknown>,
    properties: Record<string, unknown> = {},
    marketing = false,
  ): Body => ({
    type: 'page',
    name: 'Course',
    anonymousId,
    messageId: mid(),
    properties,
    context: {
      consent: { categoryPreferences: { analytics: true, marketing } },
      course: { id: 'course-v1:HarvardX+CS50+2026_T1' },
      ...context,
    },
  });
  /** `batch` (of one `anonymousId`) posted and all accepted, then each message's event as the platform and HarvardX read it. */
  const storedBoth = async (batch: readonly Body[]): Promise<[Body[], Body[]]> => {
    expect((await postJson(`${live.url}/v1/batch`, { batch })).body).toMatchObject({ accepted: batch.length });
    const learner = encodeURIComponent(batch[0]?.anonymousId as string);
    const platform = await getJson(`${live.url}/v1/events?anonymousId=${learner}&limit=1000`, {
      authorization: `Bearer ${tokens.platform}`,
    });
    const member = await getJson(`${live.url}/v1/members/HarvardX/events?anonymousId=${learner}&limit=1000`, {
      authorization: `Bearer ${tokens.HarvardX}`,
    });
    const storedIn = (events: Body[]): Body[] => batch.map((m) => events.find((e) => e.messageId === m.messageId));
    return [storedIn(platform.body.events), storedIn(member.body.events)];
  };

  it.skipIf(skip)('accepts a batch of track, page, screen and identify and stores each once', async () => {
    const batch = [
      trackMessage(),
      {
        type: 'page',
        name: 'Course',
        messageId: mid(),
        anonymousId: 'a',
        context: { consent: allGranted, page: { path: '/courses', url: 'https://www.edx.org/courses' } },
      },
      { type: 'screen', name: 'Dashboard', messageId: mid(), userId: 42, context: { consent: allGranted } },
      {
        type: 'identify',
        messageId: mid(),
        userId: 'u-1',
        traits: { plan: 'verified' },
        context: { consent: allGranted },
      },
    ];
    const res = await postJson(`${live.url}/v1/batch`, { batch });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, accepted: 4, duplicates: 0, dropped: [], errors: [] });
    const found = await live.storage.hasEvents(batch.map((m) => m.messageId as string));
    expect(found.size).toBe(4);
  });

  it.skipIf(skip)(
    'takes the null and empty ids of classic analytics.js and RudderStack as absent (an anonymous visitor)',
    async () => {
      // Classic analytics.js sends `"userId": null` until identify, and `page()` its `name` and
      // `category` as null; RudderStack's JavaScript SDK sends `"userId": ""`.
      const classic = {
        ...trackMessage('HarvardX', { anonymousId: 'classic-ajs' }),
        userId: null,
      };
      const page = {
        type: 'page',
        name: null,
        category: null,
        userId: null,
        anonymousId: 'classic-ajs',
        messageId: mid(),
        context: { consent: allGranted, page: { path: '/dashboard' }, course: { id: 'course-v1:HarvardX+CS50+2026' } },
      };
      const rudder = { ...trackMessage('HarvardX', { anonymousId: 'rudder-js' }), userId: '' };
      const sent: Record<string, unknown>[] = [classic, page, rudder];
      const res = await postJson(`${live.url}/v1/batch`, { batch: sent });
      expect(res.body).toMatchObject({ accepted: 3, errors: [] });
      const events = await getJson(`${live.url}/v1/members/HarvardX/events?limit=1000`, {
        authorization: `Bearer ${tokens.HarvardX}`,
      });
      const stored = (events.body.events as { messageId: string; userId: unknown; event: unknown }[]).filter((e) =>
        sent.some((m) => m.messageId === e.messageId),
      );
      expect(stored.map((e) => [e.userId, e.event])).toEqual([
        [null, 'edx.ui.lms.link_clicked'],
        [null, null],
        [null, 'edx.ui.lms.link_clicked'],
      ]);
      // Still, a message needs an id: a null or empty userId alone names nobody.
      const nobody = await postJson(`${live.url}/v1/track`, { ...trackMessage(), anonymousId: undefined, userId: '' });
      expect(nobody.body.errors).toEqual([
        { index: 0, path: 'anonymousId', message: 'either anonymousId or userId is required' },
      ]);
    },
  );

  it.skipIf(skip)('answers retries idempotently: the same messageId is stored once', async () => {
    const message = trackMessage();
    const first = await postJson(`${live.url}/v1/track`, message);
    const again = await postJson(`${live.url}/v1/batch`, { batch: [message, message] });
    expect(first.body).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 2 });
    // A client that stamps its retry anew sends the same message: by messageId, it is one.
    const restamped = { ...message, timestamp: new Date(Date.now() + 1000).toISOString() };
    const unstamped = { ...message, timestamp: undefined };
    const fresh = trackMessage();
    const both = await postJson(`${live.url}/v1/batch`, {
      batch: [restamped, fresh, { ...fresh, timestamp: undefined }],
    });
    expect(both.body).toMatchObject({ accepted: 1, duplicates: 2 });
    expect((await postJson(`${live.url}/v1/track`, unstamped)).body).toMatchObject({ accepted: 0, duplicates: 1 });
  });

  it.skipIf(skip)('returns each invalid message with its index and path and accepts the valid rest', async () => {
    const good = trackMessage();
    const res = await postJson(`${live.url}/v1/batch`, {
      batch: [
        { ...trackMessage(), event: 42 },
        good,
        'not an object',
        { ...trackMessage(), anonymousId: undefined },
        { ...trackMessage(), context: { consent: { categoryPreferences: { analytics: 'yes' } } } },
        { ...trackMessage(), timestamp: '2026-13-45' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(1);
    const errors = res.body.errors as { index: number; path: string }[];
    expect(errors.map((e) => e.index)).toEqual([0, 2, 3, 4, 5]);
    expect(errors.find((e) => e.index === 0)?.path).toBe('batch[0].event');
    expect(errors.find((e) => e.index === 4)?.path).toBe('batch[4].context.consent.categoryPreferences.analytics');
    expect(errors.find((e) => e.index === 5)?.path).toBe('batch[5].timestamp');
  });

  it.skipIf(skip)('answers 400 when no message is valid, and 400 for invalid JSON', async () => {
    const none = await postJson(`${live.url}/v1/track`, { event: 'x' });
    expect(none.status).toBe(400);
    expect(none.body.errors[0]).toMatchObject({ index: 0, path: 'anonymousId' });
    const bad = await postJson(`${live.url}/v1/batch`, '{"batch": [');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_json');
    const wrongType = await postJson(`${live.url}/v1/page`, { type: 'track', event: 'x', anonymousId: 'a' });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.errors[0].path).toBe('type');
    const array = await postJson(`${live.url}/v1/batch`, [1, 2]);
    expect(array.status).toBe(400);
  });

  it.skipIf(skip)('answers 413 over 500 messages or 500 KB and 415 for other content types', async () => {
    const many = await postJson(`${live.url}/v1/batch`, { batch: Array.from({ length: 501 }, () => trackMessage()) });
    expect(many.status).toBe(413);
    expect(many.body.error.code).toBe('too_many_messages');
    const big = await postJson(`${live.url}/v1/track`, {
      ...trackMessage(),
      properties: { blob: 'x'.repeat(520 * 1024) },
    });
    expect(big.status).toBe(413);
    const xml = await fetch(`${live.url}/v1/track`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: '<a/>',
    });
    expect(xml.status).toBe(415);
    const form = await fetch(`${live.url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    });
    expect(form.status).toBe(415);
    expect((await live.storage.hasEvents(['x'])).size).toBe(0);
  });

  it.skipIf(skip)('accepts text/plain JSON (navigator.sendBeacon)', async () => {
    const message = trackMessage();
    const res = await fetch(`${live.url}/v1/track`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify(message),
    });
    expect(res.status).toBe(200);
    expect((await live.storage.hasEvents([message.messageId as string])).size).toBe(1);
  });

  it.skipIf(skip)("stores a device's advertising id (IDFA, AAID) only where marketing is granted", async () => {
    // Segment's mobile libraries send it in context.device: an identifier for advertising alone.
    const device = { advertisingId: '38400000-8cf0-11bd-b23e-10b96e40000d', adTrackingEnabled: true, model: 'Pixel 8' };
    const screen = (
      categoryPreferences: Record<string, boolean>,
      members?: Record<string, Record<string, boolean>>,
    ) => ({
      type: 'screen',
      name: 'Course outline',
      anonymousId: 'app-learner',
      messageId: mid(),
      context: {
        consent: { categoryPreferences, ...(members && { members }) },
        device,
        course: { id: 'course-v1:HarvardX+CS50+2026_T1' },
      },
    });
    const analyticsOnly = screen({ analytics: true, marketing: false });
    const withMarketing = screen({ analytics: true, marketing: true });
    const refusedToMember = screen({ analytics: true, marketing: true }, { HarvardX: { marketing: false } });
    const withGpc = screen({ analytics: true, marketing: true });
    const batch = [analyticsOnly, withMarketing, refusedToMember];
    expect((await postJson(`${live.url}/v1/batch`, { batch })).body).toMatchObject({ accepted: 3 });
    expect((await postJson(`${live.url}/v1/screen`, withGpc, { 'sec-gpc': '1' })).body).toMatchObject({ accepted: 1 });
    const page = await getJson(`${live.url}/v1/members/HarvardX/events?anonymousId=app-learner&limit=1000`, {
      authorization: `Bearer ${tokens.HarvardX}`,
    });
    const deviceOf = (m: { messageId: string }) =>
      (page.body.events as { messageId: string; context: { device?: unknown } }[]).find(
        (e) => e.messageId === m.messageId,
      )?.context.device;
    expect(deviceOf(withMarketing)).toEqual(device);
    for (const refused of [analyticsOnly, refusedToMember, withGpc])
      expect(deviceOf(refused)).toEqual({ adTrackingEnabled: true, model: 'Pixel 8' });
  });

  it.skipIf(skip)(
    'stores ad click ids (gclid, fbclid, msclkid, ...) only where marketing is granted, utm_* whatever',
    async () => {
      const query = '?utm_source=news&gclid=G-SECRET&q=cs50&fbclid=FB-SECRET&%6Dsclkid=MS-SECRET&li_fat_id=LI-SECRET';
      const url = `https://learning.edx.org/course/cs50${query}#unit`;
      const visit = (
        categoryPreferences: Record<string, boolean>,
        members?: Record<string, Record<string, boolean>>,
      ) => ({
        type: 'page',
        name: 'Course',
        anonymousId: 'clicked-ad',
        messageId: mid(),
        properties: { url, search: query, path: '/course/cs50' },
        context: {
          consent: { categoryPreferences, ...(members && { members }) },
          course: { id: 'course-v1:HarvardX+CS50+2026_T1' },
          page: { path: '/course/cs50', url, search: query, referrer: `https://www.edx.org/${query}` },
        },
      });
      const analyticsOnly = visit({ analytics: true, marketing: false });
      const withMarketing = visit({ analytics: true, marketing: true });
      const refusedToMember = visit({ analytics: true, marketing: true }, { HarvardX: { marketing: false } });
      const batch = [analyticsOnly, withMarketing, refusedToMember];
      expect((await postJson(`${live.url}/v1/batch`, { batch })).body).toMatchObject({ accepted: 3 });
      const stored = await getJson(`${live.url}/v1/events?anonymousId=clicked-ad&limit=1000`, {
        authorization: `Bearer ${tokens.platform}`,
      });
      const member = await getJson(`${live.url}/v1/members/HarvardX/events?anonymousId=clicked-ad&limit=1000`, {
        authorization: `Bearer ${tokens.HarvardX}`,
      });
      const find = (events: Body[], m: { messageId: string }): Body => events.find((e) => e.messageId === m.messageId);
      const granted = find(stored.body.events, withMarketing);
      expect(granted.campaign).toEqual({
        source: 'news',
        gclid: 'G-SECRET',
        fbclid: 'FB-SECRET',
        msclkid: 'MS-SECRET',
        li_fat_id: 'LI-SECRET',
      });
      expect(granted.url).toBe(url);
      for (const refused of [analyticsOnly, refusedToMember])
        for (const events of [stored.body.events, member.body.events]) {
          const event = find(events, refused);
          expect(event).toBeDefined();
          expect(event?.campaign).toEqual({ source: 'news' });
          expect(JSON.stringify(event)).not.toMatch(/SECRET|clid|clkid|fat_id/i);
        }
      const kept = find(stored.body.events, analyticsOnly);
      expect(kept.url).toBe('https://learning.edx.org/course/cs50?utm_source=news&q=cs50#unit');
      expect(kept.properties).toMatchObject({ search: '?utm_source=news&q=cs50' });
    },
  );

  it.skipIf(skip)(
    "removes ad click ids from any URL's query or fragment in properties, traits and context unless marketing is granted",
    async () => {
      const sent = {
        current_url: 'https://learning.edx.org/course/cs50?utm_source=news&gclid=G-SECRET#unit',
        target_url: 'https://www.edx.org/#/search?q=cs50&fbclid=FB-SECRET',
        came_from: { page: { href: '/course/cs50#gclid=G-SECRET&tab=2' } },
        history: ['https://www.edx.org/?MSCLKID=MS-SECRET', 'https://www.edx.org/#%67clid=G-SECRET'],
        note: 'Note: pasted ?gclid=G-SECRET as text',
      };
      const pageUrl = 'https://learning.edx.org/course/cs50#gclid=G-SECRET';
      const link = 'edx://course/cs50?ttclid=TT-SECRET';
      const landing = 'https://www.edx.org/?li_fat_id=LI-SECRET&utm_medium=cpc';
      const visit = (categoryPreferences: Record<string, boolean>) => [
        {
          ...trackMessage('HarvardX', { anonymousId: 'clicked-link' }),
          properties: sent,
          context: {
            consent: { categoryPreferences },
            course: { id: 'course-v1:HarvardX+CS50+2026_T1' },
            page: { path: '/course/cs50', url: pageUrl, hash: '#gclid=G-SECRET' },
            referrer: { type: 'link', link },
          },
        },
        {
          type: 'identify',
          messageId: mid(),
          anonymousId: 'clicked-link',
          traits: { landing_page: landing },
          context: { consent: { categoryPreferences } },
        },
      ];
      const refused = visit({ analytics: true, functionality: true, marketing: false });
      const granted = visit({ analytics: true, functionality: true, marketing: true });
      expect((await postJson(`${live.url}/v1/batch`, { batch: [...refused, ...granted] })).body).toMatchObject({
        accepted: 4,
      });
      const stored = await getJson(`${live.url}/v1/events?anonymousId=clicked-link&limit=1000`, {
        authorization: `Bearer ${tokens.platform}`,
      });
      const find = (m: Record<string, unknown>): Body =>
        (stored.body.events as Body[]).find((e) => e.messageId === m.messageId);
      const [click, identify] = refused.map(find);
      expect(JSON.stringify([click, identify])).not.toMatch(/SECRET/);
      expect(click.properties).toEqual({
        current_url: 'https://learning.edx.org/course/cs50?utm_source=news#unit',
        target_url: 'https://www.edx.org/#/search?q=cs50',
        came_from: { page: { href: '/course/cs50#tab=2' } },
        history: ['https://www.edx.org/', 'https://www.edx.org/'],
        note: 'Note: pasted as text',
      });
      expect(click.url).toBe('https://learning.edx.org/course/cs50');
      expect(click.context.referrer).toEqual({ type: 'link', link: 'edx://course/cs50' });
      expect(identify.properties).toEqual({ landing_page: 'https://www.edx.org/?utm_medium=cpc' });
      const [grantedClick, grantedIdentify] = granted.map(find);
      expect(grantedClick.properties).toEqual(sent);
      expect(grantedClick.url).toBe(pageUrl);
      expect(grantedClick.context.referrer).toEqual({ type: 'link', link });
      expect(grantedIdentify.properties).toEqual({ landing_page: landing });
    },
  );

  it.skipIf(skip)(
    "reads a page URL's fragment and hash route for its campaign as its query: click ids with marketing granted, stored nowhere without",
    async () => {
      const pages = [
        'https://www.edx.org/#/course?gclid=G-SECRET&utm_source=news',
        'https://www.edx.org/course?utm_source=news#/apply?fbclid=FB-SECRET',
        'https://learning.edx.org/course/cs50#utm_source=news&msclkid=MS-SECRET&tab=2',
        'learning.edx.org/course/cs50?utm_source=news#ttclid=TT-SECRET',
        'https://www.edx.org/search?q=data science&utm_source=news#gclid=G-SECRET',
      ];
      const view = (url: string, marketing: boolean) => ({
        type: 'page',
        name: 'Course',
        anonymousId: 'ad-in-fragment',
        messageId: mid(),
        context: {
          consent: { categoryPreferences: { analytics: true, marketing } },
          course: { id: 'course-v1:HarvardX+CS50+2026_T1' },
          page: { path: '/course', url },
        },
      });
      const granted = pages.map((url) => view(url, true));
      const refused = pages.map((url) => view(url, false));
      expect((await postJson(`${live.url}/v1/batch`, { batch: [...granted, ...refused] })).body).toMatchObject({
        accepted: 10,
      });
      const platform = await getJson(`${live.url}/v1/events?anonymousId=ad-in-fragment&limit=1000`, {
        authorization: `Bearer ${tokens.platform}`,
      });
      const member = await getJson(`${live.url}/v1/members/HarvardX/events?anonymousId=ad-in-fragment&limit=1000`, {
        authorization: `Bearer ${tokens.HarvardX}`,
      });
      const find = (events: Body[], m: { messageId: string }): Body => events.find((e) => e.messageId === m.messageId);
      const stored = granted.map((m) => find(platform.body.events, m));
      expect(stored.map((e) => e.campaign)).toEqual([
        { source: 'news', gclid: 'G-SECRET' },
        { source: 'news', fbclid: 'FB-SECRET' },
        { source: 'news', msclkid: 'MS-SECRET' },
        { source: 'news', ttclid: 'TT-SECRET' },
        { source: 'news', gclid: 'G-SECRET' },
      ]);
      expect(stored.map((e) => e.url)).toEqual(pages);
      for (const events of [platform.body.events, member.body.events]) {
        const kept = refused.map((m) => find(events, m));
        expect(kept.map((e) => e?.campaign)).toEqual(pages.map(() => ({ source: 'news' })));
        expect(JSON.stringify(kept)).not.toMatch(/SECRET|clid|clkid/i);
      }
      expect(refused.map((m) => find(platform.body.events, m).url)).toEqual([
        'https://www.edx.org/#/course?utm_source=news',
        'https://www.edx.org/course?utm_source=news#/apply',
        'https://learning.edx.org/course/cs50#utm_source=news&tab=2',
        'learning.edx.org/course/cs50?utm_source=news',
        'https://www.edx.org/search?q=data science&utm_source=news',
      ]);
    },
  );

  it.skipIf(skip)(
    'removes keys named like a click id (gclid, GCLID, ...) at any depth of properties, traits and context unless marketing is granted',
    async () => {
      const properties = {
        gclid: 'G-SECRET',
        label: 'enroll',
        ad: { FBCLID: 'FB-SECRET', network: 'meta', clicks: [{ MsClkId: 'MS-SECRET', at: 1 }] },
        li_fat_id: { value: 'LI-SECRET' },
      };
      const traits = { msclkid: 'MS-SECRET', plan: 'verified', landing: { dclid: 'D-SECRET', path: '/cs50' } };
      const referrer = { type: 'ad', gclid: 'G-SECRET' };
      const attribution = { first: { Ttclid: 'TT-SECRET', channel: 'tiktok' } };
      const visit = (categoryPreferences: Record<string, boolean>) => [
        {
          ...trackMessage('HarvardX', { anonymousId: 'click-id-keys' }),
          properties,
          context: {
            consent: { categoryPreferences },
            course: { id: 'course-v1:HarvardX+CS50+2026_T1' },
            campaign: { source: 'news', fbclid: 'FB-SECRET' },
            referrer,
            attribution,
          },
        },
        {
          type: 'identify',
          messageId: mid(),
          anonymousId: 'click-id-keys',
          traits,
          context: { consent: { categoryPreferences }, ad: { wbraid: 'W-SECRET', slot: 2 } },
        },
      ];
      const refused = visit({ analytics: true, functionality: true, marketing: false });
      const granted = visit({ analytics: true, functionality: true, marketing: true });
      expect((await postJson(`${live.url}/v1/batch`, { batch: [...refused, ...granted] })).body).toMatchObject({
        accepted: 4,
      });
      const platform = await getJson(`${live.url}/v1/events?anonymousId=click-id-keys&limit=1000`, {
        authorization: `Bearer ${tokens.platform}`,
      });
      const member = await getJson(`${live.url}/v1/members/HarvardX/events?anonymousId=click-id-keys&limit=1000`, {
        authorization: `Bearer ${tokens.HarvardX}`,
      });
      const find = (events: Body[], m: Record<string, unknown>): Body =>
        events.find((e) => e.messageId === m.messageId);
      const [click, identify] = refused.map((m) => find(platform.body.events, m));
      expect(JSON.stringify([click, identify, find(member.body.events, refused[0]!)])).not.toMatch(/SECRET/);
      expect(click.properties).toEqual({ label: 'enroll', ad: { network: 'meta', clicks: [{ at: 1 }] } });
      expect(click.campaign).toEqual({ source: 'news' });
      expect(click.context).toMatchObject({ referrer: { type: 'ad' }, attribution: { first: { channel: 'tiktok' } } });
      expect(identify.properties).toEqual({ plan: 'verified', landing: { path: '/cs50' } });
      expect(identify.context.ad).toEqual({ slot: 2 });
      const [grantedClick, grantedIdentify] = granted.map((m) => find(platform.body.events, m));
      expect(grantedClick.properties).toEqual(properties);
      expect(grantedClick.context).toMatchObject({ referrer, attribution });
      expect(grantedIdentify.properties).toEqual(traits);
      expect(grantedIdentify.context.ad).toEqual({ wbraid: 'W-SECRET', slot: 2 });
    },
  );

  it.skipIf(skip)(
    'without marketing, removes click ids after a double ?, from a URL with blanks around, from arrays of page fields and keys with blanks, keeping the text around them',
    async () => {
      const page = (properties: Record<string, unknown>, url?: string) =>
        clickIdPage('click-id-review', url === undefined ? {} : { page: { url } }, properties);
      const batch = [
        page({}, 'https://www.edx.org/course??gclid=G-SECRET&utm_source=news'),
        page({}, 'https://www.edx.org/#/course??gclid=G-SECRET&utm_source=news'),
        page({
          search: 'C#&fbclid',
          url: 'Pasted: https://x.org/?gclid=G-SECRET and more text',
          referrer: 'www.edx.org/course?gclid=G-SECRET&utm_source=news',
          target_url: 'https://www.edx.org/?gclid=G-SECRET ',
        }),
        page({
          url: ['www.edx.org/?gclid=G-SECRET', 'see x.org/?a=1&fbclid=FB-SECRET&b=2 here'],
          'gclid ': 'G-SECRET',
          ' FBCLID': 'FB-SECRET',
          label: 'kept',
        }),
      ];
      const [onPlatform, onMember] = await storedBoth(batch);
      for (const stored of [onPlatform, onMember]) {
        expect(JSON.stringify(stored)).not.toMatch(/SECRET/);
        expect(stored.map((e) => [e?.url, e?.campaign])).toEqual([
          ['https://www.edx.org/course??utm_source=news', { source: 'news' }],
          ['https://www.edx.org/#/course??utm_source=news', { source: 'news' }],
          [null, null],
          [null, null],
        ]);
      }
      expect(onPlatform.slice(2).map((e) => e?.properties)).toEqual([
        {
          search: 'C#&fbclid',
          url: 'Pasted: https://x.org/ and more text',
          referrer: 'www.edx.org/course?utm_source=news',
          target_url: 'https://www.edx.org/',
        },
        { url: ['www.edx.org/', 'see x.org/?a=1&b=2 here'], label: 'kept' },
      ]);
    },
  );

  it.skipIf(skip)(
    'without marketing, removes click ids from ;matrix parameters, after a second # and from text holding a URL in any field, keeping the text',
    async () => {
      const question = 'Is C# & F# fun? a=b; q&a #tag';
      const page = (context: Record<string, unknown>, properties: Record<string, unknown> = {}) =>
        clickIdPage('click-id-text', context, properties);
      const batch = [
        page({ page: { url: 'https://www.edx.org/course;gclid=G-SECRET?utm_source=news' } }),
        page({ page: { url: 'https://www.edx.org/#tab#gclid=G-SECRET' } }),
        page(
          { referrer: { type: 'link', link: 'www.edx.org/?gclid=G-SECRET' } },
          { note: 'Shared www.edx.org/course?utm_source=news&fbclid=FB-SECRET with a friend', question },
        ),
      ];
      const [onPlatform, onMember] = await storedBoth(batch);
      for (const stored of [onPlatform, onMember]) {
        expect(JSON.stringify(stored)).not.toMatch(/SECRET/);
        expect(stored.map((e) => [e?.url, e?.campaign])).toEqual([
          ['https://www.edx.org/course?utm_source=news', { source: 'news' }],
          ['https://www.edx.org/#tab', null],
          [null, null],
        ]);
      }
      expect(onPlatform[2]?.context.referrer).toEqual({ type: 'link', link: 'www.edx.org/' });
      expect(onPlatform[2]?.properties).toEqual({
        note: 'Shared www.edx.org/course?utm_source=news with a friend',
        question,
      });
    },
  );

  it.skipIf(skip)(
    'without marketing, removes click ids from percent-encoded nested URLs and JSON text, leaving no double blank',
    async () => {
      const batch = [
        clickIdPage('click-id-nested', {
          page: { url: 'https://www.edx.org/?next=%2Fcourses%3Fgclid%3DG-SECRET%26x%3D1' },
        }),
        clickIdPage(
          'click-id-nested',
          {},
          {
            target: 'https://www.edx.org/?redirect=https%3A%2F%2Fx.org%2F%3Ffbclid%3DFB-SECRET&a=1',
            json: '{"url":"https://www.edx.org/?gclid=G-SECRET"}',
            note: 'see gclid=G-SECRET here',
          },
        ),
      ];
      const [onPlatform, onMember] = await storedBoth(batch);
      for (const stored of [onPlatform, onMember]) {
        expect(JSON.stringify(stored)).not.toMatch(/SECRET/);
        expect(stored[0]?.url).toBe('https://www.edx.org/?next=%2Fcourses%3Fx%3D1');
      }
      expect(onPlatform[1]?.properties).toEqual({
        target: 'https://www.edx.org/?redirect=https%3A%2F%2Fx.org%2F&a=1',
        json: '{"url":"https://www.edx.org/"}',
        note: 'see here',
      });
    },
  );

  it.skipIf(skip)(
    'with marketing, stores a click id sent in context.campaign in the campaign, as one from the URL',
    async () => {
      const campaign = { source: 'news', gclid: 'G-1' };
      const [onPlatform, onMember] = await storedBoth([
        clickIdPage('click-id-campaign', { campaign }, {}, true),
        clickIdPage('click-id-campaign', { campaign }),
      ]);
      for (const [granted, refused] of [onPlatform, onMember]) {
        expect(granted?.campaign).toEqual({ source: 'news', gclid: 'G-1' });
        expect(refused?.campaign).toEqual({ source: 'news' });
      }
    },
  );

  it.skipIf(skip)('drops, counts and never stores what consent does not allow', async () => {
    const noConsent = { ...trackMessage(), context: { course: { id: 'course-v1:HarvardX+CS50+2026_T1' } } };
    const refused = { ...trackMessage(), context: { consent: { categoryPreferences: { analytics: false } } } };
    const marketing = {
      ...trackMessage(),
      event: 'edx.bi.ecommerce.upsell_links_clicked',
      context: { consent: { categoryPreferences: { analytics: true, marketing: false } } },
    };
    const otherPolicy = {
      ...trackMessage(),
      context: { consent: { policy: 'acme', categoryPreferences: { analytics: true } } },
    };
    const memberRefused = {
      ...trackMessage(),
      context: {
        ...(trackMessage().context as object),
        consent: { ...allGranted, members: { HarvardX: { analytics: false } } },
      },
    };
    const perf = {
      ...trackMessage(),
      event: 'web_vitals',
      context: { consent: { categoryPreferences: { analytics: true, performance: false } } },
    };
    const identify = {
      type: 'identify',
      messageId: mid(),
      userId: 'u',
      context: { consent: { categoryPreferences: { analytics: true } } },
    };
    const res = await postJson(`${live.url}/v1/batch`, {
      batch: [noConsent, refused, marketing, otherPolicy, memberRefused, perf, identify],
    });
    expect(res.status).toBe(200);
    // Refused to its course's Member alone: stored, for the platform alone (member-refusal-platform-only.test.ts).
    expect(res.body.accepted).toBe(1);
    expect(res.body.dropped).toEqual([
      { index: 0, reason: 'no_consent', purpose: 'analytics' },
      { index: 1, reason: 'purpose_refused', purpose: 'analytics' },
      { index: 2, reason: 'purpose_refused', purpose: 'marketing' },
      { index: 3, reason: 'policy_mismatch', purpose: 'analytics' },
      { index: 5, reason: 'purpose_refused', purpose: 'performance' },
      { index: 6, reason: 'purpose_refused', purpose: 'functionality' },
    ]);
    const sent: Record<string, unknown>[] = [noConsent, refused, marketing, otherPolicy, memberRefused, perf, identify];
    const stored = await live.storage.hasEvents(sent.map((m) => m.messageId as string));
    expect([...stored]).toEqual([sent[4]?.messageId]);
    expect(
      live.collector.metrics.value('dropped_consent', { reason: 'no_consent', purpose: 'analytics' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it.skipIf(skip)('reads purposes in any letter case and by alias; any refusal of a purpose wins', async () => {
    const ad = (categoryPreferences: Record<string, boolean>) => ({
      ...trackMessage(),
      event: 'ad_click',
      context: { consent: { categoryPreferences } },
    });
    const page = {
      type: 'page',
      anonymousId: 'a',
      messageId: mid(),
      context: { consent: { categoryPreferences: { Analytics: true } } },
    };
    const res = await postJson(`${live.url}/v1/batch`, {
      batch: [
        ad({ Marketing: false, advertising: true }),
        ad({ targeting: false, advertising: true }),
        ad({ marketing: true, Advertising: false }),
        ad({ MARKETING: true }),
        page,
      ],
    });
    expect(res.body.dropped).toEqual(
      [0, 1, 2].map((index) => ({ index, reason: 'purpose_refused', purpose: 'marketing' })),
    );
    expect(res.body.accepted).toBe(2);
  });

  it.skipIf(skip)("reads a Member's overrides as categoryPreferences: any letter case, any alias", async () => {
    const learner = mid('overrides-by-purpose');
    const overridden = (overrides: Record<string, boolean>) => ({
      ...trackMessage('HarvardX', { anonymousId: learner }),
      context: {
        ...(trackMessage('HarvardX').context as object),
        consent: { ...allGranted, members: { HarvardX: overrides } },
      },
    });
    const batch = [
      overridden({ Analytics: false }),
      overridden({ STATISTICS: false }),
      overridden({ statistics: false, analytics: true }),
      overridden({ Analytics: true }),
      // Another Member's refusal leaves this one's events alone.
      {
        ...overridden({}),
        context: { ...overridden({}).context, consent: { ...allGranted, members: { MITx: { Analytics: false } } } },
      },
    ];
    const res = await postJson(`${live.url}/v1/batch`, { batch });
    // Refused to HarvardX alone: stored for the platform alone, never HarvardX's.
    expect(res.body).toMatchObject({ accepted: 5, dropped: [] });
    expect(await harvardXHas(batch)).toEqual([false, false, false, true, true]);
  });

  it.skipIf(skip)("reads a Member's overrides under its id in any letter case, a refusal winning", async () => {
    const learner = mid('overrides-by-id');
    const overridden = (members: Record<string, Record<string, boolean>>) => ({
      ...trackMessage('HarvardX', { anonymousId: learner }),
      context: { ...(trackMessage('HarvardX').context as object), consent: { ...allGranted, members } },
    });
    const batch = [
      overridden({ harvardx: { analytics: false } }),
      overridden({ HARVARDX: { Statistics: false } }),
      overridden({ HarvardX: { analytics: true }, harvardx: { analytics: false } }),
      overridden({ harvardx: { analytics: true } }),
    ];
    const res = await postJson(`${live.url}/v1/batch`, { batch });
    expect(res.body).toMatchObject({ accepted: 4, dropped: [] });
    expect(await harvardXHas(batch)).toEqual([false, false, false, true]);
  });

  it.skipIf(skip)("labels /metrics with the policy's purposes only, whatever purposes a sender declares", async () => {
    const declared = Array.from({ length: 20 }, (_, i) => ({
      ...trackMessage(),
      context: { consent: allGranted, purposes: [`made-up-${i}`] },
    }));
    const res = await postJson(`${live.url}/v1/batch`, { batch: declared });
    expect(res.body.dropped).toHaveLength(20);
    expect(res.body.dropped[0]).toEqual({ index: 0, reason: 'purpose_refused', purpose: 'made-up-0' });
    const metrics = live.collector.metrics.render();
    expect(metrics).not.toContain('made-up');
    expect(
      live.collector.metrics.value('dropped_consent', { reason: 'purpose_refused', purpose: 'unknown' }),
    ).toBeGreaterThanOrEqual(20);
  });

  it.skipIf(skip)(
    'reads a camelCase word in an event name as a separated one: marketing and speed events need their purpose',
    async () => {
      const named = (event: string) => ({
        ...trackMessage(),
        event,
        context: { consent: { categoryPreferences: { analytics: true, marketing: false, performance: false } } },
      });
      const marketing = [
        'adClicked',
        'upsellShown',
        'campaignClicked',
        'conversionTracked',
        'remarketingPixel',
        'marketingOptIn',
        'trackAdClicked',
        'ad2Shown',
        'promotionViewed',
        'ad_clicked',
        'Ad Clicked',
      ];
      const performance = ['webVitalsReported', 'lcpMeasured', 'perfMark', 'pageTiming', 'ttfb2Sample'];
      const analytics = [
        'adjusted',
        'address_changed',
        'header_clicked',
        'loaded',
        'headerClicked',
        'uploadAdjusted',
        'readAddress',
        'campaigns_listed',
        'performed_search',
        'clsxLoaded',
        'edx.ui.lms.link_clicked',
      ];
      const batch = [...marketing, ...performance, ...analytics].map(named);
      const res = await postJson(`${live.url}/v1/batch`, { batch });
      expect(res.status).toBe(200);
      const dropped = new Map(
        (res.body.dropped as { index: number; purpose: string }[]).map((d) => [d.index, d.purpose]),
      );
      expect(Object.fromEntries(batch.map((m, i) => [m.event, dropped.get(i) ?? 'stored']))).toEqual({
        ...Object.fromEntries(marketing.map((e) => [e, 'marketing'])),
        ...Object.fromEntries(performance.map((e) => [e, 'performance'])),
        ...Object.fromEntries(analytics.map((e) => [e, 'stored'])),
      });
      expect(res.body.accepted).toBe(analytics.length);
    },
  );

  it.skipIf(skip)(
    "refuses optin.email.* events, the email routes' own: no one can forge a Member's email figures",
    async () => {
      const forged = (event: string): Record<string, unknown> => ({
        ...trackMessage(),
        event,
        context: { ...(trackMessage().context as object), userAgent: 'Mozilla/5.0 Chrome/131.0' },
      });
      const stats = async () =>
        (await getJson(`${live.url}/v1/members/HarvardX/stats`, { authorization: `Bearer ${tokens.HarvardX}` })).body;
      const before = await stats();
      const single = await postJson(`${live.url}/v1/track`, forged('optin.email.opened'));
      expect(single.status).toBe(400);
      expect(single.body).toMatchObject({ accepted: 0, errors: [{ index: 0, path: 'event', code: 'reserved_event' }] });
      expect(single.body.errors[0].message).toMatch(/optin\.email\..*reserved.*\/e\//);
      const batch = [
        trackMessage(),
        forged('optin.email.clicked'),
        forged('OPTIN.EMAIL.OPENED'),
        forged('optin.email.anything'),
      ];
      const res = await postJson(`${live.url}/v1/batch`, { batch });
      expect(res.status).toBe(200);
      expect(res.body.accepted).toBe(1);
      expect(res.body.errors).toEqual(
        [1, 2, 3].map((index) => ({
          index,
          path: `batch[${index}].event`,
          code: 'reserved_event',
          message: expect.any(String),
        })),
      );
      expect((await live.storage.hasEvents(batch.slice(1).map((m) => m.messageId as string))).size).toBe(0);
      const after = await stats();
      expect([after.emailOpens, after.emailClicks]).toEqual([before.emailOpens, before.emailClicks]);
      // A name that only mentions email is the sender's own.
      expect((await postJson(`${live.url}/v1/track`, forged('optin.emails.opened'))).body.accepted).toBe(1);
    },
  );

  it.skipIf(skip)('Sec-GPC: 1 drops marketing even when granted, and keeps analytics', async () => {
    const marketing = { ...trackMessage(), event: 'marketing.campaign_viewed' };
    const analytics = trackMessage();
    const res = await postJson(`${live.url}/v1/batch`, { batch: [marketing, analytics] }, { 'sec-gpc': '1' });
    expect(res.body.dropped).toEqual([{ index: 0, reason: 'gpc', purpose: 'marketing' }]);
    expect(res.body.accepted).toBe(1);
  });

  it.skipIf(skip)("accepts Segment's Basic-auth write key and refuses an unknown one", async () => {
    const ok = await postJson(`${live.url}/v1/track`, trackMessage(), { authorization: basic(tokens.writeKey) });
    expect(ok.status).toBe(200);
    const inBody = await postJson(`${live.url}/v1/batch`, { writeKey: tokens.writeKey, batch: [trackMessage()] });
    expect(inBody.status).toBe(200);
    const bad = await postJson(`${live.url}/v1/track`, trackMessage(), { authorization: basic('wrong') });
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('invalid_write_key');
    // The scheme is case-insensitive: a wrong key is wrong in any letter case, a right one right.
    const encoded = (key: string) => Buffer.from(`${key}:`).toString('base64');
    for (const scheme of ['basic ', 'BASIC ', 'bAsIc\t  '])
      expect(
        (await postJson(`${live.url}/v1/track`, trackMessage(), { authorization: `${scheme}${encoded('wrong')}` }))
          .status,
        scheme,
      ).toBe(401);
    const lower = await postJson(`${live.url}/v1/track`, trackMessage(), {
      authorization: `basic ${encoded(tokens.writeKey)}`,
    });
    expect(lower.status).toBe(200);
  });

  it.skipIf(skip)('merges the batch-level context into each message', async () => {
    const message = { type: 'track', event: 'edx.ui.lms.sequence.next_selected', messageId: mid(), anonymousId: 'a' };
    const res = await postJson(`${live.url}/v1/batch`, { batch: [message], context: { consent: allGranted } });
    expect(res.body.accepted).toBe(1);
  });

  it.skipIf(skip)(
    'refuses each message over 32 KB, counting the batch context stored with it, and accepts the rest',
    async () => {
      const tiny = () => ({ type: 'track', event: 'edx.ui.lms.link_clicked', messageId: mid(), anonymousId: 'a' });
      const small = [tiny(), tiny(), tiny()];
      const big = { ...tiny(), properties: { blob: 'y'.repeat(30 * 1024) } }; // 30 KB: over only with the context
      const res = await postJson(`${live.url}/v1/batch`, {
        batch: [small[0], big, small[1], small[2]],
        context: { consent: allGranted, extra: 'x'.repeat(3 * 1024) },
      });
      expect(res.status).toBe(200);
      expect(res.body.accepted).toBe(3);
      expect(res.body.errors).toEqual([
        {
          index: 1,
          path: 'batch[1]',
          message: expect.stringMatching(/^is \d+ bytes with the batch's context .*32 KB/),
        },
      ]);
      expect((await live.storage.hasEvents([big.messageId])).size).toBe(0);
      // 250 messages of a few bytes each under one 400 KB context would store 100 MB: a batch's
      // context is at most 4 KB.
      const many = Array.from({ length: 250 }, tiny);
      const amplified = await postJson(`${live.url}/v1/batch`, {
        batch: many,
        context: { consent: allGranted, extra: 'z'.repeat(400 * 1024) },
      });
      expect(amplified).toMatchObject({
        status: 400,
        body: { error: { code: 'invalid_body', message: expect.stringMatching(/^context: is \d+ bytes; /) } },
      });
      expect((await live.storage.hasEvents(many.map((m) => m.messageId))).size).toBe(0);
      // A single message on its own.
      const single = await postJson(`${live.url}/v1/track`, {
        ...trackMessage(),
        properties: { blob: 'z'.repeat(33 * 1024) },
      });
      expect(single.status).toBe(400);
      expect(single.body.errors).toEqual([{ index: 0, path: '', message: expect.stringMatching(/^is \d+ bytes; /) }]);
      const fits = await postJson(`${live.url}/v1/track`, {
        ...trackMessage(),
        properties: { blob: 'z'.repeat(31 * 1024) },
      });
      expect(fits.body.accepted).toBe(1);
    },
  );
});
