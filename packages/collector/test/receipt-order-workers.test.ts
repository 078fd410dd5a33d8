import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStorage } from '../src/postgres-storage.js';
import { SqliteStorage } from '../src/sqlite-storage.js';
import type { Storage } from '../src/storage.js';
import { dropSchema, postgresAvailable, postgresDefaulting, postgresUrl, receipt } from './helpers.js';
import type { WorkerOrder, WorkerStart } from './receipt-worker-process.js';

const minute = 60_000;

/** Two workers' storages on one database, and how to throw the database away. */
interface Workers {
  readonly workers: [Storage, Storage];
  dispose(): Promise<void>;
}

/**
 * Two collector workers (`OPTIN_WORKERS=2`) on one PostgreSQL database: two storages, each with
 * connections of its own, to one schema (SQLite's are two processes: see the end of this file).
 */
const databases = [
  {
    name: 'postgres',
    skip: !postgresAvailable,
    open: (): Workers | Promise<Workers> => {
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
  // The lock is taken by the transaction's first statement: under a database default of REPEATABLE
  // READ a snapshot taken before it would miss the other worker's receipt, and under SERIALIZABLE
  // the second would fail (40001) rather than wait.
  {
    name: 'postgres, database default REPEATABLE READ',
    skip: !postgresAvailable,
    open: async (): Promise<Workers> => {
      const db = await postgresDefaulting('repeatable read');
      return { workers: db.storages, dispose: () => db.dispose() };
    },
  },
  {
    name: 'postgres, database default SERIALIZABLE',
    skip: !postgresAvailable,
    open: async (): Promise<Workers> => {
      const db = await postgresDefaulting('serializable');
      return { workers: db.storages, dispose: () => db.dispose() };
    },
  },
];

/** A grant and the refusal the device made a millisecond after it, from a clock 10 minutes fast. */
function grantThenRefusal(learner: string) {
  const sent = Date.now() + 10 * minute;
  const sentAt = new Date(sent).toISOString();
  const grant = { ...receipt(learner, true), decidedAt: sentAt };
  const refusal = {
    ...receipt(learner, false),
    consentId: grant.consentId,
    decidedAt: new Date(sent + 1).toISOString(),
  };
  return { grant, refusal, sentAt };
}

describe.each(databases)('receipts of one consent id on two workers ($name)', ({ skip, open }) => {
  let db: Workers | undefined;
  beforeAll(async () => {
    if (skip) return;
    db = await open();
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
        const { grant, refusal, sentAt } = grantThenRefusal(learner);
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

describe('receipts of one consent id on two worker processes (sqlite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'optin-workers-'));
  const file = join(dir, 'optin.db');
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) child.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the device order when the grant and the refusal reach two processes at once, each with its own connection', async () => {
    // The lock that matters is SQLite's own (BEGIN IMMEDIATE), between processes: in one process
    // the appends never interleave (better-sqlite3 runs each transaction whole), so the workers are
    // forked, each opening the file itself, and start their appends at one instant.
    const worker = join(
      import.meta.dirname,
      '..',
      'node_modules',
      '.cache',
      'optin-collector-test',
      'receipt-worker.mjs',
    );
    await build({
      entryPoints: [join(import.meta.dirname, 'receipt-worker-process.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      outfile: worker,
      logLevel: 'warning',
    });
    const storage = new SqliteStorage(file);
    await storage.migrate();
    const learners = Array.from({ length: 200 }, (_, n) => `learner-processes-${n}`);
    const orders: [WorkerOrder['receipts'][number][], WorkerOrder['receipts'][number][]] = [[], []];
    for (const [n, learner] of learners.entries()) {
      const { grant, refusal, sentAt } = grantThenRefusal(learner);
      const receivedAt = new Date().toISOString();
      // Each process takes one; which takes the refusal varies.
      const [one, two] = n % 2 ? [grant, refusal] : [refusal, grant];
      orders[0].push({ receipt: one, receivedAt, sentAt });
      orders[1].push({ receipt: two, receivedAt, sentAt });
    }
    const results = orders.map(async (receipts) => {
      const child = fork(worker, { stdio: 'inherit' });
      children.push(child);
      const ready = new Promise((resolve) => child.once('message', resolve));
      child.send({ file, receipts } satisfies WorkerOrder);
      await ready;
      return child;
    });
    const started = await Promise.all(results);
    const done = started.map(
      (child) =>
        new Promise<{ errors: string[] }>((resolve, reject) => {
          child.once('message', (answer) => resolve(answer as { errors: string[] }));
          child.once('exit', (code) => reject(new Error(`worker exited (${code}) without answering`)));
        }),
    );
    const startAt = Date.now() + 200;
    for (const child of started) child.send({ startAt } satisfies WorkerStart);
    const answers = await Promise.all(done);
    expect(answers.flatMap((a) => a.errors)).toEqual([]);
    const wrong = [];
    for (const learner of learners)
      if ((await storage.latestReceipt(learner))?.purposes.analytics !== false) wrong.push(learner);
    await storage.close();
    expect(wrong).toEqual([]);
  }, 60_000);
});
