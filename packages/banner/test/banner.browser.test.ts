/**
 * Real-Chromium tests of <optin-banner>: Debian's chromium driven by playwright-core. The page is
 * served with a strict Content-Security-Policy and its script is bundled as ESM with code
 * splitting, so each language catalog is its own chunk, as on a real site.
 */
import { mkdirSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import axe from 'axe-core';
import { build } from 'esbuild';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { file, launchChromium, serve, type TestServer } from '../../../test-support/browser.js';
import { fill } from '../src/dom.js';
import { en } from '../src/messages.js';
import { ar } from '../src/locales/ar.js';
import { es } from '../src/locales/es.js';
import { fr } from '../src/locales/fr.js';
import { zh } from '../src/locales/zh.js';
import { payloads } from './fixtures/xss.js';
import { shipped } from './fixtures/shipped-languages.js';

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'";
const screenshots = fileURLToPath(new URL('../screenshots/', import.meta.url));

let browser: Browser;
let server: TestServer;
let contexts: BrowserContext[] = [];
/** Requests for script files, CSP violations, console errors and uncaught errors of the test's pages. */
let scripts: string[];
let problems: string[];

beforeAll(async () => {
  const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}.ts`, import.meta.url));
  const options = { bundle: true, format: 'esm', platform: 'browser', target: 'es2022', outdir: '/assets', write: false } as const;
  // Built apart, so that the course page's own script shares no chunk with it.
  const [page, serverRendered] = await Promise.all([
    build({ ...options, entryPoints: { page: fixture('banner-page') }, splitting: true, logLevel: 'error' }),
    build({ ...options, entryPoints: { 'server-rendered': fixture('server-rendered-page') }, logLevel: 'error' }),
  ]);
  const assets = new Map(
    [...page.outputFiles, ...serverRendered.outputFiles].map((f) => [`/${basename(f.path)}`, f.text]),
  );
  server = await serve([
    file('/favicon.ico', '', 'image/x-icon'),
    (_req, res, url) => {
      const asset = assets.get(url.pathname);
      if (asset === undefined) return false;
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' }).end(asset);
      return true;
    },
    (_req, res, url) => {
      if (url.pathname !== '/') return false;
      const lang = url.searchParams.get('lang') ?? 'en';
      // `ssr`: the server renders <optin-banner> into the HTML, and the page's script configures it.
      const ssr = url.searchParams.has('ssr');
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': CSP })
        .end(
          `<!doctype html><html lang="${lang}"${lang === 'ar' ? ' dir="rtl"' : ''}><meta charset="utf-8">` +
            '<title>Introduction to Computer Science</title>' +
            '<main><h1>Introduction to Computer Science</h1><p>Week 1: algorithms.</p>' +
            '<button id="open" type="button">Manage cookies</button></main>' +
            (ssr ? '<optin-banner></optin-banner>' : '') +
            `<script type="module" src="/${ssr ? 'server-rendered' : 'page'}.js"></script>`,
        );
      return true;
    },
  ]);
  browser = await launchChromium();
  mkdirSync(screenshots, { recursive: true });
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
 * Opens the course page (`query`: lang, locale, member, xss, ssr, shared, two, dnt, gpc) in a new context and
 * waits for the banner; `init` runs in the page before any of its scripts (to fake what the browser sends).
 */
async function open(
  query: Record<string, string> = {},
  options: BrowserContextOptions = {},
  init?: () => void,
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 900, height: 640 }, ...options });
  contexts.push(context);
  scripts = [];
  problems = [];
  const page = await context.newPage();
  // Registered before any script of the page runs.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  if (init) await page.addInitScript(init);
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('request', (r) => r.resourceType() === 'script' && scripts.push(new URL(r.url()).pathname));
  await page.goto(`${server.origin()}/?${new URLSearchParams(query).toString()}`);
  await page.evaluate(() => window.banner.ready);
  return page;
}

/** The focused element, looking into the banner's shadow root. */
const focused = (page: Page) =>
  page.evaluate(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return { tag: el?.tagName.toLowerCase(), text: el?.textContent, role: el?.getAttribute('role') ?? null, id: el?.id };
  });

/** The first layer's notice (or the preferences' introduction): what the dialog is described by. */
const described = (page: Page) => page.locator('optin-banner #d').textContent();
const decision = (page: Page) => page.evaluate(() => window.banner.consent.decision);
const layer = (page: Page) => page.evaluate(() => window.banner.layer);
const dialog = (page: Page) => page.locator('optin-banner [role=dialog]');

/**
 * Runs axe-core on the page; returns its violations as `rule: targets`, after checking that it did
 * look inside the banner's shadow root.
 */
async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axe.source });
  const results = await page.evaluate(() => window.axe.run(document));
  const inBanner = results.passes.filter((rule) =>
    rule.nodes.some((node) => node.target.some((part) => Array.isArray(part) && part[0] === 'optin-banner')),
  );
  expect(inBanner.map((rule) => rule.id)).toContain('button-name');
  return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
}

/**
 * The lowest WCAG contrast ratio of any text in the banner, against its painted background. axe
 * skips short Arabic texts (its icon-ligature heuristic mistakes joined letters for icons), so the
 * banner's own texts are measured here too, in every language.
 */
const lowestContrast = (page: Page) =>
  page.evaluate(() => {
    const luminance = (color: string) => {
      const [r = 0, g = 0, b = 0] = (color.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
        const c = Number(v) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const background = (el: Element) => {
      const parent = (e: Element) => {
        const root = e.getRootNode();
        return e.parentElement ?? (root instanceof ShadowRoot ? root.host : null);
      };
      for (let e: Element | null = el; e; e = parent(e)) {
        const color = getComputedStyle(e).backgroundColor;
        if (color !== 'transparent' && !/^rgba\(.*, 0\)$/.test(color)) return color;
      }
      return 'rgb(255, 255, 255)';
    };
    const texts = [...window.banner.shadowRoot!.querySelectorAll('*')].filter((el) =>
      [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent?.trim()),
    );
    // No text at all would be no proof: report 0.
    return Math.min(
      texts.length ? Infinity : 0,
      ...texts.map((el) => {
        const [a, b] = [luminance(getComputedStyle(el).color), luminance(background(el))].sort((x, y) => y - x);
        return (a! + 0.05) / (b! + 0.05);
      }),
    );
  });

declare global {
  interface Window {
    axe: typeof axe;
    __xss?: string;
    escapes?: number;
  }
}

describe('<optin-banner> in Chromium', () => {
  it('shows the first layer on a first visit: a labelled modal dialog, Accept all and Reject all alike, no layout shift', async () => {
    const page = await open();
    const shifts = await page.evaluate(async () => {
      const observer = new PerformanceObserver(() => {});
      observer.observe({ type: 'layout-shift', buffered: true });
      await new Promise((resolve) => setTimeout(resolve, 500));
      return observer.takeRecords().reduce((sum, e) => sum + (e as PerformanceEntry & { value: number }).value, 0);
    });
    expect(shifts).toBe(0);
    const box = dialog(page);
    // Modal (showModal: so it is to assistive technology, with no aria-modal that a non-modal one would keep).
    expect(await box.evaluate((el) => el.matches(':modal'))).toBe(true);
    expect(await page.locator('optin-banner #t').textContent()).toBe('Cookies and tracking');
    expect(await box.getAttribute('aria-labelledby')).toBe('t');
    expect(await page.locator('optin-banner #d').textContent()).toContain('Necessary ones are always on.');
    expect(await page.getByRole('dialog', { name: 'Cookies and tracking' }).isVisible()).toBe(true);
    expect(await box.evaluate((el) => getComputedStyle(el).position)).toBe('fixed');
    // The page's own content did not move: the banner takes no room in the flow.
    expect(await page.locator('main').evaluate((m) => m.getBoundingClientRect().top)).toBeLessThan(30);

    const look = (name: string) =>
      page.getByRole('button', { name, exact: true }).evaluate((b) => {
        const s = getComputedStyle(b);
        const r = b.getBoundingClientRect();
        return [b.tagName, r.width, r.height, s.fontSize, s.fontWeight, s.color, s.backgroundColor, s.border, s.padding];
      });
    expect(await look('Reject all')).toEqual(await look('Accept all'));
    expect(await page.getByRole('button', { name: 'Preferences' }).isVisible()).toBe(true);
    expect(await focused(page)).toMatchObject({ role: 'dialog' });
    expect(problems).toEqual([]);
  });

  it('keyboard only: from page load, Tab to Reject all and Enter rejects all, and focus returns to where it was', async () => {
    const page = await open();
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ text: 'Cookie policy' });
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ text: 'Accept all' });
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ text: 'Reject all' });
    await page.keyboard.press('Enter');
    expect(await decision(page)).toMatchObject({
      source: 'banner',
      purposes: { necessary: true, analytics: false, performance: false, functionality: false, marketing: false },
    });
    expect(await layer(page)).toBe(null);
    expect(await focused(page)).toMatchObject({ tag: 'body' });

    // The persistent "Cookie settings" control reopens the preferences, by keyboard too.
    const settings = page.getByRole('button', { name: 'Cookie settings' });
    expect(await settings.isVisible()).toBe(true);
    for (let i = 0; i < 5 && (await focused(page)).text !== 'Cookie settings'; i++) await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ text: 'Cookie settings' });
    await page.keyboard.press('Enter');
    await expect.poll(() => layer(page)).toBe('preferences');
    expect(await focused(page)).toMatchObject({ role: 'dialog' });
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ text: 'Cookie policy' }); // in the introduction
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ role: 'switch' });
    await page.keyboard.press('Space'); // the first switch: Analytics
    for (let i = 0; i < 20 && (await focused(page)).text !== 'Save choices'; i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(await decision(page)).toMatchObject({
      source: 'preferences',
      purposes: { analytics: true, performance: false, marketing: false },
    });
    expect(await focused(page)).toMatchObject({ text: 'Cookie settings' });
    expect(problems).toEqual([]);
  });

  it('traps focus in the dialog; Esc goes back to the first layer, or closes when opened from the page', async () => {
    const page = await open();
    await page.getByRole('button', { name: 'Preferences' }).press('Enter');
    expect(await layer(page)).toBe('preferences');
    expect(await focused(page)).toMatchObject({ role: 'dialog' });
    await page.keyboard.press('Shift+Tab');
    expect(await focused(page)).toMatchObject({ text: 'Close' });
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ text: 'Cookie policy' }); // the first control
    await page.keyboard.press('Shift+Tab');
    expect(await focused(page)).toMatchObject({ text: 'Close' });
    await page.keyboard.press('Escape');
    expect(await layer(page)).toBe('notice');
    await page.keyboard.press('Escape'); // undecided: the first layer stays
    expect(await layer(page)).toBe('notice');
    await page.getByRole('button', { name: 'Accept all' }).click();
    expect(await decision(page)).toMatchObject({ purposes: { analytics: true, marketing: true } });

    // Opened from the page's own control: Esc closes, and focus goes back to that control.
    await page.locator('#open').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => layer(page)).toBe('preferences');
    expect(await focused(page)).toMatchObject({ role: 'dialog' });
    await page.keyboard.press('Escape');
    expect(await layer(page)).toBe(null);
    expect(await focused(page)).toMatchObject({ id: 'open' });
    expect(problems).toEqual([]);
  });

  it('is truly modal: the page behind is out of reach by click, Tab, its own script and the accessibility tree until a choice', async () => {
    const page = await open();
    const inBanner = () => page.evaluate(() => window.banner.shadowRoot!.activeElement !== null);
    // What a screen reader can reach: the named buttons, links and headings of Chromium's accessibility tree.
    const cdp = await page.context().newCDPSession(page);
    const exposed = async () => {
      const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as {
        nodes: { ignored: boolean; role?: { value: string }; name?: { value: string } }[];
      };
      return nodes
        .filter((n) => !n.ignored && ['button', 'link', 'heading'].includes(n.role?.value ?? ''))
        .map((n) => n.name?.value);
    };
    for (const shown of ['notice', 'preferences']) {
      if (shown === 'preferences') await page.getByRole('button', { name: 'Preferences' }).click();
      expect(await exposed(), shown).toContain('Reject all');
      expect(await exposed(), shown).not.toContain('Manage cookies');
      expect(await exposed(), shown).not.toContain('Introduction to Computer Science');
      for (const key of ['Tab', 'Shift+Tab']) {
        await page.mouse.click(450, 20); // on the page's heading
        await page.keyboard.press(key);
        expect(await inBanner(), `${shown}: click on the page, ${key}`).toBe(true);
      }
      // The page's own script (an SPA focusing the control of its new route) cannot take focus either.
      await page.evaluate(() => document.querySelector<HTMLElement>('#open')!.focus());
      expect(await inBanner(), shown).toBe(true);
      expect(await layer(page)).toBe(shown);
    }
    await page.getByRole('button', { name: 'Reject all' }).click();
    // Decided: the page is the page again, and only the "Cookie settings" button is the banner's.
    expect(await exposed()).toContain('Manage cookies');
    await page.mouse.click(450, 20);
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ id: 'open' });
    await page.locator('#open').click();
    await expect.poll(() => layer(page)).toBe('preferences');
    expect(await exposed()).not.toContain('Manage cookies'); // modal again while open
    await page.keyboard.press('Escape');
    expect(await layer(page)).toBe(null);
    expect(await focused(page)).toMatchObject({ id: 'open' });
    expect(await exposed()).toContain('Manage cookies');
    expect(problems).toEqual([]);
  });

  it('Esc, however often, is no dismissal of the first layer: pressed in the banner or where the page dropped focus', async () => {
    const page = await open();
    const drop = () => page.evaluate(() => (document.activeElement as HTMLElement).blur());
    const up = () => page.evaluate(() => window.banner.shadowRoot!.querySelector('dialog:modal') !== null);
    // In the banner: nothing happens, and the learner stays on the control they are on.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    for (let i = 0; i < 3; i++) await page.keyboard.press('Escape');
    expect(await focused(page)).toMatchObject({ text: 'Accept all' });
    expect(await layer(page)).toBe('notice');
    await drop();
    expect(await focused(page)).toMatchObject({ tag: 'body' });
    // Chromium lets a page cancel one close request, not two in a row without a click between: the
    // dialog it closes is opened again on its `close` event, a task after the key (so polled for).
    for (let i = 0; i < 3; i++) await page.keyboard.press('Escape');
    expect(await layer(page)).toBe('notice');
    await expect.poll(up).toBe(true);
    expect(await dialog(page).isVisible()).toBe(true);
    // (Focused as a whole again, as when it opened: a screen reader reads its name and description.)
    await expect.poll(() => focused(page)).toMatchObject({ tag: 'dialog' });
    expect(await decision(page)).toBe(null);
    // The banner's Esc all the same: from the preferences back to the first layer, closed once decided.
    await page.getByRole('button', { name: 'Preferences' }).click();
    await drop();
    await page.keyboard.press('Escape');
    expect(await layer(page)).toBe('notice');
    expect(await up()).toBe(true);
    await page.getByRole('button', { name: 'Reject all' }).click();
    await page.locator('#open').click();
    await expect.poll(() => layer(page)).toBe('preferences');
    await drop();
    await page.keyboard.press('Escape');
    expect(await layer(page)).toBe(null);
    expect(await up()).toBe(false);
    expect(problems).toEqual([]);
  });

  it('two micro-frontends, each with its banner: one modal dialog, focus kept in it, and the other takes over when it goes', async () => {
    const page = await open({ two: '1', shared: '1' });
    await page.evaluate(() => window.second?.ready);
    const banners = page.locator('optin-banner');
    expect(await banners.count()).toBe(2);
    expect(await page.getByRole('dialog').count()).toBe(1);
    expect(await page.evaluate(() => [window.banner.layer, window.second?.layer])).toEqual(['notice', null]);
    // Modal: Tab and Shift+Tab go round the one dialog's controls, never to the other banner.
    expect(await focused(page)).toMatchObject({ role: 'dialog' });
    const seen: (string | null | undefined)[] = [];
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      seen.push((await focused(page)).text);
      expect(await page.evaluate(() => window.banner.shadowRoot!.activeElement !== null)).toBe(true);
    }
    expect(seen).toEqual(['Cookie policy', 'Accept all', 'Reject all', 'Preferences', 'Cookie policy', 'Accept all']);
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    expect(await focused(page)).toMatchObject({ text: 'Preferences' });
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter'); // Reject all
    // Both stores follow the choice; one "Cookie settings" button, not two.
    await expect.poll(() => page.evaluate(() => window.second?.consent.needsPrompt)).toBe(false);
    expect(await page.getByRole('dialog').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Cookie settings' }).count()).toBe(1);

    // The first micro-frontend unmounts: the other one's button is there, and it asks when needed.
    await page.evaluate(() => window.banner.remove());
    await expect.poll(() => page.getByRole('button', { name: 'Cookie settings' }).count()).toBe(1);
    await page.evaluate(() => window.second?.consent.reset());
    await expect.poll(() => page.getByRole('dialog').count()).toBe(1);
    expect(await page.evaluate(() => window.second?.layer)).toBe('notice');
    expect(await focused(page)).toMatchObject({ role: 'dialog' });
    expect(problems).toEqual([]);
  });

  it("preferences: every purpose described, necessary locked on, grouped purposes, the Member's switches and the third parties", async () => {
    const page = await open({ member: '1' });
    await page.getByRole('button', { name: 'Preferences' }).click();
    const necessary = page.getByRole('switch', { name: /Strictly necessary/ });
    expect(await necessary.isChecked()).toBe(true);
    expect(await necessary.isDisabled()).toBe(true);
    expect(await necessary.evaluate((el) => el.closest('label')?.textContent)).toContain('Always on');
    const usage = page.getByRole('group', { name: 'Analytics, Performance, and Functionality' });
    expect(await usage.getByRole('switch').count()).toBe(3);
    expect(await page.getByRole('switch', { name: 'Performance' }).getAttribute('aria-describedby')).toBeTruthy();
    await expect
      .poll(() => page.getByRole('switch', { name: 'Performance' }).evaluate((el) => el.getAttribute('aria-describedby')))
      .toMatch(/^d\d+$/);
    expect(await page.getByText('Monitoring how fast and reliably the edX Site works.').isVisible()).toBe(true);

    const harvard = page.getByRole('group', { name: 'On Harvard University courses' });
    expect(await harvard.getByRole('switch').count()).toBe(2); // its trackers serve analytics and marketing
    expect(await harvard.getByText('Google Analytics 4').count()).toBe(1);
    // Its emails are tracked under analytics: the same switch governs them, and says so.
    expect(await harvard.getByRole('switch', { name: 'Analytics' }).getAttribute('aria-describedby')).toBeTruthy();
    expect(await harvard.getByText('Google Analytics 4 and Email opens and clicks').count()).toBe(1);

    const third = page.locator('optin-banner section li');
    expect(await third.count()).toBe(5);
    expect(await third.last().textContent()).toBe('Email opens and clicks (Harvard University: Analytics) ');
    const links = await page.locator('optin-banner section a').evaluateAll((as) =>
      as.map((a) => [a.textContent, a.getAttribute('href'), a.getAttribute('target')]),
    );
    expect(links).toContainEqual(['Opt out', 'https://tools.google.com/dlpage/gaoptout', '_blank']);
    expect(links.filter(([text]) => text === 'Privacy policy')).toHaveLength(4);
    expect(links.filter(([text]) => text === 'Opt out')).toHaveLength(3); // Segment declares none

    // Everything on for edX, marketing off for Harvard on its courses only.
    for (const name of ['Analytics', 'Performance', 'Functionality', 'Marketing'])
      await page.getByRole('switch', { name, exact: true }).first().check();
    await harvard.getByRole('switch', { name: 'Marketing' }).uncheck();
    await page.getByRole('button', { name: 'Save choices' }).click();
    expect(await decision(page)).toMatchObject({
      purposes: { analytics: true, performance: true, functionality: true, marketing: true },
    });
    // Only the Member's switch the learner changed is its choice: analytics on Harvard's courses follows edX's.
    expect((await decision(page))?.members).toEqual({ HarvardX: { marketing: false } });
    expect(await page.evaluate(() => [window.banner.consent.allows('marketing'), window.banner.consent.allows('marketing', 'HarvardX')])).toEqual([
      true,
      false,
    ]);
    expect(await page.evaluate(() => window.banner.consent.allows('analytics', 'HarvardX'))).toBe(true);

    // Reopened, the switches show what is in force; "Accept all" lifts the Member's refusal too.
    await page.getByRole('button', { name: 'Cookie settings' }).click();
    expect(await harvard.getByRole('switch', { name: 'Marketing' }).isChecked()).toBe(false);
    await page.getByRole('button', { name: 'Accept all' }).click();
    expect(await page.evaluate(() => window.banner.consent.allows('marketing', 'HarvardX'))).toBe(true);
    expect(problems).toEqual([]);
  });

  it("gives every switch its own name, the Member's naming the Member, in every language", async () => {
    // Each switch's name in Chromium's accessibility tree, as a screen reader lists the form controls.
    const switchNames = async (page: Page) => {
      await page.evaluate(() => window.banner.open('preferences'));
      const tree = await dialog(page).ariaSnapshot();
      // `- switch "name"` or `- switch "name" [checked]`, YAML-quoted when the name has a colon.
      return [...tree.matchAll(/^ *- '?switch "(.+?)"/gm)].map((m) => m[1]);
    };
    const en = await switchNames(await open({ member: '1' }));
    expect(en).toEqual([
      'Strictly necessary Always on',
      'Analytics',
      'Performance',
      'Functionality',
      'Marketing',
      // The visible label first (WCAG 2.5.3), then the Member's section.
      'Analytics On Harvard University courses',
      'Marketing On Harvard University courses',
    ]);
    for (const lang of ['es', 'fr', 'ar', 'zh']) {
      const names = await switchNames(await open({ lang, member: '1' }));
      expect(names, lang).toHaveLength(7);
      expect(new Set(names).size, lang).toBe(7);
      for (const name of names.slice(5)) expect(name, lang).toContain('Harvard University');
    }
    expect(problems).toEqual([]);
  });

  it("keeps every Esc pressed in the banner from the page's own Esc handlers, and leaves the page its other ones", async () => {
    const page = await open();
    await page.evaluate(() => {
      window.escapes = 0;
      document.addEventListener('keydown', (e) => e.key === 'Escape' && window.escapes!++);
    });
    const escapes = () => page.evaluate(() => window.escapes);
    await page.getByRole('button', { name: 'Preferences' }).click();
    await page.keyboard.press('Escape'); // back to the first layer
    expect(await layer(page)).toBe('notice');
    expect(await escapes()).toBe(0);
    await page.keyboard.press('Escape'); // the first layer before a choice stays (it is modal): still the banner's
    expect(await layer(page)).toBe('notice');
    expect(await escapes()).toBe(0);
    await page.getByRole('button', { name: 'Reject all' }).click();
    await page.locator('#open').click();
    await expect.poll(() => layer(page)).toBe('preferences');
    await page.keyboard.press('Escape'); // closed
    expect(await layer(page)).toBe(null);
    expect(await escapes()).toBe(0);
    await page.keyboard.press('Escape'); // on the page: the page's own
    expect(await escapes()).toBe(1);
    expect(problems).toEqual([]);
  });

  it('keeps every control in view when focused at 200% and 400% zoom: none hidden under the sticky buttons (WCAG 2.4.11, 1.4.10)', async () => {
    // This suite's window, a narrow one where the French buttons take two rows, and the CSS viewports
    // of a 1280×720 screen at 200% and of a 1280×1024 screen at 400%.
    for (const [width, height, lang] of [[900, 640, 'en'], [520, 700, 'fr'], [640, 360, 'en'], [320, 256, 'en']] as const) {
      const viewport = { width, height };
      const page = await open({ member: '1', lang }, { viewport, reducedMotion: 'reduce' });
      for (const shown of ['notice', 'preferences']) {
        if (shown === 'preferences') await page.evaluate(() => window.banner.open('preferences'));
        const count = await dialog(page).evaluate((d) => d.querySelectorAll('a[href],button,input:not(:disabled)').length);
        const obscured: string[] = [];
        // Once round the dialog by keyboard: at the centre of each control focused is that control itself.
        for (let i = 0; i < count; i++) {
          await page.keyboard.press('Tab');
          const seen = await page.evaluate(() => {
            const root = window.banner.shadowRoot!;
            const el = root.activeElement!;
            // A link may wrap: the centre of its first line box.
            const r = el.getClientRects()[0]!;
            const hit = root.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            const name = el.textContent || el.closest('label')?.textContent;
            return hit && (hit === el || el.contains(hit)) ? null : `${name} under ${hit?.textContent ?? 'nothing'}`;
          });
          if (seen) obscured.push(seen);
        }
        expect(obscured, `${shown} at ${width}×${height} (${lang})`).toEqual([]);
        // Reflow: nothing to scroll sideways.
        expect(await dialog(page).evaluate((d) => d.scrollWidth <= d.clientWidth)).toBe(true);
      }
      expect(problems).toEqual([]);
    }
  });

  it('open preferences show a withdrawal made in another tab meanwhile, so saving them does not undo it', async () => {
    const here = await open({ shared: '1' });
    const other = await here.context().newPage();
    await other.goto(`${server.origin()}/?shared=1`);
    await other.evaluate(() => window.banner.ready);
    await here.getByRole('button', { name: 'Accept all' }).click();
    await expect.poll(() => layer(other)).toBe(null); // the other tab follows
    await here.getByRole('button', { name: 'Cookie settings' }).click();
    await expect.poll(() => layer(here)).toBe('preferences');
    const analytics = here.getByRole('switch', { name: 'Analytics', exact: true });
    expect(await analytics.isChecked()).toBe(true);
    await here.getByRole('switch', { name: 'Marketing', exact: true }).focus(); // the learner is on it

    await other.getByRole('button', { name: 'Cookie settings' }).click();
    await other.getByRole('switch', { name: 'Analytics', exact: true }).uncheck();
    await other.getByRole('button', { name: 'Save choices' }).click();
    await expect.poll(() => analytics.isChecked()).toBe(false);
    expect(await layer(here)).toBe('preferences');
    // Redrawn where the learner is: focus stays on the switch, not back at the top of the dialog.
    const marketing = here.getByRole('switch', { name: 'Marketing', exact: true });
    expect(await marketing.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);
    expect(await focused(here)).toMatchObject({ tag: 'input', role: 'switch' });
    await here.getByRole('button', { name: 'Save choices' }).click();
    expect(await decision(here)).toMatchObject({ purposes: { analytics: false, performance: true, marketing: true } });
    expect(await here.evaluate(() => window.banner.consent.allows('analytics'))).toBe(false);
    expect(problems).toEqual([]);
  });

  it('keeps the preferences open, their unsaved switches and focus in the dialog when the page moves the banner in the document', async () => {
    const page = await open();
    await page.getByRole('button', { name: 'Reject all' }).click();
    await page.getByRole('button', { name: 'Cookie settings' }).press('Enter');
    await expect.poll(() => layer(page)).toBe('preferences');
    await page.keyboard.press('Tab'); // the cookie policy
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space'); // Analytics on, not saved
    const analytics = page.getByRole('switch', { name: 'Analytics', exact: true });
    expect(await analytics.isChecked()).toBe(true);
    // A layout re-parents it (a single-page app's router, a portal): disconnected, then connected at once.
    await page.evaluate(() => {
      const wrapper = document.createElement('div');
      document.body.append(wrapper);
      wrapper.append(window.banner);
      return window.banner.ready;
    });
    expect(await layer(page)).toBe('preferences');
    expect(await page.getByRole('dialog').count()).toBe(1);
    expect(await analytics.isChecked()).toBe(true);
    // Focus in the dialog (the browser took it from the switch as the banner left), not dropped to
    // <body>: Tab goes on among its controls.
    expect(await focused(page)).toMatchObject({ tag: 'dialog', role: 'dialog' });
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'a', text: 'Cookie policy' });
    await page.keyboard.press('Escape');
    expect(await layer(page)).toBe(null);
    expect(await decision(page)).toMatchObject({ purposes: { analytics: false } });
    // Removed for good, it closes; appended again later, it starts anew, closed (decided).
    await page.getByRole('button', { name: 'Cookie settings' }).click();
    await page.evaluate(async () => {
      window.banner.remove();
      await Promise.resolve();
      document.body.append(window.banner);
      return window.banner.ready;
    });
    expect(await layer(page)).toBe(null);
    expect(problems).toEqual([]);
  });

  it('links a cookie policy given relative to the page, and no link for what is not http(s)', async () => {
    const page = await open();
    const href = (policyUrl: string) =>
      page.evaluate((url) => {
        window.banner.policyUrl = url;
        return window.banner.ready.then(() => window.banner.shadowRoot!.querySelector('#d a')?.getAttribute('href'));
      }, policyUrl);
    expect(await href('/cookie-policy')).toBe(`${server.origin()}/cookie-policy`);
    expect(await href('cookie-policy.html?v=2')).toBe(`${server.origin()}/cookie-policy.html?v=2`);
    expect(await href('https://www.edx.org/edx-privacy-policy')).toBe('https://www.edx.org/edx-privacy-policy');
    for (const url of ['javascript:alert(1)', 'data:text/html,x', '', '//'])
      expect(await href(url), url).toBeUndefined();
    expect(await page.getByRole('link', { name: 'Cookie policy' }).count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('links the cookie policy from the preferences too: once decided, the only layer a learner can reopen', async () => {
    const page = await open();
    await page.getByRole('button', { name: 'Reject all' }).click();
    await page.getByRole('button', { name: 'Cookie settings' }).click();
    await expect.poll(() => layer(page)).toBe('preferences');
    const policy = dialog(page).getByRole('link', { name: 'Cookie policy' });
    expect(await policy.count()).toBe(1);
    expect(await policy.getAttribute('href')).toBe('https://www.edx.org/edx-privacy-policy');
    expect(problems).toEqual([]);
  });

  it("submits no form it is placed in, in the page or in another element's shadow root, and opens links with no opener or referrer", async () => {
    for (const form of ['page', 'shadow']) {
      const page = await open({ form, member: '1' });
      const action: string[] = [];
      page.on('request', (r) => new URL(r.url()).pathname == '/submitted' && action.push(r.method()));
      // Every submit and formdata event the form fires (none is cancelled: a submission would load /submitted).
      await page.evaluate(() => {
        const f = document.querySelector('#f') ?? document.querySelector('div')!.shadowRoot!.querySelector('#f')!;
        window.escapes = 0;
        for (const type of ['submit', 'formdata']) f.addEventListener(type, () => window.escapes!++);
      });
      const submitted = async (step: string) => {
        await page.waitForTimeout(100);
        expect([await page.evaluate(() => window.escapes), action], `${form}: ${step}`).toEqual([0, []]);
      };
      await page.getByRole('button', { name: 'Accept all' }).click();
      await submitted('Accept all');
      await page.evaluate(() => window.banner.open());
      await page.getByRole('button', { name: 'Reject all' }).click();
      await submitted('Reject all');
      await page.evaluate(() => window.banner.open());
      await page.getByRole('button', { name: 'Preferences' }).click();
      await page.getByRole('switch').and(page.locator(':enabled')).first().focus();
      await page.keyboard.press('Enter');
      await submitted('Enter on a switch');
      expect(await layer(page)).toBe('preferences');
      await page.getByRole('button', { name: 'Save choices' }).click();
      await submitted('Save choices');
      expect(await layer(page)).toBe(null);

      // A third party's link opens its site in a new tab that cannot reach this page, and is not told it.
      await page.evaluate(() => window.banner.open('preferences'));
      // (No network here: the new tab shows Chromium's error page, but its request and window tell.)
      const sent: Record<string, string>[] = [];
      page.context().on('request', (r) => r.url().startsWith('https://www.facebook.com/') && sent.push(r.headers()));
      const [tab] = await Promise.all([
        page.context().waitForEvent('page'),
        page.getByRole('link', { name: 'Opt out: Meta Pixel (opens in a new tab)' }).click(),
      ]);
      await tab.waitForLoadState();
      expect(await tab.evaluate(() => [window.opener === null, document.referrer])).toEqual([true, '']);
      expect(sent.map((headers) => headers['referer'])).toEqual([undefined]);

      // While a plain button in the same form does submit it (so the test would see one).
      await page.evaluate(() => window.banner.close());
      await Promise.all([page.waitForRequest('**/submitted**'), page.locator('#submit').click()]);
      expect(action, form).toEqual(['GET']);
    }
  });

  it("names each third party's links with the vendor and the new tab, in every language", async () => {
    // Each link's name in the accessibility tree, as a screen reader lists the page's links.
    const linkNames = async (page: Page) => {
      await page.evaluate(() => window.banner.open('preferences'));
      const tree = await page.locator('optin-banner section').ariaSnapshot();
      // `- link "name":`, YAML-quoted when the name has a colon: `- 'link "name: …"':`
      return [...tree.matchAll(/^ *- '?link "(.+)"'?:?$/gm)].map((m) => m[1]);
    };
    const en = await open({ member: '1' });
    expect(await linkNames(en)).toEqual([
      'Privacy policy: Segment (opens in a new tab)',
      'Privacy policy: Meta Pixel (opens in a new tab)',
      'Opt out: Meta Pixel (opens in a new tab)',
      'Privacy policy: Google Analytics 4 (opens in a new tab)',
      'Opt out: Google Analytics 4 (opens in a new tab)',
      'Privacy policy: LinkedIn Insight Tag (opens in a new tab)',
      'Opt out: LinkedIn Insight Tag (opens in a new tab)',
    ]);
    // The visible text starts the name (WCAG 2.5.3); a decorative glyph shows sighted learners the new tab.
    const link = en.getByRole('link', { name: 'Opt out: Meta Pixel (opens in a new tab)' });
    expect(await link.textContent()).toBe('Opt out');
    expect(await link.evaluate((a) => getComputedStyle(a, '::after').content)).toBe('" ↗" / ""');

    const translated = {
      es: ['Política de privacidad: Meta Pixel (se abre en una pestaña nueva)', 'Darse de baja: Meta Pixel (se abre en una pestaña nueva)'],
      fr: ['Politique de confidentialité : Meta Pixel (s’ouvre dans un nouvel onglet)', 'Refuser (opt-out) : Meta Pixel (s’ouvre dans un nouvel onglet)'],
      ar: ['سياسة الخصوصية: Meta Pixel (يُفتح في علامة تبويب جديدة)', 'إلغاء الاشتراك: Meta Pixel (يُفتح في علامة تبويب جديدة)'],
      zh: ['隐私政策：Meta Pixel（在新标签页中打开）', '选择退出：Meta Pixel（在新标签页中打开）'],
    };
    for (const [lang, meta] of Object.entries(translated)) {
      const names = await linkNames(await open({ lang, member: '1' }));
      expect(names).toHaveLength(7);
      expect(new Set(names).size).toBe(7); // no two links share a name
      expect(names.slice(1, 3)).toEqual(meta);
    }
    expect(problems).toEqual([]);
  });

  for (const order of ['before', 'after'])
    it(`a server-rendered <optin-banner> shows when its properties are set ${order} defineBanner()`, async () => {
      const page = await open({ ssr: order });
      expect(await page.locator('optin-banner').count()).toBe(1); // the server's element, upgraded
      expect(await layer(page)).toBe('notice');
      expect(await page.getByRole('dialog', { name: 'Cookies et traçage' }).isVisible()).toBe(true);
      expect(await focused(page)).toMatchObject({ role: 'dialog' });
      await page.getByRole('button', { name: 'Tout refuser' }).click();
      expect(await decision(page)).toMatchObject({ source: 'banner', purposes: { analytics: false } });
      expect(await layer(page)).toBe(null);
      expect(await page.locator('optin-banner button').count()).toBe(0); // settingsButton: false
      expect(problems).toEqual([]);
    });

  it(`renders and works under "${CSP}" with no violation reported`, async () => {
    const page = await open({ member: '1' });
    expect(await dialog(page).evaluate((el) => getComputedStyle(el).position)).toBe('fixed');
    expect(await page.getByRole('button', { name: 'Accept all' }).evaluate((b) => getComputedStyle(b).color)).toBe(
      'rgb(255, 255, 255)',
    );
    await page.getByRole('button', { name: 'Preferences' }).click();
    await page.getByRole('switch', { name: 'Analytics', exact: true }).first().check();
    await page.getByRole('button', { name: 'Save choices' }).click();
    expect(await decision(page)).toMatchObject({ purposes: { analytics: true, marketing: false } });
    await page.getByRole('button', { name: 'Cookie settings' }).click();
    await page.getByRole('button', { name: 'Reject all' }).click();
    expect(await decision(page)).toMatchObject({ purposes: { analytics: false } });
    expect(problems).toEqual([]);

    // The policy is enforced and its violations would be seen: an inline style attribute is refused.
    await page.evaluate(() => document.body.setAttribute('style', 'color: red'));
    await expect.poll(() => problems.join('\n')).toMatch(/CSP violation: style-src-attr/);
  });

  it('keeps XSS payloads in every config string as text, and renders no link that is not http(s)', async () => {
    const page = await open({ xss: '1' });
    await page.getByRole('button', { name: 'Preferences' }).click();
    const shadow = await page.evaluate(() => {
      const root = window.banner.shadowRoot!;
      return {
        text: root.textContent,
        injected: root.querySelectorAll('img, script, svg, iframe, b[onmouseover], [onerror], [onload]').length,
        links: [...root.querySelectorAll('a')].map((a) => a.getAttribute('href')),
      };
    });
    for (const payload of [payloads.img, payloads.script, payloads.svg, payloads.iframe])
      expect(shadow.text).toContain(payload);
    // The Member name is put in messages as text: `$&` and `{name}` in it are not expanded.
    expect(shadow.text).toContain(`On ${payloads.replacement} courses`);
    expect(shadow.injected).toBe(0);
    expect(shadow.links).toEqual(['https://example.org/opt-out?q=%22%3E%3Cscript%3Ewindow.__xss=1%3C/script%3E']);
    await page.getByRole('button', { name: 'Close' }).click();
    await page.mouse.move(450, 600);
    expect(await page.evaluate(() => window.__xss)).toBeUndefined();
    expect(await page.locator('body > :not(main, script, optin-banner)').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('speaks the language of the page: Arabic right to left, French from the browser, each catalog loaded only when shown', async () => {
    const en = await open();
    expect(scripts).toEqual(['/page.js']);
    expect(await en.getByRole('button', { name: 'Reject all' }).isVisible()).toBe(true);

    const ar = await open({ lang: 'ar', member: '1' });
    expect(scripts.filter((s) => s !== '/page.js').map((s) => s.replace(/-\w+\.js$/, ''))).toEqual(['/ar']);
    expect(await ar.locator('optin-banner [dir]').getAttribute('dir')).toBe('rtl');
    expect(await ar.locator('optin-banner [lang]').getAttribute('lang')).toBe('ar');
    expect(await ar.getByRole('button', { name: 'رفض الكل' }).isVisible()).toBe(true);
    await ar.getByRole('button', { name: 'التفضيلات' }).click();
    expect(await ar.getByRole('switch', { name: 'التحليلات' }).first().isVisible()).toBe(true);
    expect(await ar.getByRole('group', { name: 'في دورات Harvard University' }).isVisible()).toBe(true);

    // <html lang> first; when it names no catalog, the browser's languages.
    const enPage = await open({ lang: 'en' }, { locale: 'fr-FR' });
    expect(await enPage.getByRole('button', { name: 'Reject all' }).isVisible()).toBe(true);
    const dePage = await open({ lang: 'de' }, { locale: 'fr-FR' });
    expect(await dePage.getByRole('button', { name: 'Tout refuser' }).isVisible()).toBe(true);
    const zh = await open({ lang: 'zh-CN' });
    expect(await zh.getByRole('button', { name: '全部拒绝' }).isVisible()).toBe(true);
    expect(problems).toEqual([]);
  });

  it('is themed by CSS custom properties set by the page (and the contrast measure sees a poor theme)', async () => {
    const page = await open({}, { bypassCSP: true });
    await page.addStyleTag({ content: ':root { --optin-accent: #8b0000; --optin-radius: 0px }' });
    const button = page.getByRole('button', { name: 'Accept all' });
    expect(await button.evaluate((b) => getComputedStyle(b).backgroundColor)).toBe('rgb(139, 0, 0)');
    expect(await button.evaluate((b) => getComputedStyle(b).borderRadius)).toBe('0px');
    expect(await lowestContrast(page)).toBeGreaterThanOrEqual(4.5);
    await page.addStyleTag({ content: 'optin-banner { --optin-fg: #b0b0b0 }' });
    expect(await lowestContrast(page)).toBeLessThan(4.5);
  });

  it('shows whether a switch is on in forced colours (Windows High Contrast), "Always on" included', async () => {
    const page = await open({}, { forcedColors: 'active', reducedMotion: 'reduce' });
    await page.getByRole('button', { name: 'Preferences' }).click();
    await page.getByRole('switch', { name: 'Analytics', exact: true }).check();
    const look = (name: string | RegExp) =>
      page.getByRole('switch', { name, exact: true }).evaluate((el) => {
        const s = getComputedStyle(el);
        return { knob: s.backgroundImage, side: s.backgroundPosition, fill: s.backgroundColor };
      });
    const [on, off, always] = [await look('Analytics'), await look('Performance'), await look(/^Strictly necessary/)];
    const canvas = await dialog(page).evaluate((el) => getComputedStyle(el).backgroundColor);
    // Forced colours drop an author's background image: the knob must be drawn in system colours.
    for (const state of [on, off, always]) expect(state.knob).toMatch(/^radial-gradient\(/);
    expect(on.knob).not.toBe(off.knob);
    expect(on.side).not.toBe(off.side);
    // On (and "Always on") is filled with a colour that shows on the dialog's background; off is not filled.
    expect(on.fill).not.toBe(canvas);
    expect(always.fill).not.toBe(canvas);
    expect(off.fill).toBe('rgba(0, 0, 0, 0)');
    expect(problems).toEqual([]);
  });

  it("keeps the page's text styles out: alignment, case, spacing and wrapping set on its <body> do not reach the banner", async () => {
    // A page's stylesheet (Bootstrap 4, Open edX's Paragon: `body { text-align: left }`), with more a
    // site may set on its body.
    const css =
      'body { text-align: left; text-transform: uppercase; letter-spacing: .3em; text-indent: 4em; white-space: nowrap }';
    const look = (page: Page) =>
      page.evaluate(() => {
        const root = window.banner.shadowRoot!;
        const box = root.querySelector('dialog')!.getBoundingClientRect();
        const heading = root.querySelector('h2')!;
        const text = document.createRange();
        text.selectNodeContents(heading);
        const s = getComputedStyle(root.querySelector('#d')!);
        return {
          // Where the heading's text starts: its side of the dialog (the right in Arabic), not the page's.
          gap: Math.round(
            heading.closest('[dir=rtl]')
              ? box.right - text.getBoundingClientRect().right
              : text.getBoundingClientRect().left - box.left,
          ),
          sideways: root.querySelector('dialog')!.scrollWidth > root.querySelector('dialog')!.clientWidth,
          text: [s.textTransform, s.letterSpacing, s.textIndent],
        };
      });
    for (const lang of ['ar', 'en']) {
      const page = await open({ lang }, { bypassCSP: true, reducedMotion: 'reduce' });
      const before = await look(page);
      await page.addStyleTag({ content: css });
      expect(await look(page), lang).toEqual(before);
      expect(before, lang).toMatchObject({ sideways: false, text: ['none', 'normal', '0px'] });
    }
    expect(problems).toEqual([]);
  });

  it("follows the learner's default font size, as the page's text does", async () => {
    const page = await open({}, { reducedMotion: 'reduce' });
    const sizes = () =>
      page.evaluate(() =>
        [document.querySelector('main p')!, window.banner.shadowRoot!.querySelector('#d')!].map(
          (el) => getComputedStyle(el).fontSize,
        ),
      );
    // The browser's "Font size: Very large" (chrome://settings/fonts), a low-vision setting.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Page.setFontSizes', { fontSizes: { standard: 24 } });
    expect(await sizes()).toEqual(['24px', '24px']);
    expect(problems).toEqual([]);
  });

  it('shows "Always on" in line with the name of the switch it belongs to', async () => {
    const page = await open({}, { reducedMotion: 'reduce' });
    await page.getByRole('button', { name: 'Preferences' }).click();
    const middles = await page.evaluate(() => {
      const label = window.banner.shadowRoot!.querySelector('label')!;
      return [label.childNodes[1]!, label.childNodes[2]!].map((node) => {
        const text = document.createRange();
        text.selectNodeContents(node);
        const r = text.getBoundingClientRect();
        return r.top + r.height / 2;
      });
    });
    expect(Math.abs(middles[0]! - middles[1]!)).toBeLessThan(1);
    expect(problems).toEqual([]);
  });

  it('Esc or Close in the preferences goes back to the first layer with focus on its Preferences button', async () => {
    const page = await open();
    for (const key of ['Escape', 'Close']) {
      const preferences = page.getByRole('button', { name: 'Preferences' });
      await preferences.focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => layer(page)).toBe('preferences');
      if (key === 'Escape') await page.keyboard.press('Escape');
      else await page.getByRole('button', { name: 'Close' }).press('Enter');
      expect(await layer(page), key).toBe('notice');
      expect(await focused(page), key).toMatchObject({ text: 'Preferences' });
      // Tab goes on from there, as before the preferences: round to the first control.
      await page.keyboard.press('Tab');
      expect(await focused(page), key).toMatchObject({ text: 'Cookie policy' });
    }
    expect(problems).toEqual([]);
  });

  it('honours prefers-reduced-motion', async () => {
    const moving = await open();
    expect(await dialog(moving).evaluate((el) => getComputedStyle(el).animationName)).not.toBe('none');
    const still = await open({}, { reducedMotion: 'reduce' });
    expect(await dialog(still).evaluate((el) => getComputedStyle(el).animationName)).toBe('none');
  });

  it('keeps the unsaved switches and the focus when the page sets an option again while the preferences are open', async () => {
    const page = await open({ member: '1' });
    await page.getByRole('button', { name: 'Preferences' }).click();
    const harvard = page.getByRole('group', { name: 'On Harvard University courses' });
    const site = (name: string) => page.getByRole('switch', { name, exact: true });
    await site('Analytics').check();
    await harvard.getByRole('switch', { name: 'Analytics' }).uncheck(); // not on Harvard's courses
    await site('Marketing').check(); // the learner is on it, nothing saved yet
    const shown = () =>
      page.evaluate(() => [...window.banner.shadowRoot!.querySelectorAll('input')].map((i) => [i.checked, i.disabled]));
    const before = await shown();
    const onMarketing = () => site('Marketing').evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement);
    expect(await onMarketing()).toBe(true);

    // A page that sets `locales` again (a new map, a loader written inline), then new messages: the
    // banner starts again and redraws the preferences, with the learner's switches and focus.
    await page.evaluate(() => {
      window.banner.locales = { ...window.banner.locales, de: () => Promise.resolve({ messages: {} }) };
      return window.banner.ready;
    });
    expect(await layer(page)).toBe('preferences');
    expect(await shown()).toEqual(before);
    expect(await onMarketing()).toBe(true);
    await page.evaluate(() => {
      window.banner.messages = { save: 'Save my choices' };
      return window.banner.ready;
    });
    expect(await layer(page)).toBe('preferences');
    expect(await shown()).toEqual(before);
    expect(await onMarketing()).toBe(true);
    await page.getByRole('button', { name: 'Save my choices' }).click();
    expect(await decision(page)).toMatchObject({
      purposes: { analytics: true, marketing: true },
      members: { HarvardX: { analytics: false } },
    });
    expect(await page.evaluate(() => window.banner.consent.allows('marketing', 'HarvardX'))).toBe(true);
    expect(problems).toEqual([]);
  });

  it('keeps focus on the button the learner is on when the page sets an option that adds a link before it', async () => {
    // The page's cookie policy URL arrives late (a config fetched after mounting): the learner is on
    // "Reject all" of the first layer when a link appears before it. Enter still rejects all.
    const page = await open();
    await page.evaluate(() => {
      window.banner.policyUrl = null;
      return window.banner.ready;
    });
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ text: 'Reject all' });
    await page.evaluate(() => {
      window.banner.policyUrl = '/cookie-policy';
      return window.banner.ready;
    });
    expect(await page.getByRole('link', { name: 'Cookie policy' }).count()).toBe(1);
    expect(await focused(page)).toMatchObject({ text: 'Reject all' });
    await page.keyboard.press('Enter');
    expect(await decision(page)).toMatchObject({ purposes: { analytics: false, marketing: false } });

    // In the preferences: the course page's Member and its third parties arrive while the learner is
    // on "Reject all"; then on a third party's link when its list changes.
    await page.evaluate(() => window.banner.open('preferences'));
    await page.getByRole('button', { name: 'Reject all' }).focus();
    await page.evaluate(() => {
      Object.assign(window.banner, {
        member: { id: 'HarvardX', name: 'Harvard University' },
        declaration: {
          trackers: [
            {
              id: 'meta',
              owner: 'platform',
              ownerName: 'edX',
              purposes: ['marketing'],
              vendor: { name: 'Meta Pixel', privacyUrl: 'https://www.facebook.com/privacy/policy/' },
            },
          ],
        },
      });
      return window.banner.ready;
    });
    expect(await page.getByRole('link', { name: 'Privacy policy: Meta Pixel (opens in a new tab)' }).count()).toBe(1);
    expect(await focused(page)).toMatchObject({ text: 'Reject all' });
    await page.getByRole('link', { name: 'Privacy policy: Meta Pixel (opens in a new tab)' }).focus();
    await page.evaluate(() => {
      const { declaration } = window.banner;
      window.banner.declaration = {
        trackers: [
          {
            id: 'segment',
            owner: 'platform',
            ownerName: 'edX',
            purposes: ['analytics'],
            vendor: { name: 'Segment', privacyUrl: 'https://www.twilio.com/en-us/legal/privacy' },
          },
          ...(declaration?.trackers ?? []),
        ],
      };
      return window.banner.ready;
    });
    expect(await focused(page)).toMatchObject({ text: 'Privacy policy' });
    expect(
      await page.evaluate(() => window.banner.shadowRoot!.activeElement?.getAttribute('aria-label')),
    ).toBe('Privacy policy: Meta Pixel (opens in a new tab)');
    expect(problems).toEqual([]);
  });

  it('wraps long unbreakable names within a 320 px wide screen: nothing to scroll sideways to', async () => {
    const page = await open({}, { viewport: { width: 320, height: 568 } });
    await page.evaluate(() => {
      const name = 'ÉcolePolytechniqueFédéraleDeLausanne';
      Object.assign(window.banner, {
        member: { id: 'EPFLx', name },
        messages: { rejectAll: 'Alleablehnenundnichtzustimmen' },
        declaration: {
          trackers: [
            {
              id: 'EPFLx/x',
              owner: 'EPFLx',
              ownerName: name,
              purposes: ['analytics'],
              vendor: { name: 'analytics.tracking-vendor-example.com', privacyUrl: 'https://x.example/p' },
            },
          ],
        },
      });
      return window.banner.open('preferences');
    });
    const overflowing = () =>
      dialog(page).evaluate((d) =>
        [...d.querySelectorAll('*')]
          .filter((el) => el.getBoundingClientRect().right > d.clientWidth + 0.5)
          .map((el) => el.textContent),
      );
    expect(await overflowing()).toEqual([]);
    expect(await dialog(page).evaluate((d) => d.scrollWidth <= d.clientWidth)).toBe(true);
    expect(problems).toEqual([]);
  });

  it('names the signal the browser sends: Do Not Track where the store honours it, in every language', async () => {
    const dnt = () => {
      Object.defineProperty(Navigator.prototype, 'doNotTrack', { get: () => '1' });
      Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => false });
    };
    const gpc = () => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true });
    // The note added to the description of Marketing, the purpose the signal refuses.
    const note = async (page: Page) => {
      await page.evaluate(() => window.banner.open('preferences'));
      return page.evaluate(() => {
        const root = window.banner.shadowRoot!;
        const marketing = [...root.querySelectorAll('input')].at(4)!;
        return root.getElementById(marketing.getAttribute('aria-describedby')!)?.textContent;
      });
    };
    for (const [lang, messages] of [
      ['en', en],
      ['es', es.messages],
      ['fr', fr.messages],
      ['ar', ar.messages],
      ['zh', zh.messages],
    ] as const) {
      const sent = await note(await open({ lang, dnt: '1' }, {}, dnt));
      expect(sent, lang).toContain(messages.dnt);
      expect(sent, lang).not.toContain(messages.gpc);
      expect(messages.dnt, lang).toMatch(/Do Not Track/);
    }
    const sent = await note(await open({ dnt: '1' }, {}, gpc));
    expect(sent).toContain(en.gpc);
    expect(sent).not.toContain('Do Not Track');
    expect(problems).toEqual([]);
  });

  it('names Global Privacy Control whenever it refuses, also where the browser sends Do Not Track too', async () => {
    const dnt = () => {
      Object.defineProperty(Navigator.prototype, 'doNotTrack', { get: () => '1' });
      Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => false });
    };
    const both = () => {
      Object.defineProperty(Navigator.prototype, 'doNotTrack', { get: () => '1' });
      Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true });
    };
    const note = async (page: Page) => {
      await page.evaluate(() => window.banner.open('preferences'));
      return page.evaluate(() => {
        const root = window.banner.shadowRoot!;
        const marketing = [...root.querySelectorAll('input')].at(4)!;
        return root.getElementById(marketing.getAttribute('aria-describedby')!)?.textContent;
      });
    };
    // The page passes on the request's `Sec-GPC: 1` (`signals: { gpc: true }`), and the browser sends
    // DNT too: whether or not the store honours DNT, GPC is what refuses, in every language.
    for (const [lang, messages] of [
      ['en', en],
      ['es', es.messages],
      ['fr', fr.messages],
      ['ar', ar.messages],
      ['zh', zh.messages],
    ] as const) {
      for (const query of [
        { lang, gpc: '1', dnt: '1' },
        { lang, gpc: '1' },
      ]) {
        const sent = await note(await open(query, {}, dnt));
        expect(sent, JSON.stringify(query)).toContain(messages.gpc);
        expect(sent, JSON.stringify(query)).not.toContain(messages.dnt);
      }
    }
    // The browser sends both signals itself.
    const sent = await note(await open({ dnt: '1' }, {}, both));
    expect(sent).toContain(en.gpc);
    expect(sent).not.toContain('Do Not Track');
    expect(problems).toEqual([]);
  });

  it('tells a learner deciding on the first layer that the privacy signal keeps marketing off, Accept all included, naming it, in every language', async () => {
    // The browser sends Global Privacy Control (navigator.globalPrivacyControl, before any script).
    const gpc = () => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true });
    const dnt = () => {
      Object.defineProperty(Navigator.prototype, 'doNotTrack', { get: () => '1' });
      Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => false });
    };
    for (const [lang, catalog] of shipped) {
      const messages = { ...en, ...catalog?.messages };
      const page = await open({ lang }, {}, gpc);
      expect(await layer(page)).toBe('notice');
      // In the notice the dialog is described by, shown with it, naming the purpose as the
      // preferences do.
      const signal = fill(messages.signal, { purposes: catalog?.purposes?.edx?.marketing?.[0] ?? 'Marketing' });
      const said = page.locator('optin-banner #d').getByText(signal, { exact: false });
      expect(await said.isVisible(), lang).toBe(true);
      await page.getByRole('button', { name: messages.acceptAll, exact: true }).click();
      expect(await decision(page), lang).toMatchObject({ gpc: true, purposes: { analytics: true, marketing: false } });
    }
    // Do Not Track, where the store honours it, says so too; a browser sending neither, nothing.
    const honoured = await open({ dnt: '1' }, {}, dnt);
    expect(await described(honoured)).toContain(fill(en.signal, { purposes: 'Marketing' }));
    const none = await open({}, {}, () =>
      Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => false }),
    );
    expect(await described(none)).not.toContain('privacy signal');
    expect(problems).toEqual([]);
  });

  it("says in the preferences that cookies can also be controlled in the browser, and that third parties' opt-outs are theirs", async () => {
    for (const [lang, messages] of [
      ['en', en],
      ['ar', { ...en, ...ar.messages }],
    ] as const) {
      const page = await open({ member: '1', lang });
      await page.getByRole('button', { name: messages.preferences, exact: true }).click();
      expect(
        await page.locator('optin-banner #d').getByText(messages.browser, { exact: false }).isVisible(),
        lang,
      ).toBe(true);
      const note = page.locator('optin-banner section h3 + p');
      expect(await note.textContent(), lang).toBe(messages.optOuts);
      await note.scrollIntoViewIfNeeded();
      expect(await note.isVisible(), lang).toBe(true);
    }
    expect(problems).toEqual([]);
  });

  it('keeps a scroll of the preferences past their end, by wheel or by finger (a phone), from scrolling the page behind', async () => {
    // How far the page behind moved, by way of scrolling: none.
    const moved: Record<string, number> = {};
    for (const [how, options] of [
      ['wheel', { reducedMotion: 'reduce' }],
      ['touch', { viewport: { width: 390, height: 664 }, hasTouch: true, reducedMotion: 'reduce' }],
    ] as const) {
      const page = await open({ member: '1' }, options);
      await page.evaluate(() => (document.body.style.minHeight = '400vh')); // a long course page
      await page.getByRole('button', { name: 'Preferences' }).click();
      const box = dialog(page);
      const { x, y, width, height } = (await box.boundingBox())!;
      const [atX, atY] = [x + width / 2, y + height / 2];
      const scroll = async (distance: number) => {
        if (how === 'wheel') {
          await page.mouse.move(atX, atY);
          await page.mouse.wheel(0, distance);
        } else {
          // A finger's swipe up, through Chromium's touch input.
          const cdp = await page.context().newCDPSession(page);
          const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', dy: number) =>
            cdp.send('Input.dispatchTouchEvent', {
              type,
              touchPoints: type === 'touchEnd' ? [] : [{ x: Math.round(atX), y: Math.round(atY - dy) }],
            });
          await touch('touchStart', 0);
          for (let dy = 20; dy <= distance; dy += 20) await touch('touchMove', dy);
          await touch('touchEnd', distance);
        }
        await page.waitForTimeout(300);
      };
      // The preferences scroll.
      await scroll(200);
      expect(await box.evaluate((d) => d.scrollTop), how).toBeGreaterThan(0);
      // Scrolled to their end, then on: the page behind stays where it was.
      await box.evaluate((d) => d.scrollTo(0, d.scrollHeight));
      await page.waitForTimeout(100);
      for (let i = 0; i < 3; i++) await scroll(400);
      moved[how] = await page.evaluate(() => window.scrollY);
      expect(await box.evaluate((d) => d.scrollTop + d.clientHeight >= d.scrollHeight - 1), how).toBe(true);
      expect(problems).toEqual([]);
    }
    expect(moved).toEqual({ wheel: 0, touch: 0 });
  });

  it('redraws open preferences in place: the same dialog, scrolled where the learner left it, no slide-in again', async () => {
    const here = await open({ shared: '1', member: '1' });
    const other = await here.context().newPage();
    await other.goto(`${server.origin()}/?shared=1&member=1`);
    await other.evaluate(() => window.banner.ready);
    await here.bringToFront();
    // The slide-ins of the preferences (a dialog with switches), counted as they start: one that has
    // already ended when the page is looked at (under load) still counts.
    await here.evaluate(() => {
      const counted = window as { slides?: number };
      counted.slides = 0;
      window.banner.shadowRoot!.addEventListener('animationstart', (event) => {
        if ((event.target as Element).querySelector('input')) counted.slides!++;
      });
    });
    await here.getByRole('button', { name: 'Preferences' }).click();
    // The preferences slide in once; the learner scrolls to their end (a wheel: the dialog focused).
    await dialog(here).evaluate((el) => Promise.all(el.getAnimations().map((a) => a.finished)));
    await expect.poll(() => here.evaluate(() => (window as { slides?: number }).slides)).toBe(1);
    const top = await dialog(here).evaluate((el) => {
      (window as { shown?: Element }).shown = el;
      el.scrollTop = 1e4;
      return el.scrollTop;
    });
    expect(top).toBeGreaterThan(100);
    const shown = () =>
      dialog(here).evaluate((el) => ({
        same: el === (window as { shown?: Element }).shown,
        modal: el.matches(':modal'),
        top: el.scrollTop,
        // Slide-ins started since the learner opened the preferences, and one running now.
        slides: (window as { slides?: number }).slides,
        sliding: el.getAnimations().length,
        // (The focused control, by its place.)
        at: [...el.querySelectorAll('a,button,input')].indexOf(window.banner.shadowRoot!.activeElement!),
      }));
    const before = await shown();
    expect(before).toEqual({ same: true, modal: true, top, slides: 1, sliding: 0, at: -1 });

    // The README's single-page app: the same options set again at each change of scope.
    await here.evaluate(() => {
      const { member, declaration } = window.banner;
      Object.assign(window.banner, { member: { ...member }, declaration: { ...declaration } });
      return window.banner.ready;
    });
    expect(await shown()).toEqual(before);
    // Another tab's choice, shown at once.
    await other.evaluate(() => window.banner.consent.acceptAll());
    await expect.poll(() => decision(here)).not.toBe(null);
    expect(await shown()).toEqual(before);
    // Another language, the learner on a link at the end (the last third party's last one): the same
    // dialog, now in French, focus kept.
    await here.locator('optin-banner li a').last().focus();
    const at = (await shown()).at;
    expect(at).toBeGreaterThan(0);
    await here.evaluate(() => {
      window.banner.locale = 'fr';
      return window.banner.ready;
    });
    expect(await here.locator('optin-banner h2').textContent()).toBe(fr.messages.prefsTitle);
    expect(await here.locator('optin-banner [lang=fr]').count()).toBeGreaterThan(0);
    expect(await shown()).toMatchObject({ same: true, modal: true, slides: 1, sliding: 0, at });
    expect((await shown()).top).toBeGreaterThan(100);
    // On the cookie policy link at the top, scrolled away from it to the end: both kept.
    await here.locator('optin-banner #d a').focus();
    await dialog(here).evaluate((el) => (el.scrollTop = 1e4));
    const policy = await shown();
    expect(policy).toMatchObject({ same: true, at: 0 });
    expect(policy.top).toBeGreaterThan(100);
    await here.evaluate(() => {
      window.banner.policyUrl = `${window.banner.policyUrl}`;
      return window.banner.ready;
    });
    expect(await shown()).toEqual(policy);
    // Another layer is another dialog, slid in.
    await here.keyboard.press('Escape');
    expect(await layer(here)).toBe(null);
    await here.locator('#open').click();
    await expect.poll(() => shown()).toMatchObject({ same: false, modal: true, top: 0, slides: 2 });
    expect(problems).toEqual([]);
  });

  it("keeps focus on the learner's switch, or on its group once it is locked, when another tab's choice redraws the preferences", async () => {
    const here = await open({ shared: '1', member: '1' });
    const other = await here.context().newPage();
    await other.goto(`${server.origin()}/?shared=1&member=1`);
    await other.evaluate(() => window.banner.ready);
    await here.getByRole('button', { name: 'Accept all' }).click();
    await expect.poll(() => layer(other)).toBe(null);
    await here.bringToFront();
    await here.locator('#open').click();
    const harvard = here.getByRole('group', { name: 'On Harvard University courses' });
    const isFocused = (el: SVGElement | HTMLElement) => el === (el.getRootNode() as ShadowRoot).activeElement;
    await harvard.getByRole('switch', { name: 'Analytics' }).focus();

    // Analytics withdrawn elsewhere: Harvard's Analytics switch is now off and locked (it cannot keep
    // the focus), so focus goes to its group ("On Harvard University courses"), not to an unrelated
    // switch, and Tab goes on from there: to the group's switch still enabled.
    await other.evaluate(() => window.banner.consent.withdraw('analytics'));
    await expect.poll(() => harvard.getByRole('switch', { name: 'Analytics' }).isDisabled()).toBe(true);
    expect(await harvard.evaluate(isFocused)).toBe(true);
    await here.keyboard.press('Tab');
    expect(await harvard.getByRole('switch', { name: 'Marketing' }).evaluate(isFocused)).toBe(true);

    // Everything rejected elsewhere: Marketing locked too, its group again; Tab then goes past it.
    await other.evaluate(() => window.banner.consent.rejectAll());
    await expect.poll(() => harvard.getByRole('switch', { name: 'Marketing' }).isDisabled()).toBe(true);
    expect(await harvard.evaluate(isFocused)).toBe(true);
    await here.keyboard.press('Tab'); // the list of third parties, after the group
    expect(await here.evaluate(() => window.banner.shadowRoot!.activeElement?.closest('section') != null)).toBe(true);

    // A switch that stays enabled keeps the focus, by what it is, not where it is.
    await here.getByRole('switch', { name: 'Functionality', exact: true }).focus();
    await other.evaluate(() => window.banner.consent.acceptAll());
    await expect.poll(() => harvard.getByRole('switch', { name: 'Marketing' }).isDisabled()).toBe(false);
    expect(await here.getByRole('switch', { name: 'Functionality', exact: true }).evaluate(isFocused)).toBe(true);
    expect(problems).toEqual([]);
  });

  it("saves no Member choice the learner did not make, and never a Member's grant shown off", async () => {
    const page = await open({ member: '1' });
    const harvard = page.getByRole('group', { name: 'On Harvard University courses' });
    const mine = (name: string) => harvard.getByRole('switch', { name });
    // What each of the Member's switches shows is what is allowed on its courses once saved.
    const saveAsShown = async () => {
      const shown = [await mine('Analytics').isChecked(), await mine('Marketing').isChecked()];
      await page.getByRole('button', { name: 'Save choices' }).click();
      expect(
        await page.evaluate(() => ['analytics', 'marketing'].map((p) => window.banner.consent.allows(p, 'HarvardX'))),
      ).toEqual(shown);
    };
    await page.getByRole('button', { name: 'Preferences' }).click();
    expect([await mine('Analytics').isChecked(), await mine('Marketing').isDisabled()]).toEqual([false, true]);
    await saveAsShown(); // undecided, nothing touched: no Member override at all
    expect((await decision(page))?.members).toEqual({});

    // A refusal already stored stays; a grant the learner made, then hid by turning the purpose off
    // site-wide (the switch shown off again), is not written.
    await page.evaluate(() => window.banner.consent.decide({ members: { HarvardX: { marketing: false } } }));
    await page.getByRole('button', { name: 'Cookie settings' }).click();
    const site = page.getByRole('switch', { name: 'Marketing', exact: true });
    await site.check();
    await mine('Marketing').check();
    await site.uncheck();
    expect(await mine('Marketing').isChecked()).toBe(false);
    await saveAsShown();
    expect((await decision(page))?.members).toEqual({ HarvardX: { marketing: false } });

    // Shown on and saved: the learner's grant is written.
    await page.getByRole('button', { name: 'Cookie settings' }).click();
    await site.check();
    await mine('Marketing').check();
    await saveAsShown();
    expect((await decision(page))?.members).toEqual({ HarvardX: { marketing: true } });
    expect(problems).toEqual([]);
  });

  for (const lang of ['en', 'ar'])
    it(`axe-core finds no violation on either layer (${lang}); screenshots of both`, async () => {
      // axe is injected as a script: this context bypasses the page's CSP (the CSP test is above).
      const page = await open({ lang, member: '1' }, { bypassCSP: true, reducedMotion: 'reduce' });
      expect(await axeViolations(page)).toEqual([]);
      expect(await lowestContrast(page)).toBeGreaterThanOrEqual(4.5);
      await page.screenshot({ path: `${screenshots}notice-${lang}.png` });
      await page.getByRole('button', { name: lang === 'ar' ? 'التفضيلات' : 'Preferences' }).click();
      expect(await axeViolations(page)).toEqual([]);
      expect(await lowestContrast(page)).toBeGreaterThanOrEqual(4.5);
      await page.screenshot({ path: `${screenshots}preferences-${lang}.png` });
      await page.getByRole('button', { name: lang === 'ar' ? 'رفض الكل' : 'Reject all' }).click();
      expect(await axeViolations(page)).toEqual([]);
      expect(await lowestContrast(page)).toBeGreaterThanOrEqual(4.5);
      expect(problems).toEqual([]);
    });
});
