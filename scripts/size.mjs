/**
 * Size budgets for what a browser bundle pays for our packages.
 *
 * Each entry of size-budgets.json is `{ name, code, on?, limit }` (limit in gzip -9
 * bytes). With `on`, the entry measures what `code` adds to a bundle of `on` (e.g. an adapter on
 * top of the hub it always runs with). `code` is bundled by esbuild as an ES module for the browser (minified,
 * tree-shaken, third-party deps included), then gzipped at level 9.
 *
 * Workspace packages (`@optin/consent`, `@optin/x/sub`, ...) are resolved by name
 * to their directory under packages/* and then through that package's own
 * `exports` map (esbuild's package self-reference), so the built `dist/` is
 * measured exactly as a consumer's bundler would see it — no root dependency
 * on the workspace packages is needed.
 *
 * Prints a table and exits 1 if any entry is over its limit.
 * Usage: node scripts/size.mjs   (expects `dist/` to be built)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleSize } from './bundle-size.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const budgets = JSON.parse(readFileSync(join(root, 'size-budgets.json'), 'utf8'));

const measure = (name, code) =>
  bundleSize(code).catch(() => {
    console.error(`size: could not bundle "${name}" (esbuild errors above; is dist/ built?)`);
    process.exit(1);
  });
const rows = [];
for (const { name, code, on, limit } of budgets) {
  // `on`: what the page always has with it (an adapter never runs without the hub); the entry is
  // what `code` adds to a bundle of `on` alone, shared code counted once.
  const size = await measure(name, on ? `${on}; ${code}` : code);
  if (on) {
    const base = await measure(name, on);
    size.min -= base.min;
    size.gzip -= base.gzip;
  }
  rows.push([name, size.min, size.gzip, limit, size.gzip <= limit ? 'ok' : 'OVER']);
}

const table = [['name', 'bytes min', 'bytes gzip -9', 'limit', 'ok'], ...rows].map((r) => r.map(String));
const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ');
console.log([line(table[0]), widths.map((w) => '-'.repeat(w)).join('-|-'), ...table.slice(1).map(line)].join('\n'));

process.exit(rows.some((r) => r[4] !== 'ok') ? 1 : 0);
