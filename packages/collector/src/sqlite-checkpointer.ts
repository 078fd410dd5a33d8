import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// Evaluated as a string so that it runs the same from source (tests) and from the bundle;
// better-sqlite3 is resolved by the main thread and passed in. Node runs the string as CommonJS or,
// when the process was started on an ES module string (`--input-type=module`), as an ES module:
// `process.getBuiltinModule` works in both, `require` only in the first.
const source = `
const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
const Database = process.getBuiltinModule('node:module').createRequire(workerData.driver)(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
}, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

/**
 * Pages of write-ahead log (~400 MB at 4 KiB) past which a writing connection checkpoints by itself.
 * Under a steady stream of writes a background checkpoint never finds the log fully copied between
 * two transactions, so the log only starts over when the writer checkpoints, at this size: it then
 * copies only what the background thread (every 250 ms) has not yet. Timed around each of the event
 * writer's transactions at ~50,000 rows/s: with 50,000 pages and a background checkpoint every
 * second, 23% of its time went to such commits; with 100,000 pages and every 250 ms, 7% (its cost
 * per row fell from 17.3 to 16.0 µs). A log of a million pages slowed every read missing the cache.
 */
export const walCheckpointPages = 100_000;

/**
 * Copies the SQLite write-ahead log into the database file from a background thread, so that the
 * request path never pays for a checkpoint (the main connection's automatic checkpoint is raised to
 * a safety limit instead of being disabled). If the thread fails, the process gets a warning and
 * goes on: writers then checkpoint by themselves at that limit.
 */
export class SqliteCheckpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private closing: Promise<void> | undefined;

  constructor(file: string, intervalMs = 250) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(source, { eval: true, workerData: { driver, file, intervalMs } });
    this.worker.unref();
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.on('error', (error) =>
      process.emitWarning(`the SQLite checkpointer of ${file} stopped: ${error.message}`, 'OptinWarning'),
    );
  }

  /** Stops the thread and closes its connection (once, however often it is called). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.worker.ref(); // keep the process alive until the thread has closed its connection
      this.worker.postMessage('close');
      await this.exited;
    })();
    return this.closing;
  }
}
