import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Message } from 'esbuild';
import { CliError } from './errors.js';

/** A config written in TypeScript (`optin.config.ts|mts|cts`), which plain Node cannot import. */
export const isTypeScript = (file: string): boolean => /\.[mc]?ts$/.test(file);

/**
 * Imports a TypeScript config in plain Node: esbuild strips its types and bundles the config's own
 * relative imports into one ES module (packages stay external), written beside the file so that
 * those packages resolve as the file's own would, imported, and removed. A file esbuild cannot
 * compile is a {@link CliError} `invalid_config` naming `file:line:column` of each error. Types are
 * not checked (run `tsc` for that); a value of the wrong shape is reported by `validateConfig`.
 */
export async function importTypeScript(file: string): Promise<unknown> {
  const dir = dirname(file);
  let code: string;
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
      logLevel: 'silent',
      // A `.cts` config (or a CommonJS helper it imports) may `require` packages.
      banner: {
        js: "import { createRequire as __optinRequire } from 'node:module'; const require = __optinRequire(import.meta.url);",
      },
    });
    code = result.outputFiles[0]?.text ?? '';
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
  const compiled = join(dir, `.${randomUUID()}.optin.config.mjs`);
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
  try {
    return (await import(pathToFileURL(compiled).href)) as unknown;
  } catch (error) {
    // Name the user's file, not the compiled one that is about to disappear.
    if (error instanceof Error) error.message = error.message.replaceAll(compiled, file);
    throw error;
  } finally {
    rmSync(compiled, { force: true });
  }
}
