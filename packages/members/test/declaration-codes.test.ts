import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { edxPolicy, type Purpose } from '@optin/consent';
import { defineMember, validateConfig, type ConfigIssueCode, type Member } from '../src/index.js';
import { matomo, sampleConfig } from './fixtures/config.js';

// A problem inside the policy or a tracker's own declaration (what definePolicy and defineTracker
// check) has a code that says what kind of problem it is, at the exact path of what is wrong.
const base = sampleConfig();
const hx = base.members[0] as Member;
const [necessary, analytics, ...others] = edxPolicy.purposes as [Purpose, Purpose, ...Purpose[]];
/** `path [code]` of every problem of the config: what a CI script or an editor acts on. */
const found = (config: object) => validateConfig({ ...base, ...config }).map((i) => `${i.path} [${i.code}]`);
const withPolicy = (policy: unknown) => found({ policy });
const withPurposes = (...purposes: unknown[]) => withPolicy({ ...edxPolicy, purposes });
const edxMatomo = (overrides: object) => ({ ...matomo('edx', 'stats.edx.example'), ...overrides });
const withTracker = (overrides: object) => found({ platform: { trackers: [edxMatomo(overrides)] } });
const cookie = (overrides: object = {}) => ({
  name: '_pk',
  purpose: 'analytics',
  lifetime: '1y',
  party: 'first',
  ...overrides,
});
/** `value` without its field `key`. */
const without = (value: object, key: string) => Object.fromEntries(Object.entries(value).filter(([k]) => k !== key));

describe('the code of a problem inside the policy', () => {
  it('a purpose id the policy already has is duplicate_id, at the later purpose', () => {
    expect(withPurposes(necessary, analytics, { ...others[0], id: 'analytics' })).toEqual([
      'policy.purposes[2].id [duplicate_id]',
    ]);
  });

  it('a malformed id is invalid_id, and one both malformed and repeated has each code', () => {
    expect(withPolicy({ ...edxPolicy, id: 'edx policy' })).toEqual(['policy.id [invalid_id]']);
    expect(withPolicy({ ...edxPolicy, id: 'x'.repeat(65) })).toEqual(['policy.id [invalid_id]']);
    const twice = { ...analytics, id: 'web analytics' };
    expect(withPurposes(necessary, twice, { ...twice, label: 'Again' })).toEqual([
      'policy.purposes[1].id [invalid_id]',
      'policy.purposes[2].id [invalid_id]',
      'policy.purposes[2].id [duplicate_id]',
    ]);
  });

  it('a misspelt field is unknown_field, at the field', () => {
    expect(withPurposes(necessary, { ...analytics, gcp: true }, ...others)).toEqual([
      'policy.purposes[1].gcp [unknown_field]',
    ]);
    expect(withPolicy({ ...edxPolicy, versoin: '1' })).toEqual(['policy.versoin [unknown_field]']);
    expect(withPurposes({ ...necessary, 'long label': 'x' })).toEqual([
      'policy.purposes[0]["long label"] [unknown_field]',
    ]);
  });

  it('tells a missing or empty field (required) from one of the wrong kind (invalid_type)', () => {
    expect(withPurposes(necessary, without(analytics, 'description'), { ...others[0], label: '' })).toEqual([
      'policy.purposes[1].description [required]',
      'policy.purposes[2].label [required]',
    ]);
    expect(withPolicy({ ...edxPolicy, version: '' })).toEqual(['policy.version [required]']);
    expect(withPolicy({ ...edxPolicy, purposes: [] })).toEqual(['policy.purposes [required]']);
    expect(withPolicy({ ...edxPolicy, purposes: 'analytics' })).toEqual(['policy.purposes [invalid_type]']);
    expect(withPurposes(necessary, { ...analytics, required: 'no' })).toEqual([
      'policy.purposes[1].required [invalid_type]',
    ]);
    expect(withPurposes(necessary, 'analytics')).toEqual(['policy.purposes[1] [invalid_type]']);
    expect(withPolicy(7)).toEqual(['policy [invalid_type]']);
    // Not data: a policy is text and flags, never behaviour.
    expect(withPurposes(necessary, { ...analytics, label: () => 'Analytics' })).toEqual(['policy [invalid_type]']);
  });

  it('a version too long for a consent receipt is too_long; a language that is no BCP 47 tag, invalid_lang', () => {
    expect(withPolicy({ ...edxPolicy, version: '2026-11-'.repeat(9) })).toEqual(['policy.version [too_long]']);
    expect(withPolicy({ ...edxPolicy, lang: 'en_US' })).toEqual(['policy.lang [invalid_lang]']);
  });

  it('a required purpose that GPC would refuse is gpc_on_required', () => {
    expect(withPurposes({ ...necessary, gpc: true }, analytics)).toEqual(['policy.purposes[0].gpc [gpc_on_required]']);
  });
});

describe("the code of a problem inside a tracker's declaration", () => {
  it('a malformed URL, host, lifetime, cookie name or party has a code of its own', () => {
    expect(
      withTracker({
        party: 'second',
        vendor: { name: 'Matomo', privacyUrl: 'http://matomo.org/privacy-policy/' },
        cookies: [cookie({ name: '_pk id' }), cookie({ lifetime: 'forever' })],
        hosts: ['https://stats.edx.example'],
      }),
    ).toEqual([
      'platform.trackers[0].party [invalid_party]',
      'platform.trackers[0].vendor.privacyUrl [invalid_url]',
      'platform.trackers[0].cookies[0].name [invalid_cookie_name]',
      'platform.trackers[0].cookies[1].lifetime [invalid_lifetime]',
      'platform.trackers[0].hosts[0] [invalid_host]',
    ]);
  });

  it('a cookie said to be kept somewhere other than a cookie, localStorage or sessionStorage is invalid_type, at its storage', () => {
    expect(
      withTracker({ cookies: [cookie({ storage: 'localStorage' }), cookie({ storage: 'sessionStorage' })] }),
    ).toEqual([]);
    expect(withTracker({ cookies: [cookie({ storage: 'indexedDb' }), cookie({ storage: 1 })] })).toEqual([
      'platform.trackers[0].cookies[0].storage [invalid_type]',
      'platform.trackers[0].cookies[1].storage [invalid_type]',
    ]);
  });

  it('a misspelt field is unknown_field, in the tracker, its vendor or a cookie', () => {
    expect(
      withTracker({
        hots: [],
        vendor: { name: 'Matomo', privacy: 'https://matomo.org/privacy-policy/' },
        cookies: [cookie({ lifetme: '1y' })],
      }),
    ).toEqual([
      'platform.trackers[0].vendor.privacyUrl [required]',
      'platform.trackers[0].vendor.privacy [unknown_field]',
      'platform.trackers[0].cookies[0].lifetme [unknown_field]',
      'platform.trackers[0].hots [unknown_field]',
    ]);
  });

  it('tells a missing or empty field (required) from one of the wrong kind (invalid_type), and an empty slot', () => {
    const purposeless = without(cookie(), 'purpose');
    expect(
      withTracker({ purposes: [], vendor: 'Matomo', cookies: [purposeless], load: 'matomo.js', vendorId: '' }),
    ).toContain('platform.trackers[0].purposes [required]');
    expect(
      withTracker({
        vendor: 'Matomo',
        cookies: Object.assign(new Array<unknown>(3), { 0: purposeless, 2: cookie() }),
        load: 'matomo.js',
        vendorId: '',
      }),
    ).toEqual([
      'platform.trackers[0].vendor [invalid_type]',
      'platform.trackers[0].cookies[0].purpose [required]',
      'platform.trackers[0].cookies[1] [empty_slot]',
      'platform.trackers[0].vendorId [required]',
      'platform.trackers[0].load [invalid_type]',
      'platform.trackers[0].cookies[0].purpose [unknown_purpose]',
    ]);
  });

  it("a malformed id is invalid_id: the tracker's, its owner's, a purpose it names, a Member's tracker's", () => {
    expect(withTracker({ id: 'web stats' })).toEqual(['platform.trackers[0].id [invalid_id]']);
    const member = (...trackers: object[]) =>
      found({ members: [defineMember({ ...hx, trackers: trackers as Member['trackers'] })] });
    expect(member(edxMatomo({ purposes: ['web analytics'], cookies: [] }))).toEqual([
      'members[0].trackers[0].purposes[0] [invalid_id]',
      'members[0].trackers[0].purposes[0] [unknown_purpose]',
    ]);
    expect(member(edxMatomo({ id: 'web stats' }))).toEqual(['members[0].trackers[0].id [invalid_id]']);
  });

  it('gives no problem in a policy or a tracker only the coarse invalid_policy or invalid_tracker', () => {
    const coarse = new Set<ConfigIssueCode>(['invalid_policy', 'invalid_tracker']);
    const fields = (object: object) =>
      fc.record(Object.fromEntries(Object.keys(object).map((k) => [k, fc.anything()])), {
        requiredKeys: [],
      });
    const sample = edxMatomo({});
    fc.assert(
      fc.property(
        fields(edxPolicy),
        fields(analytics),
        fields(sample),
        fields(sample.vendor),
        fields(cookie()),
        (policy, purpose, tracker, vendor, c) => {
          const configs = [
            { policy: { ...edxPolicy, ...policy } },
            { policy: { ...edxPolicy, purposes: [necessary, { ...analytics, ...purpose }, purpose] } },
            { platform: { trackers: [{ ...sample, ...tracker }] } },
            {
              platform: { trackers: [{ ...sample, vendor: { ...sample.vendor, ...vendor }, cookies: [cookie(c), c] }] },
            },
          ];
          for (const config of configs)
            for (const issue of validateConfig({ ...base, ...config })) expect(coarse).not.toContain(issue.code);
        },
      ),
    );
  });
});
