import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edxPolicy } from '@optin/consent';
import { createCollector } from '../src/collector.js';
import { CollectorError } from '../src/errors.js';
import { bundleCli, spawnCli } from './cli-bundle.js';
import { backends, dropSchema, postgresAvailable, postgresUrl, testConfig, testCredentials } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'optin-start-failures-'));
beforeAll(bundleCli);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A config whose subject-proof key is named but not set. */
const configMissingKey = {
  ...testConfig,
  collector: { subjectKeys: { 'edx-2026': 'env:OPTIN_T_NOT_SET_SUBJECT_KEY' } },
};

/** `serve` run with `env` in `cwd` until it ends (killed after 30 s): its exit code and output. */
function serve(env: Record<string, string>, cwd = dir): Promise<{ code: number | null; out: string }> {
  const { child, output } = spawnCli(['serve'], { OPTIN_GEO: 'off', PORT: '0', ...env }, cwd);
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out: output() });
    }),
  );
}

/** Whether a PostgreSQL schema exists. */
async function schemaExists(schema: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [schema]);
    return rows.length > 0;
  } finally {
    await client.end();
  }
}

describe.each(backends)('a start that fails on the config leaves the database untouched ($name)', (backend) => {
  it.skipIf(backend.skip)('createCollector throws missing_secret before migrating', async () => {
    const store = backend.open();
    let migrated = 0;
    const storage = new Proxy(store.storage, {
      get(target, key) {
        if (key === 'migrate') migrated++;
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    try {
      const error = await createCollector({ config: configMissingKey, credentials: testCredentials, storage }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(CollectorError);
      expect((error as CollectorError).code).toBe('missing_secret');
      expect(migrated).toBe(0);
    } finally {
      await store.dispose();
    }
  });
});

describe('optin-collector serve stops on its config before opening the database', () => {
  const cwd = mkdtempSync(join(dir, 'missing-key-'));
  writeFileSync(
    join(cwd, 'optin.config.json'),
    JSON.stringify({ ...configMissingKey, policy: edxPolicy, members: [{ id: 'HarvardX', orgs: ['HarvardX'] }] }),
  );
  const env = { OPTIN_PLATFORM_TOKEN: 'platform-token', OPTIN_TOKEN_HARVARDX: 'harvardx-token' };

  for (const workers of ['1', '2'])
    it(`SQLite: no database file is made (OPTIN_WORKERS=${workers})`, async () => {
      const file = join(cwd, `w${workers}`, 'optin.db');
      const { code, out } = await serve({ ...env, OPTIN_DB: `sqlite:${file}`, OPTIN_WORKERS: workers }, cwd);
      expect(code).toBe(1);
      expect(out).toContain('missing_secret: collector.subjectKeys.edx-2026');
      expect(existsSync(file)).toBe(false);
    });

  it.skipIf(!postgresAvailable)('PostgreSQL: its schema is not created', async () => {
    const schema = `optin_t_nomigrate_${randomBytes(4).toString('hex')}`;
    const url = new URL(postgresUrl);
    url.searchParams.set('schema', schema);
    try {
      const { code, out } = await serve({ ...env, OPTIN_DB: url.toString() }, cwd);
      expect(code).toBe(1);
      expect(out).toContain('missing_secret: collector.subjectKeys.edx-2026');
      expect(await schemaExists(schema)).toBe(false);
    } finally {
      await dropSchema(schema);
    }
  });
});

describe('optin-collector names a database or port it cannot use, without a stack trace', () => {
  const env = { OPTIN_PLATFORM_TOKEN: 'platform-token' };
  let busy: Server;
  let busyPort = 0;
  /** A port nothing listens on (one just given back). */
  let freePort = 0;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    busyPort = (busy.address() as { port: number }).port;
    const free = createServer();
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
    freePort = (free.address() as { port: number }).port;
    await new Promise<void>((resolve) => free.close(() => resolve()));
  });
  afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

  it('PostgreSQL refusing connections: database_unavailable at OPTIN_DB', async () => {
    const { code, out } = await serve({ ...env, OPTIN_DB: `postgres://postgres:secret-pw@127.0.0.1:${freePort}/test` });
    expect(code).toBe(1);
    expect(out).toMatch(/^database_unavailable: OPTIN_DB: /m);
    expect(out).toContain('ECONNREFUSED');
    expect(out).not.toContain('secret-pw');
    expect(out).not.toMatch(/\n\s+at /);
  });

  it('a port nothing listens on: database_unavailable for migrate too', async () => {
    const { child, output } = spawnCli(
      ['migrate'],
      { OPTIN_DB: `postgres://postgres@127.0.0.1:${freePort}/test` },
      dir,
    );
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(output()).toMatch(/^database_unavailable: OPTIN_DB: /m);
    expect(output()).not.toMatch(/\n\s+at /);
  });

  it.skipIf(!postgresAvailable)('a role PostgreSQL does not know: database_unavailable at OPTIN_DB', async () => {
    const url = new URL(postgresUrl);
    url.username = 'optin_no_such_role';
    const { code, out } = await serve({ ...env, OPTIN_DB: url.toString() });
    expect(code).toBe(1);
    expect(out).toMatch(/^database_unavailable: OPTIN_DB: /m);
    expect(out).toContain('optin_no_such_role');
    expect(out).not.toMatch(/\n\s+at /);
  });

  it('a SQLite file that cannot be made: database_unavailable at OPTIN_DB', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a directory');
    const { code, out } = await serve({ ...env, OPTIN_DB: `sqlite:${join(file, 'optin.db')}` });
    expect(code).toBe(1);
    expect(out).toMatch(/^database_unavailable: OPTIN_DB: /m);
    expect(out).not.toMatch(/\n\s+at /);
  });

  it('a port in use: port_unavailable at PORT', async () => {
    const { code, out } = await serve({
      ...env,
      OPTIN_DB: `sqlite:${join(dir, 'port.db')}`,
      PORT: String(busyPort),
    });
    expect(code).toBe(1);
    expect(out).toMatch(new RegExp(`^port_unavailable: PORT: 127\\.0\\.0\\.1:${busyPort} is in use`, 'm'));
    expect(out).not.toMatch(/\n\s+at /);
  });
});
