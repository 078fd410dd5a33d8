import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { largeConfig } from './large-config.js';

// The built binary in plain Node, as a user runs it, on configs that throw, exit or print oddly.
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const exec = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), 'optin-hostile-config-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const fixture = fileURLToPath(new URL('./fixtures/optin.config.mjs', import.meta.url));
const sound = `export { default } from ${JSON.stringify(fixture)};`;

/** The CLI on `source` written as `name`; killed after 15 s (a CLI that spins never answers). */
const run = async (command: string, name: string, source: string, ...args: string[]) => {
  const file = join(scratch, name);
  writeFileSync(file, source);
  const result = await exec(process.execPath, [cli, command, file, ...args], {
    cwd: scratch,
    env: { ...process.env, NODE_OPTIONS: '' },
    timeout: 15_000,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: unknown) => error as { code: number | null; stdout: string; stderr: string },
  );
  return { file, ...result };
};

/** `validate --json` on `source`: its exit code and the one problem it must list. */
const problemOf = async (name: string, source: string) => {
  const { file, code, stdout, stderr } = await run('validate', name, source, '--json');
  let answer: unknown;
  try {
    answer = JSON.parse(stdout);
  } catch {
    answer = { stdout, stderr };
  }
  return { file, code, answer };
};

describe('a config that throws a value every read of which throws', () => {
  // Every trap throws the proxy itself: reading its name or message, or `instanceof`, throws it again.
  const proxy = 'const h = new Proxy({}, { getPrototypeOf() { throw h; }, get() { throw h; } });';
  const runs = {
    'as it is imported': [`${proxy}\nthrow h;\n`, 'threw a Proxy as it was imported'],
    'in a timer': [
      `${sound}\n${proxy}\nsetTimeout(() => { throw h; }, 50);\n`,
      'threw a Proxy after it was imported (in a timer or a callback)',
    ],
    'as a rejection': [`${sound}\n${proxy}\nPromise.reject(h);\n`, 'rejected a promise it never handled with a Proxy'],
  } as const;
  for (const [when, [source, words]] of Object.entries(runs))
    test(`a self-referencing Proxy thrown ${when} is import_failed, exit 1, JSON: optin never spins`, async () => {
      const name = `proxy-${when.replace(/\W+/g, '-')}.config.mjs`;
      const { file, code, answer } = await problemOf(name, source);
      expect([code, answer]).toEqual([
        1,
        {
          valid: false,
          problems: [
            {
              path: file,
              code: 'import_failed',
              message: `${words}: not an Error, so optin cannot name the line that threw it`,
            },
          ],
          hint: expect.any(String),
        },
      ]);
      const declare = await run('declare', name, source);
      expect([declare.code, declare.stdout]).toEqual([1, '']);
      expect(declare.stderr).toMatch(/^error invalid_config\n/);
    });

  test('a Proxy whose traps throw an Error, thrown in a timer, is told as thrown in a timer, not as a rejection', async () => {
    const { code, answer } = await problemOf(
      'late-proxy.config.mjs',
      `${sound}\nsetTimeout(() => { throw new Proxy({}, { getPrototypeOf() { throw new Error('trap'); }, get() { throw new Error('trap-get'); } }); }, 50);\n`,
    );
    expect(code).toBe(1);
    expect(answer).toMatchObject({
      problems: [
        {
          code: 'import_failed',
          message:
            'threw a Proxy after it was imported (in a timer or a callback): not an Error, so optin cannot name the line that threw it',
        },
      ],
    });
  });
});

describe('a config that throws a value that is no Error', () => {
  const words = ': not an Error, so optin cannot name the line that threw it';
  // What was thrown, as the user reads it: never a bare "null" nor "[object Object]".
  const values = [
    ['null', 'null'],
    ['undefined', 'undefined'],
    ['42', 'the number 42'],
    ["'no secret'", 'the string "no secret"'],
    ["{ code: 'X', message: 'y' }", 'the object { code: "X", message: "y" }'],
    ['Object.create(null)', 'an object with no prototype {}'],
    ["Symbol('sym')", 'the symbol Symbol(sym)'],
    ["{ toString() { throw new Error('no text'); } }", 'the object { toString: [function] }'],
    ["Object.defineProperty({}, Symbol.toStringTag, { get() { throw new Error('no tag'); } })", 'the object {}'],
    [
      '(() => { const h = new Proxy({}, { getPrototypeOf() { throw h; }, get() { throw h; }, ownKeys() { throw h; }, getOwnPropertyDescriptor() { throw h; } }); return h; })()',
      'a Proxy',
    ],
  ] as const;
  for (const [value, what] of values)
    test(`throw ${what}: import_failed, exit 1, saying what was thrown, when, and what to do`, async () => {
      const { file, code, answer } = await problemOf(
        `thrown-${what.replace(/\W+/g, '-')}.config.mjs`,
        `throw ${value};\n`,
      );
      expect([code, answer]).toEqual([
        1,
        {
          valid: false,
          problems: [{ path: file, code: 'import_failed', message: `threw ${what} as it was imported${words}` }],
          hint: `Find where ${file} (or a module it imports) throws or rejects with that value, and throw an Error that says what is wrong instead (throw new Error('…')): optin reports an Error's message and the line that threw it.`,
        },
      ]);
    });

  test('the step is named: in a timer, as a rejection, as its export is read, in a TypeScript config; declare says it too', async () => {
    const steps = [
      [
        'late.config.mjs',
        `${sound}\nsetTimeout(() => { throw 42; }, 50);\n`,
        'threw the number 42 after it was imported (in a timer or a callback)',
      ],
      [
        'rejects.config.mjs',
        `${sound}\nPromise.reject(undefined);\n`,
        'rejected a promise it never handled with undefined',
      ],
      [
        'getter.config.mjs',
        "export default { get members() { throw { code: 'E_VAULT' }; } };\n",
        'threw the object { code: "E_VAULT" } as optin read its export (a getter or a Proxy of the config\'s)',
      ],
      ['thrown.config.ts', 'const reason: unknown = null;\nthrow reason;\n', 'threw null as it was imported'],
    ] as const;
    for (const [name, source, step] of steps) {
      const { file, code, answer } = await problemOf(name, source);
      expect([code, answer], name).toMatchObject([
        1,
        { valid: false, problems: [{ path: file, code: 'import_failed', message: `${step}${words}` }] },
      ]);
    }
    const declare = await run('declare', 'declared-null.config.mjs', 'throw null;\n');
    expect([declare.code, declare.stdout]).toEqual([1, '']);
    expect(declare.stderr).toMatch(
      new RegExp(
        `^error invalid_config\\n  \\S+declared-null\\.config\\.mjs \\[import_failed\\]: threw null as it was imported: not an Error, .*\\nFind where .*throw new Error`,
      ),
    );
  });

  test('an Error of another realm (vm) is an Error: its message, at its line', async () => {
    const { file, code, answer } = await problemOf(
      'other-realm.config.mjs',
      "import vm from 'node:vm';\nthrow vm.runInNewContext('new Error(\"vault sealed\")');\n",
    );
    expect([code, answer]).toMatchObject([
      1,
      { problems: [{ path: file, code: 'import_failed', at: `${file}:2:10`, message: 'vault sealed' }] },
    ]);
  });
});

describe('a config whose error cannot be read as usual', () => {
  const runs = [
    [
      'code-getter.config.mjs',
      "Object.defineProperty(e, 'code', { get() { throw new Error('no code'); } });",
      'vault sealed',
    ],
    [
      'issues-getter.config.mjs',
      "Object.defineProperty(e, 'issues', { get() { throw new Error('no issues'); } });",
      'vault sealed',
    ],
    [
      'message-symbol.config.mjs',
      "Object.defineProperty(e, 'message', { value: Symbol('sym') });",
      'Symbol(sym)',
      'no place',
    ],
    ['message-number.config.mjs', "Object.defineProperty(e, 'message', { value: 42 });", '42'],
    [
      'message-getter.config.mjs',
      "Object.defineProperty(e, 'message', { get() { throw new Error('no message'); } });",
      'Error',
      'no place',
    ],
    [
      'issue-getter.config.mjs',
      "e.issues = [{ path: 'a', get message() { throw new Error('no issue message'); } }];",
      'vault sealed',
    ],
  ] as [string, string, string, string?][];
  for (const [name, twist, message, place] of runs)
    test(`${name.replace('.config.mjs', '')}: import_failed with "${message}", exit 1, JSON on stdout`, async () => {
      const source = `const e = new Error('vault sealed');\n${twist}\nthrow e;\n`;
      const { file, code, answer } = await problemOf(name, source);
      // (A stack whose first line V8 cannot write, the message unreadable, names no place.)
      const at = place ? {} : { at: `${file}:1:11` };
      expect([code, answer]).toEqual([
        1,
        { valid: false, problems: [{ path: file, code: 'import_failed', ...at, message }], hint: expect.any(String) },
      ]);
    });

  test('a name getter that throws hides no message (thrown in a timer: as it is imported, Node itself reads the name)', async () => {
    const { code, answer } = await problemOf(
      'name-getter.config.mjs',
      `${sound}\nsetTimeout(() => {\n  const e = new Error('vault sealed');\n  Object.defineProperty(e, 'name', { get() { throw new Error('no name'); } });\n  throw e;\n}, 50);\n`,
    );
    expect(code).toBe(1);
    expect(answer).toMatchObject({
      problems: [
        { code: 'import_failed', message: 'it threw after it was imported (in a timer or a callback): vault sealed' },
      ],
    });
  });

  test('a message getter of a class is its name, never [object Object]', async () => {
    const { code, answer } = await problemOf(
      'class-message-getter.config.mjs',
      "class VaultError extends Error { get name() { return 'VaultError'; } get message() { throw new Error('no msg'); } }\nthrow new VaultError();\n",
    );
    expect(code).toBe(1);
    expect(answer).toMatchObject({ problems: [{ code: 'import_failed', message: 'VaultError' }] });
  });
});

describe('a config that deletes itself', () => {
  const deletes = "import { unlinkSync } from 'node:fs';\nimport { fileURLToPath } from 'node:url';";
  test('then throws in a timer: import_failed, exit 1, never spinning', async () => {
    const { code, answer } = await problemOf(
      'selfdel-throw.config.mjs',
      `${sound}\n${deletes}\nsetTimeout(() => { unlinkSync(fileURLToPath(import.meta.url)); throw new Error('late'); }, 100);\n`,
    );
    expect(code).toBe(1);
    expect(answer).toMatchObject({
      valid: false,
      problems: [{ code: 'import_failed', message: 'it threw after it was imported (in a timer or a callback): late' }],
    });
  });

  test('then calls process.exit(0): import_failed in JSON, exit 1, never a bare ENOENT', async () => {
    const { file, code, answer } = await problemOf(
      'selfdel-exit.config.mjs',
      `${sound}\n${deletes}\nunlinkSync(fileURLToPath(import.meta.url));\nprocess.exit(0);\n`,
    );
    expect([code, answer]).toEqual([
      1,
      {
        valid: false,
        problems: [
          {
            path: file,
            code: 'import_failed',
            at: `${file}:5:9`,
            message:
              'ended the process with process.exit() (exit code 0) as it was imported, before optin could read it',
          },
        ],
        hint: expect.any(String),
      },
    ]);
  });
});

describe("the command's own exit code", () => {
  test("is never what a config's 'exit' listener sets", async () => {
    const { code, answer } = await problemOf(
      'exitlistener-invalid.config.mjs',
      "process.on('exit', () => { process.exitCode = 0; });\nexport default { policy: 1 };\n",
    );
    expect(code).toBe(1);
    expect(answer).toMatchObject({ valid: false });
    const set = await problemOf('exitcode-set.config.mjs', `${sound}\nprocess.exitCode = 7;\n`);
    expect([set.code, set.answer]).toMatchObject([0, { valid: true }]);
  });

  test('a process.exit() in a timer after optin read the config says it ended the process before optin answered', async () => {
    const { answer } = await problemOf(
      'exits-later-read.config.mjs',
      `${sound}\nsetTimeout(() => process.exit(0), 200);\n`,
    );
    expect(answer).toMatchObject({
      problems: [
        {
          code: 'import_failed',
          message:
            'ended the process with process.exit() (exit code 0) after it was imported (in a timer or a callback), before optin answered',
        },
      ],
    });
  });

  // optin answers 2 s after it is ready, into a pipe read only once the config's timer (4 s) has
  // called process.exit(0): the answer is cut off, and the exit code must say so.
  const slowReader = async (name: string, source: string, ...args: string[]) => {
    const file = join(scratch, name);
    const fired = `${name}.fired`;
    writeFileSync(
      file,
      source.replace(
        'EXIT',
        `setTimeout(() => { writeFileSync(${JSON.stringify(fired)}, ''); process.exit(0); }, 4000);`,
      ),
    );
    rmSync(join(scratch, fired), { force: true });
    const { stdout, stderr } = await exec(
      'bash',
      [
        '-c',
        `"$0" "$1" "$2" "$3" ${args.join(' ')} | { for i in $(seq 300); do [ -e ${fired} ] && break; sleep 0.1; done; sleep 0.5; wc -c; }; echo "\${PIPESTATUS[0]}"`,
        process.execPath,
        cli,
        args.includes('--json') ? 'validate' : 'declare',
        file,
      ],
      { cwd: scratch, env: { ...process.env, NODE_OPTIONS: '' } },
    );
    const [bytes = 0, exitCode] = stdout.trim().split(/\s+/).map(Number);
    return { file, bytes, exitCode, stderr };
  };

  test('a config that calls process.exit(0) while a sound answer is written makes it exit 1, and says so', async () => {
    const { file, bytes, exitCode, stderr } = await slowReader('exit-large.config.mjs', largeConfig('EXIT'));
    expect(bytes).toBeGreaterThan(0);
    expect(exitCode).toBe(1);
    expect(stderr).toContain(`error invalid_config\n  ${file} [import_failed] at ${file}:5:`);
    expect(stderr).toContain(
      ': ended the process with process.exit() (exit code 0) after it was imported (in a timer or a callback), while optin wrote its answer, which is cut off\n',
    );
  });

  test('a config that calls process.exit(0) while the JSON of its problems is written makes it exit 1, never 0', async () => {
    const { exitCode, stderr } = await slowReader(
      'exit-large-invalid.config.mjs',
      [
        "import { writeFileSync } from 'node:fs';",
        'EXIT',
        "export default { policy: 1, platform: { trackers: [] }, members: Array.from({ length: 3000 }, (_, i) => ({ id: 'member-' + i })) };",
        '',
      ].join('\n'),
      '--json',
    );
    expect(exitCode).toBe(1);
    expect(stderr).toContain('which is cut off');
  });
});

describe('optin always ends, and never with an unexplained exit code', () => {
  test("a config's error as the answer is written (in its own 'beforeExit' listener) is told on stderr before the exit 1", async () => {
    const { file, code, stdout, stderr } = await run(
      'validate',
      'throws-before-exit.config.mjs',
      `${sound}\nprocess.on('beforeExit', () => { throw new Error('boom'); });\n`,
    );
    expect(code).toBe(1);
    expect(stdout).toContain('valid');
    expect(stderr).toContain(`error invalid_config\n  ${file} [import_failed]`);
    expect(stderr).toContain('boom');
  });

  test('a config that replaces process.exit and keeps a timer running cannot keep optin from ending', async () => {
    const { code, stdout } = await run(
      'validate',
      'replaces-exit.config.mjs',
      `${sound}\nprocess.exit = () => {};\nsetInterval(() => {}, 1000);\n`,
      '--json',
    );
    // Killed after 15 s (code null) before the fix: it printed its answer, then never ended.
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ valid: true });
  });
});

describe("a config's own output", () => {
  test('console.log, console.info, console.table and process.stdout.write go to stderr: stdout is the JSON answer only', async () => {
    const source = [
      sound,
      "console.log('loading config…');",
      "console.info('info');",
      "console.debug('debug');",
      'console.table([{ a: 1 }]);',
      'console.dir({ dir: 1 });',
      "process.stdout.write('raw\\n');",
      "setTimeout(() => console.log('later'), 100);",
      '',
    ].join('\n');
    const { code, stdout, stderr } = await run('validate', 'console-log.config.mjs', source, '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ valid: true });
    for (const words of ['loading config…', 'info', 'debug', 'dir: 1', 'raw', 'later']) expect(stderr).toContain(words);
    const words = await run('validate', 'console-log.config.mjs', source);
    expect(words.stdout).toBe('✓ valid: policy edx@2026-11, 2 Member(s), 3 tracker(s)\n');
  });
});
