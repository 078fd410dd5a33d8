// The collector as it runs in production: SQLite (WAL) — or PostgreSQL with
// `BENCH_DB=postgres://…` (a schema of its own, dropped after) — full enrichment with the offline
// geo/ASN databases, consent enforcement, retry dedupe. Built from dist/ (run the build first).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { edxPolicy } from '@optin/consent';
import { createCollector, loadDbIpGeo, PostgresStorage, SqliteStorage } from '../dist/index.js';

const dir = mkdtempSync(join(tmpdir(), 'optin-bench-'));
const postgres = process.env.BENCH_DB?.startsWith('postgres')
  ? new PostgresStorage({ connectionString: process.env.BENCH_DB, schema: `optin_bench_${process.pid}` })
  : undefined;
const collector = await createCollector({
  config: { policy: edxPolicy, members: [{ id: 'HarvardX', orgs: ['HarvardX'] }] },
  storage: postgres ?? new SqliteStorage(join(dir, 'optin.db')),
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
    void collector
      .close()
      .then(async () => {
        rmSync(dir, { recursive: true, force: true });
        if (!postgres) return;
        const dropper = new PostgresStorage({
          connectionString: process.env.BENCH_DB,
          schema: `optin_bench_${process.pid}`,
        });
        await dropper.dropSchema();
        await dropper.close();
      })
      .then(() => process.exit(0)),
);
