import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { transform } from 'esbuild';
import { edxPolicy } from '@optin/consent';
import { CollectorError } from './errors.js';

const candidates = ['optin.config.mjs', 'optin.config.js', 'optin.config.cjs', 'optin.config.json', 'optin.config.ts'];

/**
 * Loads `optin.config.*`: the file `OPTIN_CONFIG` names, or the first of `optin.config.mjs|js|cjs|json|ts`
 * in `cwd`. A `.ts` file is compiled (types stripped, by esbuild) to a module beside it, so that its
 * imports resolve as the file's own would, imported, and removed. Its default export (or `config`
 * export) is returned unvalidated. Without any file, the edX policy with no Members is used, so a
 * first run works out of the box.
 */
export async function loadConfigFile(path: string | undefined, cwd: string = process.cwd()): Promise<unknown> {
  const file = path ? resolve(cwd, path) : candidates.map((c) => resolve(cwd, c)).find((c) => existsSync(c));
  if (!file) return { policy: edxPolicy, members: [] };
  try {
    if (file.endsWith('.json')) return JSON.parse(readFileSync(file, 'utf8')) as unknown;
    const mod = (await (/\.m?ts$/.test(file) ? importTypeScript(file) : import(pathToFileURL(file).href))) as {
      default?: unknown;
      config?: unknown;
    };
    return mod.default ?? mod.config;
  } catch (cause) {
    throw new CollectorError(
      'invalid_config',
      [{ path: file, message: cause instanceof Error ? cause.message : String(cause) }],
      'Check that the file exists and exports the config (default export).',
      { cause },
    );
  }
}

/** Imports a TypeScript module: compiled to a module of its own beside it (removed once imported). */
async function importTypeScript(file: string): Promise<unknown> {
  const { code } = await transform(readFileSync(file, 'utf8'), { loader: 'ts', format: 'esm', sourcefile: file });
  const compiled = join(dirname(file), `.${randomUUID()}.optin.config.mjs`);
  writeFileSync(compiled, code);
  try {
    return (await import(pathToFileURL(compiled).href)) as unknown;
  } finally {
    rmSync(compiled, { force: true });
  }
}
