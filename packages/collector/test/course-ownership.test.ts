import { edxPolicy } from '@optin/consent';
import { describe, expect, it } from 'vitest';
import { parseCollectorConfig } from '../src/collector-config.js';
import { createMemberResolver } from '../src/course-owner.js';
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

  it('a Member may own single course runs only, as @optin/members allows; owning nothing is refused', () => {
    const config = parseCollectorConfig({
      policy: edxPolicy,
      members: [
        { id: 'HarvardX', orgs: [], courses: ['course-v1:MITx+Special+2026'] },
        { id: 'MITx', orgs: ['MITx'] },
      ],
    });
    expect(createMemberResolver(config.members)(message({ id: 'course-v1:MITx+Special+2026' }))).toBe('HarvardX');
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

// What `createRegistry(config).memberFor({ courseId, orgId })` of @optin/members answers for these
// Members, as run on its source (the collector does not depend on @optin/members, so the answers are
// written out): `courseId` trimmed, its spaces read as `+`, a `block-v1:` key as its course, and a
// `courseId` given that is still no key is no one's, whatever `orgId` says.
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
    "is dropped when refused to its owner (another Member's refusal does not count)",
    async () => {
      const refused = mid();
      expect(
        (await postJson(`${live.url}/v1/page`, page(refused, { HarvardX: { analytics: false } }))).body,
      ).toMatchObject({
        accepted: 0,
        dropped: [{ reason: 'purpose_refused', purpose: 'analytics' }],
      });
      const granted = mid();
      expect((await postJson(`${live.url}/v1/page`, page(granted, { MITx: { analytics: false } }))).body.accepted).toBe(
        1,
      );
      expect((await live.storage.hasEvents([refused, granted])).has(refused)).toBe(false);
      // Its owner reads it; the org's owner does not.
      expect((await events('HarvardX')).map((e) => e.messageId)).toContain(granted);
      expect((await events('MITx')).map((e) => e.messageId)).not.toContain(granted);
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
      // A refusal to the run's owner drops it, another Member's does not.
      const refused = {
        type: 'page',
        ...sent('course-v1:MITx Special 2026'),
        context: {
          course: { id: 'course-v1:MITx Special 2026' },
          consent: consent({ HarvardX: { analytics: false } }),
        },
      };
      expect((await postJson(`${live.url}/v1/page`, refused)).body).toMatchObject({
        accepted: 0,
        dropped: [{ reason: 'purpose_refused' }],
      });
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
