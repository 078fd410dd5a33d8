/**
 * Lint what would be published, before `changeset publish` runs.
 *
 * For every non-private workspace package under `packages/*`:
 *   1. `pnpm pack` it into a temp dir (so `files`, `workspace:` rewriting and
 *      the real tarball contents are what gets checked),
 *   2. run publint on the tarball (errors and warnings fail; suggestions are printed),
 *   3. run @arethetypeswrong/cli on the tarball with its `strict` profile
 *      (node10, node16 CJS, node16 ESM and bundler resolution: node10 is TypeScript's
 *      `moduleResolution: "node"`, which many webpack apps still use, so subpaths carry
 *      `typesVersions`).
 *
 * Prints one line per package and exits 1 if any package has a problem.
 * Usage: node scripts/check-packages.mjs   (expects `dist/` to be built)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const attwPkg = require.resolve('@arethetypeswrong/cli/package.json');
const attw = join(dirname(attwPkg), require(attwPkg).bin.attw);

/** Non-private packages under packages/*, as { dir, name }. */
function publicPackages() {
  const base = join(root, 'packages');
  return readdirSync(base, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(base, d.name, 'package.json')))
    .map((d) => ({
      dir: join(base, d.name),
      pkg: JSON.parse(readFileSync(join(base, d.name, 'package.json'), 'utf8')),
    }))
    .filter(({ pkg }) => !pkg.private)
    .map(({ dir, pkg }) => ({ dir, name: pkg.name }));
}

/** `pnpm pack` the package into `dest`; returns the tarball path. */
function pack(dir, dest) {
  execFileSync('pnpm', ['pack', '--pack-destination', dest], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  const tgz = readdirSync(dest).filter((f) => f.endsWith('.tgz'));
  if (tgz.length !== 1) throw new Error(`expected one tarball in ${dest}, found ${tgz.length}`);
  return join(dest, tgz[0]);
}

const packages = publicPackages();
if (packages.length === 0) {
  console.error('check-packages: no public packages found under packages/*');
  process.exit(1);
}

let failed = 0;
for (const { dir, name } of packages) {
  const tmp = mkdtempSync(join(tmpdir(), 'check-packages-'));
  /** @type {string[]} */
  const problems = [];
  /** @type {string[]} */
  const notes = [];
  try {
    const tarball = pack(dir, tmp);
    const bytes = readFileSync(tarball);

    const { messages, pkg } = await publint({
      pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) },
      level: 'suggestion',
    });
    for (const m of messages) {
      const line = `publint ${m.type}: ${formatMessage(m, pkg, { color: false }) ?? m.code}`;
      (m.type === 'suggestion' ? notes : problems).push(line);
    }

    // No ignored rules: dual ESM/CJS builds with .d.ts/.d.cts per condition (and typesVersions
    // for subpaths) pass every rule of the strict profile, so nothing needs silencing.
    const res = spawnSync(
      process.execPath,
      [attw, tarball, '--profile', 'strict', '--format', 'ascii', '--no-color', '--no-emoji'],
      {
        encoding: 'utf8',
      },
    );
    if (res.status !== 0) problems.push(`attw:\n${(res.stdout + res.stderr).trim()}`);
  } catch (err) {
    problems.push(`error: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  if (problems.length) failed++;
  const status = problems.length ? `FAIL (${problems.length} problem${problems.length > 1 ? 's' : ''})` : 'ok';
  console.log(`${problems.length ? '✗' : '✓'} ${name}: publint + attw(strict) ${status}`);
  for (const line of [...problems, ...notes]) console.log(`    ${line.replace(/\n/g, '\n    ')}`);
}

process.exit(failed ? 1 : 0);
