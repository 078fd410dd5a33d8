import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { validateConfig, type OptinConfig } from '@optin/members';
import { CliError } from './errors.js';
import { hostDeclarationIssues } from './host-declarations.js';
import { importFailure } from './import-failure.js';
import { importTypeScript, isTypeScript } from './import-typescript.js';
import { isInstance } from './thrown.js';

const candidates = ['optin.config.mjs', 'optin.config.js', 'optin.config.cjs', 'optin.config.ts', 'optin.config.mts'];

/** How long {@link loadConfig} waits, by default, for the config to finish importing: 30 s. */
export const defaultImportTimeoutMs = 30_000;

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /**
   * How long to wait for the config to finish importing (its top-level `await`s, a default export
   * that is a promise), in milliseconds; default 30000 (`Infinity`: as long as it takes). A config
   * still importing then is a {@link CliError} `import_failed`, though its import goes on (nothing
   * can stop it).
   */
  importTimeoutMs?: number;
}

/**
 * Finds, imports and validates the one config: `path` when given, else `OPTIN_CONFIG`, else the
 * first of `optin.config.mjs|js|cjs|ts|mts` in `cwd` (a directory given is searched the same way; a
 * TypeScript file is compiled by esbuild, so plain Node imports it). Its default export (or `config`
 * export) must pass `validateConfig` and declare no wildcard host over a public suffix (`*.co.uk`);
 * otherwise a {@link CliError} lists every problem with its path. A problem that `defineConfig`,
 * `defineTracker`, `definePolicy` or an adapter threw as the file was imported keeps the code and
 * path its package gave it, and its `at` names the call that threw as `file:line:column`. A config
 * that has not finished importing `importTimeoutMs` after its import began (default 30 s: a top-level
 * `await` that never settles while a timer keeps the process running) is `import_failed`.
 */
export async function loadConfig(
  path?: string,
  cwd: string = process.cwd(),
  { importTimeoutMs = defaultImportTimeoutMs }: LoadConfigOptions = {},
): Promise<OptinConfig> {
  // NaN would wait forever and 0 or less time out before the import began.
  if (!(typeof importTimeoutMs === 'number' && importTimeoutMs > 0))
    throw new CliError(
      'invalid_argument',
      [{ path: 'importTimeoutMs', message: `${String(importTimeoutMs)} is not a number of milliseconds above 0` }],
      `Give importTimeoutMs in milliseconds (default ${String(defaultImportTimeoutMs)}; Infinity waits as long as the import takes).`,
    );
  const file = findConfig(path, cwd);
  let config: unknown;
  // Room for the frames between the throw inside a package and the call in the config (a helper of
  // the config's own that calls the adapter), so that the call can be named.
  // (Set once for all the imports under way: two loads at once restore the process's own limit.)
  if (importing++ === 0) stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = Math.max(stackTraceLimit, 50);
  try {
    const unsupported = /\.[^./\\]+$/.exec(file)?.[0];
    if (unsupported && !supported.includes(unsupported))
      throw new CliError(
        'invalid_config',
        [
          {
            path: file,
            code: 'import_failed',
            message: `is a "${unsupported}" file: optin imports a config written in JavaScript or TypeScript (.mjs, .js, .cjs, .ts or .mts)`,
          },
        ],
        'Write the config as optin.config.mjs (or .ts) whose default export is the config: export default defineConfig({ … }).',
      );
    try {
      accessSync(file, constants.R_OK);
    } catch (cause) {
      throw await importFailure(file, cause);
    }
    // A named pipe or a device would be read forever (a thread that blocks keeps Node from ending).
    const kind = notAFile(file);
    if (kind)
      throw new CliError(
        'invalid_config',
        [{ path: file, code: 'import_failed', message: `is not a file (${kind}): optin imports a config file` }],
        'Give the path of the config file itself (optin.config.mjs), or of the directory that holds it.',
      );
    // A default export that is a promise (a config built asynchronously) is the config it resolves to.
    const { mod, value } = await unlessStalled(
      (async () => {
        const imported = (await (isTypeScript(file)
          ? importTypeScript(file)
          : import(pathToFileURL(file).href))) as Record<string, unknown>;
        return { mod: imported, value: await (imported.default ?? imported.config) };
      })(),
      file,
      importTimeoutMs,
    );
    config = value;
    // `export default null` or `export const config = null` (or a variable still undefined) exports
    // something that is no config; so does a function (the config is what it returns).
    const named = 'default' in mod ? 'default' : 'config' in mod ? 'config' : undefined;
    if ((config == null || typeof config === 'function') && named)
      throw new CliError(
        'invalid_config',
        [
          {
            path: file,
            code: 'no_config_export',
            message: `its ${named == 'config' ? '`config`' : named} export is ${typeof config === 'function' ? 'a function, not the config' : String(mod[named])}`,
          },
        ],
        typeof config === 'function'
          ? `Call it and export the object it returns: export default defineConfig({ … }) in ${file} (for one built asynchronously, export default await build()).`
          : `Export the config object as the default export of ${file} (export default defineConfig({ … })), or as \`config\`.`,
      );
    if (config === undefined)
      throw new CliError(
        'invalid_config',
        [
          {
            path: file,
            code: 'no_config_export',
            message: `has no default export${Object.keys(mod).length ? ` (it exports ${Object.keys(mod).join(', ')})` : ''}`,
          },
        ],
        `Export the config as the default export of ${file} (export default defineConfig({ … })), or as \`config\`.`,
      );
  } catch (cause) {
    // Already the error to give: a TypeScript config that does not compile (naming
    // `file:line:column`), a module without a default export, one that never finishes importing.
    if (isInstance(cause, CliError)) throw cause;
    throw await importFailure(file, cause);
  } finally {
    if (--importing === 0) Error.stackTraceLimit = stackTraceLimit;
  }
  let issues;
  try {
    issues = [...validateConfig(config), ...hostDeclarationIssues(config)];
  } catch (cause) {
    // What the config exports threw as it was read (a getter, a proxy): its error, at its line.
    throw await importFailure(file, cause, 'read');
  }
  if (issues.length)
    throw new CliError('invalid_config', issues, `Fix ${file} at the paths listed (defineConfig reports the same).`);
  return config as OptinConfig;
}

/** What `file` is when it is no regular file (`a named pipe`, `a character device`), else `undefined`. */
function notAFile(file: string): string | undefined {
  const stat = statSync(file);
  if (stat.isFile()) return undefined;
  return stat.isFIFO()
    ? 'a named pipe'
    : stat.isCharacterDevice()
      ? 'a character device'
      : stat.isBlockDevice()
        ? 'a block device'
        : stat.isSocket()
          ? 'a socket'
          : 'not a regular file';
}

/** The extensions of the files a config may be written in. */
const supported = ['.mjs', '.js', '.cjs', '.ts', '.mts', '.cts'];

/**
 * The config file `loadConfig` reads: `path` (a file, or a directory to search), else
 * `OPTIN_CONFIG`, else the first of `optin.config.mjs|js|cjs|ts|mts` in `cwd`. A {@link CliError}
 * `config_not_found` names the path and why when there is none, or the path cannot be followed
 * (a file taken for a directory, a loop of symbolic links, a directory the user may not enter).
 */
export function findConfig(path?: string, cwd: string = process.cwd()): string {
  const named = path ?? process.env.OPTIN_CONFIG;
  const given = named ? resolve(cwd, named) : undefined;
  const notFound = (at: string, message: string) =>
    new CliError(
      'config_not_found',
      [{ path: at, message }],
      'Give the path of the config file (or of its directory), set OPTIN_CONFIG, or run from the directory that holds it.',
    );
  const stat = (at: string) => {
    try {
      return statSync(at, { throwIfNoEntry: false });
    } catch (cause) {
      throw notFound(at, unfollowable(cause));
    }
  };
  const found = given === undefined ? undefined : stat(given);
  if (given !== undefined && !found) throw notFound(given, 'no such file');
  if (given !== undefined && !found?.isDirectory()) return given;
  const dir = given ?? cwd;
  const file = candidates.map((c) => resolve(dir, c)).find((c) => stat(c)?.isDirectory() === false);
  if (!file) throw notFound(dir, `none of ${candidates.join(', ')} is here`);
  return file;
}

/** Why a path cannot be followed, in words and with the code Node gave (`… (ENOTDIR)`). */
function unfollowable(cause: unknown): string {
  const code = (cause as { code?: unknown } | null)?.code;
  const reasons: Record<string, string> = {
    ENOTDIR: 'cannot be followed: a part of it is a file, not a directory',
    ELOOP: 'cannot be followed: its symbolic links make a loop',
    ENAMETOOLONG: 'cannot be followed: the path, or a name in it, is too long',
    EACCES: 'cannot be reached: permission denied on a directory of the path',
    EPERM: 'cannot be reached: operation not permitted',
  };
  const reason = typeof code === 'string' ? reasons[code] : undefined;
  return reason
    ? `${reason} (${String(code)})`
    : `cannot be read: ${cause instanceof Error ? cause.message : String(cause)}`;
}

/**
 * `work` (the config's import), or a {@link CliError} `import_failed` when the process has nothing
 * left to do before it settles: a top-level `await`, or an exported promise, that never settles
 * would otherwise end the process, silently and with exit 0, as Node ends it. When something keeps
 * the process running meanwhile (a timer, an open connection), Node never ends it: after `timeoutMs`
 * the import is `import_failed` too (see {@link timedOut}), by a timer of its own that does not keep
 * the process running.
 */
function unlessStalled<T>(work: Promise<T>, file: string, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolvePromise, reject) => {
    const expire = () => {
      const error = new CliError(
        'invalid_config',
        [
          {
            path: file,
            code: 'import_failed',
            message: `did not finish loading within ${String(timeoutMs / 1000)} s: a top-level await or exported promise that never settles (while a timer or an open connection keeps the process running), or a config slower to load than that`,
          },
        ],
        `Make every promise ${file} awaits or exports settle (a secret it waits for, an event that never comes); if it is only slow to load, give it longer with --import-timeout <ms> (default ${String(defaultImportTimeoutMs)}; importTimeoutMs from code).`,
      );
      timedOutErrors.add(error);
      process.off('beforeExit', stalled);
      reject(error);
    };
    // Infinity (or more than a timer holds, 24.8 days) waits as long as the import takes.
    const timer = timeoutMs <= 2 ** 31 - 1 ? setTimeout(expire, timeoutMs).unref() : undefined;
    const stalled = () =>
      reject(
        new CliError(
          'invalid_config',
          [
            {
              path: file,
              code: 'import_failed',
              message: 'never finished importing: a top-level await or exported promise that never settles',
            },
          ],
          `Make every promise ${file} awaits or exports settle (a secret it waits for, an event that never comes).`,
        ),
      );
    process.once('beforeExit', stalled);
    void work.then(resolvePromise, reject).finally(() => {
      clearTimeout(timer);
      process.off('beforeExit', stalled);
    });
  });
}

const timedOutErrors = new WeakSet();

/**
 * Whether `error` is {@link loadConfig}'s answer to a config that did not finish importing in time:
 * its import still runs, and whatever keeps the process running, so there is nothing to wait for.
 */
export const timedOut = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && timedOutErrors.has(error);

/** How many config imports are under way, and the stack trace limit that was in force before the first. */
let importing = 0;
let stackTraceLimit = Error.stackTraceLimit;
