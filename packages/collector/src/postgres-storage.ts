import pg from 'pg';
import { CollectorError } from './errors.js';
import { insertEventsSql, SqlStorage, storableEventValues, type Row, type SqlSteps } from './sql-storage.js';
import { databaseUnavailable } from './storage-failure.js';
import type { StoredEvent } from './stored-event.js';

/** Options of {@link PostgresStorage}. */
export interface PostgresOptions {
  /** `postgres://user@host:5432/db`. */
  readonly connectionString: string;
  /** A schema to use (created if missing), e.g. one per test run; default `public`. */
  readonly schema?: string | undefined;
  /** Pool size; default 10. */
  readonly max?: number | undefined;
  /** How long to wait for a new connection before failing the query (ms); default 10,000. */
  readonly connectionTimeoutMillis?: number | undefined;
  /**
   * How long a query may wait for the server's answer before it fails and its connection is
   * closed (ms); default 15,000. A network cut that leaves the socket open (no reset, no close)
   * would otherwise hold requests and `/healthz` forever. Migrations are not bound by it.
   */
  readonly queryTimeoutMillis?: number | undefined;
}

/** One caller of `insertEvents` waiting for its transaction: its events and their values. */
interface Pending {
  readonly events: readonly StoredEvent[];
  readonly rows: readonly unknown[][];
  resolve(inserted: number): void;
  reject(error: unknown): void;
}

/** An `Error` for `client.release(error)`, which destroys the connection. */
function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** `?` placeholders to PostgreSQL's `$1, $2, ...` (the shared queries use `?`, never inside strings). */
function numbered(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}

/**
 * PostgreSQL storage (node-postgres pool). Every write is one statement or transaction that has
 * committed before its promise resolves. Events are inserted with one multi-row
 * `INSERT ... ON CONFLICT (message_id) DO NOTHING`, so retries and loader
 * re-deliveries are idempotent.
 */
export class PostgresStorage extends SqlStorage {
  readonly kind = 'postgres';
  private readonly pool: pg.Pool;
  private readonly schema: string | undefined;

  constructor(options: PostgresOptions) {
    super();
    const schema = options.schema;
    if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
      throw new CollectorError(
        'invalid_option',
        [{ path: 'schema', message: `"${schema}" is not a plain lower-case identifier` }],
        'Use letters, digits and "_".',
      );
    this.schema = schema;
    this.connection = {
      connectionString: options.connectionString,
      // A server that does not answer (network down, host gone) fails the request after this, rather
      // than holding it (and /healthz) open.
      connectionTimeoutMillis: options.connectionTimeoutMillis ?? 10_000,
      // A peer gone without a word is found by the operating system (TCP keep-alive probes).
      keepAlive: true,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    };
    this.pool = new pg.Pool({
      ...this.connection,
      max: options.max ?? 10,
      // A connection that stops answering fails the query after this (and is destroyed on release).
      query_timeout: options.queryTimeoutMillis ?? 15_000,
    });
    // A connection the server drops (restart, failover, network) is an 'error' event, on the pool for
    // an idle client and on the client itself while it is checked out between two queries: without
    // a listener either ends the process. The pool drops the client, the queries that needed it
    // fail (requests get 503, /healthz 503) and the next query connects again.
    this.pool.on('error', (error) => this.connectionLost(error));
    this.pool.on('connect', (client) => {
      this.warned = false;
      client.on('error', (error) => this.connectionLost(error));
    });
  }

  /** How to connect, without the pool's settings. */
  private readonly connection: pg.ClientConfig;

  /** Whether a lost connection was reported since the last new connection (one warning an outage). */
  private warned = false;

  private connectionLost(error: Error): void {
    if (this.warned) return;
    this.warned = true;
    process.emitWarning(
      `a PostgreSQL connection was lost (${error.message}); requests needing the database get 503 until it answers again`,
      'OptinWarning',
    );
  }

  protected bool(value: boolean): boolean {
    return value;
  }

  // ICU's root locale ("und") maps case as JavaScript's toLowerCase does (V8 calls the same ICU
  // function): the database's own locale may not (`İ`, a final `Σ`), and "C" lowers ASCII only.
  protected lower(sql: string): string {
    return `lower(${sql} COLLATE "und-x-icu")`;
  }

  // "C" compares the UTF-8 bytes, as SQLite does: a database's own collation (en_US.UTF-8, ICU)
  // orders `/B` after `/a`.
  protected override byCodePoint(sql: string): string {
    return `${sql} COLLATE "C"`;
  }

  // Containment (`{"HarvardX":{"analytics":false}}`): on 200,000 receipts faster than extracting
  // each value (`->`) and comparing it.
  protected override jsonHolds(
    column: string,
    keys: readonly string[],
    value: boolean,
  ): { sql: string; params: unknown[] } {
    const held = keys.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
    return { sql: `${column} @> ?::jsonb`, params: [JSON.stringify(held)] };
  }

  protected override onlyKeys(column: string, keys: readonly string[]): { sql: string; params: unknown[] } {
    return { sql: `(${column} - ?::text[]) = '{}'::jsonb`, params: [[...keys]] };
  }

  protected override jsonEntries(json: string): string {
    return `jsonb_each(${json})`;
  }

  protected override jsonFalse(entry: string): string {
    return `${entry}.value = 'false'::jsonb`;
  }

  protected override readonly emptyJson = "'{}'::jsonb";

  protected override readonly fence = 'OFFSET 0';

  // Rows of transactions older than every one still running: their `seq` values precede those of any
  // transaction yet to commit, because writers take `seq` values in transaction order (insertEvents).
  protected override readonly settled = 'txid < pg_snapshot_xmin(pg_current_snapshot())';

  protected async query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    const result = await this.pool.query(numbered(sql), params as unknown[]);
    return result.rows as Row[];
  }

  /**
   * One transaction holding a transaction-scoped advisory lock on `key` (hashed to 64 bits) from its
   * start: the same key's transactions, from any collector or loader on the database, run one after
   * another (another key's rarely wait, on a hash collision). The lock ends with the transaction.
   * READ COMMITTED whatever the database's `default_transaction_isolation`: each statement after the
   * lock reads what the transaction before it committed (under REPEATABLE READ the snapshot would be
   * taken by the lock's statement, before the wait, and miss it; under SERIALIZABLE the second would
   * fail with 40001 instead of waiting).
   */
  protected async locked<T>(key: string, steps: () => SqlSteps<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 727003))', [key]);
      const work = steps();
      let next = work.next();
      while (!next.done)
        next = work.next((await client.query(numbered(next.value.sql), [...next.value.params])).rows as Row[]);
      await client.query('COMMIT');
      client.release();
      return next.value;
    } catch (error) {
      // Closed, not reused (it may be broken): closing it rolls its transaction back and frees the lock.
      client.release(asError(error));
      throw error;
    }
  }

  /**
   * Runs a migration in a transaction, on a connection of its own without the query timeout
   * (building an index over a large table takes longer).
   */
  protected async exec(sql: string): Promise<void> {
    const client = new pg.Client(this.connection);
    client.on('error', (error) => this.connectionLost(error));
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query(sql);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  override async migrate(): Promise<number> {
    // One migrator at a time across collectors and loaders sharing the database, from the schema's
    // creation on (concurrent `CREATE SCHEMA IF NOT EXISTS` of a new schema can fail on a duplicate key).
    const client = await this.pool.connect();
    let locked = false;
    let failure: Error | undefined;
    try {
      await client.query('SELECT pg_advisory_lock(727001)');
      locked = true;
      if (this.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await client.query(`SELECT ${this.lower("'A'")}`).catch((cause: unknown) => {
        throw new CollectorError(
          'unsupported_database',
          [
            {
              path: 'OPTIN_DB',
              message: 'this PostgreSQL has no ICU collation "und-x-icu" (text in any letter case is lowered with it)',
            },
          ],
          'Use a PostgreSQL built with ICU (the Debian, Ubuntu, Red Hat and official Docker builds are) and a UTF8 database.',
          { cause },
        );
      });
      return await super.migrate();
    } catch (error) {
      failure = asError(error);
      throw error;
    } finally {
      if (locked)
        await client.query('SELECT pg_advisory_unlock(727001)').catch((error: unknown) => (failure = asError(error)));
      // A connection that failed may be broken (timed out mid-query): destroyed, not reused.
      client.release(failure);
    }
  }

  /**
   * Group commit: callers arriving while transactions are in flight share the next one, and each
   * is answered after its commit, with how many of its events were new. In each transaction the
   * id and the `seq` values are taken under a lock held only while inserting (not while
   * committing), so `seq` order is transaction order across every collector and loader: what lets
   * `memberEvents` return only settled rows (`settled`). Events holding a string no backend stores
   * are refused before they join a group (`unstorable_text`); when a shared transaction fails
   * anyway, each of its callers is retried in a transaction of its own, so only the callers whose
   * own rows fail are failed.
   */
  insertEvents(events: readonly StoredEvent[]): Promise<number> {
    if (!events.length) return Promise.resolve(0);
    let rows: unknown[][];
    try {
      rows = storableEventValues(events, (b) => b);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return new Promise((resolve, reject) => {
      this.waiting.push({ events, rows, resolve, reject });
      this.kick();
    });
  }

  private waiting: Pending[] = [];
  private inFlight = 0;
  private idle: (() => void)[] = [];

  /**
   * Starts transactions for what waits, at most four at a time (their inserts take turns under the
   * lock; their commits overlap); callers arriving meanwhile wait for the next one to start.
   */
  private kick(): void {
    while (this.inFlight < 4 && this.waiting.length) {
      let size = 0;
      let n = 0;
      while (n < this.waiting.length && (n === 0 || size < 5000)) size += this.waiting[n++]?.events.length ?? 0;
      const group = this.waiting.splice(0, n);
      this.inFlight++;
      void this.commit(group).finally(() => {
        this.inFlight--;
        this.kick();
        if (!this.inFlight) for (const done of this.idle.splice(0)) done();
      });
    }
  }

  /**
   * Writes a group in one transaction and answers its callers; if it fails with several callers in
   * it (and the database is there), each is written again in a transaction of its own (a row one
   * caller sent must not fail the others' requests), and only those whose own transaction fails are
   * failed.
   */
  private async commit(group: readonly Pending[]): Promise<void> {
    let inserted: Set<string>;
    try {
      inserted = await this.write(group.flatMap((g) => g.rows));
    } catch (error) {
      if (group.length > 1 && !databaseUnavailable(error)) await Promise.all(group.map((g) => this.commit([g])));
      else for (const g of group) g.reject(error);
      return;
    }
    // Each new row counts for the first caller that sent it.
    for (const g of group) g.resolve(g.events.filter((e) => inserted.delete(e.messageId)).length);
  }

  /** One transaction over rows of `storableEventValues`; the message ids of the rows that were new. */
  private async write(values: readonly unknown[][]): Promise<Set<string>> {
    const client = await this.pool.connect();
    try {
      // READ COMMITTED whatever the database's default (see `locked`): under REPEATABLE READ or
      // SERIALIZABLE a row another writer committed while this one waited for the lock is a
      // serialization failure (40001) for `ON CONFLICT DO NOTHING`, not a duplicate skipped.
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      await client.query('SELECT pg_advisory_lock(727002)');
      const inserted = new Set<string>();
      for (let i = 0; i < values.length; i += 1000) {
        const chunk = values.slice(i, i + 1000);
        const rows = await client.query<{ message_id: string }>(
          numbered(`${insertEventsSql(chunk.length)} RETURNING message_id`),
          chunk.flat(),
        );
        for (const r of rows.rows) inserted.add(r.message_id);
      }
      await client.query('SELECT pg_advisory_unlock(727002)');
      await client.query('COMMIT');
      client.release();
      return inserted;
    } catch (error) {
      // Closed, not reused: it may be broken (timed out mid-query), and closing it ends its
      // transaction and frees its lock as a rollback would.
      client.release(asError(error));
      throw error;
    }
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  /** Drops the schema given at construction (tests clean up after themselves with it). */
  async dropSchema(): Promise<void> {
    if (this.schema) await this.pool.query(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
  }

  /** Closes the pool after the writes in flight (once, however often it is called). */
  async close(): Promise<void> {
    if (this.inFlight) await new Promise<void>((resolve) => this.idle.push(resolve));
    this.closing ??= this.pool.end();
    await this.closing;
  }

  private closing: Promise<void> | undefined;
}
