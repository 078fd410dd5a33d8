import type { Browser } from 'playwright-core';

/**
 * The Chromium `optin audit` drives: `CHROMIUM_PATH`, else (unset or empty: Playwright would look
 * for a browser build of its own) Debian's `/usr/bin/chromium`.
 */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

/**
 * Chromium features the audit turns off. Of two `--disable-features` switches Chromium reads only
 * the last, so this list replaces Playwright's own (playwright-core 1.65.1's, which comes first):
 * it keeps what keeps the browser quiet (no requests of its own to confuse an audit), on HTTP where
 * asked, and request interception sound, and differs from it twice:
 * - `RenderDocument` is off: with it, a navigation gives the new document a new frame host and moves
 *   DevTools to it before the old document runs its `pagehide` and `unload` handlers, so that what
 *   they write would be lost to the audit. Nothing a page can observe changes.
 * - `ThirdPartyStoragePartitioning` stays on, as in Chrome: a frame of another site gets storage of
 *   its own, partitioned by the page, as in a learner's browser, instead of none, so what it stores
 *   is seen.
 */
const disabledFeatures = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'RenderDocument',
];

/**
 * Chromium features turned on for a browser that sends Global Privacy Control: playwright-core
 * 1.65.1's own (of two `--enable-features` switches Chromium reads only the last: this list replaces
 * Playwright's), and `GlobalPrivacyControlTest`, under which Chromium implements GPC itself,
 * switched on by DevTools ({@link sendGlobalPrivacyControl}).
 */
const gpcFeatures = ['CDPScreenshotNewSurface', 'SkipListAccountsWithoutGaiaCookies', 'GlobalPrivacyControlTest'];

/**
 * Command-line flags for a quiet headless Chromium that talks to nothing but the pages it is sent to
 * (no sync, updates or background requests to confuse an audit), that keeps a leaving document's
 * frame until its unload handlers have run and gives frames of other sites partitioned storage (see
 * the features it turns off), with optional host resolver rules (`MAP *.edx.org 127.0.0.1`). With
 * `gpc`, Chromium's own Global Privacy Control is available, for {@link sendGlobalPrivacyControl}.
 */
export function chromiumArgs(hostRules: readonly string[] = [], { gpc = false }: { gpc?: boolean } = {}): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--disable-features=${disabledFeatures.join(',')}`,
    ...(gpc ? [`--enable-features=${gpcFeatures.join(',')}`] : []),
    ...(hostRules.length ? [`--host-resolver-rules=${hostRules.join(', ')}`] : []),
  ];
}

/**
 * Makes a browser launched with `chromiumArgs(…, { gpc: true })` send Global Privacy Control as
 * Chromium implements it (DevTools' `Browser.setGlobalPrivacyControl`, the GPC spec's automation
 * hook): `Sec-GPC: 1` on every request and `navigator.globalPrivacyControl` true in every document
 * and every dedicated, shared and service worker, from its first statement. Rejects where this
 * Chromium has no GPC.
 */
export async function sendGlobalPrivacyControl(browser: Browser): Promise<void> {
  // An override of DevTools: it holds while the session that set it stays attached (until the browser closes).
  const session = await browser.newBrowserCDPSession();
  const { gpc } = await session.send('Browser.setGlobalPrivacyControl', { gpc: true });
  if (!gpc) throw new Error('Browser.setGlobalPrivacyControl left Global Privacy Control off');
}
