import { fileURLToPath } from 'node:url';
import type { OptinConfig } from '@optin/members';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { serve, type TestServer } from '../../../test-support/browser.js';
import { audit, loadConfig, type AuditReport } from '../src/index.js';

// What a page writes on its way out, and what workers with no page of their own connect to: both
// out of reach of a page's own events, audited in Debian's Chromium by the real audit code.
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const rules = ['MAP *.optin.test 127.0.0.1', 'MAP *.elsewhere.test 127.0.0.1'];
let server: TestServer;
let config: OptinConfig;

const html = (body: string) => `<!doctype html><html lang="en"><title>t</title>${body}</html>`;

beforeAll(async () => {
  server = await serve([
    (_req, res, url) => {
      const port = String(server.port);
      const page = (body: string) => res.writeHead(200, { 'content-type': 'text/html' }).end(html(body));
      const js = (body: string) => res.writeHead(200, { 'content-type': 'text/javascript' }).end(body);
      if (url.pathname === '/leave-storage')
        // Nothing stored while the page lives; everything as it leaves: by method and by property,
        // a declared key whose purpose is refused, and a cookie set and deleted in the same handler.
        page(`<script>
          addEventListener('pagehide', () => {
            localStorage.setItem('left_ls', '1');
            localStorage.left_prop = '1';
            sessionStorage.setItem('left_ss', '1');
            localStorage.setItem('_vendor', 'id-1');
          });
          addEventListener('unload', () => { sessionStorage.unload_prop = '1'; });
        </script>`);
      else if (url.pathname === '/shared-worker') page(`<script>new SharedWorker('/shared.js');</script>`);
      else if (url.pathname === '/shared.js')
        // Connects as it starts, before any message from the page.
        js(`new WebSocket('ws://cdn.vendor.optin.test:${port}/from-shared?uid=1');`);
      else if (url.pathname === '/service-worker') page(`<script>navigator.serviceWorker.register('/sw.js');</script>`);
      else if (url.pathname === '/sw.js') js(`new WebSocket('ws://pixel.elsewhere.test:${port}/from-service-worker');`);
      else res.writeHead(204).end();
      return true;
    },
  ]);
  process.env.VENDOR_PORT = String(server.port);
  config = await loadConfig(fixture('optin.config.mjs'));
});

afterAll(async () => {
  await server.close();
});

// A worker starts after its page has loaded: on a busy machine (CI), well after 300 ms.
const run = (origin: string, path: string, waitMs = 300): Promise<AuditReport> =>
  audit(`${origin}${path}`, { config, consent: 'none', hostRules: rules, waitMs });
const findings = (report: AuditReport) =>
  report.findings.map((f) => `${f.kind} ${f.subject.replace(/:\d+/g, '')}`).sort();

describe('optin audit sees what no page event reports', () => {
  test('storage written in pagehide and unload handlers, by method or by property, is judged', async () => {
    const report = await run(server.origin('www.optin.test'), '/leave-storage');
    expect(findings(report)).toEqual([
      'storage_without_consent localStorage._vendor@http://www.optin.test',
      'undeclared_storage localStorage.left_ls@http://www.optin.test',
      'undeclared_storage localStorage.left_prop@http://www.optin.test',
      'undeclared_storage sessionStorage.left_ss@http://www.optin.test',
      'undeclared_storage sessionStorage.unload_prop@http://www.optin.test',
    ]);
  });

  test('a WebSocket a shared worker opens as it starts is judged like a request', async () => {
    const report = await run(server.origin('www.optin.test'), '/shared-worker', 3000);
    expect(findings(report)).toEqual(['request_without_consent ws://cdn.vendor.optin.test/from-shared?uid=1']);
  });

  test('a WebSocket a service worker opens as it starts is judged like a request', async () => {
    // A service worker needs a secure context: localhost is one over http.
    const report = await run(server.origin('localhost'), '/service-worker', 3000);
    expect(findings(report)).toEqual(['undeclared_request ws://pixel.elsewhere.test/from-service-worker']);
  });
});
