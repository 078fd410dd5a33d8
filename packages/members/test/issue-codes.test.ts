import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { edxPolicy } from '@optin/consent';
import { ga4 } from '@optin/trackers/ga4';
import {
  buildDeclaration,
  defineConfig,
  defineMember,
  MembersError,
  validateConfig,
  type ConfigIssue,
  type ConfigIssueCode,
  type Member,
} from '../src/index.js';
import { matomo, pixel, policyWithoutAnalytics, sampleConfig } from './fixtures/config.js';

// Each problem's `code` is what CI scripts and editors act on: one config a code, with the path
// where that problem is reported (another problem may come along, with its own code).
const base = sampleConfig();
const [hx, mitx] = base.members as [Member, Member];
const withMembers = (...members: unknown[]) => validateConfig({ ...base, members });
const withPlatform = (...trackers: unknown[]) => validateConfig({ ...base, platform: { trackers } });
const withPolicy = (policy: unknown) => validateConfig({ ...base, policy });
const edxMatomo = (overrides: object) => ({ ...matomo('1', 'stats.edx.example'), ...overrides });
const cookie = (name: string | RegExp, purpose = 'analytics') => ({ name, purpose, lifetime: '1y', party: 'first' });
// What `f` throws.
const thrownBy = (f: () => unknown): unknown => {
  try {
    f();
  } catch (error) {
    return error;
  }
  return undefined;
};
const declarationIssues = (member: string) => (thrownBy(() => buildDeclaration(base, member)) as MembersError).issues;

// A Record over the union: a code added to ConfigIssueCode without a case here does not compile. All
// but invalid_policy and invalid_tracker, which only a check added to definePolicy or defineTracker
// after this release can give (and `optin validate` to what they throw as a config file is imported).
const cases: Record<
  Exclude<ConfigIssueCode, 'invalid_policy' | 'invalid_tracker'>,
  { issues: () => readonly ConfigIssue[]; path: string }
> = {
  invalid_type: { issues: () => withMembers(hx, 'MITx'), path: 'members[1]' },
  required: { issues: () => validateConfig({ platform: base.platform, members: base.members }), path: 'policy' },
  unknown_field: { issues: () => validateConfig({ ...base, member: [] }), path: 'member' },
  empty_slot: {
    issues: () => validateConfig({ ...base, members: Object.assign(new Array<Member>(2), { 0: hx }) }),
    path: 'members[1]',
  },
  invalid_id: { issues: () => withMembers({ ...hx, id: 'Harvard X' }), path: 'members[0].id' },
  duplicate_id: {
    issues: () => withPlatform(ga4({ id: 'G-EDX0001' }), ga4({ id: 'G-EDX0002' })),
    path: 'platform.trackers[1].id',
  },
  too_long: { issues: () => withPolicy({ ...edxPolicy, version: '2026-11'.repeat(10) }), path: 'policy.version' },
  invalid_lang: { issues: () => withPolicy({ ...edxPolicy, lang: 'en_US' }), path: 'policy.lang' },
  gpc_on_required: {
    issues: () => withPolicy({ ...edxPolicy, purposes: edxPolicy.purposes.map((p) => ({ ...p, gpc: true })) }),
    path: 'policy.purposes[0].gpc',
  },
  invalid_url: {
    issues: () => withPlatform(edxMatomo({ vendor: { name: 'Matomo', privacyUrl: 'matomo.org/privacy' } })),
    path: 'platform.trackers[0].vendor.privacyUrl',
  },
  invalid_host: {
    issues: () => withPlatform(edxMatomo({ hosts: ['stats.edx.example:443'] })),
    path: 'platform.trackers[0].hosts[0]',
  },
  invalid_cookie_name: {
    issues: () => withPlatform(edxMatomo({ cookies: [cookie('_pk=1')] })),
    path: 'platform.trackers[0].cookies[0].name',
  },
  invalid_lifetime: {
    issues: () => withPlatform(edxMatomo({ cookies: [{ ...cookie('_pk'), lifetime: 'forever' }] })),
    path: 'platform.trackers[0].cookies[0].lifetime',
  },
  invalid_party: { issues: () => withPlatform(edxMatomo({ party: '1st' })), path: 'platform.trackers[0].party' },
  not_namespaced: {
    issues: () => withMembers({ ...hx, trackers: [{ ...hx.trackers[0]!, id: 'matomo' }] }),
    path: 'members[0].trackers[0].id',
  },
  wrong_owner: { issues: () => withPlatform(edxMatomo({ owner: 'HarvardX' })), path: 'platform.trackers[0].owner' },
  unknown_purpose: {
    issues: () => withPlatform(edxMatomo({ purposes: ['statistics'], cookies: [] })),
    path: 'platform.trackers[0].purposes[0]',
  },
  required_purpose: {
    issues: () => withMembers(defineMember({ ...hx, trackers: [edxMatomo({ purposes: ['necessary'], cookies: [] })] })),
    path: 'members[0].trackers[0].purposes[0]',
  },
  cookie_purpose_mismatch: {
    issues: () => withPlatform(edxMatomo({ cookies: [cookie('_pk', 'marketing')] })),
    path: 'platform.trackers[0].cookies[0].purpose',
  },
  names_consent_cookie: {
    issues: () => withPlatform(edxMatomo({ cookies: [cookie('optin')] })),
    path: 'platform.trackers[0].cookies[0].name',
  },
  reserved_cookie: {
    issues: () => withPlatform(edxMatomo({ cookies: [cookie(/^(csrf|session)/)] })),
    path: 'platform.trackers[0].cookies[0].name',
  },
  missing_hosts: {
    issues: () => withPlatform({ ...pixel('Ads', 'ads.edx.example', 'edx_ad'), hosts: [] }),
    path: 'platform.trackers[0].hosts',
  },
  cookie_collision: {
    issues: () => withMembers(defineMember({ ...hx, trackers: [ga4({ id: 'G-HX0001' })] })),
    path: 'members[0].trackers[0].cookies[0].name',
  },
  uncheckable_cookie_pattern: {
    issues: () => withMembers(defineMember({ ...hx, trackers: [edxMatomo({ cookies: [cookie(/^_ga(?=_)/)] })] })),
    path: 'members[0].trackers[0].cookies[0].name',
  },
  invalid_org: { issues: () => withMembers({ ...hx, orgs: ['Harvard X'] }), path: 'members[0].orgs[0]' },
  invalid_course: { issues: () => withMembers({ ...hx, courses: ['CS50'] }), path: 'members[0].courses[0]' },
  ccx_course: {
    issues: () => withMembers({ ...hx, courses: ['ccx-v1:MITx+Special+2026+ccx@1'] }),
    path: 'members[0].courses[0]',
  },
  already_owned: { issues: () => withMembers(hx, { ...mitx, orgs: ['MITx', 'harvardx'] }), path: 'members[1].orgs[1]' },
  no_email_purpose: {
    issues: () =>
      validateConfig({
        policy: policyWithoutAnalytics(),
        platform: { trackers: [] },
        members: [{ ...hx, trackers: [] }],
      }),
    path: 'members[0].email',
  },
  no_email_key: { issues: () => withMembers({ ...hx, email: {} }), path: 'members[0].email' },
  invalid_key_id: { issues: () => withMembers({ ...hx, email: { keyId: 'hx 2026' } }), path: 'members[0].email.keyId' },
  shared_email_key: {
    issues: () =>
      withMembers(
        { ...hx, email: { keyId: 'hx-1' } },
        { ...mitx, email: { keys: { m: 'env:OPTIN_EMAIL_HARVARDX_HX_1' } } },
      ),
    path: 'members[1].email.keys["m"]',
  },
  invalid_secret_ref: { issues: () => withMembers({ ...hx, tokenRef: 'hx-9f2c1e7a55' }), path: 'members[0].tokenRef' },
  unknown_member: { issues: () => declarationIssues('harvardx'), path: 'member' },
};
const codes = new Set<string>(Object.keys(cases));

describe('the code of each config problem', () => {
  it.each(Object.entries(cases))('%s', (code, { issues, path }) => {
    expect(issues()).toContainEqual({ path, code, message: expect.any(String) as string });
  });

  it('tells a missing value (required) from one of the wrong kind (invalid_type)', () => {
    const at = (config: object, path: string) => validateConfig(config).find((i) => i.path === path)?.code;
    expect(at({ policy: edxPolicy, platform: base.platform }, 'members')).toBe('required');
    expect(at({ ...base, members: {} }, 'members')).toBe('invalid_type');
    expect(at({ ...base, platform: {} }, 'platform.trackers')).toBe('required');
    expect(at({ ...base, platform: { trackers: 'ga4' } }, 'platform.trackers')).toBe('invalid_type');
    expect(at({ ...base, members: [{ ...hx, name: ' ' }] }, 'members[0].name')).toBe('required');
    expect(at({ ...base, members: [{ ...hx, name: 7 }] }, 'members[0].name')).toBe('invalid_type');
    expect(at({ ...base, members: [{ ...hx, id: '' }] }, 'members[0].id')).toBe('required');
    expect(at({ ...base, members: [{ ...hx, id: null }] }, 'members[0].id')).toBe('invalid_type');
    expect(at(base, '')).toBeUndefined();
    expect(validateConfig(undefined)).toEqual([{ path: '', code: 'required', message: expect.any(String) as string }]);
  });

  it("gives a cookie whose purpose is not its tracker's one code, whether or not the tracker has other errors", () => {
    const mismatched = [cookie('_pk', 'marketing')];
    const sound = withPlatform(edxMatomo({ cookies: mismatched }));
    const broken = withPlatform(edxMatomo({ cookies: mismatched, hosts: ['BAD'] }));
    expect(sound.map((i) => [i.path, i.code])).toEqual([
      ['platform.trackers[0].cookies[0].purpose', 'cookie_purpose_mismatch'],
    ]);
    expect(broken.map((i) => [i.path, i.code])).toEqual([
      ['platform.trackers[0].hosts[0]', 'invalid_host'],
      ['platform.trackers[0].cookies[0].purpose', 'cookie_purpose_mismatch'],
    ]);
    expect(sound[0]?.message).toBe(broken[1]?.message);
  });

  it('defineConfig throws them under the one code invalid_config, each problem with its own code, shown in the message', () => {
    const config = { ...base, members: [hx, { ...mitx, orgs: ['MITx', 'harvardx'], tokenRef: 'secret' }] };
    const thrown = thrownBy(() => defineConfig(config));
    expect(thrown).toBeInstanceOf(MembersError);
    const error = thrown as MembersError;
    expect(error.code).toBe('invalid_config');
    expect(error.issues.map((i) => i.code)).toEqual(['already_owned', 'invalid_secret_ref']);
    expect(error.message).toContain(
      '\n  members[1].orgs[1] [already_owned]: org "harvardx" is already owned by HarvardX',
    );
    expect(error.message).toContain('\n  members[1].tokenRef [invalid_secret_ref]: must be "env:NAME"');
    // It cannot know the file (optin.config.mjs, .js, .ts…), so it names none it could get wrong.
    expect(error.hint).toBe('Fix the config file at the paths listed (`optin validate` prints the same list).');
    expect(error.message).not.toContain('optin.config.ts');
  });

  it('gives every problem of any config one of the documented codes', () => {
    fc.assert(
      fc.property(fc.anything({ withObjectString: true, withNullPrototype: true }), (junk) => {
        for (const config of [junk, { ...base, members: [junk] }, { ...base, platform: { trackers: [junk] } }])
          for (const issue of validateConfig(config)) expect(codes).toContain(issue.code);
      }),
    );
  });
});
