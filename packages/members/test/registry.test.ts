import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRegistry, validateConfig } from '../src/index.js';
import { sampleConfig } from './fixtures/config.js';

const ids = (trackers: readonly { id: string }[]) => trackers.map((t) => t.id);

describe('registry', () => {
  const registry = createRegistry(sampleConfig());

  it("gives a course the platform trackers plus its Member's, and no other Member's", () => {
    expect(ids(registry.trackersFor({ courseId: 'course-v1:HarvardX+CS50+2026_T1' }))).toEqual([
      'ga4',
      'meta',
      'HarvardX/matomo',
      'HarvardX/pixel',
    ]);
    expect(ids(registry.trackersFor({ orgId: 'mitx' }))).toEqual(['ga4', 'meta', 'MITx/matomo']);
    expect(ids(registry.trackersFor({ courseId: 'course-v1:edX+MIT101+2026' }))).toEqual([
      'ga4',
      'meta',
      'MITx/matomo',
    ]);
    expect(ids(registry.trackersFor({ courseId: 'course-v1:edX+DemoX+2026' }))).toEqual(['ga4', 'meta']);
    expect(ids(registry.trackersFor())).toEqual(['ga4', 'meta']);
    expect(ids(registry.trackersFor({ courseId: 'garbage' }))).toEqual(['ga4', 'meta']);
  });

  it('scopes a page by its URL', () => {
    const scope = registry.scopeFor('https://learning.edx.org/learning/course/course-v1:HarvardX+CS50+2026_T1/home');
    expect(scope.member?.id).toBe('HarvardX');
    expect(scope.course?.run).toBe('2026_T1');
    expect(registry.scopeFor('https://www.edx.org/').member).toBeNull();
  });

  it("scopes the learning MFE's course pages (/course/{key}/home, /preview/course/…) to the course's Member", () => {
    for (const path of [
      '/course/course-v1:HarvardX+CS50+X/home',
      '/course/course-v1:HarvardX+CS50+X/progress',
      '/preview/course/course-v1:HarvardX+CS50+X/block-v1:HarvardX+CS50+X+type@sequential+block@s1',
    ])
      expect(ids(registry.scopeFor(`https://learning.edx.org${path}`).trackers)).toEqual([
        'ga4',
        'meta',
        'HarvardX/matomo',
        'HarvardX/pixel',
      ]);
    // The discussions MFE's pages of a course (`/{key}/posts`) are that course's too.
    expect(ids(registry.scopeFor('https://discussions.edx.org/course-v1:HarvardX+CS50+X/posts').trackers)).toEqual([
      'ga4',
      'meta',
      'HarvardX/matomo',
      'HarvardX/pixel',
    ]);
    // An org that merely starts like a Member's is not that Member's; neither is a query string.
    expect(registry.scopeFor('https://learning.edx.org/course/course-v1:HarvardXtra+CS50+X/home').member).toBeNull();
    expect(registry.scopeFor('https://learning.edx.org/course/course-v1:MITx+6.00x+X/dates').member?.id).toBe('MITx');
    expect(registry.scopeFor('https://www.edx.org/?next=/course/course-v1:HarvardX+CS50+X/home').member).toBeNull();
  });

  it("gives a course run owned by a Member to that Member, however its key is written, not to its org's owner", () => {
    const base = sampleConfig();
    const config = {
      ...base,
      members: base.members.map((m) => (m.id === 'HarvardX' ? { ...m, courses: ['course-v1:MITx+Special+2026'] } : m)),
    };
    const scoped = createRegistry(config);
    for (const courseId of [
      'course-v1:MITx+Special+2026',
      'course-v1:mitx+Special+2026',
      'course-v1:MITX+SPECIAL+2026',
      'MITx/Special/2026', // the old form of the same run
      'mitx/special/2026',
    ])
      expect(scoped.memberFor({ courseId })?.id).toBe('HarvardX');
    expect(ids(scoped.trackersFor({ courseId: 'course-v1:mitx+special+2026' }))).not.toContain('MITx/matomo');
    expect(
      scoped.scopeFor('https://learning.edx.org/learning/course/course-v1:mitx+Special+2026/home').member?.id,
    ).toBe('HarvardX');
    expect(scoped.memberFor({ courseId: 'course-v1:mitx+Special+2027' })?.id).toBe('MITx');
  });

  it("reads a course key from a query string (spaces for +), with spaces around it, or a usage key, as its run; one still no key is no one's, whatever the org", () => {
    const base = sampleConfig();
    const config = {
      ...base,
      members: base.members.map((m) => (m.id === 'HarvardX' ? { ...m, courses: ['course-v1:MITx+Special+2026'] } : m)),
    };
    const scoped = createRegistry(config);
    for (const courseId of [
      new URLSearchParams('course_id=course-v1:MITx+Special+2026').get('course_id')!, // 'course-v1:MITx Special 2026'
      'course-v1:MITx+Special+2026 ',
      '\tcourse-v1:MITx+Special+2026\n',
      'block-v1:MITx+Special+2026+type@problem+block@q1',
      'block-v1:MITx Special 2026 type@problem block@q1',
    ])
      expect(scoped.memberFor({ courseId, orgId: 'MITx' })?.id, JSON.stringify(courseId)).toBe('HarvardX');
    for (const courseId of [
      'course-v1:MITx+Special',
      'course-v1:MITx  Special 2026',
      'MITx/Special 2026/x',
      'garbage',
      '',
    ])
      expect(scoped.memberFor({ courseId, orgId: 'MITx' }), JSON.stringify(courseId)).toBeNull();
    expect(ids(scoped.trackersFor({ courseId: 'course-v1:MITx+Special', orgId: 'MITx' }))).toEqual(['ga4', 'meta']);
    // No course given: the org decides.
    expect(scoped.memberFor({ courseId: null, orgId: 'MITx' })?.id).toBe('MITx');
    expect(scoped.memberFor({ orgId: 'MITx' })?.id).toBe('MITx');
  });

  it("gives a CCX to its org's Member only, never to a Member that owns its parent run under another org", () => {
    const base = sampleConfig();
    // HarvardX owns one MITx run; MITx owns one run of the edX org, which no Member owns.
    const config = {
      ...base,
      members: base.members.map((m) => (m.id === 'HarvardX' ? { ...m, courses: ['course-v1:MITx+Special+2026'] } : m)),
    };
    expect(validateConfig(config)).toEqual([]);
    const scoped = createRegistry(config);
    expect(scoped.memberFor({ courseId: 'ccx-v1:HarvardX+CS50+2026+ccx@3' })?.id).toBe('HarvardX');
    expect(scoped.memberFor({ courseId: 'ccx-v1:mitx+Special+2026+ccx@1' })?.id).toBe('MITx');
    expect(scoped.memberFor({ courseId: 'ccx-v1:edX+MIT101+2026+ccx@1' })).toBeNull();
    expect(scoped.memberFor({ courseId: 'ccx-block-v1:edX+MIT101+2026+ccx@1+type@problem+block@p' })).toBeNull();
    expect(ids(scoped.trackersFor({ courseId: 'ccx-v1:MITx+Special+2026+ccx@1' }))).toEqual([
      'ga4',
      'meta',
      'MITx/matomo',
    ]);
    const page = scoped.scopeFor('https://learning.edx.org/learning/course/ccx-v1:HarvardX+CS50+2026+ccx@3/home');
    expect(page.course?.id).toBe('ccx-v1:HarvardX+CS50+2026+ccx@3');
    expect(page.member?.id).toBe('HarvardX');
    // A versioned key is its run: the run's owner.
    expect(scoped.memberFor({ courseId: 'course-v1:MITx+Special+2026+branch@draft+version@abc' })?.id).toBe('HarvardX');
  });

  it('reads no course under a namespace in another case (`CCX-V1:`), as opaque-keys does: no Member is given it', () => {
    const scoped = createRegistry(sampleConfig());
    for (const courseId of [
      'CCX-V1:HarvardX+CS50+2026+ccx@3',
      'Ccx-v1:HarvardX+CS50+2026+ccx@3',
      'CCX-BLOCK-V1:HarvardX+CS50+2026+ccx@3+type@problem+block@p',
    ]) {
      expect(scoped.memberFor({ courseId }), courseId).toBeNull();
      expect(ids(scoped.trackersFor({ courseId })), courseId).toEqual(['ga4', 'meta']);
    }
    expect(scoped.scopeFor('https://learning.edx.org/learning/course/CCX-V1:HarvardX+CS50+2026+ccx@3/home').member).toBeNull();
  });

  it("scopes a key opaque-keys reads with a block after it to its course's Member, and one naming its course by a version alone to none", () => {
    const guid = '519665f6223ebd6980884f2b';
    const mitBlock = 'block-v1:MITx+6.00x+2026+type@sequential+block@s';
    const scope = (url: string) => registry.scopeFor(url).member?.id ?? null;
    expect(scope('https://courses.edx.org/courses/course-v1:HarvardX+CS50+2026+type@course+block@course/courseware')).toBe(
      'HarvardX',
    );
    expect(scope(`https://learning.edx.org/course/course-v1:HarvardX+CS50+2026+type@course+block@course/${mitBlock}`)).toBe(
      'HarvardX',
    );
    expect(scope(`https://learning.edx.org/course/course-v1:HarvardX+CS50+version@${guid}/${mitBlock}`)).toBeNull();
    expect(registry.memberFor({ courseId: 'course-v1:HarvardX+CS50+2026+type@course+block@course' })?.id).toBe('HarvardX');
    expect(registry.memberFor({ courseId: `course-v1:HarvardX+CS50+version@${guid}` })).toBeNull();
    expect(ids(registry.trackersFor({ courseId: `course-v1:version@${guid}` }))).toEqual(['ga4', 'meta']);
    // Nor may a Member own such a key: it names no run.
    const base = sampleConfig();
    const config = { ...base, members: [{ ...base.members[0]!, courses: [`course-v1:HarvardX+CS50+version@${guid}`] }] };
    expect(validateConfig(config)).toEqual([
      { path: 'members[0].courses[0]', code: 'invalid_course', message: expect.any(String) as string },
    ]);
  });

  it('refuses a CCX key among the course runs a Member owns: a CCX follows its org', () => {
    const base = sampleConfig();
    const config = { ...base, members: [{ ...base.members[0]!, courses: ['ccx-v1:MITx+Special+2026+ccx@1'] }] };
    expect(validateConfig(config)).toEqual([
      {
        path: 'members[0].courses[0]',
        code: 'ccx_course',
        message: expect.stringMatching(/is a CCX.*its org's Member/) as string,
      },
    ]);
  });

  it('owns courses of an org written in any script, case-insensitively', () => {
    const base = sampleConfig();
    const config = { ...base, members: [{ ...base.members[0]!, orgs: ['UniversitéX'] }] };
    expect(validateConfig(config)).toEqual([]);
    const scoped = createRegistry(config);
    expect(scoped.memberFor({ courseId: 'course-v1:UNIVERSITÉX+Économie+2026' })?.id).toBe('HarvardX');
    expect(
      scoped.scopeFor('https://learning.edx.org/course/course-v1:Universit%C3%A9X+%C3%89conomie+2026/home').member?.id,
    ).toBe('HarvardX');
  });

  it('folds only letters whose lower case maps back to them: the Kelvin sign is not K, nor İ an i', () => {
    const base = sampleConfig();
    const config = { ...base, members: [{ ...base.members[0]!, orgs: ['KTHx', 'iX'] }] };
    const scoped = createRegistry(config);
    expect(scoped.memberFor({ courseId: 'course-v1:kthx+A+B' })?.id).toBe('HarvardX');
    // A Greek org is one org in capitals or not, its final sigma too.
    const greek = createRegistry({ ...base, members: [{ ...base.members[0]!, orgs: ['ΟΔΟΣ'] }] });
    expect(greek.memberFor({ courseId: 'course-v1:οδος+A+B' })?.id).toBe('HarvardX');
    for (const id of ['course-v1:\u212ATHx+A+B', 'course-v1:\u0130X+A+B', '\u212ATHx/A/B'])
      expect(scoped.memberFor({ courseId: id }), id).toBeNull();
    expect(scoped.memberFor({ orgId: '\u212ATHx' })).toBeNull();
    expect(scoped.scopeFor('https://learning.edx.org/course/course-v1:%E2%84%AATHx+A+B/home').member).toBeNull();
    // Nor is a course run owned under `courses` its Kelvin-sign twin.
    const runs = createRegistry({ ...base, members: [{ ...base.members[0]!, courses: ['course-v1:MITx+K1+2026'] }] });
    expect(runs.memberFor({ courseId: 'course-v1:MITx+k1+2026' })?.id).toBe('HarvardX');
    expect(runs.memberFor({ courseId: 'course-v1:MITx+\u212A1+2026' })).toBeNull();
    // And validateConfig sees two orgs there, as the registry does.
    expect(
      validateConfig({
        ...base,
        members: [
          { id: 'K1', name: 'K1', orgs: ['\u212AX'], trackers: [] },
          { id: 'K2', name: 'K2', orgs: ['kx'], trackers: [] },
        ],
      }),
    ).toEqual([]);
  });

  it("trackersFor never returns another Member's tracker, whatever it is asked", () => {
    const orgs = ['HarvardX', 'harvardx', 'MITx', 'edX', 'Other', ''];
    const where = fc.record(
      {
        courseId: fc.oneof(
          fc.string(),
          fc
            .tuple(fc.constantFrom(...orgs), fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }))
            .map(([o, c, r]) => `course-v1:${o}+${c}+${r}`),
          fc.constant('course-v1:edX+MIT101+2026'),
          fc
            .tuple(fc.constantFrom(...orgs, 'edX'), fc.constantFrom('MIT101', 'CS50', 'x'), fc.nat(9))
            .map(([o, c, n]) => `ccx-v1:${o}+${c}+2026+ccx@${n}`),
        ),
        orgId: fc.oneof(fc.string(), fc.constantFrom(...orgs)),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(where, (w) => {
        const owner = registry.memberFor(w);
        for (const t of registry.trackersFor(w)) expect([owner?.id ?? 'platform', 'platform']).toContain(t.owner);
      }),
      { numRuns: 3000 },
    );
  });
});
