/**
 * End to end, in real Chromium: pages on one origin (`http://www.optin.test:<port>`) run consent,
 * the hub and the first-party tracker, which post over real HTTP to the real collector
 * (`@optin/collector`, SQLite in a temporary directory) on another origin
 * (`http://collector.optin.test:<port>`), so CORS is on the path. What arrived is read back the way
 * a Member reads it: `GET /v1/members/HarvardX/events` with the Member's token.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { edxPolicy } from '@optin/consent';
import { createCollector, resolveCredentials, SqliteStorage, type Collector, type StoredEvent } from '@optin/collector';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { bundle, launchChromium, serve, type TestServer } from '../../../test-support/browser.js';

const tokens = { platform: 'platform-e2e-token', HarvardX: 'harvardx-e2e-token', writeKey: 'wk_e2e_browser' };
const config = { policy: edxPolicy, members: [{ id: 'HarvardX', orgs: ['HarvardX'] }] };
const credentials = resolveCredentials(config, {
  OPTIN_PLATFORM_TOKEN: tokens.platform,
  OPTIN_TOKEN_HARVARDX: tokens.HarvardX,
  OPTIN_WRITE_KEYS: tokens.writeKey,
});
const course = '/courses/course-v1:HarvardX+CS50+2026_T1';

/** One request as the collector's HTTP server saw it. */
interface Seen {
  method: string;
  path: string;
  origin: string | undefined;
  contentType: string | undefined;
}

let browser: Browser;
let site: TestServer;
let script: string;
let dir: string;
let storage: SqliteStorage;
let collector: Collector;
/** The collector as pages reach it (`http://collector.optin.test:<port>`). */
let collectorUrl: string;
/** The collector as this test process reaches it (`http://127.0.0.1:<port>`). */
let collectorApi: string;
let seen: Seen[];
let context: BrowserContext;
let page: Page;
/** The user agent of a learner's Chromium of the version under test (headless announces itself as a bot). */
let userAgent: string;

const pageOrigin = () => site.origin('www.optin.test');
const url = (path: string) => pageOrigin() + path;
const html = () =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>CS50</title></head>
<body><h1>CS50</h1><p>Some text so that there is a contentful paint.</p><main id="app"></main>
<script>var optinCollector = ${JSON.stringify({ endpoint: collectorUrl, writeKey: tokens.writeKey })};</script>
<script>${script}</script></body></html>`;

beforeAll(async () => {
  script = await bundle(new URL('./fixtures/collector-page.ts', import.meta.url).pathname);
  browser = await launchChromium();
  userAgent = `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${browser.version()} Safari/537.36`;
  site = await serve([
    (req, res) => {
      if (req.method !== 'GET') return false;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html());
      return true;
    },
  ]);
});
afterAll(async () => {
  await browser.close();
  await site.close();
});
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'optin-analytics-e2e-'));
  storage = new SqliteStorage(join(dir, 'optin.db'));
  collector = await createCollector({ config, credentials, storage, allowedOrigins: [pageOrigin()] });
  collectorApi = await collector.listen(0, '127.0.0.1');
  const { port } = new URL(collectorApi);
  collectorUrl = `http://collector.optin.test:${port}`;
  seen = [];
  collector.app.server.prependListener('request', (req: IncomingMessage) =>
    seen.push({
      method: req.method ?? '',
      path: req.url ?? '',
      origin: req.headers.origin,
      contentType: req.headers['content-type'],
    }),
  );
  context = await browser.newContext({ userAgent });
  page = await context.newPage();
});
afterEach(async () => {
  await context.close();
  await collector.close();
  rmSync(dir, { recursive: true, force: true });
});

const open = async (path: string) => {
  await page.goto(url(path));
  await page.waitForFunction(() => 'optin' in window);
};
const run = (code: string) => page.evaluate(`(({ consent, hub, analytics }) => { ${code} })(window.optin)`);
const quiet = (ms = 800) => page.waitForTimeout(ms);

/**
 * Every stored event of HarvardX's courses, oldest first, read through the Member API with its token
 * (or, `asPlatform`, through the platform's, which also gives each event's place in the session).
 */
async function memberEvents(query: Record<string, string> = {}, asPlatform = false): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams({ ...query, limit: '1000', ...(cursor ? { cursor } : {}) });
    const res = await fetch(`${collectorApi}/v1/${asPlatform ? '' : 'members/HarvardX/'}events?${params}`, {
      headers: { authorization: `Bearer ${asPlatform ? tokens.platform : tokens.HarvardX}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { events: StoredEvent[]; nextCursor: string | null };
    events.push(...body.events);
    cursor = body.nextCursor;
  } while (cursor);
  return events;
}
/** Waits until `count` stored events match `query` and `match` (or 10 s), and returns them. */
async function stored(
  query: Record<string, string>,
  count: number,
  match: (e: StoredEvent) => boolean = () => true,
): Promise<StoredEvent[]> {
  let events = (await memberEvents(query)).filter(match);
  for (let i = 0; i < 100 && events.length < count; i++) {
    await new Promise((r) => setTimeout(r, 100));
    events = (await memberEvents(query)).filter(match);
  }
  return events;
}
const batches = () => seen.filter((r) => r.path === '/v1/batch');

describe('the first-party tracker against the real collector, cross-origin, in Chromium', () => {
  test('page views across SPA navigations are stored in order, with increasing seq, the previous page as referrer, and server-side enrichment', async () => {
    const responses: Response[] = [];
    page.on('response', (r) => r.url().startsWith(collectorUrl) && responses.push(r));
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(`${r.url()} ${r.failure()?.errorText}`));
    await open(`${course}/courseware?utm_source=newsletter&utm_medium=email`);
    await run(`consent.decide({ purposes: { analytics: true } });
      history.pushState({}, '', '${course}/progress');
      history.pushState({}, '', '${course}/dates');
      history.replaceState({ scrolled: 1 }, '', '${course}/dates');`);
    await quiet(400);
    await run('history.back();');
    await page.waitForURL(/\/progress$/);
    await quiet(400);
    await run(`history.pushState({}, '', '${course}/discussion');`);

    const pages = await stored({ type: 'page' }, 5);
    await quiet();
    expect(await memberEvents()).toHaveLength(5);
    expect((await storage.counts()).events).toBe(5);
    expect(pages.map((e) => e.path)).toEqual([
      `${course}/courseware`,
      `${course}/progress`,
      `${course}/dates`,
      `${course}/progress`,
      `${course}/discussion`,
    ]);
    // In the order they happened: the stored order, the session's sequence (the platform's to read:
    // a session spans other Members' pages) and the timestamps agree.
    expect(pages.map((e) => [e.sessionId, e.sessionSeq])).toEqual(pages.map(() => [null, null]));
    const session = (await memberEvents({ type: 'page' }, true)).filter((e) => e.memberId === 'HarvardX');
    expect(session.map((e) => e.messageId)).toEqual(pages.map((e) => e.messageId));
    expect(session.map((e) => e.sessionSeq)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(session.map((e) => e.sessionId)).size).toBe(1);
    const times = pages.map((e) => Date.parse(e.timestamp));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // (As HarvardX reads them: a referrer without its campaign parameters, which the landing page's
    // own view and `campaign` hold.)
    expect(pages.map((e) => e.properties.referrer)).toEqual([
      '',
      url(`${course}/courseware`),
      url(`${course}/progress`),
      url(`${course}/dates`),
      url(`${course}/progress`),
    ]);
    // The landing page's source is its campaign (utm_medium=email); the SPA pages' is the site itself.
    expect(pages.map((e) => e.referrerClass)).toEqual(['email', 'internal', 'internal', 'internal', 'internal']);
    expect(pages[0]).toMatchObject({
      memberId: 'HarvardX',
      courseId: 'course-v1:HarvardX+CS50+2026_T1',
      org: 'HarvardX',
      campaign: { source: 'newsletter', medium: 'email' },
      purposes: ['analytics'],
    });

    // Enriched on the server from the request: browser and OS from the user agent, the IP anonymised.
    for (const e of pages)
      expect(e).toMatchObject({
        browser: 'Chrome',
        browserVersion: browser.version(),
        os: 'Linux',
        deviceType: 'desktop',
        isBot: false,
        ip: '127.0.0.0',
      });
    expect(JSON.stringify(pages)).not.toContain('127.0.0.1');

    // Cross-origin: every batch came from the page's origin, and the page could read every answer.
    expect(batches().length).toBeGreaterThan(0);
    for (const r of batches()) expect(r).toMatchObject({ method: 'POST', origin: pageOrigin() });
    expect(seen.filter((r) => r.method === 'OPTIONS')).toEqual([]); // simple requests: no preflight
    expect(responses.length).toBe(batches().length);
    for (const r of responses) {
      expect(r.status()).toBe(200);
      expect(r.headers()['access-control-allow-origin']).toBe(pageOrigin());
    }
    expect(failed).toEqual([]);
  });

  test('links and buttons inserted after load are stored, and never a form value or typed text', async () => {
    await open(`${course}/home?mode=opt-out`);
    await page.evaluate(() => {
      document.querySelector('#app')!.innerHTML = `
        <a id="in" href="/dashboard">Dashboard</a>
        <a id="out" href="https://www.example.org/reading">Reading</a>
        <button id="b" data-track="enroll-cta">Enroll <span id="inner">now</span></button>
        <form id="f" onsubmit="event.preventDefault()">
          <label for="q">Search the course</label><input id="q" name="q">
          <label>Speed <select id="sel"><option>1x</option><option>2x-secret-choice</option></select></label>
          <button id="go">Search</button>
        </form>`;
      for (const a of document.querySelectorAll('a')) a.addEventListener('click', (e) => e.preventDefault());
    });
    await page.click('#in');
    await page.click('#out');
    await page.click('#inner');
    await page.fill('#q', 'my-typed-secret');
    await page.selectOption('#sel', '2x-secret-choice');
    await page.click('#go');

    // (Opt-out mode grants performance too: Web Vitals are stored beside, and left out here.)
    const tracks = await stored({ type: 'track' }, 6, (e) => e.event !== 'optin.web_vitals');
    await quiet();
    const here = url(`${course}/home?mode=opt-out`);
    expect(tracks.map((e) => ({ event: e.event, ...e.properties }))).toEqual([
      { event: 'edx.ui.lms.link_clicked', current_url: here, target_url: url('/dashboard'), outbound: false },
      {
        event: 'edx.ui.lms.link_clicked',
        current_url: here,
        target_url: 'https://www.example.org/reading',
        outbound: true,
      },
      { event: 'optin.ui.control_used', control: 'button', name: 'enroll-cta', current_url: here },
      { event: 'optin.ui.control_used', control: 'select', name: 'Speed', current_url: here },
      { event: 'optin.ui.control_used', control: 'button', name: 'Search', current_url: here },
      { event: 'optin.ui.control_used', control: 'form', name: '', current_url: here },
    ]);
    for (const e of tracks) expect(e).toMatchObject({ memberId: 'HarvardX', purposes: ['analytics'] });
    const all = await memberEvents({}, true);
    expect(all.map((e) => e.sessionSeq)).toEqual(all.map((_, i) => i + 1));
    expect(JSON.stringify(all)).not.toMatch(/my-typed-secret|2x-secret-choice/);
  });

  // Full batches leave at once by fetch with keepalive; a batch still waiting when the page goes
  // away leaves by keepalive fetch on pagehide (never sendBeacon, which always sends the site's
  // cookies). Both send the JSON as text/plain;charset=UTF-8 (a string body: no preflight); the
  // collector must parse it as JSON. How each batch left is logged by a spy in sessionStorage, which
  // outlives the page (Playwright does not report a request sent by a page that is going away).
  test.each([
    {
      how: 'keepalive fetch',
      query: 'batch=20',
      sent: ['fetch keepalive', 'fetch keepalive', 'fetch keepalive', 'fetch keepalive', 'fetch keepalive'],
    },
    { how: 'keepalive fetch on pagehide', query: 'batch=200&interval=60000', sent: ['fetch keepalive'] },
  ])('events fired right before navigating away: at least 99 of 100 are stored ($how)', async ({ query, sent }) => {
    await context.addInitScript(() => {
      const log = (what: string) =>
        sessionStorage.setItem(
          'sent',
          JSON.stringify([...(JSON.parse(sessionStorage.getItem('sent') ?? '[]') as string[]), what]),
        );
      const beacon = navigator.sendBeacon.bind(navigator);
      navigator.sendBeacon = (to, data) => {
        const queued = beacon(to, data);
        log(`beacon ${queued ? 'queued' : 'refused'}`);
        return queued;
      };
      const fetch = window.fetch.bind(window);
      window.fetch = (to, init) => (log(`fetch${init?.keepalive ? ' keepalive' : ''}`), fetch(to, init));
    });
    const sentLog = async () =>
      JSON.parse((await page.evaluate(() => sessionStorage.getItem('sent'))) ?? '[]') as string[];
    await open(`${course}/lesson?${query}`);
    await run('consent.decide({ purposes: { analytics: true } }); analytics.flush();');
    await stored({ type: 'page' }, 1);
    const before = (await sentLog()).length;
    await run(`for (let i = 0; i < 100; i++) hub.track('edx.test.burst', { i });
      location.href = '${course}/next';`);
    await page.waitForURL(/\/next$/);
    const burst = await stored({ event: 'edx.test.burst' }, 100);
    await quiet();
    expect(new Set(burst.map((e) => e.properties.i)).size).toBeGreaterThanOrEqual(99);
    expect((await sentLog()).slice(before, before + sent.length)).toEqual(sent);
    const requests = batches().filter((r) => r.origin === pageOrigin());
    expect(requests.length).toBe(batches().length);
    for (const r of requests) expect(r.contentType).toBe('text/plain;charset=UTF-8');
    // Enriched like any other. (Requests that outlive the page carry Chromium's own user agent,
    // "HeadlessChrome": Playwright's override is the page's; the collector parses either.)
    for (const e of burst)
      expect(e).toMatchObject({ browser: expect.stringMatching(/^Chrome/), os: 'Linux', ip: '127.0.0.0' });
  });

  test('Web Vitals, INP from a real slow click included, are stored as performance, and only with it', async () => {
    const visit = async (purposes: string, unit: string, next: string) => {
      await open(`${course}/${unit}`);
      await run(`consent.decide({ purposes: ${purposes} });`);
      await page.evaluate(() => {
        document.querySelector('#app')!.innerHTML = '<button id="slow">Check my answer</button>';
        document.querySelector('#slow')!.addEventListener('click', () => {
          const end = performance.now() + 150;
          while (performance.now() < end);
        });
      });
      await page.click('#slow');
      await quiet(300);
      await open(`${course}/${next}`); // leaving hides the page: CLS and INP are final
    };
    await visit('{ analytics: true, performance: true }', 'unit-1', 'unit-2');
    const vitals = await stored({ event: 'optin.web_vitals' }, 5, (e) => e.path === `${course}/unit-1`);
    expect(vitals.map((e) => e.properties.name).sort()).toEqual(['CLS', 'FCP', 'INP', 'LCP', 'TTFB']);
    // (With the trail of pages, analytics granted: they need it too, so a refusal of it reaches them.)
    for (const e of vitals) expect(e).toMatchObject({ purposes: ['performance', 'analytics'], memberId: 'HarvardX' });
    expect(vitals.find((e) => e.properties.name === 'INP')!.properties.value).toBeGreaterThanOrEqual(150);

    // Another learner, who grants analytics only: their pages are stored, no vitals.
    await context.close();
    context = await browser.newContext({ userAgent });
    page = await context.newPage();
    await visit('{ analytics: true }', 'unit-3', 'unit-4');
    const theirs = (e: StoredEvent) => e.path === `${course}/unit-3` || e.path === `${course}/unit-4`;
    await stored({}, 3, theirs);
    await quiet();
    expect((await memberEvents()).filter(theirs).map((e) => `${e.type} ${e.event ?? ''} ${e.path}`)).toEqual([
      `page  ${course}/unit-3`,
      `track optin.ui.control_used ${course}/unit-3`,
      `page  ${course}/unit-4`,
    ]);
  });

  test('in opt-in mode without a decision, the collector receives nothing', async () => {
    await open(`${course}/home`);
    await page.evaluate((c) => {
      document.querySelector('#app')!.innerHTML = '<a id="l" href="#x">Anchor</a><button id="b">Go</button>';
      history.pushState({}, '', `${c}/next`);
    }, course);
    await page.click('#l');
    await page.click('#b');
    await run("hub.track('edx.test.before'); hub.identify('learner-1'); analytics.flush();");
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      Object.defineProperty(Document.prototype, 'hidden', { get: () => true, configurable: true });
      document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
    });
    await open(`${course}/other`);
    await quiet(1000);
    expect(seen).toEqual([]);
    expect(await storage.counts()).toEqual({ events: 0, receipts: 0 });
  });

  test('after refusing analytics, nothing more arrives, on this page or the next', async () => {
    await open(`${course}/home`);
    await run('consent.decide({ purposes: { analytics: true } });');
    expect(await stored({ type: 'page' }, 1)).toHaveLength(1);
    await quiet();
    const requests = seen.length;

    await page.evaluate(() => (document.querySelector('#app')!.innerHTML = '<button id="b">Next unit</button>'));
    await run(`hub.track('edx.test.queued');
      consent.decide({ purposes: { analytics: false } });
      hub.track('edx.test.after');
      history.pushState({}, '', '${course}/after');`);
    await page.click('#b');
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      Object.defineProperty(Document.prototype, 'hidden', { get: () => true, configurable: true });
      document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
    });
    await open(`${course}/next-day`);
    await page.click('h1');
    await run("hub.track('edx.test.next_page');");
    await quiet(1000);
    expect(seen.slice(requests)).toEqual([]);
    expect((await memberEvents()).map((e) => `${e.type} ${e.event ?? ''} ${e.path}`)).toEqual([`page  ${course}/home`]);
    expect((await storage.counts()).events).toBe(1);
  });
});

describe("withdrawn for one Member: what is queued or waiting for a retry leaves with the learner's consent as it is now", () => {
  /**
   * What of this learner HarvardX got: `type event path`. Web Vitals included, but those made after the
   * refusal, without the trail (an `anonymousId` of their own, not the learner's: performance, which the
   * learner keeps, with nothing of them).
   */
  const harvardGot = async () => {
    const id = (await context.cookies()).find((c) => c.name === 'optin_id')?.value;
    return (await memberEvents())
      .filter((e) => e.event !== 'optin.web_vitals' || e.anonymousId === id)
      .map((e) => `${e.type} ${e.event ?? ''} ${e.path}`);
  };

  test('a HarvardX page view queued when the learner refuses analytics for HarvardX never reaches HarvardX', async () => {
    await open(`${course}/home?interval=5000`); // a batch waits 5 s to fill
    await run('consent.acceptAll();'); // the page view is queued
    await quiet(100);
    await run("consent.withdraw('analytics', 'HarvardX'); hub.track('edx.test.after'); analytics.flush();");
    await quiet(1000);
    expect(batches().length).toBeGreaterThan(0); // it was sent, and the collector dropped it
    expect(await harvardGot()).toEqual([]);
  });

  test('Web Vitals and an identify made on a HarvardX page, queued when the learner refuses analytics for HarvardX, never reach HarvardX', async () => {
    const sent: { type: string; event?: string; userId?: string; context: { session?: object } }[] = [];
    page.on('request', (r) => r.url().endsWith('/v1/batch') && sent.push(...(r.postDataJSON() as { batch: [] }).batch));
    await open(`${course}/home?section=3&interval=5000`);
    await run("consent.acceptAll(); hub.identify('learner-1');");
    await quiet(); // FCP and TTFB measured and queued, with the trail of pages
    await run("consent.withdraw('analytics', 'HarvardX'); analytics.flush();");
    await quiet(1000);
    // They left with the learner's trail (ids, session), which only HarvardX's refusal keeps from it.
    const trailed = sent.filter((m) => m.type === 'identify' || m.event === 'optin.web_vitals');
    expect(trailed.map((m) => m.event ?? m.userId)).toEqual(expect.arrayContaining(['learner-1', 'optin.web_vitals']));
    expect(trailed.every((m) => m.context.session)).toBe(true);
    expect(await harvardGot()).toEqual([]);
    // The platform, which the learner granted analytics, keeps them.
    expect((await storage.counts()).events).toBeGreaterThanOrEqual(trailed.length + 1);
  });

  test('nor does one that failed and waits for its retry when the learner refuses', async () => {
    let failed = 0;
    await page.route('**/v1/batch', (r) => (failed++ ? r.continue() : r.fulfill({ status: 503, body: '' })));
    await open(`${course}/home?interval=5000`);
    await run('consent.acceptAll(); analytics.flush();'); // fails: retried after 0.5 to 1 s
    await quiet(100);
    expect(failed).toBe(1);
    await run("consent.withdraw('analytics', 'HarvardX');");
    await quiet(2500);
    expect(failed).toBeGreaterThan(1); // retried
    expect(batches().length).toBeGreaterThan(0);
    expect(await harvardGot()).toEqual([]);
  });

  test('a page view made while analytics was refused for HarvardX stays refused when the learner grants it again before it leaves', async () => {
    await open(`${course}/home?interval=5000`);
    await run('consent.decide({ purposes: { analytics: true }, members: { HarvardX: { analytics: false } } });');
    await quiet(100);
    await run('consent.decide({ members: { HarvardX: { analytics: true } } }); analytics.flush();');
    await quiet(1000);
    expect(batches().length).toBeGreaterThan(0);
    expect(await harvardGot()).toEqual([]);
    // What the learner does after granting it again arrives.
    await run("hub.track('edx.test.after'); analytics.flush();");
    expect((await stored({ event: 'edx.test.after' }, 1)).map((e) => e.path)).toEqual([`${course}/home`]);
  });
});

describe('analytics refused to HarvardX alone, performance and functionality granted', () => {
  test("HarvardX gets its course's Web Vitals with nothing of the learner (no userId, stable id, session or URL), and no identify", async () => {
    await open(`${course}/home?from=newsletter`);
    await run(
      "consent.decide({ purposes: { analytics: true, performance: true, functionality: true }, members: { HarvardX: { analytics: false } } }); hub.identify('learner-1');",
    );
    const vitals = await stored({ event: 'optin.web_vitals' }, 2);
    await quiet();
    const id = (await context.cookies()).find((c) => c.name === 'optin_id')?.value;
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(vitals.length).toBeGreaterThanOrEqual(2);
    for (const e of vitals) {
      expect(e).toMatchObject({ userId: null, sessionId: null, sessionSeq: null, path: `${course}/home` });
      expect(e.anonymousId).not.toBe(id);
      expect(e.url ?? '').not.toMatch(/from=newsletter/);
    }
    // Its page view (the platform's: the learner granted it analytics) and the identify are not HarvardX's.
    expect((await memberEvents()).filter((e) => e.event !== 'optin.web_vitals')).toEqual([]);
  });
});

describe("a CCX's pages are its org's Member's, as @optin/members and the collector read them", () => {
  test("a HarvardX CCX's course and unit pages are stored for HarvardX as the CCX", async () => {
    const ccx = 'ccx-v1:HarvardX+CS50+2026_T1+ccx@3';
    const unit = `/learning/course/${ccx}/ccx-block-v1:HarvardX+CS50+2026_T1+ccx@3+type@sequential+block@s1`;
    await open(`/courses/${ccx}/courseware`);
    await run('consent.decide({ purposes: { analytics: true } });');
    await open(unit);
    const views = await stored({ type: 'page' }, 2);
    expect(views.map((e) => [e.path, e.courseId, e.memberId])).toEqual([
      [`/courses/${ccx}/courseware`, ccx, 'HarvardX'],
      [unit, ccx, 'HarvardX'],
    ]);
  });
});

describe('Global Privacy Control: the collector keeps what the learner granted knowing of it', () => {
  test('under GPC, marketing granted explicitly is stored; marketing not granted is not', async () => {
    // Chromium sending GPC for real: navigator.globalPrivacyControl and `Sec-GPC: 1` on every request.
    const gpcBrowser = await launchChromium([], ['--enable-features=GlobalPrivacyControlTest']);
    try {
      const cdp = await gpcBrowser.newBrowserCDPSession();
      expect((await cdp.send('Browser.setGlobalPrivacyControl', { gpc: true })).gpc).toBe(true);
      const learner = async (purposes: string, banner: string) => {
        const ctx = await gpcBrowser.newContext({ userAgent });
        page = await ctx.newPage();
        await open(`${course}/home`);
        expect(await page.evaluate(() => (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl)).toBe(
          true,
        );
        await run(`consent.decide({ purposes: ${purposes} }, 'preferences');
          analytics.send('edx.bi.marketing.promo_banner_clicked', { banner: '${banner}' }, 'marketing');
          analytics.flush();`);
        await quiet();
        await ctx.close();
      };
      await learner('{ analytics: true, marketing: true }', 'granted');
      await learner('{ analytics: true }', 'not granted');
      expect(await stored({ type: 'page' }, 2)).toHaveLength(2);
      expect((await stored({ event: 'edx.bi.marketing.promo_banner_clicked' }, 1)).map((e) => e.properties)).toEqual([
        { banner: 'granted' },
      ]);
    } finally {
      await gpcBrowser.close();
    }
  });
});
