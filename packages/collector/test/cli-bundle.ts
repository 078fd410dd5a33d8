import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'esbuild';

const packageDir = join(import.meta.dirname, '..');

/** Where the CLI bundled from source lives for child-process tests. */
export const cliPath = join(packageDir, 'node_modules', '.cache', 'optin-collector-test', 'cli.mjs');

/**
 * Bundles `src/<entry>.ts` the way tsup does (dependencies stay external) into the test cache (or
 * `outfile`) and returns the bundle's path, so tests need no prior build.
 */
export async function bundleSource(
  entry: string,
  outfile = join(packageDir, 'node_modules', '.cache', 'optin-collector-test', `${entry}.mjs`),
): Promise<string> {
  await build({
    entryPoints: [join(packageDir, `src/${entry}.ts`)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

/** Bundles the CLI to {@link cliPath}. */
export async function bundleCli(): Promise<void> {
  await bundleSource('cli');
}

/** Starts `optin-collector serve` and resolves once it listens; `output()` is what it has printed so far. */
export function startCli(
  env: Record<string, string>,
  cwd: string,
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, 'serve'], {
      cwd,
      env: { ...process.env, PORT: '0', OPTIN_GEO: 'off', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/[\d.:]+)/.exec(out);
      if (match?.[1]) resolve({ child, url: match[1], output: () => out });
    });
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`collector exited (${code}) before listening: ${out}`)));
  });
}

/** Runs a CLI command to completion; resolves to its exit code and output. */
export function runCli(
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const { child, output } = spawnCli(args, env, cwd);
    child.once('exit', (code) => resolve({ code, out: output() }));
  });
}

/** Starts a CLI command that runs until stopped (`load`); `output()` is what it has printed so far. */
export function spawnCli(
  args: string[],
  env: Record<string, string>,
  cwd: string,
): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [cliPath, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return { child, output: () => out };
}
