import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edxPolicy } from '@optin/consent';
import { CollectorError } from '../src/errors.js';
import { trustedProxyList } from '../src/ip-address.js';
import { bundleCli, spawnCli, startCli } from './cli-bundle.js';
import { getJson, postJson, receipt, testConfig, tokens, trackMessage } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'optin-cli-settings-'));
const base = { OPTIN_DB: `sqlite:${join(dir, 'optin.db')}`, OPTIN_GEO: 'off', PORT: '0', OPTIN_WRITE_KEYS: 'wk_1' };
beforeAll(bundleCli);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * `serve` run with `env` until it ends: its exit code and what it printed. One still running after
 * 30 s (it took the setting, or it restarts workers forever) is killed, its code then `null`.
 */
function serve(env: Record<string, string>, cwd = dir): Promise<{ code: number | null; out: string }> {
  const { child, output } = spawnCli(['serve'], { ...base, ...env }, cwd);
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out: output() });
    }),
  );
}

describe('optin-collector serve settings', () => {
  it('takes true/yes/on for a switch: OPTIN_REQUIRE_WRITE_KEY=true requires the write key', async () => {
    const { child, url } = await startCli({ ...base, OPTIN_REQUIRE_WRITE_KEY: 'true' }, dir);
    try {
      const event = {
        event: 'x',
        anonymousId: 'a',
        context: { consent: { categoryPreferences: { analytics: true } } },
      };
      expect((await postJson(`${url}/v1/track`, event)).status).toBe(401);
      const basic = `Basic ${Buffer.from('wk_1:').toString('base64')}`;
      expect((await postJson(`${url}/v1/track`, event, { authorization: basic })).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it.each([
    ['OPTIN_REQUIRE_WRITE_KEY', 'ture'],
    ['OPTIN_STORE_RAW_IP', 'yes please'],
    ['OPTIN_GEO', 'maybe'],
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['OPTIN_WORKERS', 'two'],
    ['OPTIN_MIN_LEARNERS_FOR_RATES', 'ten'],
    ['OPTIN_MIN_LEARNERS_FOR_RATES', '-1'],
  ])(
    'stops at start on %s=%s, naming the variable, without a stack',
    async (name, value) => {
      const { code, out } = await serve({ [name]: value });
      expect(code).toBe(1);
      expect(out).toContain(`invalid_option: ${name}: "${value}"`);
      expect(out).not.toMatch(/\n\s+at /);
    },
    60_000,
  );

  it('OPTIN_METRICS_TOKEN is the bearer token /metrics asks for (401 without it)', async () => {
    const { child, url } = await startCli({ ...base, OPTIN_METRICS_TOKEN: 'scrape-cli-1' }, dir);
    try {
      const anonymous = await fetch(`${url}/metrics`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer /);
      const scraped = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer scrape-cli-1' } });
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('# TYPE optin_messages_received_total counter');
    } finally {
      child.kill('SIGTERM');
    }
  });

  it.each([
    ['OPTIN_METRICS_TOKEN', 'scrape token', 'collector.metricsTokenRef'],
    ['OPTIN_PLATFORM_TOKEN', 'sécret', 'collector.platformTokenRef'],
  ])(
    'stops at start on a %s no client can send as a bearer token, naming where it is, never the token',
    async (name, value, path) => {
      const { code, out } = await serve({ [name]: value });
      expect(code).toBe(1);
      expect(out).toContain(`invalid_config: ${path}:`);
      expect(out).toMatch(/visible ASCII/);
      expect(out).not.toContain(value);
      expect(out).not.toMatch(/\n\s+at /);
    },
    60_000,
  );

  it('OPTIN_MIN_LEARNERS_FOR_RATES wins over collector.minLearnersForRates of the config', async () => {
    const cwd = mkdtempSync(join(dir, 'min-learners-'));
    const config = {
      policy: edxPolicy,
      members: [{ id: 'HarvardX', orgs: ['HarvardX'] }],
      collector: { minLearnersForRates: 5 },
    };
    writeFileSync(join(cwd, 'optin.config.json'), JSON.stringify(config));
    const env = { ...base, OPTIN_TOKEN_HARVARDX: 'harvardx-cli-1', OPTIN_MIN_LEARNERS_FOR_RATES: '1' };
    const { child, url } = await startCli(env, cwd);
    try {
      const event = trackMessage('HarvardX', { anonymousId: 'cli-learner' });
      const basic = { authorization: `Basic ${Buffer.from('wk_1:').toString('base64')}` };
      expect((await postJson(`${url}/v1/batch`, { batch: [event] }, basic)).body.accepted).toBe(1);
      expect((await postJson(`${url}/v1/consent`, receipt('cli-learner', true))).status).toBe(201);
      const stats = await getJson(`${url}/v1/members/HarvardX/stats`, { authorization: 'Bearer harvardx-cli-1' });
      expect(stats.body.consentRates.analytics).toEqual({ granted: 1, implied: 0, total: 1, rate: 1 });
    } finally {
      child.kill('SIGTERM');
    }
  }, 60_000);

  it('names a wrong trusted proxy by its place in OPTIN_TRUSTED_PROXIES', async () => {
    for (const proxies of ['loopback,10.0.0.0/99', 'loopback,localhost', 'loopback,10.0.0.0/8/1']) {
      const { code, out } = await serve({ OPTIN_TRUSTED_PROXIES: proxies });
      expect(code, proxies).toBe(1);
      expect(out, proxies).toContain('invalid_option: OPTIN_TRUSTED_PROXIES[1]:');
      expect(out, proxies).not.toMatch(/\n\s+at /);
    }
  });

  it("with several workers and a Member's token the only one that reads events, its cursors continue on every worker", async () => {
    const cwd = mkdtempSync(join(dir, 'sole-member-'));
    writeFileSync(join(cwd, 'optin.config.json'), JSON.stringify(testConfig));
    const db = { OPTIN_DB: `sqlite:${join(cwd, 'optin.db')}` };
    const { child, url } = await startCli({ ...base, ...db, OPTIN_WORKERS: '2', OPTIN_TOKEN_MITX: tokens.MITx }, cwd);
    // Each page on a connection of its own, as a new client's: it reaches either worker.
    const read = (query: string) =>
      new Promise<{ status: number; body: { events: { messageId: string }[]; nextCursor: string } }>(
        (resolve, reject) =>
          httpGet(
            `${url}/v1/members/MITx/events?limit=1${query}`,
            { agent: false, headers: { authorization: `Bearer ${tokens.MITx}` } },
            (res) => {
              let text = '';
              res.on('data', (chunk: Buffer) => (text += chunk.toString()));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
            },
          ).on('error', reject),
      );
    try {
      const batch = Array.from({ length: 10 }, () => trackMessage('MITx'));
      const basic = { authorization: `Basic ${Buffer.from('wk_1:').toString('base64')}` };
      expect((await postJson(`${url}/v1/batch`, { batch }, basic)).body.accepted).toBe(10);
      const seen: string[] = [];
      let page = await read('');
      for (let i = 0; i < 9; i++) {
        expect(page.status, `page ${i + 1}`).toBe(200);
        seen.push(...page.body.events.map((e) => e.messageId));
        page = await read(`&cursor=${page.body.nextCursor}`);
      }
      expect(page.status).toBe(200);
      expect(seen).toEqual(batch.slice(0, 9).map((m) => m.messageId));
    } finally {
      child.kill('SIGTERM');
    }
  }, 60_000);

  it('with several workers, a wrong config stops the start (exit 1) instead of restarting workers forever', async () => {
    const cwd = mkdtempSync(join(dir, 'bad-config-'));
    writeFileSync(join(cwd, 'optin.config.json'), JSON.stringify({ policy: { id: 'edx' } }));
    const { code, out } = await serve({ OPTIN_WORKERS: '2' }, cwd);
    expect(code).toBe(1);
    expect(out).toContain('invalid_config: policy.version');
  }, 60_000);
});

describe('trustedProxies of createCollector', () => {
  it('refuses a wrong entry with a CollectorError at its path', () => {
    let error: unknown;
    try {
      trustedProxyList(['::1', '::1/129']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CollectorError);
    expect(error).toMatchObject({ code: 'invalid_option', issues: [{ path: 'trustedProxies[1]' }] });
    expect(() => trustedProxyList(['loopback', 'private', '10.0.0.0/8', '2001:db8::/32', '::1'])).not.toThrow();
  });
});
