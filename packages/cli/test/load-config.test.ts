import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';

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

  test('declare on a default export that is a function names the config, as validate does', async () => {
    const { code, stderr } = await run('declare', 'function.config.mjs', 'export default () => ({});\n');
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error invalid_config\n {2}\(config\) \[invalid_type\]: /);
    expect(stderr).not.toMatch(/\n {2}: /);
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
  // The packages as the scratch directory cannot resolve them by name.
  const dist = (path: string) => JSON.stringify(new URL(`../node_modules/@optin/${path}`, import.meta.url).href);

  test("keeps a code for each problem: an adapter's option invalid_option, any other error import_failed", async () => {
    const adapter = await validate(
      'adapter.config.mjs',
      `import { ga4 } from ${dist('trackers/dist/ga4.js')};\nexport default { platform: { trackers: [ga4({ id: 'UA-1' })] } };\n`,
    );
    expect(adapter.code).toBe(1);
    expect(adapter.stdout).toMatch(/^✗ 1 problem\(s\)\n {2}ga4\.id \[invalid_option\] at /);
    const thrown = await validate('throws.config.mjs', "throw new Error('no config today');\n");
    expect(thrown.code).toBe(1);
    expect(thrown.stdout).toContain(`  ${thrown.file} [import_failed]: no config today\n`);
  });

  test('two loads at once (the library API) leave the stack trace limit as it was', async () => {
    writeFileSync(join(scratch, 'limit-a.config.mjs'), "throw new Error('no config');\n");
    writeFileSync(join(scratch, 'limit-b.config.mjs'), `export { default } from ${JSON.stringify(new URL('./fixtures/optin.config.mjs', import.meta.url).href)};\n`);
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
    const { stdout } = await exec(process.execPath, [script], { cwd: scratch, env: { ...process.env, NODE_OPTIONS: '' } });
    expect(stdout.trim()).toBe('10 10');
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
