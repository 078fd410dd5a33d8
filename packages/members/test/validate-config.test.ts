import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Tracker } from '@optin/trackers';
import { ga4 } from '@optin/trackers/ga4';
import { defineConfig, defineMember, MembersError, validateConfig, type OptinConfig } from '../src/index.js';
import { matomo, pixel, sampleConfig } from './fixtures/config.js';

const paths = (config: unknown) => validateConfig(config).map((i) => i.path);

describe('validateConfig', () => {
  it('accepts a sound config, and defineConfig returns it', () => {
    expect(validateConfig(sampleConfig())).toEqual([]);
    expect(defineConfig(sampleConfig()).members.map((m) => m.id)).toEqual(['HarvardX', 'MITx']);
  });

  it('namespaces Member tracker ids and sets their owner', () => {
    const hx = sampleConfig().members[0]!;
    expect(hx.trackers.map((t) => [t.id, t.owner])).toEqual([
      ['HarvardX/matomo', 'HarvardX'],
      ['HarvardX/pixel', 'HarvardX'],
    ]);
    expect(
      defineMember({ id: 'MITx', name: 'MIT', orgs: ['MITx'], trackers: [ga4({ id: 'G-MIT', owner: 'MITx' })] })
        .trackers[0]?.id,
    ).toBe('MITx/ga4');
  });

  it('returns every problem at once, each with its path', () => {
    const base = sampleConfig();
    const config: OptinConfig = {
      ...base,
      platform: { trackers: [...base.platform.trackers, { ...base.platform.trackers[0]!, purposes: ['advertising'] }] },
      members: [
        base.members[0]!,
        defineMember({
          id: 'MITx',
          name: 'MIT',
          orgs: ['MITx', 'harvardx'],
          trackers: [{ ...matomo('2', 'stats.mitx.example'), purposes: ['necessary'] }],
        }),
        defineMember({
          id: 'Copycat',
          name: 'Copycat U',
          orgs: ['CopyX'],
          trackers: [
            pixel('Copy Ads', 'ads.copy.example', 'hx_ad'),
            { ...pixel('B', 'b.example', 'b'), vendor: { name: 'B', privacyUrl: 'javascript:alert(1)' } },
          ],
        }),
      ],
    };
    const issues = validateConfig(config);
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(byPath['platform.trackers[2].id']).toMatch(/also the id of platform\.trackers\[0\]/);
    expect(byPath['platform.trackers[2].purposes[0]']).toMatch(/"advertising" is not a purpose of policy "edx"/);
    expect(byPath['members[1].orgs[1]']).toMatch(/already owned by HarvardX/);
    expect(byPath['members[1].trackers[0].purposes[0]']).toMatch(/cannot run as "necessary"/);
    expect(byPath['members[2].trackers[0].cookies[0].name']).toMatch(/collides with Member HarvardX's hx_ad/);
    expect(byPath['members[2].trackers[1].vendor.privacyUrl']).toBeDefined();
    expect(() => defineConfig(config)).toThrow(MembersError);
    try {
      defineConfig(config);
    } catch (error) {
      expect((error as MembersError).code).toBe('invalid_config');
      expect((error as MembersError).issues).toEqual(issues);
      expect((error as MembersError).message).toContain('members[1].orgs[1]');
    }
  });

  it('reports a field of a tracker at its path whatever the id: dots, dashes, a Member namespace', () => {
    const tracker = (id: unknown, cookie = 'c1') => ({
      ...matomo('1', 'stats.example'),
      id,
      cookies: [{ name: cookie, purpose: 'analytics', lifetime: 'forever', party: 'first' }],
    });
    const config = {
      ...sampleConfig(),
      platform: {
        trackers: [tracker('matomo'), tracker('matomo.eu', 'c2'), tracker('a.b z'), tracker(undefined, 'c3')],
      },
      members: [
        defineMember({ id: 'Harvard.X', name: 'H', orgs: ['HX'], trackers: [tracker('hx.stats-eu', 'c4') as Tracker] }),
      ],
    };
    expect(paths(config)).toEqual([
      'platform.trackers[0].cookies[0].lifetime',
      'platform.trackers[1].cookies[0].lifetime',
      'platform.trackers[2].id',
      'platform.trackers[2].cookies[0].lifetime',
      'platform.trackers[3].id',
      'platform.trackers[3].cookies[0].lifetime',
      'members[0].trackers[0].cookies[0].lifetime',
    ]);
    fc.assert(
      fc.property(fc.stringMatching(/^([A-Za-z0-9][\w.-]{0,15}\/)?[A-Za-z0-9][\w.-]{0,15}$/), (id) => {
        const one = { ...sampleConfig(), platform: { trackers: [tracker(id)] }, members: [] };
        expect(paths(one)).toEqual(['platform.trackers[0].cookies[0].lifetime']);
      }),
    );
  });

  it("rejects a Member cookie that collides with the platform's", () => {
    const base = sampleConfig();
    const config = {
      ...base,
      members: [
        defineMember({ id: 'HarvardX', name: 'Harvard', orgs: ['HarvardX'], trackers: [ga4({ id: 'G-HX0001' })] }),
      ],
    };
    expect(validateConfig(config)).toContainEqual({
      path: 'members[0].trackers[0].cookies[0].name',
      message: expect.stringMatching(/_ga collides with the platform's _ga/),
    });
    const prefixed = {
      ...base,
      members: [
        defineMember({
          id: 'HarvardX',
          name: 'Harvard',
          orgs: ['HarvardX'],
          trackers: [ga4({ id: 'G-HX0001', cookiePrefix: 'hx' })],
        }),
      ],
    };
    expect(validateConfig(prefixed)).toEqual([]);
    expect(prefixed.members[0]!.trackers[0]!.cookies.map((c) => c.name)).toEqual(['hx_ga', 'hx_ga_HX0001']);
  });

  it('checks Member ids, names, orgs, courses and email key ids', () => {
    const base = sampleConfig();
    const config = {
      ...base,
      members: [
        { id: 'bad id', name: '', orgs: [], trackers: [] },
        { id: 'A', name: 'A', orgs: ['A'], courses: ['not-a-course'], trackers: 'none', email: { keyId: '' } },
        { id: 'A', name: 'A again', orgs: ['B'], trackers: [] },
      ],
    };
    expect(paths(config)).toEqual(
      expect.arrayContaining([
        'members[0].id',
        'members[0].name',
        'members[0].orgs',
        'members[1].courses[0]',
        'members[1].trackers',
        'members[1].email.keyId',
        'members[2].id',
      ]),
    );
  });

  it('reports a misspelt field of a Member, of platform and of the config, naming the closest field', () => {
    const base = sampleConfig();
    // Fields as a JavaScript config (optin.config.mjs) may write them; TypeScript would refuse them.
    const typos = {
      tracker: [ga4({ id: 'G-HX0001', cookiePrefix: 'hx' })],
      cources: ['course-v1:edX+HX1+2026'],
      emial: { keyId: 'hx' },
      Orgs: ['HX'],
      'tracking id': 'x',
    };
    const misspelt = {
      ...base,
      platform: { ...base.platform, tracker: [] },
      member: [],
      members: [defineMember({ id: 'HarvardX', name: 'Harvard', orgs: ['HarvardX'], ...typos })],
    };
    expect(validateConfig(misspelt)).toEqual([
      { path: 'member', message: 'is not a field of the config (misspelt? did you mean "members"?)' },
      { path: 'platform.tracker', message: 'is not a field of `platform` (misspelt? did you mean "trackers"?)' },
      { path: 'members[0].tracker', message: 'is not a field of a Member (misspelt? did you mean "trackers"?)' },
      { path: 'members[0].cources', message: 'is not a field of a Member (misspelt? did you mean "courses"?)' },
      { path: 'members[0].emial', message: 'is not a field of a Member (misspelt? did you mean "email"?)' },
      { path: 'members[0].Orgs', message: 'is not a field of a Member (misspelt? did you mean "orgs"?)' },
      { path: 'members[0]["tracking id"]', message: 'is not a field of a Member (misspelt?)' },
    ]);
    expect(() => defineConfig(misspelt)).toThrow(/members\[0\]\.cources: is not a field of a Member/);
    // The collector's fields of the same config are fields, not misspellings.
    const withCollector = {
      ...base,
      collector: { mode: 'opt-in', platformTokenRef: 'env:OPTIN_PLATFORM_TOKEN' },
      members: base.members.map((m) => ({ ...m, tokenRef: `env:TOKEN_${m.id.toUpperCase()}` })),
    };
    expect(validateConfig(withCollector)).toEqual([]);
  });

  it('takes the email key ids @optin/email takes (1-64 of A-Z a-z 0-9 . _ : -), and names them when refusing', () => {
    const withKid = (email: unknown) =>
      validateConfig({
        ...sampleConfig(),
        members: [{ ...defineMember({ id: 'HarvardX', name: 'H', orgs: ['HarvardX'], trackers: [] }), email }],
      });
    for (const kid of ['hx-2026', 'hx:2026', 'HarvardX:email:2026-11', 'a', '_hx', '.2026', 'k'.repeat(64)])
      expect(withKid({ keyId: kid })).toEqual([]);
    for (const kid of ['', 'hx 2026', 'hx/2026', 'hé-2026', 'k'.repeat(65), 5])
      expect(withKid({ keyId: kid })).toEqual([
        {
          path: 'members[0].email.keyId',
          message: expect.stringContaining('1–64 letters, digits, ".", "_", ":" or "-"') as string,
        },
      ]);
    expect(withKid('hx-2026')).toEqual([
      { path: 'members[0].email', message: expect.stringContaining("{ keyId: 'hx-2026' }") as string },
    ]);
  });

  it('reports a course run owned by two Members, whatever the case of its key, as it does an org', () => {
    const member = (id: string, orgs: string[], courses: string[]) =>
      defineMember({ id, name: id, orgs, courses, trackers: [] });
    const config = {
      ...sampleConfig(),
      members: [member('A', ['X'], ['course-v1:Z+C+R']), member('B', ['Y'], ['course-v1:z+c+R'])],
    };
    const issues = validateConfig(config);
    expect(issues).toEqual([{ path: 'members[1].courses[0]', message: expect.stringMatching(/already owned by A/) }]);
    expect(() => defineConfig(config)).toThrow(MembersError);
    try {
      defineConfig(config);
    } catch (error) {
      expect((error as MembersError).code).toBe('invalid_config');
    }
  });

  it('refuses Member ids equal in capitals with punctuation as "_", or reading "platform"', () => {
    const member = (id: string, org: string) => defineMember({ id, name: id, orgs: [org], trackers: [] });
    const base = sampleConfig();
    const with_ = (...members: ReturnType<typeof member>[]) => validateConfig({ ...base, members });
    expect(with_(member('HarvardX', 'HarvardX'), member('harvardx', 'HX2'))).toEqual([
      { path: 'members[1].id', message: expect.stringContaining('"harvardx" is taken by "HarvardX"') as string },
    ]);
    expect(with_(member('Open.edX', 'A'), member('open-edx', 'B')).map((i) => i.path)).toEqual(['members[1].id']);
    expect(with_(member('Platform', 'A')).map((i) => i.path)).toEqual(['members[0].id']);
    expect(with_(member('HarvardX', 'HarvardX'), member('MITx', 'MITx'))).toEqual([]);
  });

  it('never throws, whatever it is given: random configs give errors', () => {
    const junk = fc.anything({
      withObjectString: true,
      withNullPrototype: true,
      withMap: true,
      withSet: true,
      withBigInt: true,
      withDate: true,
    });
    const base = sampleConfig();
    const shapes = fc.oneof(
      junk,
      fc.record({ policy: fc.oneof(junk, fc.constant(base.policy)), platform: junk, members: junk }),
      fc.record({
        policy: fc.constant(base.policy),
        platform: fc.record({ trackers: fc.array(fc.oneof(junk, fc.constantFrom(...base.platform.trackers))) }),
        members: fc.array(
          fc.oneof(
            junk,
            fc.record({
              id: fc.string(),
              name: fc.string(),
              orgs: fc.array(fc.string()),
              courses: fc.array(fc.string()),
              trackers: fc.array(junk),
            }),
          ),
        ),
      }),
    );
    fc.assert(
      fc.property(shapes, (config) => {
        const issues = validateConfig(config);
        expect(Array.isArray(issues)).toBe(true);
        for (const i of issues) expect(typeof i.path).toBe('string');
      }),
      { numRuns: 3000 },
    );
  }, 30_000); // 3,000 runs: 2-4 s alone, more on a busy machine

  it('random mutations of a sound config are reported, never thrown', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('id', 'purposes', 'hosts', 'cookies', 'vendor', 'owner'),
        fc.anything(),
        fc.nat(2),
        (field, value, member) => {
          const base = sampleConfig();
          const m = base.members[member % base.members.length]!;
          const broken = {
            ...base,
            members: base.members.map((x) =>
              x === m ? { ...m, trackers: [{ ...m.trackers[0]!, [field]: value }] } : x,
            ),
          };
          expect(() => validateConfig(broken)).not.toThrow();
        },
      ),
      { numRuns: 1000 },
    );
  }, 30_000); // 1,000 runs: 2-3 s alone, more on a busy machine
});
