/**
 * Make sure a Chromium binary is available for the browser tests (`pnpm ci` step 1).
 *
 * - If `$CHROMIUM_PATH` or /usr/bin/chromium exists: print its version, exit 0.
 * - Else, when running as root (CI containers): `apt-get update` and
 *   `apt-get install -y chromium`, then print the version.
 * - Else: explain how to install it and exit 1.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium'].filter(Boolean);
const found = () => candidates.find((p) => existsSync(p));

/** Print `<path>: <version>` and exit 0. */
function report(path) {
  const version = execFileSync(path, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  console.log(`chromium: ${path}: ${version}`);
  process.exit(0);
}

let path = found();
if (path) report(path);

if (process.env.CHROMIUM_PATH) console.warn(`chromium: CHROMIUM_PATH=${process.env.CHROMIUM_PATH} does not exist`);

if (process.getuid?.() === 0) {
  console.log('chromium: not found; installing with apt-get (running as root)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', 'chromium'], { stdio: 'inherit', env });
  path = found();
  if (path) report(path);
}

console.error(
  [
    'chromium: no Chromium found (looked at $CHROMIUM_PATH and /usr/bin/chromium).',
    'Install it, then re-run:',
    '  Debian/Ubuntu:  sudo apt-get update && sudo apt-get install -y chromium',
    '  elsewhere:      install Chromium/Chrome and export CHROMIUM_PATH=/path/to/chromium',
  ].join('\n'),
);
process.exit(1);
