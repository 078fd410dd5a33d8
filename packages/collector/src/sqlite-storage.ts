import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { CollectorError } from './errors.js';
import { eventColumnNames, retryKey } from './migrations.js';
import { SqliteCheckpointer, walCheckpointPages } from './sqlite-checkpointer.js';
import { SqliteWriter } from './sqlite-writer.js';
import { SqlStorage, storableEventValues, type Row, type SqlSteps } from './sql-storage.js';
import type { StoredEvent } from './stored-event.js';

interface Pending {
  readonly events: readonly StoredEvent[];
  resolve(inserted: number): void;
  reject(error: unknown): void;
}

function storageFailed(cause: unknown): CollectorError {
  return new CollectorError(
    'storage_failed',
    [{ path: 'events', message: 'the SQLite transaction failed' }],
    'Check disk space and the database file.',
    { cause },
  );
}

/** Options of {@link SqliteStorage}. */
export interface SqliteOptions {
  /** `normal` (default: durable across process crashes) or `full` (also across power loss). */
  readonly synchronous?: 'normal' | 'full' | undefined;
}

const insertSql = `INSERT INTO events (${eventColumnNames.join(', ')}) VALUES (${eventColumnNames.map(() => '?').join(', ')}) ON CONFLICT (${retryKey}) DO NOTHING`;
const toInteger = (b: boolean): number => (b ? 1 : 0);

/** The SQL function this connection lowers text with, as `toLowerCase` does. */
const lowerFunction = 'optin_lower';

/** The error a caller gets: a refusal of its events as it is, anything else as `storage_failed`. */
function writeFailed(cause: unknown): CollectorError {
  return cause instanceof CollectorError && cause.code === 'unstorable_text' ? cause : storageFailed(cause);
}

/** The rows of a caller's events, or `undefined` once the caller has been failed (e.g. `unstorable_text`). */
function rowsOf(p: Pending): unknown[][] | undefined {
  try {
    return storableEventValues(p.events, toInteger);
  } catch (cause) {
    p.reject(writeFailed(cause));
    return undefined;
  }
}

/**
 * SQLite storage (better-sqlite3, WAL). Writes from concurrent requests are grouped into one
 * transaction (group commit): those of one event-loop turn, and those that arrive while the
 * previous transaction commits. Each caller's promise resolves only after the transaction holding
 * its events has committed, so a 2xx always means the events are in the database file. Event
 * inserts of a database file run on a writer thread (`SqliteWriter`), so that they do not hold up
 * the requests being parsed meanwhile. With `synchronous=NORMAL` in WAL mode a committed
 * transaction survives a process crash (SIGKILL); a power loss may lose the last ones (set
 * `synchronous: 'full'` to rule that out too). As on PostgreSQL, a caller's events holding a string
 * no backend stores are refused (`unstorable_text`), and a shared transaction that fails is written
 * again caller by caller, so that only the callers whose own rows fail are failed.
 */
export class SqliteStorage extends SqlStorage {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;
  private pending: Pending[] = [];
  private scheduled = false;
  /** Groups handed to the writer thread and not yet committed (at most two: one written, one next). */
  private readonly handedOver = new Set<Promise<void>>();
  private insertStatement: Database.Statement | undefined;
  private readonly writer: SqliteWriter | undefined;
  private readonly checkpointer: SqliteCheckpointer | undefined;

  /** Opens (creating if needed) the database file; `:memory:` for a private in-memory one. */
  constructor(file: string, options: SqliteOptions = {}) {
    super();
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    try {
      this.db = new Database(file);
    } catch (cause) {
      throw new CollectorError(
        'storage_failed',
        [{ path: file, message: 'cannot open the SQLite database' }],
        'Check OPTIN_DB and that its folder is writable.',
        { cause },
      );
    }
    const synchronous = options.synchronous === 'full' ? 'FULL' : 'NORMAL';
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${synchronous}`);
    this.db.pragma('busy_timeout = 5000');
    // SQLite's own `lower` lowers ASCII letters only: queries lower text as the collector's code does.
    this.db.function(lowerFunction, { deterministic: true }, (text: unknown) =>
      typeof text === 'string' ? text.toLowerCase() : text,
    );
    if (file !== ':memory:') {
      // Checkpoints run on a background thread; this connection only past `walCheckpointPages`.
      this.db.pragma(`wal_autocheckpoint = ${walCheckpointPages}`);
      this.checkpointer = new SqliteCheckpointer(file);
      // Started with the first insert, once migrations have created the table.
      this.writer = new SqliteWriter({ file, synchronous, sql: insertSql, walCheckpointPages });
    }
  }

  protected bool(value: boolean): number {
    return value ? 1 : 0;
  }

  protected lower(sql: string): string {
    return `${lowerFunction}(${sql})`;
  }

  /** Runs a statement on this connection, now: its rows (none for a write). */
  private run(sql: string, params: readonly unknown[]): Row[] {
    const stmt = this.db.prepare(sql);
    if (stmt.reader) return stmt.all(...params) as Row[];
    stmt.run(...params);
    return [];
  }

  protected query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    try {
      return Promise.resolve(this.run(sql, params));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /**
   * One `BEGIN IMMEDIATE` transaction: it takes the database's write lock before its first read, so
   * that no other connection (another worker's, another process's) writes between its reads and its writes.
   * Run whole without leaving the thread, waiting up to `busy_timeout` for the lock: every key is one
   * lock here.
   */
  protected locked<T>(_key: string, steps: () => SqlSteps<T>): Promise<T> {
    try {
      const transaction = this.db.transaction(() => {
        const work = steps();
        let next = work.next();
        while (!next.done) next = work.next(this.run(next.value.sql, next.value.params));
        return next.value;
      });
      return Promise.resolve(transaction.immediate());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  protected exec(sql: string): Promise<void> {
    try {
      this.db.transaction(() => this.db.exec(sql))();
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  insertEvents(events: readonly StoredEvent[]): Promise<number> {
    if (events.length === 0) return Promise.resolve(0);
    return new Promise((resolve, reject) => {
      this.pending.push({ events, resolve, reject });
      this.schedule();
    });
  }

  /** Flushes at the end of this event-loop turn, so that every request read in it joins. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /**
   * Hands what is pending to the writer thread as the next transaction, while the one before it
   * commits: the thread starts it as soon as that commit ends. What arrives while both are out
   * waits, and joins the group handed over next.
   */
  private flush(): void {
    this.scheduled = false;
    if (this.writer && this.db.open && this.handedOver.size >= 2) return; // a commit ending schedules it
    const batch = this.pending;
    this.pending = [];
    if (!batch.length) return;
    if (!this.writer || !this.db.open) {
      this.writeHere(batch);
      return;
    }
    // A caller whose events cannot be written is failed alone; the others go on.
    const rows: unknown[][] = [];
    const sizes: number[] = [];
    const handed: Pending[] = [];
    for (const p of batch) {
      const own = rowsOf(p);
      if (!own) continue;
      handed.push(p);
      sizes.push(own.length);
      for (const row of own) rows.push(row);
    }
    if (!handed.length) return;
    const written = this.writer
      .write(rows, sizes)
      .then(
        (counts) =>
          handed.forEach((p, i) => {
            const count = counts[i];
            if (count instanceof Error) p.reject(storageFailed(count));
            else p.resolve(count ?? 0);
          }),
        (cause: unknown) => {
          const error = storageFailed(cause);
          for (const p of handed) p.reject(error);
        },
      )
      .then(() => {
        this.handedOver.delete(written);
        if (this.pending.length) this.schedule();
      });
    this.handedOver.add(written);
  }

  /**
   * The same transaction on this connection (in-memory databases, which another thread cannot
   * open), and the same answers: if it fails with several callers, each is written in its own.
   */
  private writeHere(batch: readonly Pending[]): void {
    const ready: { p: Pending; rows: unknown[][] }[] = [];
    for (const p of batch) {
      const rows = rowsOf(p);
      if (rows) ready.push({ p, rows });
    }
    if (!ready.length) return;
    let insert: (rows: readonly unknown[][]) => number;
    try {
      this.insertStatement ??= this.db.prepare(insertSql);
      const stmt = this.insertStatement;
      insert = (rows) => rows.reduce<number>((n, row) => n + stmt.run(row).changes, 0);
    } catch (cause) {
      for (const { p } of ready) p.reject(storageFailed(cause));
      return;
    }
    let counts: number[];
    try {
      counts = this.db.transaction(() => ready.map(({ rows }) => insert(rows)))();
    } catch (cause) {
      if (ready.length === 1) for (const { p } of ready) p.reject(storageFailed(cause));
      else
        for (const { p, rows } of ready) {
          try {
            p.resolve(this.db.transaction(() => insert(rows))());
          } catch (own) {
            p.reject(storageFailed(own));
          }
        }
      return;
    }
    ready.forEach(({ p }, i) => p.resolve(counts[i] ?? 0));
  }

  ping(): Promise<void> {
    return this.query('SELECT 1').then(() => undefined);
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    while (this.pending.length || this.handedOver.size) {
      this.flush();
      if (this.handedOver.size) await Promise.race(this.handedOver);
    }
    await this.writer?.close();
    await this.checkpointer?.close();
    this.db.close();
  }
}
