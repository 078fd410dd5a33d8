import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { buildDeclaration, declarationToHtml, declarationToJson, declarationToMarkdown } from '@optin/members';
import { parseRefusals } from './audit-options.js';
import { toAnswer, type Answer } from './answer.js';
import { CliError } from './errors.js';
import { formatReport } from './format-report.js';
import { blockedImport, blockedThread, endedProcess, importFailure } from './import-failure.js';
import { defaultImportTimeoutMs, findConfig, loadConfig, timedOut } from './load-config.js';
import { milliseconds } from './milliseconds.js';
import { defaultThreadTimeoutMs, watchThread, type ThreadWatchdog } from './thread-watchdog.js';
import { describe, isInstance } from './thrown.js';
import { userFrame } from './user-frame.js';

const usage = `Usage: optin <command> [options]

  optin validate [config] [--json]             every problem of the config, with its path
  optin declare [config] [--member X] [--format md|json|html]
                                               the list of third parties and of tracked emails, for the
                                               platform or one Member
  optin audit <url> [--config F] [--consent none|all|<purpose,…>] [--json]
             [--refuse <Member>:<purpose>[,…]]… [--mode opt-in|opt-out] [--gpc]
             [--site edx.org] [--wait 2000] [--no-interact] [--settle 10000] [--cookie-name optin]
             [--resolve "MAP *.edx.org 127.0.0.1"]… [--ignore-https-errors]
                                               opens the page in headless Chromium and reports anything
                                               that ran or was set without consent or without a declaration,
                                               as a learner of a site in that consent mode whose browser
                                               sends Global Privacy Control (--gpc) or not, and who may
                                               refuse a purpose for one Member only (--consent all --refuse
                                               HarvardX:marketing: HarvardX's trackers are judged by
                                               HarvardX's grants, the others' by theirs); watches --wait
                                               ms after load and again after a mouse move, a scroll to the
                                               end and Tab (not with --no-interact), and waits up to
                                               --settle ms for the requests in flight

The config is the file given (or the optin.config.* in the directory given), else OPTIN_CONFIG, else
optin.config.mjs|js|cjs|ts|mts here (TypeScript runs as is). Every command waits up to
--import-timeout ms (default 30000) for it to finish importing (a top-level await that never settles),
and ends the process (SIGKILL) when the config blocks Node's thread that long and 2 s more; once it is
imported, when the config blocks the thread (a timer's endless loop) for --thread-timeout ms (default
5000, 1 to 600000).
With --json, validate and audit print JSON on stdout, an error too: { "error": { code, issues, hint } }.
Exit codes: 0 clean, 1 findings or config problems, 2 usage or runtime error.`;

const fail = (option: string, message: string, hint: string): never => {
  throw new CliError('invalid_argument', [{ path: option, message }], hint);
};

/** The options each command takes besides `--help` and `--version`. */
const commandOptions: Readonly<Record<string, readonly string[]>> = {
  validate: ['config', 'json', 'import-timeout', 'thread-timeout'],
  declare: ['config', 'member', 'format', 'import-timeout', 'thread-timeout'],
  audit: [
    'config',
    'import-timeout',
    'thread-timeout',
    'consent',
    'refuse',
    'json',
    'mode',
    'gpc',
    'site',
    'wait',
    'no-interact',
    'settle',
    'cookie-name',
    'resolve',
    'ignore-https-errors',
  ],
};

/**
 * Refuses what `command` would otherwise ignore: an option of another command (`declare --json`
 * would print Markdown) and a second argument (`audit <url> <config>` would audit against whatever
 * config is in the directory).
 */
function checkArguments(command: string, tokens: NonNullable<ReturnType<typeof parse>['tokens']>): void {
  const allowed = commandOptions[command] ?? [];
  const given = new Map<string, string | undefined>();
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    if (!['help', 'version', ...allowed].includes(token.name))
      fail(
        token.rawName,
        `is not an option of optin ${command}`,
        `${command === 'declare' && token.name === 'json' ? 'Use --format json; see' : 'See'} optin --help for the options of each command.`,
      );
    // The last of two would win, silently: another config, another learner.
    const option = options[token.name];
    if (option.type === 'string' && !('multiple' in option) && given.has(token.name))
      fail(
        token.rawName,
        `is given twice ("${given.get(token.name) ?? ''}", then "${token.value ?? ''}"): only the last would be read`,
        `Give ${token.rawName} once; see optin --help.`,
      );
    given.set(token.name, token.value);
  }
  const stray = tokens.filter((t) => t.kind === 'positional')[2];
  if (stray?.kind === 'positional')
    fail(
      stray.value,
      `is not an argument of optin ${command}`,
      command === 'audit'
        ? `Give the config as --config ${stray.value}; see optin --help.`
        : `Give one config file: optin ${command} [config]; see optin --help.`,
    );
}

/** Every option of every command, as `parseArgs` reads them. */
const options = {
  config: { type: 'string' },
  'import-timeout': { type: 'string', default: String(defaultImportTimeoutMs) },
  'thread-timeout': { type: 'string', default: String(defaultThreadTimeoutMs) },
  member: { type: 'string' },
  format: { type: 'string', default: 'md' },
  consent: { type: 'string', default: 'none' },
  refuse: { type: 'string', multiple: true, default: [] as string[] },
  json: { type: 'boolean', default: false },
  mode: { type: 'string', default: 'opt-in' },
  gpc: { type: 'boolean', default: false },
  site: { type: 'string' },
  wait: { type: 'string', default: '2000' },
  'no-interact': { type: 'boolean', default: false },
  settle: { type: 'string', default: '10000' },
  'cookie-name': { type: 'string', default: 'optin' },
  resolve: { type: 'string', multiple: true, default: [] as string[] },
  'ignore-https-errors': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'v', default: false },
} satisfies NonNullable<ParseArgsConfig['options']>;

/** `parseArgs` with its errors (`Unknown option '--strict'`) as usage errors naming the option. */
function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, tokens: true, options });
  } catch (cause) {
    const { message } = describe(cause);
    throw new CliError(
      'invalid_argument',
      [{ path: /'(-[^' ]+)/.exec(message)?.[1] ?? 'arguments', message: message.split('. ')[0] ?? message }],
      'See optin --help for the options of each command.',
      { cause },
    );
  }
}

/**
 * Whether the command line asks a command that answers in JSON for it (`validate --json`, `audit
 * --json`), read leniently before anything is checked, so that a usage error is JSON too.
 */
function wantsJson(argv: string[]): boolean {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: false, options });
  return values.json === true && (positionals[0] === 'validate' || positionals[0] === 'audit');
}

/**
 * {@link loadConfig}, whose hint for a config it cannot find gives the config as `command` takes it;
 * the file found is kept, so that an error the config throws later is told as its own. A config that
 * blocks Node's thread as it is imported, or later (a timer of its own), is answered by a watchdog
 * thread ({@link watchThread}), until the process ends.
 */
const load = async (command: string, path: string | undefined, importTimeoutMs: number, threadTimeoutMs: number) => {
  try {
    configFile = findConfig(path);
  } catch (error) {
    if (isInstance(error, CliError) && error.code === 'config_not_found')
      throw new CliError(
        error.code,
        error.issues,
        `Give the config file (or its directory) as ${command === 'audit' ? 'optin audit <url> --config' : `optin ${command}`} path/to/optin.config.mjs, set OPTIN_CONFIG, or run from the directory that holds it.`,
        { cause: error },
      );
    throw error;
  }
  const file = configFile;
  watchdog ??= watchThread(toAnswer(blockedImport(file, importTimeoutMs), command, json), importTimeoutMs);
  blockedAfterAnswer = toAnswer(blockedThread(file, threadTimeoutMs, true), undefined, false).stderr;
  threadBound = threadTimeoutMs;
  try {
    const config = await loadConfig(file, undefined, { importTimeoutMs });
    configLoaded = true;
    return config;
  } catch (error) {
    // Waited long enough: what keeps the process running will not let it end, so answer at once.
    importTimedOut ||= timedOut(error);
    throw error;
  } finally {
    // From now on the config's timers and callbacks run: a thread they block is answered as theirs
    // (unless optin answered already, an error the config threw as it was imported: see respond).
    if (!answered)
      watchdog.watch(toAnswer(blockedThread(file, threadTimeoutMs, false), command, json), threadTimeoutMs);
  }
};

/**
 * The config file the command reads, once found, whether it has finished loading, and whether it
 * did not in the time given (`--import-timeout`).
 */
let configFile: string | undefined;
let configLoaded = false;
let importTimedOut = false;
/**
 * The watchdog of Node's thread, from the config's import on, what it tells once optin answered, and
 * how long the thread may be blocked once the config is imported (`--thread-timeout`).
 */
let watchdog: ThreadWatchdog | undefined;
let blockedAfterAnswer = '';
let threadBound = defaultThreadTimeoutMs;

async function main(argv: string[]): Promise<Answer> {
  const { values, positionals, tokens } = parse(argv);
  const [command, target] = positionals;
  if (values.version) {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    return { stdout: `${pkg.version}\n`, stderr: '', code: 0 };
  }
  if (values.help) return { stdout: `${usage}\n`, stderr: '', code: 0 };
  // `optin` alone is a usage error: the usage goes where errors go.
  if (!command) return { stdout: '', stderr: `${usage}\n`, code: 2 };
  if (!Object.hasOwn(commandOptions, command))
    fail('command', `"${command}" is not a command`, 'Use validate, declare or audit (optin --help).');
  checkArguments(command, tokens);
  const configPath = command === 'audit' ? values.config : configOf(command, target, values.config);
  if (command === 'audit' && values.config === '')
    fail('--config', 'is empty', 'Give the config file (or its directory): --config path/to/optin.config.mjs.');
  const duration = (option: 'import-timeout' | 'thread-timeout' | 'wait' | 'settle', range: [number, number]) =>
    milliseconds(`--${option}`, values[option], range, options[option].default);
  const importTimeoutMs = duration('import-timeout', [1, 600_000]);
  const threadTimeoutMs = duration('thread-timeout', [1, 600_000]);

  if (command === 'validate') {
    const config = await load(command, configPath, importTimeoutMs, threadTimeoutMs);
    const trackers = config.platform.trackers.length + config.members.reduce((n, m) => n + m.trackers.length, 0);
    if (values.json) {
      const policy = { id: config.policy.id, version: config.policy.version };
      const summary = { valid: true, policy, members: config.members.length, trackers, problems: [] };
      return { stdout: `${JSON.stringify(summary, null, 2)}\n`, stderr: '', code: 0 };
    }
    return {
      stdout: `✓ valid: policy ${config.policy.id}@${config.policy.version}, ${config.members.length} Member(s), ${trackers} tracker(s)\n`,
      stderr: '',
      code: 0,
    };
  }

  if (command === 'declare') {
    const config = await load(command, configPath, importTimeoutMs, threadTimeoutMs);
    if (values.member !== undefined && !config.members.some((m) => m.id === values.member))
      fail(
        '--member',
        `"${values.member}" is not a Member of the config`,
        `Use one of: ${config.members.map((m) => m.id).join(', ') || '(no Members)'}.`,
      );
    const renderers = { md: declarationToMarkdown, json: declarationToJson, html: declarationToHtml };
    const render = Object.hasOwn(renderers, values.format)
      ? renderers[values.format as keyof typeof renderers]
      : undefined;
    if (!render) return fail('--format', `"${values.format}" is not a format`, 'Use md, json or html.');
    return { stdout: `${render(buildDeclaration(config, values.member))}\n`, stderr: '', code: 0 };
  }

  // audit, the one command left
  if (!target) return fail('url', 'missing', 'Give the page to audit: optin audit https://www.edx.org/.');
  const waitMs = duration('wait', [0, 60_000]);
  const settleMs = duration('settle', [0, 120_000]);
  const mode = values.mode === 'opt-in' || values.mode === 'opt-out' ? values.mode : null;
  if (!mode)
    return fail(
      '--mode',
      `"${values.mode}" is not a consent mode`,
      'Use opt-in or opt-out, as the site creates its consent store.',
    );
  const consent =
    values.consent === 'none' || values.consent === 'all'
      ? values.consent
      : values.consent
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean);
  // `--consent ''` or `,,,`: no purpose named, which is no learner that was meant (none, or all?).
  if (!consent.length)
    fail(
      '--consent',
      'is empty',
      'Use none, all, or a comma-separated list of purposes (--consent analytics,marketing).',
    );
  const refused = parseRefusals(values.refuse);
  // Loaded only to audit: validate and declare start without Playwright (seconds on a busy machine).
  const { audit } = await import('./audit.js');
  const report = await audit(target, {
    config: await load(command, configPath, importTimeoutMs, threadTimeoutMs),
    consent,
    refused,
    mode,
    gpc: values.gpc,
    waitMs,
    interact: !values['no-interact'],
    settleMs,
    cookieName: values['cookie-name'],
    hostRules: values.resolve,
    ignoreHttpsErrors: values['ignore-https-errors'],
    ...(values.site !== undefined && { site: values.site }),
  });
  return {
    stdout: values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report),
    stderr: '',
    code: report.findings.length ? 1 : 0,
  };
}

/**
 * The config `validate` or `declare` reads: its argument or `--config`, never both, and never an
 * empty one (which would read the config in the working directory instead).
 */
function configOf(command: string, target: string | undefined, option: string | undefined): string | undefined {
  if (target === '' || option === '')
    fail(
      target === '' ? 'config' : '--config',
      'is empty',
      `Give the config file (or its directory): optin ${command} path/to/optin.config.mjs, or leave it out to read the one here.`,
    );
  if (target !== undefined && option !== undefined)
    fail('--config', `gives a second config besides ${target}`, `Give one config: optin ${command} ${target}.`);
  return target ?? option;
}

/** How long the answer waits, once ready, for a config that keeps the process busy (an open socket, a timer). */
const lingerMs = 2000;

/**
 * The answer's own way to stdout. What the config prints as optin imports and runs it (`console.log`,
 * `.info`, `.debug`, `.dir`, `.table`, `process.stdout.write`) goes to stderr instead, so that stdout
 * carries the answer alone (its JSON with `--json`); so until the process ends, so that a timer or an
 * 'exit' listener of the config's that prints cannot add to the answer either.
 */
const writeAnswer = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr);

let answered = false;
/** The command's exit code once it answered, raised by an error of the config's after: never the config's own. */
let status = 0;
/** Whether optin itself ends the process (its answer written, a reader that stopped reading). */
let ending = false;
/** Whether the config ended the process while the answer was being written (and said so). */
let cutOff = false;

/** Node's process.exit as optin found it: a config that replaces it cannot keep the process running. */
const processExit = process.exit.bind(process);
/** What is still being told on stderr (a config's error after the answer): the process ends once it is. */
let telling: Promise<unknown> = Promise.resolve();

/** Ends the process, with the command's exit code, once every late error is told. */
function exit(): void {
  ending = true;
  void telling.finally(() => processExit(status));
}

/** Raises the exit code to `code` (an error of the config's after the answer): never lowers it. */
function raise(code: number): void {
  status = Math.max(status, code);
  process.exitCode = status;
}

/**
 * Prints `answer` and sets the exit code, once; `thenExit`, ends the process when it is written,
 * whatever the config still has running (with the exit code a config's error raised meanwhile).
 */
function respond(answer: Answer, thenExit: boolean): void {
  if (answered) return;
  answered = true;
  status = answer.code;
  process.exitCode = status;
  // The answer is being written: a thread blocked from now on is told on stderr, never more on stdout.
  watchdog?.watch({ stdout: '', stderr: blockedAfterAnswer }, threadBound);
  if (answer.stderr) process.stderr.write(answer.stderr);
  if (thenExit) writeAnswer(answer.stdout, exit);
  else writeAnswer(answer.stdout);
}

/**
 * An error that comes once the answer is printed (the config's timer fired while it was written):
 * told on stderr after it, as `error <code>`, and the exit code raised to its own, never swallowed.
 */
function tellLate(error: unknown): void {
  const late = toAnswer(error, undefined, false);
  raise(late.code);
  process.stderr.write(late.stderr);
}

/**
 * optin's own handling of an error failed (nothing should make it): it answers `internal_error`
 * (when it has not answered yet) and ends, exit 2 at least, never with an error of its own, which
 * would come back to it.
 */
function giveUp(): void {
  try {
    const error = new CliError(
      'internal_error',
      [{ path: command ?? 'optin', message: 'optin could not tell what went wrong' }],
      'Run the command again, and report it if it fails the same way.',
    );
    if (answered) tellLate(error);
    else respond(toAnswer(error, command, json), false);
  } catch {
    // nothing more can be said
  }
  raise(2);
  exit();
}

const argv = process.argv.slice(2);
const json = wantsJson(argv);
const command = parseArgs({ args: argv, allowPositionals: true, strict: false, options }).positionals[0];
let ready: Answer | undefined;

// A reader that stops reading (`optin declare | head -c 100`) is no error of ours.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') exit();
  else throw error;
});
// Nor is one of stderr (`2>&1 | head`, a logger that died), nor the config's as it logs there: what
// cannot be told there is lost, and the answer goes on (telling it there would fail again, forever).
process.stderr.on('error', () => undefined);
// The answer waits until nothing is left to run, so that a config that fails later (a promise it
// never handled, a timer that throws) is told as one answer, never "valid" and a stack trace after.
process.on('beforeExit', () => {
  if (ready) respond(ready, true);
});
/**
 * An error nothing caught (a timer's, a callback's) or a promise's rejection nothing handled, at any
 * time of the run, after the answer too: never swallowed, nor a stack trace. The config's (unless
 * the audit is under way and it is an Error no frame of the config's threw) is told as its `import_failed`.
 * Whatever was thrown, telling it throws nothing (which would come back here): else optin gives up.
 */
function unhandled(error: unknown, timing: 'unhandled_rejection' | 'uncaught_exception'): void {
  try {
    // optin and Playwright throw Errors only: a value that is no Error (`throw null`) is the config's.
    if (
      configFile &&
      (command !== 'audit' || !configLoaded || !describe(error).error || userFrame(error, configFile))
    ) {
      // Failed from now on, whenever the words below are written.
      if (answered) raise(1);
      const told = importFailure(configFile, error, timing)
        .then((failure) => (answered ? tellLate(failure) : respond(toAnswer(failure, command, json), true)))
        .catch(giveUp);
      telling = Promise.all([telling, told]);
    } else if (answered) tellLate(error);
    else respond(toAnswer(error, command, json), true);
  } catch {
    giveUp();
  }
}
process.on('uncaughtException', (error) => unhandled(error, 'uncaught_exception'));
// The reason itself (`Promise.reject(null)`), not Node's words around one that is no Error.
process.on('unhandledRejection', (reason) => unhandled(reason, 'unhandled_rejection'));

/**
 * The process ends with `code` and optin did not end it: the config did (process.exit). Before the
 * answer, that is the answer (its exit code, 0 would pass a config never read, is never the
 * command's); while the answer is still being written, the answer is cut off: said on stderr, and
 * the exit code is 1 at least.
 */
function ended(code: number): void {
  if (ending || !configFile) return;
  if (!answered)
    respond(toAnswer(endedProcess(configFile, code, configLoaded ? 'later' : 'import'), command, json), false);
  else if (!cutOff && process.stdout.writableLength > 0) {
    cutOff = true;
    tellLate(endedProcess(configFile, code, 'answering'));
  }
}
process.on('exit', ended);
// Node's own end of the process, which process.exit() calls once the 'exit' listeners ran (and a
// config may call itself): once optin answered, the process ends with the command's exit code,
// whatever the config set meanwhile (process.exitCode, in an 'exit' listener of its own).
const node = process as unknown as { reallyExit: (code?: number) => never };
const reallyExit = node.reallyExit.bind(process);
node.reallyExit = (code?: number) => {
  ended(code ?? 0);
  return reallyExit(answered ? status : code);
};

void main(argv)
  .catch((error: unknown) => toAnswer(error, command, json))
  .then((answer) => {
    // A config that did not finish importing in time keeps the process running: nothing to wait for.
    if (importTimedOut) {
      respond(answer, true);
      return;
    }
    // Ready on the next turn of the event loop, after which 'beforeExit' comes (again, when it came
    // as a config never finished importing) once nothing is left to run.
    setImmediate(() => {
      ready = answer;
    });
    // Waits no longer for a config that keeps the process running, and says so: what it throws
    // later is not seen. (An audit gave the config the whole audit to fail, and told what it threw.)
    setTimeout(() => {
      if (!answered && configFile && command !== 'audit')
        process.stderr.write(
          `note: ${configFile} still had work scheduled (a timer, an open connection) ${String(lingerMs / 1000)} s after optin was ready to answer: optin answered without waiting for it, so an error it throws later is not reported. A config should do nothing once imported.\n`,
        );
      respond(answer, true);
    }, lingerMs).unref();
  })
  .catch(giveUp);
