/**
 * Real-Chromium test of `usePageMember` with a router on the Navigation API: the new course page is
 * drawn with its own Member's scope, never the previous Member's, though such a router draws it
 * before the browser reports the navigation done (`navigatesuccess`).
 */
import { expect, it } from 'vitest';
import { file, launchChromium, serve } from '../../../test-support/browser.js';
import { fixtureScript } from './fixture-script.js';

const harvard = '/learning/course/course-v1:HarvardX+CS50+2026/home';
const mit = '/learning/course/course-v1:MITx+6.00x+2026/home';

it.each(['19', '18'] as const)(
  'a course page a Navigation API router draws shows no other Member’s tracker, not even for one commit (React %s)',
  async (react) => {
    const page = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Course</title><div id="root"></div><script src="/app.js"></script>`;
    const site = await serve([
      file('/favicon.ico', '', 'image/x-icon'),
      file('/app.js', await fixtureScript('navigation-app.tsx', react), 'text/javascript; charset=utf-8'),
      file(harvard, page),
      file(mit, page),
    ]);
    const browser = await launchChromium();
    try {
      const tab = await browser.newPage();
      const errors: string[] = [];
      tab.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      tab.on('pageerror', (e) => errors.push(e.message));
      await tab.goto(site.origin() + harvard);
      expect(await tab.evaluate(() => document.documentElement.dataset.react)).toMatch(new RegExp(`^${react}\\.`));
      await expect.poll(() => tab.locator('#harvard-stats').count()).toBe(1);
      await tab.evaluate(async (to) => {
        await (navigation as unknown as { navigate(url: string): { finished: Promise<unknown> } }).navigate(to)
          .finished;
      }, mit);
      await expect.poll(() => tab.locator('#mit-stats').count()).toBe(1);
      const commits = await tab.evaluate(() => window.commits);
      // The MITx page is drawn with MITx's trackers from its first commit: never HarvardX's.
      expect(commits.filter((c) => c.path === mit)).toContainEqual({ path: mit, harvardStats: false, mitStats: true });
      expect(commits.filter((c) => c.path === mit && c.harvardStats)).toEqual([]);
      expect(await tab.locator('#harvard-stats').count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await site.close();
    }
  },
);
