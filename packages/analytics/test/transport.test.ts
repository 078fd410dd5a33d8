// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AnalyticsError } from '../src/errors.js';
import { local } from '../src/storage.js';
import { backoff, createTransport, maxAttempts, type TransportOptions } from '../src/transport.js';

interface Call {
  url: string;
  batch: { messageId: string; sentAt: string; anonymousId?: string }[];
  writeKey?: string;
  keepalive: boolean | undefined;
  credentials: RequestCredentials | undefined;
  /** When it was sent (the fake clock). */
  at: number;
}
let calls: Call[];
let status: number[];
/** While true, the collector answers 503 after 300 ms (it is down, overloaded). */
let down: boolean;
const errors: AnalyticsError[] = [];

beforeEach(() => {
  vi.useFakeTimers();
  calls = [];
  status = [];
  down = false;
  errors.length = 0;
  localStorage.clear();
  vi.stubGlobal('fetch', (url: string, init: RequestInit) => {
    calls.push({
      url,
      keepalive: init.keepalive,
      credentials: init.credentials,
      at: Date.now(),
      ...(JSON.parse(init.body as string) as Omit<Call, 'url' | 'keepalive' | 'credentials' | 'at'>),
    });
    if (down) return new Promise((r) => setTimeout(() => r(new Response('{}', { status: 503 })), 300));
    const code = status.shift() ?? 200;
    return code ? Promise.resolve(new Response('{}', { status: code })) : Promise.reject(new TypeError('network'));
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const make = (o: Partial<TransportOptions> = {}) =>
  createTransport({
    url: 'https://collector.test/v1/batch',
    writeKey: 'wk',
    batchSize: 3,
    flushInterval: 1000,
    queueLimit: 10,
    keep: () => false,
    allows: () => true,
    stamp: (was) => was,
    onError: (e) => errors.push(e),
    ...o,
  });
const msg = (i: number) => ({ type: 'track', event: 'e', messageId: `m${i}` });
const ids = () => calls.flatMap((c) => c.batch.map((m) => m.messageId));

describe('backoff', () => {
  it('doubles from one second, with jitter of up to half, and is capped at five minutes', () => {
    expect([1, 2, 3, 4].map((n) => backoff(n, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoff(3, () => 0)).toBe(2000);
    expect(backoff(30, () => 1)).toBe(300_000);
  });
});

describe('batching', () => {
  it('sends a batch as soon as it is full, with keepalive, sentAt and the write key', () => {
    const t = make();
    for (const i of [1, 2, 3]) t.add(msg(i), 'analytics');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ url: 'https://collector.test/v1/batch', writeKey: 'wk', keepalive: true });
    expect(ids()).toEqual(['m1', 'm2', 'm3']);
    expect(calls[0]!.batch[0]!.sentAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("splits a batch over the browser's 64 KB keepalive allowance, which would refuse it every time, and sends a larger message alone without keepalive", async () => {
    const t = make();
    const big = (i: number, size: number) => ({ ...msg(i), properties: { text: 'x'.repeat(size) } });
    for (const i of [1, 2, 3]) t.add(big(i, 25_000), 'analytics');
    await vi.advanceTimersByTimeAsync(0);
    // The third waits for the allowance the first two hold in flight.
    expect(calls.map((c) => [c.batch.map((m) => m.messageId), c.keepalive])).toEqual([[['m1', 'm2'], true]]);
    await vi.advanceTimersByTimeAsync(1000);
    t.add(big(4, 70_000), 'analytics');
    t.flush();
    expect(calls.map((c) => [c.batch.map((m) => m.messageId), c.keepalive])).toEqual([
      [['m1', 'm2'], true],
      [['m3'], true],
      [['m4'], false],
    ]);
  });

  it('sends the context every message of a batch shares once, at the batch level', () => {
    const t = make();
    const m = (i: number, path: string) => ({
      ...msg(i),
      context: { page: { path }, locale: 'en', session: { seq: i } },
    });
    for (const [i, path] of [
      [1, '/a'],
      [2, '/a'],
      [3, '/b'],
    ] as const)
      t.add(m(i, path), 'analytics');
    const [call] = calls as unknown as { context: object; batch: { context: object }[] }[];
    expect(call!.context).toEqual({ locale: 'en' });
    expect(call!.batch.map((b) => b.context)).toEqual([
      { page: { path: '/a' }, session: { seq: 1 } },
      { page: { path: '/a' }, session: { seq: 2 } },
      { page: { path: '/b' }, session: { seq: 3 } },
    ]);
  });

  it('sends a partial batch after the flush interval, not before', async () => {
    const t = make();
    t.add(msg(1), 'analytics');
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(ids()).toEqual(['m1']);
  });

  it('retries a failed batch with backoff, with the same messageIds, and waits for it even when a batch fills', async () => {
    const t = make();
    status = [503];
    for (const i of [1, 2, 3]) t.add(msg(i), 'analytics');
    await vi.advanceTimersByTimeAsync(0);
    for (const i of [4, 5, 6]) t.add(msg(i), 'analytics');
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(ids()).toEqual(['m1', 'm2', 'm3', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6']);
  });

  it('retries network errors and 429, drops a batch the collector refuses (4xx) and reports it', async () => {
    const t = make();
    status = [0, 429, 400];
    t.add(msg(1), 'analytics');
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(2000);
    expect(ids()).toEqual(['m1', 'm1', 'm1']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(3);
    expect(errors.map((e) => e.code)).toEqual(['delivery_failed']);
  });

  it('during an outage, a page that keeps tracking retries after growing delays, not at every flush interval', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1); // no jitter
    const t = make({ queueLimit: 1000 });
    down = true;
    const start = Date.now();
    for (let i = 0; i < 120; i++) {
      t.add(msg(i), 'analytics'); // an event every 250 ms for 30 s
      await vi.advanceTimersByTimeAsync(250);
    }
    // The first full batch (0.5 s), then 1, 2, 4, 8 s of backoff after each answer (0.3 s later), each
    // attempt with all its batches: a burst of several counts as one attempt (16 s would be next).
    expect([...new Set(calls.map((c) => Math.round((c.at - start) / 100) / 10))]).toEqual([0.5, 1.8, 4.1, 8.4, 16.7]);
    down = false;
    await vi.advanceTimersByTimeAsync(60_000); // (its listeners stay on this test file's window)
  });

  it('loses nothing in a one-minute outage with many batches an attempt, and delivers soon after it ends', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const t = make({ queueLimit: 1000 });
    down = true;
    for (let i = 0; i < 240; i++) {
      t.add(msg(i), 'analytics'); // an event every 250 ms for 60 s
      await vi.advanceTimersByTimeAsync(250);
    }
    down = false;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(new Set(ids()).size).toBe(240);
    expect(errors).toEqual([]);
  });

  it(`gives a message up after ${maxAttempts} attempts, and reports it`, async () => {
    const t = make();
    status = Array<number>(20).fill(500);
    t.add(msg(1), 'analytics');
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(calls).toHaveLength(maxAttempts);
    expect(errors).toHaveLength(1);
  });

  it('keeps at most queueLimit messages waiting for retry, the newest', async () => {
    let allowed = true;
    const t = make({ batchSize: 100, allows: () => allowed });
    status = [0];
    for (let i = 0; i < 15; i++) t.add(msg(i), 'analytics');
    t.flush();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls[1]!.batch.map((m) => m.messageId)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i + 5}`));
    status = [0];
    for (let i = 0; i < 25; i++) t.add(msg(100 + i), 'analytics');
    t.flush();
    expect(calls[2]!.batch).toHaveLength(10);
    await vi.advanceTimersByTimeAsync(0);
    allowed = false; // (its listeners stay on this test file's window)
    t.save();
  });

  it('drops queued messages of a withdrawn purpose, for good', async () => {
    let withdrawn = '';
    const t = make({ allows: (p) => p != withdrawn });
    t.add(msg(1), 'analytics');
    t.add(msg(2), 'performance');
    withdrawn = 'analytics';
    t.save(); // what the hub's unload of the tracker does
    withdrawn = '';
    await vi.advanceTimersByTimeAsync(1000);
    expect(ids()).toEqual(['m2']);
  });

  it('drops a queued message that needs several purposes when any one of them is withdrawn', async () => {
    let withdrawn = '';
    const t = make({ allows: (p) => p != withdrawn });
    t.add(msg(1), ['performance', 'analytics']); // Web Vitals with the trail of pages
    t.add(msg(3), 'performance');
    withdrawn = 'analytics';
    t.save();
    withdrawn = '';
    await vi.advanceTimersByTimeAsync(1000);
    expect(ids()).toEqual(['m3']);
  });

  it('never puts two anonymous ids in one batch, retries included (a fresh id must not arrive beside the old one)', async () => {
    const t = make({ batchSize: 2 });
    const as = (anonymousId: string, i: number) => ({ ...msg(i), anonymousId });
    status = [0]; // the old id's batch fails in flight
    t.add(as('old', 1), 'analytics');
    t.add(as('old', 2), 'analytics');
    t.add(as('old', 3), 'analytics');
    await vi.advanceTimersByTimeAsync(0);
    t.add(as('new', 4), 'analytics');
    t.add(as('new', 5), 'analytics');
    t.add(as('new', 6), 'analytics');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls.map((c) => c.batch.map((m) => `${m.anonymousId}:${m.messageId}`))).toEqual([
      ['old:m1', 'old:m2'],
      ['old:m1', 'old:m2'],
      ['old:m3'],
      ['new:m4', 'new:m5'],
      ['new:m6'],
    ]);
  });

  it('keeps the retry queue in localStorage only when allowed, and sends it from the next page', async () => {
    let keep = false;
    const t = make({ keep: () => keep });
    status = [0];
    t.add(msg(1), 'analytics');
    t.flush();
    await vi.advanceTimersByTimeAsync(0);
    expect(localStorage.getItem('optin_queue')).toBeNull();
    keep = true;
    t.save();
    expect(local('optin_queue')).toHaveLength(1);
    calls = [];
    make({ keep: () => true });
    await vi.advanceTimersByTimeAsync(1000);
    expect(ids()).toContain('m1');
  });

  it("keeps other tabs' messages in the stored retry queue, and takes out only its own once delivered", async () => {
    const storedIds = () => (local<{ m: { messageId: string } }[]>('optin_queue') ?? []).map((i) => i.m.messageId);
    // Two tabs of the site, open while the collector is down.
    const a = make({ keep: () => true });
    const b = make({ keep: () => true });
    status = [0, 0];
    a.add(msg(1), 'analytics');
    a.flush();
    await vi.advanceTimersByTimeAsync(0);
    b.add(msg(2), 'analytics');
    b.flush();
    await vi.advanceTimersByTimeAsync(0);
    expect(storedIds()).toEqual(['m1', 'm2']);
    a.flush(true); // a leaves (pagehide) while it still fails: its queue stays stored, b's too
    expect(storedIds().sort()).toEqual(['m1', 'm2']);
    a.flush(); // the collector is back for a: its message leaves the stored queue, b's stays
    await vi.advanceTimersByTimeAsync(0);
    a.save();
    expect(storedIds()).toEqual(['m2']);
    calls = [];
    make({ keep: () => true }); // a later page sends what is left
    await vi.advanceTimersByTimeAsync(1000);
    expect(ids()).toContain('m2');
    expect(ids()).not.toContain('m1');
  });

  it('forgets a failed batch whose purpose was withdrawn while it was in flight, even if granted again', async () => {
    let allowed = true;
    const t = make({ keep: () => true, allows: () => allowed });
    status = [0];
    for (const i of [1, 2, 3]) t.add(msg(i), 'analytics'); // a full batch leaves at once
    allowed = false; // withdrawn before the collector answers
    await vi.advanceTimersByTimeAsync(0);
    expect(localStorage.getItem('optin_queue')).toBeNull();
    allowed = true; // granted again before the retry
    calls = [];
    await vi.advanceTimersByTimeAsync(600_000);
    expect(ids()).toEqual([]);
  });

  it('removes a stored retry queue the next page may not keep or send', () => {
    const stored = [{ m: msg(1), p: 'analytics', n: 1 }];
    local('optin_queue', stored);
    make({ keep: () => false }); // functionality refused
    expect(localStorage.getItem('optin_queue')).toBeNull();
    local('optin_queue', stored);
    make({ keep: () => true, allows: (p) => p != 'analytics' }); // analytics refused
    expect(localStorage.getItem('optin_queue')).toBeNull();
  });

  it.each([
    '{}',
    '"x"',
    '7',
    '[null]',
    '[1, "m", {"p": "analytics", "n": 0}, {"m": null, "p": "analytics", "n": 0}, {"m": {}, "n": 0}]',
  ])(
    'drops a damaged stored queue (%s) and the damaged items in it, keeps the sound ones, and overwrites it',
    async (damaged) => {
      const sound = { m: msg(1), p: 'analytics', n: 1 };
      local('optin_queue', JSON.parse(damaged));
      // As the consent store answers: no purpose is allowed but the ones it knows.
      const stored = { keep: () => true, allows: (p: string) => p === 'analytics' };
      expect(() => make(stored)).not.toThrow();
      expect(localStorage.getItem('optin_queue')).toBeNull();
      local(
        'optin_queue',
        JSON.parse(damaged.startsWith('[') ? damaged.replace('[', `[${JSON.stringify(sound)}, `) : damaged),
      );
      make(stored);
      expect(local('optin_queue') ?? []).toEqual(damaged.startsWith('[') ? [sound] : []);
      await vi.advanceTimersByTimeAsync(1000);
      expect(ids()).toEqual(damaged.startsWith('[') ? ['m1'] : []);
      expect(errors).toEqual([]);
    },
  );

  it("sends everything queued on pagehide with keepalive fetch, retries included, in batches, without the site's cookies", async () => {
    const t = make({ batchSize: 2 });
    status = [0];
    t.add(msg(1), 'analytics');
    t.add(msg(2), 'analytics');
    await vi.advanceTimersByTimeAsync(0);
    t.add(msg(3), 'analytics');
    dispatchEvent(new Event('pagehide'));
    expect(calls.map((c) => [c.batch.map((m) => m.messageId), c.keepalive, c.credentials])).toEqual([
      [['m1', 'm2'], true, 'omit'],
      [['m1', 'm2'], true, 'omit'],
      [['m3'], true, 'omit'],
    ]);
  });

  it('as the page leaves with a batch in flight, sends what fits in the allowance left with keepalive, and stores only the rest', async () => {
    down = true; // the first batch stays in flight (answered 300 ms later)
    const t = make({ batchSize: 20, queueLimit: 200, keep: () => true });
    const big = (i: number, size: number) => ({ ...msg(i), properties: { text: 'x'.repeat(size) } });
    for (let i = 1; i <= 20; i++) t.add(big(i, 2_600), 'analytics'); // ~53 KB: goes at once, full
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.map((c) => c.batch.length)).toEqual([20]);
    for (let i = 21; i <= 25; i++) t.add(big(i, 1_000), 'analytics'); // the last clicks before leaving
    dispatchEvent(new Event('pagehide'));
    const sent = calls.slice(1).flatMap((c) => (c.keepalive ? c.batch.map((m) => m.messageId) : []));
    expect(sent.length).toBeGreaterThan(0);
    const stored = (local<{ m: { messageId: string } }[]>('optin_queue') ?? []).map((i) => i.m.messageId);
    expect([...sent, ...stored].sort()).toEqual(['m21', 'm22', 'm23', 'm24', 'm25']);
  });

  it('sends at once, with keepalive, what is added while the page is hidden', () => {
    vi.spyOn(Document.prototype, 'hidden', 'get').mockReturnValue(true);
    make().add(msg(1), 'performance');
    expect(calls.map((c) => c.keepalive)).toEqual([true]);
  });

  it('in a hidden tab during an outage (no stored queue), what is added waits for the backoff: nothing lost', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1); // no jitter
    vi.spyOn(Document.prototype, 'hidden', 'get').mockReturnValue(true);
    const t = make({ queueLimit: 100 });
    down = true;
    const start = Date.now();
    for (let i = 0; i < 20; i++) {
      t.add(msg(i), 'analytics'); // a heartbeat every 500 ms for 10 s
      await vi.advanceTimersByTimeAsync(500);
    }
    // The first heartbeat's request (sent at once: hidden), then retries after 1, 2, 4 s of backoff only.
    expect(new Set(calls.map((c) => c.at - start))).toEqual(new Set([0, 1301, 3602, 7903])); // (answers take 0.3 s)
    down = false;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(new Set(ids()).size).toBe(20);
    expect(errors).toEqual([]);
  });

  it('a page that reads a stored queue goes on backing off from its most attempts, not at once', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    local('optin_queue', [
      { m: msg(1), p: 'analytics', n: 3 },
      { m: msg(2), p: 'analytics', n: 1 },
    ]);
    make({ keep: () => true });
    await vi.advanceTimersByTimeAsync(backoff(3) - 1);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(ids()).toEqual(['m1', 'm2']);
  });
});
