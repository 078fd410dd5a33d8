import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { validateConfig, type OptinConfig } from '@optin/members';
import { CliError, type CliIssue } from './errors.js';
import { hostDeclarationIssues } from './host-declarations.js';
import { importTypeScript, isTypeScript } from './import-typescript.js';

const candidates = ['optin.config.mjs', 'optin.config.js', 'optin.config.cjs', 'optin.config.ts', 'optin.config.mts'];

/**
 * Finds, imports and validates the one config: `path` when given, else `OPTIN_CONFIG`, else the
 * first of `optin.config.mjs|js|cjs|ts|mts` in `cwd` (a directory given is searched the same way; a
 * TypeScript file is compiled by esbuild, so plain Node imports it). Its default export (or `config`
 * export) must pass `validateConfig` and declare no wildcard host over a public suffix (`*.co.uk`);
 * otherwise a {@link CliError} lists every problem with its path.
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
      'Give the config file as an argument (--config optin.config.mjs) or run from the directory that holds it.',
    );
  let config: unknown;
  try {
    const mod = (await (isTypeScript(file) ? importTypeScript(file) : import(pathToFileURL(file).href))) as Record<
      string,
      unknown
    >;
    config = mod.default ?? mod.config;
    if (config === undefined)
      throw new CliError(
        'invalid_config',
        [
          {
            path: file,
            message: `has no default export${Object.keys(mod).length ? ` (it exports ${Object.keys(mod).join(', ')})` : ''}`,
          },
        ],
        `Export the config as the default export of ${file} (export default defineConfig({ … })), or as \`config\`.`,
      );
  } catch (cause) {
    // Already the error to give: a TypeScript config that does not compile (naming
    // `file:line:column`), or a module without a default export.
    if (cause instanceof CliError) throw cause;
    // defineConfig, defineTracker, an adapter or definePolicy threw while the file ran: their
    // issues name the paths (`members[1].orgs[0]`, `ga4.id`), so they are the problems to list.
    const thrown = issuesOf(cause);
    if (thrown)
      throw new CliError(
        'invalid_config',
        thrown.map((i) => ({ path: i.path || file, message: i.message })),
        `Fix ${file} at the paths listed (a ${(cause as Error).name} stopped its import; wildcard hosts over a public suffix are checked once it imports).`,
        { cause },
      );
    throw new CliError(
      'invalid_config',
      [{ path: file, message: cause instanceof Error ? cause.message : String(cause) }],
      'Fix the error above so that the file imports, and export the config as its default export.',
      { cause },
    );
  }
  const issues = [...validateConfig(config), ...hostDeclarationIssues(config)];
  if (issues.length)
    throw new CliError('invalid_config', issues, `Fix ${file} at the paths listed (defineConfig reports the same).`);
  return config as OptinConfig;
}

/**
 * The issues an error carries when a package of ours threw it (`MembersError`, `TrackerError`,
 * `ConsentError`: each has `issues`, every one with a `path` and a `message`), else `undefined`.
 * Read by shape, not by class: the config may import its own copy of the packages.
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
  return valid ? (issues as CliIssue[]) : undefined;
}
