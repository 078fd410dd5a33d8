/**
 * What a page pays for first-party analytics, ours next to peers measured in the same run:
 * esbuild --minify, dependencies included, gzip -9 (the same measure as `pnpm size`). Ours carries
 * consent and the hub; the peers carry no consent at all.
 * Run: pnpm bench (root) or `node bench/size.bench.mjs` in this package after a build.
 */
import { fileURLToPath } from 'node:url';
import { bundleSize } from '../../../scripts/bundle-size.mjs';

const here = fileURLToPath(new URL('..', import.meta.url));
const rows = [
  [
    '@optin: consent + hub + analytics',
    "export { createConsent, edxPolicy } from '@optin/consent'; export { createHub } from '@optin/trackers'; export { firstParty } from '@optin/analytics'",
  ],
  [
    '@optin: the same + Web Vitals',
    "export { createConsent, edxPolicy } from '@optin/consent'; export { createHub } from '@optin/trackers'; export { firstParty } from '@optin/analytics'; export { webVitals } from '@optin/analytics/vitals'",
  ],
  ['@optin/analytics alone', "export { firstParty } from '@optin/analytics'"],
  ['analytics 0.8.19 (DavidWells)', "export { default } from 'analytics'"],
  ['@snowplow/browser-tracker 4.10.1', "export * from '@snowplow/browser-tracker'"],
  ['@segment/analytics-next 1.84.3', "export { AnalyticsBrowser } from '@segment/analytics-next'"],
];
console.log('\nFirst-party analytics in a browser bundle (esbuild --minify, dependencies included, gzip -9)');
const table = [];
for (const [bundle, code] of rows) {
  try {
    const { min, gzip } = await bundleSize(code, { resolveDir: here });
    table.push({ bundle, 'bytes min': min, 'bytes gzip': gzip });
  } catch (error) {
    table.push({ bundle, 'bytes min': '-', 'bytes gzip': `not measurable: ${String(error.message).split('\n')[0]}` });
  }
}
console.table(table);
