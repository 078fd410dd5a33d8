import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { startStandIn, type StandIn } from './fixtures/stand-in.js';

let standIn: StandIn;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  standIn = await startStandIn();
});
afterAll(() => standIn.close());
beforeEach(async () => {
  standIn.hits.length = 0;
  context = await standIn.context();
  page = await context.newPage();
});
afterEach(() => context.close());

const coursePath = '/courses/course-v1:HarvardX+CS50+2026/courseware';

/** Opens the course page with the given trackers and waits for it to settle. */
async function open(trackers: string, query = '') {
  await page.goto(standIn.url(`${coursePath}?trackers=${trackers}${query}`));
  await page.waitForFunction(() => 'optin' in window);
  await standIn.settle(context);
}

/** Runs `code` against the page's consent store and hub, then waits for the network to settle. */
async function act(code: string) {
  await page.evaluate(`(({ consent, hub }) => { ${code} })(window.optin)`);
  await standIn.settle(context);
}

describe('built-in adapters against their vendors (stand-ins in Chromium)', () => {
  test('Segment receives the hub’s context (course, the learner’s categoryPreferences) with every call', async () => {
    await open('segment', '&context=1');
    await act("consent.decide({ purposes: { analytics: true } }); hub.track('edx.ui.lms.link_clicked'); hub.page('Outline');");
    const calls = standIn.hits
      .filter((h) => h.host === 'api.segment.io')
      .map((h) => new URL(h.path, 'https://api.segment.io'))
      .map((u) => [`${u.pathname} ${u.searchParams.get('name') ?? ''}`, JSON.parse(u.searchParams.get('ctx') ?? '{}') as Record<string, unknown>] as const);
    expect(calls.map(([call]) => call)).toEqual(['/v1/p ', '/v1/t edx.ui.lms.link_clicked', '/v1/p Outline']);
    // Every call, the replayed page view too, carries the course of the page it was made on.
    expect(calls.map(([, ctx]) => ctx.course)).toEqual(Array(3).fill({ id: 'course-v1:HarvardX+CS50+2026' }));
    // Without `context.consent`, Segment's Consent Management forwards the events to every
    // destination, marketing ones included ("events without the consent object continue to flow").
    // (The replayed page view carries the context of when it was made, before the decision.)
    expect(calls.slice(1).map(([, ctx]) => ctx.consent)).toEqual(
      Array(2).fill({ categoryPreferences: { necessary: true, analytics: true, performance: false, functionality: false, marketing: false } }),
    );
  });

  test('the platform’s and a Member’s LinkedIn tags on one page: each page view and conversion reaches each partner once', async () => {
    const hits = (pid: string) => standIn.hits.filter((h) => h.host === 'px.ads.linkedin.com' && h.path.includes(`pid=${pid}&`)).length;
    await open('linkedin,hx-linkedin');
    await act('consent.acceptAll();');
    // The page view sent before the decision, replayed.
    expect([hits('555'), hits('666')]).toEqual([1, 1]);
    await act("hub.page(); hub.track('edx.bi.user.account.registered', { conversion_id: 42 });");
    expect([hits('555'), hits('666')]).toEqual([3, 3]);
  });
});
