import { CollectorError } from './errors.js';
import { defaultDatabaseUrl, openStorage } from './open-storage.js';
import type { Storage } from './storage.js';

/** What went wrong, in one line: a system or PostgreSQL error code and its message (an `AggregateError`'s first). */
function describe(error: unknown): string {
  const first = error instanceof AggregateError && error.errors.length ? (error.errors[0] as unknown) : error;
  if (!(first instanceof Error)) return String(first);
  const code = (first as { code?: unknown }).code;
  const message = first.message.split('\n')[0] ?? '';
  return typeof code === 'string' && !message.includes(code) ? `${code} ${message}`.trim() : message;
}

/** A database URL as it may be printed: without its password. */
function printable(url: string): string {
  if (url.startsWith('sqlite:')) return url;
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.split(':')[0] ?? '';
  }
}

/**
 * Opens the database `url` names and applies its migrations. A failure to reach or open it (refused,
 * unknown host, timeout, a role or password PostgreSQL refuses, a SQLite file that cannot be made) is
 * a `CollectorError` `database_unavailable` at `OPTIN_DB`, its URL printed without the password;
 * a `CollectorError` of the storage (a schema newer than this collector) is thrown as it is.
 */
export async function openDatabase(url: string = defaultDatabaseUrl): Promise<Storage> {
  const unavailable = (error: unknown): CollectorError =>
    error instanceof CollectorError
      ? error
      : new CollectorError(
          'database_unavailable',
          [{ path: 'OPTIN_DB', message: `${printable(url)}: ${describe(error)}` }],
          'Check that the database runs and that OPTIN_DB names it rightly (host, port, user, password, database), or point OPTIN_DB elsewhere (sqlite:./.optin/optin.db).',
          { cause: error },
        );
  let storage: Storage;
  try {
    storage = openStorage(url);
  } catch (error) {
    throw unavailable(error);
  }
  try {
    await storage.migrate();
  } catch (error) {
    await storage.close().catch(() => undefined);
    throw unavailable(error);
  }
  return storage;
}

/**
 * A failure to listen on `host:port` as a `CollectorError` `port_unavailable` naming `PORT` (in use,
 * or a port this user may not take) or `HOST` (no address of this machine); another error as it is.
 */
export function listenFailure(error: unknown, port: number, host: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  const at = `${host}:${port}`;
  const issue =
    code === 'EADDRINUSE'
      ? { path: 'PORT', message: `${at} is in use`, hint: 'Stop what listens there, or set PORT to a free port.' }
      : code === 'EACCES'
        ? {
            path: 'PORT',
            message: `${at} may not be taken by this user (EACCES)`,
            hint: 'Ports under 1024 need privileges: set PORT to 1024 or above (and forward to it).',
          }
        : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND'
          ? {
              path: 'HOST',
              message: `${host} is no address of this machine (${code})`,
              hint: 'Set HOST to an address of this machine: 127.0.0.1, 0.0.0.0 (every interface), ::.',
            }
          : undefined;
  if (!issue) return error;
  return new CollectorError('port_unavailable', [{ path: issue.path, message: issue.message }], issue.hint, {
    cause: error,
  });
}
