import type { Page } from 'playwright-core';

/** How long to wait for what a page sends on its way out (`sendBeacon`, keepalive `fetch`). */
const leaveMs = 500;

/**
 * Makes `page` leave as a learner's tab does, so that what it sends on its way out is recorded.
 * Chromium hands a request sent by a document that is unloading (`sendBeacon` in `pagehide`) to the
 * browser process, where neither DevTools nor Playwright sees it; so every frame is first told it
 * was hidden and left (`visibilitychange` with `visibilityState` `hidden`, then `pagehide`) while it
 * is still alive, and given {@link leaveMs} to send. Then the page really goes to `about:blank`, so
 * cookies set by the responses to what it sends then still reach the jar.
 */
export async function leave(page: Page): Promise<void> {
  await Promise.all(
    page.frames().map((frame) =>
      frame
        .evaluate(() => {
          Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
          Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
          document.dispatchEvent(new Event('visibilitychange'));
          window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false }));
        })
        .catch(() => undefined),
    ),
  );
  await page.waitForTimeout(leaveMs);
  await page.goto('about:blank').catch(() => undefined);
  await page.waitForTimeout(leaveMs);
}
