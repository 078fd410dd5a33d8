import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { cookieList } from '../../../test-support/browser.js';
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
  standIn.delays = {};
  context = await standIn.context();
  page = await context.newPage();
});
afterEach(() => context.close());

const coursePath = '/courses/course-v1:HarvardX+CS50+2026/courseware';

/** Opens the course page with the given trackers (all when omitted) and waits for it to settle. */
async function open(trackers?: string, path = coursePath, query = '') {
  await page.goto(standIn.url(`${path}?${trackers ? `trackers=${trackers}` : ''}${query}`));
  await page.waitForFunction(() => 'optin' in window);
  await standIn.settle(context);
}

/** Runs `code` against the page's consent store and hub, then waits for the network to settle. */
async function act(code: string) {
  await page.evaluate(`(({ consent, hub }) => { ${code} })(window.optin)`);
  await page.waitForFunction(() => 'optin' in window);
  await standIn.settle(context);
}

/** Page code that adds HubSpot's static tag (`<script type="text/plain" data-optin-tracker>`). */
const addHubspotTag = `
  const tag = document.createElement('script');
  tag.type = 'text/plain';
  tag.dataset.optinTracker = 'hubspot';
  tag.src = 'https://js.hs-scripts.com/123.js';
  document.body.append(tag);
`;

/** The value of Consent Mode signal `key` in each consent command on data layer `layer`, in order. */
const signals = (layer: string, key: string) =>
  page.evaluate(
    ([layer, key]) =>
      ((window as unknown as Record<string, IArguments[]>)[layer] ?? [])
        .filter((command) => command[0] === 'consent')
        .map((command) => (command[2] as Record<string, string>)[key]),
    [layer, key] as const,
  );
const reloadRequired = () =>
  page.evaluate(() => (window as unknown as { optin: { hub: { reloadRequired: string[] } } }).optin.hub.reloadRequired);
/** The ids the hub passed to each call of `onReloadRequired`, in order. */
const reloads = () => page.evaluate(() => (window as unknown as { optin: { reloads: string[][] } }).optin.reloads);
/** How many of Meta's hits for pixel `id` are event `ev`. */
const pixelEvents = (id: string, ev: string) =>
  standIn.hits.filter((h) => h.host === 'www.facebook.com' && h.path.includes(`id=${id}&ev=${ev}&`)).length;

const hosts = () => [...new Set(standIn.hits.map((h) => h.host))].sort();
/**
 * Waits (up to 10 s) until `read()` gives `expected` (`toEqual`), lets the network go quiet, and checks
 * it again. A vendor's script runs, and sends, only after its download, and its own code or hits come
 * later still: gaps that a busy machine stretches past the quiet spell `act` waits for. A hit sent
 * twice comes in the same burst, so one too many still fails.
 */
async function settled<T>(read: () => T | Promise<T>, expected: T) {
  await expect.poll(read, { timeout: 10_000 }).toEqual(expected);
  await standIn.settle(context);
  expect(await read()).toEqual(expected);
}
/** Resolves once the page's consent store no longer allows `purpose` (up to 10 s). */
const withdrawn = (purpose: string) =>
  page.waitForFunction(
    (purpose) =>
      !(window as unknown as { optin: { consent: { allows(p: string): boolean } } }).optin.consent.allows(purpose),
    purpose,
    { timeout: 10_000 },
  );
const cookieNames = async () => (await cookieList(context)).map((c) => c.split('@')[0]!);

describe('the hub in Chromium, with every vendor host routed to a stand-in', () => {
  test('1. before any decision: no request to any vendor host and no cookie at all', async () => {
    await open();
    await act("hub.track('edx.ui.lms.link_clicked', { target_url: '/about' }); hub.identify('learner-1');");
    await page.waitForTimeout(300);
    expect(standIn.hits).toEqual([]);
    expect(await cookieList(context)).toEqual([]);
    // Consent Mode's default is the first thing on the dataLayer, everything denied but security.
    expect(
      await page.evaluate(() => [...((window as unknown as { dataLayer: IArguments[] }).dataLayer[0] ?? [])]),
    ).toEqual([
      'consent',
      'default',
      {
        ad_storage: 'denied',
        ad_user_data: 'denied',
        ad_personalization: 'denied',
        analytics_storage: 'denied',
        functionality_storage: 'denied',
        personalization_storage: 'denied',
        security_storage: 'granted',
        wait_for_update: 500,
      },
    ]);
  });

  test('2. reject all, then navigate: still no vendor request, only the consent cookie', async () => {
    await open();
    await act('consent.rejectAll();');
    await open(undefined, '/dashboard');
    await act("hub.page(); hub.track('edx.bi.user.account.registered');");
    expect(standIn.hits).toEqual([]);
    expect(await cookieList(context)).toEqual([expect.stringMatching(/^optin@\.optin\.test=/)]);
  });

  test('3. accept analytics only: GA4 loads and gets the buffered page view, once; Meta never loads', async () => {
    await open('ga4,meta');
    expect(standIn.hits).toEqual([]);
    await act('consent.decide({ purposes: { analytics: true } });');
    await settled(hosts, ['region1.google-analytics.com', 'www.googletagmanager.com']);
    const pageViews = standIn.hits.filter((h) => h.path.startsWith('/g/collect') && h.path.includes('en=page_view'));
    expect(pageViews).toHaveLength(1);
    expect(decodeURIComponent(pageViews[0]!.path)).toContain(`dl=${standIn.url(coursePath)}`);
    expect(pageViews[0]!.path).toContain('gcs=G111');
    expect(await cookieNames()).toEqual(expect.arrayContaining(['_ga', '_ga_TEST1', 'optin']));
    await act("hub.page('next'); hub.track('edx.ui.lms.link_clicked');");
    expect(hosts()).not.toContain('connect.facebook.net');
    expect(hosts()).not.toContain('www.facebook.com');
    expect(await cookieNames()).not.toContain('_fbp');
  });

  test('4. withdraw analytics: _ga and _ga_* are gone on host and parent domain and every path; no further hits', async () => {
    await open('ga4,meta');
    await act('consent.decide({ purposes: { analytics: true } });');
    await page.evaluate(() => {
      // A copy an older page left on a course path and on the host, as real sites accumulate.
      document.cookie = '_ga=old; Path=/courses; Domain=optin.test';
      document.cookie = '_ga_TEST1=old; Path=/courses/course-v1:HarvardX+CS50+2026';
      document.cookie = '_ga=old-host; Path=/';
    });
    const set = (await context.cookies())
      .filter((c) => c.name.startsWith('_ga'))
      .map((c) => `${c.name}@${c.domain}${c.path}`);
    expect(set).toEqual(
      expect.arrayContaining([
        '_ga@.optin.test/',
        '_ga@www.optin.test/',
        '_ga@.optin.test/courses',
        '_ga_TEST1@www.optin.test/',
        '_ga_TEST1@www.optin.test/courses/course-v1:HarvardX+CS50+2026',
      ]),
    );
    await act("consent.withdraw('analytics');");
    expect(await cookieNames()).toEqual(['optin']);
    expect(await page.evaluate(() => document.querySelectorAll('script[src*="googletagmanager"]').length)).toBe(0);
    const before = standIn.hits.length;
    await act("hub.page('after'); hub.track('edx.ui.lms.link_clicked'); hub.identify('learner-1');");
    await open('ga4,meta');
    await act("hub.page('after reload');");
    expect(standIn.hits.slice(before)).toEqual([]);
    expect(await cookieNames()).toEqual(['optin']);
  });

  test('5. a text/plain tag and an iframe inserted two seconds after load follow consent too', async () => {
    await open('ga4,youtube,hubspot');
    await page.waitForTimeout(2000);
    const insert = () =>
      act(`
        const script = document.createElement('script');
        script.type = 'text/plain';
        script.dataset.optinTracker = 'hubspot';
        script.src = 'https://js.hs-scripts.com/123.js';
        const frame = document.createElement('iframe');
        frame.dataset.src = 'https://www.youtube.com/embed/cs50';
        frame.dataset.optinTracker = 'youtube';
        document.body.append(script, frame);
      `);
    await insert();
    expect(standIn.hits).toEqual([]);
    await act('consent.decide({ purposes: { analytics: true } });');
    expect(hosts()).not.toEqual(expect.arrayContaining(['www.youtube.com']));
    expect(hosts().filter((h) => /hubspot|hs-scripts|youtube/.test(h))).toEqual([]);

    await act('consent.decide({ purposes: { marketing: true } });');
    await settled(hosts, expect.arrayContaining(['js.hs-scripts.com', 'track.hubspot.com', 'www.youtube.com']));
    expect(await page.evaluate(() => document.querySelector('iframe')?.getAttribute('src'))).toBe(
      'https://www.youtube.com/embed/cs50',
    );
    expect(await cookieNames()).toContain('hubspotutk');

    const before = standIn.hits.length;
    await act("consent.withdraw('marketing');");
    expect(
      await page.evaluate(() => [...document.querySelectorAll('iframe')].map((f) => f.getAttribute('src'))),
    ).toEqual(['about:blank']);
    expect(await page.evaluate(() => document.querySelectorAll('script[src*="hs-scripts"]:not([type])').length)).toBe(
      0,
    );
    expect(await cookieNames()).not.toContain('hubspotutk');
    await insert();
    await page.waitForTimeout(300);
    expect(standIn.hits.slice(before).filter((h) => /hubspot|hs-scripts|youtube/.test(h.host))).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { optin: { errors: string[] } }).optin.errors)).toEqual([]);
  });

  test('6. a withdrawal in a tab on another subdomain stops GA4 in this one at once (HTTPS: cookieStore)', async () => {
    await open('ga4');
    await act('consent.decide({ purposes: { analytics: true } });');
    const loaded = () => page.evaluate<string[]>('window.optin.hub.loaded');
    expect(await loaded()).toEqual(['ga4']);
    // The learner withdraws in another tab, on another subdomain: the shared cookie is the only link.
    const other = await context.newPage();
    await other.goto(standIn.url(`${coursePath}?trackers=ga4`).replace('//www.', '//learning.'));
    await other.waitForFunction(() => 'optin' in window);
    await other.evaluate("window.optin.consent.withdraw('analytics')");
    await expect.poll(loaded).toEqual([]);
    standIn.hits.length = 0;
    await act("hub.page(); hub.track('edx.ui.lms.link_clicked');");
    expect(standIn.hits).toEqual([]);
  });

  test('7. leaving a Member’s course in a single-page app reloads away its tracker that cannot unload', async () => {
    await open('hx-hotjar');
    await act('consent.acceptAll();');
    expect(await page.evaluate<string[]>('window.optin.hub.loaded')).toEqual(['HarvardX-hotjar']);
    // Hotjar's loader, then its code, then its hit: waited for, as a busy machine spaces them out.
    await expect.poll(hosts, { timeout: 10_000 }).toContain('in.hotjar.com');
    // To another Member's course: Hotjar would go on recording that page, so the app reloads.
    const reloaded = page.waitForEvent('load', { timeout: 5000 });
    await page.evaluate(() =>
      history.pushState({}, '', '/courses/course-v1:MITx+6.00x+2026/courseware?trackers=hx-hotjar'),
    );
    await reloaded;
    await page.waitForFunction(() => 'optin' in window);
    await standIn.settle(context);
    const running = await page.evaluate(() => ({
      hotjar: 'hj' in window || '_hjSettings' in window,
      scripts: document.querySelectorAll('script[src*="hotjar"]').length,
    }));
    expect(running).toEqual({ hotjar: false, scripts: 0 });
    expect(standIn.hits.filter((h) => h.host === 'in.hotjar.com' && h.path.includes('MITx'))).toEqual([]);
  });

  test('8. signing out (hub.identify(null)) resets Segment: what follows is not the previous learner’s', async () => {
    await open('segment');
    await act("consent.acceptAll(); hub.identify('learner-42'); hub.track('before_signout');");
    await act("hub.identify(null); hub.track('after_signout');");
    await open('segment', '/dashboard');
    await act("hub.track('next_page');");
    const tracks = () =>
      standIn.hits
        .filter((h) => h.host === 'api.segment.io' && h.path.startsWith('/v1/t'))
        .map((h) => new URL(h.path, 'https://api.segment.io').searchParams)
        .map((q) => `${q.get('name') ?? ''} by ${q.get('userId') || 'nobody'}`)
        // (Sorted: image requests may arrive in any order.)
        .sort();
    await settled(tracks, ['after_signout by nobody', 'before_signout by learner-42', 'next_page by nobody']);
    // The vendor's script, added as every script a page creates: async (it never holds up the page).
    expect(
      await page.evaluate(() =>
        [...document.querySelectorAll<HTMLScriptElement>('script[data-optin-script]')].map((s) => s.async),
      ),
    ).toEqual([true]);
    expect(await cookieNames()).not.toContain('ajs_user_id');
  });

  test('a grant after a withdrawal starts Segment with new ids: analytics.js’s localStorage copies of the old ones go, else it copied them back into new cookies', async () => {
    const ids = () =>
      standIn.hits
        .filter((h) => h.host === 'api.segment.io' && h.path.startsWith('/v1/t'))
        .map((h) => new URL(h.path, 'https://api.segment.io').searchParams)
        .map((q) => `${q.get('name') ?? ''} ${q.get('anon') ?? ''} ${q.get('userId') || 'nobody'}`)
        .sort();
    const stored = () =>
      page.evaluate(() =>
        Object.keys(localStorage)
          .filter((k) => k.startsWith('ajs_'))
          .sort(),
      );
    await open('segment');
    await act("consent.acceptAll(); hub.identify('learner-42', { email: 'a@b.c' }); hub.track('before');");
    await expect.poll(ids, { timeout: 10_000 }).toHaveLength(1);
    const [, before] = ids()[0]!.split(' ');
    expect(await stored()).toEqual(['ajs_anonymous_id', 'ajs_user_id', 'ajs_user_traits']);
    // A reload (the hub asks for one) without the learner's choice changing: the same learner.
    await open('segment', '/dashboard');
    await act("hub.track('again');");
    await expect.poll(ids, { timeout: 10_000 }).toHaveLength(2);
    expect(ids()[0]).toBe(`again ${before} learner-42`);
    await act("consent.withdraw('analytics');");
    await open('segment', '/dashboard');
    await act("consent.acceptAll(); hub.track('after');");
    await expect.poll(ids, { timeout: 10_000 }).toHaveLength(3);
    const after = ids().find((id) => id.startsWith('after '))!;
    expect(after).not.toContain(before);
    expect(after).toMatch(/^after \d+ nobody$/);
    expect(await stored()).toEqual(['ajs_anonymous_id']);
  });

  test.each(['segment-eu', 'segment-eu-url'])(
    "an EU workspace's Segment sends to the apiHost it declares (Regional Segment), never to api.segment.io (%s)",
    async (tracker) => {
      await open(tracker);
      await act("consent.acceptAll(); hub.track('edx.ui.lms.link_clicked');");
      // analytics.js sends once it has run, which may be later than the network's quiet spell `act`
      // waits for (a busy machine): waited for, not assumed.
      await expect
        .poll(
          () =>
            standIn.hits
              .filter((h) => h.host === 'events.eu1.segmentapis.com')
              .map((h) => new URL(h.path, 'https://x').pathname)
              .sort(),
          { timeout: 10_000 },
        )
        .toEqual(['/v1/p', '/v1/t']);
      expect(hosts()).toEqual(['cdn.segment.com', 'events.eu1.segmentapis.com']);
    },
  );

  test('9. the platform’s and a Member’s GTM containers each have their own data layer and see only their own events', async () => {
    await open('gtm,hx-gtm', coursePath, '&reload=later');
    await act(
      "consent.decide({ purposes: { analytics: true, marketing: true } }); hub.track('edx.ui.lms.link_clicked');",
    );
    // A later grant reaches the Member's container too, before the next message its tags fire on.
    await act(
      "consent.decide({ purposes: { functionality: true } }, 'preferences'); hub.track('edx.bi.user.account.registered');",
    );
    const seen = () => page.evaluate(() => (window as unknown as { __gtmSeen?: [string, string][] }).__gtmSeen ?? []);
    const of = async (container: string) =>
      (await seen()).filter(([c]) => c === container).map(([, message]) => message);
    const expected = [
      ...['consent default', 'consent update', 'gtm.js', 'optin.page', 'edx.ui.lms.link_clicked'],
      ...['consent update', 'edx.bi.user.account.registered'],
    ];
    // (Each container's gtm.js reads its layer once it has run: waited for.)
    await settled(() => of('GTM-TEST1'), expected);
    await settled(() => of('GTM-HX1'), expected);
    // The Member's container declares analytics only: on its layer Consent Mode grants nothing else,
    // whatever the platform's grants (the hub runs it only while analytics is allowed for HarvardX).
    expect(await signals('dataLayer', 'ad_storage')).toEqual(['denied', 'granted', 'granted']);
    expect(await signals('dataLayer', 'functionality_storage')).toEqual(['denied', 'denied', 'granted']);
    expect(await signals('dataLayer_HarvardX_gtm', 'ad_storage')).toEqual(['denied', 'denied', 'denied']);
    expect(await signals('dataLayer_HarvardX_gtm', 'functionality_storage')).toEqual(['denied', 'denied', 'denied']);
    expect(await signals('dataLayer_HarvardX_gtm', 'analytics_storage')).toEqual(['denied', 'granted', 'granted']);
    // A withdrawal reaches the Member's container at once too, though the hub sends it nothing more
    // (GTM's own triggers, clicks and timers, would fire until the reload).
    await act("consent.withdraw('analytics');");
    // The hub's update is copied, then the container, withdrawn, is told it is denied for good.
    expect(await signals('dataLayer_HarvardX_gtm', 'analytics_storage')).toEqual([
      'denied',
      'granted',
      'granted',
      'denied',
      'denied',
    ]);
    expect(await reloadRequired()).toEqual(['gtm', 'HarvardX/gtm']);
    expect(
      standIn.hits
        .filter((h) => h.path.startsWith('/gtm.js'))
        .map((h) => h.path)
        .sort(),
    ).toEqual(['/gtm.js?id=GTM-HX1&l=dataLayer_HarvardX_gtm', '/gtm.js?id=GTM-TEST1&l=dataLayer']);
  });

  test('9b. a withdrawal for one Member alone denies Consent Mode on its container’s layer at once, and later grants reach it denied until the reload', async () => {
    await open('gtm,hx-gtm', coursePath, '&reload=later');
    await act('consent.decide({ purposes: { analytics: true, marketing: true } });');
    // The platform's grants do not change: only HarvardX's analytics is refused.
    await act("consent.withdraw('analytics', 'HarvardX');");
    expect(await signals('dataLayer', 'analytics_storage')).toEqual(['denied', 'granted', 'granted']);
    // The hub's update (unchanged for the platform) is copied, then the container is told it is denied.
    expect(await signals('dataLayer_HarvardX_gtm', 'analytics_storage')).toEqual([
      'denied',
      'granted',
      'granted',
      'denied',
    ]);
    expect(await reloadRequired()).toEqual(['HarvardX/gtm']);
    // The container's own triggers still fire until the reload; its Google tags are denied whatever
    // the platform grants meanwhile, and the platform's container keeps what it was granted.
    await act("consent.decide({ purposes: { functionality: true } }, 'preferences');");
    expect((await signals('dataLayer_HarvardX_gtm', 'analytics_storage')).slice(3)).toEqual(['denied', 'denied']);
    expect(await signals('dataLayer_HarvardX_gtm', 'security_storage')).not.toContain('denied');
    expect((await signals('dataLayer', 'analytics_storage')).slice(1)).toEqual(['granted', 'granted', 'granted']);
  });

  test('9c. the containers of Members `Harvard` (tracker `X-gtm`) and `Harvard-X` (tracker `gtm`) have two layers: neither sees the other’s events', async () => {
    await open('ha-gtm,hax-gtm', '/courses/course-v1:Harvard+CS50+2026/courseware', '&reload=later');
    await act("consent.acceptAll(); hub.track('harvard.only');");
    // On to Harvard-X's course (a single-page app): Harvard's container cannot unload and runs until the
    // reload, which the hub asks for; Harvard-X's does not start before it (the app here reloads later).
    await act(
      "history.pushState({}, '', '/courses/course-v1:Harvard-X+CS50+2026/courseware?reload=later'); hub.page();",
    );
    const of = async (container: string) =>
      (await page.evaluate(() => (window as unknown as { __gtmSeen?: [string, string][] }).__gtmSeen ?? []))
        .filter(([c, message]) => c === container && !message.startsWith('consent'))
        .map(([, message]) => message);
    expect(await reloads()).toEqual([['Harvard/X-gtm']]);
    expect(await page.evaluate<string[]>('window.optin.hub.loaded')).toEqual([]);
    // The next pass (the page not reloaded yet) starts it.
    await act("hub.rescan(); hub.page(); hub.track('harvard-x.only');");
    await settled(() => of('GTM-HA1'), ['gtm.js', 'optin.page', 'harvard.only']);
    await settled(() => of('GTM-HAX1'), ['gtm.js', 'optin.page', 'harvard-x.only']);
    expect(await reloadRequired()).toEqual(['Harvard/X-gtm']);
    const layers = standIn.hits.filter((h) => h.path.startsWith('/gtm.js')).map((h) => h.path.split('&l=')[1]);
    expect(new Set(layers).size).toBe(2);
  });

  test('a vendor script still on its way when consent is withdrawn never runs: no hit, no cookie', async () => {
    // fbevents.js (loaded by the hub) and HubSpot's static tag arrive once marketing is withdrawn.
    await context.route(/connect\.facebook\.net|js\.hs-scripts\.com/, async (route) => {
      await withdrawn('marketing');
      await route.continue();
    });
    await open('meta,hubspot');
    await page.evaluate(`(({ consent }) => {
      ${addHubspotTag}
      consent.acceptAll();
      setTimeout(() => consent.withdraw('marketing'), 100);
    })(window.optin)`);
    await page.waitForTimeout(1200);
    await standIn.settle(context);
    // Both scripts were asked for (before the withdrawal), neither ran.
    expect(hosts()).toEqual(['connect.facebook.net', 'js.hs-scripts.com']);
    expect(
      await page.evaluate(() => ({ fbevents: (window as { fbq?: { __standIn?: boolean } }).fbq?.__standIn ?? false })),
    ).toEqual({
      fbevents: false,
    });
    expect(await cookieNames()).toEqual(['optin']);
  });

  test('a static tag of a tracker that cannot unload, still on its way when consent is withdrawn, never runs', async () => {
    // The static tag's copy arrives once marketing is withdrawn.
    await context.route(/js\.hs-scripts\.com/, async (route) => {
      await withdrawn('marketing');
      await route.continue();
    });
    await open('hubspot-stays', coursePath, '&reload=later');
    await page.evaluate(`(({ consent }) => {
      ${addHubspotTag}
      consent.acceptAll();
      setTimeout(() => consent.withdraw('marketing'), 100);
    })(window.optin)`);
    await page.waitForTimeout(1200);
    await standIn.settle(context);
    // Asked for before the withdrawal, it did not run: no hit to track.hubspot.com, no hubspotutk.
    expect(hosts()).toEqual(['js.hs-scripts.com']);
    expect(await cookieNames()).toEqual(['optin']);
  });

  test('a tracker that cannot unload, withdrawn while its script downloads and granted again before the reload, runs nothing of that script in the page', async () => {
    // Its script arrives once consent was withdrawn and granted again (held until then).
    await context.route(/static\.hotjar\.com/, async (route) => {
      await page.waitForFunction('window.regranted === true', undefined, { timeout: 10_000 });
      await route.continue();
    });
    await open('hotjar', coursePath, '&reload=later');
    await page.evaluate(`(({ consent }) => {
      consent.acceptAll();
      setTimeout(() => consent.withdraw('analytics'), 100);
      setTimeout(() => (consent.decide({ purposes: { analytics: true } }), (window.regranted = true)), 300);
    })(window.optin)`);
    // Its script, taken out of the page at the withdrawal, never ran (a reload starts it again): Hotjar
    // recorded nothing; the tracker is reused as it is, so no reload is needed for consent's sake.
    await page.waitForFunction('window.regranted === true');
    await page.waitForTimeout(1000);
    await standIn.settle(context);
    expect(hosts()).not.toContain('in.hotjar.com');
    const hub = await page.evaluate(() => {
      const { loaded, reloadRequired } = (
        window as unknown as { optin: { hub: { loaded: string[]; reloadRequired: string[] } } }
      ).optin.hub;
      return { loaded, reloadRequired };
    });
    expect(hub).toEqual({ loaded: ['hotjar'], reloadRequired: [] });
  });

  /** What the hub and the late trackers of the page (test/fixtures/page.ts) say, and the script runs. */
  const lateState = () =>
    page.evaluate(() => {
      const w = window as unknown as {
        __scriptRuns?: number;
        optin: {
          errors: string[];
          lateLoads: Record<string, boolean>;
          hub: { loaded: string[]; reloadRequired: string[] };
        };
      };
      const { errors, lateLoads, hub } = w.optin;
      return { runs: w.__scriptRuns ?? 0, errors, lateLoads, loaded: hub.loaded, reloadRequired: hub.reloadRequired };
    });
  /** The late trackers' state, with no error reported and no reload required. */
  const expectLate = async (state: { runs: number; lateLoads: Record<string, boolean>; loaded: string[] }) =>
    expect(await lateState()).toEqual({ ...state, errors: [], reloadRequired: [] });
  /** Nothing reached the stand-in vendor hosts, the page given time to add and run a script. */
  const nothingSent = async () => {
    await page.waitForTimeout(300);
    await standIn.settle(context);
    expect(standIn.hits).toEqual([]);
  };

  test('a tracker whose load awaits (a remote configuration), withdrawn during the await: its script is never added, no request to its host', async () => {
    await open('late', coursePath, '&reload=later');
    await act('consent.acceptAll();');
    await act("consent.withdraw('analytics');");
    await act('optin.release();');
    await nothingSent();
    expect(await page.evaluate(() => document.querySelectorAll('script[src*="example-cdn"]').length)).toBe(0);
    // ctx.loadScript answered false, and nothing was reported (no script failed: none was asked for).
    await expectLate({ runs: 0, lateLoads: { late: false }, loaded: [] });
  });

  test('a Member’s tracker whose load awaits, its page left for another Member’s (pushState) during the await: no request to its host', async () => {
    await open('hx-late', coursePath, '&reload=later');
    await act('consent.acceptAll();');
    await act("history.pushState(null, '', '/courses/course-v1:MITx+6.00x+2026/courseware');");
    await act('optin.release();');
    await nothingSent();
    await expectLate({ runs: 0, lateLoads: { 'hx-late': false }, loaded: [] });
  });

  test('a tracker that cannot unload, withdrawn during its load’s await and granted again before it ends, gets its script', async () => {
    await open('late-stays', coursePath, '&reload=later');
    await act('consent.acceptAll();');
    await act("consent.withdraw('analytics');");
    await act("consent.decide({ purposes: { analytics: true } }, 'preferences');");
    await act('optin.release();');
    await settled(hosts, ['static.example-cdn.com']);
    await expectLate({ runs: 1, lateLoads: { 'late-stays': true }, loaded: ['late-stays'] });
  });

  test('a tracker that cannot unload, whose load’s await ends while withdrawn, granted again before the reload: resumed without its script (README Limits)', async () => {
    await open('late-stays', coursePath, '&reload=later');
    await act('consent.acceptAll();');
    await act("consent.withdraw('analytics');");
    await act('optin.release();');
    await act("consent.decide({ purposes: { analytics: true } }, 'preferences');");
    await nothingSent();
    await expectLate({ runs: 0, lateLoads: { 'late-stays': false }, loaded: ['late-stays'] });
    expect(await reloads()).toEqual([['late-stays']]);
  });

  /** Releases the late trackers' loads, and resolves once the request for `tracker`'s script (held back) is out. */
  const scriptOnItsWay = async (tracker: string) => {
    standIn.delays[`static.example-cdn.com/ok.js?${tracker}`] = 1500;
    await page.evaluate('window.optin.release()');
    await expect.poll(() => hosts(), { timeout: 10_000 }).toEqual(['static.example-cdn.com']);
  };
  /** Waits until the script held back has arrived (and would have run), the network quiet. */
  const arrived = async () => {
    await standIn.settle(context);
    await page.waitForTimeout(300);
  };

  test('a tracker that cannot unload, withdrawn while its script is still on its way: the script never runs, and a reload is asked for (what its load set up stays)', async () => {
    await open('late-stays', coursePath, '&reload=later');
    await act('consent.acceptAll();');
    await scriptOnItsWay('late-stays');
    await page.evaluate("window.optin.consent.withdraw('analytics')");
    await arrived();
    // ctx.loadScript never answers: the script was taken out before it arrived.
    expect(await lateState()).toEqual({
      runs: 0,
      lateLoads: {},
      loaded: [],
      errors: [],
      reloadRequired: ['late-stays'],
    });
    expect(await reloads()).toEqual([['late-stays']]);
  });

  test('a Member’s tracker that cannot unload, its page left for another Member’s (pushState) while its script is on its way: the script never runs there, and a reload is asked for', async () => {
    await open('hx-late-stays', coursePath, '&reload=later');
    await act('consent.acceptAll();');
    await scriptOnItsWay('hx-late-stays');
    await page.evaluate("history.pushState(null, '', '/courses/course-v1:MITx+6.00x+2026/courseware?reload=later')");
    await arrived();
    expect(await lateState()).toEqual({
      runs: 0,
      lateLoads: {},
      loaded: [],
      errors: [],
      reloadRequired: ['hx-late-stays'],
    });
    expect(await reloads()).toEqual([['hx-late-stays']]);
  });

  test('a single-page app leaving a Member’s page whose tracker ran and cannot unload asks for a reload, and starts no tracker of the new Member’s page before it', async () => {
    await open('hx-late-stays,mitx-ga4', coursePath, '&reload=later');
    await act('consent.acceptAll(); optin.release();');
    await settled(async () => (await lateState()).runs, 1);
    await act("history.pushState(null, '', '/courses/course-v1:MITx+6.00x+2026/courseware?reload=later'); hub.page();");
    expect(await reloads()).toEqual([['hx-late-stays']]);
    expect(await page.evaluate<string[]>('window.optin.hub.loaded')).toEqual([]);
    await page.waitForTimeout(300);
    await standIn.settle(context);
    expect(hosts()).toEqual(['static.example-cdn.com']);
  });

  test('a withdrawal in a tab of another subdomain, in a browser without the Cookie Store API: the next call of a tab left open (neither focused nor shown again) reaches no withdrawn tracker', async () => {
    await context.addInitScript(() => Object.defineProperty(window, 'cookieStore', { value: undefined }));
    await open('ga4');
    await act("consent.acceptAll(); hub.track('before.withdrawal');");
    const events = (name: string) =>
      standIn.hits.filter((h) => h.host === 'region1.google-analytics.com' && h.path.includes(`en=${name}&`)).length;
    await settled(() => events('before.withdrawal'), 1);
    // The same learner in a tab of learning.optin.test (the consent cookie is on optin.test).
    const other = await context.newPage();
    await other.goto(standIn.url(`${coursePath}?trackers=ga4`).replace('//www.', '//learning.'));
    await other.waitForFunction("window.optin?.consent.allows('analytics')");
    await other.evaluate("window.optin.consent.withdraw('analytics')");
    await standIn.settle(context);
    await page.evaluate("window.optin.hub.track('after.withdrawal')");
    await page.waitForTimeout(300);
    await standIn.settle(context);
    expect(events('after.withdrawal')).toBe(0);
    expect(await page.evaluate<string[]>('window.optin.hub.loaded')).toEqual([]);
  });

  test('10. withdrawal deletes __Secure- and __Host- cookies too', async () => {
    await open('prefixed');
    await act('consent.acceptAll();');
    await page.evaluate(() => {
      document.cookie = '__Secure-optin_vid=1; Path=/; Secure; Domain=optin.test; Max-Age=9999';
      document.cookie = '__Host-optin_vs=1; Path=/; Secure; Max-Age=9999';
    });
    expect((await cookieNames()).sort()).toEqual(['__Host-optin_vs', '__Secure-optin_vid', 'optin']);
    await act("consent.withdraw('analytics');");
    expect(await cookieNames()).toEqual(['optin']);
  });

  test('scripts load under a strict CSP with the page’s nonce and with SRI; a failed one is reported, never thrown', async () => {
    await open('ga4,hubspot,script-ok,script-bad-sri,script-missing', coursePath, '&csp=1');
    await act(`
      ${addHubspotTag}
      consent.acceptAll();
    `);
    // gtag.js and the static tag's copy ran under script-src 'nonce-…': they sent their hits.
    await settled(hosts, expect.arrayContaining(['region1.google-analytics.com', 'track.hubspot.com']));
    const state = await page.evaluate(() => {
      const w = window as unknown as { __scriptRuns?: number; optin: { errors: string[]; hub: { loaded: string[] } } };
      return { runs: w.__scriptRuns, errors: w.optin.errors, loaded: w.optin.hub.loaded };
    });
    expect(state.runs).toBe(1);
    expect(state.errors.sort()).toEqual([
      'script_failed trackers.script-bad-sri.load',
      'script_failed trackers.script-missing.load',
    ]);
    expect(state.loaded).toEqual(['ga4', 'hubspot', 'script-ok', 'script-bad-sri', 'script-missing']);
    // Idempotent: asking again for a loaded script adds no second element.
    expect(
      await page.evaluate(() => document.querySelectorAll('script[src="https://static.example-cdn.com/ok.js"]').length),
    ).toBe(1);
  });

  test('every adapter sees exactly the hub’s page views: none of its own, on load or on history changes', async () => {
    await open('ga4,meta,linkedin,segment');
    const pageViews = () => ({
      ga4: standIn.hits.filter((h) => h.path.startsWith('/g/collect') && h.path.includes('en=page_view')).length,
      meta: standIn.hits.filter((h) => h.host === 'www.facebook.com' && h.path.includes('ev=PageView')).length,
      linkedin: standIn.hits.filter((h) => h.host === 'px.ads.linkedin.com').length,
      segment: standIn.hits.filter((h) => h.host === 'api.segment.io' && h.path.startsWith('/v1/p')).length,
    });
    await act('consent.acceptAll();');
    // Only the page view the page sent before the decision, replayed (once every vendor's script has run).
    await settled(pageViews, { ga4: 1, meta: 1, linkedin: 1, segment: 1 });
    // History changes the hub is not told of: none of the vendors' scripts sends a page view of its own.
    await act("history.pushState({}, '', '/courses/next'); history.pushState({}, '', '/dashboard');");
    await page.waitForTimeout(300);
    await standIn.settle(context);
    expect(pageViews()).toEqual({ ga4: 1, meta: 1, linkedin: 1, segment: 1 });
    await act('hub.page();');
    await settled(pageViews, { ga4: 2, meta: 2, linkedin: 2, segment: 2 });
    // Consent Mode's default reached the dataLayer before gtag.js was even configured.
    const commands = await page.evaluate(() =>
      (window as unknown as { dataLayer: unknown[] }).dataLayer.map((entry) =>
        [...(entry as IArguments)].slice(0, 2).join(' '),
      ),
    );
    expect(commands.indexOf('consent default')).toBe(0);
    expect(commands.indexOf('consent update')).toBeLessThan(commands.indexOf('config G-TEST1'));
  });

  test('two Meta pixels: the Member’s withdrawn for it alone, or left behind in an SPA, leaves the platform’s sending (and asks for a reload)', async () => {
    const pageViews = (id: string) => pixelEvents(id, 'PageView');
    await open('meta,hx-meta', coursePath, '&reload=later');
    await act('consent.acceptAll();');
    const both = () => [pageViews('1234567890'), pageViews('999')];
    await settled(both, [1, 1]);
    // HarvardX alone is refused marketing: the hub sends its pixel nothing more, the platform's (still
    // granted) goes on; but Meta cannot stop one pixel alone, so a reload is asked for.
    await act("consent.withdraw('marketing', 'HarvardX'); hub.page();");
    expect(await page.evaluate<string[]>('window.optin.hub.loaded')).toEqual(['meta']);
    await settled(both, [2, 1]);
    expect(await reloadRequired()).toEqual(['HarvardX-meta']);
    // Granted again, then left behind by an SPA navigation to a page that is not HarvardX's.
    await act('consent.decide({ members: { HarvardX: { marketing: true } } }); hub.page();');
    await settled(both, [3, 2]);
    expect(await reloadRequired()).toEqual([]);
    await act("history.pushState({}, '', '/dashboard?reload=later'); hub.page();");
    expect(await page.evaluate<string[]>('window.optin.hub.loaded')).toEqual(['meta']);
    await settled(both, [4, 2]);
    expect(await reloads()).toEqual([['HarvardX-meta'], ['HarvardX-meta']]);
  });

  test('a Member’s Meta pixel refused while the platform’s runs still gets what the page sends every pixel: the hub asks for a reload; with every pixel refused, Meta’s consent is revoked', async () => {
    await open('meta,hx-meta', coursePath, '&reload=later');
    await act('consent.acceptAll();');
    await act("consent.withdraw('marketing', 'HarvardX');");
    // `fbq('track')` (the page's own code, or the platform's static tag) reaches every pixel Meta runs.
    await act("fbq('track', 'Lead');");
    const leads = () => [pixelEvents('1234567890', 'Lead'), pixelEvents('999', 'Lead')];
    await settled(leads, [1, 1]);
    expect(await reloadRequired()).toEqual(['HarvardX-meta']);
    expect(await reloads()).toEqual([['HarvardX-meta']]);
    // The platform's refused too: Meta's consent is revoked, and nothing reaches either pixel.
    await act("consent.withdraw('marketing'); fbq('track', 'Lead');");
    expect(leads()).toEqual([1, 1]);
  });

  test('a Member’s pixel left behind for another Member’s page (revoked) is never turned back on by that Member’s pixel: the second stays off until the reload', async () => {
    await open('hx-meta,mitx-meta', coursePath, '&reload=later');
    await act('consent.acceptAll();');
    await expect.poll(() => pixelEvents('999', 'PageView'), { timeout: 10_000 }).toBe(1);
    // A single-page app goes on to MITx's course: HarvardX's pixel is the only one, so Meta's consent is revoked.
    await act("history.pushState({}, '', '/courses/course-v1:MITx+6.00x+2026/courseware?reload=later'); hub.page();");
    // MITx's pixel's grant would be page-wide: HarvardX's, still set up in fbevents.js, would get MITx's Purchase.
    await act("fbq('track', 'Purchase');");
    expect(pixelEvents('999', 'Purchase')).toBe(0);
    expect(await page.evaluate<string[]>('window.optin.hub.loaded')).toEqual([]);
    expect(await page.evaluate<string[]>('window.optin.errors')).toEqual(['tracker_failed trackers.MITx-meta.load']);
  });

  test('a declared cookie set Partitioned (CHIPS: gtag with cookie_flags Partitioned, an embedded LTI frame) is deleted on withdrawal', async () => {
    await open('ga4');
    await act('consent.acceptAll();');
    await page.evaluate(() => {
      document.cookie = '_ga=GA1.1.42.42; Path=/; Domain=optin.test; Secure; SameSite=None; Partitioned; Max-Age=600';
    });
    expect(await page.evaluate(() => document.cookie)).toMatch(/_ga=GA1\.1\.42\.42/);
    await act("consent.withdraw('analytics');");
    expect(await page.evaluate(() => document.cookie)).not.toMatch(/_ga=/);
  });

  test('a withdrawal deletes every cookie Hotjar sets: ids, session, sampling and its test cookies', async () => {
    await open('hotjar', coursePath, '&reload=later');
    await act('consent.acceptAll();');
    const names = [
      ...['_hjSessionUser_777', '_hjSession_777', '_hjid', '_hjFirstSeen', '_hjIncludedInSessionSample_777'],
      ...['_hjAbsoluteSessionInProgress', '_hjTLDTest', '_hjLocalStorageTest', '_hjSessionStorageTest'],
      '_hjCookieTest',
    ];
    await page.evaluate((names) => {
      for (const name of names) document.cookie = `${name}=1; Path=/; Domain=optin.test; Max-Age=600`;
      document.cookie = 'site_own=1; Path=/; Max-Age=600';
    }, names);
    expect((await cookieNames()).filter((n) => names.includes(n))).toHaveLength(names.length);
    await act("consent.withdraw('analytics');");
    expect((await cookieNames()).filter((n) => n.startsWith('_hj'))).toEqual([]);
    expect(await cookieNames()).toContain('site_own');
  });

  test('destroyed and created again (an app mounted twice), the hub starts no tracker a second time', async () => {
    await open('gtm,hx-gtm,linkedin,meta,ga4', coursePath, '&reload=later');
    await act('consent.acceptAll();');
    const state = () =>
      page.evaluate(() => {
        const w = window as unknown as Record<string, unknown[]> & { __gtmSeen: [string, string][] };
        return {
          gtm: w.__gtmSeen.map(([c, m]) => `${c} ${m}`),
          partners: w._linkedin_data_partner_ids,
          gtag: (w.dataLayer as IArguments[]).filter((c) => c[0] === 'config').length,
        };
      });
    // Both containers have run (they read their layers once their gtm.js has arrived and run).
    await settled(
      async () => (await state()).gtm.filter((m) => m.endsWith('gtm.js')).sort(),
      ['GTM-HX1 gtm.js', 'GTM-TEST1 gtm.js'],
    );
    const before = await state();
    await act('window.optin.restart();');
    const restarted = await state();
    await act("consent.withdraw('functionality');");
    const after = await state();
    expect(after.gtm.filter((m) => m.endsWith('gtm.js')).sort()).toEqual(['GTM-HX1 gtm.js', 'GTM-TEST1 gtm.js']);
    // Each container hears the next change once.
    expect(after.gtm.slice(restarted.gtm.length).sort()).toEqual([
      'GTM-HX1 consent update',
      'GTM-TEST1 consent update',
    ]);
    expect(after.partners).toEqual(['555']);
    expect(after.gtag).toBe(before.gtag);
    expect(await page.evaluate<string[]>('window.optin.hub.loaded')).toEqual([
      'gtm',
      'HarvardX/gtm',
      'linkedin',
      'meta',
      'ga4',
    ]);
    // The new hub follows consent: a withdrawal unloads what the first hub loaded.
    await act("consent.withdraw('analytics');");
    expect(await page.evaluate(() => (window as unknown as Record<string, unknown>)['ga-disable-G-TEST1'])).toBe(true);
  });

  test('a hub of another bundle (its own copy of this package) taking over after destroy() revokes Meta when marketing is withdrawn', async () => {
    await open('meta', coursePath, '&reload=later&other=1');
    await act('consent.acceptAll();');
    await act('window.optin.restartOther();');
    expect(await page.evaluate<string[]>('window.optin.hub.loaded')).toEqual(['meta']);
    await act("consent.withdraw('marketing'); fbq('track', 'Lead');");
    expect(pixelEvents('1234567890', 'Lead')).toBe(0);
    expect(await reloadRequired()).toEqual([]);
  });

  test('LinkedIn, its hub created again (an app mounted twice): each partner once a view, and a refused Member’s partner off the tag', async () => {
    const hits = (pid: string) =>
      standIn.hits.filter((h) => h.host === 'px.ads.linkedin.com' && h.path.includes(`pid=${pid}&`)).length;
    await open('linkedin,hx-linkedin', coursePath, '&reload=later');
    await act('consent.acceptAll();');
    await act('window.optin.restart();');
    expect(
      await page.evaluate(
        () => (window as unknown as { _linkedin_data_partner_ids: string[] })._linkedin_data_partner_ids,
      ),
    ).toEqual(['555', '666']);
    standIn.hits.length = 0;
    await act('window.optin.hub.page();');
    const both = () => [hits('555'), hits('666')];
    await settled(both, [1, 1]);
    await act('consent.decide({ members: { HarvardX: { marketing: false } } }); window.optin.hub.page();');
    await settled(both, [2, 1]);
  });

  test('without cookieDomain, withdrawal deletes the cookies vendors set on the registrable domain too (_ga, _fbp)', async () => {
    await open('ga4,meta', coursePath, '&cookiedomain=none');
    await act('consent.acceptAll();');
    const set = async () => (await context.cookies()).map((c) => `${c.name}@${c.domain}`);
    await settled(set, expect.arrayContaining(['_ga@.optin.test', '_fbp@.optin.test']));
    await act('consent.rejectAll();');
    expect(await cookieNames()).toEqual(['optin']);
  });

  test('a static tag in the page’s HTML with its own CSP nonce runs when allowed, though the hub was given no nonce', async () => {
    await open('hubspot', coursePath, '&csp=1&static=1&hubnonce=none');
    await act('consent.acceptAll();');
    await settled(hosts, ['js.hs-scripts.com', 'track.hubspot.com']);
    expect(await cookieNames()).toContain('hubspotutk');
    await act("consent.withdraw('marketing');");
    expect(await cookieNames()).not.toContain('hubspotutk');
  });

  test('cookieDomain written with a leading dot (".optin.test"), as consent takes it: withdrawal still deletes on the parent domain', async () => {
    await open('ga4', coursePath, '&cookiedomain=.optin.test');
    await act('consent.decide({ purposes: { analytics: true } });');
    const set = async () =>
      (await context.cookies()).filter((c) => c.name.startsWith('_ga')).map((c) => `${c.name}@${c.domain}`);
    await settled(set, expect.arrayContaining(['_ga@.optin.test']));
    await act("consent.withdraw('analytics');");
    expect(await cookieNames()).toEqual(['optin']);
  });

  test('in a sandboxed document (no cookies, no storage: they throw) the hub is made, waits for consent and loads on it', async () => {
    // The page's own errors (the HubSpot stand-in, which sets a cookie, throws in its own script).
    const errors: string[] = [];
    page.on('pageerror', (e) => e.stack?.includes('/app.js') && errors.push(e.message));
    await open('hubspot', coursePath, '&static=1&sandbox=1');
    expect(await page.evaluate(() => origin)).toBe('null'); // an opaque origin: document.cookie throws
    expect(standIn.hits).toEqual([]);
    await act('consent.acceptAll();');
    await settled(hosts, expect.arrayContaining(['js.hs-scripts.com']));
    await act("consent.withdraw('marketing');");
    expect(errors).toEqual([]);
  });

  test('static tags inserted as HTML (innerHTML, nested), inline and with src, run when allowed', async () => {
    await open('hubspot');
    await act(`
      const box = document.createElement('section');
      box.innerHTML = '<div><p>Course intro</p><script type="text/plain" data-optin-tracker="hubspot" src="https://js.hs-scripts.com/123.js"></scr' + 'ipt>' +
        '<script type="text/plain" data-optin-tracker="hubspot">window.__inline = (window.__inline || 0) + 1;</scr' + 'ipt></div>';
      document.body.append(box);
    `);
    expect(standIn.hits).toEqual([]);
    await act('consent.acceptAll();');
    await settled(hosts, ['js.hs-scripts.com', 'track.hubspot.com']);
    expect(await page.evaluate(() => (window as unknown as { __inline?: number }).__inline)).toBe(1);
  });
});

// An element named like a property of the document (`<img name="cookie">`, `<form name="scripts">`: the
// document's named properties, which a course's HTML or a forum post may hold) shadows it on `document`.
describe('elements of the page named like document properties (<img name="cookie">)', () => {
  /** How many scripts of a vendor the page has (found from its root element: the page may shadow document.querySelectorAll). */
  const scriptsOf = (host: string) =>
    page.evaluate((host) => document.documentElement.querySelectorAll(`script[src*="${host}"]`).length, host);

  test('in the HTML: the hub is made, deletes a refused tracker’s cookies, never loads it, and a withdrawal deletes the granted one’s', async () => {
    // Meta's cookie from an earlier visit: marketing is not granted on this page.
    const earlier = (name: string) => ({ name, value: '1', domain: '.optin.test', path: '/', secure: true });
    await context.addCookies([earlier('_fbp')]);
    await open('ga4,meta', coursePath, '&named=cookie');
    expect(await page.evaluate(() => (document.cookie as unknown) instanceof HTMLImageElement)).toBe(true);
    expect(await cookieNames()).not.toContain('_fbp');
    await act('consent.decide({ purposes: { analytics: true } });');
    await expect.poll(() => scriptsOf('googletagmanager')).toBe(1);
    // GA4's cookies (its script reads document.cookie, which the element shadows: set as on an earlier page).
    await context.addCookies([earlier('_ga'), earlier('_ga_TEST1')]);
    await act("consent.withdraw('analytics');");
    expect((await cookieNames()).filter((n) => n.startsWith('_'))).toEqual([]);
    expect(await scriptsOf('googletagmanager')).toBe(0);
    expect(hosts().filter((h) => h.includes('facebook'))).toEqual([]);
    expect(await page.evaluate<string[]>('window.optin.errors')).toEqual([]);
  });

  test('in the HTML (<img name="createElement">, "head", "title", "referrer"): a granted tracker’s script loads, and page views carry the page’s title and referrer', async () => {
    const referer = standIn.url('/dashboard');
    await page.goto(standIn.url(`${coursePath}?trackers=ga4&named=createElement,head,title,referrer`), { referer });
    await page.waitForFunction(() => 'optin' in window);
    expect(
      await page.evaluate(() =>
        ['createElement', 'head', 'title', 'referrer'].map(
          (name) => (document as unknown as Record<string, unknown>)[name] instanceof HTMLImageElement,
        ),
      ),
    ).toEqual([true, true, true, true]);
    // The app's page view (kept until the decision), then one more.
    await act("consent.decide({ purposes: { analytics: true } }); hub.page('next');");
    await expect.poll(() => scriptsOf('googletagmanager')).toBe(1);
    const pageViews = await page.evaluate(() =>
      (window as unknown as { dataLayer: IArguments[] }).dataLayer
        .filter((c) => c[0] === 'event' && c[1] === 'page_view')
        .map((c) => {
          const p = c[2] as { page_title: unknown; page_referrer: unknown };
          return [p.page_title, p.page_referrer];
        }),
    );
    expect(pageViews).toEqual([
      ['Course', referer],
      ['Course', await page.evaluate(() => location.href)],
    ]);
    expect(await page.evaluate<string[]>('window.optin.errors')).toEqual([]);
  });

  test.each(['cookie', 'scripts', 'prerendering', 'querySelectorAll'])(
    'inserted after a grant (<img name="%s">): a withdrawal still deletes the cookies, takes the scripts out and asks for a reload',
    async (name) => {
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await open('ga4,linkedin', coursePath, '&reload=later');
      await act('consent.acceptAll();');
      await settled(async () => (await cookieNames()).filter((n) => n.startsWith('_ga')).sort(), ['_ga', '_ga_TEST1']);
      await act(`const img = document.createElement('img'); img.name = '${name}'; document.body.append(img);`);
      await act('consent.rejectAll();');
      expect((await cookieNames()).filter((n) => n.startsWith('_ga'))).toEqual([]);
      expect(await scriptsOf('googletagmanager')).toBe(0);
      expect(await reloads()).toEqual([['linkedin']]);
      expect(errors).toEqual([]);
    },
  );
});

describe('built-in adapters against their vendors (stand-ins in Chromium)', () => {
  test('Segment receives the hub’s context (course, the learner’s categoryPreferences) with every call', async () => {
    await open('segment', coursePath, '&context=1');
    await act(
      "consent.decide({ purposes: { analytics: true } }); hub.track('edx.ui.lms.link_clicked'); hub.page('Outline');",
    );
    const read = () =>
      standIn.hits
        .filter((h) => h.host === 'api.segment.io')
        .map((h) => new URL(h.path, 'https://api.segment.io'))
        // In the order the page sent them (each is an image of its own: they may arrive in any order).
        .sort((a, b) => parseInt(a.searchParams.get('_s')!) - parseInt(b.searchParams.get('_s')!))
        .map(
          (u) =>
            [
              `${u.pathname} ${u.searchParams.get('name') ?? ''}`,
              JSON.parse(u.searchParams.get('ctx') ?? '{}') as Record<string, unknown>,
            ] as const,
        );
    await settled(() => read().map(([call]) => call), ['/v1/p ', '/v1/t edx.ui.lms.link_clicked', '/v1/p Outline']);
    const calls = read();
    // Every call, the replayed page view too, carries the course of the page it was made on.
    expect(calls.map(([, ctx]) => ctx.course)).toEqual(Array(3).fill({ id: 'course-v1:HarvardX+CS50+2026' }));
    // Without `context.consent`, Segment's Consent Management forwards the events to every
    // destination, marketing ones included ("events without the consent object continue to flow").
    // (The replayed page view carries the context of when it was made, before the decision.)
    expect(calls.slice(1).map(([, ctx]) => ctx.consent)).toEqual(
      Array(2).fill({
        categoryPreferences: {
          necessary: true,
          analytics: true,
          performance: false,
          functionality: false,
          marketing: false,
        },
      }),
    );
  });

  test('the platform’s and a Member’s LinkedIn tags on one page: each page view and conversion reaches each partner once', async () => {
    const hits = (pid: string) =>
      standIn.hits.filter((h) => h.host === 'px.ads.linkedin.com' && h.path.includes(`pid=${pid}&`)).length;
    await open('linkedin,hx-linkedin', coursePath, '&reload=later');
    await act('consent.acceptAll();');
    // The page view sent before the decision, replayed.
    const both = () => [hits('555'), hits('666')];
    await settled(both, [1, 1]);
    await act("hub.page(); hub.track('edx.bi.user.account.registered', { conversion_id: 42 });");
    await settled(both, [3, 3]);
    // HarvardX's marketing refused: its partner id is off the tag, so the platform's views no longer reach it.
    await act('consent.decide({ members: { HarvardX: { marketing: false } } }); hub.page();');
    await settled(both, [4, 3]);
  });

  test('the platform’s and a Member’s Segment on one page: one source (the first), each call once, nothing to the Member after its refusal', async () => {
    const sent = (key: string) =>
      standIn.hits
        .filter((h) => h.host === 'api.segment.io' && h.path.includes(`writeKey=${key}&`))
        .map((h) => new URL(h.path, 'https://api.segment.io').searchParams.get('name'));
    await open('segment,hx-segment', coursePath, '&reload=later');
    await act("consent.acceptAll(); hub.track('clicked');");
    // analytics.js is one per window: the Member's copy is reported and sent nothing.
    expect(sent('wkHX')).toEqual([]);
    await settled(() => sent('wk1').filter((n) => n === 'clicked'), ['clicked']);
    expect(await page.evaluate(() => (window as unknown as { optin: { errors: string[] } }).optin.errors)).toEqual([
      'tracker_failed trackers.HarvardX-segment.load',
    ]);
    await act("consent.decide({ members: { HarvardX: { analytics: false } } }); hub.track('after_member_refusal');");
    expect(sent('wkHX')).toEqual([]);
    expect(standIn.hits.filter((h) => h.host === 'cdn.segment.com').map((h) => h.path)).toEqual([
      '/analytics.js/v1/wk1/analytics.min.js',
    ]);
  });

  test('a GTM data layer name that is no JavaScript name is the same safe name in the script URL and on the window', async () => {
    await open('gtm-odd-layer');
    await act('consent.acceptAll();');
    const gtmJs = standIn.hits.filter((h) => h.path.startsWith('/gtm.js')).map((h) => h.path);
    expect(gtmJs).toEqual(['/gtm.js?id=GTM-OK1&l=x_id_GTM_EVIL']);
    // The container reads the layer the hub pushes to: it saw the consent default and the page view.
    const seen = () =>
      page.evaluate(() => JSON.stringify((window as unknown as { __gtmSeen?: unknown }).__gtmSeen ?? []));
    await settled(seen, expect.stringContaining('optin.page'));
  });

  /** The page views Hotjar recorded (the page it started on, then each `stateChange`), as paths, in order. */
  const hotjarViews = (site = 777) =>
    standIn.hits
      .filter((h) => h.host === 'in.hotjar.com' && h.path.includes(`/sites/${site}/`))
      .map((h) => new URL(h.path, 'https://in.hotjar.com').searchParams)
      .filter((q) => q.get('kind') === 'load' || q.get('kind') === 'stateChange')
      .map((q) => new URL(q.get('v') ?? '', standIn.url()).pathname);

  test('Hotjar records each page once: the one it starts on (consent given there, or already given), then each page the hub sends', async () => {
    await open('hotjar');
    await act('consent.acceptAll();');
    // The page view sent before the decision is the page Hotjar records by itself as it starts.
    // (Hotjar's loader, then its code, then its hit: waited for.)
    await settled(hotjarViews, [coursePath]);
    await act("history.pushState({}, '', '/dashboard'); hub.page();");
    await settled(hotjarViews, [coursePath, '/dashboard']);
    // The next page, consent already given: Hotjar starts as the hub loads, and the app sends its page view.
    standIn.hits.length = 0;
    await open('hotjar', '/dashboard');
    await settled(hotjarViews, ['/dashboard']);
  });

  test('Hotjar, whose code arrives after the learner went on to another page: that page once, and nothing of the page left', async () => {
    // Hotjar's code arrives once the learner is on the dashboard (held until then, however slow the machine).
    await context.route(/script\.hotjar\.com/, async (route) => {
      await page.waitForFunction(() => location.pathname === '/dashboard', undefined, { timeout: 10_000 });
      await route.continue();
    });
    await open('hotjar');
    await page.evaluate(`(({ consent, hub }) => {
      consent.acceptAll();
      setTimeout(() => (history.pushState({}, '', '/dashboard'), hub.page()), 300);
    })(window.optin)`);
    // Hotjar records the page it starts on: a state change to the course page, left before it started,
    // would have it count the dashboard's recording as the course's.
    await settled(hotjarViews, ['/dashboard']);
  });

  test('the platform’s and a Member’s Hotjar on one page: one Hotjar (the first site), told of each page once, nothing to the Member after its refusal', async () => {
    await open('hotjar,hx-hotjar', coursePath, '&reload=later');
    await act("consent.acceptAll(); hub.track('clicked'); hub.identify('learner-1');");
    // Hotjar has started on the course page (waited for: one that starts on the next page records that one).
    await settled(() => hotjarViews(777), [coursePath]);
    const next = coursePath.replace('courseware', 'progress');
    await act(`history.pushState({}, '', '${next}'); hub.page();`);
    // Hotjar runs once a page, under one site id: the first tracker's (the platform's, listed first).
    await settled(() => hotjarViews(777), [coursePath, next]);
    // Each action and identity reaches it once, though both trackers are sent them.
    const told = standIn.hits
      .filter((h) => h.path.startsWith('/api/v2/client/sites/777/') && !/kind=(load|stateChange)/.test(h.path))
      .map((h) => new URL(h.path, 'https://in.hotjar.com').searchParams.get('kind'));
    // Two requests of their own: they may reach the stand-in in either order.
    expect(told.sort()).toEqual(['event', 'identify']);
    await act("consent.decide({ members: { HarvardX: { analytics: false } } }); hub.track('after_member_refusal');");
    expect(standIn.hits.filter((h) => h.path.includes('/sites/888/'))).toEqual([]);
  });
});

describe('consent and the pages vendors see, in Chromium', () => {
  const facebook = () =>
    standIn.hits.filter((h) => h.host === 'www.facebook.com').map((h) => new URL(h.path, 'https://x').searchParams);

  test('opt-out mode with GPC: what the learner did while marketing was refused never reaches the Meta pixel granted later', async () => {
    await context.addInitScript(() =>
      Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }),
    );
    await open('ga4,meta', coursePath, '&mode=opt-out');
    expect(await page.evaluate<string[]>('window.optin.hub.loaded')).toEqual(['ga4']);
    await act(
      "history.pushState({}, '', '/courses/course-v1:HarvardX+CS50+2026/progress'); hub.page(); hub.track('edx.ui.lms.link_clicked', { target_url: 'x' });",
    );
    // GA4 (analytics, allowed by the opt-out defaults) got them live: the page view on load and the two calls.
    await settled(
      () =>
        standIn.hits
          .filter((h) => h.path.startsWith('/g/collect'))
          .map((h) => new URL(h.path, 'https://x').searchParams.get('en')),
      ['page_view', 'page_view', 'edx.ui.lms.link_clicked'],
    );
    await act(
      "history.pushState({}, '', '/dashboard'); consent.decide({ purposes: { marketing: true } }, 'preferences');",
    );
    await settled(hosts, expect.arrayContaining(['connect.facebook.net']));
    expect(facebook()).toEqual([]);
    await act('hub.page();');
    await settled(
      () => facebook().map((q) => [q.get('ev'), new URL(q.get('dl')!).pathname]),
      [['PageView', '/dashboard']],
    );
  });

  test('a Member’s GA4 uses no ad signals (Google signals, ad personalization) while the platform’s, granted marketing, does', async () => {
    await open('ga4,hx-ga4');
    await act(
      "consent.decide({ purposes: { analytics: true, marketing: true }, members: { HarvardX: { marketing: false } } }, 'preferences'); hub.page('next');",
    );
    const views = (tid: string) =>
      standIn.hits
        .filter((h) => h.path.startsWith('/g/collect') && h.path.includes(`tid=${tid}&`))
        .map((h) => new URL(h.path, 'https://x').searchParams)
        .map((q) => `${q.get('en')} npa=${q.get('npa')} gs=${q.get('gs')}`);
    await settled(() => views('G-TEST1'), ['page_view npa=0 gs=1', 'page_view npa=0 gs=1']);
    await settled(() => views('G-HX1'), ['page_view npa=1 gs=0', 'page_view npa=1 gs=0']);
  });

  test('a page view kept until the decision reaches a tracker whose static tag sets up its queue (Matomo’s `_paq`): it is replayed after the tag ran', async () => {
    await open('matomo');
    // The page's static tag (the view of the course was sent, and kept, on load).
    await act(`
      const tag = document.createElement('script');
      tag.type = 'text/plain';
      tag.dataset.optinTracker = 'matomo';
      tag.text = 'window._paq = window._paq || [];';
      document.body.append(tag);
    `);
    expect(await page.evaluate(() => '_paq' in window)).toBe(false);
    await act('consent.acceptAll();');
    expect(await page.evaluate(() => (window as unknown as { _paq: unknown })._paq)).toEqual([
      ['trackPageView', coursePath],
    ]);
    expect(await page.evaluate(() => (window as unknown as { optin: { errors: string[] } }).optin.errors)).toEqual([]);
  });

  test('calls kept until the decision reach only the trackers in scope when they were made: not another Member’s after a single-page app moved to its page', async () => {
    await open('ga4,hx-ga4,mitx-ga4', coursePath, '&reload=later');
    // The view of HarvardX's course (sent on load) and an action there are kept; the learner moves on to MITx's.
    const mitx = '/courses/course-v1:MITx+6.00x+2026/courseware';
    await act(`hub.track('edx.course.enrollment.activated'); history.pushState({}, '', '${mitx}');`);
    await act('consent.acceptAll();');
    const sent = (tid: string) =>
      standIn.hits
        .filter((h) => h.host === 'region1.google-analytics.com' && h.path.includes(`tid=${tid}&`))
        .map((h) => new URL(h.path, 'https://x').searchParams.get('en'));
    await settled(() => sent('G-TEST1').sort(), ['edx.course.enrollment.activated', 'page_view']);
    expect(sent('G-MIT1')).toEqual([]);
    expect(sent('G-HX1')).toEqual([]);
  });

  test('page views replayed after the decision reach Meta and LinkedIn only for the page the learner is on (they read its URL), GA4 for each', async () => {
    await open('ga4,meta,linkedin');
    const progress = '/courses/course-v1:HarvardX+CS50+2026/progress';
    await act(`history.pushState({}, '', '${progress}'); hub.page();`);
    await act('consent.acceptAll();');
    const path = (url: string | null) => new URL(url ?? '', 'https://x').pathname;
    const seen = (host: string, param: string) =>
      standIn.hits
        .filter((h) => h.host === host)
        .map((h) => new URL(h.path, 'https://x').searchParams)
        .sort((a, b) => parseFloat(a.get('_s')!) - parseFloat(b.get('_s')!))
        .map((q) => path(q.get(param)));
    await settled(() => seen('region1.google-analytics.com', 'dl'), [coursePath, progress]);
    await settled(() => seen('www.facebook.com', 'dl'), [progress]);
    await settled(() => seen('px.ads.linkedin.com', 'url'), [progress]);
  });
});

describe('onNavigate in Chromium (which has the Navigation API)', () => {
  test('calls back once a navigation to another URL: pushState (two in one task too), replaceState, Back, # change, and a router’s intercepted navigation', async () => {
    await open('ga4');
    const calls = await page.evaluate(async () => {
      const w = window as unknown as {
        onNavigate: (f: () => void) => () => void;
        navigation: EventTarget & { navigate(url: string): { finished: Promise<unknown> } };
      };
      const seen: string[] = [];
      let drawn = '';
      const stop = w.onNavigate(() => seen.push(location.pathname + location.hash + drawn));
      const settle = () => new Promise((r) => setTimeout(r, 50));
      // Back, and what the browser reports after it.
      const back = () =>
        new Promise((r) => {
          addEventListener('popstate', () => setTimeout(r, 50), { once: true });
          history.back();
        });
      history.pushState({}, '', '/a');
      await settle();
      history.replaceState({}, '', '/b');
      await settle();
      history.replaceState({ scroll: 1 }, ''); // the same URL: where the page is has not changed
      await settle();
      // Two in one task (a redirect): Chromium reports the first as aborted, yet the page was there.
      history.pushState({}, '', '/c1');
      history.pushState({}, '', '/c2');
      await settle();
      await back();
      location.hash = 'h';
      await settle();
      await back();
      // A router that intercepts and draws the page later: reported once, before it is drawn.
      w.navigation.addEventListener('navigate', (e) =>
        (e as Event & { intercept(o: { handler(): Promise<void> }): void }).intercept({
          handler: () => new Promise<void>((r) => setTimeout(() => ((drawn = ' drawn'), r()), 100)),
        }),
      );
      await w.navigation.navigate('/r').finished;
      await settle();
      stop();
      return seen;
    });
    expect(calls).toEqual(['/a', '/b', '/c1', '/c2', '/c1', '/c1#h', '/c1', '/r']);
  });

  test('a router’s intercepted navigation is reported before its handler draws the new page (a Member’s scope never applies to another Member’s course page)', async () => {
    await open('ga4');
    const calls = await page.evaluate(async () => {
      const w = window as unknown as {
        onNavigate: (f: () => void) => () => void;
        navigation: EventTarget & { navigate(url: string): { finished: Promise<unknown> } };
      };
      const seen: string[] = [];
      const stop = w.onNavigate(() => seen.push(location.pathname));
      // The router's handler draws the new course page: what had been reported by then.
      w.navigation.addEventListener('navigate', (e) =>
        (e as Event & { intercept(o: { handler(): void }): void }).intercept({
          handler: () => void seen.push(`drawn ${location.pathname}`),
        }),
      );
      await w.navigation.navigate('/courses/course-v1:MITx+6.00x+2026/courseware').finished;
      await w.navigation.navigate('/courses/course-v1:HarvardX+CS50+2026/courseware').finished;
      stop();
      return seen;
    });
    expect(calls).toEqual([
      '/courses/course-v1:MITx+6.00x+2026/courseware',
      'drawn /courses/course-v1:MITx+6.00x+2026/courseware',
      '/courses/course-v1:HarvardX+CS50+2026/courseware',
      'drawn /courses/course-v1:HarvardX+CS50+2026/courseware',
    ]);
  });
});
