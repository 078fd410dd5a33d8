import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { OptinConfig } from '@optin/members';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bundle, serve, type TestServer } from '../../../test-support/browser.js';
import { audit, loadConfig, type AuditOptions, type AuditReport } from '../src/index.js';

// A site in opt-out mode, audited as a learner whose browser sends Global Privacy Control and as one
// whose browser does not, in Debian's Chromium by the real audit code. The careful page runs its
// trackers through consent (which reads GPC); the careless one loads HarvardX's ad script whatever
// the browser says. Both are HarvardX course pages, where the ads tracker (marketing) is in scope.
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const rules = ['MAP *.optin.test 127.0.0.1'];
const course = '/learning/course/course-v1:HarvardX+CS50+2024';
// Every request the server answered: host, path and the Sec-GPC header it came with.
const hits: { path: string; gpc: string | undefined }[] = [];
// What each worker of the workers page read as `navigator.globalPrivacyControl`, by kind of worker.
const heard = new Map<string, string>();
let server: TestServer;
let config: OptinConfig;
let page = '';

beforeAll(async () => {
  server = await serve([
    (req, res, url) => {
      const host = (req.headers.host ?? '').split(':')[0] ?? '';
      hits.push({ path: `${host}${url.pathname}`, gpc: req.headers['sec-gpc'] as string | undefined });
      const ads = `http://ads.harvardx.optin.test:${String(server.port)}/ads.js`;
      const html = (body: string) =>
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end(`<!doctype html><html lang="en"><title>t</title>${body}</html>`);
      const js = (body: string) => res.writeHead(200, { 'content-type': 'text/javascript' }).end(body);
      // A page that starts a dedicated worker (which starts one of its own), a shared and a service
      // worker (on localhost, a secure context), each of which says, as its first statement, what
      // `navigator.globalPrivacyControl` is there.
      const worker = /^\/gpc-(dedicated|nested|shared|service)\.js$/.exec(url.pathname)?.[1];
      if (url.pathname === '/gpc-heard')
        heard.set(url.searchParams.get('from') ?? '', url.searchParams.get('gpc') ?? '');
      if (url.pathname === '/gpc-workers')
        html(`<script>
          new Worker('/gpc-dedicated.js');
          new SharedWorker('/gpc-shared.js');
          navigator.serviceWorker.register('/gpc-service.js');
        </script>`);
      else if (worker)
        js(
          `fetch('/gpc-heard?from=${worker}&gpc=' + navigator.globalPrivacyControl);${worker === 'dedicated' ? "new Worker('/gpc-nested.js');" : ''}`,
        );
      else if (url.pathname === '/v.js') js(`document.cookie = '_vendor=1;Path=/;Max-Age=3600';`);
      else if (url.pathname === '/ads.js') js(`document.cookie = '_hxads=1;Path=/;Max-Age=3600';`);
      else if (url.pathname === '/page.js') js(page);
      else if (decodeURIComponent(url.pathname) === `${course}/careful`) html('<script src="/page.js"></script>');
      else if (decodeURIComponent(url.pathname) === `${course}/careless`) html(`<script src="${ads}"></script>`);
      else res.writeHead(204).end();
      return true;
    },
  ]);
  process.env.VENDOR_PORT = String(server.port);
  page = await bundle(fixture('page-opt-out.ts'), { VENDOR_PORT: JSON.stringify(String(server.port)) });
  config = await loadConfig(fixture('optin.config.mjs'));
});

afterAll(async () => {
  await server.close();
});

const run = async (path: string, options: Partial<AuditOptions>): Promise<{ report: AuditReport; ads: boolean }> => {
  hits.length = 0;
  const report = await audit(`${server.origin('www.optin.test')}${course}/${path}`, {
    config,
    mode: 'opt-out',
    hostRules: rules,
    waitMs: 300,
    ...options,
  });
  return { report, ads: hits.some((h) => h.path === 'ads.harvardx.optin.test/ads.js') };
};
const kinds = (report: AuditReport) => report.findings.map((f) => `${f.kind} ${f.subject.replace(/:\d+/, '')}`).sort();

describe('optin audit of an opt-out site, with and without Global Privacy Control', () => {
  test('without GPC, opt-out grants marketing: the ads load and nothing is found', async () => {
    const { report, ads } = await run('careful', {});
    expect(ads).toBe(true);
    expect(kinds(report)).toEqual([]);
    expect(report).toMatchObject({ mode: 'opt-out', gpc: false, member: 'HarvardX' });
    expect(hits.every((h) => h.gpc === undefined)).toBe(true);
  });

  test('with GPC, the browser says so on every request and in the page: a page that honours it loads no ads', async () => {
    const { report, ads } = await run('careful', { gpc: true });
    expect(ads).toBe(false);
    expect(kinds(report)).toEqual([]);
    expect(report).toMatchObject({ mode: 'opt-out', gpc: true });
    expect(hits.length).toBeGreaterThan(2);
    expect(hits.every((h) => h.gpc === '1')).toBe(true);
  });

  test('with GPC, a page that loads its ads anyway is caught', async () => {
    const careless = await run('careless', { gpc: true });
    expect(careless.ads).toBe(true);
    expect(kinds(careless.report)).toEqual([
      'cookie_without_consent _hxads@www.optin.test',
      'request_without_consent http://ads.harvardx.optin.test/ads.js',
    ]);
    // The same page, for a browser without GPC on an opt-out site, does nothing wrong.
    expect(kinds((await run('careless', {})).report)).toEqual([]);
  });

  test("with GPC, only the learner's own grant of marketing lets the ads load: accepting all does not", async () => {
    const all = await run('careful', { gpc: true, consent: 'all' });
    expect(all.ads).toBe(false);
    expect(kinds(all.report)).toEqual([]);
    const granted = await run('careful', { gpc: true, consent: ['analytics', 'marketing'] });
    expect(granted.ads).toBe(true);
    expect(kinds(granted.report)).toEqual([]);
  });

  test('with GPC, every worker sees navigator.globalPrivacyControl true, from its first statement; without, none does', async () => {
    const workers = async (gpc: boolean) => {
      heard.clear();
      // A service worker starts well after its page on a busy machine: a longer wait.
      await audit(`${server.origin('localhost')}/gpc-workers`, { config, mode: 'opt-out', gpc, waitMs: 4000 });
      return Object.fromEntries([...heard].sort());
    };
    expect(await workers(true)).toEqual({ dedicated: 'true', nested: 'true', service: 'true', shared: 'true' });
    // As in Chrome, which sends no GPC: the property is false, or not there at all.
    const without = await workers(false);
    expect(Object.keys(without)).toEqual(['dedicated', 'nested', 'service', 'shared']);
    for (const read of Object.values(without)) expect(['false', 'undefined']).toContain(read);
  });

  test('the CLI plays the same learner and says which in its report', async () => {
    const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
    const result = await promisify(execFile)(
      process.execPath,
      [
        cli,
        'audit',
        `${server.origin('www.optin.test')}${course}/careless`,
        '--config',
        fixture('optin.config.mjs'),
        '--mode',
        'opt-out',
        '--gpc',
        '--wait',
        '300',
        ...rules.flatMap((r) => ['--resolve', r]),
      ],
      { env: { ...process.env, VENDOR_PORT: String(server.port) } },
    ).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: unknown) => error as { code: number; stdout: string },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('consent: none; opt-out, GPC sent; Member: HarvardX');
    expect(result.stdout).toContain('✗ request_without_consent http://ads.harvardx.optin.test:');
  });
});
