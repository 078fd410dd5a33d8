import type { Page } from 'playwright-core';

/** How long to wait for what a page sends on its way out (`sendBeacon`, keepalive `fetch`, images). */
const leaveMs = 500;

/** How long to wait for the page to have left (its handlers run), in ms. */
const leaveTimeoutMs = 10_000;

/**
 * Makes `page` leave as a learner's tab does, so that what it sends on its way out is recorded: it
 * really navigates to `about:blank`, so the browser itself fires, in every frame and in its own order,
 * `beforeunload`, `pagehide`, `visibilitychange` (`hidden`) and `unload`, all trusted (`isTrusted`,
 * as a page may check), and no handler runs twice. What the frames send then is handed to the
 * browser process, where only a browser-wide request interception sees it (see `recordActivity`);
 * what they write is reported by the audit's DevTools sessions, which the audit's Chromium keeps on
 * the leaving documents until their handlers have run (see `chromiumArgs`). Waits {@link leaveMs}
 * for it, and for the answers' `Set-Cookie` headers.
 */
export async function leave(page: Page): Promise<void> {
  // A document that keeps its thread busy never lets the browser navigate away: not waited for long.
  await page.goto('about:blank', { timeout: leaveTimeoutMs }).catch(() => undefined);
  await page.waitForTimeout(leaveMs);
}
