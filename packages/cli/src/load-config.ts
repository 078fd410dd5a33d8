import { execFile } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { validateConfig, type OptinConfig } from '@optin/members';
import { transform, type Message } from 'esbuild';
import { CliError, type CliIssue, type ConfigProblemCode } from './errors.js';
import { hostDeclarationIssues } from './host-declarations.js';
import { importTypeScript, isTypeScript } from './import-typescript.js';

const candidates = ['optin.config.mjs', 'optin.config.js', 'optin.config.cjs', 'optin.config.ts', 'optin.config.mts'];

/**
 * Finds, imports and validates the one config: `path` when given, else `OPTIN_CONFIG`, else the
 * first of `optin.config.mjs|js|cjs|ts|mts` in `cwd` (a directory given is searched the same way; a
 * TypeScript file is compiled by esbuild, so plain Node imports it). Its default export (or `config`
 * export) must pass `validateConfig` and declare no wildcard host over a public suffix (`*.co.uk`);
 * otherwise a {@link CliError} lists every problem with its path. A problem that `defineConfig`,
 * `defineTracker`, `definePolicy` or an adapter threw as the file was imported keeps the code and
 * path its package gave it, and its `at` names the call that threw as `file:line:column`.
 */
export async function loadConfig(path?: string, cwd: string = process.cwd()): Promise<OptinConfig> {
  const named = path ?? process.env.OPTIN_CONFIG;
  const given = named ? resolve(cwd, named) : undefined;
  const dir =
    given === undefined || statSync(given, { throwIfNoEntry: false })?.isDirectory() ? (given ?? cwd) : undefined;
  const file = dir === undefined ? given : candidates.map((c) => resolve(dir, c)).find((c) => existsSync(c));
  if (!file || !existsSync(file))
    throw new CliError(
      'config_not_found',
      [
        {
          path: file ?? dir ?? cwd,
          message: dir === undefined ? 'no such file' : `none of ${candidates.join(', ')} is here`,
        },
      ],
      'Give the path of the config file (or of its directory), set OPTIN_CONFIG, or run from the directory that holds it.',
    );
  let config: unknown;
  // Room for the frames between the throw inside a package and the call in the config (a helper of
  // the config's own that calls the adapter), so that the call can be named.
  // (Set once for all the imports under way: two loads at once restore the process's own limit.)
  if (importing++ === 0) stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = Math.max(stackTraceLimit, 50);
  try {
    const mod = (await (isTypeScript(file) ? importTypeScript(file) : import(pathToFileURL(file).href))) as Record<
      string,
      unknown
    >;
    // A default export that is a promise (a config built asynchronously) is the config it resolves to.
    config = await (mod.default ?? mod.config);
    // `export default null` or `export const config = null` (or a variable still undefined) exports
    // something that is no config.
    const named = 'default' in mod ? 'default' : 'config' in mod ? 'config' : undefined;
    if (config == null && named)
      throw new CliError(
        'invalid_config',
        [
          {
            path: file,
            code: 'no_config_export',
            message: `its ${named == 'config' ? '`config`' : named} export is ${String(mod[named])}`,
          },
        ],
        `Export the config object as the default export of ${file} (export default defineConfig({ … })), or as \`config\`.`,
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
    // `file:line:column`), or a module without a default export.
    if (cause instanceof CliError) throw cause;
    // Node names no place for a syntax error in the module it imports: it does when checking it.
    const at =
      (cause as { name?: unknown } | null)?.name === 'SyntaxError' && !isTypeScript(file)
        ? await syntaxErrorAt(file)
        : undefined;
    if (at)
      throw new CliError(
        'invalid_config',
        [{ path: at, code: 'syntax_error', message: cause instanceof Error ? cause.message : String(cause) }],
        `Fix the syntax of ${file} at the place listed so that it imports.`,
        { cause },
      );
    // defineConfig, defineTracker, an adapter or definePolicy threw while the file ran: their
    // issues name the paths (`members[1].orgs[0]`, `ga4.id`), so they are the problems to list, at
    // the call that threw (a path such as `trackers.hotjar…` or `ga4.id` names no Member).
    const thrown = issuesOf(cause);
    if (thrown) {
      const at = thrownAt(cause, file);
      throw new CliError(
        'invalid_config',
        thrown.map((i) => ({ ...i, path: i.path || file, ...(at && { at }) })),
        `Fix ${file} ${at ? 'at the places listed: each path is in what the call at that line and column was given' : 'at the paths listed'} (a ${(cause as Error).name} stopped its import; wildcard hosts over a public suffix are checked once it imports).`,
        { cause },
      );
    }
    throw new CliError(
      'invalid_config',
      [{ path: file, code: 'import_failed', message: cause instanceof Error ? cause.message : String(cause) }],
      'Fix the error above so that the file imports, and export the config as its default export.',
      { cause },
    );
  } finally {
    if (--importing === 0) Error.stackTraceLimit = stackTraceLimit;
  }
  const issues = [...validateConfig(config), ...hostDeclarationIssues(config)];
  if (issues.length)
    throw new CliError('invalid_config', issues, `Fix ${file} at the paths listed (defineConfig reports the same).`);
  return config as OptinConfig;
}

/**
 * Where `file` (a JavaScript config) has a syntax error, as `file:line:column`, or `undefined` when
 * none is found there (the error is in a module the file imports). `node --check` says where Node
 * finds it (the file and line, the line itself and a caret under the column); a `.js` file whose
 * module kind Node 20 detects it leaves unchecked, and esbuild's parser locates it then.
 */
async function syntaxErrorAt(file: string): Promise<string | undefined> {
  const stderr = await new Promise<string>((resolve) => {
    execFile(process.execPath, ['--check', file], { timeout: 10_000 }, (error, _stdout, err) =>
      resolve(error ? err : ''),
    );
  });
  const [first = '', , caret = ''] = stderr.split('\n');
  const line = /^(.*):(\d+)$/.exec(first);
  if (line && line[1] === file) {
    const column = caret.indexOf('^');
    return column < 0 ? `${file}:${line[2]}` : `${file}:${line[2]}:${column + 1}`;
  }
  try {
    await transform(readFileSync(file, 'utf8'), { loader: 'js', format: 'esm', logLevel: 'silent' });
  } catch (cause) {
    const location = (cause as { errors?: Message[] }).errors?.[0]?.location;
    if (location) return `${file}:${location.line}:${location.column + 1}`;
  }
  return undefined;
}

/**
 * Where in `file` the call that threw `error` is, as `file:line:column`: the first frame of its stack
 * in `file` (a package throws from inside its own code, called from the config), a TypeScript
 * config's as {@link importTypeScript} maps it to the source. `undefined` when no frame is in `file`
 * (a module the config imports threw).
 */
function thrownAt(error: unknown, file: string): string | undefined {
  const stack = error instanceof Error ? error.stack : undefined;
  if (typeof stack !== 'string') return undefined;
  // Node names an ES module by its URL, a CommonJS one by its path; both after symbolic links.
  const names = new Set([file, realpathSync(file)]);
  for (const [, where = '', line, column] of stack.matchAll(/^\s+at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/gm)) {
    let path = where;
    try {
      if (where.startsWith('file:')) path = fileURLToPath(where);
    } catch {
      continue;
    }
    if (names.has(path)) return `${file}:${line}:${column}`;
  }
  return undefined;
}

/** How many config imports are under way, and the stack trace limit that was in force before the first. */
let importing = 0;
let stackTraceLimit = Error.stackTraceLimit;

/** The codes of errors our packages throw as a config is built that say what each of their issues is. */
const thrownCodes: readonly ConfigProblemCode[] = ['invalid_policy', 'invalid_tracker', 'invalid_option'];

/**
 * The issues an error carries when a package of ours threw it (`MembersError`, `TrackerError`,
 * `ConsentError`: each has `issues`, every one with a `path` and a `message`), else `undefined`.
 * Read by shape, not by class: the config may import its own copy of the packages. Each keeps its
 * own `code` (a `MembersError`'s), else takes the error's (`invalid_tracker` of a `TrackerError`).
 */
function issuesOf(error: unknown): CliIssue[] | undefined {
  const issues = error instanceof Error ? (error as { issues?: unknown }).issues : undefined;
  if (!Array.isArray(issues) || issues.length === 0) return undefined;
  const valid = issues.every(
    (i: unknown) =>
      typeof i === 'object' &&
      i !== null &&
      typeof (i as { path?: unknown }).path === 'string' &&
      typeof (i as { message?: unknown }).message === 'string',
  );
  if (!valid) return undefined;
  const thrown = (error as { code?: unknown }).code;
  const code = thrownCodes.find((c) => c === thrown) ?? 'import_failed';
  return (issues as { path: string; code?: unknown; message: string }[]).map((i) => ({
    path: i.path,
    // A config importing another release of @optin/members may give that release's codes.
    code: typeof i.code === 'string' ? (i.code as ConfigProblemCode) : code,
    message: i.message,
  }));
}
