/**
 * Real-Chromium test of a store given to the provider (`consent={store}`, the learner's choice
 * already read) hydrating server HTML whose `<Suspense>` boundary still waits for its code-split
 * chunk: the boundary keeps its server HTML (no fallback flash), on React 19 and React 18.3.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { expect, it } from 'vitest';
import { file, launchChromium, serve } from '../../../test-support/browser.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

it.each(['19', '18'])(
  'a given store keeps the server HTML of a boundary still hydrating, then shows the choice (React %s)',
  async (react) => {
    const options = {
      bundle: true,
      target: 'es2022',
      alias: react === '18' ? { react: 'react-18', 'react-dom': 'react-dom-18' } : {},
      define: { 'process.env.NODE_ENV': '"development"' },
      logLevel: 'error',
    } as const;
    const dir = await mkdtemp(join(tmpdir(), 'optin-given-store-'));
    const browser = await launchChromium();
    try {
      const outfile = join(dir, 'server.cjs');
      const [, client] = await Promise.all([
        build({ ...options, entryPoints: [fixture('given-store.tsx')], platform: 'node', format: 'cjs', outfile }),
        build({
          ...options,
          entryPoints: [fixture('given-store-client.tsx')],
          platform: 'browser',
          format: 'iife',
          write: false,
        }),
      ]);
      const server = createRequire(import.meta.url)(outfile) as { serverHtml(): string; version: string };
      expect(server.version).toMatch(new RegExp(`^${react}\\.`));
      const html = server.serverHtml();
      expect(html).toContain('analytics off');
      const site = await serve([
        file('/favicon.ico', '', 'image/x-icon'),
        file(
          '/',
          `<!doctype html><html lang="en"><meta charset="utf-8"><title>Course</title><div id="root">${html}</div><script src="/client.js"></script>`,
        ),
        file('/client.js', client.outputFiles[0]?.text ?? '', 'text/javascript; charset=utf-8'),
      ]);
      try {
        const page = await browser.newPage();
        const messages: string[] = [];
        page.on('console', (m) => ['error', 'warning'].includes(m.type()) && messages.push(m.text()));
        page.on('pageerror', (e) => messages.push(e.message));
        await page.goto(site.origin());
        await expect.poll(() => page.locator('#header').textContent()).toBe('analytics on');
        await expect.poll(() => page.locator('#course').count()).toBe(1);
        const texts = await page.evaluate(() => window.texts);
        expect(texts.filter((t) => t.includes('loading'))).toEqual([]);
        expect(texts.every((t) => t.includes('Course content'))).toBe(true);
        expect(messages).toEqual([]);
      } finally {
        await site.close();
      }
    } finally {
      await browser.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
);
