import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildDeclaration, declarationToHtml, declarationToJson, declarationToMarkdown } from '@optin/members';
import { audit } from './audit.js';
import { parseRefusals } from './audit-options.js';
import { CliError, type CliIssue } from './errors.js';
import { formatReport } from './format-report.js';
import { loadConfig } from './load-config.js';

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
optin.config.mjs|js|cjs|ts|mts here (TypeScript runs as is).
With --json, validate and audit print JSON on stdout, an error too: { "error": { code, issues, hint } }.
Exit codes: 0 clean, 1 findings or config problems, 2 usage or runtime error.`;

/**
 * A problem as the words on stdout and stderr show it: `  members[1].orgs[0] [already_owned]: …`,
 * with the call that threw it when it was thrown as the config was imported (`… at optin.config.mjs:12:5: …`).
 */
const line = (i: CliIssue) =>
  `  ${i.path || '(config)'}${i.code ? ` [${i.code}]` : ''}${i.at ? ` at ${i.at}` : ''}: ${i.message}`;

const fail = (option: string, message: string, hint: string): never => {
  throw new CliError('invalid_argument', [{ path: option, message }], hint);
};

/** The options each command takes besides `--help` and `--version`. */
const commandOptions: Readonly<Record<string, readonly string[]>> = {
  validate: ['config', 'json'],
  declare: ['config', 'member', 'format'],
  audit: [
    'config',
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
  for (const token of tokens)
    if (token.kind === 'option' && !['help', 'version', ...allowed].includes(token.name))
      fail(
        token.rawName,
        `is not an option of optin ${command}`,
        `${command === 'declare' && token.name === 'json' ? 'Use --format json; see' : 'See'} optin --help for the options of each command.`,
      );
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

/** `parseArgs` with its errors (`Unknown option '--strict'`) as usage errors naming the option. */
function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      tokens: true,
      options: {
        config: { type: 'string' },
        member: { type: 'string' },
        format: { type: 'string', default: 'md' },
        consent: { type: 'string', default: 'none' },
        refuse: { type: 'string', multiple: true, default: [] },
        json: { type: 'boolean', default: false },
        mode: { type: 'string', default: 'opt-in' },
        gpc: { type: 'boolean', default: false },
        site: { type: 'string' },
        wait: { type: 'string', default: '2000' },
        'no-interact': { type: 'boolean', default: false },
        settle: { type: 'string', default: '10000' },
        'cookie-name': { type: 'string', default: 'optin' },
        resolve: { type: 'string', multiple: true, default: [] },
        'ignore-https-errors': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new CliError(
      'invalid_argument',
      [{ path: /'(-[^' ]+)/.exec(message)?.[1] ?? 'arguments', message: message.split('. ')[0] ?? message }],
      'See optin --help for the options of each command.',
      { cause },
    );
  }
}

/** {@link loadConfig}, whose hint for a config it cannot find gives the config as `command` takes it. */
const load = (command: string, path: string | undefined) =>
  loadConfig(path).catch((error: unknown) => {
    if (error instanceof CliError && error.code === 'config_not_found')
      throw new CliError(
        error.code,
        error.issues,
        `Give the config file (or its directory) as ${command === 'audit' ? 'optin audit <url> --config' : `optin ${command}`} path/to/optin.config.mjs, set OPTIN_CONFIG, or run from the directory that holds it.`,
        { cause: error },
      );
    throw error;
  });

/**
 * Whether the command was asked for JSON and takes it (`validate --json`, `audit --json`): an error
 * is then JSON on stdout too, for CI to read. Set once the arguments are read.
 */
let answerInJson = false;

async function main(argv: string[]): Promise<number> {
  const { values, positionals, tokens } = parse(argv);
  const [command, target] = positionals;
  if (values.version) {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  if (values.help || !command) {
    process.stdout.write(`${usage}\n`);
    return command || values.help ? 0 : 2;
  }
  if (!Object.hasOwn(commandOptions, command))
    fail('command', `"${command}" is not a command`, 'Use validate, declare or audit (optin --help).');
  checkArguments(command, tokens);
  answerInJson = values.json;

  if (command === 'validate') {
    const config = await load(command, target ?? values.config).catch((error: unknown) => {
      if (error instanceof CliError && error.code === 'invalid_config') return error;
      throw error;
    });
    if (config instanceof CliError) {
      if (values.json) {
        process.stdout.write(
          `${JSON.stringify({ valid: false, problems: config.issues, hint: config.hint }, null, 2)}\n`,
        );
        return 1;
      }
      process.stdout.write(
        `✗ ${config.issues.length} problem(s)\n${config.issues.map(line).join('\n')}\n${config.hint}\n`,
      );
      return 1;
    }
    const trackers = config.platform.trackers.length + config.members.reduce((n, m) => n + m.trackers.length, 0);
    if (values.json) {
      const policy = { id: config.policy.id, version: config.policy.version };
      const summary = { valid: true, policy, members: config.members.length, trackers, problems: [] };
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(
      `✓ valid: policy ${config.policy.id}@${config.policy.version}, ${config.members.length} Member(s), ${trackers} tracker(s)\n`,
    );
    return 0;
  }

  if (command === 'declare') {
    const config = await load(command, target ?? values.config);
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
    process.stdout.write(`${render(buildDeclaration(config, values.member))}\n`);
    return 0;
  }

  // audit, the one command left
  if (!target) return fail('url', 'missing', 'Give the page to audit: optin audit https://www.edx.org/.');
  const waitMs = /^\d+$/.test(values.wait) ? Number(values.wait) : Number.NaN;
  if (!(waitMs <= 60_000)) fail('--wait', `"${values.wait}" is not a whole number of milliseconds`, 'Use 0 to 60000.');
  const settleMs = /^\d+$/.test(values.settle) ? Number(values.settle) : Number.NaN;
  if (!(settleMs <= 120_000))
    fail('--settle', `"${values.settle}" is not a whole number of milliseconds`, 'Use 0 to 120000.');
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
  const refused = parseRefusals(values.refuse);
  const report = await audit(target, {
    config: await load(command, values.config),
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
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return report.findings.length ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof CliError) {
      if (answerInJson)
        process.stdout.write(
          `${JSON.stringify({ error: { code: error.code, issues: error.issues, hint: error.hint } }, null, 2)}\n`,
        );
      process.stderr.write(`error ${error.code}\n${error.issues.map(line).join('\n')}\n${error.hint}\n`);
    } else {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage}\n`);
    }
    // A config with problems is 1 for every command, as `validate` answers it.
    process.exitCode = error instanceof CliError && error.code === 'invalid_config' ? 1 : 2;
  },
);
