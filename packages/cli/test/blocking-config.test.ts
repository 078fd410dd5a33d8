import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';

// The built binary in plain Node, as a user runs it, on configs that block Node's one thread as they
// are imported: no timer of optin's can fire then, so only its watchdog thread can end the process.
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'optin-blocking-config-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const fixture = fileURLToPath(new URL('./fixtures/optin.config.mjs', import.meta.url));
const sound = `export { default } from ${JSON.stringify(fixture)};\n`;

/**
 * The CLI on `source` written as `name`, with `--import-timeout 1000`; stdin stays open and empty.
 * Killed after 20 s with SIGTERM (a CLI that hangs never answers): the watchdog's is SIGKILL.
 */
const run = (name: string, source: string, ...args: string[]) => {
  const file = join(scratch, name);
  writeFileSync(file, source);
  return new Promise<{ file: string; code: number | null; signal: string | null; stdout: string; stderr: string }>(
    (resolve) => {
      execFile(
        process.execPath,
        [cli, 'validate', file, '--import-timeout', '1000', ...args],
        { cwd: scratch, env: { ...process.env, NODE_OPTIONS: '' }, timeout: 20_000 },
        (error, stdout, stderr) =>
          resolve({
            file,
            code: error ? (typeof error.code === 'number' ? error.code : null) : 0,
            signal: error?.signal ?? null,
            stdout,
            stderr,
          }),
      );
    },
  );
};

const fifo = join(scratch, 'pipe');
const blockers = [
  ['an endless loop', 'loop.config.mjs', 'while (true) {}\n'],
  [
    'a synchronous read of a named pipe no one writes to',
    'fifo.config.mjs',
    `import { readFileSync } from 'node:fs';\nreadFileSync(${JSON.stringify(fifo)});\n${sound}`,
  ],
  [
    'a synchronous read of stdin that never ends',
    'stdin.config.mjs',
    `import { readFileSync } from 'node:fs';\nreadFileSync(0);\n${sound}`,
  ],
] as const;

describe.skipIf(process.platform === 'win32')('a config that blocks Node’s thread as it is imported', () => {
  execFileSync('mkfifo', [fifo]);
  for (const [what, name, source] of blockers)
    test(`${what}: optin says so on stderr and ends the process (SIGKILL), never hangs`, async () => {
      const { file, code, signal, stdout, stderr } = await run(name, source);
      // Before the watchdog: still running when killed after 20 s (SIGTERM), having said nothing.
      expect([code, signal]).toEqual([null, 'SIGKILL']);
      expect(stdout).toBe(
        [
          '✗ 1 problem(s)',
          `  ${file} [import_failed]: did not finish importing within 1 s, and kept Node's thread busy all that time: the config blocks Node's thread at import (a synchronous read of stdin or a FIFO, an endless loop), so optin ended the process (SIGKILL, exit status 137)`,
          `Make the import of ${file} finish: read no stdin nor named pipe synchronously as it is imported, and end every loop; if it is only slow to load, give it longer with --import-timeout <ms> (default 30000).`,
          '',
        ].join('\n'),
      );
      expect(stderr).toBe('');
    });

  test('with --json, the answer is the JSON of the problem, as for any config that does not import', async () => {
    const { file, signal, stdout } = await run('loop-json.config.mjs', 'while (true) {}\n', '--json');
    expect(signal).toBe('SIGKILL');
    expect(JSON.parse(stdout)).toMatchObject({
      valid: false,
      problems: [{ path: file, code: 'import_failed', message: expect.stringContaining("blocks Node's thread") }],
    });
  });

  test('declare tells it on stderr as error invalid_config', async () => {
    const file = join(scratch, 'declare-loop.config.mjs');
    writeFileSync(file, 'while (true) {}\n');
    const result = await new Promise<{ signal: string | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [cli, 'declare', file, '--import-timeout', '1000'],
        { cwd: scratch, env: { ...process.env, NODE_OPTIONS: '' }, timeout: 20_000 },
        (error, stdout, stderr) => resolve({ signal: error?.signal ?? null, stdout, stderr }),
      );
    });
    expect(result).toEqual({
      signal: 'SIGKILL',
      stdout: '',
      stderr: expect.stringMatching(
        new RegExp(
          `^error invalid_config\\n  \\S+declare-loop\\.config\\.mjs \\[import_failed\\]: did not finish importing`,
        ),
      ),
    });
  });
});

describe('a config that does not block the thread', () => {
  test('is answered as before: a sound config is valid, exit 0, nothing said on stderr', async () => {
    const { code, signal, stdout, stderr } = await run('sound.config.mjs', sound);
    expect([code, signal, stdout, stderr]).toEqual([
      0,
      null,
      '✓ valid: policy edx@2026-11, 2 Member(s), 3 tracker(s)\n',
      '',
    ]);
  });

  test('a busy import shorter than the bound (a synchronous loop of 300 ms) loads', async () => {
    const { code, stdout } = await run(
      'busy.config.mjs',
      `const end = Date.now() + 300;\nwhile (Date.now() < end) {}\n${sound}`,
    );
    expect([code, stdout]).toEqual([0, '✓ valid: policy edx@2026-11, 2 Member(s), 3 tracker(s)\n']);
  });

  test('an await that never settles while a timer runs is still the usual import_failed, exit 1: optin, not the watchdog, ends it', async () => {
    const { code, signal, stdout } = await run(
      'stalled.config.mjs',
      'setInterval(() => {}, 1000);\nawait new Promise(() => {});\n',
    );
    expect([code, signal]).toEqual([1, null]);
    expect(stdout).toContain('did not finish loading within 1 s: a top-level await');
  });
});
