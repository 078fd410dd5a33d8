import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { bundle, launchChromium, serve, type TestServer } from '../../../test-support/browser.js';
import { bodyOf, coursePage } from './fixtures/course-page.js';

interface Received {
  type: string;
  event?: string;
  timestamp: string;
  properties: Record<string, unknown>;
  context: { session: { seq: number }; page?: { path: string; url?: string } };
}

let browser: Browser;
let server: TestServer;
let script: string;
let received: Received[];
let bodies: string[];
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  script = await bundle(new URL('./fixtures/consent-scope-page.ts', import.meta.url).pathname);
  browser = await launchChromium();
  server = await serve([
    (req, res, url) => {
      if (url.pathname === '/v1/batch' && req.method === 'POST') {
        void bodyOf(req).then((body) => {
          bodies.push(body);
          const { batch, context: shared } = JSON.parse(body) as { batch: Received[]; context: object };
          received.push(...batch.map((m) => ({ ...m, context: { ...shared, ...m.context } })));
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true}');
        });
        return true;
      }
      if (req.method !== 'GET') return false;
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
  bodies = [];
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
const quiet = (ms = 800) => page.waitForTimeout(ms);
/** What the hub gave the stand-in marketing tracker: `['page', url, referrer]` or `['track', event, properties]`. */
const marketingGot = () => page.evaluate(() => (window as unknown as { marketingGot: unknown[][] }).marketingGot);
/** What the collector received (but Web Vitals), in session order: `type event|path`. */
const arrivedInOrder = () =>
  received.filter((m) => m.event !== 'optin.web_vitals').sort((a, b) => a.context.session.seq - b.context.session.seq);
const name = (m: Received) => m.event ?? `page ${new URL(m.properties.url as string).pathname}`;
/** A link the app handles itself (a single-page app's), a button and a summary. */
const controls = `document.querySelector('#app').innerHTML =
  '<a id="l" href="/next">Next unit</a><button id="b">Unenroll</button><details><summary id="s">Show answer</summary>42</details>';
  document.querySelector('#l').addEventListener('click', (e) => { e.preventDefault(); history.pushState({}, '', '/next'); });`;

describe('links and controls the learner uses are analytics: they reach no tracker without it', () => {
  test('analytics refused, marketing allowed: no click reaches the marketing tracker, nor the collector', async () => {
    await open('/courses/course-v1:MITx+6.00x+2026/home');
    await run(`consent.decide({ purposes: { analytics: false, marketing: true } }); ${controls}`);
    await page.click('#b');
    await page.click('#s');
    await page.click('#l');
    await quiet();
    expect((await marketingGot()).filter(([kind]) => kind === 'track')).toEqual([]);
    expect(received).toEqual([]);
  });

  test('clicks made before the decision: one refusing analytics and granting marketing gives the marketing tracker none', async () => {
    await open('/courses/course-v1:MITx+6.00x+2026/home');
    await run(controls);
    await page.click('#b');
    await page.click('#l');
    await run(`consent.decide({ purposes: { analytics: false, marketing: true } });`);
    await quiet();
    expect((await marketingGot()).filter(([kind]) => kind === 'track')).toEqual([]);
    expect(received).toEqual([]);
  });

  test('clicks made before the decision are recorded by no one, even when it grants analytics; page views are replayed in order', async () => {
    await open('/courses/course-v1:MITx+6.00x+2026/home');
    await run(controls);
    await page.click('#b');
    await page.click('#l'); // the app goes to /next: a view
    await page.click('#s');
    await quiet(300);
    await run(`consent.decide({ purposes: { analytics: true, marketing: true } });`);
    await quiet();
    expect(arrivedInOrder().map(name)).toEqual(['page /courses/course-v1:MITx+6.00x+2026/home', 'page /next']);
    expect((await marketingGot()).filter(([kind]) => kind === 'track')).toEqual([]);
    // From the grant on, clicks count, for every tracker allowed.
    await page.click('#b');
    await quiet();
    expect(arrivedInOrder().map(name)).toEqual([
      'page /courses/course-v1:MITx+6.00x+2026/home',
      'page /next',
      'optin.ui.control_used',
    ]);
    expect((await marketingGot()).filter(([kind]) => kind === 'track').map(([, what]) => what)).toEqual([
      'optin.ui.control_used',
    ]);
  });
});

describe('analytics granted after a refusal', () => {
  test('the page it is granted on gets its view (to the first-party tracker alone), before its clicks, and is the next view’s referrer', async () => {
    await open('/courses/course-v1:MITx+6.00x+2026/home');
    await run(`consent.decide({ purposes: { analytics: false, marketing: true } });
      history.pushState({}, '', '/dashboard');`);
    await quiet(300);
    await run(`consent.decide({ purposes: { analytics: true, marketing: true } }, 'preferences');
      document.querySelector('#app').innerHTML = '<button id="b">Resume course</button>';`);
    await page.click('#b');
    await run(`history.pushState({}, '', '/profile');`);
    await quiet(1500);
    const got = arrivedInOrder();
    expect(got.map((m) => [name(m), m.context.session.seq])).toEqual([
      ['page /dashboard', 1],
      ['optin.ui.control_used', 2],
      ['page /profile', 3],
    ]);
    expect(got[0]!.properties).toMatchObject({
      url: url('/dashboard'),
      path: '/dashboard',
      title: 'Course',
      referrer: url('/courses/course-v1:MITx+6.00x+2026/home'),
    });
    expect(got[1]!.context.page).toMatchObject({ path: '/dashboard', url: url('/dashboard'), title: 'Course' });
    expect(got[2]!.properties.referrer).toBe(url('/dashboard'));
    // The marketing tracker had its view of each page once: no second one of /dashboard.
    expect(
      (await marketingGot()).filter(([kind]) => kind === 'page').map(([, u]) => new URL(u as string).pathname),
    ).toEqual(['/courses/course-v1:MITx+6.00x+2026/home', '/dashboard', '/profile']);
  });
});

describe('a #fragment is no page without hashRoutes: it is never sent', () => {
  test('a token in the fragment (OAuth implicit flow, magic link) is in no message nor what other trackers get', async () => {
    await open('/auth/complete#access_token=eyJhbGciOi.SECRET.sig&token_type=bearer&email=jane%40example.com');
    await run(`consent.decide({ purposes: { analytics: true, marketing: true } }); ${controls}`);
    await page.click('#b');
    await page.click('#l'); // to /next: its referrer is the page the token came to
    await quiet(1200);
    const got = arrivedInOrder();
    expect(got.map(name)).toEqual([
      'page /auth/complete',
      'optin.ui.control_used',
      'edx.ui.lms.link_clicked',
      'page /next',
    ]);
    expect(got[0]!.properties.url).toBe(url('/auth/complete'));
    expect(got[1]!.properties.current_url).toBe(url('/auth/complete'));
    expect(got[3]!.properties.referrer).toBe(url('/auth/complete'));
    expect(bodies.join('\n')).not.toMatch(/SECRET|jane/);
    expect(JSON.stringify(await marketingGot())).not.toMatch(/SECRET|jane/);
  });

  test('analytics withdrawn and granted again on the same page (its view forgotten), a message carries no fragment either', async () => {
    await open('/auth/complete#access_token=eyJhbGciOi.SECRET.sig');
    await run(`consent.decide({ purposes: { analytics: true } }); consent.withdraw('analytics'); consent.decide({ purposes: { analytics: true, performance: true } }, 'preferences');
      hub.track('edx.test.after');`);
    await quiet();
    expect(received.length).toBeGreaterThan(0);
    expect(bodies.join('\n')).not.toMatch(/SECRET/);
  });
});
