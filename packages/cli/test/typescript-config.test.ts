import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';

// The built binary in plain Node: no tsx, no --import, no --experimental-strip-types.
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const dir = fileURLToPath(new URL('./fixtures/ts/', import.meta.url));
const exec = promisify(execFile);
const optin = async (cwd: string, ...args: string[]) =>
  exec(process.execPath, [cli, ...args], { cwd, env: { ...process.env, NODE_OPTIONS: '' } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: unknown) => error as { code: number; stdout: string; stderr: string },
  );
const scratch = mkdtempSync(join(tmpdir(), 'optin-ts-config-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('a TypeScript config in plain Node', () => {
  test('optin.config.ts with `import type`, annotations and a relative .ts import validates, and leaves no file behind', async () => {
    // Another test file validates this directory at the same time: its compiled copy comes and goes.
    const compiled = (name: string) => /^\.[\da-f-]{36}\.optin\.config\.mjs$/.test(name);
    const sources = () =>
      readdirSync(dir)
        .filter((name) => !compiled(name))
        .sort();
    const before = sources();
    const result = await optin(dir, 'validate', 'optin.config.ts');
    expect(result).toMatchObject({ code: 0, stdout: '✓ valid: policy edx@2026-11, 1 Member(s), 1 tracker(s)\n' });
    expect(sources()).toEqual(before);
    await expect.poll(() => readdirSync(dir).filter(compiled)).toEqual([]);
  });

  test('it is found without an argument, and declare reads it too', async () => {
    expect((await optin(dir, 'validate')).code).toBe(0);
    const declare = await optin(dir, 'declare', '--format', 'json');
    expect(declare.code).toBe(0);
    expect((JSON.parse(declare.stdout) as { trackers: { id: string }[] }).trackers.map((t) => t.id)).toEqual([
      'vendor',
    ]);
  });

  test('a syntax error is invalid_config naming file:line:column, exit 1', async () => {
    const file = join(scratch, 'optin.config.ts');
    writeFileSync(
      file,
      "import type { X } from 'x';\nconst config: X = {\n  platform: { trackers: [] ,\n};\nexport default config;\n",
    );
    const validate = await optin(scratch, 'validate', file);
    expect(validate.code).toBe(1);
    expect(validate.stdout).toBe(
      [
        '✗ 1 problem(s)',
        `  ${file}:4:2 [syntax_error]: Expected "}" but found ";"`,
        `Fix the TypeScript syntax of ${file} at the places listed so that it compiles.`,
        '',
      ].join('\n'),
    );
    const declare = await optin(scratch, 'declare', file);
    expect(declare.code).toBe(1);
    expect(declare.stderr).toContain(`error invalid_config\n  ${file}:4:2 [syntax_error]: Expected "}"`);
    expect(readdirSync(scratch)).toEqual(['optin.config.ts']);
  });

  test('a type error esbuild lets through is reported at its config path, not as a crash', async () => {
    // Written here, not kept as a fixture: tsc would refuse it, as it should.
    const file = join(dir, 'type-error.config.ts');
    writeFileSync(
      file,
      [
        "import { edxPolicy } from '@optin/consent';",
        "import { defineConfig, defineMember } from '@optin/members';",
        "const orgs: string[] = 'HarvardX';",
        'export default defineConfig({',
        '  policy: edxPolicy,',
        '  platform: { trackers: [] },',
        "  members: [defineMember({ id: 'HarvardX', name: 'Harvard University', orgs, trackers: [] })],",
        '});',
        '',
      ].join('\n'),
    );
    try {
      const result = await optin(dir, 'validate', file);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(
        `✗ 1 problem(s)\n  members[0].orgs [invalid_type] at ${file}:4:16: must list the Open edX orgs`,
      );
    } finally {
      rmSync(file, { force: true });
    }
  });

  test('an import that does not resolve names the config file, not the compiled copy', async () => {
    const file = join(dir, 'missing-import.config.ts');
    writeFileSync(
      file,
      "import type { OptinConfig } from '@optin/members';\nimport { nothing } from '@optin/nothing-here';\nexport default nothing as OptinConfig;\n",
    );
    try {
      const result = await optin(dir, 'validate', file);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(
        `  ${file} [import_failed]: Cannot find package '@optin/nothing-here' imported from ${file}`,
      );
      expect(result.stdout).not.toContain('.optin.config.mjs');
    } finally {
      rmSync(file, { force: true });
    }
  });

  test('a problem a helper threw is located at its call in the TypeScript source, not in the compiled copy', async () => {
    const file = join(dir, 'located.config.ts');
    // The interface and the annotations esbuild strips move every line and column after them.
    writeFileSync(
      file,
      [
        "import { edxPolicy } from '@optin/consent';",
        "import { defineConfig, defineMember } from '@optin/members';",
        "import { ga4 } from '@optin/trackers/ga4';",
        '',
        'interface Ids {',
        '  readonly platform: string;',
        '  readonly harvard: string;',
        '}',
        "const ids: Ids = { platform: 'G-EDX0001', harvard: 'UA-12345-1' };",
        '',
        'export default defineConfig({',
        '  policy: edxPolicy,',
        '  platform: { trackers: [ga4({ id: ids.platform })] },',
        '  members: [',
        "    defineMember({ id: 'HarvardX', name: 'Harvard University', orgs: ['HarvardX'], trackers: [ga4({ id: ids.harvard as string })] }),",
        '  ],',
        '});',
        '',
      ].join('\n'),
    );
    try {
      const result = await optin(dir, 'validate', file, '--json');
      expect(result.code).toBe(1);
      const { problems } = JSON.parse(result.stdout) as { problems: { path: string; code: string; at?: string }[] };
      expect(problems.map((p) => [p.path, p.code, p.at])).toEqual([['ga4.id', 'invalid_option', `${file}:15:95`]]);
      expect(result.stdout).not.toContain('.optin.config.mjs');
    } finally {
      rmSync(file, { force: true });
    }
  });

  test("a call inside the config's own function is located in the source too", async () => {
    const file = join(dir, 'located-in-function.config.ts');
    writeFileSync(
      file,
      [
        "import { edxPolicy } from '@optin/consent';",
        "import { defineConfig } from '@optin/members';",
        "import { ga4 } from '@optin/trackers/ga4';",
        'type Id = string;',
        'function analytics(id: Id) {',
        '  return ga4({ id });',
        '}',
        "export default defineConfig({ policy: edxPolicy, platform: { trackers: [analytics('UA-1')] }, members: [] });",
        '',
      ].join('\n'),
    );
    try {
      const result = await optin(dir, 'validate', file, '--json');
      const { problems } = JSON.parse(result.stdout) as { problems: { path: string; at?: string }[] };
      // The throw's first frame in the config is inside analytics(), at the ga4() call of line 6.
      expect(problems.map((p) => [p.path, p.at])).toEqual([['ga4.id', `${file}:6:10`]]);
    } finally {
      rmSync(file, { force: true });
    }
  });

  test('the compiled copy is removed when the config exits the process, or on Ctrl-C', async () => {
    const compiled = (d: string) => readdirSync(d).filter((n) => n.endsWith('.optin.config.mjs'));
    const exits = join(scratch, 'exits');
    mkdirSync(exits, { recursive: true });
    writeFileSync(
      join(exits, 'optin.config.ts'),
      "const id: string | undefined = process.env.NO_SUCH_ID;\nif (!id) { console.error('NO_SUCH_ID is not set'); process.exit(3); }\nexport default {};\n",
    );
    const exited = await optin(exits, 'validate');
    // Told as the config's failure at its call, never with the config's exit code.
    expect([exited.code, exited.stderr]).toEqual([1, 'NO_SUCH_ID is not set\n']);
    expect(exited.stdout).toContain(
      `  ${join(exits, 'optin.config.ts')} [import_failed] at ${join(exits, 'optin.config.ts')}:2:60: ended the process with process.exit() (exit code 3) as it was imported`,
    );
    expect(compiled(exits)).toEqual([]);
    const waits = join(scratch, 'waits');
    mkdirSync(waits, { recursive: true });
    writeFileSync(
      join(waits, 'optin.config.ts'),
      'const secret: string = await new Promise(() => setInterval(() => {}, 1000));\nexport default { secret };\n',
    );
    const child = spawn(process.execPath, [cli, 'validate'], { cwd: waits, env: { ...process.env, NODE_OPTIONS: '' } });
    const closed = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('close', (_code, signal) => resolve(signal)),
    );
    await expect.poll(() => compiled(waits), { timeout: 20_000 }).toHaveLength(1);
    child.kill('SIGINT');
    expect(await closed).toBe('SIGINT');
    expect(compiled(waits)).toEqual([]);
  });

  test("a problem thrown in a Member's own .ts file is located there", async () => {
    const split = join(dir, 'split-members');
    mkdirSync(split, { recursive: true });
    writeFileSync(
      join(split, 'harvardx.ts'),
      [
        "import { defineMember } from '@optin/members';",
        "import { ga4 } from '@optin/trackers/ga4';",
        'const prefix: string = "hx";',
        'export const harvardx = defineMember({',
        "  id: 'HarvardX', name: 'Harvard', orgs: ['HarvardX'],",
        "  trackers: [ga4({ id: 'UA-1234-1', cookiePrefix: prefix })],",
        '});',
        '',
      ].join('\n'),
    );
    const file = join(dir, 'split.config.ts');
    writeFileSync(
      file,
      "import { edxPolicy } from '@optin/consent';\nimport { harvardx } from './split-members/harvardx';\nexport default { policy: edxPolicy, platform: { trackers: [] }, members: [harvardx] };\n",
    );
    try {
      const result = await optin(dir, 'validate', file, '--json');
      expect(result.code).toBe(1);
      const { problems } = JSON.parse(result.stdout) as { problems: { path: string; at?: string }[] };
      expect(problems.map((p) => [p.path, p.at])).toEqual([['ga4.id', `${join(split, 'harvardx.ts')}:6:14`]]);
    } finally {
      rmSync(file, { force: true });
      rmSync(split, { recursive: true, force: true });
    }
  });
});
