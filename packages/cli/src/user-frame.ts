import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toTypeScriptSource } from './import-typescript.js';

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
  let stack: unknown;
  try {
    stack = error instanceof Error ? error.stack : undefined;
  } catch {
    return undefined; // a stack that cannot be read names no place
  }
  if (typeof stack !== 'string') return undefined;
  const project = packageOf(realpathSync(file));
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
    if (/[\\/]node_modules[\\/]/.test(path) || dirname(path) === ownDir || !existsSync(path)) continue;
    if (packageOf(path) !== project) continue;
    // The config itself as it was named (a symbolic link), not as Node resolved it.
    return `${path === realpathSync(file) ? file : path}:${line}:${column}`;
  }
  return undefined;
}
