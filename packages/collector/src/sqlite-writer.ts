import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// Evaluated as a string so that it runs the same from source (tests) and from the bundle;
// better-sqlite3 is resolved by the main thread and passed in. One message is one transaction.
const source = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('synchronous = ' + workerData.synchronous);
db.pragma('busy_timeout = 5000');
db.pragma('wal_autocheckpoint = 50000');
const insert = db.prepare(workerData.sql);
const write = db.transaction((rows, sizes) => {
  const counts = [];
  let i = 0;
  for (const size of sizes) {
    let n = 0;
    for (const end = i + size; i < end; i++) n += insert.run(rows[i]).changes;
    counts.push(n);
  }
  return counts;
});
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    parentPort.postMessage({ counts: write(message.rows, message.sizes) });
  } catch (error) {
    parentPort.postMessage({ error: String((error && error.message) || error) });
  }
});
`;

interface Reply {
  readonly counts?: number[];
  readonly error?: string;
}

/** Options of {@link SqliteWriter}. */
export interface SqliteWriterOptions {
  /** The database file (already migrated, in WAL mode). */
  readonly file: string;
  /** `NORMAL` or `FULL`, as on the main connection. */
  readonly synchronous: 'NORMAL' | 'FULL';
  /** The one-row `INSERT` each row is run with. */
  readonly sql: string;
}

/**
 * Runs event inserts on a thread of their own with its own connection, so that the request path
 * (parsing, validation, enrichment) keeps its core while SQLite writes on the other. Each
 * {@link SqliteWriter.write} is one transaction, and resolves once it has committed; one runs at a
 * time (the caller groups what arrives meanwhile into the next). If the thread dies, the write in
 * flight fails and the next write starts a new thread.
 */
export class SqliteWriter {
  private worker: Worker | undefined;
  private inFlight: { resolve(counts: number[]): void; reject(error: Error): void } | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: SqliteWriterOptions) {}

  private start(): Worker {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(source, { eval: true, workerData: { driver, ...this.options } });
    worker.unref(); // referenced only while a write is in flight
    worker.on('message', (reply: Reply) => {
      const waiting = this.inFlight;
      this.inFlight = undefined;
      worker.unref();
      if (reply.counts) waiting?.resolve(reply.counts);
      else waiting?.reject(new Error(reply.error ?? 'the SQLite writer failed'));
    });
    const fail = (error: Error): void => {
      if (this.worker === worker) this.worker = undefined;
      const waiting = this.inFlight;
      this.inFlight = undefined;
      waiting?.reject(error);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the SQLite writer thread exited (${code})`)));
    return worker;
  }

  /**
   * Inserts `rows` (values in column order) in one transaction; `sizes` splits them into the
   * callers' groups. Resolves to how many rows of each group were new, after the commit.
   */
  write(rows: readonly (readonly unknown[])[], sizes: readonly number[]): Promise<number[]> {
    if (this.closing) return Promise.reject(new Error('the SQLite writer is closed'));
    if (this.inFlight) return Promise.reject(new Error('one SQLite write at a time'));
    this.worker ??= this.start();
    const worker = this.worker;
    return new Promise<number[]>((resolve, reject) => {
      this.inFlight = { resolve, reject };
      worker.ref();
      worker.postMessage({ rows, sizes });
    });
  }

  /** Closes the thread's connection and stops it (after the write in flight, if any). */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      const worker = this.worker;
      if (!worker) return resolve();
      worker.once('exit', () => resolve());
      worker.ref();
      worker.postMessage('close');
    });
    return this.closing;
  }
}
