/** The Chromium `optin audit` drives: `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
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
 * Command-line flags for a quiet headless Chromium that talks to nothing but the pages it is sent to
 * (no sync, updates or background requests to confuse an audit), that keeps a leaving document's
 * frame until its unload handlers have run and gives frames of other sites partitioned storage (see
 * the features it turns off), with optional host resolver rules (`MAP *.edx.org 127.0.0.1`).
 */
export function chromiumArgs(hostRules: readonly string[] = []): string[] {
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
    ...(hostRules.length ? [`--host-resolver-rules=${hostRules.join(', ')}`] : []),
  ];
}
