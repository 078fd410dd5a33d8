import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStorage } from '../src/postgres-storage.js';
import { SqliteStorage } from '../src/sqlite-storage.js';
import type { Storage } from '../src/storage.js';
import { dropSchema, postgresAvailable, postgresUrl, receipt } from './helpers.js';

const minute = 60_000;

/** Two workers' storages on one database, and how to throw the database away. */
interface Workers {
  readonly workers: [Storage, Storage];
  dispose(): Promise<void>;
}

/**
 * Two collector workers (`OPTIN_WORKERS=2`) on one database: two storages, each with connections of
 * its own, to one SQLite file or one PostgreSQL schema.
 */
const databases = [
  {
    name: 'sqlite',
    skip: false,
    open: (): Workers => {
      const dir = mkdtempSync(join(tmpdir(), 'optin-workers-'));
      const file = join(dir, 'optin.db');
      const workers: [Storage, Storage] = [new SqliteStorage(file), new SqliteStorage(file)];
      return {
        workers,
        async dispose() {
          await Promise.all(workers.map((w) => w.close()));
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    skip: !postgresAvailable,
    open: (): Workers => {
      const schema = `optin_w_${process.pid}_${randomBytes(4).toString('hex')}`;
      const worker = () => new PostgresStorage({ connectionString: postgresUrl, schema, max: 4 });
      const workers: [Storage, Storage] = [worker(), worker()];
      return {
        workers,
        async dispose() {
          await Promise.all(workers.map((w) => w.close()));
          await dropSchema(schema);
        },
      };
    },
  },
];

describe.each(databases)('receipts of one consent id on two workers ($name)', ({ skip, open }) => {
  let db: Workers | undefined;
  beforeAll(async () => {
    if (skip) return;
    db = open();
    for (const w of db.workers) await w.migrate();
  });
  afterAll(async () => {
    await db?.dispose();
  });

  it.skipIf(skip)(
    'keeps the device order when a grant and the refusal after it reach two workers at once (sendReceipts posts both together)',
    async () => {
      const [one, two] = db!.workers;
      // A clock 10 minutes fast: both are dated by their arrival, the same instant, and only their
      // device order says which came last.
      for (let n = 0; n < 40; n++) {
        const learner = `learner-workers-${n}`;
        const sent = Date.now() + 10 * minute;
        const sentAt = new Date(sent).toISOString();
        const grant = { ...receipt(learner, true), decidedAt: sentAt };
        const refusal = {
          ...receipt(learner, false),
          consentId: grant.consentId,
          decidedAt: new Date(sent + 1).toISOString(),
        };
        const receivedAt = new Date().toISOString();
        // Each worker takes one; which starts first varies.
        const [first, second] = n % 2 ? [one, two] : [two, one];
        await Promise.all([
          first.appendReceipt(n % 4 < 2 ? refusal : grant, receivedAt, undefined, sentAt),
          second.appendReceipt(n % 4 < 2 ? grant : refusal, receivedAt, undefined, sentAt),
        ]);
        for (const w of [one, two])
          expect((await w.latestReceipt(learner))?.purposes, learner).toMatchObject({ analytics: false });
      }
    },
  );
});
