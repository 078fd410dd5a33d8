import { decodeDecision, edxPolicy } from '@optin/consent';
import { defineTracker, type Tracker } from '@optin/trackers';
import { describe, expect, test } from 'vitest';
import { consentState, findViolations, hostMatches, type Observation } from '../src/index.js';
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
});
