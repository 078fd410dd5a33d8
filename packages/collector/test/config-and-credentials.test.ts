import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { edxPolicy } from '@optin/consent';
import { describe, expect, it } from 'vitest';
import { parseCollectorConfig } from '../src/collector-config.js';
import { loadConfigFile } from '../src/config-file.js';
import { memberTokenEnv, resolveCredentials } from '../src/credentials.js';
import { CollectorError } from '../src/errors.js';
import { openStorage } from '../src/open-storage.js';

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

  it('refuses one token for two principals and unreadable secret files', () => {
    expect(() => resolveCredentials(config, { OPTIN_PLATFORM_TOKEN: 'same', OPTIN_TOKEN_HARVARDX: 'same' })).toThrow(
      /already used/,
    );
    expect(() =>
      resolveCredentials({ ...config, collector: { platformTokenRef: 'file:/nonexistent/secret' } }, {}),
    ).toThrow(CollectorError);
  });

  it('opens storage from a URL and refuses unknown schemes', async () => {
    const s = openStorage('sqlite::memory:');
    expect(s.kind).toBe('sqlite');
    await s.close();
    expect(() => openStorage('mysql://x')).toThrow(/not supported/);
  });
});
