/**
 * Benchmarks of @optin/consent, printed next to peers measured in the same run.
 *  1. What a page pays: min+gzip -9 bytes of the consent core, bundled by esbuild exactly as
 *     `pnpm size` does, next to the peers installed as devDependencies.
 *  2. What a server pays per request: reading the decision from a Cookie header (SSR), and
 *     answering `allows()`.
 * Run: pnpm bench (root) or `node bench/consent.bench.mjs` in this package after a build.
 */
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { createConsent, edxPolicy, encodeDecision, fromCookieHeader } from '@optin/consent';
import { bundleSize } from '../../../scripts/bundle-size.mjs';

const here = fileURLToPath(new URL('..', import.meta.url));

const sizes = [
  ['@optin/consent (createConsent + edxPolicy)', "export { createConsent, edxPolicy } from '@optin/consent'"],
  ['vanilla-cookieconsent 3.1.0 (JS)', "export * from 'vanilla-cookieconsent'"],
  ['vanilla-cookieconsent 3.1.0 (CSS)', "export { default } from 'vanilla-cookieconsent/dist/cookieconsent.css'"],
  ['c15t 2.2.1 (headless core)', "export * from 'c15t'"],
  ['klaro 0.7.22', "export * from 'klaro'"],
];
console.log('\nBundle size, esbuild --minify, dependencies included, gzip -9');
const table = [];
for (const [name, code] of sizes) {
  try {
    table.push({ bundle: name, 'bytes gzip': (await bundleSize(code, { resolveDir: here })).gzip });
  } catch (error) {
    table.push({ bundle: name, 'bytes gzip': `not measurable: ${String(error.message).split('\n')[0]}` });
  }
}
console.table(table);

const store = createConsent({ policy: edxPolicy, storage: 'memory', signals: { gpc: false } });
const decision = store.decide({ purposes: { analytics: true }, members: { HarvardX: { marketing: false } } });
const header = `csrftoken=abc123; sessionid=9f8e7d; optin=${encodeDecision(decision, edxPolicy)}; edx-user-info=%7B%7D`;

const bench = new Bench({ time: 500 });
bench
  .add('fromCookieHeader (SSR read of one request)', () => fromCookieHeader(header, edxPolicy))
  .add('store.allows(purpose, member)', () => store.allows('marketing', 'HarvardX'))
  .add('createConsent (memory) + allows', () =>
    createConsent({ policy: edxPolicy, storage: 'memory', signals: { gpc: false } }).allows('analytics'),
  );
await bench.run();
console.log('\nThroughput (Node, one core)');
console.table(
  bench.tasks.map((t) => ({
    task: t.name,
    'ops/s': Math.round(t.result.throughput?.mean ?? t.result.hz ?? 0).toLocaleString('en-US'),
  })),
);
