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
// Inserts rows[from] to rows[from + size - 1]: how many were new.
const insertRows = (rows, from, size) => {
  let n = 0;
  for (let i = from; i < from + size; i++) n += insert.run(rows[i]).changes;
  return n;
};
// run(rows, from, size) for each caller of each group (a run of sizes[j] rows), as groups of results.
const eachCaller = (groups, run) => groups.map(({ rows, sizes }) => {
  let from = 0;
  return sizes.map((size) => {
    const result = run(rows, from, size);
    from += size;
    return result;
  });
});
const write = db.transaction((groups) => eachCaller(groups, insertRows));
const writeOne = db.transaction(insertRows);
const messageOf = (error) => String((error && error.message) || error);
// Failures of the database file or its lock rather than of a row: writing caller by caller would only
// fail each again (after its own busy timeout).
const databaseFailure = (error) =>
  /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CORRUPT|NOTADB|READONLY|CANTOPEN|NOMEM|INTERRUPT|PERM|AUTH)/.test(String(error && error.code));
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
      // One caller's rows must not fail the others': with several callers, each is written in a
      // transaction of its own, and one whose own transaction fails gets its error for a count.
      if ((groups.length === 1 && groups[0].sizes.length === 1) || databaseFailure(error))
        port.postMessage({ ids, error: messageOf(error) });
      else
        port.postMessage({
          ids,
          counts: eachCaller(groups, (rows, from, size) => {
            try {
              return writeOne(rows, from, size);
            } catch (own) {
              return messageOf(own);
            }
          }),
        });
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
  /** Per group, per caller: how many rows were new, or why the caller's own transaction failed. */
  readonly counts?: readonly (readonly (number | string)[])[];
  readonly error?: string;
}

interface Waiting {
  resolve(counts: (number | Error)[]): void;
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
        if (reply.counts)
          waiting?.resolve((reply.counts[i] ?? []).map((c) => (typeof c === 'number' ? c : new Error(c))));
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
   * the commit. When that transaction fails and holds several callers, each is written again in
   * one of its own: a caller whose own transaction fails then gets an `Error` for its count.
   */
  write(rows: readonly (readonly unknown[])[], sizes: readonly number[]): Promise<(number | Error)[]> {
    if (this.closing) return Promise.reject(new Error('the SQLite writer is closed'));
    const thread = (this.thread ??= this.start());
    const id = this.nextId++;
    return new Promise<(number | Error)[]>((resolve, reject) => {
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
