/**
 * Real-Chromium tests of <optin-banner> on a page that works against it, as real pages do: CSS that
 * hides it (a cookie-banner blocker), elements whose names shadow the document's properties (a course
 * author's raw HTML), a polluted Object.prototype (a query-string parser), a declaration with a field
 * missing. The page is served with the strict CSP of the other browser tests.
 */
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { file, launchChromium, serve, type TestServer } from '../../../test-support/browser.js';
import type { OptinBannerElement } from '../src/index.js';
import { fr } from '../src/locales/fr.js';

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'";

let browser: Browser;
let server: TestServer;
let contexts: BrowserContext[] = [];
/** Console errors and uncaught errors of the test's pages. */
let problems: string[];

beforeAll(async () => {
  const page = await build({
    entryPoints: { 'hostile-page': fileURLToPath(new URL('./fixtures/hostile-page.ts', import.meta.url)) },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir: '/assets',
    splitting: true,
    write: false,
    logLevel: 'error',
  });
  const assets = new Map(page.outputFiles.map((f) => [`/${basename(f.path)}`, f.text]));
  server = await serve([
    file('/favicon.ico', '', 'image/x-icon'),
    (_req, res, url) => {
      const asset = assets.get(url.pathname);
      if (asset === undefined) return false;
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' }).end(asset);
      return true;
    },
    // The page's stylesheet: the `css` of the query.
    (_req, res, url) => {
      if (url.pathname !== '/page.css') return false;
      res.writeHead(200, { 'content-type': 'text/css' }).end(url.searchParams.get('css') ?? '');
      return true;
    },
    // The course page, in the `lang` and with the <html> `class` of the query: its stylesheet, then
    // the `html` of the query after its own content.
    (_req, res, url) => {
      if (url.pathname !== '/') return false;
      const css = new URLSearchParams({ css: url.searchParams.get('css') ?? '' });
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': CSP })
        .end(
          `<!doctype html><html class="${url.searchParams.get('class') ?? ''}" lang="${url.searchParams.get('lang') ?? 'en'}">` +
            '<meta charset="utf-8">' +
            '<title>Introduction to Computer Science</title>' +
            `<link rel="stylesheet" href="/page.css?${css.toString()}">` +
            '<main><h1>Introduction to Computer Science</h1><button id="open" type="button">Manage cookies</button></main>' +
            (url.searchParams.get('html') ?? '') +
            '<script type="module" src="/hostile-page.js"></script>',
        );
      return true;
    },
  ]);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser.close();
  await server.close();
});

afterEach(async () => {
  await Promise.all(contexts.map((c) => c.close()));
  contexts = [];
});

/**
 * Opens the course page (`query`: lang, class, html, css, gpc, member, declaration) in a new context and waits for
 * the banner; `init` runs in the page before any of its scripts.
 */
async function open(query: Record<string, string> = {}, init?: () => void): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 900, height: 640 } });
  contexts.push(context);
  problems = [];
  const page = await context.newPage();
  if (init) await page.addInitScript(init);
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${server.origin()}/?${new URLSearchParams(query).toString()}`);
  // (No banner where mounting threw.)
  await page.evaluate(() => (window.banner as OptinBannerElement | undefined)?.ready);
  return page;
}

/**
 * The focused element's text, looking into the banner's shadow root. (Read from Document.prototype:
 * the page may have an element named "activeElement".)
 */
const focused = (page: Page) =>
  page.evaluate(() => {
    let el: Element | null = Reflect.get(Document.prototype, 'activeElement', document);
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el?.textContent;
  });
const decision = (page: Page) => page.evaluate(() => window.banner.consent.decision);
/**
 * Whether the banner's dialog is shown modal (the page behind inert), and seen (`visibility: hidden`
 * and `opacity: 0` are not).
 */
const shown = (page: Page) =>
  page.evaluate(() => {
    const dialog = window.banner.shadowRoot!.querySelector('dialog');
    return {
      modal: !!dialog?.matches(':modal'),
      seen: !!dialog?.checkVisibility({ visibilityProperty: true, opacityProperty: true }),
    };
  });
/** The close events of the banner's dialog over three frames, once the frames before have settled it. */
const closes = (page: Page) =>
  page.evaluate(async () => {
    const frame = () => new Promise(requestAnimationFrame);
    await frame();
    await frame();
    let count = 0;
    window.banner.shadowRoot!.querySelector('dialog')!.addEventListener('close', () => count++);
    for (let i = 0; i < 3; i++) await frame();
    return count;
  });

describe('<optin-banner> on a hostile page, in Chromium', () => {
  it('leaves the page usable when its CSS hides the banner (cookie-banner blockers do), and shows it modal otherwise', async () => {
    for (const css of [
      'optin-banner{display:none}',
      'optin-banner::part(dialog){display:none}',
      'body>*:not(main){display:none}',
      'optin-banner::part(dialog){visibility:hidden}',
      'optin-banner::part(dialog){opacity:0}',
    ]) {
      const page = await open({ css });
      expect(await page.evaluate(() => window.banner.layer), css).toBe('notice');
      expect(await shown(page), css).toEqual({ modal: false, seen: false });
      // The learner can use the page: Tab reaches its button, a click on it works.
      await page.keyboard.press('Tab');
      expect(await focused(page), css).toBe('Manage cookies');
      // Nor does Tab land on the banner's unseen controls.
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => window.banner.shadowRoot!.activeElement), css).toBe(null);
      await page.evaluate(() =>
        document
          .querySelector('#open')!
          .addEventListener('click', () => document.body.setAttribute('data-clicked', '')),
      );
      await page.locator('#open').click({ timeout: 2000 });
      expect(await page.locator('body[data-clicked]').count(), css).toBe(1);
      // Redrawn in place (another language), with no error.
      await page.evaluate(() => {
        window.banner.locale = 'fr';
        return window.banner.ready;
      });
      expect(await shown(page), css).toEqual({ modal: false, seen: false });
      expect(problems, css).toEqual([]);
    }
    const page = await open();
    expect(await shown(page)).toEqual({ modal: true, seen: true });
    expect(problems).toEqual([]);
  });

  it('leaves the page usable when its CSS hides the banner once it is open (a stylesheet loaded later), and is modal again when shown', async () => {
    for (const css of [
      'optin-banner{display:none}',
      'optin-banner::part(dialog){display:none}',
      'body>*:not(main){display:none}',
      'optin-banner::part(dialog){visibility:hidden}',
      'optin-banner::part(dialog){opacity:0}',
    ]) {
      const page = await open();
      expect(await shown(page), css).toEqual({ modal: true, seen: true });
      // The page's stylesheet arrives after the banner has opened (a blocker's, or the site's own).
      await page.evaluate(
        (href) => {
          const link = Object.assign(document.createElement('link'), { rel: 'stylesheet', id: 'late', href });
          document.head.append(link);
          return new Promise((resolve) => (link.onload = resolve));
        },
        `/page.css?${new URLSearchParams({ css }).toString()}`,
      );
      await expect.poll(() => shown(page), { message: css }).toEqual({ modal: false, seen: false });
      expect(await page.evaluate(() => window.banner.layer), css).toBe('notice');
      // The learner can use the page: a click on its button works and focuses it, and Tab leaves it.
      await page.evaluate(() =>
        document
          .querySelector('#open')!
          .addEventListener('click', () => document.body.setAttribute('data-clicked', '')),
      );
      await page.locator('#open').click({ timeout: 2000 });
      expect(await page.locator('body[data-clicked]').count(), css).toBe(1);
      expect(await focused(page), css).toBe('Manage cookies');
      await page.keyboard.press('Shift+Tab');
      expect(await focused(page), css).not.toBe('Manage cookies');
      // The stylesheet goes: the banner shows, modal again.
      await page.evaluate(() => document.querySelector('#late')!.remove());
      await expect.poll(() => shown(page), { message: css }).toEqual({ modal: true, seen: true });
      expect(problems, css).toEqual([]);
    }
  });

  it("shows the banner modal and usable once the page's anti-flicker snippet (`html.async-hide{opacity:0}`) shows the page", async () => {
    // (The page hidden until its A/B test has run: the class goes a few hundred ms later.)
    const page = await open({ class: 'async-hide', css: 'html.async-hide{opacity:0}' });
    await page.evaluate(() => document.documentElement.classList.remove('async-hide'));
    await expect.poll(() => shown(page)).toEqual({ modal: true, seen: true });
    // The learner reaches the banner's controls with Tab, and decides there.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => window.banner.shadowRoot!.activeElement?.matches('dialog :is(a, button)'))).toBe(
      true,
    );
    await page.getByRole('button', { name: 'Accept all' }).click({ timeout: 2000 });
    expect(await decision(page)).toMatchObject({ purposes: { analytics: true, marketing: true } });
    expect(problems).toEqual([]);
  });

  it("shows the banner non-modal, without closing and reopening it over and over, when the page's CSS hides it only while it is modal", async () => {
    const page = await open({ css: 'optin-banner::part(dialog):modal{display:none}' });
    await expect.poll(() => shown(page)).toEqual({ modal: false, seen: true });
    expect(await closes(page)).toBe(0);
    expect(await page.evaluate(() => window.banner.layer)).toBe('notice');
    // The learner can use the page, and stays where they are in it.
    await page.evaluate(() =>
      document.querySelector('#open')!.addEventListener('click', () => document.body.setAttribute('data-clicked', '')),
    );
    await page.locator('#open').click({ timeout: 2000 });
    expect(await page.locator('body[data-clicked]').count()).toBe(1);
    expect(await closes(page)).toBe(0);
    expect(await focused(page)).toBe('Manage cookies');
    // Nor does the banner hold the keyboard: Shift+Tab from its first control reaches the page's.
    await page.evaluate(() => window.banner.shadowRoot!.querySelector<HTMLElement>('a[href],button')!.focus());
    await page.keyboard.press('Shift+Tab');
    expect(await focused(page)).toBe('Manage cookies');
    // And decide in the banner, seen.
    await page.getByRole('button', { name: 'Reject all' }).click({ timeout: 2000 });
    expect(await decision(page)).toMatchObject({ purposes: { analytics: false, marketing: false } });
    expect(problems).toEqual([]);
  });

  it("shows the banner non-modal and leaves focus where the learner is, when the page's CSS makes it invisible only while it is modal", async () => {
    for (const css of [
      'optin-banner::part(dialog):modal{visibility:hidden}',
      'optin-banner::part(dialog):modal{opacity:0}',
    ]) {
      const page = await open({ css });
      await expect.poll(() => shown(page), { message: css }).toEqual({ modal: false, seen: true });
      expect(await closes(page), css).toBe(0);
      expect(await page.evaluate(() => window.banner.layer), css).toBe('notice');
      // Focus stays on the page's control the learner went to: nothing takes it back.
      await page.locator('#open').focus();
      expect(await closes(page), css).toBe(0);
      expect(await focused(page), css).toBe('Manage cookies');
      await page.getByRole('button', { name: 'Reject all' }).click({ timeout: 2000 });
      expect(await decision(page), css).toMatchObject({ purposes: { analytics: false, marketing: false } });
      expect(problems, css).toEqual([]);
    }
  });

  it('works on a page whose named elements shadow the document\'s properties (<img name="createElement">, "body", "baseURI")', async () => {
    /** The banner's links: on the first layer, then in the preferences. */
    const links = async (page: Page) => {
      const hrefs = () =>
        page.evaluate(() => [...window.banner.shadowRoot!.querySelectorAll('a')].map((a) => a.getAttribute('href')));
      const notice = await hrefs();
      await page.getByRole('button', { name: 'Preferences' }).click();
      return [notice, await hrefs()];
    };
    const plain = await links(await open({ member: '1' }));
    expect(plain[0]).toEqual([`${server.origin()}/cookie-policy`]);
    expect(plain[1]).toContain('https://www.facebook.com/settings?tab=ads');

    for (const name of ['createElement', 'body', 'baseURI']) {
      const page = await open({ member: '1', html: `<img name="${name}" alt="">` });
      expect(await page.evaluate(() => window.mountError), name).toBeUndefined();
      expect(await page.evaluate(() => window.banner.parentElement?.tagName), name).toBe('BODY');
      expect(await shown(page), name).toEqual({ modal: true, seen: true });
      expect(await links(page), name).toEqual(plain);
      await page.getByRole('button', { name: 'Reject all' }).click();
      expect(await decision(page), name).toMatchObject({ purposes: { analytics: false, marketing: false } });
      expect(problems, name).toEqual([]);
    }
  });

  it('speaks the language of <html lang> and gives focus back where it was, whatever the page names "documentElement" and "activeElement"', async () => {
    const french = await open({ lang: 'fr', html: '<img name="documentElement" alt="">' });
    expect(await french.locator('optin-banner h2').textContent()).toBe(fr.messages.title);

    const page = await open({ html: '<img name="activeElement" alt="">' });
    await page.getByRole('button', { name: 'Reject all' }).click();
    // The learner opens the preferences from the page, then closes them with Esc.
    await page.locator('#open').focus();
    await page.evaluate(() => window.banner.open('preferences'));
    expect(await focused(page)).not.toBe('Manage cookies');
    await page.keyboard.press('Escape');
    expect(await page.evaluate(() => window.banner.layer)).toBe(null);
    expect(await focused(page)).toBe('Manage cookies');
    expect(problems).toEqual([]);
  });

  it('shows and saves what the learner chose when Object.prototype is polluted, never a purpose GPC refuses', async () => {
    const pollute = () => {
      (Object.prototype as Record<string, unknown>)['marketing'] = 'on';
    };
    const page = await open({ gpc: '1' }, pollute);
    await page.getByRole('button', { name: 'Preferences' }).click();
    const marketing = page.getByRole('switch', { name: 'Marketing', exact: true });
    expect(await marketing.isChecked()).toBe(false);
    await page.getByRole('button', { name: 'Save choices' }).click();
    expect(await decision(page)).toMatchObject({ purposes: { marketing: false } });

    // "Accept all" on the first layer, and in the preferences with Marketing left off.
    for (const where of ['notice', 'preferences'] as const) {
      const again = await open({ gpc: '1' }, pollute);
      if (where == 'preferences') await again.getByRole('button', { name: 'Preferences' }).click();
      await again.getByRole('button', { name: 'Accept all' }).click();
      expect(await decision(again), where).toMatchObject({ purposes: { analytics: true, marketing: false } });
    }
    expect(problems).toEqual([]);
  });

  it("keeps a Member's refusal when Object.prototype is polluted and the Member is set while the preferences are open", async () => {
    const page = await open({ member: '1' }, () => {
      (Object.prototype as Record<string, unknown>)['HarvardX analytics'] = true;
    });
    // The learner refused analytics on HarvardX's courses earlier; the page (an SPA) sets the Member
    // again while the preferences are open, after a page of no Member.
    await page.evaluate(async () => {
      const { banner } = window;
      const purposes = { analytics: true, functionality: true, marketing: true, performance: true };
      banner.consent.decide({ purposes, members: { HarvardX: { analytics: false } } }, 'preferences');
      await banner.open('preferences');
      const member = banner.member;
      banner.member = null;
      await banner.ready;
      banner.member = member;
      await banner.ready;
    });
    const mine = page.getByRole('switch', { name: 'Analytics On Harvard University courses' });
    expect(await mine.isChecked()).toBe(false);
    await page.getByRole('switch', { name: 'Marketing', exact: true }).click();
    await page.getByRole('button', { name: 'Save choices' }).click();
    expect(await decision(page)).toMatchObject({
      purposes: { marketing: false },
      members: { HarvardX: { analytics: false } },
    });
    expect(problems).toEqual([]);
  });

  it('opens the preferences of a declaration whose email entry has no purposes yet', async () => {
    const declaration = JSON.stringify({ trackers: [], email: [{ owner: 'platform', ownerName: 'edX' }] });
    const page = await open({ declaration });
    await page.getByRole('button', { name: 'Preferences' }).click();
    expect(await page.evaluate(() => window.banner.layer)).toBe('preferences');
    expect(await page.getByRole('dialog', { name: 'Cookie preferences' }).isVisible()).toBe(true);
    expect(await page.getByRole('listitem').textContent()).toContain('Email opens and clicks');
  });

  it('keeps the first layer, and the choice, when the preferences cannot be drawn from a broken declaration', async () => {
    // (`trackers` is no list: there are no preferences to show.)
    const page = await open({ declaration: JSON.stringify({ trackers: {} }) });
    const problem = page.waitForEvent('pageerror');
    await page.getByRole('button', { name: 'Preferences' }).click();
    await problem;
    expect(await page.getByRole('dialog', { name: 'Cookies and tracking' }).isVisible()).toBe(true);
    expect(await shown(page)).toEqual({ modal: true, seen: true });
    await page.getByRole('button', { name: 'Reject all' }).click();
    expect(await decision(page)).toMatchObject({ purposes: { analytics: false, marketing: false } });
    expect(await page.getByRole('button', { name: 'Cookie settings' }).isVisible()).toBe(true);
  });
});
