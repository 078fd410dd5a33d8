import { randomUUID } from 'node:crypto';
import { realpathSync, rmSync, writeFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Message } from 'esbuild';
import { CliError } from './errors.js';
import { isInstance } from './thrown.js';

/** A config written in TypeScript (`optin.config.ts|mts|cts`), which plain Node cannot import. */
export const isTypeScript = (file: string): boolean => /\.[mc]?ts$/.test(file);

/**
 * Imports a TypeScript config in plain Node: esbuild strips its types and bundles the config's own
 * relative imports into one ES module (packages stay external), written beside the file so that
 * those packages resolve as the file's own would, imported, and removed. A file esbuild cannot
 * compile is a {@link CliError} `invalid_config` naming `file:line:column` of each error. Types are
 * not checked (run `tsc` for that); a value of the wrong shape is reported by `validateConfig`. An
 * error thrown as it is imported names the TypeScript files, lines and columns in its stack, not the
 * compiled module's.
 */
export async function importTypeScript(file: string): Promise<unknown> {
  const dir = dirname(file);
  const compiled = join(dir, `.${randomUUID()}.optin.config.mjs`);
  let code: string;
  let map: string | undefined;
  try {
    const result = await build({
      entryPoints: [file],
      absWorkingDir: dir,
      bundle: true,
      packages: 'external',
      format: 'esm',
      platform: 'node',
      target: 'node20',
      write: false,
      // The map of each place of the compiled module to the TypeScript source, kept in memory.
      outfile: compiled,
      sourcemap: 'external',
      sourcesContent: false,
      logLevel: 'silent',
      // A `.cts` config (or a CommonJS helper it imports) may `require` packages.
      banner: {
        js: "import { createRequire as __optinRequire } from 'node:module'; const require = __optinRequire(import.meta.url);",
      },
    });
    code = result.outputFiles.find((f) => f.path.endsWith('.mjs'))?.text ?? '';
    map = result.outputFiles.find((f) => f.path.endsWith('.map'))?.text;
  } catch (cause) {
    const errors = (cause as { errors?: Message[] }).errors ?? [];
    throw new CliError(
      'invalid_config',
      errors.length
        ? errors.map((e) => ({
            path: e.location ? `${resolve(dir, e.location.file)}:${e.location.line}:${e.location.column + 1}` : file,
            code: 'syntax_error' as const,
            message: e.text,
          }))
        : [{ path: file, code: 'import_failed', message: cause instanceof Error ? cause.message : String(cause) }],
      `Fix the TypeScript syntax of ${file} at the places listed so that it compiles.`,
      { cause },
    );
  }
  try {
    writeFileSync(compiled, code);
  } catch (cause) {
    throw new CliError(
      'invalid_config',
      [
        {
          path: compiled,
          code: 'import_failed',
          message: `cannot write the compiled config beside ${file}: ${(cause as Error).message}`,
        },
      ],
      'Run optin where the directory of the config is writable, or compile the config to optin.config.mjs yourself.',
      { cause },
    );
  }
  // Removed however the import ends: a config that calls process.exit(), or Ctrl-C while it waits.
  const remove = () => rmSync(compiled, { force: true });
  const interrupted = (signal: NodeJS.Signals) => {
    remove();
    for (const s of signals) process.off(s, interrupted);
    // What the signal would have done had no one listened: end the process.
    process.kill(process.pid, signal);
  };
  process.on('exit', remove);
  for (const s of signals) process.once(s, interrupted);
  compiledModules.push({ compiled, file, map });
  try {
    return (await import(pathToFileURL(compiled).href)) as unknown;
  } catch (error) {
    // Name the user's file, not the compiled one that is about to disappear (unless the error
    // will not be changed: frozen, a message that is no string, a getter or a Proxy that throws).
    if (isInstance(error, Error))
      try {
        error.message = error.message.replaceAll(compiled, file);
        if (typeof error.stack === 'string') error.stack = toTypeScriptSource(error.stack);
      } catch {
        // told as it is
      }
    throw error;
  } finally {
    remove();
    process.off('exit', remove);
    for (const s of signals) process.off(s, interrupted);
  }
}

/** The signals that end the process by default, after which no compiled config is to be left behind. */
const signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Every TypeScript config compiled in this process, so that a stack naming it later can be mapped. */
const compiledModules: { compiled: string; file: string; map: string | undefined }[] = [];

/**
 * `stack` with every place in a TypeScript config's compiled module as its place in the source
 * (an error the config throws later too, in a timer, when the compiled module is gone).
 */
export function toTypeScriptSource(stack: string): string {
  return compiledModules.reduce(
    (mapped, { compiled, file, map }) => toSource(mapped, compiled, file, map).replaceAll(compiled, file),
    stack,
  );
}

/**
 * `stack` with each place in the `compiled` module (`file:///dir/.….optin.config.mjs:14:7`, as Node
 * names it: after symbolic links) as the place in the TypeScript source that `map` says it was
 * compiled from (`/dir/optin.config.ts:17:5`), or as `file` where it says nothing.
 */
function toSource(stack: string, compiled: string, file: string, map: string | undefined): string {
  if (!map) return stack;
  const sourceMap = new SourceMap(JSON.parse(map) as ConstructorParameters<typeof SourceMap>[0]);
  const names = new Set([compiled]);
  try {
    names.add(join(realpathSync(dirname(compiled)), basename(compiled)));
  } catch {
    // Its directory is gone (the config removed it): the compiled module is named as it was written.
  }
  // `at fn (place)` or `at place`: the function's name is no part of the place.
  return stack.replace(
    /^(\s+at (?:.*? \()?)(.+?):(\d+):(\d+)(\)?)$/gm,
    (_, head: string, where: string, line: string, column: string, tail: string) =>
      head + mapped(where, Number(line), Number(column), `${where}:${line}:${column}`) + tail,
  );

  function mapped(where: string, line: number, column: number, place: string): string {
    let path = where;
    try {
      if (where.startsWith('file:')) path = fileURLToPath(where);
    } catch {
      return place;
    }
    if (!names.has(path)) return place;
    const entry = sourceMap.findEntry(line - 1, column - 1) as {
      originalSource?: string;
      originalLine?: number;
      originalColumn?: number;
    };
    // A place the map does not cover is the config, at no place that could be told.
    if (entry.originalSource === undefined || entry.originalLine === undefined || entry.originalColumn === undefined)
      return file;
    const source = entry.originalSource.startsWith('file:')
      ? fileURLToPath(entry.originalSource)
      : resolve(dirname(compiled), entry.originalSource);
    return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  }
}
