import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toTypeScriptSource } from './import-typescript.js';
import { describe } from './thrown.js';

/** The directory of the CLI's own modules: a frame there is never the config's. */
const ownDir = dirname(fileURLToPath(import.meta.url));

/** The directory of the `package.json` nearest to `path` (its package), or `''` where there is none. */
function packageOf(path: string): string {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return '';
  }
}

/**
 * Where the config's own code (`file`, or a module of its project it imports: a Member's file in a
 * split config) was when `error` was thrown, as `file:line:column`: the first frame of its stack
 * that is neither in Node, under `node_modules`, in the CLI, nor in another package than the
 * config's (a linked `@optin/*` package), a TypeScript config's as its source. So a problem a
 * package threw is located at the call the config made, and any error at the line that threw it.
 * `undefined` when no frame is the config's (a package it imports threw on its own).
 */
export function userFrame(error: unknown, file: string): string | undefined {
  // A stack that cannot be read (a getter, a Proxy that throws) names no place.
  const { error: isError, stack } = describe(error);
  if (!isError || stack === undefined) return undefined;
  let real = file;
  try {
    real = realpathSync(file);
  } catch {
    // A config that removed itself: its frames still name it.
  }
  const project = packageOf(real);
  for (const [, where = '', line, column] of toTypeScriptSource(stack).matchAll(
    /^\s+at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/gm,
  )) {
    let path = where;
    try {
      if (where.startsWith('file:')) path = fileURLToPath(where);
    } catch {
      continue;
    }
    if (!path.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(path)) continue; // node:internal, <anonymous>
    if (path === real) return `${file}:${line}:${column}`; // the config itself, as it was named (a symbolic link)
    if (/[\\/]node_modules[\\/]/.test(path) || dirname(path) === ownDir || !existsSync(path)) continue;
    if (packageOf(path) !== project) continue;
    return `${path}:${line}:${column}`;
  }
  return undefined;
}
