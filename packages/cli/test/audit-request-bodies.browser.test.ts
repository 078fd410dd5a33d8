import { edxPolicy } from '@optin/consent';
import { defineConfig, defineMember, type OptinConfig } from '@optin/members';
import { defineTracker } from '@optin/trackers';
import { meta } from '@optin/trackers/meta';
import { segment } from '@optin/trackers/segment';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { serve, type TestServer } from '../../../test-support/browser.js';
import { audit, type AuditReport } from '../src/index.js';

// The platform and a Member on the same vendor hosts, whose hits carry the vendor id only in their
// body or headers: Segment's to api.segment.io (analytics.js puts the write key in the JSON body it
// posts as text/plain, one event a request or a batch; Segment's HTTP Tracking API takes it as HTTP
// Basic auth) and a Meta pixel's POSTs to www.facebook.com/tr (a form posted into a hidden frame, a
// beacon of form data). Served on 127.0.0.1 under their real names; pages hard-code the hits, as
// sites that get it wrong do. Only the ids in the bodies and headers tell whose they are.
const rules = ['MAP *.optin.test 127.0.0.1', 'MAP api.segment.io 127.0.0.1', 'MAP www.facebook.com 127.0.0.1'];
const mitx = '/learning/course/course-v1:MITx+6.00x+2026_T1/home';
const harvardx = '/learning/course/course-v1:HarvardX+CS50+2026_T1/home';
let server: TestServer;
// The host and path of every POST the server answered.
const posted: string[] = [];

// HarvardX's own Segment source and Meta pixel, declared by hand with the id each vendor knows
// them by: Segment's and Meta's cookie names are fixed, and the platform's adapters declare them
// (one owner a name), so these keep none (analytics.js with `disableClientPersistence`, a pixel's
// hits sent without fbevents.js).
const byHand = (id: string, purpose: string, hosts: string[], vendorId: string) =>
  defineTracker({
    id,
    owner: 'HarvardX',
    purposes: [purpose],
    party: 'third',
    vendor: { name: id, privacyUrl: 'https://example.com/privacy' },
    hosts,
    cookies: [],
    vendorId,
  });
const config: OptinConfig = defineConfig({
  policy: edxPolicy,
  platform: { trackers: [segment({ writeKey: 'EDX1' }), meta({ id: '111' })] },
  members: [
    defineMember({
      id: 'HarvardX',
      name: 'Harvard University',
      orgs: ['HarvardX'],
      trackers: [
        byHand('segment', 'analytics', ['cdn.segment.com', 'api.segment.io'], 'HX1'),
        byHand('meta', 'marketing', ['connect.facebook.net', 'www.facebook.com'], '222'),
      ],
    }),
    defineMember({ id: 'MITx', name: 'Massachusetts Institute of Technology', orgs: ['MITx'], trackers: [] }),
  ],
});

const html = (body: string) => `<!doctype html><html lang="en"><title>t</title>${body}</html>`;

// What a page sends with one Segment write key and one Meta pixel id, by `send`.
const hits = (port: string, key: string, pixel: string, send: string) => {
  const api = `http://api.segment.io:${port}`;
  const fb = `http://www.facebook.com:${port}`;
  const event = (type: string) => JSON.stringify({ type, event: 'Viewed', writeKey: key, anonymousId: 'a-1' });
  const scripts: Record<string, string> = {
    // analytics.js: one event a request (`/v1/t`), as text/plain, and a batch (`/v1/b`).
    fetch: `fetch('${api}/v1/t', { method: 'post', headers: { 'Content-Type': 'text/plain' }, body: ${JSON.stringify(event('track'))} }).catch(() => {});
      fetch('${api}/v1/b', { method: 'post', headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify({ writeKey: ${JSON.stringify(key)}, batch: [${event('page')}] }) }).catch(() => {});`,
    // A beacon as the page lives, and one as it leaves.
    beacon: `navigator.sendBeacon('${api}/v1/p', ${JSON.stringify(event('page'))});
      addEventListener('pagehide', () => navigator.sendBeacon('${api}/v1/i', ${JSON.stringify(event('identify'))}));`,
    // The HTTP Tracking API: the write key as the user of HTTP Basic auth.
    basic: `fetch('${api}/v1/track', { method: 'POST', headers: { Authorization: 'Basic ' + btoa(${JSON.stringify(key)} + ':'), 'Content-Type': 'application/json' }, body: '{"event":"Viewed","anonymousId":"a-1"}' }).catch(() => {});`,
    // The pixel's hit posted as a form into a hidden frame, and as a beacon of form data.
    meta: `addEventListener('load', () => {
        const frame = document.createElement('iframe'); frame.name = 'fb'; frame.hidden = true;
        const form = document.createElement('form'); form.method = 'POST'; form.action = '${fb}/tr/'; form.target = 'fb';
        for (const [name, value] of [['id', ${JSON.stringify(pixel)}], ['ev', 'PageView']]) {
          const input = document.createElement('input'); input.name = name; input.value = value; form.append(input);
        }
        document.body.append(frame, form); form.submit();
      });
      const data = new FormData(); data.append('id', ${JSON.stringify(pixel)}); data.append('ev', 'ViewContent');
      navigator.sendBeacon('${fb}/tr', data);`,
  };
  return `<script>${scripts[send] ?? ''}</script>`;
};

beforeAll(async () => {
  server = await serve([
    (req, res, url) => {
      const port = String(server.port);
      const cors = {
        'access-control-allow-origin': '*',
        'access-control-allow-headers': 'authorization, content-type',
      };
      if (req.method === 'POST') posted.push(`${(req.headers.host ?? '').split(':')[0] ?? ''}${url.pathname}`);
      if (req.method === 'OPTIONS') res.writeHead(204, cors).end();
      else if (url.pathname === mitx || url.pathname === harvardx) {
        const [key = '', pixel = '', send = ''] = (url.searchParams.get('as') ?? '').split(',');
        res.writeHead(200, { 'content-type': 'text/html' }).end(html(hits(port, key, pixel, send)));
      } else res.writeHead(204, cors).end();
      return true;
    },
  ]);
});

afterAll(async () => {
  await server.close();
});

const run = (path: string): Promise<AuditReport> =>
  audit(`${server.origin('www.optin.test')}${path}`, { config, consent: 'all', hostRules: rules, waitMs: 500 });

// Chromium upgrades http requests to HSTS-preloaded hosts (facebook.com) to https, and the audit
// sees both: each finding is counted once, without scheme or port.
const found = (report: AuditReport) =>
  [
    ...new Set(
      report.findings.map(
        (f) => `${f.kind} ${f.subject.replace(/^\w+:\/\/([^/:]+)(:\d+)?/, '$1')} ${f.trackers.join(',')}`,
      ),
    ),
  ].sort();

describe('optin audit reads vendor ids from request bodies and headers', () => {
  test("a Member's Segment write key posted by fetch, in a batch, is out of scope on another Member's course, named", async () => {
    const report = await run(`${mitx}?as=HX1,,fetch`);
    expect(report.member).toBe('MITx');
    expect(found(report)).toEqual([
      'out_of_scope_request api.segment.io/v1/b HarvardX/segment',
      'out_of_scope_request api.segment.io/v1/t HarvardX/segment',
    ]);
    expect(report.findings[0]?.message).toContain(
      'with Segment write key HX1 belongs to HarvardX/segment (Member HarvardX), which may not run',
    );
  });

  test("a Member's Segment write key sent by sendBeacon, as the page lives and as it leaves, or as Basic auth, is out of scope", async () => {
    expect(found(await run(`${mitx}?as=HX1,,beacon`))).toEqual([
      'out_of_scope_request api.segment.io/v1/i HarvardX/segment',
      'out_of_scope_request api.segment.io/v1/p HarvardX/segment',
    ]);
    expect(found(await run(`${mitx}?as=HX1,,basic`))).toEqual([
      'out_of_scope_request api.segment.io/v1/track HarvardX/segment',
    ]);
  });

  test("the platform's own write key stays clean, and the Member's on its own course", async () => {
    const sent = { fetch: ['/v1/t', '/v1/b'], beacon: ['/v1/p', '/v1/i'], basic: ['/v1/track'] };
    for (const [send, paths] of Object.entries(sent)) {
      posted.length = 0;
      expect(found(await run(`${mitx}?as=EDX1,,${send}`))).toEqual([]);
      expect(found(await run(`${harvardx}?as=HX1,,${send}`))).toEqual([]);
      // Sent, and answered: there was something to judge.
      expect(posted.sort()).toEqual([...paths, ...paths].map((p) => `api.segment.io${p}`).sort());
    }
  });

  test('a write key no tracker declares, on the host the platform declares for its own, is undeclared', async () => {
    expect(found(await run(`${mitx}?as=ROGUE,,fetch`))).toEqual([
      'undeclared_request api.segment.io/v1/b ',
      'undeclared_request api.segment.io/v1/t ',
    ]);
    expect(found(await run(`${mitx}?as=ROGUE,,basic`))).toEqual(['undeclared_request api.segment.io/v1/track ']);
  });

  test("a Member's Meta pixel posted as a form or a beacon of form data is out of scope; the platform's is clean; an unknown one undeclared", async () => {
    expect(found(await run(`${mitx}?as=,222,meta`))).toEqual([
      'out_of_scope_request www.facebook.com/tr HarvardX/meta',
      'out_of_scope_request www.facebook.com/tr/ HarvardX/meta',
    ]);
    expect(found(await run(`${mitx}?as=,111,meta`))).toEqual([]);
    expect(found(await run(`${mitx}?as=,999,meta`))).toEqual([
      'undeclared_request www.facebook.com/tr ',
      'undeclared_request www.facebook.com/tr/ ',
    ]);
  });
});
