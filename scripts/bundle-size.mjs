/**
 * What a page pays for some code: `code` (an ES module source, e.g. `export { x } from 'pkg'`)
 * bundled by esbuild for the browser (minified, tree-shaken, dependencies included, CSS as text),
 * then gzipped at level 9. Shared by `pnpm size` (budgets) and the benchmarks (peers).
 *
 * Workspace packages (`@optin/consent`, `@optin/trackers/ga4`, ...) resolve by name to their
 * directory under packages/* and then through that package's own `exports` map, so the built
 * `dist/` is measured exactly as a consumer's bundler would see it. Other packages resolve from
 * `resolveDir` (default: the repository root).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants } from 'node:zlib';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

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
      const name = args.path
        .split('/')
        .slice(0, args.path.startsWith('@') ? 2 : 1)
        .join('/');
      const dir = workspace.get(name);
      if (!dir) return undefined;
      // Resolve from inside the package itself: the bare specifier then hits the package's own
      // `exports` (self-reference), exactly like an installed copy.
      return b.resolve(args.path, { kind: args.kind, resolveDir: dir, pluginData: 'workspace' });
    });
  },
};

/**
 * Bundles `code` and returns its size in bytes, minified and gzip -9.
 * @param {string} code
 * @param {{ resolveDir?: string }} [options]
 * @returns {Promise<{ min: number, gzip: number }>}
 */
export async function bundleSize(code, { resolveDir = root } = {}) {
  const result = await build({
    stdin: { contents: code, resolveDir, loader: 'js', sourcefile: 'size-entry.js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    treeShaking: true,
    write: false,
    logLevel: 'error',
    loader: { '.css': 'text' },
    plugins: [workspacePackages],
  });
  const [output] = result.outputFiles;
  return {
    min: output.contents.length,
    gzip: gzipSync(output.contents, { level: constants.Z_BEST_COMPRESSION }).length,
  };
}
