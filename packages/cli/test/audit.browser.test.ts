import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { defineConfig, type OptinConfig } from '@optin/members';
import { defineTracker } from '@optin/trackers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bundle, serve, type TestServer } from '../../../test-support/browser.js';
import { audit, loadConfig, type AuditConsent, type AuditReport } from '../src/index.js';

// Real pages on www.optin.test (127.0.0.1), vendors on their own *.optin.test hosts, audited by the
// real CLI code driving Debian's Chromium. The "good" page is wired through consent and the scoped
// hub; the "leaky" pages do what sites get wrong: load a vendor directly, set cookies before consent,
// call undeclared hosts, run another Member's tracker.
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const rules = ['MAP *.optin.test 127.0.0.1', 'MAP *.elsewhere.test 127.0.0.1'];
const hits: string[] = [];
let server: TestServer;
let config: OptinConfig;
let page = '';

const html = (body: string) => `<!doctype html><html lang="en"><title>t</title>${body}</html>`;
const leaky = (vendorOrigin: string) =>
  html(`<script src="${vendorOrigin}/v.js"></script><script>
    document.cookie = 'mystery=1;Path=/';
    fetch('http://pixel.elsewhere.test:${new URL(vendorOrigin).port}/p').catch(() => {});
  </script>`);

beforeAll(async () => {
  server = await serve([
    (req, res, url) => {
      const host = (req.headers.host ?? '').split(':')[0] ?? '';
      hits.push(`${host}${url.pathname}`);
      const vendorOrigin = `http://cdn.vendor.optin.test:${String(server.port)}`;
      const js = (body: string) => res.writeHead(200, { 'content-type': 'text/javascript' }).end(body);
      if (url.pathname === '/v.js') js(`document.cookie = '_vendor=1;Path=/;Max-Age=3600';`);
      else if (url.pathname === '/ads.js') js(`document.cookie = '_hxads=1;Path=/;Max-Age=3600';`);
      else if (url.pathname === '/page.js') js(page);
      else if (url.pathname === '/good' || /^\/(learning\/course\/|course-v1:)/.test(decodeURIComponent(url.pathname)))
        res.writeHead(200, { 'content-type': 'text/html' }).end(html('<script src="/page.js"></script>'));
      else if (url.pathname === '/leaky') res.writeHead(200, { 'content-type': 'text/html' }).end(leaky(vendorOrigin));
      else if (url.pathname === '/socket')
        // A WebSocket fires no request event; one from the page and one from a frame it makes.
        res.writeHead(200, { 'content-type': 'text/html' }).end(
          html(`<script>new WebSocket('ws://cdn.vendor.optin.test:${String(server.port)}/live?uid=1');</script>
            <iframe srcdoc="<script>new WebSocket('ws://pixel.elsewhere.test:${String(server.port)}/live')</script>"></iframe>`),
        );
      else if (url.pathname === '/fleeting')
        // Cookies set, used and deleted long before the audit reads the jar: by script and by header.
        res.writeHead(200, { 'content-type': 'text/html' }).end(
          html(`<script>
            document.cookie = 'fleeting=1;Path=/';
            fetch('/brief').then(() => {
              document.cookie = 'fleeting=;Path=/;Max-Age=0';
              document.cookie = 'brief=;Path=/;Expires=Thu, 01 Jan 1970 00:00:00 GMT';
            });
          </script>`),
        );
      else if (url.pathname === '/brief') res.writeHead(204, { 'set-cookie': 'brief=1; Path=/' }).end();
      else if (url.pathname === '/leaving')
        // What a page sends on its way out: a beacon on pagehide, a keepalive fetch once hidden.
        res.writeHead(200, { 'content-type': 'text/html' }).end(
          html(`<script>
            addEventListener('pagehide', () => navigator.sendBeacon('${vendorOrigin}/b', 'uid=1'));
            document.addEventListener('visibilitychange', () => {
              if (document.visibilityState === 'hidden')
                fetch('http://pixel.elsewhere.test:${String(server.port)}/k', { method: 'POST', keepalive: true, mode: 'no-cors' });
            });
          </script>`),
        );
      else if (url.pathname === '/unloading')
        // What a page sends as it unloads, from the page and from a frame of another site: a beacon on
        // beforeunload, an image on unload, and a beacon only for a real (trusted) pagehide.
        res.writeHead(200, { 'content-type': 'text/html' }).end(
          html(`<script>
            addEventListener('beforeunload', () => navigator.sendBeacon('${vendorOrigin}/before', 'uid=1'));
            addEventListener('unload', () => { new Image().src = 'http://pixel.elsewhere.test:${String(server.port)}/gone.gif'; });
            addEventListener('pagehide', (e) => e.isTrusted && navigator.sendBeacon('${vendorOrigin}/trusted'));
          </script>
          <iframe src="http://pixel.elsewhere.test:${String(server.port)}/unloading-frame"></iframe>`),
        );
      else if (url.pathname === '/unloading-frame')
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end(
            html(`<script>addEventListener('unload', () => navigator.sendBeacon('${vendorOrigin}/frame'));</script>`),
          );
      else if (url.pathname === '/gone')
        res.writeHead(404, { 'content-type': 'text/html' }).end(html('<h1>Not found</h1>'));
      else if (url.pathname === '/down')
        res.writeHead(502, { 'content-type': 'text/html' }).end(html('<h1>Bad gateway</h1>'));
      else if (url.pathname === '/storage')
        // Identifiers kept in storage instead of cookies: a declared key, a key set by property (no
        // method call), one written and removed at once, an IndexedDB database, one in a frame of
        // another origin of the site, and the consent store's own key (kept there when cookies are
        // refused). (Frames of other sites: see audit-leaving.browser.test.ts.)
        res.writeHead(200, { 'content-type': 'text/html' }).end(
          html(`<script>
            localStorage.setItem('_vendor', 'id-1');
            sessionStorage._hjSession = 'x';
            localStorage.setItem('fleeting', '1');
            localStorage.removeItem('fleeting');
            indexedDB.open('tracker-db');
            localStorage.setItem('optin', 'choice');
          </script>
          <iframe src="http://learn.optin.test:${String(server.port)}/storage-frame"></iframe>`),
        );
      else if (url.pathname === '/storage-frame')
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end(
            html(`<script>localStorage.setItem('optin', 'x'); localStorage.setItem('_hjSessionUser', 'u');</script>`),
          );
      else if (url.pathname === '/other-member')
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end(html(`<script src="http://ads.harvardx.optin.test:${String(server.port)}/ads.js"></script>`));
      else res.writeHead(204, { 'access-control-allow-origin': '*' }).end();
      return true;
    },
  ]);
  process.env.VENDOR_PORT = String(server.port);
  page = await bundle(fixture('page.ts'), { VENDOR_PORT: JSON.stringify(String(server.port)) });
  config = await loadConfig(fixture('optin.config.mjs'));
});

afterAll(async () => {
  await server.close();
});

const run = (path: string, consent: AuditConsent): Promise<AuditReport> =>
  audit(`${server.origin('www.optin.test')}${path}`, { config, consent, hostRules: rules, waitMs: 300 });

const kinds = (report: AuditReport) => report.findings.map((f) => `${f.kind} ${f.subject.replace(/:\d+/, '')}`).sort();

describe('optin audit in Chromium', () => {
  test('a page wired through consent is clean before any choice, and loads nothing that needs one', async () => {
    hits.length = 0;
    const report = await run('/good', 'none');
    expect(report.findings).toEqual([]);
    expect(report.cookies.map((c) => c.name)).toEqual(['sessionid']);
    expect(hits.some((h) => h.startsWith('cdn.vendor'))).toBe(false);
  });

  test('with everything accepted the same page loads the vendor, sets its cookie, and is still clean', async () => {
    hits.length = 0;
    const report = await run('/good', 'all');
    expect(hits).toContain('cdn.vendor.optin.test/v.js');
    // The consent cookie as planted on the site (.optin.test) and as the page's store re-wrote it (host-only).
    expect([...new Set(report.cookies.map((c) => c.name))].sort()).toEqual(['_vendor', 'optin', 'sessionid']);
    expect(report.findings).toEqual([]);
  });

  test('with only performance granted nothing analytics loads', async () => {
    hits.length = 0;
    const report = await run('/good', ['performance']);
    expect(hits.some((h) => h.startsWith('cdn.vendor'))).toBe(false);
    expect(report.findings).toEqual([]);
  });

  test('a page that loads a vendor directly is caught: request and cookie without consent, undeclared host and cookie', async () => {
    const report = await run('/leaky', 'none');
    expect(kinds(report)).toEqual([
      'cookie_without_consent _vendor@www.optin.test',
      'request_without_consent http://cdn.vendor.optin.test/v.js',
      'undeclared_cookie mystery@www.optin.test',
      'undeclared_request http://pixel.elsewhere.test/p',
    ]);
    expect(report.findings.find((f) => f.kind === 'request_without_consent')?.trackers).toEqual(['vendor']);
  });

  test('on a HarvardX course the Member tracker runs with marketing granted; on an MITx page it is out of scope', async () => {
    const harvard = await run('/learning/course/course-v1:HarvardX+CS50+2026_T1/home', 'all');
    expect(harvard.member).toBe('HarvardX');
    expect(harvard.cookies.map((c) => c.name)).toContain('_hxads');
    expect(harvard.findings).toEqual([]);

    const refused = await run('/learning/course/course-v1:HarvardX+CS50+2026_T1/home', ['analytics']);
    expect(refused.cookies.map((c) => c.name)).not.toContain('_hxads');
    expect(refused.findings).toEqual([]);

    const elsewhere = await run('/other-member', 'all');
    expect(elsewhere.member).toBeNull();
    expect(kinds(elsewhere)).toEqual([
      'out_of_scope_cookie _hxads@www.optin.test',
      'out_of_scope_request http://ads.harvardx.optin.test/ads.js',
    ]);
  });

  test("a course's discussions page (the discussions MFE's /{key}/posts) is its Member's: its tracker runs there, no finding", async () => {
    const discussions = await run('/course-v1:HarvardX+CS50+2026_T1/posts', 'all');
    expect(discussions.member).toBe('HarvardX');
    expect(discussions.cookies.map((c) => c.name)).toContain('_hxads');
    expect(discussions.findings).toEqual([]);
  });
});

describe('what a plain reading of requests and the cookie jar misses', () => {
  test('WebSocket connections, from the page and its frames, are judged like requests', async () => {
    const report = await run('/socket', 'none');
    expect(kinds(report)).toEqual([
      'request_without_consent ws://cdn.vendor.optin.test/live?uid=1',
      'undeclared_request ws://pixel.elsewhere.test/live',
    ]);
  });

  test('a cookie set and deleted before the page settles is still caught, set by script or by header', async () => {
    const report = await run('/fleeting', 'none');
    expect(kinds(report)).toEqual([
      'undeclared_cookie brief@www.optin.test',
      'undeclared_cookie fleeting@www.optin.test',
    ]);
    expect(report.cookies.map((c) => c.name).sort()).toEqual(['brief', 'fleeting']);
  });

  test('the page is made to leave: a beacon on pagehide and a keepalive fetch on visibilitychange are caught', async () => {
    hits.length = 0;
    const report = await run('/leaving', 'none');
    expect(kinds(report)).toEqual([
      'request_without_consent http://cdn.vendor.optin.test/b',
      'undeclared_request http://pixel.elsewhere.test/k',
    ]);
    expect(hits).toContain('cdn.vendor.optin.test/b');
  });

  test('what the page and its frames send as they unload is caught: beforeunload, unload, and only for trusted events', async () => {
    hits.length = 0;
    const report = await run('/unloading', 'none');
    expect(kinds(report)).toEqual([
      'request_without_consent http://cdn.vendor.optin.test/before',
      'request_without_consent http://cdn.vendor.optin.test/frame',
      'request_without_consent http://cdn.vendor.optin.test/trusted',
      'undeclared_request http://pixel.elsewhere.test/gone.gif',
      // The frame's own document: a third-party site the page embeds.
      'undeclared_request http://pixel.elsewhere.test/unloading-frame',
    ]);
    // Each handler ran once: the page was not told twice that it left.
    expect(hits.filter((h) => h === 'cdn.vendor.optin.test/before')).toHaveLength(1);
  });

  test('identifiers kept in localStorage, sessionStorage or IndexedDB are judged like cookies, per origin', async () => {
    const report = await run('/storage', 'none');
    const site = server.origin('www.optin.test');
    const frame = server.origin('learn.optin.test');
    expect(report.findings.map((f) => `${f.kind} ${f.subject}`).sort()).toEqual(
      [
        `storage_without_consent localStorage._vendor@${site}`,
        `undeclared_storage indexedDB.tracker-db@${site}`,
        `undeclared_storage localStorage.fleeting@${site}`,
        `undeclared_storage localStorage._hjSessionUser@${frame}`,
        `undeclared_storage sessionStorage._hjSession@${site}`,
      ].sort(),
    );
    expect(report.findings.find((f) => f.kind === 'storage_without_consent')?.trackers).toEqual(['vendor']);
    // The consent store's key was seen, on both origins of the site, and is allowed.
    expect(report.storage).toContainEqual({ area: 'localStorage', name: 'optin', origin: site });
    expect(report.storage).toContainEqual({ area: 'localStorage', name: 'optin', origin: frame });

    // With analytics granted the declared key is fine; what nobody declares still is not.
    const granted = await run('/storage', ['analytics']);
    expect(kinds(granted).filter((k) => k.includes('_vendor'))).toEqual([]);
    expect(kinds(granted).filter((k) => k.startsWith('undeclared_storage'))).toHaveLength(4);
  });

  test("a first-party collector declared on the page's own host does not make the page and its assets findings", async () => {
    const collector = defineTracker({
      id: 'collector',
      owner: 'platform',
      purposes: ['analytics'],
      party: 'first',
      vendor: { name: 'edX', privacyUrl: 'https://www.edx.org/edx-privacy-policy' },
      cookies: [],
      hosts: ['www.optin.test'],
    });
    const withCollector = defineConfig({
      ...config,
      platform: { trackers: [...config.platform.trackers, collector] },
    });
    const report = await audit(`${server.origin('www.optin.test')}/good`, {
      config: withCollector,
      consent: 'none',
      hostRules: rules,
      waitMs: 300,
    });
    expect(report.requests).toBeGreaterThan(1);
    expect(report.findings).toEqual([]);
  });
});

describe('the optin binary', () => {
  const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
  const exec = promisify(execFile);
  const optin = async (...args: string[]) =>
    exec(process.execPath, [cli, ...args], { env: { ...process.env, VENDOR_PORT: String(server.port) } }).then(
      ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
      (error: unknown) => error as { code: number; stdout: string; stderr: string },
    );
  /** The arguments of `optin audit` on the stand-in site's `path`, with `config`, the hosts resolved, `--wait ms`. */
  const auditArgs = (path: string, config: string, wait: string) => [
    'audit',
    `${server.origin('www.optin.test')}${path}`,
    '--config',
    config,
    ...rules.flatMap((r) => ['--resolve', r]),
    '--wait',
    wait,
  ];
  /** {@link optin} running {@link auditArgs}, then `extra`. */
  const optinAudit = async (path: string, config: string, wait: string, ...extra: string[]) =>
    optin(...auditArgs(path, config, wait), ...extra);

  test('audit exits 1 with a readable report on a leaky page and 0 on a clean one', async () => {
    const bad = await optinAudit('/leaky', fixture('optin.config.mjs'), '300');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('✗ request_without_consent http://cdn.vendor.optin.test');
    expect(bad.stdout).toContain('4 finding(s)');

    const good = await optinAudit('/good', fixture('optin.config.mjs'), '300', '--consent', 'analytics', '--json');
    expect(good.code).toBe(0);
    const report = JSON.parse(good.stdout) as AuditReport;
    expect(report.consent).toEqual(['analytics']);
    expect(report.findings).toEqual([]);
  });

  test('a page that answers an HTTP error is not audited: browser_failed naming the status, exit 2', async () => {
    await expect(run('/gone', 'none')).rejects.toMatchObject({
      code: 'browser_failed',
      issues: [{ path: 'url', message: 'answered 404' }],
    });
    const down = await optinAudit('/down', fixture('optin.config.mjs'), '0');
    expect(down.code).toBe(2);
    expect(down.stdout).toBe('');
    expect(down.stderr).toContain('error browser_failed\n  url: answered 502\n');
  });

  test("a value that is no Error, thrown by the config's timer during the audit, is the config's: import_failed, exit 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'optin-audit-thrown-'));
    const config = join(dir, 'optin.config.mjs');
    writeFileSync(
      config,
      `export { default } from ${JSON.stringify(fixture('optin.config.mjs'))};\nsetTimeout(() => { throw null; }, 500);\n`,
    );
    try {
      const result = await optinAudit('/good', config, '2000', '--json');
      expect([result.code, JSON.parse(result.stdout)]).toEqual([
        1,
        {
          error: {
            code: 'invalid_config',
            issues: [
              {
                path: config,
                code: 'import_failed',
                message:
                  'threw null after it was imported (in a timer or a callback): not an Error, so optin cannot name the line that threw it',
              },
            ],
            hint: expect.stringContaining('throw new Error'),
          },
        },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a config's timer that blocks Node's thread during the audit: the watchdog answers import_failed (SIGKILL), never a hang", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'optin-audit-blocked-'));
    const config = join(dir, 'optin.config.mjs');
    writeFileSync(
      config,
      `export { default } from ${JSON.stringify(fixture('optin.config.mjs'))};\nsetTimeout(() => { for (;;) {} }, 500);\n`,
    );
    try {
      const result = (await exec(
        process.execPath,
        [cli, ...auditArgs('/good', config, '2000'), '--thread-timeout', '1000', '--json'],
        { env: { ...process.env, VENDOR_PORT: String(server.port) }, timeout: 30_000 },
      ).catch((error: unknown) => error)) as { signal: string | null; stdout: string };
      // Before the watchdog watched past the import: killed by the test after 30 s (SIGTERM), having said nothing.
      expect([result.signal, JSON.parse(result.stdout)]).toEqual([
        'SIGKILL',
        {
          error: {
            code: 'invalid_config',
            issues: [
              {
                path: config,
                code: 'import_failed',
                message: expect.stringContaining(
                  "kept Node's thread busy for more than 1 s without a break after it was imported (in a timer or a callback), before optin answered",
                ),
              },
            ],
            hint: expect.stringContaining('--thread-timeout'),
          },
        },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an audit longer than --import-timeout and its 2 s of grace, its thread free, is never ended by the watchdog', async () => {
    const result = await optinAudit(
      '/good',
      fixture('optin.config.mjs'),
      '4000',
      '--import-timeout',
      '1000',
      '--consent',
      'analytics',
      '--json',
    );
    expect([result.code, (JSON.parse(result.stdout) as AuditReport).findings]).toEqual([0, []]);
  });

  test("an empty CHROMIUM_PATH is unset: Debian's chromium opens the page, never Playwright's own build that is not there", async () => {
    const result = await exec(
      process.execPath,
      [cli, 'audit', 'http://127.0.0.1:9/', '--config', fixture('optin.config.mjs'), '--wait', '0', '--json'],
      { env: { ...process.env, VENDOR_PORT: String(server.port), CHROMIUM_PATH: '' } },
    ).then(
      () => ({ code: 0, stdout: '' }),
      (error: unknown) => error as { code: number; stdout: string },
    );
    // The browser opened: the page (an unsafe port) is what failed, not the launch of a browser at ''.
    expect([result.code, JSON.parse(result.stdout)]).toEqual([
      2,
      {
        error: {
          code: 'browser_failed',
          issues: [{ path: 'url', message: expect.stringContaining('ERR_UNSAFE_PORT') }],
          hint: expect.any(String),
        },
      },
    ]);
  });

  test('audit refuses a purpose the policy does not have, naming the option', async () => {
    const result = await optin(
      'audit',
      `${server.origin('www.optin.test')}/good`,
      '--config',
      fixture('optin.config.mjs'),
      '--consent',
      'analytics,telemetry',
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error invalid_argument');
    expect(result.stderr).toContain('--consent: "telemetry" is not a purpose of policy edx');
  });
});
