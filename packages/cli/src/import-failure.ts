import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { build, type Message } from 'esbuild';
import { CliError, type CliIssue, type ConfigProblemCode } from './errors.js';
import { isTypeScript } from './import-typescript.js';
import { defaultThreadTimeoutMs } from './thread-watchdog.js';
import { describe, read } from './thrown.js';
import { userFrame } from './user-frame.js';

/**
 * How the config failed: as it was imported, as optin read its export (a getter, a Proxy), or later
 * (a promise it never handled, a timer that threw).
 */
export type FailureTiming = 'import' | 'read' | 'unhandled_rejection' | 'uncaught_exception';

const later: Record<Exclude<FailureTiming, 'import' | 'read'>, string> = {
  unhandled_rejection: 'a promise it made was rejected and never handled',
  uncaught_exception: 'it threw after it was imported (in a timer or a callback)',
};

/** What the config did, at each step, with a value that is no Error (`what`, {@link shown}). */
const threw: Record<FailureTiming, (what: string) => string> = {
  import: (what) => `threw ${what} as it was imported`,
  read: (what) => `threw ${what} as optin read its export (a getter or a Proxy of the config's)`,
  uncaught_exception: (what) => `threw ${what} after it was imported (in a timer or a callback)`,
  unhandled_rejection: (what) => `rejected a promise it never handled with ${what}`,
};

/**
 * What `cause`, thrown by `file` (the config) as it was imported or later, is to the user: a
 * {@link CliError} `invalid_config` with one problem per issue a package of ours threw (each with
 * its own code and path), or a `syntax_error` at `file:line:column` of the module that does not
 * parse (the config or a module it imports), or an `import_failed` saying what went wrong; each
 * located (`at`) at the config's own line that threw, where there is one ({@link userFrame}). A
 * value that is no Error (`throw null`) is told as what it is (`null`, `the object { code: "X" }`)
 * and at which step (`timing`), with how to throw an Error instead: it names no line.
 */
export async function importFailure(file: string, cause: unknown, timing: FailureTiming = 'import'): Promise<CliError> {
  // Each read once and safely: a getter or a Proxy trap of the config's that throws is no error of optin's.
  const { error, message, name, code: nodeCode } = describe(cause);
  const failed = (issueMessage: string, hint: string, at = userFrame(cause, file)) =>
    new CliError(
      'invalid_config',
      [{ path: file, code: 'import_failed', ...(at && { at }), message: issueMessage }],
      hint,
      { cause },
    );
  // `throw null`, `throw 'no secret'`, `Promise.reject({ code: 'X' })`: no message, no stack, no line.
  if (!error)
    return failed(
      `${threw[timing](message)}: not an Error, so optin cannot name the line that threw it`,
      `Find where ${file} (or a module it imports) throws or rejects with that value, and throw an Error that says what is wrong instead (throw new Error('…')): optin reports an Error's message and the line that threw it.`,
      undefined,
    );
  if (timing === 'unhandled_rejection' || timing === 'uncaught_exception')
    return failed(
      `${later[timing]}: ${message}`,
      `Fix ${file} ${userFrame(cause, file) ? 'at the place listed ' : ''}so that it imports without an error, then or later.`,
    );
  // Node's words for an ES module in a project whose package.json makes .js files CommonJS.
  if (
    name === 'SyntaxError' &&
    /Cannot use import statement outside a module|Unexpected token 'export'/.test(message) &&
    /\.c?js$/.test(file)
  )
    return failed(
      'is an ES module (import, export), but Node reads it as CommonJS: the nearest package.json has no "type": "module"',
      `Rename it to optin.config.mjs, or set "type": "module" in the package.json of its project.`,
      undefined,
    );
  if (name === 'SyntaxError' && !isTypeScript(file)) {
    const at = await syntaxErrorAt(file);
    if (at)
      return new CliError(
        'invalid_config',
        [{ path: at, code: 'syntax_error', message }],
        `Fix the syntax of ${at.replace(/(:\d+)+$/, '')} at the place listed so that it imports.`,
        { cause },
      );
  }
  if (nodeCode === 'EACCES' || nodeCode === 'EPERM')
    return failed(
      `cannot be read: permission denied (${nodeCode})`,
      `Let the user who runs optin read ${file} (chmod a+r), or run optin as its owner.`,
      undefined,
    );
  // defineConfig, defineTracker, an adapter or definePolicy threw while the file ran: their
  // issues name the paths (`members[1].orgs[0]`, `ga4.id`), so they are the problems to list, at
  // the call that threw (a path such as `trackers.hotjar…` or `ga4.id` names no Member).
  const thrown = issuesOf(cause);
  if (thrown) {
    const at = userFrame(cause, file);
    return new CliError(
      'invalid_config',
      thrown.map((i) => ({ ...i, path: i.path || file, ...(at && { at }) })),
      `Fix ${at ? `${at.replace(/(:\d+)+$/, '')} at the places listed: each path is in what the call at that line and column was given` : `${file} at the paths listed`} (a ${name ?? 'Error'} stopped its import; wildcard hosts over a public suffix are checked once it imports).`,
      { cause },
    );
  }
  return failed(message, 'Fix the error above so that the file imports, and export the config as its default export.');
}

/**
 * What a config `file` that ended the process (`process.exit()`, with the exit `code` it gave) is to
 * the user, called as the process exits: a {@link CliError} `invalid_config` whose `import_failed`
 * problem is located at the config's call, where it made it, and says when: as it was imported
 * (before optin could read it), later in a timer or a callback (`later`: read, but before optin
 * answered), or while optin wrote its answer (`answering`: the answer is cut off). Never the config's
 * exit code: `process.exit(0)` would pass a config that was never read.
 */
export function endedProcess(file: string, code: number, timing: 'import' | 'later' | 'answering'): CliError {
  const at = userFrame(new Error('process.exit()'), file);
  return new CliError(
    'invalid_config',
    [
      {
        path: file,
        code: 'import_failed',
        ...(at && { at }),
        message: `ended the process with process.exit() (exit code ${code}) ${timing === 'import' ? 'as it was imported, before optin could read it' : `after it was imported (in a timer or a callback), ${timing === 'later' ? 'before optin answered' : 'while optin wrote its answer, which is cut off'}`}`,
      },
    ],
    `Remove the process.exit() call from ${file}${at ? ' at the place listed' : ''}: optin imports the config to read it, so the config must not end the process; to stop on a problem, throw an Error that says what is wrong (optin reports its message).`,
  );
}

/**
 * Where the config `file` (JavaScript), or a module it imports, has a syntax error, as
 * `file:line:column`, or `undefined` when none is found. `node --check` says where Node finds it in
 * the file (the file and line, the line itself and a caret under the column); esbuild's parser,
 * bundling the file with its relative imports (packages left out), locates it in a module it imports
 * (Node names no place for that), and in a `.js` file whose module kind Node 20 leaves unchecked.
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
    await build({
      entryPoints: [file],
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
  } catch (cause) {
    const location = (cause as { errors?: Message[] }).errors?.[0]?.location;
    if (location) return `${resolve(location.file)}:${location.line}:${location.column + 1}`;
  }
  return undefined;
}

/** The codes of errors our packages throw as a config is built that say what each of their issues is. */
const thrownCodes: readonly ConfigProblemCode[] = ['invalid_policy', 'invalid_tracker', 'invalid_option'];

/**
 * The issues an error carries when a package of ours threw it (`MembersError`, `TrackerError`,
 * `ConsentError`: each has `issues`, every one with a `path` and a `message`), else `undefined`.
 * Read by shape, not by class: the config may import its own copy of the packages. Each keeps its
 * own `code` (a `MembersError`'s), else takes the error's (`invalid_tracker` of a `TrackerError`).
 */
function issuesOf(error: unknown): CliIssue[] | undefined {
  const { error: isError, issues, code: thrown } = describe(error);
  let list: unknown[];
  try {
    if (!isError || !Array.isArray(issues)) return undefined;
    list = Array.from(issues as unknown[]); // each read once: a getter may answer otherwise the second time
  } catch {
    return undefined; // a list that throws as it is read (a revoked Proxy) is no list of issues
  }
  const copied = list.map((i) => ({ path: read(i, 'path'), code: read(i, 'code'), message: read(i, 'message') }));
  if (!copied.length || !copied.every((i) => typeof i.path === 'string' && typeof i.message === 'string'))
    return undefined;
  const code = thrownCodes.find((c) => c === thrown) ?? 'import_failed';
  return copied.map((i) => ({
    path: i.path as string,
    // A config importing another release of @optin/members may give that release's codes.
    code: typeof i.code === 'string' ? (i.code as ConfigProblemCode) : code,
    message: i.message as string,
  }));
}

/**
 * What a config `file` whose import kept Node's one thread busy for `timeoutMs` (and more) is to the
 * user: a {@link CliError} `invalid_config` whose `import_failed` problem says the config blocks the
 * thread (a synchronous read of stdin or of a named pipe, an endless loop) and that optin ended the
 * process, killed (SIGKILL: exit status 137 in a shell), as only a thread of its own could.
 */
export function blockedImport(file: string, timeoutMs: number): CliError {
  return new CliError(
    'invalid_config',
    [
      {
        path: file,
        code: 'import_failed',
        message: `did not finish importing within ${String(timeoutMs / 1000)} s, and kept Node's thread busy all that time: the config blocks Node's thread at import (a synchronous read of stdin or a FIFO, an endless loop), so optin ended the process (SIGKILL, exit status 137)`,
      },
    ],
    `Make the import of ${file} finish: read no stdin nor named pipe synchronously as it is imported, and end every loop; if it is only slow to load, give it longer with --import-timeout <ms> (default 30000).`,
  );
}

/**
 * What a config `file` that keeps Node's one thread busy without a break for more than `timeoutMs`
 * once imported (a timer or a callback of its own that loops forever or reads stdin synchronously)
 * is to the user: a {@link CliError} `invalid_config` whose `import_failed` problem says so, and that
 * optin ended the process, killed (SIGKILL: exit status 137 in a shell), before it could answer or,
 * `answered`, once it had answered, when the process could not end.
 */
export function blockedThread(file: string, timeoutMs: number, answered: boolean): CliError {
  return new CliError(
    'invalid_config',
    [
      {
        path: file,
        code: 'import_failed',
        message: `kept Node's thread busy for more than ${String(timeoutMs / 1000)} s without a break after it was imported (in a timer or a callback), ${answered ? 'once optin had answered, so that the process could not end' : 'before optin answered'}: the config blocks Node's thread once imported (an endless loop, a synchronous read of stdin or a FIFO), so optin ended the process (SIGKILL, exit status 137)`,
      },
    ],
    `Make ${file} do nothing once imported: end every loop its timers and callbacks run, and read no stdin nor named pipe synchronously (node ${file} shows what it leaves running); if it is only slow, give it longer with --thread-timeout <ms> (default ${String(defaultThreadTimeoutMs)}).`,
  );
}
