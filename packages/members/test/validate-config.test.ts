import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { edxPolicy } from '@optin/consent';
import type { Tracker } from '@optin/trackers';
import { ga4 } from '@optin/trackers/ga4';
import {
  createRegistry,
  defineConfig,
  defineMember,
  MembersError,
  validateConfig,
  type MemberEmail,
  type OptinConfig,
} from '../src/index.js';
import { matomo, pixel, policyWithoutAnalytics, sampleConfig } from './fixtures/config.js';

const paths = (config: unknown) => validateConfig(config).map((i) => i.path);

describe('validateConfig', () => {
  it('accepts a sound config, and defineConfig returns it', () => {
    expect(validateConfig(sampleConfig())).toEqual([]);
    expect(defineConfig(sampleConfig()).members.map((m) => m.id)).toEqual(['HarvardX', 'MITx']);
  });

  it('refuses a platform tracker of a third party in a required purpose, as createHub does (it would load before any decision)', () => {
    const platform = sampleConfig().platform.trackers[0]!;
    const issues = validateConfig({
      ...sampleConfig(),
      platform: {
        trackers: [
          { ...platform, id: 'sentry', party: 'third', purposes: ['necessary'], cookies: [] },
          // The platform's own (first party) may serve a required purpose.
          { ...platform, id: 'edx-csrf', party: 'first', purposes: ['necessary'], cookies: [] },
        ],
      },
    });
    expect(issues).toEqual([
      {
        path: 'platform.trackers[0].purposes[0]',
        code: 'required_purpose',
        message: `a third party's tracker cannot run as "necessary": that purpose is never asked, so it would run without consent`,
      },
    ]);
  });

  it('says what to do about each problem: the purposes to choose from, which id or org to change', () => {
    const base = sampleConfig();
    const platform = base.platform.trackers[0]!;
    const config: OptinConfig = {
      ...base,
      platform: {
        trackers: [
          platform,
          { ...platform, purposes: ['advertising'] },
          { ...platform, id: 'other', owner: 'HarvardX' },
        ],
      },
      members: [
        base.members[0]!,
        defineMember({ id: 'Copy', name: 'Copy U', orgs: ['harvardx'], trackers: [] }),
        defineMember({ id: 'A', name: 'A U', orgs: ['AX'], courses: ['course-v1:MITx+S+1'], trackers: [] }),
        defineMember({ id: 'B', name: 'B U', orgs: ['BX'], courses: ['MITx/S/1'], trackers: [] }),
      ],
    };
    const byPath = Object.fromEntries(validateConfig(config).map((i) => [i.path, i.message]));
    expect(byPath['platform.trackers[1].id']).toMatch(/: give each tracker an id of its own$/);
    expect(byPath['platform.trackers[1].purposes[0]']).toBe(
      '"advertising" is not a purpose of policy "edx": use one of necessary, analytics, performance, functionality, marketing',
    );
    expect(byPath['platform.trackers[2].owner']).toBe(
      'must be "platform": a tracker of Member HarvardX belongs in its trackers (defineMember), where its owner is set',
    );
    expect(byPath['members[1].orgs[0]']).toBe(
      'org "harvardx" is already owned by HarvardX: an org belongs to one Member; remove it here or there (a single course run under another Member\'s org goes in `courses`)',
    );
    expect(byPath['members[3].courses[0]']).toBe(
      'course "MITx/S/1" is already owned by A: a course run belongs to one Member; remove it here or there',
    );
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

  it("reports a cookie whose purpose is not its tracker's, though the tracker has other errors too", () => {
    const cookie = (purpose: string, i: number) => ({
      name: `_hx${i}`,
      purpose,
      lifetime: '1y',
      party: 'first' as const,
    });
    const tracker = (overrides: object) => ({ ...matomo('1', 'stats.harvardx.example'), ...overrides });
    const issues = (t: Tracker) =>
      validateConfig({
        ...sampleConfig(),
        members: [defineMember({ id: 'HX', name: 'H', orgs: ['HX'], trackers: [t] })],
      }).map((i) => `${i.path}: ${i.message}`);
    const marketing = '"marketing" is not one of the tracker\'s purposes';
    expect(issues(tracker({ hosts: ['BAD'], cookies: [cookie('analytics', 0), cookie('marketing', 1)] }))).toEqual([
      'members[0].trackers[0].hosts[0]: must be a lower-case host name, optionally "*.": no scheme, port or path (got "BAD")',
      `members[0].trackers[0].cookies[1].purpose: ${marketing}`,
    ]);
    // Said once, however many other errors there are; and not when the cookie itself is malformed there.
    expect(issues(tracker({ cookies: [cookie('marketing', 0)] }))).toEqual([
      `members[0].trackers[0].cookies[0].purpose: ${marketing}`,
    ]);
    expect(
      issues(
        tracker({
          vendor: { name: '', privacyUrl: 'https://stats.harvardx.example/privacy' },
          cookies: [cookie('marketing', 0), { ...cookie('Bad purpose', 1), lifetime: 'x' }],
        }),
      ),
    ).toEqual([
      'members[0].trackers[0].vendor.name: must not be empty',
      'members[0].trackers[0].cookies[1].purpose: must be letters, digits, ".", "-" or "_" (got "Bad purpose")',
      'members[0].trackers[0].cookies[1].lifetime: must be "session" or like "30min", "24h", "90d", "13mo", "2y" (got "x")',
      `members[0].trackers[0].cookies[0].purpose: ${marketing}`,
      'members[0].trackers[0].cookies[1].purpose: "Bad purpose" is not a purpose of policy "edx": use one of necessary, analytics, performance, functionality, marketing',
    ]);
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
      code: 'cookie_collision',
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

  it('says what to do about a colliding cookie: a prefix of its own, or the vendor left to one owner', () => {
    const base = sampleConfig();
    const config = {
      ...base,
      members: [
        defineMember({ id: 'HarvardX', name: 'Harvard', orgs: ['HarvardX'], trackers: [ga4({ id: 'G-HX0001' })] }),
      ],
    };
    const issue = validateConfig(config).find((i) => i.path === 'members[0].trackers[0].cookies[0].name');
    expect(issue?.message).toMatch(/collides with the platform's _ga .*: give .*cookiePrefix.*or leave /);
  });

  it("rejects a Member cookie family inside the platform's (two RegExps that name the same cookies)", () => {
    const base = sampleConfig();
    // The platform's Matomo declares every site's visitor cookie; HarvardX's names its own site's.
    const platform = {
      ...matomo('1', 'stats.edx.example'),
      cookies: [{ name: /^_pk_id\./, purpose: 'analytics', lifetime: '13mo', party: 'first' as const }],
    };
    const config = {
      ...base,
      platform: { trackers: [platform] },
      members: [
        defineMember({
          id: 'HarvardX',
          name: 'Harvard',
          orgs: ['HarvardX'],
          trackers: [matomo('1', 'stats.harvardx.example')],
        }),
      ],
    };
    expect(paths(config)).toEqual(['members[0].trackers[0].cookies[0].name']);
    // Families that share a head but no cookie are no collision: _pk_id.1.* and _pk_ses.1.*, _pk_id.1.* and _pk_id.2.*.
    expect(validateConfig(sampleConfig())).toEqual([]);
  });

  describe('cookie families written with classes, quantifiers and alternatives', () => {
    const family = (name: RegExp) => ({
      ...matomo('1', 'stats.example'),
      cookies: [{ name, purpose: 'analytics', lifetime: '13mo', party: 'first' as const }],
    });
    const issuesOf = (platform: RegExp, member: RegExp) =>
      validateConfig({
        ...sampleConfig(),
        platform: { trackers: [family(platform)] },
        members: [defineMember({ id: 'HarvardX', name: 'Harvard', orgs: ['HarvardX'], trackers: [family(member)] })],
      });

    it("reports a Member family that shares a cookie with the platform's, both ways round", () => {
      // Each pair names a cookie in common (shown in the message): refusing the Member's analytics
      // would keep that cookie, since the platform still declares it.
      const pairs: [RegExp, RegExp, string][] = [
        [/^_pk_id\./, /^_pk_id\.\d+\./, '_pk_id.0.'],
        [/^_pk_id\./, /^_pk_id\.[0-9]+\./, '_pk_id.0.'],
        [/^_pk_id\./, /^_pk_id\.7\.\w+$/, '_pk_id.7.a'],
        [/^_pk_id\./, /^_pk_id\.\d{2,}\./, '_pk_id.00.'],
        [/^_pk_id\.\d+\./, /^_pk_id\./, '_pk_id.0.'],
        [/^_gcl_au$/, /^_gcl_(aw|au)$/, '_gcl_au'],
        [/^hx_ad$/, /^hx_ad(_\d+)?$/, 'hx_ad'],
        [/^hx_ad_1$/, /^hx_ad(_\d+)?$/, 'hx_ad_1'],
        [/^hx_ad$/, /^hx_a[a-z]*$/, 'hx_ad'],
        [/^HX_AD$/i, /^hx_ad$/, 'hx_ad'],
      ];
      for (const [platform, member, shared] of pairs)
        expect(issuesOf(platform, member), `${String(member)} vs ${String(platform)}`).toEqual([
          {
            path: 'members[0].trackers[0].cookies[0].name',
            code: 'cookie_collision',
            message: expect.stringContaining(`both name "${shared}"`) as string,
          },
        ]);
    });

    it('keeps families that share a head but no cookie', () => {
      const pairs: [RegExp, RegExp][] = [
        [/^_pk_id\.1\./, /^_pk_id\.2\./],
        [/^_pk_id\.\d+\./, /^_pk_ses\.\d+\./],
        [/^_pk_id\.[a-f]+\./, /^_pk_id\.\d+\./],
        [/^hx_\w+$/, /^mx_\w+$/],
        [/^_gcl_(aw|dc)$/, /^_gcl_au$/],
      ];
      for (const [platform, member] of pairs)
        expect(issuesOf(platform, member), `${String(member)} vs ${String(platform)}`).toEqual([]);
    });

    it('reports a pattern it cannot sample (lookaround, back-reference) only when both begin with the same literal, and says so', () => {
      expect(issuesOf(/^_pk_id\./, /^_pk_id\.(?=\d)/)).toEqual([
        {
          path: 'members[0].trackers[0].cookies[0].name',
          code: 'uncheckable_cookie_pattern',
          message: expect.stringMatching(/may collide .*both begin with "_pk_id\."/) as string,
        },
      ]);
      expect(issuesOf(/^_pk_id\.(\d)\1/, /^_pk_id\./)).toEqual([
        {
          path: 'members[0].trackers[0].cookies[0].name',
          code: 'uncheckable_cookie_pattern',
          message: expect.stringMatching(/may collide .*both begin with "_pk_id\."/) as string,
        },
      ]);
      expect(issuesOf(/^_pk_id\./, /^hx_(?!x)/)).toEqual([]);
    });
  });

  it('reports an empty slot in a list ([a, , b]) at its path, which defineConfig throws as invalid_config', () => {
    // A stray comma leaves a hole that forEach and map skip: the registry, the hub and the
    // declaration then read `undefined` there.
    const holed = <T>(length: number, entries: Record<number, T>): T[] => Object.assign(new Array<T>(length), entries);
    const base = sampleConfig();
    const [hx, mit] = base.members as [OptinConfig['members'][number], OptinConfig['members'][number]];
    const config = {
      ...base,
      platform: { trackers: holed(3, { 0: base.platform.trackers[0]!, 2: base.platform.trackers[1]! }) },
      members: holed(3, {
        0: { ...hx, orgs: holed(2, { 0: 'HarvardX' }), trackers: holed(2, { 1: hx.trackers[0]! }) },
        2: { ...mit, courses: holed(2, { 1: 'course-v1:edX+MIT101+2026' }) },
      }),
    };
    const empty = expect.stringMatching(/^is empty \(a stray comma, as in \[a, , b\]\): remove it/) as string;
    expect(validateConfig(config)).toEqual([
      { path: 'platform.trackers[1]', code: 'empty_slot', message: empty },
      { path: 'members[0].orgs[1]', code: 'empty_slot', message: empty },
      { path: 'members[0].trackers[0]', code: 'empty_slot', message: empty },
      { path: 'members[1]', code: 'empty_slot', message: empty },
      { path: 'members[2].courses[0]', code: 'empty_slot', message: empty },
    ]);
    expect(() => defineConfig(config)).toThrow(
      expect.objectContaining({ name: 'MembersError', code: 'invalid_config' }),
    );
  });

  it("refuses a tracker cookie that names the consent cookie: a withdrawal would erase the learner's decision", () => {
    const base = sampleConfig();
    // A sloppy family for an A/B tool's "opt…" cookies also names `optin`, where @optin/consent keeps the decision.
    const sloppy = {
      ...matomo('1', 'stats.harvardx.example'),
      cookies: [{ name: /^opt/, purpose: 'analytics', lifetime: '1y', party: 'first' as const }],
    };
    const config = {
      ...base,
      members: [defineMember({ id: 'HarvardX', name: 'Harvard', orgs: ['HarvardX'], trackers: [sloppy] })],
    };
    expect(validateConfig(config)).toEqual([
      {
        path: 'members[0].trackers[0].cookies[0].name',
        code: 'names_consent_cookie',
        message: expect.stringMatching(/consent cookie "optin"/) as string,
      },
    ]);
    // The first-party tracker's own optin_id and optin_ses are other cookies.
    const own = {
      ...sloppy,
      cookies: [{ name: /^optin_(id|ses)$/, purpose: 'analytics', lifetime: '1y', party: 'first' as const }],
    };
    expect(validateConfig({ ...base, platform: { trackers: [own] }, members: [] })).toEqual([]);
  });

  it("refuses a tracker cookie that names one of Open edX's own site cookies: its deletion would log learners out or break CSRF", () => {
    const base = sampleConfig();
    const tracker = (owner: string, ...names: (string | RegExp)[]) => ({
      ...matomo('1', 'stats.example'),
      id: owner === 'platform' ? 'stats' : `${owner}/stats`,
      owner,
      cookies: names.map((name) => ({ name, purpose: 'analytics', lifetime: '1y', party: 'first' as const })),
    });
    const config = {
      ...base,
      platform: { trackers: [tracker('platform', 'openedx-language-preference')] },
      members: [
        {
          id: 'HarvardX',
          name: 'Harvard',
          orgs: ['HarvardX'],
          trackers: [
            tracker('HarvardX', 'csrftoken', 'sessionid', 'edxloggedin', 'edx-user-info', /^[a-n]/, /^hx_/, 'hx_id'),
          ],
        },
      ],
    };
    const issues = validateConfig(config);
    expect(issues.map((i) => `${i.path} [${i.code}]`)).toEqual([
      'platform.trackers[0].cookies[0].name [reserved_cookie]',
      'members[0].trackers[0].cookies[0].name [reserved_cookie]',
      'members[0].trackers[0].cookies[1].name [reserved_cookie]',
      'members[0].trackers[0].cookies[2].name [reserved_cookie]',
      'members[0].trackers[0].cookies[3].name [reserved_cookie]',
      'members[0].trackers[0].cookies[4].name [reserved_cookie]',
    ]);
    expect(issues[1]!.message).toMatch(/"csrftoken", a cookie of Open edX itself/);
    expect(issues[5]!.message).toMatch(
      /^\/\^\[a-n\]\/ names "csrftoken", a cookie of Open edX itself.*; name only the tracker's own cookies/,
    );
    // The platform declaring its own session cookie under `necessary` (always allowed: never deleted) is
    // its declaration, not a tracker's reach into the site's cookies.
    const session = {
      ...tracker('platform', 'sessionid', 'csrftoken'),
      purposes: ['necessary'],
      cookies: ['sessionid', 'csrftoken'].map((name) => ({
        name,
        purpose: 'necessary',
        lifetime: '14d',
        party: 'first' as const,
      })),
    };
    expect(validateConfig({ ...base, platform: { trackers: [session] }, members: [] })).toEqual([]);
    // A third party's cookie of the same name (on its own domain) is out of the page's reach: not the site's.
    const third = {
      ...tracker('HarvardX', 'sessionid'),
      cookies: [{ name: 'sessionid', purpose: 'analytics', lifetime: '1y', party: 'third' as const }],
    };
    expect(
      validateConfig({
        ...config,
        platform: { trackers: [] },
        members: [{ ...config.members[0]!, trackers: [third] }],
      }),
    ).toEqual([]);
  });

  it("a tracker declared for another Member, put in this Member's list, is reported, not silently taken over", () => {
    const base = sampleConfig();
    const config = {
      ...base,
      members: [
        defineMember({
          id: 'HarvardX',
          name: 'Harvard',
          orgs: ['HarvardX'],
          trackers: [ga4({ id: 'G-MIT0001', owner: 'MITx', cookiePrefix: 'mx' })],
        }),
        defineMember({ id: 'MITx', name: 'MIT', orgs: ['MITx'], trackers: [] }),
      ],
    };
    expect(validateConfig(config)).toEqual([
      {
        path: 'members[0].trackers[0].owner',
        code: 'wrong_owner',
        message: expect.stringMatching(/declared for "MITx".*MITx's trackers/) as string,
      },
    ]);
  });

  it('a Member tracker left out by a condition (undefined, null, false) is one issue at its path, never a throw', () => {
    const optional = (on: boolean) => (on ? ga4({ id: 'G-HX0001', cookiePrefix: 'hx' }) : undefined);
    const build = () =>
      defineMember({
        id: 'HarvardX',
        name: 'Harvard',
        orgs: ['HarvardX'],
        trackers: [optional(false), null, false, ga4({ id: 'G-HX0002', cookiePrefix: 'hy' })] as unknown as Tracker[],
      });
    expect(build).not.toThrow();
    expect(validateConfig({ ...sampleConfig(), members: [build()] })).toEqual(
      [0, 1, 2].map((i) => ({
        path: `members[0].trackers[${i}]`,
        code: 'invalid_type',
        message: 'must be a tracker (defineTracker or an adapter)',
      })),
    );
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

  it('reports `courses` or `orgs` given as one string rather than a list, which would own nothing', () => {
    const base = sampleConfig();
    const config = {
      ...base,
      members: [
        { ...base.members[0]!, courses: 'course-v1:MITx+Special+2026' },
        { ...base.members[1]!, orgs: 'MITx' },
      ],
    };
    const issues = validateConfig(config);
    expect(issues).toContainEqual({
      path: 'members[0].courses',
      code: 'invalid_type',
      message: 'must be a list of course run keys, e.g. ["course-v1:HarvardX+CS50+2026_T1"]',
    });
    expect(issues.find((i) => i.path === 'members[1].orgs')?.message).toMatch(/^must list the Open edX orgs/);
  });

  it('takes a Member with `courses` and no `orgs`, and the registry scopes its runs; one owning nothing is refused', () => {
    const base = sampleConfig();
    const runsOnly = { id: 'Runs', name: 'Runs U', courses: ['course-v1:edX+R1+2026'], trackers: [] };
    const config = { ...base, members: [...base.members, runsOnly] } as unknown as OptinConfig;
    expect(validateConfig(config)).toEqual([]);
    expect(defineConfig(config).members).toHaveLength(3);
    const registry = createRegistry(config);
    expect(registry.memberFor({ courseId: 'course-v1:edX+R1+2026' })?.id).toBe('Runs');
    expect(registry.memberFor({ courseId: 'course-v1:edX+R2+2026' })).toBeNull();
    expect(registry.memberFor({ orgId: 'HarvardX' })?.id).toBe('HarvardX');
    expect(validateConfig({ ...base, members: [{ ...runsOnly, courses: undefined }] })).toEqual([
      {
        path: 'members[0].orgs',
        code: 'required',
        message: expect.stringMatching(/^must list the Open edX orgs/) as string,
      },
    ]);
  });

  it('refuses a Member tokenRef that is not where the token is (env:NAME or file:/path), as the collector would at start', () => {
    const base = sampleConfig();
    const config = {
      ...base,
      members: [
        { ...base.members[0]!, tokenRef: 'hx-9f2c1e7a55' },
        { ...base.members[1]!, tokenRef: 'env:OPTIN_TOKEN_MITX' },
      ],
    };
    expect(validateConfig(config)).toEqual([
      {
        path: 'members[0].tokenRef',
        code: 'invalid_secret_ref',
        message:
          'must be "env:NAME" or "file:/path", where the collector reads the Member\'s API token, never the token itself',
      },
    ]);
  });

  it('says what to do when the policy is missing', () => {
    const config: Record<string, unknown> = { ...sampleConfig() };
    delete config.policy;
    expect(validateConfig(config)).toEqual([
      {
        path: 'policy',
        code: 'required',
        message: 'is missing: give the consent policy, edxPolicy or definePolicy({ id, version, purposes })',
      },
    ]);
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
      {
        path: 'member',
        code: 'unknown_field',
        message: 'is not a field of the config (misspelt? did you mean "members"?)',
      },
      {
        path: 'platform.tracker',
        code: 'unknown_field',
        message: 'is not a field of `platform` (misspelt? did you mean "trackers"?)',
      },
      {
        path: 'members[0].tracker',
        code: 'unknown_field',
        message: 'is not a field of a Member (misspelt? did you mean "trackers"?)',
      },
      {
        path: 'members[0].cources',
        code: 'unknown_field',
        message: 'is not a field of a Member (misspelt? did you mean "courses"?)',
      },
      {
        path: 'members[0].emial',
        code: 'unknown_field',
        message: 'is not a field of a Member (misspelt? did you mean "email"?)',
      },
      {
        path: 'members[0].Orgs',
        code: 'unknown_field',
        message: 'is not a field of a Member (misspelt? did you mean "orgs"?)',
      },
      { path: 'members[0]["tracking id"]', code: 'unknown_field', message: 'is not a field of a Member (misspelt?)' },
    ]);
    expect(() => defineConfig(misspelt)).toThrow(/members\[0\]\.cources \[unknown_field\]: is not a field of a Member/);
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
          code: 'invalid_key_id',
          message: expect.stringContaining('1–64 letters, digits, ".", "_", ":" or "-"') as string,
        },
      ]);
    expect(withKid('hx-2026')).toEqual([
      {
        path: 'members[0].email',
        code: 'invalid_type',
        message: expect.stringContaining("{ keyId: 'hx-2026' }") as string,
      },
    ]);
  });

  it('refuses email tracking under a policy without the purpose the collector records it under (analytics)', () => {
    const policy = policyWithoutAnalytics();
    const config = {
      policy,
      platform: { trackers: [] },
      collector: { email: { keyId: 'edx-2026' } },
      members: [
        defineMember({ id: 'HarvardX', name: 'H', orgs: ['HarvardX'], trackers: [], email: { keyId: 'hx-2026' } }),
      ],
    };
    expect(validateConfig(config)).toEqual([
      {
        path: 'collector.email',
        code: 'no_email_purpose',
        message: expect.stringMatching(/under "analytics", which policy "no-analytics" does not have/) as string,
      },
      {
        path: 'members[0].email',
        code: 'no_email_purpose',
        message: expect.stringMatching(/under "analytics", which policy "no-analytics" does not have/) as string,
      },
    ]);
    expect(validateConfig({ ...config, policy: edxPolicy })).toEqual([]);
  });

  it("takes the collector's key rotation form, email.keys by reference, and refuses a secret in the config", () => {
    const withEmail = (email: MemberEmail) =>
      validateConfig({
        ...sampleConfig(),
        members: [defineMember({ id: 'HarvardX', name: 'H', orgs: ['HarvardX'], trackers: [], email })],
      });
    // As @optin/collector reads it: the active kid from OPTIN_EMAIL_<MEMBER>_<KID>, retired ones by reference.
    expect(
      withEmail({ keyId: 'hx-2027', keys: { 'hx-2026': 'env:HX_EMAIL_2026', 'hx-2025': 'file:/run/secrets/hx-2025' } }),
    ).toEqual([]);
    expect(withEmail({ keys: { 'hx-2026': 'env:HX_EMAIL_2026' } })).toEqual([]);
    expect(withEmail({ keys: { 'hx 2026': 'env:HX', 'hx-2025': 'c2VjcmV0LWtleS1ieXRlcw==' } })).toEqual([
      {
        // Not in its form, it may be a secret: named by its position.
        path: 'members[0].email.keys[0]',
        code: 'invalid_key_id',
        message: expect.stringContaining('1–64 letters, digits') as string,
      },
      {
        path: 'members[0].email.keys["hx-2025"]',
        code: 'invalid_secret_ref',
        message: expect.stringMatching(/"env:NAME" or "file:\/path".*never the secret itself/) as string,
      },
    ]);
    expect(withEmail({})).toEqual([
      { path: 'members[0].email', code: 'no_email_key', message: expect.stringContaining('keyId') as string },
    ]);
    // Keys named by neither keyId nor an entry of keys: the collector would hold none, and answer every click 400.
    expect(withEmail({ keys: {} })).toEqual([
      {
        path: 'members[0].email',
        code: 'no_email_key',
        message: expect.stringContaining("must name the Member's signing keys") as string,
      },
    ]);
    expect(withEmail({ keyId: 'hx-2026', keys: {} })).toEqual([]);
    expect(withEmail({ keyId: 'hx-2026', secret: 'c2VjcmV0' } as MemberEmail)).toEqual([
      {
        path: 'members[0].email.secret',
        code: 'unknown_field',
        message: expect.stringMatching(/is not a field of `email`.*never the secret itself/) as string,
      },
    ]);
  });

  it('refuses email keys two owners read from one place, as the collector refuses them at start', () => {
    const member = (id: string, org: string, email: MemberEmail) =>
      defineMember({ id, name: id, orgs: [org], trackers: [], email });
    const with_ = (...members: ReturnType<typeof member>[]) => validateConfig({ ...sampleConfig(), members });
    // One reference written for both.
    expect(
      with_(
        member('HarvardX', 'HarvardX', { keys: { 'hx-1': 'env:EMAIL_KEY' } }),
        member('MITx', 'MITx', { keys: { 'mit-1': 'env:EMAIL_KEY' } }),
      ),
    ).toEqual([
      {
        path: 'members[1].email.keys["mit-1"]',
        code: 'shared_email_key',
        message: expect.stringMatching(
          /read from env:EMAIL_KEY, as members\[0\]\.email\.keys\["hx-1"\]'s is/,
        ) as string,
      },
    ]);
    // Key ids that make one environment variable name: OPTIN_EMAIL_HARVARD_X_2026 for both.
    expect(
      with_(member('Harvard', 'HarvardX', { keyId: 'x-2026' }), member('Harvard.X', 'HX2', { keyId: '2026' })),
    ).toEqual([
      {
        path: 'members[1].email.keyId',
        code: 'shared_email_key',
        message: expect.stringMatching(
          /read from env:OPTIN_EMAIL_HARVARD_X_2026, as members\[0\]\.email\.keyId's is/,
        ) as string,
      },
    ]);
    // The platform's collector.email too, and a reference one Member gives twice is its own.
    expect(
      validateConfig({
        ...sampleConfig(),
        collector: { email: { keys: { 'p-1': 'env:EMAIL_KEY' } } },
        members: [member('HarvardX', 'HarvardX', { keys: { 'hx-1': 'env:EMAIL_KEY', 'hx-2': 'env:EMAIL_KEY' } })],
      }).map((i) => [i.path, i.code]),
    ).toEqual([['collector.email.keys["p-1"]', 'shared_email_key']]);
    expect(with_(member('HarvardX', 'HarvardX', { keyId: 'hx-1' }), member('MITx', 'MITx', { keyId: 'hx-1' }))).toEqual(
      [],
    );
  });

  it('reports a course run owned by two Members, whatever the case of its key, as it does an org', () => {
    const member = (id: string, orgs: string[], courses: string[]) =>
      defineMember({ id, name: id, orgs, courses, trackers: [] });
    const config = {
      ...sampleConfig(),
      members: [member('A', ['X'], ['course-v1:Z+C+R']), member('B', ['Y'], ['course-v1:z+c+R'])],
    };
    const issues = validateConfig(config);
    expect(issues).toEqual([
      { path: 'members[1].courses[0]', code: 'already_owned', message: expect.stringMatching(/already owned by A/) },
    ]);
    expect(() => defineConfig(config)).toThrow(MembersError);
    try {
      defineConfig(config);
    } catch (error) {
      expect((error as MembersError).code).toBe('invalid_config');
    }
  });

  it('says an org or course run a Member lists twice is a duplicate within that Member, not owned by another', () => {
    const config = {
      ...sampleConfig(),
      members: [
        defineMember({
          id: 'HarvardX',
          name: 'H',
          orgs: ['HarvardX', 'harvardx'],
          courses: ['course-v1:MITx+A+1', 'MITx/A/1'],
          trackers: [],
        }),
      ],
    };
    const issues = validateConfig(config);
    expect(issues.map((i) => [i.path, i.code])).toEqual([
      ['members[0].orgs[1]', 'already_owned'],
      ['members[0].courses[1]', 'already_owned'],
    ]);
    for (const { message } of issues) {
      expect(message).toMatch(/listed twice by this Member/);
      expect(message).not.toMatch(/already owned by|here or there/);
    }
  });

  it('refuses Member ids equal in capitals with punctuation as "_", or reading "platform"', () => {
    const member = (id: string, org: string) => defineMember({ id, name: id, orgs: [org], trackers: [] });
    const base = sampleConfig();
    const with_ = (...members: ReturnType<typeof member>[]) => validateConfig({ ...base, members });
    expect(with_(member('HarvardX', 'HarvardX'), member('harvardx', 'HX2'))).toEqual([
      {
        path: 'members[1].id',
        code: 'duplicate_id',
        message: expect.stringContaining('"harvardx" is taken by "HarvardX"') as string,
      },
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

  it('a read that throws (a getter, a Proxy) is a problem at its path, never a throw', () => {
    const base = sampleConfig();
    const m = base.members[0]!;
    const at = (config: unknown) => validateConfig(config).map((i) => `${i.path} [${i.code}]`);
    const getter = (name: string) => ({
      get() {
        throw new Error(name);
      },
      enumerable: true,
    });
    expect(at(Object.defineProperty({ ...base }, 'policy', getter('boom')))).toEqual(['policy [invalid_type]']);
    const proxy = new Proxy([], {
      get(target, key) {
        if (key === 'length') throw new Error('len');
        return Reflect.get(target, key) as unknown;
      },
    });
    expect(at({ ...base, members: proxy })).toEqual(['members [invalid_type]']);
    expect(
      at({ ...base, members: [Object.defineProperty({ ...m }, 'orgs', getter('orgs')), base.members[1]] }),
    ).toEqual(['members[0].orgs [invalid_type]']);
    const keys = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('keys');
        },
      },
    );
    expect(at({ ...base, platform: keys })).toEqual(['platform [invalid_type]']);
    expect(validateConfig({ ...base, members: [proxy] })[0]?.message).toMatch(/^could not be read \(Error: len\)/);
  });

  it('a list with a billion empty slots is reported in a few problems, at once', () => {
    const base = sampleConfig();
    const orgs = ['HarvardX'];
    orgs.length = 1e9;
    const started = performance.now();
    const issues = validateConfig({ ...base, members: [{ ...base.members[0]!, orgs }, base.members[1]] });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(issues.length).toBeLessThanOrEqual(11);
    expect(issues[0]).toMatchObject({ path: 'members[0].orgs[1]', code: 'empty_slot' });
    expect(issues.at(-1)).toMatchObject({ path: 'members[0].orgs', code: 'empty_slot' });
    expect(issues.at(-1)?.message).toMatch(/999,999,989 more empty slots/);
  });

  it('a value String() throws on (found by the property below) is reported with its path', () => {
    const base = sampleConfig();
    const m = base.members[0]!;
    const broken = {
      ...base,
      members: [{ ...m, trackers: [{ ...m.trackers[0]!, purposes: [{ toString: null }] }] }, ...base.members.slice(1)],
    };
    expect(paths(broken)).toContain('members[0].trackers[0].purposes[0]');
  });

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
