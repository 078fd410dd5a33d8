import { CollectorError } from './errors.js';
import { PostgresStorage } from './postgres-storage.js';
import { SqliteStorage } from './sqlite-storage.js';
import type { Storage } from './storage.js';

/** The default database: a SQLite file under `./.optin`. */
export const defaultDatabaseUrl = 'sqlite:./.optin/optin.db';

/**
 * Opens the storage a URL names: `sqlite:./path/to.db` (or `sqlite::memory:`) or
 * `postgres://user@host:5432/db` (`postgresql://` too; `?schema=name` selects a schema).
 */
export function openStorage(url: string = defaultDatabaseUrl): Storage {
  if (url.startsWith('sqlite:')) return new SqliteStorage(url.slice('sqlite:'.length) || ':memory:');
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const parsed = new URL(url);
    const schema = parsed.searchParams.get('schema') ?? undefined;
    parsed.searchParams.delete('schema');
    return new PostgresStorage({ connectionString: parsed.toString(), schema });
  }
  throw new CollectorError(
    'unsupported_database',
    [{ path: 'OPTIN_DB', message: `"${url.split(':')[0] ?? ''}:" is not supported` }],
    'Use sqlite:./file.db or postgres://user@host/db.',
  );
}
