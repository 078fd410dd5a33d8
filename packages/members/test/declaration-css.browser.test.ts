import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchChromium } from '../../../test-support/browser.js';
import { createRegistry, declarationCss, declarationToHtml } from '../src/index.js';
import { sampleConfig } from './fixtures/config.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser.close());

const html = declarationToHtml(createRegistry(sampleConfig()).declaration());
const name = 'Opt out for Matomo (opens in a new tab)';

/** Shows the declaration with `css` in a `<style>`: how many links have the full name, and the hidden words' box. */
async function show(css: string): Promise<{ links: number; hidden: { width: number; height: number } }> {
  const page = await browser.newPage();
  try {
    await page.setContent(`<!doctype html><html lang="en"><style>${css}</style><body>${html}</body></html>`);
    const link = page.getByRole('link', { name, exact: true }).first();
    const hidden = await link.evaluate((a) => {
      const { width, height } = a.querySelector('.optin-visually-hidden')!.getBoundingClientRect();
      return { width, height };
    });
    return { links: await page.getByRole('link', { name, exact: true }).count(), hidden };
  } finally {
    await page.close();
  }
}

describe('declarationCss in real Chromium', () => {
  test('hides the words for screen readers from sight, and keeps them in the link names', async () => {
    const styled = await show(declarationCss);
    const bare = await show(''); // what a page that pastes the HTML alone gets
    expect(styled.links).toBeGreaterThan(0);
    expect(styled.hidden.width).toBeLessThanOrEqual(1);
    expect(styled.hidden.height).toBeLessThanOrEqual(1);
    expect(bare.hidden.width).toBeGreaterThan(50);
  });
});
