import { edxPolicy } from '@optin/consent';
import { describe, expect, it } from 'vitest';
import { parseCollectorConfig } from '../src/collector-config.js';
import { courseRunMatch, createMemberResolver, readCourseKey } from '../src/course-owner.js';
import type { SegmentMessage } from '../src/segment-schema.js';
import { backends, getJson, mid, postJson, testConfig, tokens, useCollector } from './helpers.js';

// HarvardX owns its org and one run under MITx's org (members' `courses`, as @optin/members has it).
const members = [
  { id: 'HarvardX', orgs: ['HarvardX'], courses: ['course-v1:MITx+Special+2026'] },
  { id: 'MITx', orgs: ['MITx'] },
];
const memberOf = createMemberResolver(members);
const message = (course: { id?: string; org?: string }): SegmentMessage => ({
  type: 'page',
  anonymousId: 'a',
  context: { course },
});

describe('which Member owns a message (as @optin/members registry.memberFor decides)', () => {
  it('a course run a Member owns under another org is that Member’s, whatever its letter case', () => {
    expect(memberOf(message({ id: 'course-v1:MITx+Special+2026', org: 'MITx' }))).toBe('HarvardX');
    expect(memberOf(message({ id: 'course-v1:mitx+special+2026' }))).toBe('HarvardX');
    expect(memberOf(message({ id: 'MITx/Special/2026' }))).toBe('HarvardX');
    expect(memberOf(message({ id: 'block-v1:MITx+Special+2026+type@problem+block@q1' }))).toBe('HarvardX');
    expect(memberOf(message({ id: 'course-v1:MITx+Other+2026', org: 'MITx' }))).toBe('MITx');
  });

  it('orgs match in any letter case, and only whole orgs (HarvardXPlus is not HarvardX)', () => {
    expect(memberOf(message({ id: 'course-v1:harvardx+CS50+2026' }))).toBe('HarvardX');
    expect(memberOf(message({ org: 'HARVARDX' }))).toBe('HarvardX');
    expect(memberOf(message({ id: 'course-v1:HarvardXPlus+CS50+2026' }))).toBeUndefined();
    expect(memberOf(message({ id: 'course-v1:Harvard+X+CS50+2026' }))).toBeUndefined();
  });

  it('keys and orgs in any script are owned as @optin/members owns them, in any letter case', () => {
    const resolve = createMemberResolver([
      { id: 'UniversiteX', orgs: ['UniversitéX'] },
      { id: 'Tsinghua', orgs: ['清华大学X'] },
    ]);
    expect(resolve(message({ id: 'course-v1:UniversitéX+Économie101+2026' }))).toBe('UniversiteX');
    expect(resolve(message({ id: 'course-v1:universitéx+Économie101+2026' }))).toBe('UniversiteX');
    expect(resolve(message({ id: 'block-v1:清华大学X+数据结构+2026+type@problem+block@q1' }))).toBe('Tsinghua');
  });

  it('folds only letters whose lower case maps back to them, as @optin/members does: the Kelvin sign is not K', () => {
    const resolve = createMemberResolver([{ id: 'KTHx', orgs: ['KTHx'], courses: ['course-v1:MITx+K1+2026'] }]);
    expect(resolve(message({ id: 'course-v1:kthx+A+B' }))).toBe('KTHx');
    expect(resolve(message({ id: 'course-v1:\u212ATHx+A+B' }))).toBeUndefined();
    expect(resolve(message({ org: '\u212ATHx' }))).toBeUndefined();
    expect(resolve(message({ id: 'course-v1:MITx+\u212A1+2026' }))).toBeUndefined();
    expect(resolve(message({ id: 'course-v1:mitx+k1+2026' }))).toBe('KTHx');
    // A Member of an @optin/members config that owns single runs only (no `orgs`), passed as it is.
    expect(createMemberResolver([{ id: 'R', courses: ['course-v1:MITx+K1+2026'] }])(message({ id: 'course-v1:MITx+K1+2026' }))).toBe('R');
    // A Greek org is one org in capitals or not, its final sigma too.
    expect(createMemberResolver([{ id: 'G', orgs: ['ΟΔΟΣ'] }])(message({ id: 'course-v1:οδος+A+B' }))).toBe('G');
    // Two Members with those orgs are two owners, not a clash.
    expect(() =>
      parseCollectorConfig({
        policy: edxPolicy,
        members: [
          { id: 'A', orgs: ['KX'] },
          { id: 'B', orgs: ['\u212AX'] },
        ],
      }),
    ).not.toThrow();
  });

  it('a Member may own single course runs only, as @optin/members allows; owning nothing is refused', () => {
    const config = parseCollectorConfig({
      policy: edxPolicy,
      members: [
        { id: 'HarvardX', orgs: [], courses: ['course-v1:MITx+Special+2026'] },
        { id: 'MITx', orgs: ['MITx'] },
      ],
    });
    expect(createMemberResolver(config.members)(message({ id: 'course-v1:MITx+Special+2026' }))).toBe('HarvardX');
    // No `orgs` at all, as @optin/members takes it too.
    const runsOnly = parseCollectorConfig({
      policy: edxPolicy,
      members: [{ id: 'R', courses: ['course-v1:MITx+R+2026'] }],
    });
    expect(createMemberResolver(runsOnly.members)(message({ id: 'course-v1:MITx+R+2026' }))).toBe('R');
    expect(() => parseCollectorConfig({ policy: edxPolicy, members: [{ id: 'A', orgs: [], courses: [] }] })).toThrow(
      /members\[0\]\.orgs: a Member owns at least one org or course run/,
    );
  });

  it('the course key decides over a contradicting org', () => {
    expect(memberOf(message({ id: 'course-v1:MITx+6.00x+2026', org: 'HarvardX' }))).toBe('MITx');
  });

  it('a course id that is no key is no one’s, whatever its org says', () => {
    expect(memberOf(message({ id: 'course-v1:MITx  Special 2026', org: 'MITx' }))).toBeUndefined();
    expect(memberOf(message({ id: 'CS50', org: 'HarvardX' }))).toBeUndefined();
    expect(memberOf(message({ org: 'MITx' }))).toBe('MITx');
  });
});

describe('CCX and versioned keys, read as @optin/members reads them', () => {
  it("gives a CCX to its org's Member only, never to the Member that owns the run it is built on", () => {
    // HarvardX owns MITx's Special run: its CCX is still MITx's, as are the CCX's blocks.
    expect(memberOf(message({ id: 'course-v1:MITx+Special+2026' }))).toBe('HarvardX');
    expect(memberOf(message({ id: 'ccx-v1:MITx+Special+2026+ccx@3', org: 'MITx' }))).toBe('MITx');
    expect(memberOf(message({ id: 'ccx-v1:mitx+special+2026+ccx@3' }))).toBe('MITx');
    expect(memberOf(message({ id: 'ccx-block-v1:MITx+Special+2026+ccx@3+type@problem+block@q1' }))).toBe('MITx');
    expect(memberOf(message({ id: 'ccx-v1:HarvardX+CS50+2026+ccx@1', org: 'MITx' }))).toBe('HarvardX');
    // A CCX of an org no Member owns is no Member's, whatever its org says.
    expect(memberOf(message({ id: 'ccx-v1:edX+MIT101+2026+ccx@1', org: 'HarvardX' }))).toBeUndefined();
  });

  it('reads a branch or version after a run as that run, stored without them', () => {
    expect(memberOf(message({ id: 'course-v1:MITx+Special+2026+branch@draft+version@abc' }))).toBe('HarvardX');
    expect(memberOf(message({ id: 'block-v1:MITx+Special+2026+version@5f0c+type@html+block@h' }))).toBe('HarvardX');
    expect(memberOf(message({ id: 'course-v1:MITx+Other+2026+branch@published-branch' }))).toBe('MITx');
    expect(readCourseKey('course-v1:MITx+Special+2026+branch@draft+version@abc')).toEqual({
      key: 'course-v1:MITx+Special+2026',
      run: { org: 'MITx', course: 'Special', run: '2026' },
      ccx: null,
    });
    expect(readCourseKey('block-v1:MITx Special 2026 branch@draft type@html block@h')?.key).toBe(
      'block-v1:MITx+Special+2026+type@html+block@h',
    );
  });

  it('keeps a CCX key as itself, with the org, course and run of its parent course', () => {
    expect(readCourseKey(' ccx-v1:MITx Special 2026 branch@draft ccx@3')).toEqual({
      key: 'ccx-v1:MITx+Special+2026+ccx@3',
      run: { org: 'MITx', course: 'Special', run: '2026' },
      ccx: '3',
    });
    expect(readCourseKey('ccx-block-v1:HarvardX+CS50+2026+ccx@1+type@problem+block@p')).toEqual({
      key: 'ccx-block-v1:HarvardX+CS50+2026+ccx@1+type@problem+block@p',
      run: { org: 'HarvardX', course: 'CS50', run: '2026' },
      ccx: '1',
    });
  });

  it('reads a course key with a block after it as that course, and a CCX prefix in any case, as @optin/members does', () => {
    expect(memberOf(message({ id: 'course-v1:HarvardX+CS50+2026+type@course+block@course', org: 'MITx' }))).toBe(
      'HarvardX',
    );
    expect(memberOf(message({ id: 'course-v1:MITx+Special+2026+branch@draft+version@abc+type@course+block@course' }))).toBe(
      'HarvardX',
    );
    expect(memberOf(message({ id: 'course-v1:MITx+Special+2026+block@course' }))).toBe('HarvardX');
    expect(readCourseKey('course-v1:HarvardX+CS50+2026+type@course+block@course')).toEqual({
      key: 'course-v1:HarvardX+CS50+2026',
      run: { org: 'HarvardX', course: 'CS50', run: '2026' },
      ccx: null,
    });
    expect(memberOf(message({ id: 'ccx-v1:MITx+Special+2026+CCX@3' }))).toBe('MITx');
    expect(readCourseKey('ccx-block-v1:MITx+Special+2026+CCX@3+TYPE@problem+Block@p')?.key).toBe(
      'ccx-block-v1:MITx+Special+2026+ccx@3+type@problem+block@p',
    );
    // A block goes after the run, type first; a usage key still needs both.
    for (const id of [
      'course-v1:HarvardX+CS50+2026+block@b+type@course',
      'course-v1:HarvardX+CS50+type@course+block@course',
      'block-v1:HarvardX+CS50+2026+type@problem',
    ])
      expect(memberOf(message({ id, org: 'HarvardX' })), id).toBeUndefined();
  });

  it('gives a key naming its course by a version alone (no run) to no Member: the LMS never checks the org written', () => {
    const guid = '519665f6223ebd6980884f2b';
    for (const id of [
      `course-v1:HarvardX+CS50+version@${guid}`,
      `course-v1:HarvardX+CS50+branch@draft+version@${guid.toUpperCase()}+type@course+block@course`,
      `course-v1:version@${guid}`,
    ]) {
      expect(readCourseKey(id), id).toEqual({
        key: `course-v1:version@${guid}`,
        run: { org: '', course: '', run: '' },
        ccx: null,
      });
      expect(memberOf(message({ id, org: 'HarvardX' })), id).toBeUndefined();
    }
    expect(readCourseKey(`block-v1:MITx+Special+version@${guid}+type@problem+block@p`)?.key).toBe(
      `block-v1:version@${guid}+type@problem+block@p`,
    );
    expect(memberOf(message({ id: `block-v1:MITx+Special+version@${guid}+type@problem+block@p` }))).toBeUndefined();
    expect(memberOf(message({ id: `ccx-v1:MITx+Special+version@${guid}+ccx@3`, org: 'MITx' }))).toBeUndefined();
    // A course filter of such a key finds that version's events, never a run's (`++`) or an old key's.
    expect(courseRunMatch(`course-v1:HarvardX+CS50+version@${guid}`)).toEqual({
      legacy: null,
      keyPrefix: 'course-v1:',
      rest: `version@${guid}`,
      blockPrefix: 'block-v1:',
      blockStart: `version@${guid}+type@`,
    });
    expect(courseRunMatch(`ccx-v1:version@${guid}+ccx@3`)?.rest).toBe(`version@${guid}+ccx@3`);
    // A version there is an ObjectId (24 hex digits), and a branch alone names no course.
    for (const id of ['course-v1:HarvardX+CS50+version@abc', 'course-v1:HarvardX+CS50+branch@draft'])
      expect(readCourseKey(id), id).toBeUndefined();
  });

  it('reads a malformed CCX or versioned key as no key: no Member’s', () => {
    for (const id of [
      'ccx-v1:MITx+Special+2026',
      'ccx-v1:MITx+Special+2026+ccx@x3',
      'course-v1:MITx+Special+2026+ccx@3',
      'ccx-block-v1:MITx+Special+2026+type@problem+block@q1',
      'block-v1:MITx+Special+2026+ccx@3+type@problem+block@q1',
      'course-v1:MITx+Special+2026+version@xyz',
      'course-v1:MITx+Special+2026+version@abc+branch@draft',
    ]) {
      expect(readCourseKey(id), id).toBeUndefined();
      expect(memberOf(message({ id, org: 'MITx' })), id).toBeUndefined();
    }
  });

  it('reads namespaces exactly, as opaque-keys does: a `CCX-V1:` id is no key, its events the platform’s', () => {
    for (const id of [
      'CCX-V1:MITx+Special+2026+ccx@3',
      'Ccx-v1:MITx+Special+2026+ccx@3',
      'CCX-BLOCK-V1:MITx+Special+2026+ccx@3+type@problem+block@p',
    ]) {
      expect(readCourseKey(id), id).toBeUndefined();
      expect(courseRunMatch(id), id).toBeUndefined();
      expect(memberOf(message({ id, org: 'MITx' })), id).toBeUndefined();
    }
  });
});

// What `createRegistry(config).memberFor({ courseId, orgId })` of @optin/members answers for these
// Members, as run on its source (the collector does not depend on @optin/members, so the answers are
// written out): `courseId` trimmed, its spaces read as `+`, a `block-v1:` or `ccx-block-v1:` key as its
// course, a CCX (`ccx-v1:`) by its org only, a `+branch@…`/`+version@…` left out, and a `courseId` given
// that is still no key is no one's, whatever `orgId` says.
const registryMembers = [
  { id: 'HarvardX', orgs: ['HarvardX', 'UniversitéX'], courses: ['course-v1:MITx+Special+2026', 'MITx/Legacy/2012'] },
  { id: 'MITx', orgs: ['MITx'] },
  { id: 'Tsinghua', orgs: ['清华大学X'] },
];
const memberForAnswers: [courseId: string | undefined, orgId: string | undefined, member: string | null][] = [
  ['course-v1:MITx+Special+2026', undefined, 'HarvardX'],
  ['course-v1:MITx Special 2026', undefined, 'HarvardX'],
  ['course-v1:MITx Special 2026', 'MITx', 'HarvardX'],
  ['course-v1:MITx+Special+2026 ', 'MITx', 'HarvardX'],
  [' course-v1:MITx+Special+2026', undefined, 'HarvardX'],
  ['\tcourse-v1:MITx+Special+2026\n', undefined, 'HarvardX'],
  ['course-v1:MITx+Special 2026', undefined, 'HarvardX'],
  ['course-v1:MITx  Special 2026', 'MITx', null],
  ['course-v1:MITx+Special+2026\u00a0', undefined, 'HarvardX'],
  ['course-v1:MITx\u00a0Special\u00a02026', 'MITx', null],
  ['course-v1:mitx+special+2026', undefined, 'HarvardX'],
  ['COURSE-V1:MITx+Special+2026', 'MITx', null],
  ['course-v1:MITx+Other+2026', 'HarvardX', 'MITx'],
  ['course-v1:MITx Other 2026', undefined, 'MITx'],
  ['block-v1:MITx+Special+2026+type@problem+block@q1', undefined, 'HarvardX'],
  ['block-v1:MITx Special 2026 type@problem block@q1', 'MITx', 'HarvardX'],
  ['block-v1:MITx+Special+2026+type@problem+block@q1 ', undefined, 'HarvardX'],
  ['block-v1:MITx+Special+2026', 'MITx', null],
  ['MITx/Special/2026', undefined, 'HarvardX'],
  ['mitx/special/2026', 'MITx', 'HarvardX'],
  ['MITx/Legacy/2012', 'MITx', 'HarvardX'],
  ['course-v1:MITx+Legacy+2012', 'MITx', 'HarvardX'],
  ['MITx/Special 2026/x', 'MITx', null],
  ['HarvardX/CS50', 'HarvardX', null],
  ['course-v1:HarvardX CS50 2026', undefined, 'HarvardX'],
  ['course-v1:harvardx+CS50+2026_T1', undefined, 'HarvardX'],
  ['course-v1:HarvardXPlus+CS50+2026', 'HarvardX', null],
  ['course-v1:Harvard+X+CS50+2026', 'HarvardX', null],
  ['course-v1:UniversitéX+Économie101+2026', undefined, 'HarvardX'],
  ['course-v1:UNIVERSITÉX Économie101 2026', undefined, 'HarvardX'],
  ['block-v1:清华大学X+数据结构+2026+type@problem+block@q1', undefined, 'Tsinghua'],
  ['course-v1:清华大学X 数据结构 2026', 'MITx', 'Tsinghua'],
  ['course-v1:MITx+6.00x+2026', 'HarvardX', 'MITx'],
  ['CS50', 'HarvardX', null],
  ['garbage', 'MITx', null],
  ['   ', 'MITx', null],
  ['course-v1:', 'MITx', null],
  ['course-v1:MITx+Special+2026?x=1', 'MITx', null],
  ['https://learning.edx.org/course/course-v1:MITx+Special+2026/home', 'MITx', null],
  ['course-v1:MITx%2BSpecial%2B2026', 'MITx', null],
  [undefined, 'MITx', 'MITx'],
  [undefined, 'mitx', 'MITx'],
  [undefined, ' MITx', null],
  [undefined, 'UNIVERSITÉX', 'HarvardX'],
  [undefined, 'Nobody', null],
  [undefined, undefined, null],
  // A CCX is its org's Member's, never the owner of the run it is built on (HarvardX's MITx+Special+2026);
  // a branch or version after a run is the same run.
  ['ccx-v1:MITx+Special+2026+ccx@3', undefined, 'MITx'],
  ['ccx-v1:mitx+special+2026+ccx@3', 'HarvardX', 'MITx'],
  ['ccx-v1:MITx Special 2026 ccx@3', undefined, 'MITx'],
  [' ccx-v1:MITx+Special+2026+ccx@3\n', 'HarvardX', 'MITx'],
  ['ccx-block-v1:MITx+Special+2026+ccx@3+type@problem+block@q1', undefined, 'MITx'],
  ['ccx-block-v1:MITx Special 2026 ccx@3 type@problem block@q1', 'HarvardX', 'MITx'],
  ['ccx-v1:MITx+Legacy+2012+ccx@1', undefined, 'MITx'],
  ['ccx-v1:HarvardX+CS50+2026+ccx@1', 'MITx', 'HarvardX'],
  ['ccx-v1:UNIVERSITÉX+Économie101+2026+ccx@7', undefined, 'HarvardX'],
  ['ccx-v1:清华大学X+数据结构+2026+ccx@2', 'MITx', 'Tsinghua'],
  ['ccx-v1:edX+MIT101+2026+ccx@1', 'MITx', null],
  ['ccx-block-v1:edX+MIT101+2026+ccx@1+type@problem+block@p', 'MITx', null],
  ['ccx-v1:HarvardXPlus+CS50+2026+ccx@1', 'HarvardX', null],
  ['ccx-v1:MITx+Special+2026+branch@draft+ccx@3', undefined, 'MITx'],
  ['ccx-v1:MITx+Special+2026+branch@draft+version@abc+ccx@3', 'HarvardX', 'MITx'],
  ['ccx-v1:MITx+Special+2026', 'MITx', null],
  ['ccx-v1:MITx+Special+2026+ccx@', 'MITx', null],
  ['ccx-v1:MITx+Special+2026+ccx@x3', 'MITx', null],
  ['ccx-v1:MITx+Special+ccx@3', 'MITx', null],
  ['ccx-v1:MITx+Special+2026+ccx@3+ccx@4', 'MITx', null],
  // ccx-keys reads a CCX's key in any letter case but its namespace, which opaque-keys reads as written.
  ['CCX-V1:MITx+Special+2026+ccx@3', 'HarvardX', null],
  ['ccx-v1:MITx+Special+2026+CCX@3', 'HarvardX', 'MITx'],
  ['ccx-block-v1:MITx+Special+2026+Ccx@3+TYPE@problem+Block@p', 'HarvardX', 'MITx'],
  ['BLOCK-V1:MITx+Special+2026+type@problem+block@p', 'MITx', null],
  ['course-v1:MITx+Special+2026+ccx@3', 'MITx', null],
  ['ccx-block-v1:MITx+Special+2026+type@problem+block@q1', 'MITx', null],
  ['block-v1:MITx+Special+2026+ccx@3+type@problem+block@q1', 'MITx', null],
  ['ccx-v1:MITx+Special+2026+ccx@3/home', 'MITx', null],
  ['course-v1:MITx+Special+2026+branch@draft+version@abc', undefined, 'HarvardX'],
  ['course-v1:MITx+Special+2026+branch@published-branch', 'MITx', 'HarvardX'],
  ['course-v1:MITx+Special+2026+version@5f0c1d2e3a4b5c6d7e8f9a0b', undefined, 'HarvardX'],
  ['course-v1:MITx Special 2026 branch@draft', undefined, 'HarvardX'],
  ['course-v1:mitx+special+2026+BRANCH@draft', 'MITx', null],
  ['course-v1:MITx+Legacy+2012+version@AbC123', 'MITx', 'HarvardX'],
  ['course-v1:MITx+Other+2026+branch@draft', 'HarvardX', 'MITx'],
  ['block-v1:MITx+Special+2026+branch@draft+version@abc+type@html+block@h', undefined, 'HarvardX'],
  ['block-v1:MITx Special 2026 version@abc type@html block@h', 'MITx', 'HarvardX'],
  ['course-v1:MITx+Special+2026+version@xyz', 'MITx', null],
  ['course-v1:MITx+Special+2026+version@abc+branch@draft', 'MITx', null],
  ['course-v1:MITx+Special+2026+branch@', 'MITx', null],
  ['course-v1:MITx+Special+2026+branch@a+branch@b', 'MITx', null],
  ['course-v1:version@abc', 'MITx', null],
  // A block after a course key is left out (the same course), as opaque-keys reads it, type then block.
  ['course-v1:MITx+Special+2026+type@course+block@course', 'MITx', 'HarvardX'],
  ['course-v1:MITx Special 2026 type@course block@course', undefined, 'HarvardX'],
  ['course-v1:MITx+Special+2026+branch@draft+version@abc+type@course+block@course', 'MITx', 'HarvardX'],
  ['course-v1:MITx+Special+2026+type@course', 'MITx', 'HarvardX'],
  ['course-v1:MITx+Special+2026+block@course', 'MITx', 'HarvardX'],
  ['course-v1:HarvardX+CS50+2026+type@course+block@course', 'MITx', 'HarvardX'],
  ['ccx-v1:MITx+Special+2026+ccx@3+type@course+block@course', 'HarvardX', 'MITx'],
  ['course-v1:MITx+Special+2026+block@b+type@course', 'MITx', null],
  ['course-v1:MITx+Special+type@course+block@course', 'MITx', null],
  ['course-v1:MITx+Special+2026+type@course+', 'MITx', null],
  ['course-v1:MITx+Special+2026+TYPE@course', 'MITx', null],
  // A key naming its course by a version alone (no run) names no Member's course, whatever its org.
  ['course-v1:MITx+Special+version@519665f6223ebd6980884f2b', 'MITx', null],
  ['course-v1:HarvardX+CS50+version@519665F6223EBD6980884F2B', 'HarvardX', null],
  ['course-v1:version@519665f6223ebd6980884f2b', 'MITx', null],
  ['course-v1:MITx+Special+branch@draft+version@519665f6223ebd6980884f2b+type@course+block@course', 'MITx', null],
  ['block-v1:MITx+Special+version@519665f6223ebd6980884f2b+type@problem+block@p', 'MITx', null],
  ['ccx-v1:MITx+Special+version@519665f6223ebd6980884f2b+ccx@3', 'MITx', null],
  ['course-v1:MITx+Special+version@abc', 'MITx', null],
  ['course-v1:MITx+Special+branch@draft', 'MITx', null],
  ['course-v1:MITx+version@519665f6223ebd6980884f2b', 'MITx', null],
  ['MITx/Special/2026+branch@draft', 'MITx', null],
];

describe('the collector’s owner of a course id is registry.memberFor’s of @optin/members', () => {
  const resolve = createMemberResolver(registryMembers);
  it.each(memberForAnswers)('courseId %j, org %j: %s', (id, org, member) => {
    const course = { ...(id === undefined ? {} : { id }), ...(org === undefined ? {} : { org }) };
    expect(resolve(message(course)) ?? null).toBe(member);
  });
});

describe.each(backends)('a Member’s course run under another org, over HTTP ($name)', (backend) => {
  const live = useCollector(backend, { config: { ...testConfig, members } });
  const consent = (overrides: Record<string, Record<string, boolean>>) => ({
    policy: 'edx',
    categoryPreferences: { necessary: true, analytics: true },
    members: overrides,
  });
  const page = (messageId: string, overrides: Record<string, Record<string, boolean>>) => ({
    messageId,
    anonymousId: 'a',
    context: { course: { id: 'course-v1:MITx+Special+2026', org: 'MITx' }, consent: consent(overrides) },
  });
  const events = async (member: string) =>
    (await getJson(`${live.url}/v1/members/${member}/events`, { authorization: `Bearer ${tokens[member as 'MITx']}` }))
      .body.events as { messageId: string; memberId: string }[];

  it.skipIf(backend.skip)(
    "is kept from its owner when refused to it, for the platform alone (another Member's refusal does not count)",
    async () => {
      const refused = mid();
      expect(
        (await postJson(`${live.url}/v1/page`, page(refused, { HarvardX: { analytics: false } }))).body,
      ).toMatchObject({ accepted: 1, dropped: [] });
      const granted = mid();
      expect((await postJson(`${live.url}/v1/page`, page(granted, { MITx: { analytics: false } }))).body.accepted).toBe(
        1,
      );
      // Its owner reads the granted one; the org's owner neither; the refused one is no Member's.
      expect((await events('HarvardX')).map((e) => e.messageId)).toContain(granted);
      // A Member's events name no Member they were kept from: none ever is.
      expect((await events('HarvardX')).find((e) => e.messageId === granted)).not.toHaveProperty('keptFrom');
      expect((await events('HarvardX')).map((e) => e.messageId)).not.toContain(refused);
      expect((await events('MITx')).map((e) => e.messageId)).not.toContain(granted);
      expect((await events('MITx')).map((e) => e.messageId)).not.toContain(refused);
      const all = (await getJson(`${live.url}/v1/events`, { authorization: `Bearer ${tokens.platform}` })).body
        .events as { messageId: string; memberId: string | null; keptFrom: string | null }[];
      expect(all.find((e) => e.messageId === refused)).toMatchObject({ memberId: null, keptFrom: 'HarvardX' });
      expect(all.find((e) => e.messageId === granted)).toMatchObject({ memberId: 'HarvardX', keptFrom: null });
    },
  );

  it.skipIf(backend.skip)(
    'a course id as a query string decodes it (spaces for `+`) is its run’s owner’s; one that is no key is no Member’s',
    async () => {
      const sent = (id: string) => ({
        messageId: mid(),
        anonymousId: 'a',
        context: { course: { id, org: 'MITx' }, consent: consent({}) },
      });
      const spaced = sent('course-v1:MITx Special 2026');
      const broken = sent('course-v1:MITx  Special 2026');
      const res = await postJson(`${live.url}/v1/batch`, {
        batch: [spaced, broken].map((m) => ({ type: 'page', ...m })),
      });
      expect(res.body).toMatchObject({ accepted: 2, errors: [] });
      const ids = async (member: 'HarvardX' | 'MITx', query = '') =>
        (
          (
            await getJson(`${live.url}/v1/members/${member}/events${query}`, {
              authorization: `Bearer ${tokens[member]}`,
            })
          ).body.events as { messageId: string }[]
        ).map((e) => e.messageId);
      // MITx owns the org, not the run: it reads neither.
      expect(await ids('MITx')).not.toContain(spaced.messageId);
      expect(await ids('MITx')).not.toContain(broken.messageId);
      expect(await ids('HarvardX')).toContain(spaced.messageId);
      expect(await ids('HarvardX')).not.toContain(broken.messageId);
      // Stored as the key it names, so that its run's filter finds it.
      expect(await ids('HarvardX', '?courseId=course-v1:MITx+Special+2026')).toContain(spaced.messageId);
      // The platform reads both, the one no key names as no Member's.
      const all = (await getJson(`${live.url}/v1/events`, { authorization: `Bearer ${tokens.platform}` })).body
        .events as { messageId: string; memberId: string | null; courseId: string | null }[];
      expect(all.find((e) => e.messageId === spaced.messageId)).toMatchObject({
        memberId: 'HarvardX',
        courseId: 'course-v1:MITx+Special+2026',
      });
      expect(all.find((e) => e.messageId === broken.messageId)).toMatchObject({
        memberId: null,
        courseId: 'course-v1:MITx  Special 2026',
      });
      // A refusal to the run's owner keeps it from the owner (stored for the platform alone).
      const refused = {
        type: 'page',
        ...sent('course-v1:MITx Special 2026'),
        context: {
          course: { id: 'course-v1:MITx Special 2026' },
          consent: consent({ HarvardX: { analytics: false } }),
        },
      };
      expect((await postJson(`${live.url}/v1/page`, refused)).body).toMatchObject({ accepted: 1, dropped: [] });
      expect(await ids('HarvardX', '?courseId=course-v1:MITx+Special+2026')).not.toContain(refused.messageId);
      expect(await ids('MITx')).not.toContain(refused.messageId);
    },
  );

  it.skipIf(backend.skip)(
    'a course key with a block after it is its run’s owner’s; one naming its course by a version alone is no Member’s',
    async () => {
      const guid = '519665f6223ebd6980884f2b';
      const sent = (id: string) => ({
        type: 'page',
        messageId: mid(),
        anonymousId: 'a',
        context: { course: { id, org: 'MITx' }, consent: consent({}) },
      });
      const blocked = sent('course-v1:MITx+Special+2026+type@course+block@course');
      const versioned = sent(`course-v1:MITx+Special+version@${guid.toUpperCase()}`);
      expect((await postJson(`${live.url}/v1/batch`, { batch: [blocked, versioned] })).body).toMatchObject({
        accepted: 2,
        errors: [],
      });
      const all = (await getJson(`${live.url}/v1/events`, { authorization: `Bearer ${tokens.platform}` })).body
        .events as { messageId: string; memberId: string | null; courseId: string | null; org: string | null }[];
      expect(all.find((e) => e.messageId === blocked.messageId)).toMatchObject({
        memberId: 'HarvardX',
        courseId: 'course-v1:MITx+Special+2026',
      });
      // Stored as the version it names, of no org: the LMS never reads the one written.
      expect(all.find((e) => e.messageId === versioned.messageId)).toMatchObject({
        memberId: null,
        courseId: `course-v1:version@${guid}`,
        org: null,
      });
      for (const member of ['HarvardX', 'MITx'] as const)
        expect((await events(member)).map((e) => e.messageId)).not.toContain(versioned.messageId);
      // A filter of that version finds it (for the platform), never a run's events.
      const filtered = await getJson(
        `${live.url}/v1/events?courseId=${encodeURIComponent(`course-v1:HarvardX+CS50+version@${guid}`)}`,
        { authorization: `Bearer ${tokens.platform}` },
      );
      expect((filtered.body.events as { messageId: string }[]).map((e) => e.messageId)).toEqual([versioned.messageId]);
    },
  );
});

// MITx lists a run of HarvardX's org in `courses`: a CCX built on that run is still HarvardX's.
const ccxMembers = [
  { id: 'HarvardX', orgs: ['HarvardX'] },
  { id: 'MITx', orgs: ['MITx'], courses: ['course-v1:HarvardX+CS50+2026'] },
];

describe.each(backends)('a CCX page’s events, over HTTP ($name)', (backend) => {
  const live = useCollector(backend, { config: { ...testConfig, members: ccxMembers } });
  const ccx = 'ccx-v1:HarvardX+CS50+2026+ccx@3';
  const page = (id: string, overrides: Record<string, Record<string, boolean>> = {}) => ({
    type: 'page',
    messageId: mid('ccx'),
    anonymousId: 'a',
    context: {
      course: { id, org: 'HarvardX' },
      consent: { policy: 'edx', categoryPreferences: { necessary: true, analytics: true }, members: overrides },
    },
  });
  const ids = async (member: 'HarvardX' | 'MITx' | null, query = '') => {
    const path = member === null ? '/v1/events' : `/v1/members/${member}/events`;
    const res = await getJson(`${live.url}${path}${query}`, {
      authorization: `Bearer ${tokens[member ?? 'platform']}`,
    });
    expect(res.status).toBe(200);
    return (res.body.events as { messageId: string }[]).map((e) => e.messageId);
  };

  it.skipIf(backend.skip)(
    "land in the CCX's org's Member's events, never in the Member that lists its parent run",
    async () => {
      const ccxPage = page(ccx);
      const ccxBlock = page('ccx-block-v1:HarvardX+CS50+2026+ccx@3+type@problem+block@q1');
      const spaced = page('ccx-v1:HarvardX CS50 2026 ccx@3');
      const parent = page('course-v1:HarvardX+CS50+2026');
      const batch = [ccxPage, ccxBlock, spaced, parent];
      expect((await postJson(`${live.url}/v1/batch`, { batch })).body).toMatchObject({
        accepted: batch.length,
        errors: [],
      });
      const harvard = await ids('HarvardX');
      const mit = await ids('MITx');
      for (const m of [ccxPage, ccxBlock, spaced]) {
        expect(harvard).toContain(m.messageId);
        expect(mit).not.toContain(m.messageId);
      }
      // The parent run itself is the Member's that lists it.
      expect(mit).toContain(parent.messageId);
      expect(harvard).not.toContain(parent.messageId);
      const all = (await getJson(`${live.url}/v1/events`, { authorization: `Bearer ${tokens.platform}` })).body
        .events as { messageId: string; memberId: string | null; courseId: string | null; org: string | null }[];
      expect(all.find((e) => e.messageId === ccxPage.messageId)).toMatchObject({
        memberId: 'HarvardX',
        courseId: ccx,
        org: 'HarvardX',
      });
      expect(all.find((e) => e.messageId === spaced.messageId)).toMatchObject({ memberId: 'HarvardX', courseId: ccx });
      // A course filter of the CCX finds the CCX, its blocks in any letter case, and not its parent run;
      // one of the parent run finds the run, never the CCX; MITx finds the CCX under no filter.
      const ccxIds = [ccxPage, ccxBlock, spaced].map((m) => m.messageId);
      for (const filter of [
        ccx,
        'ccx-v1:harvardx+cs50+2026+ccx@3',
        'ccx-block-v1:HarvardX+CS50+2026+ccx@3+type@video+block@v',
      ]) {
        expect(await ids('HarvardX', `?courseId=${encodeURIComponent(filter)}`), filter).toEqual(ccxIds);
        expect(await ids(null, `?courseId=${encodeURIComponent(filter)}`), filter).toEqual(ccxIds);
        expect(await ids('MITx', `?courseId=${encodeURIComponent(filter)}`), filter).toEqual([]);
      }
      expect(await ids('HarvardX', `?courseId=${encodeURIComponent('ccx-v1:HarvardX+CS50+2026+ccx@30')}`)).toEqual([]);
      // A CCX's key is read in any letter case (ccx-keys) but its namespace, and a run's, as written (opaque-keys).
      expect(await ids('HarvardX', `?courseId=${encodeURIComponent('ccx-v1:HarvardX+CS50+2026+CCX@3')}`)).toEqual(ccxIds);
      expect(await ids(null, `?courseId=${encodeURIComponent('CCX-V1:HarvardX+CS50+2026+ccx@3')}`)).toEqual([]);
      expect(await ids(null, `?courseId=${encodeURIComponent('COURSE-V1:HarvardX+CS50+2026')}`)).toEqual([]);
      expect(await ids(null, `?courseId=${encodeURIComponent('course-v1:HarvardX+CS50+2026')}`)).toEqual([
        parent.messageId,
      ]);
      expect(await ids('HarvardX', `?courseId=${encodeURIComponent('course-v1:HarvardX+CS50+2026')}`)).toEqual([]);
    },
  );

  it.skipIf(backend.skip)(
    "are kept from the CCX's org's Member when refused to it (for the platform alone), not when refused to the parent run's",
    async () => {
      const refused = page(ccx, { HarvardX: { analytics: false } });
      expect((await postJson(`${live.url}/v1/page`, refused)).body).toMatchObject({ accepted: 1, dropped: [] });
      expect(await ids('HarvardX')).not.toContain(refused.messageId);
      expect(await ids('MITx')).not.toContain(refused.messageId);
      const kept = page(ccx, { MITx: { analytics: false } });
      expect((await postJson(`${live.url}/v1/page`, kept)).body.accepted).toBe(1);
      expect(await ids('HarvardX')).toContain(kept.messageId);
      expect(await ids('MITx')).not.toContain(kept.messageId);
    },
  );
});

describe('Member course runs and orgs in the config', () => {
  const base = { policy: edxPolicy };
  it('keeps courses and refuses a bad course key with its path', () => {
    expect(parseCollectorConfig({ ...base, members }).members[0]?.courses).toEqual(['course-v1:MITx+Special+2026']);
    expect(() =>
      parseCollectorConfig({ ...base, members: [{ id: 'HarvardX', orgs: ['HarvardX'], courses: ['CS50'] }] }),
    ).toThrow(/members\[0\]\.courses\[0\]/);
    // A run is listed by its key, as @optin/members requires: an XBlock usage key, or a key with
    // spaces, names no run to own (memberFor would never match it).
    for (const key of ['block-v1:MITx+Special+2026+type@problem+block@q1', 'course-v1:MITx Special 2026'])
      expect(() =>
        parseCollectorConfig({ ...base, members: [{ id: 'HarvardX', orgs: ['HarvardX'], courses: [key] }] }),
      ).toThrow(/members\[0\]\.courses\[0\]: must be a course run key/);
  });

  it('takes a versioned run key as its run, and refuses a CCX key (a CCX is its org’s), as @optin/members does', () => {
    const versioned = 'course-v1:MITx+Special+2026+branch@draft+version@abc';
    const config = parseCollectorConfig({
      ...base,
      members: [
        { id: 'HarvardX', orgs: ['HarvardX'], courses: [versioned] },
        { id: 'MITx', orgs: ['MITx'] },
      ],
    });
    expect(createMemberResolver(config.members)(message({ id: 'course-v1:MITx+Special+2026' }))).toBe('HarvardX');
    expect(() =>
      parseCollectorConfig({
        ...base,
        members: [
          { id: 'HarvardX', orgs: ['HarvardX'], courses: ['course-v1:MITx+Special+2026'] },
          { id: 'Other', orgs: ['Other'], courses: [versioned] },
        ],
      }),
    ).toThrow(/members\[1\]\.courses\[0\]: course run .* already belongs to HarvardX/);
    expect(() =>
      parseCollectorConfig({
        ...base,
        members: [{ id: 'HarvardX', orgs: ['HarvardX'], courses: ['ccx-v1:MITx+Special+2026+ccx@1'] }],
      }),
    ).toThrow(/members\[0\]\.courses\[0\]: "ccx-v1:MITx\+Special\+2026\+ccx@1" is a CCX, which is its org's Member's/);
  });

  it('refuses a key naming its course by a version alone (no run to own), as @optin/members does', () => {
    for (const key of [
      'course-v1:MITx+Special+version@519665f6223ebd6980884f2b',
      'course-v1:version@519665f6223ebd6980884f2b',
    ])
      expect(
        () => parseCollectorConfig({ ...base, members: [{ id: 'HarvardX', orgs: ['HarvardX'], courses: [key] }] }),
        key,
      ).toThrow(/members\[0\]\.courses\[0\]: must be a course run key/);
    // A run with a block after it is that run.
    const config = parseCollectorConfig({
      ...base,
      members: [
        { id: 'HarvardX', orgs: ['HarvardX'], courses: ['course-v1:MITx+Special+2026+type@course+block@course'] },
        { id: 'MITx', orgs: ['MITx'] },
      ],
    });
    expect(createMemberResolver(config.members)(message({ id: 'course-v1:MITx+Special+2026' }))).toBe('HarvardX');
  });

  it('refuses an org or a course run claimed by two Members in any letter case', () => {
    expect(() =>
      parseCollectorConfig({
        ...base,
        members: [
          { id: 'HarvardX', orgs: ['HarvardX'] },
          { id: 'Other', orgs: ['harvardx'] },
        ],
      }),
    ).toThrow(/members\[1\]\.orgs\[0\]/);
    expect(() =>
      parseCollectorConfig({
        ...base,
        members: [
          { id: 'HarvardX', orgs: ['HarvardX'], courses: ['course-v1:MITx+Special+2026'] },
          { id: 'Other', orgs: ['Other'], courses: ['course-v1:mitx+special+2026'] },
        ],
      }),
    ).toThrow(/members\[1\]\.courses\[0\]/);
  });
});
