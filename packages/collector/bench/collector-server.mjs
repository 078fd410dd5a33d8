// The collector as it runs in production: SQLite (WAL), full enrichment with the offline geo/ASN
// databases, consent enforcement, dedupe by messageId. Built from dist/ (run the build first).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { edxPolicy } from '@optin/consent';
import { createCollector, loadDbIpGeo, SqliteStorage } from '../dist/index.js';

const dir = mkdtempSync(join(tmpdir(), 'optin-bench-'));
const collector = await createCollector({
  config: { policy: edxPolicy, members: [{ id: 'HarvardX', orgs: ['HarvardX'] }] },
  storage: new SqliteStorage(join(dir, 'optin.db')),
  geo: loadDbIpGeo(),
  trustedProxies: ['loopback'],
});
const url = await collector.listen(0, '127.0.0.1');
process.stdout.write(`ready ${url}\n`);
// CPU time used by this process (all threads), so the bench can report cost per event even when
// other work shares the machine.
process.on('message', () => process.send?.(process.cpuUsage()));
// The database (about 1 GB after a run) goes with the server.
process.on(
  'SIGTERM',
  () =>
    void collector.close().then(() => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    }),
);
