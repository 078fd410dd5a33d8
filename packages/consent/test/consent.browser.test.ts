/**
 * Real-Chromium tests of @optin/consent: Debian's chromium driven by playwright-core, with every
 * `*.optin.test` host mapped to 127.0.0.1, so that cookies really are shared (or not) between
 * subdomains, blocked, tampered with, and read under another policy, as a learner's browser would.
 */
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Cookie, type Frame, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bundle, file, launchChromium, serve, type TestServer } from '../../../test-support/browser.js';
import { chromiumArgs, chromiumPath } from '../../cli/src/chromium.js';
import type { PageOptions, PageState } from './fixtures/consent-page.js';

const DAY = 86_400;
const NAME = 'optin';
const DOMAIN = 'optin.test';

let browser: Browser;
let server: TestServer;
let context: BrowserContext;
/** Receipts POSTed to `/v1/consent` of the test server: `[subject, consentId, decidedAt]`. */
let receipts: [string, string, string][];
/** Uncaught errors of every page (and frame) of the test's context. */
let pageErrors: string[];

beforeAll(async () => {
  const script = await bundle(fileURLToPath(new URL('./fixtures/consent-page.ts', import.meta.url)));
  const secondCopy = await bundle(fileURLToPath(new URL('./fixtures/second-copy.ts', import.meta.url)));
  server = await serve([
    // A collector's receipt endpoint that only counts what reaches it.
    (req, res, url) => {
      if (url.pathname !== '/v1/consent' || req.method !== 'POST') return false;
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const r = JSON.parse(body) as { subject: string; consentId: string; decidedAt: string };
        receipts.push([r.subject, r.consentId, r.decidedAt]);
        res.writeHead(201, { 'content-type': 'application/json' }).end('{}');
      });
      return true;
    },
    file('/', '<!doctype html><meta charset="utf-8"><title>Optin</title><script src="/consent-page.js"></script>'),
    file('/consent-page.js', script, 'text/javascript; charset=utf-8'),
    // A page with two separately built copies of the package (two bundles: a micro-frontend's, say).
    file(
      '/two-copies',
      '<!doctype html><meta charset="utf-8"><title>Optin</title><script src="/consent-page.js"></script><script src="/second-copy.js"></script>',
    ),
    file('/second-copy.js', secondCopy, 'text/javascript; charset=utf-8'),
    // The page deeper in the site (a course page), where a cookie scoped to a path may be found.
    file(
      '/learning/course/x',
      '<!doctype html><meta charset="utf-8"><title>Optin</title><script src="/consent-page.js"></script>',
    ),
    // The page as a site serves it, which the browser may keep in its back/forward cache (`no-store`
    // forbids that); it records each `pageshow` (restored from the cache: `persisted`).
    (_req, res, url) => {
      if (url.pathname !== '/cached') return false;
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' })
        .end(
          '<!doctype html><meta charset="utf-8"><title>Optin</title>' +
            '<script>window.shows = []; addEventListener("pageshow", (e) => shows.push(e.persisted));</script>' +
            '<script src="/consent-page.js"></script>',
        );
      return true;
    },
    // The page inside a sandboxed frame: an opaque origin, where document.cookie and localStorage throw.
    file(
      '/sandboxed',
      '<!doctype html><meta charset="utf-8"><title>Host</title><iframe sandbox="allow-scripts" src="/?auto=1"></iframe>',
    ),
  ]);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser.close();
  await server.close();
});

beforeEach(async () => {
  pageErrors = [];
  receipts = [];
  context = await newContext();
});

afterEach(async () => {
  try {
    expect(pageErrors, 'uncaught errors in the page').toEqual([]);
  } finally {
    await context.close();
  }
});

async function newContext(from = browser): Promise<BrowserContext> {
  const ctx = await from.newContext();
  ctx.on('page', (page) => page.on('pageerror', (error) => pageErrors.push(error.message)));
  return ctx;
}

/** `http://<host>.optin.test:<port>/?<query>` */
function url(host: string, query: Record<string, string> = {}): string {
  const search = new URLSearchParams(query).toString();
  return `${server.origin(`${host}.${DOMAIN}`)}/${search ? `?${search}` : ''}`;
}

/** Opens the consent page in a new tab of `ctx` and creates the store (as the page would on load). */
async function open(
  ctx: BrowserContext,
  address: string,
  overrides: PageOptions = {},
): Promise<{ page: Page; state: PageState }> {
  const page = await ctx.newPage();
  await page.goto(address);
  return { page, state: await create(page, overrides) };
}

const create = (target: Page | Frame, overrides: PageOptions = {}) =>
  target.evaluate((o) => window.optin.create(o), overrides);
const state = (target: Page | Frame) => target.evaluate(() => window.optin.state());

/** Reloads the page and creates the store again: what the learner's next visit sees. */
async function reload(page: Page, overrides: PageOptions = {}): Promise<PageState> {
  await page.reload();
  return create(page, overrides);
}

async function consentCookies(ctx: BrowserContext): Promise<Cookie[]> {
  return (await ctx.cookies()).filter((c) => c.name === NAME);
}

/** Opens the consent page in a sandboxed frame (opaque origin) whose script creates the store on load. */
async function openSandboxed(): Promise<Frame> {
  const page = await context.newPage();
  await page.goto(`${server.origin(`www.${DOMAIN}`)}/sandboxed`);
  const frame = page.frames().find((f) => f !== page.mainFrame());
  if (!frame) throw new Error('the sandboxed frame did not load');
  await frame.waitForFunction(() => 'optin' in window);
  return frame;
}

/** Only `necessary` allowed: what an undecided learner gets in opt-in mode. */
const NOTHING_BUT_NECESSARY = {
  necessary: true,
  analytics: false,
  performance: false,
  functionality: false,
  marketing: false,
};

describe('@optin/consent in Chromium', () => {
  it('shares one choice between subdomains through one cookie on the registrable domain', async () => {
    const www = await open(context, url('www', { cookieDomain: DOMAIN }));
    expect(www.state.needsPrompt).toBe(true);
    const decided = await www.page.evaluate(() =>
      window.optin.decide(
        { purposes: { analytics: true, performance: true, functionality: false, marketing: false } },
        'banner',
      ),
    );
    expect(decided.storageKind).toBe('cookie');

    // Another subdomain, same browser (asking for longer than 13 months must not lengthen the cookie).
    const courses = await open(context, url('courses', { cookieDomain: DOMAIN, maxAgeDays: '1000' }));
    expect(courses.state.needsPrompt).toBe(false);
    expect(courses.state.decision?.consentId).toBe(decided.decision?.consentId);
    expect(courses.state.decision?.purposes).toEqual(decided.decision?.purposes);
    expect(courses.state.allows).toEqual({
      necessary: true,
      analytics: true,
      performance: true,
      functionality: false,
      marketing: false,
    });

    const now = Date.now() / 1000;
    const cookies = await consentCookies(context);
    expect(cookies.map((c) => c.domain)).toEqual([`.${DOMAIN}`]);
    const [cookie] = cookies;
    expect(cookie!.sameSite).toBe('Lax');
    expect(cookie!.path).toBe('/');
    expect(cookie!.expires, 'a persistent cookie that lasts (about) 13 months').toBeGreaterThan(now + 394 * DAY);
    expect(cookie!.expires, 'at most 13 months (395 days)').toBeLessThanOrEqual(now + 395 * DAY + 60);

    // A third subdomain sees it too, and a change made there is seen back on www.
    const learning = await open(context, url('learning', { cookieDomain: DOMAIN }));
    expect(learning.state.decision?.consentId).toBe(decided.decision?.consentId);
    await learning.page.evaluate(() => window.optin.withdraw('analytics'));
    const refreshed = await www.page.evaluate(() => window.optin.refresh());
    expect(refreshed.allows.analytics).toBe(false);
    expect(refreshed.allows.performance).toBe(true);
    expect((await consentCookies(context)).map((c) => c.domain)).toEqual([`.${DOMAIN}`]);
  });

  it('follows a choice made in another tab by itself: same origin at once, another subdomain when shown', async () => {
    const first = await open(context, url('www', { cookieDomain: DOMAIN }));
    const second = await open(context, url('www', { cookieDomain: DOMAIN }));
    await first.page.evaluate(() => window.optin.acceptAll());
    await expect.poll(async () => (await state(second.page)).allows.analytics).toBe(true);
    await first.page.evaluate(() => window.optin.withdraw('analytics'));
    await expect.poll(async () => (await state(second.page)).allows.analytics).toBe(false);

    // Another subdomain shares the cookie but no channel: the tab reads again when it is shown.
    const learning = await open(context, url('learning', { cookieDomain: DOMAIN }));
    await learning.page.evaluate(() => window.optin.withdraw('performance'));
    expect((await state(second.page)).allows.performance).toBe(true);
    await second.page.evaluate(() => document.dispatchEvent(new Event('visibilitychange', { bubbles: true })));
    expect((await state(second.page)).allows.performance).toBe(false);
    expect((await state(second.page)).decision?.consentId).toBe((await state(learning.page)).decision?.consentId);
  });

  it("works on a page whose form is named after the document's methods (<form name=addEventListener>)", async () => {
    // A named form shadows the document's own method of that name: document.addEventListener is the form.
    const page = await context.newPage();
    await page.goto(url('www', { cookieDomain: DOMAIN }));
    await page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<form name="addEventListener"></form>'));
    expect(await page.evaluate(() => typeof document.addEventListener)).toBe('object');
    const created = await page.evaluate(() => {
      try {
        return window.optin.create().needsPrompt;
      } catch (error) {
        return String(error);
      }
    });
    expect(created).toBe(true);
    expect((await page.evaluate(() => window.optin.acceptAll())).allows.marketing).toBe(true);
    expect((await consentCookies(context)).map((c) => c.domain)).toEqual([`.${DOMAIN}`]);
    // And it still reads again when shown (Chromium fires visibilitychange at the document, bubbling), even when
    // the page stops the event there.
    await page.evaluate(() =>
      EventTarget.prototype.addEventListener.call(document, 'visibilitychange', (e) => e.stopPropagation()),
    );
    const learning = await open(context, url('learning', { cookieDomain: DOMAIN }));
    await learning.page.evaluate(() => window.optin.withdraw('marketing'));
    await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange', { bubbles: true })));
    expect((await state(page)).allows.marketing).toBe(false);
  });

  it('keeps the choice in the shared cookie on a page whose HTML names an image or a form "cookie" (it shadows document.cookie)', async () => {
    const www = await open(context, url('www', { cookieDomain: DOMAIN }));
    const refused = await www.page.evaluate(() => window.optin.rejectAll());
    for (const html of ['<img name="cookie">', '<form name="cookie"></form>']) {
      const page = await context.newPage();
      await page.goto(url('courses', { cookieDomain: DOMAIN }));
      await page.evaluate((h) => document.body.insertAdjacentHTML('beforeend', h), html);
      expect(await page.evaluate(() => typeof document.cookie)).toBe('object');
      const created = await page.evaluate(() => {
        try {
          return window.optin.create({ mode: 'opt-out' });
        } catch (error) {
          return String(error);
        }
      });
      // The refusal made on www is read there, from the cookie: not asked again, and no opt-out default
      // grants what it refused.
      expect(created).toMatchObject({ needsPrompt: false, storageKind: 'cookie', allows: NOTHING_BUT_NECESSARY });
      expect(created).toHaveProperty('decision.consentId', refused.decision?.consentId);
      // A change of mind there goes to the cookie every subdomain reads.
      await page.evaluate(() => window.optin.decide({ purposes: { analytics: true } }));
      expect((await reload(www.page)).allows.analytics).toBe(true);
      expect(await page.evaluate(() => localStorage.length)).toBe(0);
      await www.page.evaluate(() => window.optin.rejectAll());
    }
  });

  it('works under a polluted Object.prototype.cookieStore (`?__proto__[cookieStore]=x`) where the browser has no cookieStore', async () => {
    const page = await context.newPage();
    await page.goto(url('www', { cookieDomain: DOMAIN }));
    const created = await page.evaluate(() => {
      (Object.prototype as Record<string, unknown>).cookieStore = 'x';
      try {
        return window.optin.create().needsPrompt;
      } catch (error) {
        return String(error);
      }
    });
    expect(created).toBe(true);
    expect((await page.evaluate(() => window.optin.rejectAll())).allows).toEqual(NOTHING_BUT_NECESSARY);
    expect((await consentCookies(context)).map((c) => c.domain)).toEqual([`.${DOMAIN}`]);
  });

  it('reset forgets the choice for good: host-only (no cookieDomain) and on a domain given with a leading dot', async () => {
    // The default: no cookieDomain, so the cookie is host-only.
    const hostOnly = await open(context, url('www'));
    await hostOnly.page.evaluate(() => window.optin.acceptAll());
    expect((await consentCookies(context)).map((c) => c.domain)).toEqual([`www.${DOMAIN}`]);
    expect((await hostOnly.page.evaluate(() => window.optin.reset())).needsPrompt).toBe(true);
    await expect.poll(() => consentCookies(context)).toEqual([]);
    expect((await reload(hostOnly.page)).needsPrompt).toBe(true);

    // `.optin.test` is the same Domain attribute as `optin.test`: shared, and forgotten everywhere.
    const dotted = await open(context, url('www', { cookieDomain: `.${DOMAIN}` }));
    await dotted.page.evaluate(() => window.optin.acceptAll());
    const courses = await open(context, url('courses', { cookieDomain: `.${DOMAIN}` }));
    expect(courses.state.allows.analytics).toBe(true);
    await courses.page.evaluate(() => window.optin.reset());
    await expect.poll(() => consentCookies(context)).toEqual([]);
    expect((await reload(dotted.page)).needsPrompt).toBe(true);
  });

  it('reset forgets copies scoped to the page’s paths too, which would otherwise grant again on reload', async () => {
    const page = (await open(context, `${server.origin(`www.${DOMAIN}`)}/learning/course/x?cookieDomain=${DOMAIN}`))
      .page;
    await page.evaluate(() => window.optin.acceptAll());
    const [grant] = await consentCookies(context);
    // The same grant kept on this page's paths (by an older script or a server): on the domain and host-only.
    await context.addCookies([
      { name: NAME, value: grant!.value, domain: `.${DOMAIN}`, path: '/learning' },
      { name: NAME, value: grant!.value, domain: `www.${DOMAIN}`, path: '/learning/course/' },
    ]);
    expect(await consentCookies(context)).toHaveLength(3);
    expect((await page.evaluate(() => window.optin.rejectAll())).allows).toEqual(NOTHING_BUT_NECESSARY);
    expect((await page.evaluate(() => window.optin.reset())).needsPrompt).toBe(true);
    // The page's cookie writes reach the browser's cookie jar (which the context reads) a moment later.
    await expect.poll(() => consentCookies(context)).toEqual([]);
    const next = await reload(page);
    expect(next.needsPrompt).toBe(true);
    expect(next.allows).toEqual(NOTHING_BUT_NECESSARY);
  });

  it('a change of mind on one subdomain keeps what another subdomain’s tab decided meanwhile (no cookieStore to tell it)', async () => {
    const www = await open(context, url('www', { cookieDomain: DOMAIN }));
    await www.page.evaluate(() => window.optin.acceptAll());
    const learning = await open(context, url('learning', { cookieDomain: DOMAIN }));
    // Plain http: Chromium has no cookieStore here (nor does Firefox anywhere), and both tabs stay shown.
    expect(await www.page.evaluate(() => 'cookieStore' in window)).toBe(false);
    await learning.page.evaluate(() => window.optin.withdraw('marketing'));
    const usage = { necessary: true, analytics: false, performance: true, functionality: true, marketing: false };
    expect(
      (await www.page.evaluate(() => window.optin.decide({ purposes: { analytics: false } }, 'preferences'))).allows,
    ).toEqual(usage);
    expect((await reload(learning.page)).allows).toEqual(usage);
    // "Reject all" then "Accept all" on learning, unheard on www: www's next change builds on the acceptance.
    await learning.page.evaluate(() => window.optin.rejectAll());
    await learning.page.evaluate(() => window.optin.acceptAll());
    await www.page.evaluate(() => window.optin.withdraw('functionality'));
    expect((await reload(learning.page)).allows).toEqual({
      ...usage,
      analytics: true,
      functionality: false,
      marketing: true,
    });
  });

  it('a forget in another tab reaches a tab that opened before any decision', async () => {
    const early = await open(context, url('www', { cookieDomain: DOMAIN }));
    const other = await open(context, url('www', { cookieDomain: DOMAIN }));
    await other.page.evaluate(() => window.optin.acceptAll());
    await expect.poll(async () => (await state(early.page)).allows.analytics).toBe(true);
    await other.page.evaluate(() => window.optin.reset());
    await expect.poll(async () => (await state(early.page)).needsPrompt).toBe(true);
    expect((await state(early.page)).allows.analytics).toBe(false);
  });

  it('re-prompts when the policy changes, and reads a decision only under the policy it was made under', async () => {
    const v1 = { cookieDomain: DOMAIN, version: '2026-11' };
    const { page } = await open(context, url('www', v1));
    const first = await page.evaluate(() => window.optin.acceptAll());
    expect(first.allows.analytics).toBe(true);

    // A new policy version: the learner is asked again and, until they answer, nothing optional runs.
    const v2 = { cookieDomain: DOMAIN, version: '2027-03' };
    await page.goto(url('www', v2));
    const underV2 = await create(page);
    expect(underV2.needsPrompt).toBe(true);
    expect(underV2.decision).toBeNull();
    expect(underV2.allows).toEqual(NOTHING_BUT_NECESSARY);

    // Same version, but what a purpose covers was reworded: that is a policy change too.
    await page.goto(
      url('www', { ...v1, analyticsDescription: 'How visitors use the site, shared with our partners.' }),
    );
    const reworded = await create(page);
    expect(reworded.needsPrompt).toBe(true);
    expect(reworded.allows).toEqual(NOTHING_BUT_NECESSARY);

    // Merely reading under another policy destroys nothing: the old policy's page still has its choice.
    await page.goto(url('www', v1));
    const backToV1 = await create(page);
    expect(backToV1.needsPrompt).toBe(false);
    expect(backToV1.decision?.consentId).toBe(first.decision?.consentId);
    expect(backToV1.decision?.policy.version).toBe('2026-11');

    // Deciding under the new policy replaces the choice; the old policy does not read the new one.
    await page.goto(url('www', v2));
    await create(page);
    const second = await page.evaluate(() => window.optin.decide({ purposes: { analytics: true } }, 'banner'));
    expect(second.decision?.policy.version).toBe('2027-03');
    expect((await reload(page)).decision?.consentId).toBe(second.decision?.consentId);
    await page.goto(url('www', v1));
    const v1AfterV2 = await create(page);
    expect(v1AfterV2.needsPrompt).toBe(true);
    expect(v1AfterV2.allows).toEqual(NOTHING_BUT_NECESSARY);
  });

  it('removes stale copies on other domain variants and keeps the newest decision', async () => {
    const www = url('www');
    const { page } = await open(context, www, { storage: 'cookie' });
    // An older choice, as a version without cookieDomain kept it: a host-only cookie on www.
    const older = await page.evaluate(() => window.optin.decide({ purposes: { analytics: true } }, 'banner'));
    const [hostOnly] = await consentCookies(context);
    expect(hostOnly?.domain).toBe(`www.${DOMAIN}`);
    await context.clearCookies();
    await page.waitForTimeout(5);
    // The newer choice, on the registrable domain.
    await create(page, { cookieDomain: DOMAIN });
    const newer = await page.evaluate(() => window.optin.decide({ purposes: { marketing: true } }, 'preferences'));
    const [shared] = await consentCookies(context);
    expect(shared?.domain).toBe(`.${DOMAIN}`);
    expect(newer.decision!.decidedAt > older.decision!.decidedAt).toBe(true);

    const stale = [
      { name: NAME, value: hostOnly!.value, url: www },
      { name: NAME, value: hostOnly!.value, domain: `.www.${DOMAIN}`, path: '/' },
    ];
    const fresh = { name: NAME, value: shared!.value, domain: `.${DOMAIN}`, path: '/' };
    // Whichever copy the browser lists first, the newest decision wins.
    for (const cookies of [
      [fresh, ...stale],
      [...stale, fresh],
    ]) {
      await context.clearCookies();
      await context.addCookies(cookies);
      expect((await consentCookies(context)).length, 'three copies before the page reads them').toBe(3);

      const after = await reload(page, { cookieDomain: DOMAIN });
      expect(after.needsPrompt).toBe(false);
      expect(after.decision?.consentId).toBe(newer.decision?.consentId);
      expect(after.allows).toEqual({
        necessary: true,
        analytics: false,
        performance: false,
        functionality: false,
        marketing: true,
      });
      const left = await consentCookies(context);
      expect(left.map((c) => `${c.domain}=${c.value}`)).toEqual([`.${DOMAIN}=${shared!.value}`]);
    }

    // The only copy is an old host-only one: it moves to the registrable domain; the choice is not lost.
    await context.clearCookies();
    await context.addCookies([stale[0]!]);
    const migrated = await reload(page, { cookieDomain: DOMAIN });
    expect(migrated.needsPrompt).toBe(false);
    expect(migrated.decision?.consentId).toBe(older.decision?.consentId);
    expect(migrated.allows.analytics).toBe(true);
    expect((await consentCookies(context)).map((c) => c.domain)).toEqual([`.${DOMAIN}`]);
    const courses = await open(context, url('courses', { cookieDomain: DOMAIN }));
    expect(courses.state.decision?.consentId).toBe(older.decision?.consentId);
    expect(courses.state.allows.analytics).toBe(true);
  });

  it('falls back to localStorage when cookies are silently refused, and the choice survives a reload', async () => {
    await context.addInitScript(() => {
      Object.defineProperty(Document.prototype, 'cookie', { configurable: true, get: () => '', set: () => undefined });
    });
    const { page, state: initial } = await open(context, url('www', { cookieDomain: DOMAIN }));
    expect(initial.needsPrompt).toBe(true);
    const decided = await page.evaluate(() => window.optin.decide({ purposes: { analytics: true } }, 'banner'));
    expect(decided.storageKind).toBe('localStorage');
    expect(decided.allows.analytics).toBe(true);
    await expect.poll(() => consentCookies(context)).toEqual([]);

    const again = await reload(page);
    expect(again.needsPrompt).toBe(false);
    expect(again.storageKind).toBe('localStorage');
    expect(again.decision?.consentId).toBe(decided.decision?.consentId);
    expect(again.allows).toEqual({
      necessary: true,
      analytics: true,
      performance: false,
      functionality: false,
      marketing: false,
    });
  });

  it('keeps working in memory for the page’s life when cookies and localStorage throw', async () => {
    const frame = await openSandboxed();

    // Precondition: in this opaque origin, storage really throws.
    const blocked = await frame.evaluate(() => {
      const fails = (fn: () => unknown) => {
        try {
          fn();
          return 'works';
        } catch (error) {
          return (error as Error).name;
        }
      };
      return { origin, cookie: fails(() => document.cookie), localStorage: fails(() => localStorage.getItem('x')) };
    });
    expect(blocked).toEqual({ origin: 'null', cookie: 'SecurityError', localStorage: 'SecurityError' });

    // The store was created when the frame's script ran; it had nowhere to read from.
    const initial = await state(frame);
    expect(initial.needsPrompt).toBe(true);
    expect(initial.allows).toEqual(NOTHING_BUT_NECESSARY);

    const decided = await frame.evaluate(() =>
      window.optin.decide({ purposes: { analytics: true, marketing: true } }, 'banner'),
    );
    expect(decided.storageKind).toBe('memory');
    expect(decided.needsPrompt).toBe(false);
    expect(decided.allows.analytics).toBe(true);

    // Later in the same page (another task), the choice still holds.
    const later = await frame.evaluate(
      () => new Promise<PageState>((resolve) => setTimeout(() => resolve(window.optin.state()), 50)),
    );
    expect(later.needsPrompt).toBe(false);
    expect(later.storageKind).toBe('memory');
    expect(later.decision?.consentId).toBe(decided.decision?.consentId);
    expect(later.allows).toEqual({
      necessary: true,
      analytics: true,
      performance: false,
      functionality: false,
      marketing: true,
    });

    // Proof that an exception thrown in this frame would have been seen (afterEach checks there was none other).
    await frame.evaluate(
      () =>
        void setTimeout(() => {
          throw new Error('probe');
        }),
    );
    await expect.poll(() => pageErrors).toContain('probe');
    pageErrors = pageErrors.filter((message) => message !== 'probe');
  });

  it('in opt-out mode, storage that cannot be read grants nothing but the required purposes until the learner decides there', async () => {
    // A sandboxed frame cannot read the choice the learner made on the site (marketing refused, say):
    // unreadable is not "no decision", so opt-out's default grants do not apply.
    const frame = await openSandboxed();
    const blind = await create(frame, { mode: 'opt-out' });
    expect(blind.storageKind).toBe('memory');
    expect(blind.needsPrompt).toBe(true);
    expect(blind.allows).toEqual(NOTHING_BUT_NECESSARY);
    expect((await frame.evaluate(() => window.optin.refresh())).allows).toEqual(NOTHING_BUT_NECESSARY);
    // A choice made in the frame holds for its life, and grants only what it grants.
    const decided = await frame.evaluate(() => window.optin.decide({ purposes: { analytics: true } }));
    expect(decided.allows).toEqual({ ...NOTHING_BUT_NECESSARY, analytics: true });
    expect(decided.decision?.implied).toBeUndefined();
    // A store kept in memory by choice (`storage: 'memory'`) reads nothing and keeps opt-out's defaults.
    expect((await create(frame, { mode: 'opt-out', storage: 'memory' })).allows).toEqual({
      necessary: true,
      analytics: true,
      performance: true,
      functionality: true,
      marketing: true,
    });
  });

  it('keeps the in-memory choice when the page re-reads storage (refresh)', async () => {
    // The store reads again when the page is shown or another tab decides; with nowhere
    // to read from, that must not forget the choice made in this page and bring the banner back.
    const frame = await openSandboxed();
    const decided = await frame.evaluate(() => window.optin.decide({ purposes: { analytics: true } }, 'banner'));
    expect(decided.storageKind).toBe('memory');
    const refreshed = await frame.evaluate(() => window.optin.refresh());
    expect(refreshed.needsPrompt).toBe(false);
    expect(refreshed.decision?.consentId).toBe(decided.decision?.consentId);
    expect(refreshed.allows.analytics).toBe(true);
  });

  it('a garbage or tampered cookie is no decision, never a grant', async () => {
    const www = url('www');
    const { page } = await open(context, www, { cookieDomain: DOMAIN });
    await page.evaluate(() => window.optin.rejectAll());
    const [cookie] = await consentCookies(context);
    const valid = cookie!.value;
    // The purposes' fingerprints, then one digit a purpose.
    const digits = valid.indexOf('/') + 1;
    expect(valid.slice(digits, digits + 6)).toBe('10000/'); // necessary, then the refusals
    const flip = (i: number) =>
      valid.slice(0, digits + i) + (valid[digits + i] === '0' ? '1' : '0') + valid.slice(digits + i + 1);

    const put = async (value: string) => {
      await context.clearCookies();
      await context.addCookies([{ name: NAME, value, domain: `.${DOMAIN}`, path: '/' }]);
      return reload(page, { cookieDomain: DOMAIN });
    };

    // Control: the untouched value is read back as the learner's refusal.
    const control = await put(valid);
    expect(control.needsPrompt).toBe(false);
    expect(control.allows).toEqual(NOTHING_BUT_NECESSARY);

    const values = {
      'analytics digit flipped to granted': flip(1),
      'marketing digit flipped to granted': flip(4),
      'checksum changed': valid.slice(0, -1) + (valid.endsWith('a') ? 'b' : 'a'),
      garbage: 'garbage',
      'all ones': '11111',
      'all granted, checksum removed': `${valid.slice(0, digits)}11111${valid.slice(digits + 5, valid.lastIndexOf('/'))}`,
      empty: '',
    };
    for (const [what, value] of Object.entries(values)) {
      expect(value, what).not.toBe(valid);
      const read = await put(value);
      expect(read.needsPrompt, what).toBe(true);
      expect(read.decision, what).toBeNull();
      expect(read.allows, what).toEqual(NOTHING_BUT_NECESSARY);
    }
  });

  it('GPC refuses marketing in opt-out mode until the learner explicitly grants it', async () => {
    // Control: without GPC, opt-out mode allows marketing.
    const plain = await open(context, url('www', { mode: 'opt-out', cookieDomain: DOMAIN }));
    expect(plain.state.privacySignal).toBe(false);
    expect(plain.state.allows.marketing).toBe(true);

    const gpc = await newContext();
    try {
      await gpc.addInitScript(() => {
        Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { configurable: true, get: () => true });
      });
      const { page, state: initial } = await open(gpc, url('www', { mode: 'opt-out', cookieDomain: DOMAIN }));
      expect(initial.privacySignal).toBe('gpc');
      expect(initial.allows.marketing).toBe(false);
      expect(initial.allows.analytics).toBe(true);
      // A page that passes on its server's hint (`gpc: req.headers['sec-gpc'] === '1'`, false on a page
      // a CDN cached without the header) adds a refusal at most: the browser's GPC stays in force.
      const hinted = await create(page, { gpc: false });
      expect(hinted.privacySignal).toBe('gpc');
      expect(hinted.allows.marketing).toBe(false);
      expect((await page.evaluate(() => window.optin.acceptAll())).allows.marketing).toBe(false);
      await page.evaluate(() => window.optin.reset());
      await create(page);

      const accepted = await page.evaluate(() => window.optin.acceptAll());
      expect(accepted.needsPrompt).toBe(false);
      expect(accepted.allows.marketing, '"Accept all" is not an explicit grant of what GPC refuses').toBe(false);
      expect(accepted.allows.analytics).toBe(true);
      expect((await reload(page)).allows.marketing).toBe(false);

      const explicit = await page.evaluate(() => window.optin.decide({ purposes: { marketing: true } }, 'preferences'));
      expect(explicit.allows.marketing).toBe(true);
      expect(explicit.allows.analytics).toBe(true);
      // The explicit choice is remembered as one.
      const next = await reload(page);
      expect(next.decision?.consentId).toBe(explicit.decision?.consentId);
      expect(next.allows.marketing).toBe(true);
    } finally {
      await gpc.close();
    }
  });
  it('a choice made under opt-out with default grants is asked again on an opt-in page, and its refusals stay', async () => {
    // Opt-out (e.g. the learner's first visit from a US page): they only turn marketing off.
    const { page } = await open(context, url('www', { mode: 'opt-out', cookieDomain: DOMAIN }));
    const withdrawn = await page.evaluate(() => window.optin.withdraw('marketing'));
    expect(withdrawn.allows).toEqual({
      ...NOTHING_BUT_NECESSARY,
      analytics: true,
      performance: true,
      functionality: true,
    });
    expect(withdrawn.decision?.implied).toBe(true);
    expect((await reload(page, { mode: 'opt-out' })).needsPrompt).toBe(false);

    // An opt-in page (e.g. a later visit from the EU): nothing was granted by the learner, so ask.
    const optIn = await reload(page, { mode: 'opt-in' });
    expect(optIn.needsPrompt).toBe(true);
    expect(optIn.decision).toBeNull();
    expect(optIn.allows).toEqual(NOTHING_BUT_NECESSARY);
    // Granting analytics there keeps the earlier refusal and the consentId, and binds everywhere.
    const granted = await page.evaluate(() => window.optin.decide({ purposes: { analytics: true } }, 'banner'));
    expect(granted.allows).toEqual({ ...NOTHING_BUT_NECESSARY, analytics: true });
    expect(granted.decision?.consentId).toBe(withdrawn.decision?.consentId);
    expect(granted.decision?.implied).toBeUndefined();
    expect((await reload(page, { mode: 'opt-out' })).allows).toEqual({ ...NOTHING_BUT_NECESSARY, analytics: true });

    // "Accept all" under opt-out is the learner's own choice: an opt-in page takes it as such.
    await page.evaluate(() => window.optin.acceptAll());
    const accepted = await reload(page, { mode: 'opt-in' });
    expect(accepted.needsPrompt).toBe(false);
    expect(accepted.allows.analytics && accepted.allows.marketing).toBe(true);
  });

  it('in opt-out mode, a policy change asks again but keeps the learner’s refusals until they answer', async () => {
    const v1 = { mode: 'opt-out' as const, cookieDomain: DOMAIN, version: '2026-11' };
    const { page } = await open(context, url('www', v1));
    const rejected = await page.evaluate(() => window.optin.rejectAll());
    expect(rejected.allows).toEqual(NOTHING_BUT_NECESSARY);

    // A new version, and a reworded purpose: asked again, and nothing refused runs meanwhile.
    for (const change of [{ version: '2027-03' }, { analyticsDescription: 'How visitors use the site, and more.' }]) {
      const next = await reload(page, { ...v1, ...change });
      expect(next.needsPrompt).toBe(true);
      expect(next.decision).toBeNull();
      expect(next.allows).toEqual(NOTHING_BUT_NECESSARY);
    }
    // Its grants do not outlive the change: opt-in asks for them again.
    await page.evaluate(() => window.optin.acceptAll());
    const optIn = await reload(page, { ...v1, mode: 'opt-in', version: '2027-03' });
    expect(optIn.needsPrompt).toBe(true);
    expect(optIn.allows).toEqual(NOTHING_BUT_NECESSARY);
    // And answering under the new version binds it.
    const answered = await page.evaluate(() => window.optin.decide({ purposes: { performance: true } }, 'banner'));
    expect(answered.allows).toEqual({ ...NOTHING_BUT_NECESSARY, performance: true });
    expect((await reload(page, { ...v1, version: '2027-03' })).needsPrompt).toBe(false);
  });

  it('a tab keeps its own newer choice when an older one from another tab reaches it late', async () => {
    const a = await open(context, url('www', { cookieDomain: DOMAIN }));
    const b = await open(context, url('www', { cookieDomain: DOMAIN }));
    // Tab B is busy (a long task) while A accepts; then B handles the learner's "Reject all", and
    // only afterwards A's message.
    const busy = b.page.evaluate(() => {
      const until = Date.now() + 400;
      while (Date.now() < until);
      return window.optin.rejectAll();
    });
    await new Promise((r) => setTimeout(r, 100));
    await a.page.evaluate(() => window.optin.acceptAll());
    const rejected = await busy;
    await expect.poll(async () => (await state(a.page)).allows.analytics).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
    expect((await state(b.page)).decision?.decidedAt).toBe(rejected.decision?.decidedAt);
    expect((await state(b.page)).allows).toEqual(NOTHING_BUT_NECESSARY);
  });

  it('two stores on one page (two copies of the package) hear each other’s decision at once, in the same task', async () => {
    // The banner's store decides in a click handler; the app's listener of the same click (its hub
    // on the other store) runs before any message could arrive: it must already see the refusal.
    const page = await context.newPage();
    await page.goto(`${server.origin(`www.${DOMAIN}`)}/two-copies`);
    await create(page);
    const seen = await page.evaluate(() => {
      window.secondCopy.create();
      window.secondCopy.acceptAll();
      const accepted = window.optin.state();
      window.secondCopy.rejectAll();
      const rejected = window.optin.state();
      return { accepted: accepted.allows.analytics, rejected: rejected.allows, heard: window.optin.heard().length };
    });
    expect(seen).toEqual({ accepted: true, rejected: NOTHING_BUT_NECESSARY, heard: 2 });
    // The same decision arriving again later (BroadcastChannel) is no change.
    await new Promise((r) => setTimeout(r, 200));
    expect(await page.evaluate(() => window.optin.heard().length)).toBe(2);

    // Its own decisions and a reset reach the other copy just as soon.
    expect(
      await page.evaluate(() => {
        window.optin.acceptAll();
        const accepted = window.secondCopy.state();
        window.optin.reset();
        return [accepted, window.secondCopy.state()];
      }),
    ).toEqual([
      { needsPrompt: false, analytics: true },
      { needsPrompt: true, analytics: false },
    ]);
    await page.evaluate(() => window.secondCopy.acceptAll());

    // Disposed, a store no longer hears the page's other stores either (nothing left behind).
    await page.evaluate(() => window.optin.dispose());
    const after = await page.evaluate(() => (window.secondCopy.rejectAll(), window.optin.state().allows.analytics));
    expect(after).toBe(true);
  });

  it('posts the receipt of a decision once, from the tab that made it, never from the tabs that follow it', async () => {
    // Three tabs, each sending receipts: two of www (they follow each other through BroadcastChannel
    // and cookieStore) and one of another subdomain, which re-reads the shared cookie when shown.
    const origin = (host: string) => server.origin(`${host}.${DOMAIN}`);
    const a = await open(context, url('www', { cookieDomain: DOMAIN }));
    const b = await open(context, url('www', { cookieDomain: DOMAIN }));
    const learning = await open(context, url('learning', { cookieDomain: DOMAIN }));
    for (const [tab, host, subject] of [
      [a, 'www', 'tab-a'],
      [b, 'www', 'tab-b'],
      [learning, 'learning', 'tab-learning'],
    ] as const)
      await tab.page.evaluate(([e, s]) => window.optin.sendReceipts(e, s), [origin(host), subject] as const);
    const shown = () =>
      learning.page.evaluate(() => document.dispatchEvent(new Event('visibilitychange', { bubbles: true })));

    const accepted = (await a.page.evaluate(() => window.optin.acceptAll())).decision;
    await expect.poll(async () => (await state(b.page)).decision?.decidedAt).toBe(accepted?.decidedAt);
    await shown();
    const withdrawn = (await b.page.evaluate(() => window.optin.withdraw('analytics'))).decision;
    await expect.poll(async () => (await state(a.page)).decision?.decidedAt).toBe(withdrawn?.decidedAt);
    await shown();
    const marketing = (await learning.page.evaluate(() => window.optin.withdraw('marketing'))).decision;
    for (const tab of [a, b])
      await tab.page.evaluate(() => document.dispatchEvent(new Event('visibilitychange', { bubbles: true })));
    expect((await state(a.page)).decision?.decidedAt).toBe(marketing?.decidedAt);
    expect((await state(b.page)).decision?.decidedAt).toBe(marketing?.decidedAt);
    // Anything late would have arrived by now.
    await new Promise((r) => setTimeout(r, 500));
    expect(receipts.sort((x, y) => x[2].localeCompare(y[2]))).toEqual([
      ['tab-a', accepted?.consentId, accepted?.decidedAt],
      ['tab-b', accepted?.consentId, withdrawn?.decidedAt],
      ['tab-learning', accepted?.consentId, marketing?.decidedAt],
    ]);
  });
});

describe('a page restored from the back/forward cache', () => {
  let cached: Browser;
  beforeAll(async () => {
    // Playwright turns the back/forward cache off (--disable-back-forward-cache); learners' browsers have it on.
    cached = await chromium.launch({
      executablePath: chromiumPath(),
      args: chromiumArgs([`MAP *.${DOMAIN} 127.0.0.1`]),
      ignoreDefaultArgs: ['--disable-back-forward-cache'],
    });
  });
  afterAll(() => cached.close());

  it('comes back from the cache when the site’s next page loaded the stored decision, and still follows real decisions', async () => {
    await context.close();
    context = await newContext(cached);
    const at = (n: number) => `${server.origin(`www.${DOMAIN}`)}/cached?auto=1&cookieDomain=${DOMAIN}&n=${n}`;
    const page = await context.newPage();
    await page.goto(at(1));
    await page.evaluate(() => {
      window.optin.acceptAll();
      (window as { kept?: boolean }).kept = true;
    });
    // The next page of the site finds the decision on load and stores it again (the best store, no
    // stale copies): had it told the other tabs, Chromium would have evicted the first page
    // (`broadcastchannel-message`) and Back would load it anew.
    await page.goto(at(2));
    await page.waitForFunction(() => document.readyState === 'complete' && 'optin' in window);
    expect((await state(page)).decision?.source).toBe('banner');
    await new Promise((r) => setTimeout(r, 300));
    await page.goBack({ waitUntil: 'commit' }); // a restored page fires no load event
    await page.waitForFunction(() => 'optin' in window);
    expect(
      await page.evaluate(() => [(window as { kept?: boolean }).kept, (window as { shows?: boolean[] }).shows]),
    ).toEqual([true, [false, true]]);

    // A decision made elsewhere meanwhile (another subdomain: it shares the cookie, not the channel)
    // is what the restored page shows.
    await page.goto(at(4).replace('//www.', '//learning.'));
    await page.evaluate(() => window.optin.withdraw('marketing'));
    await page.goBack({ waitUntil: 'commit' });
    await page.waitForFunction(() => 'optin' in window);
    expect(await page.evaluate(() => (window as { shows?: boolean[] }).shows)).toEqual([false, true, true]);
    expect((await state(page)).allows).toEqual({
      ...NOTHING_BUT_NECESSARY,
      analytics: true,
      performance: true,
      functionality: true,
    });

    // A real decision still reaches it from another tab at once.
    const other = await open(context, at(3));
    expect(other.state.allows.analytics).toBe(true);
    await other.page.evaluate(() => window.optin.rejectAll());
    await expect.poll(async () => (await state(page)).allows).toEqual(NOTHING_BUT_NECESSARY);
  });

  it('comes back from the cache after another page decided, once its store is disposed (an unmounted provider)', async () => {
    await context.close();
    context = await newContext(cached);
    const at = (n: number) => `${server.origin(`www.${DOMAIN}`)}/cached?auto=1&cookieDomain=${DOMAIN}&n=${n}`;
    const page = await context.newPage();
    await page.goto(at(1));
    await page.evaluate(() => window.optin.dispose());
    // The next page decides, which it tells the other pages of the origin: a page whose store follows
    // them is evicted from the cache (it must hear it), one whose store was disposed has nothing to hear.
    await page.goto(at(2));
    await page.waitForFunction(() => document.readyState === 'complete' && 'optin' in window);
    await page.evaluate(() => window.optin.acceptAll());
    await new Promise((r) => setTimeout(r, 300));
    await page.goBack({ waitUntil: 'commit' });
    await page.waitForFunction(() => 'optin' in window);
    expect(await page.evaluate(() => (window as { shows?: boolean[] }).shows)).toEqual([false, true]);
  });
});

describe('where Chromium reports cookie changes (cookieStore)', () => {
  let secure: Browser;
  beforeAll(async () => {
    // cookieStore exists only in a secure context: these origins count as one, as https would.
    const origins = ['www', 'learning'].map((host) => server.origin(`${host}.${DOMAIN}`)).join(',');
    secure = await chromium.launch({
      executablePath: chromiumPath(),
      args: [...chromiumArgs([`MAP *.${DOMAIN} 127.0.0.1`]), `--unsafely-treat-insecure-origin-as-secure=${origins}`],
    });
  });
  afterAll(() => secure.close());

  /** Records what the browser tells `page` about the consent cookie (its store re-reads on each). */
  async function cookieEvents(page: Page): Promise<() => Promise<string[]>> {
    await page.evaluate((name) => {
      const w = window as { cookieEvents?: string[] };
      w.cookieEvents = [];
      (window as unknown as { cookieStore: EventTarget }).cookieStore.addEventListener('change', (e) => {
        const { changed, deleted } = e as Event & { changed: { name: string }[]; deleted: { name: string }[] };
        for (const c of changed) if (c.name === name) w.cookieEvents!.push('changed');
        for (const c of deleted) if (c.name === name) w.cookieEvents!.push('deleted');
      });
    }, NAME);
    return () => page.evaluate(() => (window as { cookieEvents?: string[] }).cookieEvents ?? []);
  }

  it('an open tab never sees the choice vanish while another tab loads or decides: no refused tracker loads, no banner', async () => {
    await context.close();
    context = await newContext(secure);
    // A US learner (opt-out) refused marketing; the tab stays open while they browse on in others.
    const first = await open(context, url('www', { cookieDomain: DOMAIN, mode: 'opt-out' }));
    expect(await first.page.evaluate(() => 'cookieStore' in window)).toBe(true);
    const refused = await first.page.evaluate(() => window.optin.withdraw('marketing'));
    await new Promise((r) => setTimeout(r, 200));
    const events = await cookieEvents(first.page);
    // What the open tab's listeners (its trackers, its banner) hear from now on.
    const told = await first.page.evaluate(() => window.optin.heard().length);
    const heard = async () => (await first.page.evaluate(() => window.optin.heard())).slice(told);

    // The learner's next pages, on this subdomain and another: each finds the choice and keeps it.
    const next = await open(context, url('www', { cookieDomain: DOMAIN, mode: 'opt-out' }));
    expect(next.state.allows.marketing).toBe(false);
    await reload(next.page, { cookieDomain: DOMAIN, mode: 'opt-out' });
    await open(context, url('learning', { cookieDomain: DOMAIN, mode: 'opt-out' }));
    await new Promise((r) => setTimeout(r, 300));
    expect(await events(), 'the cookie was deleted and set again by a page load').toEqual([]);
    expect(await heard()).toEqual([]);
    expect((await state(first.page)).decision).toEqual(refused.decision);

    // A decision in another tab: the cookie changes once, and the open tab goes straight to it.
    const withdrawn = await next.page.evaluate(() => window.optin.withdraw('analytics'));
    await expect.poll(async () => (await state(first.page)).decision).toEqual(withdrawn.decision);
    await new Promise((r) => setTimeout(r, 300));
    expect(await events()).toEqual(['changed']);
    expect((await heard()).map((s) => [s.needsPrompt, s.allows.marketing, s.allows.analytics])).toEqual([
      [false, false, false],
    ]);
  });

  it('a host-only cookie (no cookieDomain) is not deleted by the next page load either', async () => {
    await context.close();
    context = await newContext(secure);
    const first = await open(context, url('www'));
    await first.page.evaluate(() => window.optin.rejectAll());
    await new Promise((r) => setTimeout(r, 200));
    const events = await cookieEvents(first.page);
    const told = await first.page.evaluate(() => window.optin.heard().length);
    for (let i = 0; i < 3; i++) expect((await open(context, url('www'))).state.needsPrompt).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(await events()).toEqual([]);
    expect((await first.page.evaluate(() => window.optin.heard())).slice(told)).toEqual([]);
    expect((await consentCookies(context)).map((c) => c.domain)).toEqual([`www.${DOMAIN}`]);
  });
});
