/**
 * Real-Chromium test of `usePageMember` with a router on the Navigation API: the new course page is
 * drawn with its own Member's scope, never the previous Member's, though such a router draws it
 * before the browser reports the navigation done (`navigatesuccess`).
 */
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { build } from 'esbuild';
import { file, launchChromium, serve } from '../../../test-support/browser.js';

const harvard = '/learning/course/course-v1:HarvardX+CS50+2026/home';
const mit = '/learning/course/course-v1:MITx+6.00x+2026/home';

/** The page's script, bundled with React 19 or 18 (the root's `react-18` and `react-dom-18` aliases of 18.3). */
async function script(react: string): Promise<string> {
  const built = await build({
    entryPoints: [fileURLToPath(new URL('./fixtures/navigation-app.tsx', import.meta.url))],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    alias: react === '18' ? { react: 'react-18', 'react-dom': 'react-dom-18' } : {},
    define: { 'process.env.NODE_ENV': '"development"' },
    logLevel: 'error',
  });
  return built.outputFiles[0]?.text ?? '';
}

it.each(['19', '18'])(
  'a course page a Navigation API router draws shows no other Member’s tracker, not even for one commit (React %s)',
  async (react) => {
    const page = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Course</title><div id="root"></div><script src="/app.js"></script>`;
    const site = await serve([
      file('/favicon.ico', '', 'image/x-icon'),
      file('/app.js', await script(react), 'text/javascript; charset=utf-8'),
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
