/**
 * Size budgets for what a browser bundle pays for our packages.
 *
 * Each entry of size-budgets.json is `{ name, code, limit }` (limit in gzip -9
 * bytes). `code` is bundled by esbuild as an ES module for the browser (minified,
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
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants } from 'node:zlib';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const budgets = JSON.parse(readFileSync(join(root, 'size-budgets.json'), 'utf8'));

/** Map of workspace package name -> directory, for every packages/* package. */
const workspace = new Map(
  readdirSync(join(root, 'packages'), { withFileTypes: true })
    .map((d) => join(root, 'packages', d.name, 'package.json'))
    .filter((file) => existsSync(file))
    .map((file) => [JSON.parse(readFileSync(file, 'utf8')).name, join(file, '..')]),
);

/** @type {import('esbuild').Plugin} */
const workspacePackages = {
  name: 'workspace-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.pluginData === 'workspace') return undefined;
      const name = args.path.split('/').slice(0, args.path.startsWith('@') ? 2 : 1).join('/');
      const dir = workspace.get(name);
      if (!dir) return undefined;
      // Resolve from inside the package itself: the bare specifier then hits the
      // package's own `exports` (self-reference), exactly like an installed copy.
      return b.resolve(args.path, { kind: args.kind, resolveDir: dir, pluginData: 'workspace' });
    });
  },
};

const rows = [];
for (const { name, code, limit } of budgets) {
  const result = await build({
    stdin: { contents: code, resolveDir: root, loader: 'js', sourcefile: 'size-entry.js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    treeShaking: true,
    write: false,
    logLevel: 'error',
    plugins: [workspacePackages],
  }).catch(() => {
    console.error(`size: could not bundle "${name}" (esbuild errors above; is dist/ built?)`);
    process.exit(1);
  });
  const bytes = result.outputFiles[0].contents;
  const gzip = gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }).length;
  rows.push([name, bytes.length, gzip, limit, gzip <= limit ? 'ok' : 'OVER']);
}

const table = [['name', 'bytes min', 'bytes gzip -9', 'limit', 'ok'], ...rows].map((r) => r.map(String));
const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ');
console.log([line(table[0]), widths.map((w) => '-'.repeat(w)).join('-|-'), ...table.slice(1).map(line)].join('\n'));

process.exit(rows.some((r) => r[4] !== 'ok') ? 1 : 0);
