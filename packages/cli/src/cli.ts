import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildDeclaration, declarationToHtml, declarationToJson, declarationToMarkdown } from '@optin/members';
import { audit } from './audit.js';
import { CliError } from './errors.js';
import { formatReport } from './format-report.js';
import { loadConfig } from './load-config.js';

const usage = `Usage: optin <command> [options]

  optin validate [config]                      every problem of the config, with its path
  optin declare [config] [--member X] [--format md|json|html]
                                               the list of third parties, for the platform or one Member
  optin audit <url> [--config F] [--consent none|all|<purpose,…>] [--json]
             [--site edx.org] [--wait 2000] [--cookie-name optin]
             [--resolve "MAP *.edx.org 127.0.0.1"]… [--ignore-https-errors]
                                               opens the page in headless Chromium and reports anything
                                               that ran or was set without consent or without a declaration

The config is the file given, else OPTIN_CONFIG, else optin.config.mjs|js|cjs|ts|mts here (TypeScript runs as is).
Exit codes: 0 clean, 1 findings or config problems, 2 usage or runtime error.`;

const fail = (option: string, message: string, hint: string): never => {
  throw new CliError('invalid_argument', [{ path: option, message }], hint);
};

/** `parseArgs` with its errors (`Unknown option '--strict'`) as usage errors naming the option. */
function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        member: { type: 'string' },
        format: { type: 'string', default: 'md' },
        consent: { type: 'string', default: 'none' },
        json: { type: 'boolean', default: false },
        site: { type: 'string' },
        wait: { type: 'string', default: '2000' },
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

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv);
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

  if (command === 'validate') {
    const config = await loadConfig(target ?? values.config).catch((error: unknown) => {
      if (error instanceof CliError && error.code === 'invalid_config') return error;
      throw error;
    });
    if (config instanceof CliError) {
      process.stdout.write(
        `✗ ${config.issues.length} problem(s)\n${config.issues.map((i) => `  ${i.path || '(config)'}: ${i.message}`).join('\n')}\n${config.hint}\n`,
      );
      return 1;
    }
    const trackers = config.platform.trackers.length + config.members.reduce((n, m) => n + m.trackers.length, 0);
    process.stdout.write(
      `✓ valid: policy ${config.policy.id}@${config.policy.version}, ${config.members.length} Member(s), ${trackers} tracker(s)\n`,
    );
    return 0;
  }

  if (command === 'declare') {
    const config = await loadConfig(target ?? values.config);
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

  if (command === 'audit') {
    if (!target) return fail('url', 'missing', 'Give the page to audit: optin audit https://www.edx.org/.');
    const waitMs = /^\d+$/.test(values.wait) ? Number(values.wait) : Number.NaN;
    if (!(waitMs <= 60_000))
      fail('--wait', `"${values.wait}" is not a whole number of milliseconds`, 'Use 0 to 60000.');
    const consent =
      values.consent === 'none' || values.consent === 'all'
        ? values.consent
        : values.consent
            .split(',')
            .map((p) => p.trim())
            .filter(Boolean);
    const report = await audit(target, {
      config: await loadConfig(values.config),
      consent,
      waitMs,
      cookieName: values['cookie-name'],
      hostRules: values.resolve,
      ignoreHttpsErrors: values['ignore-https-errors'],
      ...(values.site !== undefined && { site: values.site }),
    });
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return report.findings.length ? 1 : 0;
  }

  return fail('command', `"${command}" is not a command`, 'Use validate, declare or audit (optin --help).');
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof CliError) {
      process.stderr.write(
        `error ${error.code}\n${error.issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}\n${error.hint}\n`,
      );
    } else {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage}\n`);
    }
    // A config with problems is 1 for every command, as `validate` answers it.
    process.exitCode = error instanceof CliError && error.code === 'invalid_config' ? 1 : 2;
  },
);
