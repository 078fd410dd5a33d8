import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { requestsInFlight, type RequestsInFlight } from '../src/requests-in-flight.js';

// The audit's wait for the answers still due, driven by the DevTools events Chromium gives it (as a
// real run gives them), on fake timers: how long the audit waits is never read off a loaded machine.
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A request to `url`, network id `id`, made by the document `loader` of frame `frame` of target `page`. */
const made = (requests: RequestsInFlight, id: string, url: string, frame = 'main', loader = 'L1') => {
  requests.made(id, url);
  requests.reported('page', 'Network.requestWillBeSent', { requestId: id, frameId: frame, loaderId: loader });
};

/** Frame `id` (under `parentId`) now shows the document `loaderId`, as DevTools tells it. */
const navigated = (requests: RequestsInFlight, id: string, loaderId: string, parentId?: string) =>
  requests.reported('page', 'Page.frameNavigated', { frame: { id, loaderId, ...(parentId && { parentId }) } });

/** `settle`, with how long it took (fake time) and what it answered. */
const timed = (settled: Promise<string[]>) => {
  const start = Date.now();
  return settled.then((left) => ({ afterMs: Date.now() - start, left }));
};

describe('the wait for the answers still due', () => {
  test("what a document sent before its frame went elsewhere is waited for until answered: a beacon's answer, after the navigation, may set a cookie", async () => {
    // Chromium tells nothing of it at the navigation: no loadingFailed, no sign it was a beacon.
    const requests = requestsInFlight();
    navigated(requests, 'main', 'L1');
    made(requests, '1', 'http://collect.optin.test/beacon');
    const settled = timed(requests.settle(10_000));
    await vi.advanceTimersByTimeAsync(300);
    navigated(requests, 'main', 'L2');
    await vi.advanceTimersByTimeAsync(1200);
    requests.reported('page', 'Network.responseReceivedExtraInfo', { requestId: '1', statusCode: 200 });
    await vi.advanceTimersByTimeAsync(10_000);
    const { afterMs, left } = await settled;
    expect(left).toEqual([]);
    expect(afterMs).toBeGreaterThanOrEqual(1500);
    expect(afterMs).toBeLessThan(2000);
  });

  test('one never answered (a fetch cancelled on the way to another site: its renderer is gone) is waited for up to the cap, and is no unsettled_request', async () => {
    const requests = requestsInFlight();
    navigated(requests, 'main', 'L1');
    made(requests, '1', 'http://www.optin.test/hang');
    const settled = timed(requests.settle(10_000));
    await vi.advanceTimersByTimeAsync(300);
    navigated(requests, 'main', 'L2');
    await vi.advanceTimersByTimeAsync(10_000);
    await expect(settled).resolves.toEqual({ afterMs: 10_000, left: [] });
  });

  test("the page's navigation cancels its frames' requests too; another frame's, and the new document's, are waited for", async () => {
    const requests = requestsInFlight();
    navigated(requests, 'main', 'L1');
    navigated(requests, 'video', 'V1', 'main');
    navigated(requests, 'ad', 'A1', 'video');
    navigated(requests, 'chat', 'C1', 'other-tab');
    made(requests, '1', 'http://video.elsewhere.test/hang', 'video', 'V1');
    made(requests, '2', 'http://ads.elsewhere.test/hang', 'ad', 'A1');
    made(requests, '3', 'http://chat.elsewhere.test/hang', 'chat', 'C1');
    made(requests, '4', 'http://www.optin.test/next', 'main', 'L2');
    navigated(requests, 'main', 'L2');
    const settled = timed(requests.settle(1000));
    await vi.advanceTimersByTimeAsync(1100);
    await expect(settled).resolves.toEqual({
      afterMs: 1000,
      left: ['http://chat.elsewhere.test/hang', 'http://www.optin.test/next'],
    });
  });

  test('as the page leaves, what its old document sent is waited for (the network still answers a beacon), but never reported', async () => {
    const requests = requestsInFlight();
    navigated(requests, 'main', 'L1');
    const since = requests.mark();
    made(requests, '1', 'http://collect.optin.test/beacon');
    navigated(requests, 'main', 'BLANK');
    const settled = timed(requests.settle(2000, since, true));
    await vi.advanceTimersByTimeAsync(2100);
    await expect(settled).resolves.toEqual({ afterMs: 2000, left: [] });
  });

  test('a request answered ends the wait; one the page cancelled (loadingFailed) is not waited for', async () => {
    const requests = requestsInFlight();
    made(requests, '1', 'http://www.optin.test/ok');
    made(requests, '2', 'http://www.optin.test/aborted');
    requests.reported('page', 'Network.responseReceivedExtraInfo', { requestId: '1', statusCode: 200 });
    requests.reported('page', 'Network.loadingFailed', { requestId: '2', canceled: true });
    const settled = timed(requests.settle(10_000));
    await vi.advanceTimersByTimeAsync(300);
    await expect(settled).resolves.toEqual({ afterMs: 100, left: [] });
  });
});
