import { decodeDecision, edxPolicy } from '@optin/consent';
import { defineTracker, type Tracker } from '@optin/trackers';
import { ga4 } from '@optin/trackers/ga4';
import { gtm } from '@optin/trackers/gtm';
import { hotjar } from '@optin/trackers/hotjar';
import { linkedin } from '@optin/trackers/linkedin';
import { meta } from '@optin/trackers/meta';
import { segment } from '@optin/trackers/segment';
import { describe, expect, test } from 'vitest';
import { consentState, findViolations, hostMatches, type Observation, type ObservedRequest } from '../src/index.js';
import { siteOf } from '../src/host-pattern.js';

const tracker = (id: string, owner: string, purposes: string[], hosts: string[], cookies: Tracker['cookies'] = []) =>
  defineTracker({
    id,
    owner,
    purposes,
    party: 'third',
    vendor: { name: id, privacyUrl: 'https://example.com/p' },
    hosts,
    cookies,
  });

const ga = tracker(
  'ga4',
  'platform',
  ['analytics'],
  ['www.googletagmanager.com', '*.google-analytics.com'],
  [{ name: /^_ga(_.*)?$/, purpose: 'analytics', lifetime: '2y', party: 'first' }],
);
const hx = tracker('HarvardX/ads', 'HarvardX', ['marketing'], ['ads.example.net']);

const seen = (over: Partial<Observation>): Observation => ({
  site: 'edx.org',
  requests: [],
  cookies: [],
  inScope: [ga],
  all: [ga, hx],
  allows: (p) => p === 'necessary',
  consentCookie: 'optin',
  ...over,
});

describe('siteOf', () => {
  test('is the registrable domain by the Public Suffix List, or the host itself', () => {
    expect(siteOf('learning.courses.edx.org')).toBe('edx.org');
    expect(siteOf('learning.edx.co.uk')).toBe('edx.co.uk');
    expect(siteOf('courses.mitx.github.io')).toBe('mitx.github.io');
    expect(siteOf('www.edx.localhost')).toBe('edx.localhost');
    expect(siteOf('127.0.0.1')).toBe('127.0.0.1');
    expect(siteOf('localhost')).toBe('localhost');
  });
});

describe('findViolations', () => {
  test('wildcard hosts match subdomains only, and each URL is reported once', () => {
    expect(hostMatches('region1.google-analytics.com', '*.google-analytics.com')).toBe(true);
    expect(hostMatches('google-analytics.com.evil.net', '*.google-analytics.com')).toBe(false);
    const url = 'https://region1.google-analytics.com/g/collect';
    const findings = findViolations(seen({ requests: [url, url] }));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ kind: 'request_without_consent', trackers: ['ga4'] });
  });

  test('a first-party cookie declaration covers the site only; host names in any case or with a final dot', () => {
    const granted = { allows: () => true };
    // `_ga` is declared first-party: on an ad network it is nobody's, and so is a cookie named like ours.
    expect(
      findViolations(
        seen({
          ...granted,
          cookies: [
            { name: '_ga', domain: '.edx.org' },
            { name: '_ga', domain: '.doubleclick.net' },
            { name: 'optin', domain: '.adnetwork.example' },
            { name: 'optin', domain: '.edx.org' },
          ],
        }),
      ).map((f) => [f.kind, f.subject]),
    ).toEqual([
      ['undeclared_cookie', '_ga@.doubleclick.net'],
      ['undeclared_cookie', 'optin@.adnetwork.example'],
    ]);
    expect(findViolations(seen({ site: 'EDX.org', requests: ['https://www.edx.org/'] }))).toEqual([]);
    expect(findViolations(seen({ requests: ['https://www.google-analytics.com./g/collect'] }))).toMatchObject([
      { kind: 'request_without_consent', trackers: ['ga4'] },
    ]);
  });

  test('granted purposes make declared requests and cookie families fine', () => {
    const findings = findViolations(
      seen({
        requests: ['https://www.googletagmanager.com/gtag/js?id=G-1'],
        cookies: [
          { name: '_ga_ABC123', domain: '.edx.org' },
          { name: '_ga', domain: '.edx.org' },
        ],
        allows: () => true,
      }),
    );
    expect(findings).toEqual([]);
  });

  test('first-party requests need no declaration; first-party cookies do; non-http requests are ignored', () => {
    const findings = findViolations(
      seen({
        requests: [
          'https://courses.edx.org/static/app.js',
          'https://static.edx.org/logo.svg',
          'data:image/png;base64,AA',
          'blob:https://courses.edx.org/1',
        ],
        cookies: [
          { name: 'csrftoken', domain: 'courses.edx.org' },
          { name: 'optin', domain: '.edx.org' },
        ],
      }),
    );
    expect(findings.map((f) => `${f.kind} ${f.subject}`)).toEqual(['undeclared_cookie csrftoken@courses.edx.org']);
  });

  test('an ICE server (STUN, TURN) is a request to its host: undeclared off the site, declared by its tracker', () => {
    const stun = tracker('stun', 'platform', ['analytics'], ['stun.vendor.example']);
    const findings = findViolations(
      seen({
        page: 'https://courses.edx.org/',
        inScope: [ga, stun],
        all: [ga, hx, stun],
        requests: [
          'stun:stun.vendor.example:3478',
          'turn:turn.elsewhere.example?transport=tcp',
          'turns:[2001:db8::1]:5349',
          'stun:ads.example.net',
          // The site's own STUN server, like its own assets, needs no declaration.
          'stun:stun.edx.org:3478',
          'stun:',
        ],
      }),
    );
    expect(findings.map((f) => `${f.kind} ${f.subject} ${f.message.split(' ')[0] ?? ''}`)).toEqual([
      'request_without_consent stun:stun.vendor.example:3478 stun.vendor.example',
      'undeclared_request turn:turn.elsewhere.example?transport=tcp turn.elsewhere.example',
      'undeclared_request turns:[2001:db8::1]:5349 [2001:db8::1]',
      'out_of_scope_request stun:ads.example.net ads.example.net',
    ]);
  });

  test("the page's own origin is never attributed by host: its document, assets, and a collector declared on its host", () => {
    const collector = tracker('collector', 'platform', ['analytics'], ['www.edx.org']);
    const found = findViolations(
      seen({
        site: 'other.org',
        page: 'https://www.edx.org/course',
        inScope: [collector],
        all: [collector],
        requests: [
          'https://www.edx.org/course',
          'https://www.edx.org/app.js',
          'wss://www.edx.org/live',
          'http://www.edx.org/x',
        ],
      }),
    );
    // Another scheme is another origin: judged by host as before.
    expect(found.map((f) => `${f.kind} ${f.subject}`)).toEqual(['request_without_consent http://www.edx.org/x']);
  });

  test('storage keys and IndexedDB databases are judged by the cookie declarations, on their side, per origin', () => {
    const hxAds = tracker(
      'HarvardX/ads',
      'HarvardX',
      ['marketing'],
      ['ads.example.net'],
      [{ name: 'hx_id', purpose: 'marketing', lifetime: '90d', party: 'third' }],
    );
    const found = (allows: (p: string) => boolean) =>
      findViolations(
        seen({
          all: [ga, hxAds],
          allows,
          storage: [
            { area: 'localStorage', name: '_ga', origin: 'https://www.edx.org' },
            { area: 'indexedDB', name: '_ga_ABC', origin: 'https://learning.edx.org' },
            // `_ga` is declared first-party: on an ad network's frame it is nobody's.
            { area: 'sessionStorage', name: '_ga', origin: 'https://ads.example.net' },
            { area: 'localStorage', name: 'hx_id', origin: 'https://ads.example.net' },
            // The consent store's key: allowed in localStorage on the site only.
            { area: 'localStorage', name: 'optin', origin: 'https://www.edx.org' },
            { area: 'sessionStorage', name: 'optin', origin: 'https://www.edx.org' },
            { area: 'localStorage', name: 'optin', origin: 'https://tracker.example' },
          ],
        }),
      ).map((f) => `${f.kind} ${f.subject} ${f.trackers.join(',')}`);
    expect(found((p) => p === 'necessary')).toEqual([
      'storage_without_consent localStorage._ga@https://www.edx.org ga4',
      'storage_without_consent indexedDB._ga_ABC@https://learning.edx.org ga4',
      'undeclared_storage sessionStorage._ga@https://ads.example.net ',
      'out_of_scope_storage localStorage.hx_id@https://ads.example.net HarvardX/ads',
      'undeclared_storage sessionStorage.optin@https://www.edx.org ',
      'undeclared_storage localStorage.optin@https://tracker.example ',
    ]);
    expect(found(() => true).filter((f) => f.includes('_ga@https://www') || f.includes('_ga_ABC'))).toEqual([]);
  });

  test("another Member's host is out of scope, even with every purpose granted", () => {
    const findings = findViolations(seen({ requests: ['https://ads.example.net/px'], allows: () => true }));
    expect(findings).toEqual([expect.objectContaining({ kind: 'out_of_scope_request', trackers: ['HarvardX/ads'] })]);
  });
});

describe('findViolations on hosts the platform and a Member share', () => {
  // As defineMember re-issues a Member's adapter: namespaced id, the Member as owner. A Member's GA4
  // takes a cookie prefix (validateConfig refuses a Member cookie named like another owner's).
  const member = (t: Tracker, owner: string): Tracker => ({ ...t, id: `${owner}/${t.id}`, owner });
  const edx = ga4({ id: 'G-EDX1' });
  const edxHotjar = hotjar({ siteId: 100 });
  const hxGa = member(ga4({ id: 'G-HX1', cookiePrefix: 'hx' }), 'HarvardX');
  const judged = (over: Partial<Observation>) =>
    findViolations(seen({ inScope: [edx, edxHotjar], all: [edx, edxHotjar, hxGa], allows: () => true, ...over })).map(
      (f) => `${f.kind} ${f.subject} ${f.trackers.join(',')}`,
    );

  test("a request carrying a Member's id is that Member's, though the platform declares the host too", () => {
    expect(
      judged({
        requests: [
          'https://www.googletagmanager.com/gtag/js?id=G-EDX1',
          'https://region1.google-analytics.com/g/collect?v=2&tid=G-EDX1&en=page_view',
          'https://www.googletagmanager.com/gtag/js?id=G-HX1',
          'https://region1.google-analytics.com/g/collect?v=2&tid=g-hx1&en=page_view',
          // No id: judged by host, as before.
          'https://region1.google-analytics.com/g/collect?v=2&en=page_view',
        ],
      }),
    ).toEqual([
      'out_of_scope_request https://www.googletagmanager.com/gtag/js?id=G-HX1 HarvardX/ga4',
      'out_of_scope_request https://region1.google-analytics.com/g/collect?v=2&tid=g-hx1&en=page_view HarvardX/ga4',
    ]);
  });

  test("on the Member's own course its id is in scope, and the consent of the tracker it names decides", () => {
    const requests = [
      'https://www.googletagmanager.com/gtag/js?id=G-HX1',
      'https://www.googletagmanager.com/gtag/js?id=G-EDX1',
    ];
    expect(judged({ inScope: [edx, edxHotjar, hxGa], requests })).toEqual([]);
    expect(judged({ inScope: [edx, edxHotjar, hxGa], requests, allows: (p) => p === 'necessary' })).toEqual([
      'request_without_consent https://www.googletagmanager.com/gtag/js?id=G-HX1 HarvardX/ga4',
      'request_without_consent https://www.googletagmanager.com/gtag/js?id=G-EDX1 ga4',
    ]);
  });

  test('an id no tracker names, on hosts declared only by trackers of other ids of its kind, is undeclared', () => {
    const found = findViolations(
      seen({
        inScope: [edx, edxHotjar],
        all: [edx, edxHotjar, hxGa],
        allows: () => true,
        requests: [
          'https://www.googletagmanager.com/gtag/js?id=G-ROGUE',
          'https://static.hotjar.com/c/hotjar-999.js?sv=6',
          'https://in.hotjar.com/api/v2/client/sites/999/visit-data',
          'https://static.hotjar.com/c/hotjar-100.js?sv=6',
          'https://in.hotjar.com/api/v2/client/sites/100/visit-data',
          'https://script.hotjar.com/modules.abc.js',
        ],
      }),
    );
    expect(found.map((f) => `${f.kind} ${f.subject} ${f.trackers.join(',')}`)).toEqual([
      'undeclared_request https://www.googletagmanager.com/gtag/js?id=G-ROGUE ',
      'undeclared_request https://static.hotjar.com/c/hotjar-999.js?sv=6 ',
      'undeclared_request https://in.hotjar.com/api/v2/client/sites/999/visit-data ',
    ]);
    expect(found[0]?.message).toContain('G-ROGUE');
    expect(found[1]?.message).toContain('Hotjar site 999');
  });

  test("a request carrying a tracker's id to a host it does not declare is reported, on the site's own hosts too", () => {
    const requests = ['https://sgtm.edx.org/g/collect?tid=G-HX1', 'https://sgtm.edx.org/g/collect?tid=G-EDX1'];
    expect(judged({ requests })).toEqual([
      'out_of_scope_request https://sgtm.edx.org/g/collect?tid=G-HX1 HarvardX/ga4',
      'undeclared_request https://sgtm.edx.org/g/collect?tid=G-EDX1 ',
    ]);
    expect(judged({ inScope: [edx, hxGa], requests })).toEqual([
      'undeclared_request https://sgtm.edx.org/g/collect?tid=G-HX1 ',
      'undeclared_request https://sgtm.edx.org/g/collect?tid=G-EDX1 ',
    ]);
  });

  test('a tracker that names no id keeps every request to its hosts: a container runs tags of any id', () => {
    const container = tracker('gtm', 'platform', ['analytics'], ['www.googletagmanager.com', '*.google-analytics.com']);
    expect(
      judged({
        inScope: [container],
        all: [container, hxGa],
        requests: [
          'https://www.googletagmanager.com/gtm.js?id=GTM-EDX1',
          'https://region1.google-analytics.com/g/collect?v=2&tid=G-TAG1',
          'https://region1.google-analytics.com/g/collect?v=2&tid=G-HX1',
        ],
      }),
    ).toEqual(['out_of_scope_request https://region1.google-analytics.com/g/collect?v=2&tid=G-HX1 HarvardX/ga4']);
  });

  // The platform's and HarvardX's tag of each vendor, as defineMember re-issues HarvardX's: each
  // adapter declares the id its vendor knows it by (`vendorId`), which no cookie name carries.
  // Judges requests on an MITx course, or on HarvardX's (`own`).
  const pair = (edxTag: Tracker, hxTag: Tracker) => {
    const hxMember = member(hxTag, 'HarvardX');
    return (requests: (string | ObservedRequest)[], own = false) =>
      findViolations(
        seen({ inScope: own ? [edxTag, hxMember] : [edxTag], all: [edxTag, hxMember], allows: () => true, requests }),
      ).map((f) => `${f.kind} ${f.subject} ${f.trackers.join(',')}`);
  };

  test("a Member's GTM container, by its id in gtm.js and ns.html, is out of scope; the platform's is clean, one nobody declares undeclared", () => {
    const containers = pair(gtm({ id: 'GTM-EDX1' }), gtm({ id: 'GTM-HX1' }));
    const requests = [
      'https://www.googletagmanager.com/gtm.js?id=GTM-EDX1',
      'https://www.googletagmanager.com/ns.html?id=GTM-EDX1',
      'https://www.googletagmanager.com/gtm.js?id=GTM-HX1&l=dataLayer_HarvardX_gtm',
      'https://www.googletagmanager.com/ns.html?id=GTM-HX1',
      'https://www.googletagmanager.com/gtm.js?id=GTM-ROGUE',
      // A tag of the platform's container: a container runs tags of any other id.
      'https://www.googletagmanager.com/gtag/js?id=G-TAG1',
    ];
    expect(containers(requests)).toEqual([
      'out_of_scope_request https://www.googletagmanager.com/gtm.js?id=GTM-HX1&l=dataLayer_HarvardX_gtm HarvardX/gtm',
      'out_of_scope_request https://www.googletagmanager.com/ns.html?id=GTM-HX1 HarvardX/gtm',
      'undeclared_request https://www.googletagmanager.com/gtm.js?id=GTM-ROGUE ',
    ]);
    // The platform's GA4 declares Google's host too, but loads no container.
    expect(judged({ requests: ['https://www.googletagmanager.com/gtm.js?id=GTM-ROGUE'] })).toEqual([
      'undeclared_request https://www.googletagmanager.com/gtm.js?id=GTM-ROGUE ',
    ]);
  });

  test("a Member's Meta pixel, by its id in /tr and in its config script, is out of scope; requests without an id are judged by host", () => {
    const pixels = pair(meta({ id: '111' }), meta({ id: '222' }));
    expect(
      pixels([
        'https://connect.facebook.net/en_US/fbevents.js',
        'https://connect.facebook.net/signals/config/111?v=2.9.200&r=stable',
        'https://www.facebook.com/tr/?id=111&ev=PageView',
        'https://connect.facebook.net/signals/config/222?v=2.9.200&r=stable',
        'https://www.facebook.com/tr/?id=222&ev=PageView',
        'https://www.facebook.com/tr?id=222&ev=PageView&noscript=1',
        'https://www.facebook.com/tr?id=999&ev=PageView&noscript=1',
      ]),
    ).toEqual([
      'out_of_scope_request https://connect.facebook.net/signals/config/222?v=2.9.200&r=stable HarvardX/meta',
      'out_of_scope_request https://www.facebook.com/tr/?id=222&ev=PageView HarvardX/meta',
      'out_of_scope_request https://www.facebook.com/tr?id=222&ev=PageView&noscript=1 HarvardX/meta',
      'undeclared_request https://www.facebook.com/tr?id=999&ev=PageView&noscript=1 ',
    ]);
  });

  test("a LinkedIn request carrying a Member's partner id among others is that Member's", () => {
    const tags = pair(linkedin({ partnerId: '111' }), linkedin({ partnerId: '222' }));
    const requests = [
      'https://snap.licdn.com/li.lms-analytics/insight.min.js',
      'https://px.ads.linkedin.com/collect?v=2&fmt=js&pid=111&time=1',
      'https://px.ads.linkedin.com/collect?v=2&fmt=js&pid=111,222&time=1',
      'https://px.ads.linkedin.com/collect/?pid=999&fmt=gif',
    ];
    expect(tags(requests)).toEqual([
      'out_of_scope_request https://px.ads.linkedin.com/collect?v=2&fmt=js&pid=111,222&time=1 HarvardX/linkedin',
      'undeclared_request https://px.ads.linkedin.com/collect/?pid=999&fmt=gif ',
    ]);
    // On HarvardX's course both tags run: the request shared by both is clean.
    expect(tags(requests.slice(0, 3), true)).toEqual([]);
  });

  test("a Member's Segment write key in the script and settings URLs is out of scope; api.segment.io, which carries none, by host", () => {
    const sources = pair(segment({ writeKey: 'EdxKey1' }), segment({ writeKey: 'HxKey2' }));
    expect(
      sources([
        'https://cdn.segment.com/analytics.js/v1/EdxKey1/analytics.min.js',
        'https://cdn.segment.com/v1/projects/EdxKey1/settings',
        'https://cdn.segment.com/analytics.js/v1/HxKey2/analytics.min.js',
        'https://cdn.segment.com/v1/projects/HxKey2/settings',
        // Write keys are case-sensitive: another source.
        'https://cdn.segment.com/v1/projects/hxkey2/settings',
        'https://api.segment.io/v1/t',
      ]),
    ).toEqual([
      'out_of_scope_request https://cdn.segment.com/analytics.js/v1/HxKey2/analytics.min.js HarvardX/segment',
      'out_of_scope_request https://cdn.segment.com/v1/projects/HxKey2/settings HarvardX/segment',
      'undeclared_request https://cdn.segment.com/v1/projects/hxkey2/settings ',
    ]);
  });

  test('Segment hits to one URL are judged by the write key in their JSON body (a batch too) or Basic auth, each key reported once', () => {
    const sources = pair(segment({ writeKey: 'EdxKey1' }), segment({ writeKey: 'HxKey2' }));
    const t = 'https://api.segment.io/v1/t';
    const hit = (writeKey: string) => ({ url: t, body: JSON.stringify({ type: 'track', writeKey }) });
    expect(
      sources([
        hit('EdxKey1'),
        hit('HxKey2'),
        hit('HxKey2'),
        hit('Rogue3'),
        { url: 'https://api.segment.io/v1/b', body: JSON.stringify({ batch: [{ type: 'page', writeKey: 'HxKey2' }] }) },
        // The HTTP Tracking API: `Basic base64(writeKey:)`, the header named in any case.
        { url: 'https://api.segment.io/v1/track', headers: { authorization: `Basic ${btoa('HxKey2:')}` } },
        { url: 'https://api.segment.io/v1/track', headers: { Authorization: `Basic ${btoa('EdxKey1:')}` } },
        // A body that is not JSON, and no body: by host.
        { url: t, body: 'writeKey=HxKey2' },
        t,
      ]),
    ).toEqual([
      `out_of_scope_request ${t} HarvardX/segment`,
      `undeclared_request ${t} `,
      'out_of_scope_request https://api.segment.io/v1/b HarvardX/segment',
      'out_of_scope_request https://api.segment.io/v1/track HarvardX/segment',
    ]);
  });

  test("an EU workspace's Segment hits (events.eu1.segmentapis.com) are judged by their write key too", () => {
    const eu = { apiHost: 'events.eu1.segmentapis.com/v1' };
    const sources = pair(segment({ writeKey: 'EdxKey1', ...eu }), segment({ writeKey: 'HxKey2', ...eu }));
    const t = 'https://events.eu1.segmentapis.com/v1/t';
    expect(
      sources([
        { url: t, body: JSON.stringify({ type: 'track', writeKey: 'EdxKey1' }) },
        { url: t, body: JSON.stringify({ type: 'track', writeKey: 'HxKey2' }) },
      ]),
    ).toEqual([`out_of_scope_request ${t} HarvardX/segment`]);
  });

  test("a Meta pixel's POST is judged by the id in its form body, URL-encoded or multipart", () => {
    const pixels = pair(meta({ id: '111' }), meta({ id: '222' }));
    const multipart = (id: string) => ({
      url: 'https://www.facebook.com/tr',
      headers: { 'Content-Type': 'multipart/form-data; boundary=----B' },
      body: `------B\r\nContent-Disposition: form-data; name="id"\r\n\r\n${id}\r\n------B\r\nContent-Disposition: form-data; name="ev"\r\n\r\nPageView\r\n------B--\r\n`,
    });
    expect(
      pixels([
        { url: 'https://www.facebook.com/tr/', body: 'id=111&ev=PageView' },
        { url: 'https://www.facebook.com/tr/', body: 'id=222&ev=PageView' },
        multipart('111'),
        multipart('222'),
        multipart('999'),
        // Only the pixel's hits carry it there.
        { url: 'https://www.facebook.com/other', body: 'id=222' },
      ]),
    ).toEqual([
      'out_of_scope_request https://www.facebook.com/tr/ HarvardX/meta',
      'out_of_scope_request https://www.facebook.com/tr HarvardX/meta',
      'undeclared_request https://www.facebook.com/tr ',
    ]);
  });

  test('a custom tracker is named by the vendorId it declares, though it declares no cookie that names it', () => {
    const custom = defineTracker({
      id: 'HarvardX/gtag',
      owner: 'HarvardX',
      purposes: ['analytics'],
      party: 'third',
      vendor: { name: 'GA4 by hand', privacyUrl: 'https://example.com/p' },
      hosts: ['www.googletagmanager.com', '*.google-analytics.com'],
      cookies: [],
      vendorId: 'G-HXHAND',
    });
    // Sent through the site's own tagging server, a host it does not declare: only its id tells.
    expect(judged({ all: [edx, custom], requests: ['https://sgtm.edx.org/g/collect?v=2&tid=G-HXHAND'] })).toEqual([
      'out_of_scope_request https://sgtm.edx.org/g/collect?v=2&tid=G-HXHAND HarvardX/gtag',
    ]);
  });

  test("a cookie or stored item whose name carries a Member's id is that Member's, though a family declared in scope covers it", () => {
    // The platform's hand-written GA declaration covers every GA cookie (`ga` above: /^_ga(_.*)?$/);
    // HarvardX's GA4 sets `_ga_HX1`, without the prefix it declares (`hx_ga_HX1`).
    const set = {
      all: [ga, hxGa],
      cookies: [
        { name: '_ga', domain: '.edx.org' },
        { name: '_ga_EDX1', domain: '.edx.org' },
        { name: '_ga_HX1', domain: '.edx.org' },
      ],
      storage: [{ area: 'localStorage', name: '_ga_HX1', origin: 'https://www.edx.org' }] as const,
    };
    expect(judged(set)).toEqual([
      'out_of_scope_cookie _ga_HX1@.edx.org HarvardX/ga4',
      'out_of_scope_storage localStorage._ga_HX1@https://www.edx.org HarvardX/ga4',
    ]);
    // On HarvardX's course: its tracker runs, but does not declare that name.
    expect(judged({ ...set, inScope: [ga, hxGa] })).toEqual([
      'undeclared_cookie _ga_HX1@.edx.org ',
      'undeclared_storage localStorage._ga_HX1@https://www.edx.org ',
    ]);
  });
});

describe('findViolations, a learner whose choice differs per Member', () => {
  test("a Member's tracker is judged by that Member's grants: refused for HarvardX, its marketing is a finding, the platform's is not", () => {
    const ads = tracker(
      'ads',
      'platform',
      ['marketing'],
      ['ads.edx.example'],
      [{ name: '_edxads', purpose: 'marketing', lifetime: '90d', party: 'first' }],
    );
    const hxAds = tracker(
      'HarvardX/ads',
      'HarvardX',
      ['marketing'],
      ['ads.harvardx.example'],
      [{ name: '_hxads', purpose: 'marketing', lifetime: '90d', party: 'first' }],
    );
    const state = consentState(edxPolicy, ['marketing'], { refused: { HarvardX: ['marketing'] } });
    const findings = findViolations(
      seen({
        inScope: [ads, hxAds],
        all: [ads, hxAds],
        requests: ['https://ads.edx.example/p.js', 'https://ads.harvardx.example/p.js'],
        cookies: [
          { name: '_edxads', domain: '.edx.org' },
          { name: '_hxads', domain: '.edx.org' },
        ],
        allows: (purpose, owner) => state.allows(purpose, owner),
      }),
    );
    expect(findings.map((f) => [f.kind, f.subject, f.trackers.join()])).toEqual([
      ['request_without_consent', 'https://ads.harvardx.example/p.js', 'HarvardX/ads'],
      ['cookie_without_consent', '_hxads@.edx.org', 'HarvardX/ads'],
    ]);
    expect(findings[0]?.message).toContain('refused for Member HarvardX');
  });
});

describe('consentState', () => {
  test('none allows only required purposes and plants no cookie; a list grants exactly those', () => {
    const none = consentState(edxPolicy, 'none');
    expect(none.cookie).toBeNull();
    expect(edxPolicy.purposes.filter((p) => none.allows(p.id)).map((p) => p.id)).toEqual(['necessary']);
    const some = consentState(edxPolicy, ['analytics']);
    // The cookie the page will read says exactly that (by the page's own codec, whatever its format).
    expect(decodeDecision(some.cookie ?? '', edxPolicy)?.purposes).toEqual({
      necessary: true,
      analytics: true,
      performance: false,
      functionality: false,
      marketing: false,
    });
    expect(edxPolicy.purposes.filter((p) => some.allows(p.id)).map((p) => p.id)).toEqual(['necessary', 'analytics']);
  });

  test('an unknown purpose is a typed error naming the option', () => {
    expect(() => consentState(edxPolicy, ['analytics', 'telemetry'])).toThrow(
      expect.objectContaining({
        code: 'invalid_argument',
        issues: [{ path: '--consent', message: '"telemetry" is not a purpose of policy edx' }],
      }),
    );
  });

  test('refusals for a Member are planted in the cookie as the page stores them, and narrow only that Member', () => {
    const state = consentState(edxPolicy, 'all', { refused: { HarvardX: ['marketing'] } });
    const decision = decodeDecision(state.cookie ?? '', edxPolicy);
    expect(decision?.members).toEqual({ HarvardX: { marketing: false } });
    expect(decision?.purposes.marketing).toBe(true);
    expect(state.allows('marketing')).toBe(true);
    expect(state.allows('marketing', 'platform')).toBe(true);
    expect(state.allows('marketing', 'MITx')).toBe(true);
    expect(state.allows('marketing', 'HarvardX')).toBe(false);
    expect(state.allows('analytics', 'HarvardX')).toBe(true);
  });

  test('a refusal of an unknown or required purpose, or by a learner who has not decided, is a typed error naming --refuse', () => {
    expect(() => consentState(edxPolicy, 'all', { refused: { HarvardX: ['telemetry', 'necessary'] } })).toThrow(
      expect.objectContaining({
        code: 'invalid_argument',
        issues: [
          { path: '--refuse', message: '"HarvardX:telemetry": "telemetry" is not a purpose of policy edx' },
          {
            path: '--refuse',
            message: '"HarvardX:necessary": "necessary" is required: always on, it cannot be refused',
          },
        ],
      }),
    );
    expect(() => consentState(edxPolicy, 'none', { refused: { HarvardX: ['marketing'] } })).toThrow(
      expect.objectContaining({
        code: 'invalid_argument',
        issues: [
          {
            path: '--refuse',
            message: 'a learner who has not decided (--consent none) has refused nothing for a Member',
          },
        ],
      }),
    );
  });
});
