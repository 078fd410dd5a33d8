// `pnpm --filter @optin/demo run audit`: `optin audit` on the demo running on PORT (as `pnpm demo`
// reads it), against optin.config.mjs with the collector on the next port (or OPTIN_DEMO_COLLECTOR).
// Options given to the script (`run audit --wait 500`) are given to each audit.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoPortOrExit } from './demo-port.js';

const port = demoPortOrExit();
// PORT=0 starts the demo on free ports, which it prints: there is no knowing them here.
if (port === 0) {
  console.error('PORT=0 starts the demo on ports it picks: audit with PORT set to the site port it printed.');
  process.exit(2);
}
const site = `http://www.edx.localhost:${String(port)}`;
const optin = join(dirname(createRequire(import.meta.url).resolve('@optin/cli/package.json')), 'dist/cli.js');
const env = {
  ...process.env,
  OPTIN_DEMO_COLLECTOR: process.env.OPTIN_DEMO_COLLECTOR ?? `http://collector.edx.localhost:${String(port + 1)}`,
};
const runs = [
  [`${site}/`],
  [`${site}/email`],
  [`${site}/learning/course/course-v1:HarvardX+CS50+2026_T1/home`, '--consent', 'all'],
];
// As `&&` would: the first audit that finds something (or fails) ends the run, with its exit code.
for (const args of runs) {
  const { status } = spawnSync(process.execPath, [optin, 'audit', ...args, ...process.argv.slice(2)], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env,
    stdio: 'inherit',
  });
  if (status !== 0) process.exit(status ?? 1);
}
