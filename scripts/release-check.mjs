/**
 * Prove that what we would publish installs and works for a consumer.
 *
 * 1. `pnpm pack` every non-private package under `packages/*` (pnpm rewrites
 *    `workspace:` ranges to real versions, exactly as `changeset publish` will).
 * 2. Create a scratch project in a temp dir and `npm install` all tarballs
 *    together (third-party deps such as zod come from the registry).
 * 3. For each package and each subpath of its `exports` map (except
 *    `./package.json` and `*` patterns), check that:
 *      esm  - `import * as m from '<spec>'` works and has at least one export,
 *      cjs  - `require('<spec>')` works and has at least one export,
 *      types- a `check.mts` and a `check.cts` that read every runtime export
 *             from `<spec>` type-check with `tsc --noEmit` under
 *             module/moduleResolution node16 and nodenext, plus bundler.
 *
 * Prints one line per package/subpath and exits 1 on any failure.
 * Usage: node scripts/release-check.mjs   (expects `dist/` to be built)
 * Set KEEP_SCRATCH=1 to keep the scratch directory for debugging.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
// The repo's own TypeScript (pinned in the root devDependencies), run by absolute path.
const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');

/** Non-private packages under packages/*, as { dir, pkg }. */
function publicPackages() {
  const base = join(root, 'packages');
  return readdirSync(base, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(base, d.name, 'package.json')))
    .map((d) => ({ dir: join(base, d.name), pkg: JSON.parse(readFileSync(join(base, d.name, 'package.json'), 'utf8')) }))
    .filter(({ pkg }) => !pkg.private);
}

/** Import specifiers to check for a package: the name plus every exported subpath. */
function specifiers(pkg) {
  const { exports } = pkg;
  const keys = exports && typeof exports === 'object' && !Array.isArray(exports) ? Object.keys(exports) : [];
  if (!keys.some((k) => k.startsWith('.'))) return [pkg.name]; // no exports, or conditions only
  return keys
    .filter((k) => k !== './package.json' && !k.includes('*'))
    .map((k) => (k === '.' ? pkg.name : pkg.name + k.slice(1)));
}

/** Run a command in the scratch project; returns '' on success or its output on failure. */
function run(cwd, cmd, args) {
  const res = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  return res.status === 0 ? '' : `${res.stdout}${res.stderr}`.trim() || `exit ${res.status}`;
}

const started = Date.now();
const packages = publicPackages();
if (packages.length === 0) {
  console.error('release-check: no public packages found under packages/*');
  process.exit(1);
}

const scratch = mkdtempSync(join(tmpdir(), 'release-check-'));
const tarballs = join(scratch, 'tarballs');
const project = join(scratch, 'project');
mkdirSync(tarballs);
mkdirSync(project);
let failed = 0;

try {
  for (const { dir } of packages) {
    execFileSync('pnpm', ['pack', '--pack-destination', tarballs], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const tgz = readdirSync(tarballs).filter((f) => f.endsWith('.tgz')).map((f) => join(tarballs, f));
  console.log(`packed ${tgz.length} package(s); installing into ${project}`);

  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'release-check-scratch', private: true }, null, 2));
  // A consumer has the types of the platform it targets: Node's (20, as `engines` says) and, for
  // @optin/react, React's.
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', '@types/node@^20', '@types/react@^19', ...tgz], {
    cwd: project,
    stdio: ['ignore', 'ignore', 'inherit'],
  });

  // Runtime: ESM import and CJS require, each in a fresh node process.
  /** @type {{ spec: string, names: string[], problems: string[] }[]} */
  const entries = [];
  for (const { pkg } of packages) {
    for (const spec of specifiers(pkg)) {
      const s = JSON.stringify(spec);
      const problems = [];
      const esm = spawnSync(
        process.execPath,
        ['--input-type=module', '-e', `const m = await import(${s}); console.log(JSON.stringify(Object.keys(m)));`],
        { cwd: project, encoding: 'utf8' },
      );
      const names = esm.status === 0 ? JSON.parse(esm.stdout) : [];
      if (esm.status !== 0) problems.push(`esm: import failed\n${esm.stderr.trim()}`);
      else if (names.length === 0) problems.push('esm: no exports');
      const cjs = run(project, process.execPath, [
        '-e',
        `const m = require(${s}); if (!m || Object.keys(m).length === 0) throw new Error('no exports');`,
      ]);
      if (cjs) problems.push(`cjs: require failed\n${cjs}`);
      entries.push({ spec, names, problems });
    }
  }

  // Types: a checkN.mts and a checkN.cts per specifier, each reading every runtime
  // export through the typed namespace, so a missing/untyped export is a tsc error.
  const files = entries.flatMap(({ spec, names }, i) =>
    ['mts', 'cts'].map((ext) => {
      const props = names.filter((n) => /^[A-Za-z_$][\w$]*$/.test(n)).map((n) => `m.${n}`);
      const file = `check${i}.${ext}`;
      writeFileSync(
        join(project, file),
        `import * as m from ${JSON.stringify(spec)};\nexport const used: unknown[] = [${props.join(', ')}];\n`,
      );
      return file;
    }),
  );
  const common = { strict: true, noEmit: true, skipLibCheck: false, target: 'ES2022', lib: ['ES2022', 'DOM'], types: ['node'] };
  const configs = {
    node16: { module: 'node16', moduleResolution: 'node16' },
    nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
    bundler: { module: 'preserve', moduleResolution: 'bundler' },
  };
  for (const [label, opts] of Object.entries(configs)) {
    const config = `tsconfig.${label}.json`;
    writeFileSync(join(project, config), JSON.stringify({ compilerOptions: { ...common, ...opts }, files }, null, 2));
    const out = run(project, process.execPath, [tsc, '-p', config]);
    if (!out) continue;
    // Attribute each diagnostic to its entry point; one in our own .d.ts files to all. Diagnostics
    // inside third-party typings (node_modules/<not ours>) are theirs, not our packages'.
    const errors = out.split(/\n(?=\S)/).filter((e) => !/^node_modules\/(?!@optin\/)/.test(e));
    entries.forEach((entry, i) => {
      const own = errors.filter((e) => e.startsWith(`check${i}.`) || !/^check\d+\./.test(e));
      if (own.length) entry.problems.push(`types (${label}):\n${own.join('\n')}`);
    });
  }

  for (const { spec, names, problems } of entries) {
    if (problems.length) failed++;
    const what = `esm, cjs, types ${Object.keys(configs).join('/')} (.mts+.cts)`;
    console.log(`${problems.length ? 'FAIL' : 'ok  '} ${spec}  ${names.length} exports  ${what}`);
    for (const p of problems) console.log(`    ${p.replace(/\n/g, '\n    ')}`);
  }
} catch (err) {
  failed++;
  console.error(`FAIL ${err instanceof Error ? err.message : String(err)}`);
} finally {
  if (process.env.KEEP_SCRATCH) console.log(`scratch kept at ${scratch}`);
  else rmSync(scratch, { recursive: true, force: true });
}

console.log(`release-check ${failed ? 'FAILED' : 'passed'} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
process.exit(failed ? 1 : 0);
