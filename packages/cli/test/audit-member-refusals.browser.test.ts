import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { OptinConfig } from '@optin/members';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bundle, serve, type TestServer } from '../../../test-support/browser.js';
import { audit, loadConfig, type AuditOptions, type AuditReport } from '../src/index.js';

// A learner who granted marketing but refused it for HarvardX (`members: { HarvardX: { marketing:
// false } }` in the decision), played by the real audit code in Debian's Chromium on a HarvardX
// course page. The platform's marketing pixel and HarvardX's are served by local stand-ins. The
// careful page runs both through consent and the scoped hub, which honours the Member refusal; the
// careless one loads HarvardX's pixel itself whenever marketing is granted at all.
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const rules = ['MAP *.optin.test 127.0.0.1'];
const course = '/learning/course/course-v1:HarvardX+CS50+2026_T1';
// Every request the stand-ins answered, as host and path.
const hits: string[] = [];
let server: TestServer;
let config: OptinConfig;
let page = '';

beforeAll(async () => {
  server = await serve([
    (req, res, url) => {
      const host = (req.headers.host ?? '').split(':')[0] ?? '';
      hits.push(`${host}${url.pathname}`);
      const js = (body: string) => res.writeHead(200, { 'content-type': 'text/javascript' }).end(body);
      if (url.pathname === '/pixel.js') js(`document.cookie = '_edxads=1;Path=/;Max-Age=3600';`);
      else if (url.pathname === '/ads.js')
        js(
          `document.cookie = '_hxads=1;Path=/;Max-Age=3600'; navigator.sendBeacon('http://${host}:${String(server.port)}/hit', 'uid=1');`,
        );
      else if (url.pathname === '/page.js') js(page);
      else if (decodeURIComponent(url.pathname).startsWith(course))
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<!doctype html><html lang="en"><title>CS50</title><script src="/page.js"></script></html>');
      else res.writeHead(204).end();
      return true;
    },
  ]);
  process.env.VENDOR_PORT = String(server.port);
  page = await bundle(fixture('page-members.ts'), { VENDOR_PORT: JSON.stringify(String(server.port)) });
  config = await loadConfig(fixture('members.config.mjs'));
});

afterAll(async () => {
  await server.close();
});

const run = async (path: string, options: Partial<AuditOptions>) => {
  hits.length = 0;
  const report = await audit(`${server.origin('www.optin.test')}${course}/${path}`, {
    config,
    hostRules: rules,
    waitMs: 300,
    ...options,
  });
  return { report, hosts: [...new Set(hits.map((h) => h.split('/')[0]))].filter((h) => h?.startsWith('ads.')).sort() };
};
const kinds = (report: AuditReport) => report.findings.map((f) => `${f.kind} ${f.subject.replace(/:\d+/, '')}`).sort();

describe('optin audit of a learner who refused a purpose for one Member', () => {
  test("a page whose hub honours the refusal passes: the platform's marketing pixel runs, HarvardX's never loads", async () => {
    const { report, hosts } = await run('careful', { consent: 'all', refused: { HarvardX: ['marketing'] } });
    expect(report.member).toBe('HarvardX');
    expect(report.refused).toEqual({ HarvardX: ['marketing'] });
    expect(hosts).toEqual(['ads.platform.optin.test']);
    expect(report.cookies.map((c) => c.name)).toContain('_edxads');
    expect(report.cookies.map((c) => c.name)).not.toContain('_hxads');
    expect(report.findings).toEqual([]);
  });

  test("a page that loads HarvardX's pixel anyway is reported: its script, beacon and cookie, not the platform's", async () => {
    // Without the refusal the same page is clean: HarvardX's marketing is granted with everyone's.
    const granted = await run('careless', { consent: 'all' });
    expect(granted.hosts).toEqual(['ads.harvardx.optin.test', 'ads.platform.optin.test']);
    expect(granted.report.findings).toEqual([]);

    const { report, hosts } = await run('careless', { consent: ['marketing'], refused: { HarvardX: ['marketing'] } });
    expect(hosts).toEqual(['ads.harvardx.optin.test', 'ads.platform.optin.test']);
    expect(kinds(report)).toEqual([
      'cookie_without_consent _hxads@www.optin.test',
      'request_without_consent http://ads.harvardx.optin.test/ads.js',
      'request_without_consent http://ads.harvardx.optin.test/hit',
    ]);
    expect(report.findings.every((f) => f.trackers.join() === 'HarvardX/ads')).toBe(true);
    expect(report.findings[0]?.message).toContain('HarvardX');
  });
});

describe('the optin binary', () => {
  const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
  const exec = promisify(execFile);
  const optin = async (path: string, ...args: string[]) =>
    exec(
      process.execPath,
      [
        cli,
        'audit',
        `${server.origin('www.optin.test')}${course}/${path}`,
        '--config',
        fixture('members.config.mjs'),
        ...rules.flatMap((r) => ['--resolve', r]),
        '--wait',
        '300',
        ...args,
      ],
      { env: { ...process.env, VENDOR_PORT: String(server.port) } },
    ).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: unknown) => error as { code: number; stdout: string },
    );

  test('--refuse HarvardX:marketing: exit 1 on the page that ignores it, 0 on the one that honours it, the refusal in the report', async () => {
    const bad = await optin('careless', '--consent', 'all', '--refuse', 'HarvardX:marketing');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('consent: all; refused for HarvardX: marketing;');
    expect(bad.stdout).toContain('✗ request_without_consent http://ads.harvardx.optin.test');
    expect(bad.stdout).toContain('3 finding(s)');

    const good = await optin('careful', '--consent', 'all', '--refuse', 'HarvardX:marketing', '--json');
    expect(good.code).toBe(0);
    const report = JSON.parse(good.stdout) as AuditReport;
    expect(report).toMatchObject({ consent: 'all', refused: { HarvardX: ['marketing'] }, findings: [] });
  });
});
