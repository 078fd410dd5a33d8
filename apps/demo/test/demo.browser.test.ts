import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MemberStatsAnswer } from '@optin/collector';
import type { Browser, BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchChromium } from '../../../test-support/browser.js';
import { audit, consentState, type AuditReport } from '@optin/cli';
import { createConsent, decodeDecision, edxPolicy, encodeDecision } from '@optin/consent';
import { startDemo, type Demo } from '../src/demo-server.js';
import { declaredSiteConfig } from '../src/site.js';

// The whole product, as a learner and a Member see it: the demo site and its collector on real
// HTTP, driven in Debian's Chromium (every *.localhost name is this machine).
let demo: Demo;
let dataDir: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const requests: string[] = [];
const learnerAgent =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';

const hx = '/learning/course/course-v1:HarvardX+CS50+2026_T1';
const mitx = '/learning/course/course-v1:MITx+6.00.1x+2026_T1';
const hosts = () => requests.map((r) => new URL(r).hostname);
const stats = async (member: string | null, token: string): Promise<MemberStatsAnswer> => {
  const res = await fetch(
    `${demo.collectorUrl.replace('collector.edx.localhost', '127.0.0.1')}/v1/${member === null ? '' : `members/${member}/`}stats`,
    {
      headers: { authorization: `Bearer ${token}` },
    },
  );
  expect(res.status).toBe(200);
  return (await res.json()) as MemberStatsAnswer;
};
const views = (s: MemberStatsAnswer) => s.pageViewsPerDay.reduce((n, d) => n + d.views, 0);
/** The email (`/email/message`, framed by `/email`) as the server sends it to a learner whose consent cookie is `cookie`. */
const emailMessage = async (cookie: string | null): Promise<{ html: string; csp: string }> => {
  const res = await fetch(`${demo.siteUrl.replace('www.edx.localhost', '127.0.0.1')}/email/message`, {
    headers: cookie === null ? {} : { cookie: `optin=${cookie}` },
  });
  expect(res.status).toBe(200);
  return { html: await res.text(), csp: res.headers.get('content-security-policy') ?? '' };
};
/** What the banner and the third-parties page say where a third party's opt-out is linked (the policy's word on it). */
const optOutsBanner =
  'To stop their tracking, use their opt-outs: neither we nor any Member is responsible for how well they work.';
const optOutsDeclaration =
  'Some third parties offer an opt-out of their tracking, linked under Opt out: neither we nor any Member is responsible for how well their opt-outs work.';
/** The email's link to CS50, in the frame of the `/email` page. */
const emailLink = () => page.frameLocator('#email').getByRole('link', { name: 'CS50' });

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'optin-demo-'));
  demo = await startDemo({ dataDir });
  // A learner's browser, not a bot: headless Chromium's own user agent says "HeadlessChrome", which
  // the collector rightly flags as a bot (excluded from stats), also on requests that outlive a page.
  browser = await launchChromium([], [`--user-agent=${learnerAgent}`]);
  context = await browser.newContext();
  context.on('request', (r) => requests.push(r.url()));
  page = await context.newPage();
});

afterAll(async () => {
  await browser.close();
  await demo.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the demo site', () => {
  test('before a choice: the banner asks, and nothing goes to the collector or any vendor', async () => {
    await page.goto(`${demo.siteUrl}/`);
    await expect.poll(() => page.getByRole('dialog', { name: 'Cookies and tracking' }).isVisible()).toBe(true);
    await page.goto(`${demo.siteUrl}${hx}/home`);
    await page.waitForTimeout(500);
    expect(hosts().filter((h) => h !== 'www.edx.localhost')).toEqual([]);
    expect(await context.cookies()).toEqual([]);
    expect(await page.locator('#consent-state').textContent()).toBe('no choice yet: only strictly necessary');
  });

  test("accepting on a HarvardX course loads HarvardX's tracker, never MITx's; page views reach the collector", async () => {
    await page.getByRole('button', { name: 'Accept all' }).click();
    await expect.poll(async () => (await context.cookies()).map((c) => c.name).sort()).toContain('_hxads');
    expect(hosts()).toContain('ads.harvardx.localhost');
    expect(hosts()).not.toContain('heatmap.mitx.localhost');

    // Single-page navigation through the units, then leaving the page (the queue is sent on pagehide).
    await page.getByRole('link', { name: 'C', exact: true }).click();
    await page.getByRole('link', { name: 'Arrays' }).click();
    await page.getByRole('button', { name: 'Enroll' }).click();
    await page.goto(`${demo.siteUrl}${mitx}/home`);
    await expect.poll(() => hosts().includes('heatmap.mitx.localhost')).toBe(true);

    await expect.poll(async () => views(await stats('HarvardX', demo.tokens.HarvardX)), { timeout: 15_000 }).toBe(3);
    const harvard = await stats('HarvardX', demo.tokens.HarvardX);
    expect(harvard.topPages.map((p) => p.path).sort()).toEqual([`${hx}/home`, `${hx}/unit-2`, `${hx}/unit-3`]);
    // One learner: HarvardX is not told that learner's choices; the platform, which holds the
    // receipts, sees the grant arrive.
    expect(harvard).toMatchObject({
      consentRates: null,
      consentRatesWithheld: { reason: 'too_few_learners', minLearners: 10 },
    });
    expect((await stats(null, demo.tokens.platform)).consentRates?.marketing).toMatchObject({ granted: 1, total: 1 });
  });

  test('the choice and the anonymous id are kept on the domain of the site: www., learning. and courses. share them', async () => {
    const port = new URL(demo.siteUrl).port;
    for (const host of ['www', 'learning', 'courses']) {
      const jar = await context.cookies(`http://${host}.edx.localhost:${port}/`);
      expect(
        jar
          .filter((c) => c.name.startsWith('optin'))
          .map((c) => [c.name, c.domain])
          .sort(),
      ).toEqual([
        ['optin', '.edx.localhost'],
        ['optin_id', '.edx.localhost'],
        ['optin_ses', '.edx.localhost'],
      ]);
    }
  });

  test("a Member's dashboard shows its own courses and no one else's", async () => {
    await page.goto(`${demo.siteUrl}/dashboard/HarvardX`);
    const text = await page.locator('#stats').textContent();
    expect(text).toContain(`views of ${hx}/home`);
    expect(text).not.toContain('MITx');
    expect(text).toContain("consent rateswithheld until the period has 10 learners (no one learner's choice is shown)");
    // MITx's token on HarvardX's data is refused.
    const res = await fetch(
      `${demo.collectorUrl.replace('collector.edx.localhost', '127.0.0.1')}/v1/members/HarvardX/stats`,
      {
        headers: { authorization: `Bearer ${demo.tokens.MITx}` },
      },
    );
    expect(res.status).toBe(403);
  });

  test('the signed course email: its pixel and its link are counted for HarvardX, and the link lands on the course', async () => {
    // The learner's receipts carry the server's proof of their id: the collector takes their grants.
    const latest = await fetch(
      `${demo.collectorUrl.replace('collector.edx.localhost', '127.0.0.1')}/v1/consent?subject=lms-user-42`,
      { headers: { authorization: `Bearer ${demo.tokens.platform}` } },
    );
    expect(await latest.json()).toMatchObject({ purposes: { analytics: true }, subjectProved: true });
    const before = await stats('HarvardX', demo.tokens.HarvardX);
    await page.goto(`${demo.siteUrl}/email`);
    await emailLink().click();
    await page.waitForURL(`${demo.siteUrl}${hx}/home`);
    await expect
      .poll(async () => {
        const after = await stats('HarvardX', demo.tokens.HarvardX);
        return [after.emailOpens - before.emailOpens, after.emailClicks - before.emailClicks];
      })
      .toEqual([1, 1]);
  });

  test('the course email is rewritten only when consent allows analytics for HarvardX', async () => {
    const pixel = `${demo.collectorUrl}/e/o/`;
    const link = `href="${demo.siteUrl}${hx}/home"`;
    const granted = await emailMessage(consentState(edxPolicy, 'all').cookie);
    expect(granted.html).toContain(`src="${pixel}`);
    expect(granted.html).toContain(`href="${demo.collectorUrl}/e/c/`);
    expect(granted.html).not.toContain(link);
    // Its own policy: the pixel's image and inline style (by hash), no script, sandboxed.
    expect(granted.csp).toMatch(
      new RegExp(
        `^default-src 'none'; img-src ${demo.collectorUrl}; style-src-attr 'unsafe-hashes' 'sha256-[\\w+/]+=';.*; sandbox `,
      ),
    );

    // Refused for HarvardX alone (analytics granted for everyone else): unrewritten too.
    const store = createConsent({ policy: edxPolicy, storage: 'memory', signals: { gpc: false } });
    const narrowed = store.decide({ purposes: { analytics: true }, members: { HarvardX: { analytics: false } } });
    for (const cookie of [
      null,
      consentState(edxPolicy, []).cookie,
      consentState(edxPolicy, ['performance', 'functionality', 'marketing']).cookie,
      encodeDecision(narrowed, edxPolicy),
    ]) {
      const plain = await emailMessage(cookie);
      expect(plain.html).not.toContain(demo.collectorUrl.replace('http://', '') + '/e/');
      expect(plain.html).toContain(link);
      expect(plain.csp).not.toContain('style-src');
    }
  });

  test("the email page keeps the site's strict CSP: the email, pixel and inline style, is framed under its own", async () => {
    const violations: string[] = [];
    const listen = (message: ConsoleMessage) => {
      // Chromium reports every violation, in the page and in its frames, to the console.
      if (message.text().includes('Content Security Policy')) violations.push(message.text());
    };
    page.on('console', listen);
    try {
      const sent = requests.length;
      await page.goto(`${demo.siteUrl}/email`);
      await expect
        .poll(() => requests.slice(sent).filter((r) => r.startsWith(`${demo.collectorUrl}/e/o/`)))
        .toHaveLength(1);
      expect(violations).toEqual([]);
      // The pixel is in the email's frame, loaded, with its inline style applied.
      const pixel = page.frameLocator('#email').locator(`img[src^="${demo.collectorUrl}/e/o/"]`);
      await expect.poll(() => pixel.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1);
      expect(await pixel.evaluate((img) => getComputedStyle(img).display)).toBe('block');
      // Not blind: an inline style attribute on the page is reported.
      await page.evaluate(() => document.body.setAttribute('style', 'color: red'));
      await expect.poll(() => violations).toEqual([expect.stringContaining('style')]);
    } finally {
      page.off('console', listen);
    }
  });

  test("on a HarvardX course the preferences list HarvardX's email tracking, and its own Analytics switch stops it", async () => {
    await page.goto(`${demo.siteUrl}${hx}/home`);
    await page.locator('#cookie-settings').click();
    const listed = page.locator('optin-banner section li');
    expect(await listed.last().textContent()).toBe('Email opens and clicks (Harvard University: Analytics) ');
    // HarvardX's own pages run only a marketing tracker; its emails give it an Analytics switch of its own.
    // HarvardX's stand-in tracker is listed with its opt-out, on its own host, and the policy's word on it.
    const parties = page
      .locator('optin-banner section')
      .filter({ has: page.getByRole('heading', { name: 'Third parties' }) });
    expect(
      await parties
        .getByRole('link', { name: 'Opt out: HarvardX marketing (demo stand-in) (opens in a new tab)' })
        .getAttribute('href'),
    ).toBe('https://ads.harvardx.localhost/opt-out');
    expect(await parties.getByText(optOutsBanner).isVisible()).toBe(true);
    const harvard = page.getByRole('group', { name: 'On Harvard University courses' });
    const analytics = harvard.getByRole('switch', { name: 'Analytics' });
    expect(await harvard.getByText('Email opens and clicks').count()).toBe(1);
    expect(await analytics.isChecked()).toBe(true);
    await analytics.uncheck();
    await page.getByRole('button', { name: 'Save choices' }).click();
    expect(await page.locator('#consent-state').textContent()).toContain('analytics on');
    // Analytics stays on for edX, but HarvardX's email goes out unrewritten: no pixel, no tracked link.
    const sent = requests.length;
    await page.goto(`${demo.siteUrl}/email`);
    expect(await page.locator('#email-tracking').textContent()).toContain('does not allow analytics for HarvardX');
    await expect.poll(() => emailLink().getAttribute('href')).toBe(`${demo.siteUrl}${hx}/home`);
    expect(requests.slice(sent).filter((r) => r.includes('/e/'))).toEqual([]);
    // Turned back on, for the tests after this one.
    await page.goto(`${demo.siteUrl}${hx}/home`);
    await page.locator('#cookie-settings').click();
    await analytics.check();
    await page.getByRole('button', { name: 'Save choices' }).click();
  });

  test('the help page lists the third parties and the tracked emails, from the config that runs', async () => {
    await page.goto(`${demo.siteUrl}/third-parties`);
    const email = page.getByRole('table', { name: /^Email tracking/ });
    expect(await email.getByRole('row').allTextContents()).toEqual([
      'Sent byPurposePartyRecordsHow to opt out',
      expect.stringMatching(/^Harvard UniversityAnalyticsFirst partyOpens, clicksRecorded for you only when/),
    ]);
    expect(
      await page
        .getByRole('table', { name: /^Marketing/ })
        .getByRole('rowheader')
        .allTextContents(),
    ).toEqual(['HarvardX marketing (demo stand-in)']);
    // Each stand-in links its opt-out, on its own host; the page says neither edX nor any Member answers for it.
    for (const [purpose, name, host] of [
      ['Marketing', 'HarvardX marketing', 'ads.harvardx.localhost'],
      ['Analytics', 'MITx analytics', 'heatmap.mitx.localhost'],
    ] as const) {
      const link = page
        .getByRole('table', { name: new RegExp(`^${purpose}: trackers`) })
        .getByRole('row', { name: new RegExp(`^${name}`) })
        .getByRole('link', { name: /^Opt out/ });
      expect([await link.textContent(), await link.getAttribute('href')]).toEqual([
        `Opt out for ${name} (demo stand-in) (opens in a new tab)`,
        `https://${host}/opt-out`,
      ]);
      // The demo answers it on that host (over HTTP on its port, as it serves the stand-ins' scripts),
      // not sent on to the site's name: the opt-out is recorded (in a browser of its own, out of `requests`).
      const elsewhere = await browser.newContext();
      const tab = await elsewhere.newPage();
      await tab.goto(`http://${host}:${new URL(demo.siteUrl).port}/opt-out`);
      expect([tab.url(), await tab.locator('#opt-out').textContent()]).toEqual([
        `http://${host}:${new URL(demo.siteUrl).port}/opt-out`,
        `Your opt-out of ${name} (demo stand-in) is recorded.`,
      ]);
      await elsewhere.close();
    }
    expect(await page.getByText(optOutsDeclaration).isVisible()).toBe(true);
    // The first-party analytics' localStorage keys are listed with its cookies: not called cookies alone.
    const functionality = page.getByRole('table', { name: /^Functionality/ });
    expect(await functionality.getByRole('columnheader').allTextContents()).toContain(
      'Cookies and stored data (lifetime)',
    );
    expect(await functionality.textContent()).toContain('optin_touch');
  });

  test('reject all in the preferences: the hub stops sending and the Member cookie is deleted', async () => {
    await page.goto(`${demo.siteUrl}${hx}/home`);
    await page.evaluate(() => ((window as { before?: boolean }).before = true));
    await page.locator('#cookie-settings').click();
    await page.getByRole('button', { name: 'Reject all' }).click();
    // HarvardX's tracker cannot unload: the page reloads, so its script runs no more.
    await expect.poll(() => page.evaluate(() => (window as { before?: boolean }).before ?? false)).toBe(false);
    await expect.poll(async () => (await context.cookies()).map((c) => c.name)).not.toContain('_hxads');
    // (The reloaded page's script fills it in: until then it reads "(loading)".)
    await expect.poll(() => page.locator('#consent-state').textContent()).toContain('analytics off');
    const before = views(await stats('HarvardX', demo.tokens.HarvardX));
    await page.getByRole('link', { name: 'Scratch' }).click();
    await page.goto(`${demo.siteUrl}/`);
    await page.waitForTimeout(500);
    expect(views(await stats('HarvardX', demo.tokens.HarvardX))).toBe(before);
  });

  test('after the refusal the email page loads no pixel and its link goes straight to the course', async () => {
    const before = await stats('HarvardX', demo.tokens.HarvardX);
    const sent = requests.length;
    await page.goto(`${demo.siteUrl}/email`);
    await emailLink().click();
    await page.waitForURL(`${demo.siteUrl}${hx}/home`);
    await page.waitForTimeout(500);
    expect(requests.slice(sent).filter((r) => r.includes('/e/'))).toEqual([]);
    const after = await stats('HarvardX', demo.tokens.HarvardX);
    expect([after.emailOpens, after.emailClicks]).toEqual([before.emailOpens, before.emailClicks]);
  });

  test('a port in use is named, with what to do, and the demo leaves nothing open', async () => {
    // The running demo's site port is taken.
    const taken = Number(new URL(demo.siteUrl).port);
    await expect(startDemo({ port: taken, dataDir })).rejects.toThrow(
      `port ${String(taken)} (the site) is already in use: stop what holds it, or start the demo on other ports, e.g. PORT=4000 pnpm demo`,
    );
    // A free site port whose next one (the collector's) is taken: the site is closed again.
    const listen = (server: Server, port: number) =>
      new Promise<boolean>((resolve) => {
        server.once('error', () => resolve(false));
        server.listen(port, '127.0.0.1', () => resolve(true));
      });
    const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));
    let holder = createServer();
    let sitePort = 0;
    for (let tries = 0; tries < 20 && !sitePort; tries++) {
      await listen(holder, 0);
      const next = (holder.address() as AddressInfo).port;
      const probe = createServer();
      if (await listen(probe, next - 1)) {
        await close(probe);
        sitePort = next - 1;
      } else {
        await close(holder);
        holder = createServer();
      }
    }
    try {
      await expect(startDemo({ port: sitePort, dataDir })).rejects.toThrow(
        `port ${String(sitePort + 1)} (the collector) is already in use`,
      );
      const probe = createServer();
      expect(await listen(probe, sitePort)).toBe(true);
      await close(probe);
    } finally {
      await close(holder);
    }
  });

  test('optin audit finds nothing on the demo: before a choice, refused, with everything, with analytics only', async () => {
    const config = declaredSiteConfig(demo.collectorUrl);
    const runs = await Promise.all([
      audit(`${demo.siteUrl}/`, { config, consent: 'none', waitMs: 500 }),
      audit(`${demo.siteUrl}${hx}/home`, { config, consent: 'none', waitMs: 500 }),
      audit(`${demo.siteUrl}${hx}/home`, { config, consent: 'all', waitMs: 1000 }),
      audit(`${demo.siteUrl}${mitx}/home`, { config, consent: ['analytics', 'functionality'], waitMs: 1000 }),
      // The email page: a pixel (or a tracked link) before a choice or after a refusal is a finding.
      audit(`${demo.siteUrl}/email`, { config, consent: 'none', waitMs: 500 }),
      audit(`${demo.siteUrl}/email`, { config, consent: [], waitMs: 500 }),
      audit(`${demo.siteUrl}/email`, { config, consent: 'all', waitMs: 1000 }),
    ]);
    expect(runs.map((r) => r.findings)).toEqual([[], [], [], [], [], [], []]);
    // The audits did see the trackers they judged: the Member's cookie and the first-party ones.
    // (`optin` twice: as the audit planted it on the site, edx.localhost, and as the page's store re-wrote it host-only.)
    const names = (run: AuditReport) => [...new Set(run.cookies.map((c) => c.name))].sort();
    expect(names(runs[2])).toEqual(['_hxads', 'optin', 'optin_id', 'optin_ses']);
    expect(names(runs[3])).toEqual(['_mitxhm', 'optin', 'optin_id', 'optin_ses']);
  });

  test('the audit script audits the demo on the port it runs on (PORT, as pnpm demo reads it)', async () => {
    const script = fileURLToPath(new URL('../dist/audit-demo.js', import.meta.url));
    const run = (env: Record<string, string>, ...args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = execFile(
          process.execPath,
          [script, ...args],
          { env: { ...process.env, ...env } },
          (_, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
        );
      });
    const port = new URL(demo.siteUrl).port;
    const audited = await run({ PORT: port, OPTIN_DEMO_COLLECTOR: demo.collectorUrl }, '--wait', '500');
    expect(audited.stderr).toBe('');
    expect(audited.code).toBe(0);
    for (const path of ['/', '/email', `${hx}/home`])
      expect(audited.stdout).toContain(`optin audit ${demo.siteUrl}${path}`);
    expect(audited.stdout).toContain('watched 500 ms after load');
    expect(await run({ PORT: 'abc' })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'PORT=abc is not a port: give a whole number up to 65534, e.g. PORT=4000 pnpm demo.\n',
    });
  }, 120_000);

  test('every page loads without an error in the console, before a choice and after one', async () => {
    // A fresh browser profile, as a newcomer opening the printed URL with the developer tools open.
    // Last: its page views and its choice would count in the stats the tests above compare.
    const fresh = await browser.newContext();
    const errors: string[] = [];
    const tab = await fresh.newPage();
    tab.on('console', (m) => m.type() === 'error' && errors.push(`${m.text()} ${m.location().url}`));
    tab.on('pageerror', (e) => errors.push(e.message));
    const paths = ['/', `${hx}/home`, `${mitx}/home`, '/email', '/third-parties', '/dashboard/HarvardX'];
    for (const path of paths) {
      await tab.goto(`${demo.siteUrl}${path}`);
      await tab.waitForLoadState('networkidle');
    }
    await tab.getByRole('button', { name: 'Accept all' }).click();
    for (const path of paths) {
      await tab.goto(`${demo.siteUrl}${path}`);
      await tab.waitForLoadState('networkidle');
    }
    await fresh.close();
    expect(errors).toEqual([]);
  });

  test("after a single-page navigation from a HarvardX course to an MITx course, the preferences are MITx's and a refusal there stops MITx's tracker", async () => {
    // Last, like the tests above: its choice would count in the stats the tests before compare.
    // A learner who allowed analytics only: HarvardX's marketing tracker never runs, so leaving its
    // course needs no reload, and the learning MFE goes on to the MITx course in the same page.
    const fresh = await browser.newContext();
    const sent: string[] = [];
    fresh.on('request', (r) => sent.push(new URL(r.url()).hostname));
    await fresh.addCookies([
      { name: 'optin', value: consentState(edxPolicy, ['analytics']).cookie!, url: demo.siteUrl },
    ]);
    const tab = await fresh.newPage();
    await tab.goto(`${demo.siteUrl}${hx}/home`);
    await tab.evaluate(() => ((window as { before?: boolean }).before = true));
    await tab.evaluate((path) => history.pushState(null, '', path), `${mitx}/home`);
    await expect.poll(() => sent.includes('heatmap.mitx.localhost')).toBe(true);
    await expect.poll(async () => (await fresh.cookies()).map((c) => c.name)).toContain('_mitxhm');
    expect(sent).not.toContain('ads.harvardx.localhost');

    await tab.locator('#cookie-settings').click();
    const mit = tab.getByRole('group', { name: 'On Massachusetts Institute of Technology courses' });
    await expect.poll(() => mit.count()).toBe(1);
    expect(await tab.getByRole('group', { name: 'On Harvard University courses' }).count()).toBe(0);
    // The list of third parties is the MITx page's: MITx's tracker, not HarvardX's.
    const listed = await tab.locator('optin-banner section li').allTextContents();
    expect(listed.some((item) => item.includes('MITx analytics'))).toBe(true);
    expect(listed.some((item) => item.includes('HarvardX'))).toBe(false);

    const analytics = mit.getByRole('switch', { name: 'Analytics' });
    expect(await analytics.isChecked()).toBe(true);
    await analytics.uncheck();
    const before = sent.length;
    await tab.getByRole('button', { name: 'Save choices' }).click();
    // Saved for MITx, analytics still on for edX.
    const saved = async () => {
      const value = (await fresh.cookies(demo.siteUrl)).find((c) => c.name === 'optin')?.value ?? '';
      return decodeDecision(value, edxPolicy)?.members;
    };
    await expect.poll(saved).toEqual({ MITx: { analytics: false } });
    // MITx's tracker cannot unload: the page reloads, and runs it no more; its cookie is deleted.
    await expect.poll(() => tab.evaluate(() => (window as { before?: boolean }).before ?? false)).toBe(false);
    await tab.waitForLoadState('networkidle');
    expect(sent.slice(before)).not.toContain('heatmap.mitx.localhost');
    expect((await fresh.cookies()).map((c) => c.name)).not.toContain('_mitxhm');
    await expect.poll(() => tab.locator('#consent-state').textContent()).toContain('analytics on');
    await fresh.close();
  });

  test("on the third-parties page a learner who accepted everything refuses HarvardX's marketing: HarvardX's ad tracker never loads on its course, MITx's still does", async () => {
    // Last, like the tests above: its choice would count in the stats the tests before compare.
    const fresh = await browser.newContext();
    const sent: string[] = [];
    fresh.on('request', (r) => sent.push(new URL(r.url()).hostname));
    const tab = await fresh.newPage();
    await tab.goto(`${demo.siteUrl}/`);
    await tab.getByRole('button', { name: 'Accept all' }).click();
    // Reached from the catalog's footer, where the banner has no Member switches.
    await tab.getByRole('link', { name: 'Choices per course provider' }).click();
    await tab.waitForURL(`${demo.siteUrl}/third-parties#member-choices`);
    const harvard = tab.locator('main').getByRole('group', { name: 'On Harvard University courses' });
    const marketing = harvard.getByRole('switch', { name: 'Marketing' });
    // HarvardX's trackers serve marketing and its tracked emails analytics: a switch for each, none else.
    expect(await harvard.getByRole('switch').count()).toBe(2);
    expect(await harvard.getByRole('switch', { name: 'Analytics' }).isChecked()).toBe(true);
    await expect.poll(() => marketing.isChecked()).toBe(true);
    // A second tab on the same page follows the choice made in the first.
    const other = await fresh.newPage();
    await other.goto(`${demo.siteUrl}/third-parties`);
    const otherMarketing = other
      .locator('main')
      .getByRole('group', { name: 'On Harvard University courses' })
      .getByRole('switch', { name: 'Marketing' });
    await expect.poll(() => otherMarketing.isChecked()).toBe(true);

    await marketing.uncheck();
    const saved = async () => {
      const value = (await fresh.cookies(demo.siteUrl)).find((c) => c.name === 'optin')?.value ?? '';
      return decodeDecision(value, edxPolicy);
    };
    await expect.poll(async () => (await saved())?.members).toEqual({ HarvardX: { marketing: false } });
    expect((await saved())?.purposes.marketing).toBe(true);
    await expect.poll(() => otherMarketing.isChecked()).toBe(false);
    await other.close();
    // MITx's switches are untouched.
    const mit = tab.locator('main').getByRole('group', { name: 'On Massachusetts Institute of Technology courses' });
    expect(await mit.getByRole('switch', { name: 'Analytics' }).isChecked()).toBe(true);

    // On HarvardX's course: its ad tracker never loads, nor sets its cookie; the first-party analytics still runs.
    const before = sent.length;
    await tab.goto(`${demo.siteUrl}${hx}/home`);
    await tab.waitForLoadState('networkidle');
    await tab.waitForTimeout(500);
    expect(sent.slice(before)).toContain('collector.edx.localhost');
    expect(sent).not.toContain('ads.harvardx.localhost');
    expect((await fresh.cookies()).map((c) => c.name)).not.toContain('_hxads');
    // On MITx's course, MITx's tracker loads.
    await tab.goto(`${demo.siteUrl}${mitx}/home`);
    await expect.poll(() => sent.includes('heatmap.mitx.localhost')).toBe(true);
    await expect.poll(async () => (await fresh.cookies()).map((c) => c.name)).toContain('_mitxhm');

    // Marketing refused for all of edX (in the banner): the HarvardX switch is off and locked, and says why.
    await tab.goto(`${demo.siteUrl}/third-parties`);
    await tab.locator('#cookie-settings').click();
    await tab.locator('optin-banner').getByRole('switch', { name: 'Marketing' }).uncheck();
    await tab.getByRole('button', { name: 'Save choices' }).click();
    await expect.poll(() => marketing.isDisabled()).toBe(true);
    expect(await marketing.isChecked()).toBe(false);
    const why = harvard.getByText(
      'Off on all of edX: turn Marketing on in Cookie settings to choose it for Harvard University.',
    );
    expect(await why.isVisible()).toBe(true);
    // Its description, as a screen reader reads it: what it covers, and why it is locked (only while it is).
    const description = () =>
      marketing.evaluate((input) =>
        (input.getAttribute('aria-describedby') ?? '')
          .split(' ')
          .map((id) => document.getElementById(id)?.textContent)
          .join(' '),
      );
    expect(await description()).toBe(`HarvardX marketing (demo stand-in) ${(await why.textContent()) ?? ''}`);
    // Granted again for edX, the refusal for HarvardX still holds; lifted here, its tracker runs on its course.
    await tab.locator('#cookie-settings').click();
    await tab.locator('optin-banner').getByRole('switch', { name: 'Marketing' }).check();
    await tab.getByRole('button', { name: 'Save choices' }).click();
    await expect.poll(() => marketing.isDisabled()).toBe(false);
    expect(await marketing.isChecked()).toBe(false);
    expect(await why.isVisible()).toBe(false);
    expect(await description()).toBe('HarvardX marketing (demo stand-in)');
    await marketing.check();
    await expect.poll(async () => (await saved())?.members).toEqual({ HarvardX: { marketing: true } });
    await tab.goto(`${demo.siteUrl}${hx}/home`);
    await expect.poll(() => sent.includes('ads.harvardx.localhost')).toBe(true);
    await expect.poll(async () => (await fresh.cookies()).map((c) => c.name)).toContain('_hxads');
    await fresh.close();
  });

  test('opened by another name (localhost, 127.0.0.1), the site sends the browser to the URL it printed, where the collector takes what the page sends', async () => {
    // Last, like the test above: its choice would count in the stats the tests before compare.
    const fresh = await browser.newContext();
    const errors: string[] = [];
    const tab = await fresh.newPage();
    tab.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    const port = new URL(demo.siteUrl).port;
    for (const host of ['localhost', '127.0.0.1']) {
      await tab.goto(`http://${host}:${port}${hx}/home?from=bookmark`);
      expect(tab.url()).toBe(`${demo.siteUrl}${hx}/home?from=bookmark`);
    }
    const receipt = tab.waitForResponse(
      (r) => r.url() === `${demo.collectorUrl}/v1/consent` && r.request().method() === 'POST',
    );
    await tab.getByRole('button', { name: 'Accept all' }).click();
    expect((await receipt).ok()).toBe(true);
    await fresh.close();
    expect(errors).toEqual([]);
  });

  test("a path that reads as another host (//evil.example, /\\evil.example) is a path of the site: no redirect leaves the site's origin", async () => {
    const port = new URL(demo.siteUrl).port;
    // A browser's navigation, on real HTTP: the request target exactly as written (fetch would normalise it).
    const navigate = (host: string, path: string) =>
      new Promise<{ status: number; location: string | null }>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port, path, headers: { host, 'sec-fetch-mode': 'navigate' } },
          (res) => {
            res.resume();
            resolve({ status: res.statusCode ?? 0, location: res.headers.location ?? null });
          },
        );
        req.on('error', reject).end();
      });
    const site = new URL(demo.siteUrl).host;
    for (const path of [
      '//evil.example/x',
      '/\\evil.example',
      '/%2F%2Fevil.example',
      '///evil.example/x?y=1',
      'http://evil.example/x',
    ]) {
      // On the site's own name: served there (not found), never sent elsewhere.
      expect(await navigate(site, path)).toEqual({ status: 404, location: null });
      // By another name: sent on to the same path on the site's origin.
      for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `evil.example`]) {
        const { status, location } = await navigate(host, path);
        expect(status).toBe(308);
        expect(new URL(location ?? '').origin).toBe(demo.siteUrl);
      }
    }
    // Other names' legitimate redirects keep the path and query.
    expect(await navigate(`localhost:${port}`, `${hx}/home?from=bookmark`)).toEqual({
      status: 308,
      location: `${demo.siteUrl}${hx}/home?from=bookmark`,
    });
    expect(await navigate(`127.0.0.1:${port}`, '/')).toEqual({ status: 308, location: `${demo.siteUrl}/` });
    // In Chromium, a link to such a path (`\\` is read as `/`) stays on the site.
    const fresh = await browser.newContext();
    const tab = await fresh.newPage();
    for (const path of ['//evil.example/phish', '/\\evil.example/phish']) {
      expect((await tab.goto(`${demo.siteUrl}${path}`))?.status()).toBe(404);
      expect(new URL(tab.url()).origin).toBe(demo.siteUrl);
    }
    await fresh.close();
  });
});
