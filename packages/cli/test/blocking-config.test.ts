import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { largeConfig } from './large-config.js';

// The built binary in plain Node, as a user runs it, on configs that block Node's one thread as they
// are imported: no timer of optin's can fire then, so only its watchdog thread can end the process.
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'optin-blocking-config-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const fixture = fileURLToPath(new URL('./fixtures/optin.config.mjs', import.meta.url));
const sound = `export { default } from ${JSON.stringify(fixture)};\n`;

/**
 * The CLI's `command` on `source` written as `name`, with `--import-timeout 1000 --thread-timeout 1000`
 * unless `args` give `--import-timeout`; stdin stays open and
 * empty. Killed after 20 s with SIGTERM (a CLI that hangs never answers): the watchdog's is SIGKILL.
 */
const runAs = (command: string, name: string, source: string, ...args: string[]) => {
  const file = join(scratch, name);
  writeFileSync(file, source);
  return new Promise<{ file: string; code: number | null; signal: string | null; stdout: string; stderr: string }>(
    (resolve) => {
      execFile(
        process.execPath,
        [
          cli,
          command,
          file,
          ...(args.includes('--import-timeout') ? [] : ['--import-timeout', '1000', '--thread-timeout', '1000']),
          ...args,
        ],
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

/** {@link runAs} with `validate`. */
const run = (name: string, source: string, ...args: string[]) => runAs('validate', name, source, ...args);

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
    const { signal, stdout, stderr } = await runAs('declare', 'declare-loop.config.mjs', 'while (true) {}\n');
    const result = { signal, stdout, stderr };
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

/** What validate answers on stdout when the config's timer blocks Node's thread after the import. */
const blockedLater = (file: string) =>
  [
    '✗ 1 problem(s)',
    `  ${file} [import_failed]: kept Node's thread busy for more than 1 s without a break after it was imported (in a timer or a callback), before optin answered: the config blocks Node's thread once imported (an endless loop, a synchronous read of stdin or a FIFO), so optin ended the process (SIGKILL, exit status 137)`,
    `Make ${file} do nothing once imported: end every loop its timers and callbacks run, and read no stdin nor named pipe synchronously (node ${file} shows what it leaves running); if it is only slow, give it longer with --thread-timeout <ms> (default 5000).`,
    '',
  ].join('\n');

describe.skipIf(process.platform === 'win32')('a config that blocks Node’s thread after it is imported', () => {
  const loops = [
    ['a timer', 'timer-loop.config.mjs', `${sound}setTimeout(() => { for (;;) {} }, 0);\n`],
    [
      'a timer while an interval keeps Node running',
      'interval-loop.config.mjs',
      `${sound}setInterval(() => {}, 100);\nsetTimeout(() => { while (true) {} }, 300);\n`,
    ],
    [
      'a synchronous read of stdin in a timer',
      'stdin-later.config.mjs',
      `import { readFileSync } from 'node:fs';\n${sound}setTimeout(() => readFileSync(0), 0);\n`,
    ],
  ] as const;
  for (const [what, name, source] of loops)
    test(`${what}: the watchdog answers import_failed and ends the process (SIGKILL), never hangs`, async () => {
      const started = Date.now();
      const { file, code, signal, stdout, stderr } = await run(name, source);
      // Before: no watchdog after the import, killed by the test after 20 s (SIGTERM), having said nothing.
      expect([code, signal]).toEqual([null, 'SIGKILL']);
      expect(stdout).toBe(blockedLater(file));
      expect(stderr).toBe('');
      expect(Date.now() - started).toBeLessThan(15_000);
    });

  test('with --json, the answer is the JSON of the problem', async () => {
    const { file, signal, stdout } = await run(
      'timer-loop-json.config.mjs',
      `${sound}setTimeout(() => { for (;;) {} }, 0);\n`,
      '--json',
    );
    expect(signal).toBe('SIGKILL');
    expect(JSON.parse(stdout)).toEqual({
      valid: false,
      problems: [{ path: file, code: 'import_failed', message: expect.stringContaining('after it was imported') }],
      hint: expect.stringContaining('--thread-timeout'),
    });
  });

  test('with the default --thread-timeout (5 s), a blocked thread is answered long before --import-timeout (30 s)', async () => {
    const { file, signal, stdout } = await run(
      'timer-loop-default.config.mjs',
      `${sound}setTimeout(() => { for (;;) {} }, 0);\n`,
      '--import-timeout',
      '30000',
    );
    // Before --thread-timeout: the watchdog waited 32 s, so the test killed it after 20 s (SIGTERM), silent.
    expect([signal, stdout]).toEqual([
      'SIGKILL',
      expect.stringContaining(
        `${file} [import_failed]: kept Node's thread busy for more than 5 s without a break after it was imported`,
      ),
    ]);
    expect(stdout).toContain('--thread-timeout <ms> (default 5000)');
  });

  test('declare tells it on stderr as error invalid_config, stdout empty', async () => {
    const { signal, stdout, stderr } = await runAs(
      'declare',
      'declare-timer-loop.config.mjs',
      `${sound}setTimeout(() => { for (;;) {} }, 0);\n`,
    );
    const result = { signal, stdout, stderr };
    expect(result).toEqual({
      signal: 'SIGKILL',
      stdout: '',
      stderr: expect.stringMatching(
        /^error invalid_config\n {2}\S+declare-timer-loop\.config\.mjs \[import_failed\]: kept Node's thread busy/,
      ),
    });
  });

  test('a thread blocked while the answer is still being written (a slow reader): the answer is cut off, the problem told on stderr', async () => {
    const file = join(scratch, 'blocked-large.config.mjs');
    writeFileSync(
      file,
      largeConfig("setTimeout(() => { writeFileSync('blocked-large.fired', ''); for (;;) {} }, 4000);"),
    );
    // optin answers 2 s after it is ready, into a pipe read only once the config's timer (4 s) has
    // blocked the thread: the rest of the answer can never be written, nor the process end.
    rmSync(join(scratch, 'blocked-large.fired'), { force: true });
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve) => {
      execFile(
        'bash',
        [
          '-c',
          '"$0" "$1" declare "$2" --import-timeout 1000 --thread-timeout 1000 | { for i in $(seq 300); do [ -e blocked-large.fired ] && break; sleep 0.1; done; sleep 0.5; wc -c; }; echo "${PIPESTATUS[0]}"',
          process.execPath,
          cli,
          file,
        ],
        { cwd: scratch, env: { ...process.env, NODE_OPTIONS: '' }, timeout: 40_000 },
        (_error, out, err) => resolve({ stdout: out, stderr: err }),
      );
    });
    const [bytes, exitCode] = stdout.trim().split(/\s+/).map(Number);
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThan(100_000);
    expect(exitCode).toBe(137);
    expect(stderr).toContain(
      `error invalid_config\n  ${file} [import_failed]: kept Node's thread busy for more than 1 s without a break after it was imported (in a timer or a callback), once optin had answered, so that the process could not end: the config blocks Node's thread once imported (an endless loop, a synchronous read of stdin or a FIFO), so optin ended the process (SIGKILL, exit status 137)\nMake ${file} do nothing once imported`,
    );
  });

  test('a timer busy for less than the bound (0.5 s of a 1 s --thread-timeout) is answered as before', async () => {
    const { code, signal, stdout } = await run(
      'busy-later.config.mjs',
      `${sound}setTimeout(() => { const end = Date.now() + 500; while (Date.now() < end) {} }, 0);\n`,
    );
    expect([code, signal, stdout]).toEqual([0, null, '✓ valid: policy edx@2026-11, 2 Member(s), 3 tracker(s)\n']);
  });

  test('an interval or a server left listening keeps the thread free: answered within 2 s, exit 0, with the note', async () => {
    for (const [name, source] of [
      ['interval.config.mjs', `${sound}setInterval(() => {}, 100);\n`],
      [
        'server.config.mjs',
        `import { createServer } from 'node:net';\n${sound}createServer().listen(0, '127.0.0.1');\n`,
      ],
    ] as const) {
      const { file, code, signal, stdout, stderr } = await run(name, source);
      expect([code, signal, stdout], name).toEqual([
        0,
        null,
        '✓ valid: policy edx@2026-11, 2 Member(s), 3 tracker(s)\n',
      ]);
      expect(stderr, name).toContain(`note: ${file} still had work scheduled`);
    }
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
