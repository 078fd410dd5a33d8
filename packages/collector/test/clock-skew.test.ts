import { describe, expect, it } from 'vitest';
import { allGranted, backends, getJson, mid, postJson, receipt, tokens, useCollector, type Body } from './helpers.js';

const day = 86_400_000;
const minute = 60_000;
// A browser (the stats leave bots out).
const chrome = {
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
};
const harvard = { authorization: `Bearer ${tokens.HarvardX}` };
const platform = { authorization: `Bearer ${tokens.platform}` };

/** A page view of a HarvardX course at `path`, as @optin/analytics sends it. */
const page = (path: string, times: Record<string, string>): Record<string, unknown> => ({
  type: 'page',
  anonymousId: `a-${path}`,
  messageId: mid(),
  ...times,
  context: { consent: allGranted, course: { id: 'course-v1:HarvardX+CS50+2026' }, page: { path } },
});

const eventAt = async (url: string, path: string): Promise<Body> => {
  const { body } = await getJson(`${url}/v1/members/HarvardX/events?limit=1000`, harvard);
  return (body.events as Body[]).find((e) => e.path === path);
};

describe.each(backends)('device clocks ($name)', (backend) => {
  const live = useCollector(backend);
  const skip = backend.skip;

  it.skipIf(skip)(
    'dates an event by the receive time less its age on the device (sentAt − timestamp), keeping the device time',
    async () => {
      const now = Date.now();
      const skews = { ahead3d: 3 * day, behind40d: -40 * day, ahead1y: 365 * day };
      for (const [name, skew] of Object.entries(skews)) {
        // Viewed a minute before the batch left, by a clock `skew` off.
        const timestamp = new Date(now + skew - minute).toISOString();
        const sentAt = new Date(now + skew).toISOString();
        const batch = [page(`/${name}`, { timestamp, sentAt })];
        const res = await postJson(`${live.url}/v1/batch`, { batch }, chrome);
        expect(res.body.accepted, name).toBe(1);
        const stored = await eventAt(live.url, `/${name}`);
        expect(stored.clientTimestamp, name).toBe(timestamp);
        const age = Date.parse(stored.receivedAt) - Date.parse(stored.timestamp);
        expect(age, name).toBe(minute);
      }
      // The batch-level sentAt (Segment's) serves the messages without their own.
      const timestamp = new Date(now + 3 * day - 2 * minute).toISOString();
      const res = await postJson(
        `${live.url}/v1/batch`,
        {
          sentAt: new Date(now + 3 * day).toISOString(),
          batch: [page('/batch-sent-at', { timestamp })],
        },
        chrome,
      );
      expect(res.body.accepted).toBe(1);
      const stored = await eventAt(live.url, '/batch-sent-at');
      expect(Date.parse(stored.receivedAt) - Date.parse(stored.timestamp)).toBe(2 * minute);
      // Every view arrived today: /stats counts them today.
      const stats = await getJson(`${live.url}/v1/members/HarvardX/stats`, harvard);
      const views = (stats.body.pageViewsPerDay as { day: string; views: number }[]).reduce((n, d) => n + d.views, 0);
      expect(views).toBe(4);
    },
  );

  it.skipIf(skip)(
    'keeps the time of a clock that is right (within a minute of ours): transit times never reorder a session',
    async () => {
      const now = Date.now();
      // Two views 50 ms apart; the first one's batch took half a second on the way, the second's 20 ms.
      // Taking each batch's transit for clock skew dated the second view 430 ms before the first.
      const first = { timestamp: new Date(now - 500).toISOString(), sentAt: new Date(now - 500).toISOString() };
      const second = { timestamp: new Date(now - 450).toISOString(), sentAt: new Date(now - 20).toISOString() };
      await postJson(`${live.url}/v1/batch`, { batch: [page('/first', first)] }, chrome);
      await postJson(`${live.url}/v1/batch`, { batch: [page('/second', second)] }, chrome);
      const a = await eventAt(live.url, '/first');
      const b = await eventAt(live.url, '/second');
      expect([a.timestamp, b.timestamp]).toEqual([first.timestamp, second.timestamp]);
      // A clock 59 s slow is still taken as it is; 2.5 minutes slow is corrected (between, partly: see event-time.test.ts).
      const slow = (s: number) => ({
        timestamp: new Date(now - s * 1000 - minute).toISOString(),
        sentAt: new Date(now - s * 1000).toISOString(),
      });
      await postJson(
        `${live.url}/v1/batch`,
        { batch: [page('/slow59', slow(59)), page('/slow150', slow(150))] },
        chrome,
      );
      const s59 = await eventAt(live.url, '/slow59');
      const s150 = await eventAt(live.url, '/slow150');
      expect(s59.timestamp).toBe(slow(59).timestamp);
      expect(Date.parse(s150.receivedAt) - Date.parse(s150.timestamp)).toBe(minute);
    },
  );

  it.skipIf(skip)('never dates an event after it arrived, sentAt or not', async () => {
    const now = Date.now();
    const ahead = new Date(now + 3 * day).toISOString();
    // Stamped after it was sent (a client bug), and a fast clock that sends no sentAt.
    const before = new Date(now + 3 * day - minute).toISOString();
    await postJson(`${live.url}/v1/batch`, {
      batch: [page('/after-sent', { timestamp: ahead, sentAt: before }), page('/no-sent-at', { timestamp: ahead })],
    });
    for (const path of ['/after-sent', '/no-sent-at']) {
      const stored = await eventAt(live.url, path);
      expect(stored.timestamp, path).toBe(stored.receivedAt);
      expect(stored.clientTimestamp, path).toBe(ahead);
    }
  });

  it.skipIf(skip)('refuses a time that is no UTC date of years 0000 to 9999, for that message only', async () => {
    const res = await postJson(`${live.url}/v1/batch`, {
      batch: [
        page('/year-10000', { timestamp: '9999-12-31T23:59:59-23:59' }),
        page('/year-minus-1', { sentAt: '0000-01-01T00:00:00+01:00' }),
        page('/fine', { timestamp: new Date().toISOString() }),
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(1);
    expect(res.body.errors).toMatchObject([
      { index: 0, path: 'batch[0].timestamp' },
      { index: 1, path: 'batch[1].sentAt' },
    ]);
    const far = await getJson(`${live.url}/v1/members/HarvardX/events?to=2000-01-01T00:00:00Z`, harvard);
    expect(far.body.events).toEqual([]);
  });

  it.skipIf(skip)(
    'dates a receipt by its sentAt (sendReceipts sends it): a refusal from a phone an hour slow is the latest',
    async () => {
      const hour = 60 * minute;
      // The laptop (a right clock) granted a minute ago.
      const laptop = receipt('learner-two-devices', true, -minute);
      expect((await postJson(`${live.url}/v1/consent`, laptop)).status).toBe(201);
      // Now the phone, its clock an hour slow, refuses; its receipt leaves at once.
      const slow = new Date(Date.now() - hour).toISOString();
      const phone = { ...receipt('learner-two-devices', false), decidedAt: slow, sentAt: slow };
      expect((await postJson(`${live.url}/v1/consent`, phone)).status).toBe(201);
      const latest = await getJson(`${live.url}/v1/consent/learner-two-devices`, platform);
      expect(latest.body).toMatchObject({ consentId: phone.consentId, purposes: { analytics: false } });
      expect(Math.abs(Date.parse(latest.body.decidedAt as string) - Date.now())).toBeLessThan(minute);
      // A clock a little fast (2 s) is corrected too: never collapsed onto the arrival time.
      const fast = Date.now() + 2000;
      const quick = {
        ...receipt('learner-fast-2s', false),
        decidedAt: new Date(fast - 500).toISOString(),
        sentAt: new Date(fast).toISOString(),
      };
      await postJson(`${live.url}/v1/consent`, quick);
      const stored = await getJson(`${live.url}/v1/consent/learner-fast-2s`, platform);
      const age = Date.parse(stored.body.receivedAt as string) - Date.parse(stored.body.decidedAt as string);
      expect(age).toBeGreaterThanOrEqual(450);
      expect(age).toBeLessThan(1500);
      // A sentAt that is no time of years 0000 to 9999: a 400 naming it, nothing stored.
      const bad = await postJson(`${live.url}/v1/consent`, { ...receipt('learner-bad', false), sentAt: 'noon' });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatchObject({ code: 'invalid_receipt', errors: [{ path: 'sentAt' }] });
    },
  );

  // A grant and the refusal that followed it, the refusal's receipt arriving first (the grant's was
  // retried): the refusal stays the latest. Times are [decidedAt, sentAt] in ms from the test's now.
  for (const [learner, why, grant, refusal] of [
    [
      'learner-ahead',
      // The page held a decision dated 3 minutes ahead (made while the device's clock was fast, since
      // corrected): @optin/consent dates each new decision after the one it builds on, so both are
      // dated ahead of the clock they were sent by; the refusal followed 2 s later.
      'decided after it was sent is dated by its sentAt (a decision from a fast clock built on)',
      [3 * minute + 1, -3000],
      [3 * minute + 2, -1000],
    ],
    [
      'learner-ahead-300',
      '300 ms apart, both dated ahead of their sentAt',
      [3 * minute + 1, -500],
      [3 * minute + 2, -200],
    ],
    // Two decisions of one millisecond sent in it, the second dated a millisecond after the first.
    ['learner-same-ms', 'of one millisecond, sent in it', [-2000, -2000], [-1999, -2000]],
    ['learner-same-ms-ahead', 'of one millisecond, sent in it, dated ahead of it', [200, 0], [201, 0]],
    // The same from a device whose clock is fast or slow (two receipts posted at once, one sentAt):
    // each is dated anew when it arrives, and the device's order of the two is kept.
    ['learner-same-ms-fast', 'of one millisecond, from a clock 50 ms fast', [50, 50], [51, 50]],
    [
      'learner-same-ms-10-min-fast',
      'of one millisecond, from a clock 10 minutes fast',
      [10 * minute, 10 * minute],
      [10 * minute + 1, 10 * minute],
    ],
    ['learner-same-ms-slow', 'of one millisecond, from a clock 90 s slow', [-90_000, -90_000], [-89_999, -90_000]],
    [
      'learner-same-ms-3-min-slow',
      'of one millisecond, from a clock 3 minutes slow',
      [-3 * minute, -3 * minute],
      [-3 * minute + 1, -3 * minute],
    ],
  ] as const)
    it.skipIf(skip)(`keeps a refusal the latest over an earlier grant arriving after it: ${why}`, async () => {
      const now = Date.now();
      const at = ([decided, sent]: readonly [number, number]) => ({
        decidedAt: new Date(now + decided).toISOString(),
        sentAt: new Date(now + sent).toISOString(),
      });
      const granted = { ...receipt(learner, true), ...at(grant) };
      const refused = { ...receipt(learner, false), consentId: granted.consentId, ...at(refusal) };
      expect((await postJson(`${live.url}/v1/consent`, refused)).status).toBe(201);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect((await postJson(`${live.url}/v1/consent`, granted)).status).toBe(201);
      const latest = await getJson(`${live.url}/v1/consent/${learner}`, platform);
      expect(latest.body).toMatchObject({ purposes: { analytics: false } });
    });

  it.skipIf(skip)(
    'keeps a refusal made in the millisecond of a grant the latest when both are posted at once (as sendReceipts does), from a clock fast or slow',
    async () => {
      for (const [n, off] of [10 * minute, 50, -90_000].flatMap((off) =>
        [0, 1, 2, 3, 4].map((n) => [n, off] as const),
      )) {
        const learner = `learner-parallel-${off}-${n}`;
        const t = Date.now() + off;
        const sentAt = new Date(t).toISOString();
        const grant = { ...receipt(learner, true), decidedAt: sentAt, sentAt };
        const refusal = {
          ...receipt(learner, false),
          consentId: grant.consentId,
          decidedAt: new Date(t + 1).toISOString(),
          sentAt,
        };
        const answers = await Promise.all([refusal, grant].map((r) => postJson(`${live.url}/v1/consent`, r)));
        expect(answers.map((a) => a.status)).toEqual([201, 201]);
        const latest = await getJson(`${live.url}/v1/consent/${learner}`, platform);
        expect(latest.body, learner).toMatchObject({ purposes: { analytics: false } });
      }
    },
  );

  for (const grantFirst of [true, false])
    it.skipIf(skip)(
      `orders decisions of one consent id made on two devices a minute apart by their corrected times (${grantFirst ? 'grant' : 'refusal'} arriving first)`,
      async () => {
        // One learner's storage on the server, shared by a laptop whose clock is 10 minutes fast (it
        // granted 2 minutes ago) and a phone whose clock is right (it refused a minute ago).
        const learner = `learner-two-devices-${String(grantFirst)}`;
        const now = Date.now();
        const laptop = {
          ...receipt(learner, true),
          decidedAt: new Date(now + 8 * minute).toISOString(),
          sentAt: new Date(now + 10 * minute).toISOString(),
        };
        const phone = {
          ...receipt(learner, false),
          consentId: laptop.consentId,
          decidedAt: new Date(now - minute).toISOString(),
          sentAt: new Date(now).toISOString(),
        };
        for (const r of grantFirst ? [laptop, phone] : [phone, laptop])
          expect((await postJson(`${live.url}/v1/consent`, r)).status).toBe(201);
        const latest = await getJson(`${live.url}/v1/consent/${learner}`, platform);
        expect(latest.body).toMatchObject({ purposes: { analytics: false } });
      },
    );

  it.skipIf(skip)(
    'keeps a refusal of the instant of a grant, made after a reset (another consent id) and arriving after it, the latest',
    async () => {
      // acceptAll(), reset(), rejectAll() in one millisecond: the refusal has a new consent id (which
      // may sort before the grant's) and the grant's time; it was posted, and arrived, after it.
      const at = new Date(Date.now() - 20).toISOString();
      const grant = { ...receipt('learner-reset', true), consentId: 'mzzzzzzz', decidedAt: at, sentAt: at };
      const refusal = { ...receipt('learner-reset', false), consentId: 'maaaaaaa', decidedAt: at, sentAt: at };
      expect((await postJson(`${live.url}/v1/consent`, grant)).status).toBe(201);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect((await postJson(`${live.url}/v1/consent`, refusal)).status).toBe(201);
      const latest = await getJson(`${live.url}/v1/consent/learner-reset`, platform);
      expect(latest.body).toMatchObject({ consentId: 'maaaaaaa', purposes: { analytics: false } });
    },
  );

  it.skipIf(skip)(
    'corrects a clock a little fast (within the minute): a batch keeps its times, never collapsed',
    async () => {
      const fast = Date.now() + 2000; // the device's clock, 2 s fast
      const batch = [
        page('/fast-first', { timestamp: new Date(fast - 600).toISOString() }),
        page('/fast-second', { timestamp: new Date(fast - 300).toISOString() }),
      ];
      await postJson(`${live.url}/v1/batch`, { sentAt: new Date(fast).toISOString(), batch }, chrome);
      const first = await eventAt(live.url, '/fast-first');
      const second = await eventAt(live.url, '/fast-second');
      expect(Date.parse(second.timestamp) - Date.parse(first.timestamp)).toBe(300);
      expect(Date.parse(second.receivedAt) - Date.parse(second.timestamp)).toBe(300);
    },
  );

  it.skipIf(skip)(
    'takes a receipt from a clock more than 5 minutes fast, dated when it arrived, so later decisions follow it',
    async () => {
      const fast = { ...receipt('learner-fast', false), decidedAt: new Date(Date.now() + 10 * minute).toISOString() };
      const before = Date.now();
      expect(await postJson(`${live.url}/v1/consent`, fast)).toMatchObject({ status: 201 });
      const after = Date.now();
      const latest = await getJson(`${live.url}/v1/consent/learner-fast`, platform);
      expect(latest.body).toMatchObject({ consentId: fast.consentId, purposes: { analytics: false } });
      const decidedAt = Date.parse(latest.body.decidedAt as string);
      expect(decidedAt).toBeGreaterThanOrEqual(before - 1000);
      expect(decidedAt).toBeLessThanOrEqual(after);
      // Sent again (another tab, a retry): one decision, stored once.
      const stored = (await live.storage.counts()).receipts;
      expect((await postJson(`${live.url}/v1/consent`, fast)).status).toBe(201);
      expect((await live.storage.counts()).receipts).toBe(stored);
      // Far in the future too: it never pins the subject's consent.
      const far = { ...receipt('learner-fast', false), decidedAt: '9999-12-31T23:59:59.999Z' };
      expect((await postJson(`${live.url}/v1/consent`, far)).status).toBe(201);
      const later = receipt('learner-fast', true, 1000);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect((await postJson(`${live.url}/v1/consent`, later)).status).toBe(201);
      const now = await getJson(`${live.url}/v1/consent/learner-fast`, platform);
      expect(now.body).toMatchObject({ consentId: later.consentId, purposes: { analytics: true } });
    },
  );
});
