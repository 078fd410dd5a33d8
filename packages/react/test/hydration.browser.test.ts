/**
 * Real-Chromium test of @optin/react: the app is rendered to HTML by react-dom/server in Node, then
 * hydrated in Chromium by a development build of React (which reports every hydration mismatch). Run
 * on React 19 (the package's devDependency) and on React 18.3, the oldest supported: esbuild bundles
 * the server render and the client with `react` and `react-dom` taken from the root's `react-18` and
 * `react-dom-18` npm aliases.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { createElement, version } from 'react';
import { renderToString } from 'react-dom/server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle, file, launchChromium, serve, type TestServer } from '../../../test-support/browser.js';
import { App } from './fixtures/app.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const development = { 'process.env.NODE_ENV': '"development"' };

/** The server HTML of the app and the script that hydrates it, with the React version that made them. */
interface Built {
  readonly version: string;
  readonly html: string;
  readonly script: string;
}

/** With the React this test runs on (the package's own, 19). */
async function withReact19(): Promise<Built> {
  return {
    version,
    html: renderToString(createElement(App)),
    script: await bundle(fixture('client.tsx'), development),
  };
}

/** With React 18.3: server render and client bundled by esbuild with `react` and `react-dom` aliased to it. */
async function withReact18(): Promise<Built> {
  const options = {
    bundle: true,
    target: 'es2022',
    alias: { react: 'react-18', 'react-dom': 'react-dom-18' },
    define: development,
    logLevel: 'error',
  } as const;
  const dir = await mkdtemp(join(tmpdir(), 'optin-react-18-'));
  try {
    const server = join(dir, 'server.cjs');
    const [, client] = await Promise.all([
      build({ ...options, entryPoints: [fixture('server.tsx')], platform: 'node', format: 'cjs', outfile: server }),
      build({ ...options, entryPoints: [fixture('client.tsx')], platform: 'browser', format: 'iife', write: false }),
    ]);
    const rendered = createRequire(import.meta.url)(server) as { html: string; version: string };
    const script = client.outputFiles[0]?.text;
    if (!script) throw new Error('esbuild produced no client script');
    return { version: rendered.version, html: rendered.html, script };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser.close();
});

const text = (page: Page, selector: string) => page.locator(selector).textContent();

describe.each([
  { react: '19', make: withReact19 },
  { react: '18', make: withReact18 },
])('@optin/react in Chromium, on React $react', ({ react, make }) => {
  let server: TestServer;
  let html: string;

  beforeAll(async () => {
    const built = await make();
    expect(built.version).toMatch(new RegExp(`^${react}\\.`));
    html = built.html;
    server = await serve([
      file('/favicon.ico', '', 'image/x-icon'),
      file(
        '/',
        `<!doctype html><html lang="en"><meta charset="utf-8"><title>Course</title><div id="root">${html}</div><script src="/client.js"></script>`,
      ),
      // The same page with server HTML that does not match: proves mismatches are reported.
      file(
        '/mismatch',
        `<!doctype html><html lang="en"><meta charset="utf-8"><title>Course</title><div id="root">${html.replace('pending', 'stale')}</div><script src="/client.js"></script>`,
      ),
      file('/client.js', built.script, 'text/javascript; charset=utf-8'),
    ]);
  });

  afterAll(async () => {
    await server.close();
  });

  it('server-renders the no-store state, hydrates without a warning, then re-renders on every change', async () => {
    expect(html).toContain('pending');
    expect(html).toContain('analytics off');
    expect(html).not.toContain('optin-banner');

    const page = await browser.newPage();
    const messages: string[] = [];
    page.on('console', (m) => ['error', 'warning'].includes(m.type()) && messages.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => messages.push(e.message));
    await page.goto(server.origin());

    // After hydration the store exists on the client, the learner has not decided: the banner shows.
    await expect.poll(() => text(page, '#state')).toBe('undecided');
    expect(await page.locator('html').getAttribute('data-react')).toMatch(new RegExp(`^${react}\\.`));
    expect(await page.locator('optin-banner').count()).toBe(1);
    await page.getByRole('button', { name: 'Reject all' }).click();
    await expect.poll(() => text(page, '#state')).toBe('decided by banner');
    expect(await text(page, '#analytics')).toBe('analytics off');

    // A change made elsewhere (the page's own control) re-renders the components that use consent.
    await page.getByRole('button', { name: 'Accept everything from the page' }).click();
    await expect.poll(() => text(page, '#analytics')).toBe('analytics on');
    expect(await text(page, '#state')).toBe('decided by api');
    expect(await text(page, '#harvard')).toBe('HarvardX marketing on');

    // The Member's own switch in the banner narrows only that Member. The page's footer link opens the
    // preferences through the banner's ref.
    await page.getByRole('button', { name: 'Privacy choices' }).click();
    await page
      .getByRole('group', { name: 'On Harvard University courses' })
      .getByRole('switch', { name: 'Marketing' })
      .uncheck();
    await page.getByRole('button', { name: 'Save choices' }).click();
    await expect.poll(() => text(page, '#harvard')).toBe('HarvardX marketing off');
    expect(messages).toEqual([]);
    await page.close();
  });

  it('would report a hydration mismatch (the check above is not blind)', async () => {
    const page = await browser.newPage();
    const messages: string[] = [];
    page.on('console', (m) => ['error', 'warning'].includes(m.type()) && messages.push(m.text()));
    page.on('pageerror', (e) => messages.push(e.message));
    await page.goto(`${server.origin()}/mismatch`);
    await expect.poll(() => messages.join('\n')).toMatch(/hydrat/i);
    await page.close();
  });
});
