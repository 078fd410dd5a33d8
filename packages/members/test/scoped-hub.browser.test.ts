import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { fileURLToPath } from 'node:url';
import { bundle, launchChromium, serve, type TestServer } from '../../../test-support/browser.js';
import type { ScopedHub } from '../src/index.js';

interface Hit {
  host: string;
  path: string;
  body: string;
}

let browser: Browser;
let server: TestServer;
let script = '';
let reloadScript = '';
// A session recorder's script (as Hotjar's): reports the page's URL as it loads and after each pushState.
const recorder = (host: string) =>
  `(() => { const report = () => fetch('http://${host}:' + location.port + '/rec', { method: 'POST', body: location.href, mode: 'no-cors' }); const push = history.pushState; history.pushState = function (...a) { push.apply(this, a); setTimeout(report); }; report(); })();`;
const hits: Hit[] = [];
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  script = await bundle(fileURLToPath(new URL('./fixtures/scoped-page.ts', import.meta.url)));
  reloadScript = await bundle(fileURLToPath(new URL('./fixtures/scoped-reload-page.ts', import.meta.url)));
  server = await serve([
    (req, res, url) => {
      const host = (req.headers.host ?? '').split(':')[0] ?? '';
      if (host.startsWith('www.')) {
        if (url.pathname === '/page.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
        else if (url.pathname === '/reload.js')
          res.writeHead(200, { 'content-type': 'text/javascript' }).end(reloadScript);
        else
          res
            .writeHead(200, { 'content-type': 'text/html' })
            .end(
              `<!doctype html><title>course</title><script src="/${url.searchParams.has('reload') ? 'reload' : 'page'}.js"></script>`,
            );
        return true;
      }
      if (url.pathname === '/rec.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(recorder(host));
        return true;
      }
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        hits.push({ host, path: url.pathname, body });
        res
          .writeHead(200, {
            'content-type': url.pathname.endsWith('.js') ? 'text/javascript' : 'text/plain',
            'access-control-allow-origin': '*',
          })
          .end('');
      });
      return true;
    },
  ]);
  browser = await launchChromium(['MAP *.test 127.0.0.1']);
});
afterAll(async () => {
  await browser.close();
  await server.close();
});
beforeEach(async () => {
  hits.length = 0;
  context = await browser.newContext();
  page = await context.newPage();
});
afterEach(() => context.close());

const open = async (path: string) => {
  await page.goto(`${server.origin('www.optin.test')}${path}`);
  await page.waitForFunction(() => 'optin' in window);
};
const run = async (code: string) => {
  await page.evaluate(`(({ consent, hub }) => { ${code} })(window.optin)`);
  // Settled once 400 ms pass with no new hit (a loaded machine delivers them late).
  for (let seen = -1; seen !== hits.length;) {
    seen = hits.length;
    await page.waitForTimeout(400);
  }
};
const hostsHit = (path?: string) =>
  [...new Set(hits.filter((h) => !path || h.path === path).map((h) => h.host))].sort();
const statsHits = (host: string) =>
  hits
    .filter((h) => h.host === host && h.path === '/hit')
    .map((h) => JSON.parse(h.body) as { type: string; context: { course: { id: string } } })
    .map((e) => `${e.type} ${e.context.course.id}`);
const harvard = '/learning/course/course-v1:HarvardX+CS50+2026_T1/home';
const mit = '/learning/course/course-v1:MITx+6.00x+2026/home';

describe('Member scoping in Chromium', () => {
  test("on a HarvardX course page HarvardX's tracker loads and MITx's does not", async () => {
    await open(harvard);
    await run('hub.page(); consent.acceptAll();');
    expect(hostsHit('/t.js')).toEqual(['ads.harvardx.test', 'ads.platform.test', 'stats.harvardx.test']);
    expect(hostsHit('/hit')).toEqual(['ads.harvardx.test', 'ads.platform.test', 'stats.harvardx.test']);
    const replayed = JSON.parse(hits.find((h) => h.host === 'stats.harvardx.test' && h.path === '/hit')!.body);
    expect(replayed.context.course).toEqual({ id: 'course-v1:HarvardX+CS50+2026_T1', org: 'HarvardX' });
    expect(hits.some((h) => h.host.endsWith('mitx.test'))).toBe(false);
  });

  test("on a HarvardX CCX page HarvardX's tracker loads, and every event carries the CCX as its course", async () => {
    await open('/courses/ccx-v1:HarvardX+CS50+2026_T1+ccx@3/courseware');
    await run("consent.acceptAll(); hub.page(); hub.track('edx.ui.lms.link_clicked', { target_url: '/x' });");
    expect(hostsHit('/t.js')).toEqual(['ads.harvardx.test', 'ads.platform.test', 'stats.harvardx.test']);
    expect(statsHits('stats.harvardx.test')).toEqual([
      'page ccx-v1:HarvardX+CS50+2026_T1+ccx@3',
      'track ccx-v1:HarvardX+CS50+2026_T1+ccx@3',
    ]);
    expect(
      JSON.parse(hits.find((h) => h.host === 'ads.platform.test' && h.path === '/hit')!.body).context.course,
    ).toEqual({
      id: 'ccx-v1:HarvardX+CS50+2026_T1+ccx@3',
      org: 'HarvardX',
    });
    expect(hits.some((h) => h.host.endsWith('mitx.test'))).toBe(false);
  });

  test("after an SPA navigation to an MITx course, HarvardX's tracker receives no further events", async () => {
    await open(harvard);
    await run("consent.acceptAll(); hub.page(); hub.track('edx.ui.lms.link_clicked', { target_url: '/x' });");
    const before = hits.filter((h) => h.host === 'stats.harvardx.test' && h.path === '/hit').length;
    expect(before).toBe(2);
    await run(`history.pushState({}, '', '${mit}'); hub.page(); hub.track('edx.ui.lms.sequence.next_selected', {});`);
    expect(hits.filter((h) => h.host === 'stats.harvardx.test' && h.path === '/hit')).toHaveLength(before);
    expect(hits.filter((h) => h.host === 'ads.harvardx.test' && h.path === '/hit')).toHaveLength(2);
    expect(
      hits
        .filter((h) => h.host === 'stats.mitx.test' && h.path === '/hit')
        .map((h) => JSON.parse(h.body).context.course.org),
    ).toEqual(['MITx', 'MITx']);
    expect(
      await page.evaluate(() =>
        (window as unknown as { optin: { hub: { loaded: string[] } } }).optin.hub.loaded.sort(),
      ),
    ).toEqual(['MITx/stats', 'ads']);
    // Back to HarvardX with the browser's back button: its trackers come back.
    await run('history.back();');
    await run('hub.page();');
    expect(hits.filter((h) => h.host === 'stats.harvardx.test' && h.path === '/hit')).toHaveLength(before + 1);
  });

  test('onScopeChange tells of each new Member once: not of a unit or another course of the same Member', async () => {
    await open(harvard);
    await page.evaluate(() => {
      const { hub } = (window as unknown as { optin: { hub: ScopedHub } }).optin;
      const told: string[] = [];
      const stop = hub.onScopeChange((scope) =>
        told.push(`${scope.member?.id ?? 'none'} ${scope.course?.id ?? 'none'}`),
      );
      Object.assign(window, { told, stop });
    });
    const told = () => page.evaluate(() => (window as unknown as { told: string[] }).told);
    const go = (path: string) => run(`history.pushState({}, '', '${path}');`);
    await go('/learning/course/course-v1:HarvardX+CS50+2026_T1/block-v1:HarvardX+CS50+2026_T1+type@vertical+block@u2');
    await go('/learning/course/course-v1:HarvardX+PH125+2026/home');
    expect(await told()).toEqual([]);
    await go(mit);
    expect(await told()).toEqual(['MITx course-v1:MITx+6.00x+2026']);
    expect(
      await page.evaluate(
        () =>
          (window as unknown as { optin: { hub: { scope: { member: { id: string } } } } }).optin.hub.scope.member.id,
      ),
    ).toBe('MITx');
    await go('/dashboard');
    await run('history.back();');
    expect(await told()).toEqual(['MITx course-v1:MITx+6.00x+2026', 'none none', 'MITx course-v1:MITx+6.00x+2026']);
    // Unsubscribed: told no more.
    await page.evaluate(() => (window as unknown as { stop: () => void }).stop());
    await go(harvard);
    expect(await told()).toHaveLength(3);
  });

  test('a listener that throws is reported, and the others and the hub go on', async () => {
    await open(harvard);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await run(
      "consent.acceptAll(); window.told = []; hub.onScopeChange(() => { throw new Error('listener broke'); }); hub.onScopeChange((s) => window.told.push(s.member.id));",
    );
    await run(`history.pushState({}, '', '${mit}'); hub.page();`);
    expect(errors).toEqual(['listener broke']);
    expect(await page.evaluate(() => (window as unknown as { told: string[] }).told)).toEqual(['MITx']);
    expect(statsHits('stats.mitx.test')).toEqual(['page course-v1:MITx+6.00x+2026']);
  });

  // A router on the Navigation API: navigation.navigate(url) (or a link it intercepts), no pushState.
  const router = (draw = 'async () => {}') =>
    page.evaluate(
      `navigation.addEventListener('navigate', (e) => e.canIntercept && e.intercept({ handler: ${draw} }))`,
    );

  test("after a navigation.navigate() to an MITx course, MITx's tracker loads and HarvardX's unloads, before any event", async () => {
    await open(harvard);
    await run('consent.acceptAll(); hub.page();');
    await router();
    await page.evaluate(`navigation.navigate('${mit}').finished`);
    await page.waitForTimeout(400);
    expect(
      await page.evaluate(() =>
        (window as unknown as { optin: { hub: { loaded: string[] } } }).optin.hub.loaded.sort(),
      ),
    ).toEqual(['MITx/stats', 'ads']);
    await expect.poll(() => hostsHit('/t.js'), { timeout: 10_000 }).toContain('stats.mitx.test');
  });

  test("a router that reports the MITx page while drawing it (before navigatesuccess) gives HarvardX's tracker nothing", async () => {
    await open(harvard);
    await run('consent.acceptAll(); hub.page();');
    await router("async () => { optin.hub.page(); optin.hub.track('edx.ui.lms.link_clicked', {}); }");
    await page.evaluate(`navigation.navigate('${mit}').finished`);
    await expect.poll(() => statsHits('stats.mitx.test').length, { timeout: 10_000 }).toBe(2);
    await page.waitForTimeout(400);
    expect(statsHits('stats.harvardx.test')).toEqual(['page course-v1:HarvardX+CS50+2026_T1']);
    expect(statsHits('stats.mitx.test')).toEqual(['page course-v1:MITx+6.00x+2026', 'track course-v1:MITx+6.00x+2026']);
    expect(statsHits('ads.platform.test').slice(-2)).toEqual([
      'page course-v1:MITx+6.00x+2026',
      'track course-v1:MITx+6.00x+2026',
    ]);
  });

  test("consent given while the router still draws the MITx page: HarvardX's trackers never load there", async () => {
    await open(harvard);
    await run('hub.page();'); // before any decision: kept until the learner decides
    await router('() => new Promise((done) => (window.drawn = done))');
    await page.evaluate(`void navigation.navigate('${mit}')`);
    await page.waitForFunction(() => 'drawn' in window && location.pathname.includes('MITx'));
    await run('consent.acceptAll();');
    await expect.poll(() => hostsHit('/t.js'), { timeout: 10_000 }).toEqual(['ads.platform.test', 'stats.mitx.test']);
    await page.evaluate('window.drawn()');
    await run('hub.page();');
    // The HarvardX page, viewed before the decision, goes to the platform's tracker only.
    await expect
      .poll(() => statsHits('ads.platform.test'), { timeout: 10_000 })
      .toEqual(['page course-v1:HarvardX+CS50+2026_T1', 'page course-v1:MITx+6.00x+2026']);
    expect(statsHits('stats.mitx.test')).toEqual(['page course-v1:MITx+6.00x+2026']);
    expect(hits.some((h) => h.host.endsWith('harvardx.test'))).toBe(false);
  });

  test("with HarvardX.marketing refused, HarvardX's marketing tracker never loads while the platform's does", async () => {
    await open(harvard);
    await run(
      "consent.decide({ purposes: { analytics: true, marketing: true }, members: { HarvardX: { marketing: false } } }, 'preferences'); hub.page();",
    );
    expect(hostsHit('/t.js')).toEqual(['ads.platform.test', 'stats.harvardx.test']);
    expect(hits.some((h) => h.host === 'ads.harvardx.test')).toBe(false);
  });

  test("by default the page reloads when HarvardX's recorder, which cannot unload, would run on MITx's page", async () => {
    await open(`${harvard}?reload`);
    await run('consent.acceptAll();');
    const recorded = (host: string) =>
      hits.filter((h) => h.host === host && h.path === '/rec').map((h) => new URL(h.body).pathname);
    await expect.poll(() => recorded('rec.harvardx.test'), { timeout: 10_000 }).toEqual([harvard]);
    let before = 0;
    const loads: string[] = [];
    page.on('load', () => {
      loads.push(new URL(page.url()).pathname);
      before = recorded('rec.harvardx.test').length;
    });
    await run(`history.pushState({}, '', '${mit}?reload'); hub.page();`);
    await expect.poll(() => loads, { timeout: 10_000 }).toEqual([mit]);
    await page.waitForFunction(() => 'optin' in window);
    await run("hub.page(); history.pushState({}, '', '/learning/course/course-v1:MITx+6.00x+2026/progress?reload');");
    // (MITx's recorder may also start in the page before the reload, as the move put it in scope: its
    // record of that page may or may not leave before the reload does.)
    await expect
      .poll(() => [...new Set(recorded('rec.mitx.test'))], { timeout: 10_000 })
      .toEqual([mit, '/learning/course/course-v1:MITx+6.00x+2026/progress']);
    expect(await page.evaluate(() => (window as unknown as { optin: { hub: ScopedHub } }).optin.hub.loaded)).toEqual([
      'MITx/rec',
    ]);
    // After the reload HarvardX's recorder is gone: nothing more of MITx's pages reaches it.
    expect(recorded('rec.harvardx.test')).toHaveLength(before);
  });

  test("a Member's tracker is given a referrer as origin and path only, and none naming another Member's course", async () => {
    await open(`${harvard}?token=secret`);
    await run('consent.acceptAll(); hub.page();');
    const progress = '/learning/course/course-v1:MITx+6.00x+2026/progress';
    await run(`history.pushState({}, '', '${mit}?q=2#f'); hub.page();`);
    await run(`history.pushState({}, '', '${progress}?x=1'); hub.page();`);
    const referrers = (host: string) =>
      hits
        .filter((h) => h.host === host && h.path === '/hit')
        .map((h) => JSON.parse(h.body) as { type: string; properties: { referrer?: string } })
        .filter((e) => e.type === 'page')
        .map((e) => e.properties.referrer ?? 'none');
    const origin = server.origin('www.optin.test');
    // HarvardX's page is not MITx's to know of: no referrer; MITx's own page, without its query.
    expect(referrers('stats.mitx.test')).toEqual(['', `${origin}${mit}`]);
    // The platform's tracker is given the referrer as the hub has it.
    expect(referrers('ads.platform.test')).toEqual(['', `${origin}${harvard}?token=secret`, `${origin}${mit}?q=2#f`]);
  });

  test("a Member's tracker is given no property of any event naming another Member's course, and previous pages by origin and path only", async () => {
    await open(harvard);
    const origin = server.origin('www.optin.test');
    const props = {
      referrer: `${origin}${mit}?q=1`,
      httpReferer: `${origin}${harvard}?token=secret`,
      previous_url: `${origin}${mit}`,
      prevPage: `${origin}${harvard}?token=secret`,
      navigation: { from: `${origin}${mit}`, to: '/next' },
      source_location: 'sidebar',
      target_url: `/courses/course-v1:MITx+6.00x+2026/about`,
      back: `${origin}/dashboard?next=/courses/course-v1%3AMITx%2B6.00x%2B2026/`,
      note: 'see course-v1:MITx+6.00x+2026 too',
      cut: 'course-v1:MITx',
      other: 'course-v1:edX+DemoX+2026',
      own: 'course-v1:HarvardX+CS50+2026_T1',
      list: ['course-v1:MITx+6.00x+2026', 'kept'],
      'course-v1:MITx+6.00x+2026': 1,
      count: 3,
    };
    await run(
      `consent.acceptAll(); const p = ${JSON.stringify(props)}; hub.track('edx.ui.lms.link_clicked', p); hub.page('x', p); hub.identify('u1', { last_course: '${mit}', first: 'x' });`,
    );
    const given = (host: string) =>
      hits
        .filter((h) => h.host === host && h.path === '/hit')
        .map((h) => JSON.parse(h.body) as { type: string; properties?: Record<string, unknown>; traits?: unknown });
    const confined = {
      referrer: '',
      httpReferer: `${origin}${harvard}`,
      previous_url: '',
      prevPage: `${origin}${harvard}`,
      navigation: { from: '', to: '/next' },
      source_location: 'sidebar',
      target_url: '',
      back: `${origin}/dashboard`,
      note: '',
      cut: '',
      other: '',
      own: 'course-v1:HarvardX+CS50+2026_T1',
      list: ['', 'kept'],
      count: 3,
    };
    await expect.poll(() => given('stats.harvardx.test').length).toBe(3);
    await expect.poll(() => given('ads.platform.test').length).toBeGreaterThan(0);
    // Each event is its own request: they may arrive in any order.
    const [track, view, identify] = ['track', 'page', 'identify'].map((type) =>
      given('stats.harvardx.test').find((e) => e.type === type),
    );
    expect(track?.properties).toEqual(confined);
    expect(view?.properties).toEqual({ ...confined, url: `${origin}${harvard}`, path: harvard, title: 'course' });
    expect(identify?.traits).toEqual({ last_course: '', first: 'x' });
    // The platform's tracker is given them as the hub has them.
    expect(given('ads.platform.test').find((e) => e.type === 'track')?.properties).toEqual(props);
  });

  test("a Member's tracker is given an action's or page's name with each word naming another Member's course as [course]", async () => {
    await open(harvard);
    await run(
      "consent.acceptAll(); hub.track('Clicked course-v1:MITx+6.00x+2026 link', {}); hub.track('Opened course-v1:HarvardX+CS50+2026_T1', {}); hub.page('Home course-v1%3AMITx%2B6.00x%2B2026', {});",
    );
    const names = (host: string) =>
      hits
        .filter((h) => h.host === host && h.path === '/hit')
        .map((h) => JSON.parse(h.body) as { event?: string; name?: string })
        .map((e) => e.event ?? e.name)
        .sort(); // each event is its own request: they may arrive in any order
    expect(names('stats.harvardx.test')).toEqual([
      'Clicked [course] link',
      'Home [course]',
      'Opened course-v1:HarvardX+CS50+2026_T1',
    ]);
    expect(names('ads.platform.test')).toEqual([
      'Clicked course-v1:MITx+6.00x+2026 link',
      'Home course-v1%3AMITx%2B6.00x%2B2026',
      'Opened course-v1:HarvardX+CS50+2026_T1',
    ]);
  });

  test("outside any course only the platform's trackers run", async () => {
    await open('/dashboard');
    await run('consent.acceptAll(); hub.page();');
    expect(hostsHit()).toEqual(['ads.platform.test']);
  });
});
