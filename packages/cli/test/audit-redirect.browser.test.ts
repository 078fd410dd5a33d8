import { fileURLToPath } from 'node:url';
import type { OptinConfig } from '@optin/members';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bundle, serve, type TestServer } from '../../../test-support/browser.js';
import { audit, formatReport, loadConfig } from '../src/index.js';

// An audit that starts on one URL and lands on another, as `edx.org` lands on `www.edx.org`: the
// learner played must still be the one the landing page sees, and its course must decide the Member.
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const rules = ['MAP *.optin.test 127.0.0.1', 'MAP optin.test 127.0.0.1'];
const course = '/learning/course/course-v1:HarvardX+CS50+2026_T1/home';
const mitx = '/learning/course/course-v1:MITx+6.001+2026_T1/home';
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
      if (url.pathname === '/go') res.writeHead(302, { location: `${server.origin('www.optin.test')}${course}` }).end();
      else if (url.pathname === course)
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<!doctype html><html lang="en"><title>t</title><script src="/page.js"></script></html>');
      else if (url.pathname === '/page.js') js(page);
      else if (url.pathname === '/learning/course/course-v1:HarvardX+CS50+2026_T1/resume')
        // A HarvardX course page that sends the learner on, in script, to an MITx course, which loads
        // HarvardX's ad tag.
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end(`<!doctype html><html lang="en"><title>t</title><script>location.replace('${mitx}');</script></html>`);
      else if (url.pathname === mitx)
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end(
            `<!doctype html><html lang="en"><title>t</title><script src="${server.origin('ads.harvardx.optin.test')}/ads.js"></script></html>`,
          );
      else if (url.pathname === '/v.js') js(`document.cookie = '_vendor=1;Path=/;Max-Age=3600';`);
      else if (url.pathname === '/ads.js') js(`document.cookie = '_hxads=1;Path=/;Max-Age=3600';`);
      else res.writeHead(204).end();
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

describe('optin audit after a redirect', () => {
  test("the apex redirecting to www: the landing page reads the learner's choice and its course decides the Member", async () => {
    hits.length = 0;
    const report = await audit(`${server.origin('optin.test')}/go`, {
      config,
      consent: 'all',
      hostRules: rules,
      waitMs: 300,
    });
    expect(report.url).toBe(`${server.origin('www.optin.test')}${course}`);
    expect(report.member).toBe('HarvardX');
    // Everything accepted, on HarvardX's course: the platform's and HarvardX's trackers ran.
    expect(hits).toContain('cdn.vendor.optin.test/v.js');
    expect(hits).toContain('ads.harvardx.optin.test/ads.js');
    expect(report.findings).toEqual([]);
  });

  test('refused, the same redirect loads nothing and is clean', async () => {
    hits.length = 0;
    const report = await audit(`${server.origin('optin.test')}/go`, {
      config,
      consent: ['performance'],
      hostRules: rules,
      waitMs: 300,
    });
    expect(report.member).toBe('HarvardX');
    expect(hits.filter((h) => h.endsWith('.js') && !h.endsWith('/page.js'))).toEqual([]);
    expect(report.findings).toEqual([]);
  });

  test("a page that sends the learner on in script is judged as the page it ends on, and the Member's change is reported", async () => {
    const start = `${server.origin('www.optin.test')}/learning/course/course-v1:HarvardX+CS50+2026_T1/resume`;
    const report = await audit(start, { config, consent: 'all', hostRules: rules, waitMs: 300, interact: false });
    expect(report.url).toBe(`${server.origin('www.optin.test')}${mitx}`);
    expect(report.member).toBe('MITx');
    expect(report.visited).toEqual([
      { url: start, member: 'HarvardX' },
      { url: `${server.origin('www.optin.test')}${mitx}`, member: 'MITx' },
    ]);
    expect(report.findings.map((f) => `${f.kind} ${f.subject.replace(/:\d+/, '')}`)).toEqual([
      'out_of_scope_request http://ads.harvardx.optin.test/ads.js',
      'out_of_scope_cookie _hxads@www.optin.test',
    ]);
    expect(formatReport(report)).toContain(
      `Member changed as the page went on: HarvardX (${start}) → MITx (${server.origin('www.optin.test')}${mitx}); judged as the last`,
    );
  });
});
