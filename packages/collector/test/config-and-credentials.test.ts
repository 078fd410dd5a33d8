import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { edxPolicy } from '@optin/consent';
import { describe, expect, it } from 'vitest';
import { parseCollectorConfig } from '../src/collector-config.js';
import { createCollector } from '../src/collector.js';
import { loadConfigFile } from '../src/config-file.js';
import { memberTokenEnv, resolveCredentials } from '../src/credentials.js';
import { parseDuration } from '../src/duration.js';
import { CollectorError } from '../src/errors.js';
import { openStorage } from '../src/open-storage.js';
import { SqliteStorage } from '../src/sqlite-storage.js';
import { bundleSource } from './cli-bundle.js';
import { testConfig } from './helpers.js';

describe('collector config', () => {
  it('accepts a defineConfig()-shaped object with extra fields', () => {
    const config = parseCollectorConfig({
      policy: edxPolicy,
      platform: { trackers: [{ id: 'ga4' }] },
      members: [
        {
          id: 'HarvardX',
          orgs: ['HarvardX'],
          trackers: [],
          email: { keyId: 'hx-2026' },
          tokenRef: 'file:/run/secrets/hx',
        },
      ],
    });
    expect(config.members[0]).toMatchObject({ id: 'HarvardX', orgs: ['HarvardX'] });
  });

  it('names every wrong path, duplicate ids and orgs claimed twice', () => {
    const error = (input: unknown): CollectorError => {
      try {
        parseCollectorConfig(input);
      } catch (e) {
        if (e instanceof CollectorError) return e;
      }
      throw new Error('expected a CollectorError');
    };
    const bad = error({
      policy: edxPolicy,
      members: [
        { id: 'A', orgs: [] },
        { id: 'B', orgs: ['x'], tokenRef: 'plain-secret' },
      ],
    });
    expect(bad.code).toBe('invalid_config');
    expect(bad.issues.map((i) => i.path)).toEqual(['members[0].orgs', 'members[1].tokenRef']);
    const dup = error({
      policy: edxPolicy,
      members: [
        { id: 'A', orgs: ['x'] },
        { id: 'A', orgs: ['y'] },
        { id: 'C', orgs: ['x'] },
      ],
    });
    expect(dup.issues).toEqual([
      { path: 'members[1].id', message: 'duplicate Member id "A"' },
      { path: 'members[2].orgs[0]', message: 'org "x" already belongs to A' },
    ]);
    // Ids that would share OPTIN_TOKEN_/OPTIN_EMAIL_ names and JetStream subjects.
    const alike = error({
      policy: edxPolicy,
      members: [
        { id: 'Harvard.X', orgs: ['h1'] },
        { id: 'harvard-x', orgs: ['h2'] },
        { id: 'Platform', orgs: ['p'] },
      ],
    });
    expect(alike.issues).toEqual([
      {
        path: 'members[1].id',
        message: '"harvard-x" and "Harvard.X" would share environment names (HARVARD_X) and event subjects',
      },
      {
        path: 'members[2].id',
        message: '"Platform" and the platform would share environment names (PLATFORM) and event subjects',
      },
    ]);
    expect(error({ members: [] }).issues[0]?.path).toBe('policy');
  });

  it('names a collector setting it does not know, with the nearest one, instead of ignoring it', () => {
    let thrown: unknown;
    try {
      parseCollectorConfig({
        policy: edxPolicy,
        collector: { mode: 'opt-in', writeKeyRef: 'env:SEGMENT_KEYS', requireWriteKey: true, email: {} },
      });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(CollectorError);
    expect((thrown as CollectorError).code).toBe('invalid_config');
    expect((thrown as CollectorError).issues.map((i) => i.path)).toEqual([
      'collector.writeKeyRef',
      'collector.requireWriteKey',
    ]);
    expect((thrown as CollectorError).issues[0]?.message).toMatch(/did you mean "writeKeysRef"\?/);
    expect((thrown as CollectorError).issues[1]?.message).toMatch(/environment variables/);
    expect(
      parseCollectorConfig({ policy: edxPolicy, collector: { mode: 'opt-out', platformTokenRef: 'env:P' } }).collector,
    ).toEqual({ mode: 'opt-out', platformTokenRef: 'env:P' });
  });

  it('loads optin.config.mjs or .json, and falls back to the edX policy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'optin-config-'));
    expect(await loadConfigFile(undefined, dir)).toMatchObject({ policy: { id: 'edx' }, members: [] });
    writeFileSync(
      join(dir, 'optin.config.json'),
      JSON.stringify({ policy: edxPolicy, members: [{ id: 'M', orgs: ['M'] }] }),
    );
    expect(await loadConfigFile(undefined, dir)).toMatchObject({ members: [{ id: 'M' }] });
    writeFileSync(
      join(dir, 'custom.mjs'),
      "export default { policy: { id: 'p', version: '1', purposes: [] }, members: [] };",
    );
    expect(await loadConfigFile('custom.mjs', dir)).toMatchObject({ policy: { id: 'p' } });
    await expect(loadConfigFile('missing.mjs', dir)).rejects.toMatchObject({ code: 'invalid_config' });
  });

  it('loads optin.config.ts as it is (types stripped), its imports resolved from where it is, and leaves nothing behind', async () => {
    // Inside the package, so that `@optin/consent` resolves as it would in a project that uses it.
    const dir = mkdtempSync(join(fileURLToPath(new URL('..', import.meta.url)), '.config-ts-'));
    try {
      writeFileSync(join(dir, 'members.mjs'), "export const members = [{ id: 'HarvardX', orgs: ['HarvardX'] }];");
      writeFileSync(
        join(dir, 'optin.config.ts'),
        `import { edxPolicy, type Policy } from '@optin/consent';
import { members } from './members.mjs';
interface Config { policy: Policy; members: readonly { id: string; orgs: string[] }[] }
const config: Config = { policy: edxPolicy, members };
export default config satisfies Config;
`,
      );
      const before = readdirSync(dir).sort();
      // In plain Node, as `optin-collector` runs (vitest itself would import TypeScript).
      const bundle = await bundleSource('config-file');
      const load = (path: string) =>
        execFileSync(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            `import { loadConfigFile } from ${JSON.stringify(pathToFileURL(bundle).href)};
loadConfigFile(${JSON.stringify(path)}, ${JSON.stringify(dir)}).then(
  (config) => process.stdout.write(JSON.stringify({ policy: config.policy.id, members: config.members })),
  (error) => process.stdout.write(JSON.stringify({ code: error.code })),
);`,
          ],
          { encoding: 'utf8' },
        );
      expect(JSON.parse(load('optin.config.ts'))).toEqual({
        policy: 'edx',
        members: [{ id: 'HarvardX', orgs: ['HarvardX'] }],
      });
      expect(readdirSync(dir).sort()).toEqual(before);
      writeFileSync(join(dir, 'broken.ts'), 'export default { policy: ;');
      expect(JSON.parse(load('broken.ts'))).toEqual({ code: 'invalid_config' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('credentials', () => {
  const config = parseCollectorConfig({
    policy: edxPolicy,
    members: [
      { id: 'HarvardX', orgs: ['HarvardX'] },
      { id: 'MIT.x', orgs: ['MITx'], tokenRef: 'env:MIT_TOKEN' },
    ],
  });

  it('reads tokens by reference and authenticates each principal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'optin-secret-'));
    writeFileSync(join(dir, 'platform'), 'p-token\n');
    const creds = resolveCredentials(
      { ...config, collector: { platformTokenRef: `file:${join(dir, 'platform')}` } },
      {
        [memberTokenEnv('HarvardX')]: 'hx-token',
        MIT_TOKEN: 'mit-token',
        OPTIN_WRITE_KEYS: 'k1, k2',
      },
    );
    expect(memberTokenEnv('MIT.x')).toBe('OPTIN_TOKEN_MIT_X');
    expect(creds.authenticate('p-token')).toEqual({ kind: 'platform' });
    expect(creds.authenticate('hx-token')).toEqual({ kind: 'member', memberId: 'HarvardX' });
    expect(creds.authenticate('mit-token')).toEqual({ kind: 'member', memberId: 'MIT.x' });
    expect(creds.authenticate('hx-token ')).toBeUndefined();
    expect(creds.authenticate('')).toBeUndefined();
    expect(creds.isWriteKey('k2')).toBe(true);
    expect(creds.isWriteKey('k3')).toBe(false);
  });

  it('holds tokens and write keys as digests only: no plaintext secret in the heap', async () => {
    const bundle = await bundleSource('credentials');
    const dir = mkdtempSync(join(tmpdir(), 'optin-heap-'));
    const secret = (name: string) => {
      const value = `${name}-${randomBytes(16).toString('hex')}`;
      writeFileSync(join(dir, name), `${value}\n`);
      return value;
    };
    const token = secret('token');
    const key = secret('key');
    // A secret the child keeps on purpose: the search must find what is there.
    const kept = secret('kept');
    const script = join(dir, 'heap.mjs');
    writeFileSync(
      script,
      `import { readFileSync } from 'node:fs';
import { writeHeapSnapshot } from 'node:v8';
import { resolveCredentials } from ${JSON.stringify(pathToFileURL(bundle).href)};
const at = (name) => ${JSON.stringify(dir)} + '/' + name;
const creds = resolveCredentials(
  { members: [{ id: 'HarvardX', orgs: ['HarvardX'], tokenRef: 'file:' + at('token') }], collector: { writeKeysRef: 'file:' + at('key') } },
  {},
);
// They work: read again (as a request's header would bring them), then left to the collector.
const works = creds.authenticate(readFileSync(at('token'), 'utf8').trim())?.kind === 'member' &&
  creds.isWriteKey(readFileSync(at('key'), 'utf8').trim());
globalThis.held = [creds, readFileSync(at('kept'), 'utf8')];
globalThis.gc();
writeHeapSnapshot(at('heap.heapsnapshot'));
process.stdout.write(String(works));
`,
    );
    try {
      const out = execFileSync(process.execPath, ['--expose-gc', script], { encoding: 'utf8' });
      expect(out).toBe('true');
      const heap = readFileSync(join(dir, 'heap.heapsnapshot'), 'utf8');
      expect(heap).toContain(kept);
      expect(heap).not.toContain(token);
      expect(heap).not.toContain(key);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses one token for two principals and unreadable secret files', () => {
    expect(() => resolveCredentials(config, { OPTIN_PLATFORM_TOKEN: 'same', OPTIN_TOKEN_HARVARDX: 'same' })).toThrow(
      /already used/,
    );
    expect(() =>
      resolveCredentials({ ...config, collector: { platformTokenRef: 'file:/nonexistent/secret' } }, {}),
    ).toThrow(CollectorError);
  });

  it('reads the metrics token (default OPTIN_METRICS_TOKEN, or collector.metricsTokenRef) as its own principal', () => {
    const env = { OPTIN_PLATFORM_TOKEN: 'p-token', OPTIN_TOKEN_HARVARDX: 'hx-token', MIT_TOKEN: 'mit-token' };
    const without = resolveCredentials(config, env);
    const withDefault = resolveCredentials(config, { ...env, OPTIN_METRICS_TOKEN: 'scrape-1' });
    expect(withDefault.authenticate('scrape-1')).toEqual({ kind: 'metrics' });
    expect(without.authenticate('scrape-1')).toBeUndefined();
    const dir = mkdtempSync(join(tmpdir(), 'optin-metrics-secret-'));
    try {
      // The file Prometheus' `authorization.credentials_file` reads can be the collector's too.
      writeFileSync(join(dir, 'metrics'), 'scrape-2\n');
      const fromFile = resolveCredentials(
        { ...config, collector: { metricsTokenRef: `file:${join(dir, 'metrics')}` } },
        { ...env, OPTIN_METRICS_TOKEN: 'scrape-1' },
      );
      expect(fromFile.authenticate('scrape-2')).toEqual({ kind: 'metrics' });
      expect(fromFile.authenticate('scrape-1')).toBeUndefined();
      // Rotating the scraper's token does not end the Members' open cursors.
      expect(fromFile.cursorSecret.equals(without.cursorSecret)).toBe(true);
      expect(withDefault.cursorSecret.equals(without.cursorSecret)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(() => resolveCredentials(config, { ...env, OPTIN_METRICS_TOKEN: 'p-token' })).toThrow(
      expect.objectContaining({
        code: 'invalid_config',
        issues: [
          expect.objectContaining({
            path: 'collector.metricsTokenRef',
            message: expect.stringMatching(/already used/),
          }),
        ],
      }),
    );
    expect(parseCollectorConfig({ policy: edxPolicy, collector: { metricsTokenRef: 'env:SCRAPE' } }).collector).toEqual(
      { metricsTokenRef: 'env:SCRAPE' },
    );
    for (const [collector, path] of [
      [{ metricsTokenRef: 'the-token-itself' }, 'collector.metricsTokenRef'],
      [{ metricsToken: 'env:SCRAPE' }, 'collector.metricsToken'],
    ] as const)
      expect(() => parseCollectorConfig({ policy: edxPolicy, collector }), path).toThrow(
        expect.objectContaining({ code: 'invalid_config', issues: [expect.objectContaining({ path })] }),
      );
  });

  it('refuses at start a token that no client can send as one bearer token (space, control, non-ASCII)', () => {
    // Node reads header bytes as Latin-1, and curl and Prometheus send UTF-8: "sécret" would never
    // authenticate; a token with a space never matches `Bearer <token>`. Each is named where it is.
    const cases = [
      [{ OPTIN_PLATFORM_TOKEN: 'sécret' }, 'collector.platformTokenRef'],
      [{ OPTIN_PLATFORM_TOKEN: 'two words' }, 'collector.platformTokenRef'],
      [{ OPTIN_TOKEN_HARVARDX: 'tab\there' }, 'members[0].tokenRef'],
      [{ MIT_TOKEN: 'emoji-\u{1F511}' }, 'members[1].tokenRef'],
      [{ OPTIN_METRICS_TOKEN: 'scrape token' }, 'collector.metricsTokenRef'],
      [{ OPTIN_METRICS_TOKEN: 'bell\u0007' }, 'collector.metricsTokenRef'],
    ] as const;
    for (const [env, path] of cases) {
      let thrown: unknown;
      try {
        resolveCredentials(config, env);
      } catch (e) {
        thrown = e;
      }
      expect(thrown, path).toBeInstanceOf(CollectorError);
      expect(thrown, path).toMatchObject({ code: 'invalid_config', issues: [{ path }] });
      expect((thrown as CollectorError).issues[0]?.message, path).toMatch(/visible ASCII/);
      // The message names where the token is, never the token.
      expect((thrown as CollectorError).message, path).not.toContain(Object.values(env)[0]);
    }
    expect(() =>
      resolveCredentials(config, { OPTIN_PLATFORM_TOKEN: 'Ab0-._~+/=!#$%&*^|`\'"(),:;<>?@[]{}' }),
    ).not.toThrow();
  });

  it('opens storage from a URL and refuses unknown schemes', async () => {
    const s = openStorage('sqlite::memory:');
    expect(s.kind).toBe('sqlite');
    await s.close();
    expect(() => openStorage('mysql://x')).toThrow(/not supported/);
  });
});

describe('durations', () => {
  it('reads OPTIN_NATS_MAX_AGE as a whole number and a unit, and names it when it is not one', () => {
    expect([
      parseDuration('7d', 'X'),
      parseDuration('36h', 'X'),
      parseDuration(' 90m ', 'X'),
      parseDuration('3600s', 'X'),
    ]).toEqual([7 * 86_400_000, 36 * 3_600_000, 90 * 60_000, 3_600_000]);
    for (const bad of ['7', 'd', '1.5h', '-1d', '7 days', ''])
      expect(() => parseDuration(bad, 'OPTIN_NATS_MAX_AGE'), bad).toThrow(
        expect.objectContaining({
          code: 'invalid_option',
          issues: [expect.objectContaining({ path: 'OPTIN_NATS_MAX_AGE' })],
        }),
      );
  });
});

describe('requireWriteKey', () => {
  it('stops the start when no write key is configured, instead of answering every event 401', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'optin-wk-'));
    const storage = new SqliteStorage(join(dir, 'optin.db'));
    try {
      const credentials = resolveCredentials(testConfig, { OPTIN_PLATFORM_TOKEN: 'p-tok' });
      await expect(
        createCollector({ config: testConfig, credentials, storage, requireWriteKey: true }),
      ).rejects.toThrow(
        expect.objectContaining({
          code: 'invalid_option',
          issues: [expect.objectContaining({ path: 'requireWriteKey' })],
        }),
      );
    } finally {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
