import { describe, expect, it } from 'vitest';
import { edxPolicy } from '@optin/consent';
import { defineTracker } from '@optin/trackers';
import { ga4 } from '@optin/trackers/ga4';
import { hotjar } from '@optin/trackers/hotjar';
import { meta } from '@optin/trackers/meta';
import { defineMember, validateConfig, type Member, type MemberInput } from '../src/index.js';
import { sampleConfig } from './fixtures/config.js';

// What a course team writes by mistake, as a config file written in JavaScript passes it.
const loose = defineMember as (input: unknown) => Member;
const member = (i: number, trackers: MemberInput['trackers'] = []) =>
  defineMember({ id: `M${i}`, name: `Member ${i}`, orgs: [`Org${i}`], trackers });
const withMembers = (...members: unknown[]) => validateConfig({ ...sampleConfig(), members });
const shown = (issues: readonly { path: string; code: string }[]) => issues.map((i) => `${i.path} [${i.code}]`);

describe('a Member written wrongly is reported, never dropped', () => {
  it('reports trackers given as one tracker, a name or an object of trackers, rather than dropping them', () => {
    const hx = ga4({ id: 'G-HX0001', cookiePrefix: 'hx' });
    for (const trackers of [hx, 'ga4', { ga4: hx }])
      expect(
        withMembers(loose({ id: 'HarvardX', name: 'Harvard University', orgs: ['HarvardX'], trackers })),
        JSON.stringify(trackers),
      ).toEqual([{ path: 'members[0].trackers', code: 'invalid_type', message: 'must be a list of trackers' }]);
    // Left out, they are none.
    expect(withMembers(defineMember({ id: 'HarvardX', name: 'Harvard University', orgs: ['HarvardX'] }))).toEqual([]);
  });

  it('reports a Member that is not an object (undefined, a bare id) at its place in the list', () => {
    expect(() => loose(undefined)).not.toThrow();
    for (const bad of [undefined, 'MITx', null, ['MITx']])
      expect(shown(withMembers(member(0), loose(bad))), JSON.stringify(bad)).toEqual(['members[1] [invalid_type]']);
  });
});

describe('cookie collisions between Members', () => {
  it('reports a collision at the later Member by position, with ten Members or more too', () => {
    for (const [first, later] of [
      [2, 10],
      [2, 9],
      [9, 11],
    ] as const) {
      const members = Array.from({ length: 12 }, (_, i) =>
        member(i, i === first || i === later ? [meta({ id: String(100 + i) })] : []),
      );
      const collisions = validateConfig({
        policy: edxPolicy,
        platform: { trackers: [ga4({ id: 'G-EDX0001' })] },
        members,
      });
      expect(
        collisions.map((i) => i.path),
        `${first} and ${later}`,
      ).toEqual([0, 1, 2].map((c) => `members[${later}].trackers[0].cookies[${c}].name`));
      expect(collisions[0]?.message).toContain(
        `Member M${first}'s _fbp (members[${first}].trackers[0].cookies[0].name)`,
      );
    }
  });

  it('reports each Member cookie once, against the first owner it collides with', () => {
    // Hotjar's cookie names are fixed: every Member after the first collides with it (and with each other).
    const members = Array.from({ length: 6 }, (_, i) => member(i, [hotjar({ siteId: 1000 + i })]));
    const collisions = validateConfig({ policy: edxPolicy, platform: { trackers: [] }, members });
    expect(collisions.every((i) => i.code === 'cookie_collision')).toBe(true);
    const paths = collisions.map((i) => i.path);
    expect(new Set(paths).size).toBe(paths.length);
    // Its three families of fixed names, for each of the five later Members.
    expect(paths.length).toBe(5 * 3);
    expect(paths.every((p) => !p.startsWith('members[0]'))).toBe(true);
    expect(collisions.every((i) => i.message.includes("Member M0's"))).toBe(true);
  });
});

describe('vendor ids', () => {
  it('reports a vendor id another owner uses, at the later tracker, naming the first', () => {
    const issues = validateConfig({
      policy: edxPolicy,
      platform: { trackers: [ga4({ id: 'G-EDX0001' })] },
      members: [
        defineMember({
          id: 'HarvardX',
          name: 'Harvard University',
          orgs: ['HarvardX'],
          trackers: [ga4({ id: 'G-EDX0001', cookiePrefix: 'hx' })],
        }),
        defineMember({
          id: 'MITx',
          name: 'MIT',
          orgs: ['MITx'],
          trackers: [ga4({ id: 'G-EDX0001', cookiePrefix: 'mit' })],
        }),
      ],
    });
    expect(shown(issues)).toEqual([
      'members[0].trackers[0].vendorId [duplicate_id]',
      'members[1].trackers[0].vendorId [duplicate_id]',
    ]);
    expect(issues[1]?.message).toMatch(
      /^"G-EDX0001" is also the vendor id of platform\.trackers\[0\] \(the platform's\)/,
    );
  });

  it('compares GA4 and GTM ids as `optin audit` reads them: trimmed, in capitals', () => {
    // A custom tracker may write the id in another case, or with a space: the audit reads `tid=g-edx0001` as G-EDX0001.
    for (const vendorId of ['g-edx0001', ' G-EDX0001 ', 'G-edx0001'])
      expect(
        shown(
          withMembers(
            defineMember({
              id: 'HarvardX',
              name: 'Harvard University',
              orgs: ['HarvardX'],
              trackers: [{ ...ga4({ id: 'G-HX0001', cookiePrefix: 'hx' }), vendorId }],
            }),
          ),
        ),
        JSON.stringify(vendorId),
      ).toEqual(['members[0].trackers[0].vendorId [duplicate_id]']);
    const gtm = (owner: string, vendorId: string) =>
      defineTracker({
        id: 'gtm',
        owner,
        purposes: ['analytics'],
        party: 'third',
        vendor: { name: 'Google Tag Manager', privacyUrl: 'https://policies.google.com/privacy' },
        cookies: [],
        hosts: ['www.googletagmanager.com'],
        vendorId,
      });
    expect(
      shown(
        validateConfig({
          policy: edxPolicy,
          platform: { trackers: [gtm('platform', 'GTM-EDX1')] },
          members: [member(0, [gtm('M0', 'gtm-edx1')])],
        }),
      ),
    ).toEqual(['members[0].trackers[0].vendorId [duplicate_id]']);
  });

  it('keeps ids the audit compares exactly apart when only their case differs (Segment write keys)', () => {
    const segment = (owner: string, vendorId: string) =>
      defineTracker({
        id: 'segment',
        owner,
        purposes: ['analytics'],
        party: 'third',
        vendor: { name: 'Segment', privacyUrl: 'https://segment.com/legal/privacy/' },
        cookies: [],
        hosts: ['cdn.segment.com', 'api.segment.io'],
        vendorId,
      });
    expect(
      validateConfig({
        policy: edxPolicy,
        platform: { trackers: [segment('platform', 'AbC123')] },
        members: [member(0, [segment('M0', 'abc123')])],
      }),
    ).toEqual([]);
  });

  it("keeps equal ids of different vendors (a Meta pixel and a Hotjar site), and one owner's own", () => {
    expect(
      validateConfig({
        policy: edxPolicy,
        platform: { trackers: [meta({ id: '1000' })] },
        members: [member(0, [hotjar({ siteId: 1000 })])],
      }),
    ).toEqual([]);
    // Both the platform's: the audit gives their traffic to the same owner.
    expect(
      validateConfig({
        policy: edxPolicy,
        platform: { trackers: [ga4({ id: 'G-EDX0001' }), ga4({ id: 'G-EDX0001', trackerId: 'ga4-b' })] },
        members: [],
      }),
    ).toEqual([]);
  });
});

describe('names learners read show something', () => {
  // Spaces, zero-width characters, and the letter and symbol that render blank (a Hangul filler, a blank Braille pattern).
  const invisible = ['   ', ' \u200b', '\u200b', '\u00a0', '\u3164', '\u2800', '\u200d\ufe0f'];
  const tracker = (name: string) =>
    defineTracker({
      id: 'x',
      owner: 'platform',
      purposes: ['analytics'],
      party: 'third',
      vendor: { name, privacyUrl: 'https://x.example/p' },
      cookies: [],
      hosts: ['x.example'],
    });

  it('reports a blank vendor name', () => {
    for (const name of invisible)
      expect(
        validateConfig({
          ...sampleConfig(),
          platform: { trackers: [{ ...tracker('X'), vendor: { name, privacyUrl: 'https://x.example/p' } }] },
        }),
        JSON.stringify(name),
      ).toEqual([
        {
          path: 'platform.trackers[0].vendor.name',
          code: 'required',
          message: expect.stringMatching(/a letter, digit or symbol/) as string,
        },
      ]);
  });

  it("reports a purpose's blank label and description", () => {
    for (const blank of invisible) {
      const policy = {
        ...edxPolicy,
        purposes: edxPolicy.purposes.map((p, i) => (i === 1 ? { ...p, label: blank, description: blank } : p)),
      };
      expect(shown(validateConfig({ ...sampleConfig(), policy })), JSON.stringify(blank)).toEqual([
        'policy.purposes[1].label [required]',
        'policy.purposes[1].description [required]',
      ]);
    }
  });

  it("reports a Member's blank name", () => {
    for (const name of invisible)
      expect(
        shown(withMembers(defineMember({ id: 'HarvardX', name, orgs: ['HarvardX'], trackers: [] }))),
        JSON.stringify(name),
      ).toEqual(['members[0].name [required]']);
    // Any script's letters are a name.
    expect(withMembers(defineMember({ id: 'Tsinghua', name: '清华大学', orgs: ['TsinghuaX'], trackers: [] }))).toEqual(
      [],
    );
  });

  it('takes a name, a vendor name or a label of an emoji or symbols alone: they show', () => {
    for (const name of ['🎓', '❤️', '👩‍🎓', '★', '&'])
      expect(
        withMembers(
          defineMember({
            id: 'HarvardX',
            name,
            orgs: ['HarvardX'],
            trackers: [{ ...tracker('X'), owner: 'HarvardX', vendor: { name, privacyUrl: 'https://x.example/p' } }],
          }),
        ),
        JSON.stringify(name),
      ).toEqual([]);
    const policy = { ...edxPolicy, purposes: edxPolicy.purposes.map((p, i) => (i === 1 ? { ...p, label: '📊' } : p)) };
    expect(validateConfig({ ...sampleConfig(), policy })).toEqual([]);
  });
});

describe('a value in the wrong form is shown in its problem', () => {
  // Whitespace and lookalikes are invisible in a message: the value is shown quoted, non-ASCII as \uXXXX.
  it('shows the id, org, host or cookie name it got', () => {
    const base = sampleConfig();
    const [hx] = base.members as [Member];
    const tracker = base.platform.trackers[0]!;
    const issues = validateConfig({
      ...base,
      platform: {
        trackers: [
          {
            ...tracker,
            hosts: ['www.googletagmanager.com\u200b'],
            cookies: [{ ...tracker.cookies[0]!, name: '_ga ' }],
          },
        ],
      },
      members: [{ ...hx, id: 'Harvard\u00a0X', orgs: ['Harvard X'] }],
    });
    const byPath = Object.fromEntries(issues.map((i) => [`${i.path} [${i.code}]`, i.message]));
    expect(byPath['platform.trackers[0].hosts[0] [invalid_host]']).toMatch(
      / \(got "www\.googletagmanager\.com\\u200b"\)$/,
    );
    expect(byPath['platform.trackers[0].cookies[0].name [invalid_cookie_name]']).toMatch(/ \(got "_ga "\)$/);
    expect(byPath['members[0].id [invalid_id]']).toMatch(/ \(got "Harvard\\u00a0X"\)$/);
    expect(byPath['members[0].orgs[0] [invalid_org]']).toMatch(/ \(got "Harvard X"\)$/);
  });

  it('never shows a secret given where its reference belongs', () => {
    const [hx] = sampleConfig().members as [Member];
    const issues = withMembers({
      ...hx,
      tokenRef: 's3cr3t-token',
      email: { keys: { 'hx-2026': 's3cr3t-key', 'hx]2025': 's3cr3t-old' } },
    });
    expect(shown(issues)).toEqual([
      'members[0].email.keys["hx-2026"] [invalid_secret_ref]',
      // A key id not in its form may be a secret: named by its position, as @optin/collector names it.
      'members[0].email.keys[1] [invalid_key_id]',
      'members[0].tokenRef [invalid_secret_ref]',
    ]);
    expect(JSON.stringify(issues)).not.toContain('s3cr3t');
  });

  // A base64 secret and a hex one, as `openssl rand` prints them.
  const secrets = [
    'c2VjcmV0LXNpZ25pbmcta2V5LTEyMzQ1Njc4OTAhQCM+/=',
    'a3f1c9e07b5d42e8a3f1c9e07b5d42e8a3f1c9e07b5d42e8',
  ];
  const withEmail = (email: unknown) => {
    const [hx] = sampleConfig().members as [Member];
    return withMembers({ ...hx, email });
  };
  const leaks = (issues: readonly object[], secret: string) =>
    [secret, secret.slice(0, 12), secret.slice(-12)].some((s) => JSON.stringify(issues).includes(s));

  it('never shows a secret typed into email.keyId', () => {
    const issues = withEmail({ keyId: secrets[0] });
    expect(issues).toEqual([
      {
        path: 'members[0].email.keyId',
        code: 'invalid_key_id',
        message: expect.stringContaining('not shown') as string,
      },
    ]);
    expect(leaks(issues, secrets[0]!)).toBe(false);
    // A key id with a space or a lookalike is not shown either: it may be a secret.
    expect(JSON.stringify(withEmail({ keyId: 'hx 2026' }))).not.toContain('hx 2026');
  });

  it('names a key of email.keys whose id may be a secret by its position, never by its id', () => {
    // The map written the wrong way round: the secret as the key id.
    for (const secret of secrets) {
      const issues = withEmail({ keys: { 'hx-2025': 'env:HX_2025', [secret]: 'hx-2026' } });
      expect(shown(issues), secret).toEqual([
        `members[0].email.keys[1] [${secret === secrets[0] ? 'invalid_key_id' : 'invalid_secret_ref'}]`,
      ]);
      expect(issues[0]?.message).toMatch(/the 2nd key/);
      expect(leaks(issues, secret)).toBe(false);
    }
    // A short key id is named by itself, as the collector names it.
    expect(shown(withEmail({ keys: { 'hx-2026': 'hx-2026-secret' } }))).toEqual([
      'members[0].email.keys["hx-2026"] [invalid_secret_ref]',
    ]);
  });
});
