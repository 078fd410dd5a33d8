import fc from 'fast-check';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ga4 } from '../src/ga4.js';
import { gtm } from '../src/gtm.js';
import { hotjar } from '../src/hotjar.js';
import { linkedin } from '../src/linkedin.js';
import { meta } from '../src/meta.js';
import { segment } from '../src/segment.js';
import type { Tracker } from '../src/index.js';
import { startStandIn, type Hit, type StandIn } from './fixtures/stand-in.js';

/** The trackers of the test page (test/fixtures/page.ts), as declared: their purposes and hosts. */
const trackers: Pick<Tracker, 'id' | 'purposes' | 'hosts'>[] = [
  ga4({ id: 'G-TEST1' }),
  gtm({ id: 'GTM-TEST1', purposes: ['analytics', 'marketing'] }),
  meta({ id: '1234567890' }),
  segment({ writeKey: 'wk1' }),
  segment({ writeKey: 'wkEU', apiHost: 'events.eu1.segmentapis.com/v1', trackerId: 'segment-eu' }),
  linkedin({ partnerId: '555' }),
  hotjar({ siteId: 777 }),
  { id: 'youtube', purposes: ['marketing'], hosts: ['www.youtube.com'] },
  { id: 'hubspot', purposes: ['marketing'], hosts: ['js.hs-scripts.com', 'track.hubspot.com'] },
];
const purposes = ['analytics', 'performance', 'functionality', 'marketing'] as const;

/** The trackers a hit can belong to (GA4 and GTM share a host: the path tells them apart). */
function ownersOf(hit: Hit): string[] {
  if (hit.host === 'www.googletagmanager.com') return [hit.path.startsWith('/gtm.js') ? 'gtm' : 'ga4'];
  const matches = (pattern: string) =>
    pattern.startsWith('*.') ? hit.host.endsWith(pattern.slice(1)) : hit.host === pattern;
  return trackers.filter((t) => t.hosts.some(matches)).map((t) => t.id);
}

type Action =
  | { kind: 'decide'; choice: Partial<Record<(typeof purposes)[number], boolean>> }
  | { kind: 'acceptAll' | 'rejectAll' | 'call' }
  | { kind: 'withdraw'; purpose: (typeof purposes)[number] }
  | { kind: 'navigate'; path: string }
  | { kind: 'insert'; tag: 'script' | 'iframe' };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({
    kind: fc.constant('decide' as const),
    choice: fc.record(Object.fromEntries(purposes.map((p) => [p, fc.boolean()])), { requiredKeys: [] }),
  }),
  fc.constantFrom({ kind: 'acceptAll' as const }, { kind: 'rejectAll' as const }, { kind: 'call' as const }),
  fc.record({ kind: fc.constant('withdraw' as const), purpose: fc.constantFrom(...purposes) }),
  fc.record({
    kind: fc.constant('navigate' as const),
    path: fc.constantFrom('/', '/dashboard', '/courses/course-v1:MITx+6.00x+2026/'),
  }),
  fc.record({ kind: fc.constant('insert' as const), tag: fc.constantFrom('script' as const, 'iframe' as const) }),
);

/** The page code of an action. */
function codeOf(a: Action): string {
  switch (a.kind) {
    case 'decide':
      return `consent.decide({ purposes: ${JSON.stringify(a.choice)} })`;
    case 'acceptAll':
    case 'rejectAll':
      return `consent.${a.kind}()`;
    case 'withdraw':
      return `consent.withdraw('${a.purpose}')`;
    case 'call':
      return "hub.page(); hub.track('edx.ui.lms.link_clicked'); hub.identify('learner-1')";
    case 'insert':
      return a.tag === 'script'
        ? "const s = document.createElement('script'); s.type = 'text/plain'; s.dataset.optinTracker = 'hubspot'; s.src = 'https://js.hs-scripts.com/123.js'; document.body.append(s)"
        : "const f = document.createElement('iframe'); f.dataset.optinTracker = 'youtube'; f.dataset.src = 'https://www.youtube.com/embed/x'; document.body.append(f)";
    case 'navigate':
      return '';
  }
}

let standIn: StandIn;
let context: BrowserContext;
let page: Page;
beforeAll(async () => {
  standIn = await startStandIn();
  context = await standIn.context();
  page = await context.newPage();
});
afterAll(() => standIn.close());

test('over 200 random sequences, no request reaches a host of a tracker whose purposes are not granted at that moment', async () => {
  let sequences = 0;
  let checked = 0;
  /** What was granted during each step, for every sequence so far. */
  const grantedAt = new Map<number, ReadonlySet<string>>();
  /** Waits until the page (reloaded, maybe, when a tracker asked for it) and its requests are done. */
  const ready = async () => {
    await standIn.settle(context, 40);
    await page.waitForFunction(() => 'optin' in window);
    await standIn.settle(context, 40);
  };
  /** Every hit not checked yet belongs to a tracker allowed during the step it was sent in. */
  const check = (actions: Action[]) => {
    for (const hit of standIn.hits.slice(checked)) {
      const granted = grantedAt.get(hit.step) ?? new Set();
      const allowed = ownersOf(hit).some((id) =>
        trackers.find((t) => t.id === id)!.purposes.every((p) => granted.has(p)),
      );
      expect(
        allowed,
        `${hit.host}${hit.path} with [${[...granted].join(', ')}] granted in ${JSON.stringify(actions)}`,
      ).toBe(true);
      checked += 1;
    }
  };
  await fc.assert(
    fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 6 }), async (actions) => {
      sequences += 1;
      // The model: the purposes the learner has granted now.
      const granted = new Set<string>();
      // A failed run's last hits are not blamed on the next (shrinking) run's actions.
      await standIn.settle(context, 40);
      checked = standIn.hits.length;
      // Leave the page first: the consent store follows cookie changes, and clearing them under it
      // would rightly withdraw everything (and may reload the page) in the middle of the next goto.
      await page.goto('about:blank');
      await context.clearCookies();
      standIn.step += 1;
      grantedAt.set(standIn.step, new Set(granted));
      await page.goto(standIn.url('/courses/course-v1:HarvardX+CS50+2026/'));
      await ready();
      check(actions);
      for (const a of actions) {
        standIn.step += 1;
        if (a.kind === 'decide') for (const [p, on] of Object.entries(a.choice)) granted[on ? 'add' : 'delete'](p);
        if (a.kind === 'acceptAll') purposes.forEach((p) => granted.add(p));
        if (a.kind === 'rejectAll') granted.clear();
        if (a.kind === 'withdraw') granted.delete(a.purpose);
        grantedAt.set(standIn.step, new Set(granted));
        if (a.kind === 'navigate') await page.goto(standIn.url(a.path));
        else
          await page.evaluate(
            `window.__optinStep = ${standIn.step}; (({ consent, hub }) => { ${codeOf(a)} })(window.optin)`,
          );
        await ready();
        check(actions);
      }
      await standIn.settle(context, 100);
      check(actions);
    }),
    { numRuns: 200 },
  );
  expect(sequences).toBeGreaterThanOrEqual(200);
  // The sequences made the trackers work: many hits were checked, not none.
  expect(checked).toBeGreaterThan(500);
}, 600_000);
