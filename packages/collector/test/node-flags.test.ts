import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { bundleSource } from './cli-bundle.js';
import { allGranted } from './helpers.js';

const packageDir = join(import.meta.dirname, '..');

// The SQLite writer and checkpointer threads run code given as a string. Node reads such code as an
// ES module when the process itself runs an ES module string (`node --input-type=module -e ...`,
// as in one-off scripts), and `require` does not exist there.
it('stores events when the process runs with --input-type=module', async () => {
  const bundle = await bundleSource('index');
  const dir = mkdtempSync(join(tmpdir(), 'optin-flags-'));
  const script = `
import { edxPolicy } from '@optin/consent';
import { createCollector, SqliteStorage } from ${JSON.stringify(bundle)};
const storage = new SqliteStorage(${JSON.stringify(join(dir, 'optin.db'))});
const collector = await createCollector({ config: { policy: edxPolicy, members: [] }, storage });
const url = await collector.listen(0, '127.0.0.1');
const res = await fetch(url + '/v1/track', {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ type: 'track', event: 'Signed Up', anonymousId: 'a', context: { consent: ${JSON.stringify(allGranted)} } }),
});
console.log(JSON.stringify({ status: res.status, body: await res.json(), stored: (await storage.counts()).events }));
await collector.close();`;
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      cwd: packageDir,
    });
    expect(JSON.parse(stdout)).toMatchObject({ status: 200, body: { accepted: 1 }, stored: 1 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
