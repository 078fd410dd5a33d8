import { edxPolicy } from '@optin/consent';
import { defineConfig, defineMember, type OptinConfig } from '@optin/members';
import type { Tracker } from '@optin/trackers';
import { ga4 } from '@optin/trackers/ga4';
import { gtm } from '@optin/trackers/gtm';
import { hotjar } from '@optin/trackers/hotjar';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { serve, type TestServer } from '../../../test-support/browser.js';
import { audit, type AuditReport } from '../src/index.js';

// The platform and a Member on the same vendor hosts (Google's), served on 127.0.0.1 under their
// real names. Pages hard-code tags, as sites that get it wrong do: the Member's GA4 property,
// cookie-less (Consent Mode pings), on another Member's course and on a page of no course; a GA4
// property and a Hotjar site nobody declares; a Member's GTM container. Only the ids in the requests
// and cookie names, and the `vendorId` each adapter declares, tell whose they are.
const rules = [
  'MAP *.optin.test 127.0.0.1',
  'MAP www.googletagmanager.com 127.0.0.1',
  'MAP *.google-analytics.com 127.0.0.1',
  'MAP *.hotjar.com 127.0.0.1',
];
const mitx = '/learning/course/course-v1:MITx+6.00x+2026_T1/home';
const harvardx = '/learning/course/course-v1:HarvardX+CS50+2026_T1/home';
let server: TestServer;

const members = (trackers: readonly Tracker[]) => [
  defineMember({ id: 'HarvardX', name: 'Harvard University', orgs: ['HarvardX'], trackers }),
  defineMember({ id: 'MITx', name: 'Massachusetts Institute of Technology', orgs: ['MITx'], trackers: [] }),
];
// As the trackers README wires them: the platform's GA4 and Hotjar, and HarvardX's own GA4.
const adapters: OptinConfig = defineConfig({
  policy: edxPolicy,
  platform: { trackers: [ga4({ id: 'G-EDX1' }), hotjar({ siteId: 100 })] },
  members: members([ga4({ id: 'G-HX1', cookiePrefix: 'hx' })]),
});
// The platform's GTM container, declaring every GA cookie its tags set (`/^_ga/`), and HarvardX's
// GA4, whose tag hard-coded on a page sets `_ga_HX1` (without the `hx` prefix its tracker declares).
const container: OptinConfig = defineConfig({
  policy: edxPolicy,
  platform: {
    trackers: [
      gtm({
        id: 'GTM-EDX1',
        cookies: [{ name: /^_ga/, purpose: 'analytics', lifetime: '2y', party: 'first' }],
        hosts: ['*.google-analytics.com'],
      }),
    ],
  },
  members: members([ga4({ id: 'G-HX1', cookiePrefix: 'hx' })]),
});

// The platform's GTM container and HarvardX's own, both on www.googletagmanager.com: only their
// container ids (the `vendorId` each adapter declares) tell whose a gtm.js or ns.html request is.
const containers: OptinConfig = defineConfig({
  policy: edxPolicy,
  platform: { trackers: [gtm({ id: 'GTM-EDX1' })] },
  members: members([gtm({ id: 'GTM-HX1' })]),
});

const html = (body: string) => `<!doctype html><html lang="en"><title>t</title>${body}</html>`;

beforeAll(async () => {
  server = await serve([
    (_req, res, url) => {
      const port = String(server.port);
      const google = `http://www.googletagmanager.com:${port}`;
      const collect = (tid: string) =>
        `fetch('http://region1.google-analytics.com:${port}/g/collect?v=2&tid=${tid}&en=page_view', { method: 'POST', mode: 'no-cors' });`;
      const js = (body: string) => res.writeHead(200, { 'content-type': 'text/javascript' }).end(body);
      const page = (body: string) => res.writeHead(200, { 'content-type': 'text/html' }).end(html(body));
      const tags = (url.searchParams.get('tags') ?? '').split(',');
      if (url.pathname === '/gtag/js')
        // gtag.js: a cookie-less ping (Consent Mode), and for `cookies=1` the cookies GA4 sets.
        js(
          `${collect(url.searchParams.get('id') ?? '')}${
            url.searchParams.get('cookies')
              ? `document.cookie = '_ga=GA1.1.1;Path=/'; document.cookie = '_ga_${(url.searchParams.get('id') ?? '').slice(2)}=GS1.1;Path=/';`
              : ''
          }`,
        );
      else if (url.pathname === '/gtm.js') js('');
      else if (/^\/c\/hotjar-\d+\.js$/.test(url.pathname)) js('');
      else if (url.pathname === mitx || url.pathname === harvardx || url.pathname === '/dashboard')
        // The tags a page hard-codes, by `tags`: the platform's (edx), HarvardX's (hx), ids nobody declares (rogue).
        page(
          [
            tags.includes('edx') && `<script src="${google}/gtag/js?id=G-EDX1"></script>`,
            tags.includes('edx') && `<script src="http://static.hotjar.com:${port}/c/hotjar-100.js?sv=6"></script>`,
            tags.includes('hx') && `<script src="${google}/gtag/js?id=G-HX1"></script>`,
            tags.includes('rogue') && `<script src="${google}/gtag/js?id=G-ROGUE"></script>`,
            tags.includes('rogue') && `<script src="http://static.hotjar.com:${port}/c/hotjar-999.js?sv=6"></script>`,
            tags.includes('gtm') && `<script src="${google}/gtm.js?id=GTM-EDX1"></script>`,
            // HarvardX's container as its snippet loads it: gtm.js on its own data layer, ns.html for no-script.
            tags.includes('hxgtm') &&
              `<script src="${google}/gtm.js?id=GTM-HX1&l=dataLayer_HarvardX_gtm"></script><iframe src="${google}/ns.html?id=GTM-HX1"></iframe>`,
            tags.includes('cookies') && `<script src="${google}/gtag/js?id=G-HX1&cookies=1"></script>`,
          ]
            .filter(Boolean)
            .join(''),
        );
      else res.writeHead(204, { 'access-control-allow-origin': '*' }).end();
      return true;
    },
  ]);
});

afterAll(async () => {
  await server.close();
});

const run = (config: OptinConfig, path: string): Promise<AuditReport> =>
  audit(`${server.origin('www.optin.test')}${path}`, { config, consent: 'all', hostRules: rules, waitMs: 300 });

// Chromium upgrades http requests to HSTS-preloaded hosts (google-analytics.com) to https, and the
// audit sees both: each finding is counted once, without scheme or port.
const found = (report: AuditReport) =>
  [
    ...new Set(
      report.findings.map(
        (f) => `${f.kind} ${f.subject.replace(/^\w+:\/\/([^/:]+)(:\d+)?/, '$1')} ${f.trackers.join(',')}`,
      ),
    ),
  ].sort();

describe('optin audit on vendor hosts the platform and a Member share', () => {
  test("a Member's cookie-less GA4 on another Member's course is out of scope, named; the platform's own ids stay clean", async () => {
    const report = await run(adapters, `${mitx}?tags=edx,hx`);
    expect(report.member).toBe('MITx');
    expect(found(report)).toEqual([
      'out_of_scope_request region1.google-analytics.com/g/collect?v=2&tid=G-HX1&en=page_view HarvardX/ga4',
      'out_of_scope_request www.googletagmanager.com/gtag/js?id=G-HX1 HarvardX/ga4',
    ]);
    expect(report.findings[0]?.message).toContain(
      'with G-HX1 belongs to HarvardX/ga4 (Member HarvardX), which may not run',
    );
  });

  test('on a page of no course the same, and on its own course the Member runs clean', async () => {
    const platformPage = await run(adapters, '/dashboard?tags=edx,hx');
    expect(platformPage.member).toBeNull();
    expect(found(platformPage).map((f) => f.split(' ')[0])).toEqual(['out_of_scope_request', 'out_of_scope_request']);
    const own = await run(adapters, `${harvardx}?tags=edx,hx`);
    expect(own.member).toBe('HarvardX');
    expect(own.findings).toEqual([]);
  });

  test('a GA4 property or Hotjar site no tracker declares, on hosts the platform declares for its own, is undeclared', async () => {
    const report = await run(adapters, '/dashboard?tags=rogue');
    expect(found(report)).toEqual([
      'undeclared_request region1.google-analytics.com/g/collect?v=2&tid=G-ROGUE&en=page_view ',
      'undeclared_request static.hotjar.com/c/hotjar-999.js?sv=6 ',
      'undeclared_request www.googletagmanager.com/gtag/js?id=G-ROGUE ',
    ]);
  });

  test("under the platform's container, the Member's GA4 hits and its id-named cookie are the Member's; the shared _ga and the container are clean", async () => {
    const report = await run(container, `${mitx}?tags=gtm,cookies`);
    expect(report.cookies.map((c) => c.name).sort()).toEqual(['_ga', '_ga_HX1', 'optin']);
    expect(found(report)).toEqual([
      'out_of_scope_cookie _ga_HX1@www.optin.test HarvardX/ga4',
      'out_of_scope_request region1.google-analytics.com/g/collect?v=2&tid=G-HX1&en=page_view HarvardX/ga4',
      'out_of_scope_request www.googletagmanager.com/gtag/js?id=G-HX1&cookies=1 HarvardX/ga4',
    ]);
  });

  test("a Member's GTM container on another Member's course is out of scope, named; the platform's container stays clean", async () => {
    const report = await run(containers, `${mitx}?tags=gtm,hxgtm`);
    expect(report.member).toBe('MITx');
    expect(found(report)).toEqual([
      'out_of_scope_request www.googletagmanager.com/gtm.js?id=GTM-HX1&l=dataLayer_HarvardX_gtm HarvardX/gtm',
      'out_of_scope_request www.googletagmanager.com/ns.html?id=GTM-HX1 HarvardX/gtm',
    ]);
    expect(report.findings.find((f) => f.subject.includes('gtm.js?id=GTM-HX1'))?.message).toContain(
      'with GTM-HX1 belongs to HarvardX/gtm (Member HarvardX), which may not run',
    );
    const own = await run(containers, `${harvardx}?tags=gtm,hxgtm`);
    expect(own.member).toBe('HarvardX');
    expect(own.findings).toEqual([]);
  });
});
