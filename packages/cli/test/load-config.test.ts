import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { dist, largeConfig } from './large-config.js';

// The built binary in plain Node, as a user runs it (vitest would import the config through Vite).
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const exec = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), 'optin-load-config-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const run = async (command: string, name: string, source: string, ...args: string[]) => {
  const file = join(scratch, name);
  writeFileSync(file, source);
  const result = await exec(process.execPath, [cli, command, file, ...args], {
    cwd: scratch,
    env: { ...process.env, NODE_OPTIONS: '', VENDOR_PORT: '1' },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: unknown) => error as { code: number; stdout: string; stderr: string },
  );
  return { file, ...result };
};
const validate = (name: string, source: string) => run('validate', name, source);
/** The CLI on a config already written, as another user when the tests run as root (who reads every file). */
const runOn = async (args: string[], options: { uid?: number; gid?: number } = {}) =>
  exec(process.execPath, [cli, ...args], {
    cwd: scratch,
    env: { ...process.env, NODE_OPTIONS: '', VENDOR_PORT: '1' },
    ...options,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: unknown) => error as { code: number; stdout: string; stderr: string },
  );
const someoneElse = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
const fixture = fileURLToPath(new URL('./fixtures/optin.config.mjs', import.meta.url));

describe('a JavaScript config that does not import', () => {
  test('a syntax error is invalid_config at file:line:column, with what Node says, exit 1', async () => {
    const { file, code, stdout } = await validate(
      'syntax.config.mjs',
      "import { edxPolicy } from '@optin/consent';\nexport default {\n  policy: edxPolicy,,\n};\n",
    );
    expect(code).toBe(1);
    expect(stdout).toBe(
      [
        '✗ 1 problem(s)',
        `  ${file}:3:21 [syntax_error]: Unexpected token ','`,
        `Fix the syntax of ${file} at the place listed so that it imports.`,
        '',
      ].join('\n'),
    );
  });

  test('a syntax error in a .js config is located too', async () => {
    const { file, code, stdout } = await validate('syntax.config.js', 'export default {\n  a: (1 +,\n};\n');
    expect(code).toBe(1);
    expect(stdout).toContain(`  ${file}:2:10 [syntax_error]: Unexpected token ','\n`);
  });

  test('a default export of undefined says so too', async () => {
    const { file, code, stdout } = await validate('undefined.config.mjs', 'let config;\nexport default config;\n');
    expect(code).toBe(1);
    expect(stdout).toContain(`  ${file} [no_config_export]: its default export is undefined\n`);
  });

  test('a default export of null says so, and what to export', async () => {
    const { file, code, stdout } = await validate('null.config.mjs', 'export default null;\n');
    expect(code).toBe(1);
    expect(stdout).toBe(
      [
        '✗ 1 problem(s)',
        `  ${file} [no_config_export]: its default export is null`,
        `Export the config object as the default export of ${file} (export default defineConfig({ … })), or as \`config\`.`,
        '',
      ].join('\n'),
    );
  });

  test('a `config` export of null is no config export either', async () => {
    const { file, code, stdout } = await validate('config-null.config.mjs', 'export const config = null;\n');
    expect(code).toBe(1);
    expect(stdout).toContain(`  ${file} [no_config_export]: its \`config\` export is null\n`);
  });

  test('a default export that is a function says to export the object it returns, in declare as in validate', async () => {
    const { file, code, stderr } = await run('declare', 'function.config.mjs', 'export default () => ({});\n');
    expect(code).toBe(1);
    expect(stderr).toMatch(
      new RegExp(
        `^error invalid_config\\n {2}${file.replaceAll('.', '\\.')} \\[no_config_export\\]: its default export is a function`,
      ),
    );
    expect(stderr).toContain('export the object it returns');
    const validated = await validate('async-function.config.mjs', 'export default async () => ({});\n');
    expect(validated.code).toBe(1);
    expect(validated.stdout).toContain(`  ${validated.file} [no_config_export]: its default export is a function`);
  });

  test('a JSON or YAML config says which files optin imports, not what Node says', async () => {
    for (const name of ['optin.config.json', 'optin.config.yaml']) {
      const { file, code, stdout } = await validate(name, '{"policy": {}}\n');
      expect(code, name).toBe(1);
      expect(stdout).toContain(`  ${file} [import_failed]: `);
      expect(stdout).toContain('.mjs, .js, .cjs, .ts or .mts');
      expect(stdout).not.toMatch(/import attribute|Unknown file extension/);
    }
  });

  test('an ES module config in a CommonJS project says to name it .mjs, not what Node says', async () => {
    const project = join(scratch, 'commonjs-project');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'package.json'), '{ "type": "commonjs" }\n');
    writeFileSync(join(project, 'optin.config.js'), 'export default {};\n');
    const { code, stdout } = await runOn(['validate', project]);
    expect(code).toBe(1);
    expect(stdout).toContain(`  ${join(project, 'optin.config.js')} [import_failed]: `);
    expect(stdout).toContain('ES module');
    expect(stdout).toContain('optin.config.mjs');
    expect(stdout).not.toContain('[syntax_error]');
  });
});

describe('a config that never finishes importing', () => {
  const sources = {
    'exported promise': 'export default new Promise(() => {});\n',
    'top-level await': 'await new Promise(() => {});\nexport default {};\n',
  };
  for (const [what, source] of Object.entries(sources))
    test(`a ${what} that never settles is import_failed in every command, never a silent exit 0`, async () => {
      const name = `never-${what.replaceAll(' ', '-')}.config.mjs`;
      const message = 'never finished importing: a top-level await or exported promise that never settles';
      const { file, code, stdout } = await validate(name, source);
      expect([code, stdout]).toEqual([
        1,
        `✗ 1 problem(s)\n  ${file} [import_failed]: ${message}\n${stdout.split('\n')[2]}\n`,
      ]);
      const json = await run('validate', name, source, '--json');
      expect([json.code, JSON.parse(json.stdout)]).toEqual([
        1,
        { valid: false, problems: [{ path: file, code: 'import_failed', message }], hint: expect.any(String) },
      ]);
      const declare = await run('declare', name, source);
      expect([declare.code, declare.stdout]).toEqual([1, '']);
      expect(declare.stderr).toContain(`error invalid_config\n  ${file} [import_failed]: ${message}\n`);
      const audit = await runOn(['audit', 'http://127.0.0.1:9/', '--config', file, '--json']);
      expect(audit.code).toBe(1);
      expect(JSON.parse(audit.stdout)).toMatchObject({ error: { code: 'invalid_config', issues: [{ message }] } });
    });
});

describe('a config whose import never settles while something keeps Node running', () => {
  // A timer keeps the process alive, so Node never ends it: without a bound, optin would wait forever.
  const hang = 'setInterval(() => {}, 1000);\nawait new Promise(() => {});\nexport default {};\n';
  const message =
    'did not finish loading within 0.5 s: a top-level await or exported promise that never settles (while a timer or an open connection keeps the process running), or a config slower to load than that';
  /** The CLI on a config already written, killed after 15 s (optin must end well before). */
  const bounded = (args: string[]) =>
    exec(process.execPath, [cli, ...args], {
      cwd: scratch,
      env: { ...process.env, NODE_OPTIONS: '', VENDOR_PORT: '1' },
      timeout: 15_000,
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: unknown) => error as { code: number | null; stdout: string; stderr: string },
    );

  test('is import_failed after --import-timeout in every command, JSON under --json, exit 1, and optin ends', async () => {
    const file = join(scratch, 'hang-timer.config.mjs');
    writeFileSync(file, hang);
    const started = Date.now();
    const json = await bounded(['validate', file, '--json', '--import-timeout', '500']);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect([json.code, JSON.parse(json.stdout || '{}')]).toEqual([
      1,
      {
        valid: false,
        problems: [{ path: file, code: 'import_failed', message }],
        hint: expect.stringContaining('--import-timeout'),
      },
    ]);
    expect(json.stderr).toBe('');
    const words = await bounded(['validate', file, '--import-timeout', '500']);
    expect([words.code, words.stdout.split('\n')[1]]).toEqual([1, `  ${file} [import_failed]: ${message}`]);
    const declare = await bounded(['declare', file, '--import-timeout', '500']);
    expect([declare.code, declare.stdout]).toEqual([1, '']);
    expect(declare.stderr).toContain(`error invalid_config\n  ${file} [import_failed]: ${message}\n`);
    const audit = await bounded([
      'audit',
      'http://127.0.0.1:9/',
      '--config',
      file,
      '--json',
      '--import-timeout',
      '500',
    ]);
    expect([audit.code, JSON.parse(audit.stdout || '{}')]).toMatchObject([
      1,
      { error: { code: 'invalid_config', issues: [{ path: file, code: 'import_failed', message }] } },
    ]);
  });

  test('a TypeScript config too, and its compiled module is not left behind', async () => {
    const dir = join(scratch, 'hang-ts');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'optin.config.ts');
    writeFileSync(
      file,
      `const never: Promise<void> = new Promise(() => {});\n${hang.replace('await new Promise(() => {})', 'await never')}`,
    );
    const result = await bounded(['validate', file, '--json', '--import-timeout', '500']);
    expect([result.code, JSON.parse(result.stdout || '{}')]).toEqual([
      1,
      { valid: false, problems: [{ path: file, code: 'import_failed', message }], hint: expect.any(String) },
    ]);
    expect(readdirSync(dir)).toEqual(['optin.config.ts']);
  });

  test('a config that is only slow (a 2 s top-level await) still loads within the default bound, JavaScript or TypeScript', async () => {
    // The fixture imported by a name esbuild leaves alone, so that a TypeScript config resolves its packages too.
    const slow = `const sound = ${JSON.stringify(pathToFileURL(fixture).href)};\nawait new Promise((resolve) => setTimeout(resolve, 2000));\nexport default (await import(sound)).default;\n`;
    for (const name of ['slow.config.mjs', 'slow.config.ts']) {
      const file = join(scratch, name);
      writeFileSync(file, slow);
      const result = await bounded(['validate', file]);
      expect([result.code, result.stdout], name).toEqual([
        0,
        '✓ valid: policy edx@2026-11, 2 Member(s), 3 tracker(s)\n',
      ]);
    }
    // And within a bound given longer than it takes, on every command that reads a config.
    const file = join(scratch, 'slow.config.mjs');
    const declare = await bounded(['declare', file, '--import-timeout', '10000', '--format', 'json']);
    expect(declare.code).toBe(0);
  });

  test.each([
    ['--import-timeout', 30000],
    ['--thread-timeout', 5000],
  ])(
    'an %s that is not a whole number of milliseconds from 1 to 600000 is a usage error, before the config is read',
    async (option, fallback) => {
      const file = join(scratch, 'hang-timer.config.mjs');
      writeFileSync(file, hang);
      for (const value of ['x', '0', '-1', '1.5', '600001']) {
        const result = await bounded(['validate', file, '--json', `${option}=${value}`]);
        expect([result.code, JSON.parse(result.stdout || '{}')], value).toEqual([
          2,
          {
            error: {
              code: 'invalid_argument',
              issues: [
                {
                  path: option,
                  message: `"${value}" is not a whole number of milliseconds from 1 to 600000`,
                },
              ],
              hint: `Use 1 to 600000 (default ${String(fallback)}).`,
            },
          },
        ]);
      }
    },
  );
});

describe('a config that fails after it imported', () => {
  const sound = `export { default } from ${JSON.stringify(new URL('./fixtures/optin.config.mjs', import.meta.url).href)};`;
  const sources = {
    'unhandled rejection': [`${sound}\nPromise.reject(new Error('vault unreachable'));\n`, '2:16', 'vault unreachable'],
    'late throw': [`${sound}\nsetTimeout(() => { throw new Error('late boom'); }, 50);\n`, '2:26', 'late boom'],
  };
  for (const [what, [source = '', place, message = '']] of Object.entries(sources))
    test(`an ${what} is one answer, import_failed at file:line:column, never "valid" and a stack trace`, async () => {
      const name = `${what.replaceAll(' ', '-')}.config.mjs`;
      const { file, code, stdout, stderr } = await validate(name, source);
      expect(code).toBe(1);
      expect(stdout).toMatch(/^✗ 1 problem\(s\)\n/);
      expect(stdout).toContain(`  ${file} [import_failed] at ${file}:${place}: `);
      expect(stdout).toContain(message);
      expect(stdout).not.toContain('valid:');
      expect(stderr).not.toMatch(/^\s+at /m);
      const json = await run('validate', name, source, '--json');
      expect([json.code, JSON.parse(json.stdout)]).toEqual([
        1,
        {
          valid: false,
          problems: [
            { path: file, code: 'import_failed', at: `${file}:${place}`, message: expect.stringContaining(message) },
          ],
          hint: expect.any(String),
        },
      ]);
      expect(json.stderr).not.toMatch(/^\s+at /m);
      const declare = await run('declare', name, source);
      expect([declare.code, declare.stdout]).toEqual([1, '']);
      expect(declare.stderr).toContain(`[import_failed] at ${file}:${place}: `);
    });
});

describe('a config that ends the process', () => {
  const sound = `export { default } from ${JSON.stringify(new URL('./fixtures/optin.config.mjs', import.meta.url).href)};`;
  const exits = {
    'process.exit(0)': [`${sound}\nprocess.exit(0);\n`, '2:9', 0],
    'process.exit()': [`${sound}\nprocess.exit();\n`, '2:9', 0],
    'process.exitCode = 0, then process.exit()': [`${sound}\nprocess.exitCode = 0;\nprocess.exit();\n`, '3:9', 0],
    'process.exit(3) after a message of its own': [
      `${sound}\nconsole.error('NO_SUCH_ID is not set');\nprocess.exit(3);\n`,
      '3:9',
      3,
    ],
  } as const;
  // Four runs of the CLI, one after another: on a machine that a browser suite shares, 30 s is too few.
  for (const [what, [source, place, exitCode]] of Object.entries(exits))
    test(
      `${what} as it is imported is import_failed at its line in every command, never the config's exit code`,
      { timeout: 90_000 },
      async () => {
        const name = `exits-${what.replace(/\W+/g, '-')}.config.mjs`;
        const message = `ended the process with process.exit() (exit code ${exitCode}) as it was imported, before optin could read it`;
        const { file, code, stdout } = await validate(name, source);
        expect([code, stdout.split('\n').slice(0, 2)]).toEqual([
          1,
          ['✗ 1 problem(s)', `  ${file} [import_failed] at ${file}:${place}: ${message}`],
        ]);
        expect(stdout).toContain(`Remove the process.exit() call from ${file}`);
        const json = await run('validate', name, source, '--json');
        expect([json.code, JSON.parse(json.stdout)]).toEqual([
          1,
          {
            valid: false,
            problems: [{ path: file, code: 'import_failed', at: `${file}:${place}`, message }],
            hint: expect.any(String),
          },
        ]);
        const declare = await run('declare', name, source);
        expect([declare.code, declare.stdout]).toEqual([1, '']);
        expect(declare.stderr).toContain(
          `error invalid_config\n  ${file} [import_failed] at ${file}:${place}: ${message}\n`,
        );
        const audit = await runOn(['audit', 'http://127.0.0.1:9/', '--config', file, '--json']);
        expect(audit.code).toBe(1);
        expect(JSON.parse(audit.stdout)).toMatchObject({
          error: { code: 'invalid_config', issues: [{ path: file, code: 'import_failed', message }] },
        });
      },
    );

  test('process.exit() in a timer after it imported, before optin answered, is import_failed too', async () => {
    const { file, code, stdout } = await validate(
      'exits-later.config.mjs',
      `${sound}\nsetTimeout(() => process.exit(0), 200);\n`,
    );
    expect(code).toBe(1);
    expect(stdout).toContain(
      `  ${file} [import_failed] at ${file}:2:26: ended the process with process.exit() (exit code 0) after it was imported (in a timer or a callback), before optin answered\n`,
    );
    expect(stdout).not.toContain('valid:');
  });
});

describe('a config that still runs when optin answers', () => {
  const sound = `export { default } from ${JSON.stringify(new URL('./fixtures/optin.config.mjs', import.meta.url).href)};`;

  test('optin answers at most 2 s after it is ready, and says on stderr that it did not wait for the rest', async () => {
    const { file, code, stdout, stderr } = await validate(
      'late-timer.config.mjs',
      `${sound}\nsetTimeout(() => { throw new Error('too late'); }, 3000);\n`,
    );
    expect([code, stdout]).toEqual([0, '✓ valid: policy edx@2026-11, 2 Member(s), 3 tracker(s)\n']);
    expect(stderr).toBe(
      `note: ${file} still had work scheduled (a timer, an open connection) 2 s after optin was ready to answer: optin answered without waiting for it, so an error it throws later is not reported. A config should do nothing once imported.\n`,
    );
    // Work that would not keep Node running (an unref'd timer) is not waited for, and needs no note.
    const unref = await validate(
      'late-unref.config.mjs',
      `${sound}\nsetTimeout(() => { throw new Error('too late'); }, 3000).unref();\n`,
    );
    expect([unref.code, unref.stderr]).toEqual([0, '']);
  });

  test('a config error after the answer was printed, while it is still being written, makes the exit code 1 and is told on stderr', async () => {
    const file = join(scratch, 'late-large.config.mjs');
    writeFileSync(
      file,
      largeConfig(
        "const later = () => setTimeout(() => { writeFileSync('late-large.fired', ''); throw new Error('too late'); }, 4000);",
        'later();',
      ),
    );
    // optin answers 2 s after it is ready, into a pipe read only once the config's timer (4 s) has
    // thrown: the error comes while the answer is being written.
    rmSync(join(scratch, 'late-large.fired'), { force: true });
    const { stdout, stderr } = await exec(
      'bash',
      [
        '-c',
        '"$0" "$1" declare "$2" | { for i in $(seq 300); do [ -e late-large.fired ] && break; sleep 0.1; done; sleep 0.5; wc -c; }; echo "${PIPESTATUS[0]}"',
        process.execPath,
        cli,
        file,
      ],
      { cwd: scratch, env: { ...process.env, NODE_OPTIONS: '' } },
    );
    const [bytes, exitCode] = stdout.trim().split(/\s+/).map(Number);
    expect(bytes).toBeGreaterThan(100_000);
    expect(exitCode).toBe(1);
    expect(stderr).toContain(`error invalid_config\n  ${file} [import_failed] at ${file}:5:`);
    expect(stderr).toContain(': it threw after it was imported (in a timer or a callback): too late\n');
  });
});

describe('a config whose export throws as it is read', () => {
  test('a getter that throws is import_failed at its line, not a bare message with exit 2', async () => {
    const source = `import config from ${JSON.stringify(fixture)};\nexport default { ...config, get members() { throw new Error('members are loading'); } };\n`;
    const { file, code, stdout } = await validate('getter.config.mjs', source);
    expect([code, stdout.split('\n')[1]]).toEqual([
      1,
      `  ${file} [import_failed] at ${file}:2:51: members are loading`,
    ]);
    const declare = await run('declare', 'getter.config.mjs', source);
    expect(declare.code).toBe(1);
    expect(declare.stderr).toMatch(/^error invalid_config\n/);
  });
});

describe('a config path that cannot be followed', () => {
  test('a file taken for a directory, a loop of links, a name too long: config_not_found with the reason, JSON too', async () => {
    writeFileSync(join(scratch, 'plain.mjs'), 'export default {};\n');
    rmSync(join(scratch, 'loop-a'), { force: true });
    rmSync(join(scratch, 'loop-b'), { force: true });
    symlinkSync('loop-b', join(scratch, 'loop-a'));
    symlinkSync('loop-a', join(scratch, 'loop-b'));
    const runs: [string, string, ReturnType<typeof runOn>, ReturnType<typeof runOn>][] = [];
    for (const [path, reason] of [
      [join(scratch, 'plain.mjs', 'optin.config.mjs'), 'ENOTDIR'],
      [join(scratch, 'loop-a'), 'ELOOP'],
      [join(scratch, `${'a'.repeat(300)}.mjs`), 'ENAMETOOLONG'],
    ] as const)
      runs.push([path, reason, runOn(['validate', path]), runOn(['validate', path, '--json'])]);
    for (const [path, reason, inWords, inJson] of runs) {
      const words = await inWords;
      expect([words.code, words.stdout], reason).toEqual([2, '']);
      expect(words.stderr).toMatch(new RegExp(`^error config_not_found\\n {2}\\S+: .*\\(${reason}\\)\\n`));
      expect(words.stderr).not.toContain('Usage:');
      const json = await inJson;
      expect([json.code, JSON.parse(json.stdout)]).toEqual([
        2,
        {
          error: {
            code: 'config_not_found',
            issues: [{ path, message: expect.stringContaining(reason) }],
            hint: expect.any(String),
          },
        },
      ]);
    }
  });

  test('a directory on the way that the user may not enter is config_not_found naming EACCES', async () => {
    const locked = join(scratch, 'locked');
    mkdirSync(locked, { recursive: true });
    writeFileSync(join(locked, 'optin.config.mjs'), 'export default {};\n');
    chmodSync(scratch, 0o755);
    chmodSync(locked, 0o700);
    const result = await runOn(['validate', join(locked, 'optin.config.mjs'), '--json'], someoneElse);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({
      error: { code: 'config_not_found', issues: [{ message: expect.stringContaining('EACCES') }] },
    });
  });
});

describe('a config that cannot be read', () => {
  test('is import_failed with a permissions hint, JavaScript or TypeScript, never a syntax error', async () => {
    chmodSync(scratch, 0o755);
    for (const name of ['unreadable.config.ts', 'unreadable.config.mjs']) {
      const file = join(scratch, name);
      writeFileSync(file, 'export default {};\n');
      chmodSync(file, 0o600);
      const result = await runOn(['validate', file], someoneElse);
      expect(result.code, name).toBe(1);
      expect(result.stdout).toContain(`  ${file} [import_failed]: `);
      expect(result.stdout).toContain('EACCES');
      expect(result.stdout).toMatch(/permission/i);
      expect(result.stdout).not.toContain('syntax');
    }
  });
});

describe('a module the config imports', () => {
  test('a syntax error there is located in that module, ES or CommonJS', async () => {
    const dir = join(scratch, 'nested');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'helper.mjs'), 'export const x = {\n  a: 1,\n  b: ]\n};\n');
    writeFileSync(join(dir, 'helper.cjs'), 'module.exports = {\n  a: 1,\n  b: ]\n};\n');
    writeFileSync(join(dir, 'optin.config.mjs'), "import { x } from './helper.mjs';\nexport default x;\n");
    writeFileSync(join(dir, 'optin.config.cjs'), "module.exports = require('./helper.cjs');\n");
    for (const [config, helper] of [
      ['optin.config.mjs', 'helper.mjs'],
      ['optin.config.cjs', 'helper.cjs'],
    ] as const) {
      const result = await runOn(['validate', join(dir, config)]);
      expect(result.code, config).toBe(1);
      expect(result.stdout).toContain(`  ${join(dir, helper)}:3:6 [syntax_error]: Unexpected token ']'\n`);
    }
  });

  test("a problem thrown in a Member's own file is located there, and any error at its line", async () => {
    const dir = join(scratch, 'split');
    mkdirSync(join(dir, 'members'), { recursive: true });
    writeFileSync(
      join(dir, 'members', 'harvardx.mjs'),
      [
        `import { defineMember } from ${dist('members/dist/index.js')};`,
        `import { ga4 } from ${dist('trackers/dist/ga4.js')};`,
        '',
        'export const harvardx = defineMember({',
        "  id: 'HarvardX', name: 'Harvard', orgs: ['HarvardX'],",
        "  trackers: [ga4({ id: 'UA-1234-1', cookiePrefix: 'hx' })],",
        '});',
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'members', 'mitx.mjs'), "export const mitx = {};\nthrow new Error('no MITx today');\n");
    const config = (member: string) =>
      `import { ${member} } from './members/${member}.mjs';\nexport default { members: [${member}] };\n`;
    writeFileSync(join(dir, 'harvardx.config.mjs'), config('harvardx'));
    writeFileSync(join(dir, 'mitx.config.mjs'), config('mitx'));
    const invalid = await runOn(['validate', join(dir, 'harvardx.config.mjs')]);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toContain(`  ga4.id [invalid_option] at ${join(dir, 'members', 'harvardx.mjs')}:6:14: `);
    const thrown = await runOn(['validate', join(dir, 'mitx.config.mjs'), '--json']);
    expect(JSON.parse(thrown.stdout)).toMatchObject({
      problems: [
        {
          path: join(dir, 'mitx.config.mjs'),
          code: 'import_failed',
          at: `${join(dir, 'members', 'mitx.mjs')}:2:7`,
          message: 'no MITx today',
        },
      ],
    });
  });
});

describe('a config that is no file', () => {
  test('a named pipe or a device is import_failed at once, exit 1: its import would never end, nor optin', async () => {
    const fifo = join(scratch, 'pipe.config.mjs');
    execFileSync('mkfifo', [fifo]);
    for (const path of [fifo, '/dev/null']) {
      const result = await runOn(['validate', path, '--json', '--import-timeout', '2000']);
      expect([result.code, JSON.parse(result.stdout)], path).toEqual([
        1,
        {
          valid: false,
          problems: [
            {
              path,
              code: 'import_failed',
              message: `is not a file (${path === fifo ? 'a named pipe' : 'a character device'}): optin imports a config file`,
            },
          ],
          hint: expect.stringContaining('Give the path of the config file itself'),
        },
      ]);
    }
  });
});

describe('a config exported as a promise', () => {
  test('is awaited: a default export that is a Promise of the config is the config', async () => {
    const source = `export default import(${JSON.stringify(fixture)}).then((m) => m.default);\n`;
    const { code, stdout } = await validate('promise.config.mjs', source);
    expect(stdout).toBe('✓ valid: policy edx@2026-11, 2 Member(s), 3 tracker(s)\n');
    expect(code).toBe(0);
  });
});

describe('a config that throws as it is imported', () => {
  test("keeps a code for each problem: an adapter's option invalid_option, any other error import_failed", async () => {
    const adapter = await validate(
      'adapter.config.mjs',
      `import { ga4 } from ${dist('trackers/dist/ga4.js')};\nexport default { platform: { trackers: [ga4({ id: 'UA-1' })] } };\n`,
    );
    expect(adapter.code).toBe(1);
    expect(adapter.stdout).toMatch(/^✗ 1 problem\(s\)\n {2}ga4\.id \[invalid_option\] at /);
    const thrown = await validate('throws.config.mjs', "throw new Error('no config today');\n");
    expect(thrown.code).toBe(1);
    expect(thrown.stdout).toContain(`  ${thrown.file} [import_failed] at ${thrown.file}:1:7: no config today\n`);
  });

  test('a thrown value that cannot be turned into words, or an error whose stack cannot be read, is import_failed too', async () => {
    const sound = `export { default } from ${JSON.stringify(fixture)};`;
    const words = ': not an Error, so optin cannot name the line that threw it';
    const runs = [
      [
        'bare-object.config.mjs',
        'throw Object.create(null);\n',
        `threw an object with no prototype {} as it was imported${words}`,
      ],
      [
        'bare-thenable.config.mjs',
        'export default { then(resolve, reject) { reject(Object.create(null)); } };\n',
        `threw an object with no prototype {} as it was imported${words}`,
      ],
      [
        'unreadable-stack.config.mjs',
        "const e = new Error('no vault');\nObject.defineProperty(e, 'stack', { get() { throw new Error('no stack'); } });\nthrow e;\n",
        'no vault',
      ],
      [
        'bare-late.config.mjs',
        `${sound}\nsetTimeout(() => { throw Object.create(null); }, 50);\n`,
        `threw an object with no prototype {} after it was imported (in a timer or a callback)${words}`,
      ],
      [
        'rejects-null.config.mjs',
        `${sound}\nPromise.reject(null);\n`,
        `rejected a promise it never handled with null${words}`,
      ],
    ] as const;
    for (const [name, source, message] of runs) {
      const { file, code, stdout, stderr } = await validate(name, source);
      expect([code, stdout.split('\n')[1]?.replace(/ at \S+:\d+:\d+:/, ':'), stderr], name).toEqual([
        1,
        `  ${file} [import_failed]: ${message}`,
        '',
      ]);
    }
  });

  test('two loads at once (the library API) leave the stack trace limit as it was', async () => {
    writeFileSync(join(scratch, 'limit-a.config.mjs'), "throw new Error('no config');\n");
    writeFileSync(
      join(scratch, 'limit-b.config.mjs'),
      `export { default } from ${JSON.stringify(new URL('./fixtures/optin.config.mjs', import.meta.url).href)};\n`,
    );
    const script = join(scratch, 'limit.mjs');
    writeFileSync(
      script,
      [
        `import { loadConfig } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};`,
        'const before = Error.stackTraceLimit;',
        "await Promise.allSettled([loadConfig('limit-a.config.mjs'), loadConfig('limit-b.config.mjs')]);",
        'console.log(before, Error.stackTraceLimit);',
      ].join('\n'),
    );
    const { stdout } = await exec(process.execPath, [script], {
      cwd: scratch,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    expect(stdout.trim()).toBe('10 10');
  });

  test('loadConfig refuses an importTimeoutMs that would wait forever (NaN) or time out at once (0, -5)', async () => {
    const script = join(scratch, 'timeout-option.mjs');
    writeFileSync(
      script,
      [
        `import { loadConfig } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};`,
        `const file = ${JSON.stringify(fileURLToPath(new URL('./fixtures/optin.config.mjs', import.meta.url)))};`,
        'for (const importTimeoutMs of [NaN, 0, -5, Infinity]) {',
        '  const answer = await loadConfig(file, undefined, { importTimeoutMs }).then(',
        "    (config) => 'loaded ' + config.members.length,",
        '    (error) => error.code + " " + error.issues[0].path + ": " + error.issues[0].message,',
        '  );',
        '  console.log(answer);',
        '}',
      ].join('\n'),
    );
    const { stdout } = await exec(process.execPath, [script], {
      cwd: scratch,
      env: { ...process.env, NODE_OPTIONS: '' },
      timeout: 15_000,
    });
    const lines = stdout.trim().split('\n');
    expect(lines.slice(0, 3)).toEqual([
      'invalid_argument importTimeoutMs: NaN is not a number of milliseconds above 0',
      'invalid_argument importTimeoutMs: 0 is not a number of milliseconds above 0',
      'invalid_argument importTimeoutMs: -5 is not a number of milliseconds above 0',
    ]);
    expect(lines[3]).toMatch(/^loaded \d+$/);
  });

  test('a problem a helper threw names the file:line:column of the call that threw, keeping its own code and path', async () => {
    // Two Members each with a tracker `hotjar`: the path (`trackers.hotjar…`) alone cannot tell which.
    const source = [
      `import { edxPolicy } from ${dist('consent/dist/index.js')};`,
      `import { defineConfig, defineMember } from ${dist('members/dist/index.js')};`,
      `import { defineTracker } from ${dist('trackers/dist/index.js')};`,
      "const hotjar = (owner, lifetime) => ({ id: 'hotjar', owner, purposes: ['analytics'], party: 'third', hosts: ['static.hotjar.com'],",
      "  vendor: { name: 'Hotjar', privacyUrl: 'https://www.hotjar.com/privacy' }, cookies: [{ name: '_hj', purpose: 'analytics', lifetime, party: 'first' }] });",
      'export default defineConfig({',
      '  policy: edxPolicy,',
      '  platform: { trackers: [] },',
      '  members: [',
      "    defineMember({ id: 'HarvardX', name: 'Harvard University', orgs: ['HarvardX'], trackers: [defineTracker(hotjar('HarvardX', '1y'))] }),",
      "    defineMember({ id: 'MITx', name: 'MIT', orgs: ['MITx'], trackers: [defineTracker(hotjar('MITx', 'forever'))] }),",
      '  ],',
      '});',
      '',
    ].join('\n');
    const { file, code, stdout } = await validate('hotjar.config.mjs', source);
    expect(code).toBe(1);
    expect(stdout).toContain(
      `✗ 1 problem(s)\n  trackers.hotjar.cookies[0].lifetime [invalid_tracker] at ${file}:11:72: must be "session"`,
    );
    const json = await run('validate', 'hotjar.config.mjs', source, '--json');
    expect(JSON.parse(json.stdout)).toEqual({
      valid: false,
      problems: [
        {
          path: 'trackers.hotjar.cookies[0].lifetime',
          code: 'invalid_tracker',
          at: `${file}:11:72`,
          message: expect.stringContaining('must be "session"'),
        },
      ],
      hint: expect.stringContaining(`Fix ${file} at the places listed`),
    });
    // declare, which loads the config the same way, says where too.
    const declare = await run('declare', 'hotjar.config.mjs', source);
    expect(declare.code).toBe(1);
    expect(declare.stderr).toContain(
      `error invalid_config\n  trackers.hotjar.cookies[0].lifetime [invalid_tracker] at ${file}:11:72: must be`,
    );
  });

  test("definePolicy's problem and an adapter's option are located at their calls; defineConfig's at its call", async () => {
    const policy = await validate(
      'policy.config.mjs',
      [
        `import { definePolicy, edxPolicy } from ${dist('consent/dist/index.js')};`,
        '',
        'const purposes = edxPolicy.purposes.map((p, i) => (i === 4 ? { ...p, gcp: true } : p));',
        'export default { policy: definePolicy({ ...edxPolicy, purposes }), platform: { trackers: [] }, members: [] };',
        '',
      ].join('\n'),
    );
    expect(policy.code).toBe(1);
    expect(policy.stdout).toContain(
      `\n  purposes[4].gcp [invalid_policy] at ${policy.file}:4:26: is not a field of a purpose`,
    );
    const adapter = await validate(
      'ga4.config.mjs',
      [
        `import { ga4 } from ${dist('trackers/dist/ga4.js')};`,
        'export default {',
        "  platform: { trackers: [ga4({ id: 'G-EDX0001' }),",
        "    ga4({ id: 'UA-12345-1' })] },",
        '};',
        '',
      ].join('\n'),
    );
    expect(adapter.stdout).toContain(`\n  ga4.id [invalid_option] at ${adapter.file}:4:5: `);
    const config = await validate(
      'define-config.config.mjs',
      [
        `import { edxPolicy } from ${dist('consent/dist/index.js')};`,
        `import { defineConfig } from ${dist('members/dist/index.js')};`,
        'export default   defineConfig({ policy: edxPolicy, platform: { trackers: [] }, members: [], extra: 1 });',
        '',
      ].join('\n'),
    );
    expect(config.stdout).toContain(`\n  extra [unknown_field] at ${config.file}:3:18: `);
  });

  test('a CommonJS config is located too', async () => {
    const { file, stdout } = await validate(
      'adapter.config.cjs',
      `const { ga4 } = require(${JSON.stringify(fileURLToPath(new URL('../node_modules/@optin/trackers/dist/ga4.cjs', import.meta.url)))});\nmodule.exports = {\n  platform: { trackers: [ga4({ id: 'x' })] },\n};\n`,
    );
    expect(stdout).toContain(`\n  ga4.id [invalid_option] at ${file}:3:26: `);
  });
});
