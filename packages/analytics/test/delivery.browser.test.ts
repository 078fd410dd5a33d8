import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { bundle, launchChromium, serve, type TestServer } from '../../../test-support/browser.js';
import { bodyOf, coursePage } from './fixtures/course-page.js';

// How batches reach the collector as the learner leaves a page, in real Chromium: what the request
// carries, what survives navigation, and what arrives once.

interface Received {
  event?: string;
  messageId: string;
  properties: Record<string, unknown>;
}

let browser: Browser;
let server: TestServer;
let script: string;
let received: Received[];
/** The `Cookie` header of every batch request (empty when none). */
let cookies: string[];
/** How long the endpoint takes to answer, so that requests are still in flight when the page goes away. */
let latency = 0;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  script = await bundle(new URL('./fixtures/page.ts', import.meta.url).pathname);
  browser = await launchChromium();
  server = await serve([
    (req, res, url) => {
      if (url.pathname === '/v1/batch' && req.method === 'POST') {
        void bodyOf(req).then((body) => {
          cookies.push(req.headers.cookie ?? '');
          received.push(...(JSON.parse(body) as { batch: Received[] }).batch);
          setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true}'), latency);
        });
        return true;
      }
      if (url.pathname === '/plain') {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Plain</title>');
        return true;
      }
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
        .end(coursePage(script));
      return true;
    },
  ]);
});
afterAll(async () => {
  await browser.close();
  await server.close();
});
beforeEach(async () => {
  received = [];
  cookies = [];
  latency = 0;
  context = await browser.newContext();
  page = await context.newPage();
});
afterEach(() => context.close());

const url = (path: string) => server.origin() + path;
const open = async (path: string) => {
  await page.goto(url(path));
  await page.waitForFunction(() => 'optin' in window);
};
const run = (code: string) => page.evaluate(`(({ consent, hub, analytics }) => { ${code} })(window.optin)`);
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits until `count` messages of `event` have arrived (or 10 s), then a moment more for any extra copies. */
const arrived = async (event: string, count: number) => {
  for (let i = 0; i < 200 && received.filter((m) => m.event === event).length < count; i++) await wait(50);
  await wait(1000);
  return received.filter((m) => m.event === event);
};
/** `copies / distinct` of the messages of `event` that arrived. */
const copies = (event: string) => {
  const ids = received.filter((m) => m.event === event).map((m) => m.messageId);
  return `${ids.length} / ${new Set(ids).size}`;
};

describe('delivery as the learner leaves the page', () => {
  test("no batch carries the site's cookies, those sent on leaving included (functionality refused: no stable id)", async () => {
    await open('/lesson');
    await context.addCookies([{ name: 'logged_in_user', value: 'jane_doe', url: url('/') }]);
    await run(`consent.decide({ purposes: { analytics: true, functionality: false } });
      hub.track('edx.test.open'); analytics.flush();`);
    await arrived('edx.test.open', 1);
    await run("hub.track('edx.test.leaving'); location.href = '/plain';");
    await page.waitForURL(/\/plain$/);
    expect(await arrived('edx.test.leaving', 1)).toHaveLength(1);
    // The consent cookie (with its consentId, kept 13 months) and the login cookie are the site's.
    expect((await context.cookies()).map((c) => c.name).sort()).toEqual(['logged_in_user', 'optin']);
    expect(cookies.length).toBeGreaterThanOrEqual(2);
    expect(cookies.filter(Boolean)).toEqual([]);
  });

  test.each([false, true])(
    'a batch in flight as the learner follows a link arrives once, and is not kept for a later page (functionality %s)',
    async (functionality) => {
      await open('/lesson');
      latency = 1500;
      await run(`consent.decide({ purposes: { analytics: true, functionality: ${functionality} } });`);
      await run("for (let i = 0; i < 20; i++) hub.track('edx.test.in_flight', { i });"); // full: leaves now
      await wait(100);
      // A link off the site (another origin).
      await run(`for (let i = 0; i < 5; i++) hub.track('edx.test.last', { i });
        document.querySelector('#app').innerHTML = '<a href="${server.origin('localhost')}/plain">Leave</a>';`);
      await page.click('text=Leave');
      await page.waitForURL(/localhost.*\/plain$/);
      await arrived('edx.test.in_flight', 20);
      await arrived('edx.test.last', 5);
      const kept = (await context.storageState()).origins.flatMap((o) => o.localStorage.map((i) => i.name));
      expect(kept).not.toContain('optin_queue');
      await open('/home'); // the learner comes back to the site
      await wait(1500);
      expect([copies('edx.test.in_flight'), copies('edx.test.last')]).toEqual(['20 / 20', '5 / 5']);
    },
  );

  test('events queued as the learner leaves, over 64 KB together: what the 64 KB allowance takes arrives (analytics only: no retry queue)', async () => {
    await open('/lesson');
    await run(`consent.decide({ purposes: { analytics: true } }); analytics.flush();`);
    await wait(500);
    await run(`for (let i = 0; i < 19; i++) hub.track('edx.test.big', { i, data: 'x'.repeat(3500) });
      location.href = '/plain';`);
    await page.waitForURL(/\/plain$/);
    // Requests that outlive the page may carry 64 KB in all: 60 KB of it is 15 of these (3.7 KB each).
    // What it cannot take goes without keepalive, and may be lost with the page; none was sent before.
    const big = await arrived('edx.test.big', 19);
    expect(big.length).toBeGreaterThanOrEqual(15);
    expect(copies('edx.test.big')).toBe(`${big.length} / ${big.length}`);
  });
});
