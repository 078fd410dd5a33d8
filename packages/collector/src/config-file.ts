import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { edxPolicy } from '@optin/consent';
import { CollectorError } from './errors.js';

const candidates = ['optin.config.mjs', 'optin.config.js', 'optin.config.cjs', 'optin.config.json', 'optin.config.ts'];

/**
 * Loads `optin.config.*`: the file `OPTIN_CONFIG` names, or the first of `optin.config.mjs|js|cjs|json|ts`
 * in `cwd` (a `.ts` file needs a runtime that imports TypeScript, e.g. `node --import tsx`). Its
 * default export (or `config` export) is returned unvalidated. Without any file, the edX policy
 * with no Members is used, so a first run works out of the box.
 */
export async function loadConfigFile(path: string | undefined, cwd: string = process.cwd()): Promise<unknown> {
  const file = path ? resolve(cwd, path) : candidates.map((c) => resolve(cwd, c)).find((c) => existsSync(c));
  if (!file) return { policy: edxPolicy, members: [] };
  try {
    if (file.endsWith('.json')) return JSON.parse(readFileSync(file, 'utf8')) as unknown;
    const mod = (await import(pathToFileURL(file).href)) as { default?: unknown; config?: unknown };
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
