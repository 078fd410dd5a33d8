import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OptinConfig } from '@optin/members';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { serve, type TestServer } from '../../../test-support/browser.js';
import { findingLines, hostRules } from './fixtures/audit-run.js';
import { audit, formatReport, loadConfig } from '../src/index.js';

// What a page does late: answers that arrive after the watch, as the page leaves, or never; trackers
// that wait for the learner to move, scroll or type, or lie below the fold. Real Chromium, real audit.
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const hits: string[] = [];
let server: TestServer;
let config: OptinConfig;
// A site on HTTPS (a certificate of its own, made here by openssl): the Reporting API takes
// endpoints of secure pages only.
let secure: Server;
const certificates = mkdtempSync(join(tmpdir(), 'optin-audit-'));

const html = (body: string) => `<!doctype html><html lang="en"><title>t</title>${body}</html>`;

beforeAll(async () => {
  server = await serve([
    (req, res, url) => {
      const host = (req.headers.host ?? '').split(':')[0] ?? '';
      hits.push(`${host}${url.pathname}`);
      const port = String(server.port);
      const page = (body: string) => res.writeHead(200, { 'content-type': 'text/html' }).end(html(body));
      if (url.pathname === '/slow-answer') page(`<script>fetch('/slow-cookie?ms=1500');</script>`);
      else if (url.pathname === '/leave-slow')
        page(
          `<script>addEventListener('pagehide', () => navigator.sendBeacon('/slow-cookie?ms=1000', 'bye'));</script>`,
        );
      else if (url.pathname === '/slow-cookie')
        setTimeout(
          () => res.writeHead(200, { 'set-cookie': 'late_uid=1; Path=/; Max-Age=9999' }).end('ok'),
          Number(url.searchParams.get('ms')),
        );
      else if (url.pathname === '/moved-slow')
        page(`<script>addEventListener('mousemove', () => fetch('/slow-cookie?ms=1500'), { once: true });</script>`);
      else if (url.pathname === '/never') page(`<script>fetch('/hang');</script>`);
      else if (url.pathname === '/hang') req.on('close', () => res.end());
      else if (url.pathname === '/interact')
        // Trackers that start once the learner moves the mouse, scrolls or types; a button that
        // consents: the audit must never press it.
        page(`<button id="accept">Accept all</button><div style="height:3000px"></div><script>
          addEventListener('mousemove', () => { new Image().src = 'http://moved.elsewhere.test:${port}/px.gif'; }, { once: true });
          addEventListener('scroll', () => { new Image().src = 'http://scrolled.elsewhere.test:${port}/px.gif'; }, { once: true });
          addEventListener('keydown', (e) => { new Image().src = 'http://typed.elsewhere.test:${port}/px.gif?key=' + e.key; }, { once: true });
          addEventListener('click', () => { new Image().src = 'http://clicked.elsewhere.test:${port}/px.gif'; });
          accept.addEventListener('click', () => { document.cookie = 'optin=all; Path=/'; });
        </script>`);
      else if (url.pathname === '/lazy')
        page(`<div style="height:3000px">course text</div>
          <iframe loading="lazy" src="http://video.elsewhere.test:${port}/embed"></iframe>
          <img loading="lazy" src="http://img.elsewhere.test:${port}/lazy.gif">`);
      else if (url.pathname === '/speculation')
        page(
          `<script type="speculationrules">{"prefetch":[{"source":"list","urls":["http://next.elsewhere.test:${port}/next?uid=1"]}]}</script>`,
        );
      else if (url.pathname === '/delay')
        page(
          `<script>setTimeout(() => { new Image().src = 'http://later.elsewhere.test:${port}/px.gif'; }, 1200);</script>`,
        );
      else res.writeHead(204).end();
      return true;
    },
  ]);
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=optin.test'],
      ...['-addext', 'subjectAltName=DNS:*.optin.test,DNS:*.elsewhere.test'],
      ...['-keyout', join(certificates, 'key.pem'), '-out', join(certificates, 'cert.pem')],
    ],
    { stdio: 'ignore' },
  );
  secure = createServer(
    { key: readFileSync(join(certificates, 'key.pem')), cert: readFileSync(join(certificates, 'cert.pem')) },
    (req, res) => {
      const port = String((secure.address() as AddressInfo).port);
      // Reports (CSP, NEL, deprecations) are uploaded by the browser, past request interception.
      if (req.url === '/reporting')
        res
          .writeHead(200, {
            'content-type': 'text/html',
            'content-security-policy-report-only': "img-src 'none'; report-to rep",
            'reporting-endpoints': `rep="https://report.elsewhere.test:${port}/rep?uid=1"`,
          })
          .end(html('<img src="/x.gif">'));
      else res.writeHead(204).end();
    },
  );
  await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', resolve));
  process.env.VENDOR_PORT = String(server.port);
  config = await loadConfig(fixture('optin.config.mjs'));
});

afterAll(async () => {
  await server.close();
  secure.closeAllConnections();
  await new Promise((resolve) => secure.close(resolve));
  rmSync(certificates, { recursive: true });
});

const at = (path: string) => `${server.origin('www.optin.test')}${path}`;

describe('optin audit waits for late answers', () => {
  test('a cookie set by an answer that arrives after the watch is seen', async () => {
    const report = await audit(at('/slow-answer'), { config, hostRules, waitMs: 200, interact: false });
    expect(findingLines(report)).toEqual(['undeclared_cookie late_uid@www.optin.test']);
  });

  test('a cookie set by the late answer to a beacon sent as the page leaves is seen', async () => {
    const report = await audit(at('/leave-slow'), { config, hostRules, waitMs: 200, interact: false });
    expect(findingLines(report)).toEqual(['undeclared_cookie late_uid@www.optin.test']);
  });

  test('a request still unanswered at the cap is an unsettled_request, not a pass', async () => {
    const report = await audit(at('/never'), { config, hostRules, waitMs: 200, interact: false, settleMs: 1000 });
    expect(findingLines(report)).toEqual(['unsettled_request http://www.optin.test/hang']);
  });
});

describe('optin audit sees what the browser sends past request interception', () => {
  test('a Reporting API endpoint of another site is a request to its host', async () => {
    const { port } = secure.address() as AddressInfo;
    const report = await audit(`https://www.optin.test:${String(port)}/reporting`, {
      config,
      hostRules,
      waitMs: 200,
      interact: false,
      ignoreHttpsErrors: true,
    });
    expect(findingLines(report)).toEqual(['undeclared_request https://report.elsewhere.test/rep?uid=1']);
  });

  test('a prefetch of speculation rules to another site is a request to its host', async () => {
    const report = await audit(at('/speculation'), { config, hostRules, waitMs: 200, interact: false });
    expect(findingLines(report)).toEqual(['undeclared_request http://next.elsewhere.test/next?uid=1']);
  });
});

describe('optin audit plays a learner who moves, scrolls and types', () => {
  test('trackers started by a mouse move, a scroll or a key are seen; nothing is clicked', async () => {
    const report = await audit(at('/interact'), { config, hostRules, waitMs: 200 });
    expect(findingLines(report)).toEqual([
      'undeclared_request http://moved.elsewhere.test/px.gif',
      'undeclared_request http://scrolled.elsewhere.test/px.gif',
      'undeclared_request http://typed.elsewhere.test/px.gif?key=Tab',
    ]);
    expect(report.watch).toEqual({ waitMs: 200, interactions: ['mouse move', 'scroll to the end', 'Tab key'] });
    expect(formatReport(report)).toContain(
      'watched 200 ms after load, then 200 ms more after: mouse move, scroll to the end, Tab key',
    );
  });

  test('the late answer to a request a mouse move started is waited for too', async () => {
    const report = await audit(at('/moved-slow'), { config, hostRules, waitMs: 200 });
    expect(findingLines(report)).toEqual(['undeclared_cookie late_uid@www.optin.test']);
  });

  test('a frame and an image loaded lazily below the fold are seen', async () => {
    const report = await audit(at('/lazy'), { config, hostRules, waitMs: 200 });
    expect(findingLines(report)).toEqual([
      'undeclared_request http://img.elsewhere.test/lazy.gif',
      'undeclared_request http://video.elsewhere.test/embed',
    ]);
  });

  test('a tracker started after a delay longer than the wait is seen in the second watch', async () => {
    const report = await audit(at('/delay'), { config, hostRules, waitMs: 800 });
    expect(findingLines(report)).toEqual(['undeclared_request http://later.elsewhere.test/px.gif']);
  });

  test('without interaction, only the wait is watched', async () => {
    const report = await audit(at('/interact'), { config, hostRules, waitMs: 200, interact: false });
    expect(findingLines(report)).toEqual([]);
    expect(report.watch).toEqual({ waitMs: 200, interactions: [] });
  });
});
