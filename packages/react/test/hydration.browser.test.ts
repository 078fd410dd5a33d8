/**
 * Real-Chromium test of @optin/react: the app is rendered to HTML by react-dom/server in Node, then
 * hydrated in Chromium by a development build of React (which reports every hydration mismatch).
 */
import { fileURLToPath } from 'node:url';
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle, file, launchChromium, serve, type TestServer } from '../../../test-support/browser.js';
import { App } from './fixtures/app.js';

let browser: Browser;
let server: TestServer;
let html: string;

beforeAll(async () => {
  html = renderToString(createElement(App));
  const script = await bundle(fileURLToPath(new URL('./fixtures/client.tsx', import.meta.url)), {
    'process.env.NODE_ENV': '"development"',
  });
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
    file('/client.js', script, 'text/javascript; charset=utf-8'),
  ]);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser.close();
  await server.close();
});

const text = (page: Page, selector: string) => page.locator(selector).textContent();

describe('@optin/react in Chromium', () => {
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
    expect(await page.locator('optin-banner').count()).toBe(1);
    await page.getByRole('button', { name: 'Reject all' }).click();
    await expect.poll(() => text(page, '#state')).toBe('decided by banner');
    expect(await text(page, '#analytics')).toBe('analytics off');

    // A change made elsewhere (the page's own control) re-renders the components that use consent.
    await page.getByRole('button', { name: 'Accept everything from the page' }).click();
    await expect.poll(() => text(page, '#analytics')).toBe('analytics on');
    expect(await text(page, '#state')).toBe('decided by api');
    expect(await text(page, '#harvard')).toBe('HarvardX marketing on');

    // The Member's own switch in the banner narrows only that Member.
    await page.getByRole('button', { name: 'Cookie settings' }).click();
    await page.getByRole('group', { name: 'On Harvard University courses' }).getByRole('switch', { name: 'Marketing' }).uncheck();
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
