/**
 * Real-Chromium test of `<ConsentBanner member>`: a new Member is on the banner before the browser
 * paints the commit that brings it, so open preferences never show the previous Member's choices.
 */
import type { OptinBannerElement } from '@optin/banner';
import { expect, it } from 'vitest';
import { file, launchChromium, serve } from '../../../test-support/browser.js';
import { fixtureScript } from './fixture-script.js';

it.each(['19', '18'] as const)(
  'open preferences show the new Member’s section from the commit that brings it, before a paint (React %s)',
  async (react) => {
    const site = await serve([
      file('/favicon.ico', '', 'image/x-icon'),
      file('/app.js', await fixtureScript('banner-member-app.tsx', react), 'text/javascript; charset=utf-8'),
      file(
        '/',
        `<!doctype html><html lang="en"><meta charset="utf-8"><title>Course</title><div id="root"></div><script src="/app.js"></script>`,
      ),
    ]);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(site.origin());
      const legend = page.locator('optin-banner').locator('legend#m');
      expect(await page.evaluate(() => document.documentElement.dataset.react)).toMatch(new RegExp(`^${react}\\.`));
      await expect.poll(() => page.locator('optin-banner').count()).toBe(1);
      await page.evaluate(() => document.querySelector<OptinBannerElement>('optin-banner')?.open('preferences'));
      await expect.poll(() => legend.textContent()).toBe('On Harvard University courses');
      // Set outside any React event (as from `hub.onScopeChange`): rendered, committed, then painted.
      await page.evaluate(() => window.setMember('MITx'));
      await expect.poll(() => legend.textContent()).toBe('On MIT courses');
      expect((await page.evaluate(() => window.shown)).filter((s) => s.member === 'MITx')).toEqual([
        { member: 'MITx', section: 'On MIT courses' },
      ]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await site.close();
    }
  },
);
