import pg from 'pg';
import { CollectorError } from './errors.js';
import { eventValues, insertEventsSql, SqlStorage, type Row } from './sql-storage.js';
import type { StoredEvent } from './stored-event.js';

/** Options of {@link PostgresStorage}. */
export interface PostgresOptions {
  /** `postgres://user@host:5432/db`. */
  readonly connectionString: string;
  /** A schema to use (created if missing), e.g. one per test run; default `public`. */
  readonly schema?: string | undefined;
  /** Pool size; default 10. */
  readonly max?: number | undefined;
}

/** `?` placeholders to PostgreSQL's `$1, $2, ...` (the shared queries use `?`, never inside strings). */
function numbered(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}

/**
 * PostgreSQL storage (node-postgres pool). Every write is one statement or transaction that has
 * committed before its promise resolves. Events are inserted with one multi-row
 * `INSERT ... ON CONFLICT (client_timestamp, message_id) DO NOTHING`, so retries and loader
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
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.max ?? 10,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
  }

  protected bool(value: boolean): boolean {
    return value;
  }

  // Rows of transactions older than every one still running: their `seq` values precede those of any
  // transaction yet to commit, because writers take `seq` values in transaction order (insertEvents).
  protected override readonly settled = 'txid < pg_snapshot_xmin(pg_current_snapshot())';

  protected async query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    const result = await this.pool.query(numbered(sql), params as unknown[]);
    return result.rows as Row[];
  }

  protected async exec(sql: string): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(sql);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  override async migrate(): Promise<number> {
    if (this.schema) await this.pool.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
    // One migrator at a time across collectors and loaders sharing the database.
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock(727001)');
      return await super.migrate();
    } finally {
      await client.query('SELECT pg_advisory_unlock(727001)');
      client.release();
    }
  }

  /**
   * One transaction. Its id and its `seq` values are taken under a lock held only while inserting
   * (not while committing, so commits still overlap), so `seq` order is transaction order across
   * every collector and loader: what lets `memberEvents` return only settled rows (`settled`).
   */
  async insertEvents(events: readonly StoredEvent[]): Promise<number> {
    if (!events.length) return 0;
    const client = await this.pool.connect();
    let locked = false;
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_lock(727002)');
      locked = true;
      let inserted = 0;
      for (let i = 0; i < events.length; i += 1000) {
        const chunk = events.slice(i, i + 1000);
        const params = chunk.flatMap((e) => eventValues(e, (b) => b));
        inserted += (await client.query(numbered(insertEventsSql(chunk.length)), params)).rowCount ?? 0;
      }
      await client.query('SELECT pg_advisory_unlock(727002)');
      locked = false;
      await client.query('COMMIT');
      return inserted;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (locked) await client.query('SELECT pg_advisory_unlock(727002)').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  /** Drops the schema given at construction (tests clean up after themselves with it). */
  async dropSchema(): Promise<void> {
    if (this.schema) await this.pool.query(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
