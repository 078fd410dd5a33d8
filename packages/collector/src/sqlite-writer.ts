import { createRequire } from 'node:module';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';

// Evaluated as a string so that it runs the same from source (tests) and from the bundle;
// better-sqlite3 is resolved by the main thread and passed in. Node runs the string as CommonJS or,
// when the process was started on an ES module string (`--input-type=module`), as an ES module:
// `process.getBuiltinModule` works in both, `require` only in the first. Each message is one caller group;
// every group queued when a transaction ends is written together in the next one, straight away,
// so the thread never waits for the main thread while groups are waiting for it.
const source = `
const { workerData, receiveMessageOnPort } = process.getBuiltinModule('node:worker_threads');
const Database = process.getBuiltinModule('node:module').createRequire(workerData.driver)(workerData.driver);
const port = workerData.port;
const db = new Database(workerData.file);
db.pragma('synchronous = ' + workerData.synchronous);
db.pragma('busy_timeout = 5000');
db.pragma('wal_autocheckpoint = ' + workerData.walCheckpointPages);
const insert = db.prepare(workerData.sql);
const write = db.transaction((groups) => groups.map(({ rows, sizes }) => {
  const counts = [];
  let i = 0;
  for (const size of sizes) {
    let n = 0;
    for (const end = i + size; i < end; i++) n += insert.run(rows[i]).changes;
    counts.push(n);
  }
  return counts;
}));
let closing = false;
// Adds every group already queued (up to a close request) to groups.
const drain = (groups) => {
  for (let next; !closing && (next = receiveMessageOnPort(port)); )
    if (next.message === 'close') closing = true;
    else groups.push(next.message);
  return groups;
};
port.on('message', (first) => {
  closing = first === 'close';
  for (let groups = drain(closing ? [] : [first]); groups.length; groups = drain([])) {
    const ids = groups.map((group) => group.id);
    try {
      port.postMessage({ ids, counts: write(groups) });
    } catch (error) {
      port.postMessage({ ids, error: String((error && error.message) || error) });
    }
  }
  if (closing) {
    db.close();
    port.close();
  }
});
`;

interface Reply {
  readonly ids: readonly number[];
  readonly counts?: readonly number[][];
  readonly error?: string;
}

interface Waiting {
  resolve(counts: number[]): void;
  reject(error: Error): void;
}

/** A started writer thread, its port, and the writes handed to it not yet answered. */
interface WriterThread {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly waiting: Map<number, Waiting>;
  readonly exited: Promise<void>;
}

/** Options of {@link SqliteWriter}. */
export interface SqliteWriterOptions {
  /** The database file (already migrated, in WAL mode). */
  readonly file: string;
  /** `NORMAL` or `FULL`, as on the main connection. */
  readonly synchronous: 'NORMAL' | 'FULL';
  /** The one-row `INSERT` each row is run with. */
  readonly sql: string;
  /** Log size (pages) past which this connection checkpoints by itself. */
  readonly walCheckpointPages: number;
}

/**
 * Runs event inserts on a thread of their own with its own connection, so that the request path
 * (parsing, validation, enrichment) keeps its core while SQLite writes on the other. Callers hand
 * over groups of rows at any time; the thread writes every group waiting for it in one transaction
 * (group commit) and starts the next one as soon as a commit ends, so it never idles while the
 * main thread prepares the next groups. Each {@link SqliteWriter.write} resolves once its
 * transaction has committed. If the thread dies, the writes in flight fail and the next write
 * starts a new thread.
 */
export class SqliteWriter {
  private thread: WriterThread | undefined;
  /** Called once nothing is in flight. */
  private whenIdle: (() => void)[] = [];
  private nextId = 0;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: SqliteWriterOptions) {}

  private start(): WriterThread {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const { port1: port, port2 } = new MessageChannel();
    const worker = new Worker(source, {
      eval: true,
      workerData: { driver, port: port2, ...this.options },
      transferList: [port2],
    });
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    const started: WriterThread = { worker, port, waiting: new Map(), exited };
    worker.unref(); // referenced only while writes are in flight
    port.unref();
    port.on('message', (reply: Reply) => {
      reply.ids.forEach((id, i) => {
        const waiting = started.waiting.get(id);
        started.waiting.delete(id);
        if (reply.counts) waiting?.resolve(reply.counts[i] ?? []);
        else waiting?.reject(new Error(reply.error ?? 'the SQLite writer failed'));
      });
      this.settled(started);
    });
    // A dying thread reports an error, then its exit: its own writes fail once, and none handed to
    // the thread started after it.
    let failed = false;
    const fail = (error: Error): void => {
      if (failed) return;
      failed = true;
      if (this.thread === started) this.thread = undefined;
      port.close();
      const waiting = [...started.waiting.values()];
      started.waiting.clear();
      for (const w of waiting) w.reject(error);
      this.settled(started);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the SQLite writer thread exited (${code})`)));
    return started;
  }

  /** After replies or a failure on `thread`: lets the process exit, and wakes `close` once all is done. */
  private settled(thread: WriterThread): void {
    if (thread.waiting.size) return;
    thread.port.unref();
    if (this.thread?.waiting.size) return;
    const callbacks = this.whenIdle;
    this.whenIdle = [];
    for (const callback of callbacks) callback();
  }

  /**
   * Inserts `rows` (values in column order) in the next transaction the thread starts; `sizes`
   * splits them into the callers' groups. Resolves to how many rows of each group were new, after
   * the commit.
   */
  write(rows: readonly (readonly unknown[])[], sizes: readonly number[]): Promise<number[]> {
    if (this.closing) return Promise.reject(new Error('the SQLite writer is closed'));
    const thread = (this.thread ??= this.start());
    const id = this.nextId++;
    return new Promise<number[]>((resolve, reject) => {
      thread.port.postMessage({ id, rows, sizes }); // throws (nothing handed over) on a value it cannot copy
      thread.waiting.set(id, { resolve, reject });
      thread.port.ref();
    });
  }

  /** Closes the thread's connection and stops it, after the writes in flight. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const thread = this.thread;
      if (!thread) return;
      // Every reply is read before the thread goes, so that no committed write is reported failed.
      if (thread.waiting.size) await new Promise<void>((resolve) => this.whenIdle.push(resolve));
      thread.worker.ref();
      thread.port.postMessage('close');
      await thread.exited;
    })();
    return this.closing;
  }
}
