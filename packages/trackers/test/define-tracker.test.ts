import { describe, expect, test } from 'vitest';
import { defineTracker, TrackerError, type Tracker } from '../src/index.js';
import { ga4, type Ga4Options } from '../src/ga4.js';
import { gtm } from '../src/gtm.js';
import { hotjar } from '../src/hotjar.js';
import { linkedin, type LinkedInOptions } from '../src/linkedin.js';
import { meta } from '../src/meta.js';
import { segment } from '../src/segment.js';

const valid: Tracker = {
  id: 'matomo',
  owner: 'platform',
  purposes: ['analytics'],
  party: 'first',
  vendor: { name: 'Matomo', privacyUrl: 'https://matomo.org/privacy-policy/' },
  cookies: [{ name: /^_pk_id\./, purpose: 'analytics', lifetime: '13mo', party: 'first' }],
  hosts: ['stats.example.org'],
};

/** `object` without the fields `keys` (left out, as a hand-written declaration may). */
const without = (object: object, ...keys: string[]) =>
  Object.fromEntries(Object.entries(object).filter(([key]) => !keys.includes(key)));

/** The issues `defineTracker` reports for `input`, as `path: message` lines. */
function issuesOf(input: unknown): string[] {
  try {
    defineTracker(input as Tracker);
  } catch (error) {
    expect(error).toBeInstanceOf(TrackerError);
    expect((error as TrackerError).code).toBe('invalid_tracker');
    expect((error as TrackerError).hint).toMatch(/Fix the tracker declaration/);
    return (error as TrackerError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  return [];
}

describe('defineTracker', () => {
  test('returns a valid declaration as it is, frozen', () => {
    const tracker = defineTracker(valid);
    expect(tracker).toBe(valid);
    expect(Object.isFrozen(tracker)).toBe(true);
  });

  test('names the tracker id and the field of a malformed cookie', () => {
    const issues = issuesOf({
      ...valid,
      id: 'ga4',
      cookies: [{ name: '_ga; x', purpose: 'analytics', lifetime: '2 years', party: 'mine' }],
    });
    expect(issues).toEqual([
      expect.stringMatching(/^trackers\.ga4\.cookies\[0\]\.name: /),
      expect.stringMatching(/^trackers\.ga4\.cookies\[0\]\.lifetime: must be "session" or like/),
      'trackers.ga4.cookies[0].party: must be "first" or "third"',
    ]);
  });

  test('reports every problem at once, with its path', () => {
    const issues = issuesOf({
      ...valid,
      purposes: [],
      vendor: { name: '', privacyUrl: 'http://matomo.org' },
      hosts: ['https://stats.example.org/'],
      load: 'not a function',
      cookie: [],
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        'trackers.matomo.purposes: a tracker serves at least one purpose',
        'trackers.matomo.vendor.name: must not be empty',
        'trackers.matomo.vendor.privacyUrl: must be an https:// URL',
        expect.stringMatching(/^trackers\.matomo\.hosts\[0\]: must be a lower-case host name/),
        'trackers.matomo.load: must be a function',
        'trackers.matomo.cookie: is not a field of a tracker (misspelt?)',
      ]),
    );
    expect(issues).toHaveLength(6);
  });

  test('a cookie must serve one of the tracker’s purposes', () => {
    expect(issuesOf({ ...valid, cookies: [{ ...valid.cookies[0], purpose: 'marketing' }] })).toEqual([
      'trackers.matomo.cookies[0].purpose: "marketing" is not one of the tracker\'s purposes',
    ]);
  });

  test('a missing required field says it is required, and what it takes', () => {
    expect(issuesOf(without(valid, 'owner'))).toEqual([
      'trackers.matomo.owner: is required (must be "platform" or the id of a Member: letters, digits, ".", "-" or "_")',
    ]);
    expect(issuesOf(without(valid, 'id', 'party'))).toEqual([
      'trackers.?.id: is required (must be a string like "ga4" or "HarvardX/ga4")',
      'trackers.?.party: is required (must be "first" or "third")',
    ]);
    expect(issuesOf({ ...valid, cookies: [without(valid.cookies[0]!, 'lifetime')] })).toEqual([
      'trackers.matomo.cookies[0].lifetime: is required (must be "session" or like "30min", "24h", "90d", "13mo", "2y")',
    ]);
  });

  test('a cookie serving none of the tracker’s purposes is reported with the other problems, not after they are fixed', () => {
    expect(
      issuesOf({
        ...without(valid, 'vendor'),
        hosts: ['https://stats.example.org/'],
        cookies: [
          { ...valid.cookies[0], purpose: 'marketing' },
          { ...valid.cookies[0], lifetime: 'forever' },
        ],
      }),
    ).toEqual([
      'trackers.matomo.vendor: is required (must be { name, privacyUrl, optOutUrl? })',
      'trackers.matomo.cookies[1].lifetime: must be "session" or like "30min", "24h", "90d", "13mo", "2y"',
      expect.stringMatching(/^trackers\.matomo\.hosts\[0\]: must be a lower-case host name/),
      'trackers.matomo.cookies[0].purpose: "marketing" is not one of the tracker\'s purposes',
    ]);
  });

  test('a missing or mistyped list or object says what it must be, never "Invalid input"', () => {
    // A hand-written declaration: no vendor, hosts or purposes; cookies as an object; a cookie as a bare name.
    const issues = issuesOf({
      id: 'matomo',
      owner: 'platform',
      party: 'first',
      vendor: 'Matomo',
      cookies: { name: '_pk_id' },
    });
    expect(issues).toEqual([
      'trackers.matomo.purposes: is required (must be a list of purpose ids, e.g. ["analytics"])',
      'trackers.matomo.vendor: must be { name, privacyUrl, optOutUrl? }',
      'trackers.matomo.cookies: must be a list of { name, purpose, lifetime, party, storage? } ([] when it sets none)',
      'trackers.matomo.hosts: is required (must be a list of the host names it contacts ([] when none))',
    ]);
    expect(issuesOf({ ...valid, cookies: ['_pk_id'] })).toEqual([
      'trackers.matomo.cookies[0]: must be { name, purpose, lifetime, party, storage? }',
    ]);
    expect(issuesOf({ ...valid, purposes: 'analytics' })).toEqual([
      'trackers.matomo.purposes: must be a list of purpose ids, e.g. ["analytics"]',
    ]);
  });

  test('a missing or mistyped field says what it must be, never "Invalid input"', () => {
    const cookie = valid.cookies[0]!;
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ cookies: [{ ...cookie, lifetime: 90 }] }, /cookies\[0\]\.lifetime: must be "session" or like/],
      [{ cookies: [{ ...cookie, purpose: undefined }] }, /cookies\[0\]\.purpose: is required \(must be a string/],
      [
        { vendor: { privacyUrl: 'https://matomo.org/privacy' } },
        /vendor\.name: is required \(must be a non-empty string/,
      ],
      [{ vendor: { name: 'Matomo' } }, /vendor\.privacyUrl: is required \(must be an https:\/\/ URL/],
      [{ unloadable: 'yes' }, /unloadable: must be true or false/],
      [{ vendorId: 123 }, /vendorId: must be the vendor's id as a string/],
      [{ owner: 123 }, /owner: must be "platform" or the id of a Member/],
      [{ hosts: [42] }, /hosts\[0\]: must be a lower-case host name/],
    ];
    for (const [change, message] of cases) {
      const issues = issuesOf({ ...valid, ...change });
      expect(issues.join('\n'), JSON.stringify(change)).toMatch(message);
      expect(issues.join('\n'), JSON.stringify(change)).not.toMatch(/Invalid input/);
    }
    expect(issuesOf({ ...valid, id: 42 }).join('\n')).toMatch(/id: must be a string like "ga4" or "HarvardX\/ga4"/);
  });

  test('an entry may say it is stored elsewhere than a cookie (storage), one of the places it knows', () => {
    const touch = { name: 'stats_touch', purpose: 'analytics', lifetime: '13mo', party: 'first' } as const;
    const stored = {
      ...valid,
      cookies: [
        { ...touch, storage: 'localStorage' },
        { ...touch, name: 'stats_tab', storage: 'sessionStorage' },
        { ...touch, name: '_pk_ses', storage: 'cookie' },
      ],
    } satisfies Tracker;
    expect(defineTracker(stored)).toBe(stored);
    expect(
      issuesOf({
        ...valid,
        cookies: [
          { ...touch, storage: 'indexedDb' },
          { ...touch, storage: true },
        ],
      }),
    ).toEqual([
      'trackers.matomo.cookies[0].storage: must be "cookie", "localStorage" or "sessionStorage"',
      'trackers.matomo.cookies[1].storage: must be "cookie", "localStorage" or "sessionStorage"',
    ]);
  });

  test('an input without an id is still located', () => {
    expect(issuesOf(null)).toEqual([expect.stringMatching(/^trackers\.\?: /)]);
  });
});

describe('built-in adapters', () => {
  const adapters = {
    segment: segment({ writeKey: 'wk123' }),
    ga4: ga4({ id: 'G-ABC123' }),
    gtm: gtm({ id: 'GTM-XYZ', purposes: ['analytics', 'marketing'] }),
    meta: meta({ id: '1234567890' }),
    linkedin: linkedin({ partnerId: '123456' }),
    hotjar: hotjar({ siteId: 3456789 }),
  };

  test.each(Object.entries(adapters))('%s is a valid declaration', (id, tracker) => {
    expect(defineTracker(tracker).id).toBe(id);
    expect(tracker.vendor.privacyUrl).toMatch(/^https:\/\//);
  });

  test('declare the vendors’ real cookies and lifetimes', () => {
    const cookies = (t: Tracker) => t.cookies.map((c) => `${String(c.name)} ${c.lifetime} ${c.party}`);
    expect(cookies(adapters.ga4)).toEqual(['_ga 2y first', '_ga_ABC123 2y first']);
    expect(cookies(adapters.meta)).toEqual(['_fbp 90d first', '_fbc 90d first', 'fr 90d third']);
    expect(cookies(adapters.segment)).toEqual([
      'ajs_anonymous_id 1y first',
      'ajs_user_id 1y first',
      'ajs_group_id 1y first',
      '/^ajs_/ 1y first',
    ]);
    expect(cookies(adapters.hotjar).slice(0, 2)).toEqual([
      '_hjSessionUser_3456789 365d first',
      '_hjSession_3456789 30min first',
    ]);
    expect(cookies(adapters.linkedin)).toContain('li_fat_id 30d first');
    expect(cookies(adapters.linkedin)).toContain('bcookie 1y third');
  });

  test("Segment of an EU workspace declares its apiHost's host and hands analytics.js the apiHost, keeping other load options", async () => {
    const eu = segment({
      writeKey: 'wk1',
      apiHost: 'events.eu1.segmentapis.com/v1',
      loadOptions: {
        integrations: { Hotjar: false, 'Segment.io': { deliveryStrategy: { strategy: 'batching' } } },
        cdnURL: 'https://cdn.segment.com',
      },
    });
    expect(eu.hosts).toEqual(['cdn.segment.com', 'events.eu1.segmentapis.com']);
    expect(adapters.segment.hosts).toEqual(['cdn.segment.com', 'api.segment.io']);
    // The adapter keeps analytics.js on globalThis (the window in a page).
    const w = globalThis as { analytics?: { _loadOptions?: unknown }; optinSegment?: string };
    await eu.load?.({ loadScript: () => Promise.resolve(true) });
    expect(w.analytics?._loadOptions).toEqual({
      integrations: {
        Hotjar: false,
        'Segment.io': { deliveryStrategy: { strategy: 'batching' }, apiHost: 'events.eu1.segmentapis.com/v1' },
      },
      cdnURL: 'https://cdn.segment.com',
    });
    delete w.analytics;
    delete w.optinSegment;
  });

  test('Segment given its apiHost as a URL (https://…) declares the host and hands analytics.js the apiHost without the scheme, as Segment writes it', async () => {
    for (const apiHost of ['https://events.eu1.segmentapis.com/v1', 'http://events.eu1.segmentapis.com/v1']) {
      const eu = segment({ writeKey: 'wk1', apiHost });
      expect(eu.hosts).toEqual(['cdn.segment.com', 'events.eu1.segmentapis.com']);
      // The adapter keeps analytics.js on globalThis (the window in a page).
      const w = globalThis as { analytics?: { _loadOptions?: unknown }; optinSegment?: string };
      await eu.load?.({ loadScript: () => Promise.resolve(true) });
      expect(w.analytics?._loadOptions).toEqual({
        integrations: { 'Segment.io': { apiHost: 'events.eu1.segmentapis.com/v1' } },
      });
      delete w.analytics;
      delete w.optinSegment;
    }
  });

  test('each adapter names the id its vendor knows it by, for the audit to attribute its requests', () => {
    expect(Object.values(adapters).map((t) => t.vendorId)).toEqual([
      'wk123',
      'G-ABC123',
      'GTM-XYZ',
      '1234567890',
      '123456',
      '3456789',
    ]);
    expect(defineTracker(ga4({ id: 'G-HX0001', owner: 'HarvardX' })).vendorId).toBe('G-HX0001');
    expect(() => defineTracker({ ...adapters.ga4, vendorId: '' })).toThrow(/vendorId: must not be empty/);
  });

  test('a Member’s adapter is owned by the Member and gets its own id', () => {
    const tracker = ga4({ id: 'G-HX0001', owner: 'HarvardX' });
    expect([tracker.id, tracker.owner]).toEqual(['HarvardX-ga4', 'HarvardX']);
    expect(ga4({ id: 'G-HX0001', trackerId: 'hx' }).id).toBe('hx');
  });

  test('a JavaScript caller’s `trackerId: null` gets the default id', () => {
    const nulled = { trackerId: null } as unknown as { trackerId?: string };
    expect(ga4({ id: 'G-HX0001', ...nulled }).id).toBe('ga4');
    expect(defineTracker(meta({ id: '1234567890', owner: 'HarvardX', ...nulled })).id).toBe('HarvardX-meta');
  });

  test.each([
    ['ga4({})', 'ga4.id', () => ga4({} as Ga4Options)],
    ['ga4()', 'ga4.id', () => (ga4 as (options?: Ga4Options) => Tracker)()],
    ['ga4({ measurementId })', 'ga4.id', () => ga4({ measurementId: 'G-HX1234' } as unknown as Ga4Options)],
    ['ga4 with a GTM id', 'ga4.id', () => ga4({ id: 'GTM-ABC123' })],
    ['gtm with a GA4 id', 'gtm.id', () => gtm({ id: 'G-ABC123' })],
    ['segment with an empty key', 'segment.writeKey', () => segment({ writeKey: '' })],
    ['meta with a name', 'meta.id', () => meta({ id: 'my pixel' })],
    ['linkedin without a partner', 'linkedin.partnerId', () => linkedin({} as LinkedInOptions)],
    ['hotjar with NaN', 'hotjar.siteId', () => hotjar({ siteId: Number('x') })],
  ])('%s throws TrackerError invalid_option at %s', (_, path, make) => {
    const error = (() => {
      try {
        make();
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(TrackerError);
    expect(error).toMatchObject({
      code: 'invalid_option',
      issues: [{ path, message: expect.stringMatching(/^must match \//) }],
    });
    expect((error as TrackerError).message).toMatch(
      new RegExp(`^invalid_option: ${path.replace('.', '\\.')}: must match`),
    );
  });
});
