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
    expect(memberOf(message({ id: 'course-v1:HarvardX CS50 2026' }))).toBeUndefined();
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
});

describe('Member course runs and orgs in the config', () => {
  const base = { policy: edxPolicy };
  it('keeps courses and refuses a bad course key with its path', () => {
    expect(parseCollectorConfig({ ...base, members }).members[0]?.courses).toEqual(['course-v1:MITx+Special+2026']);
    expect(() =>
      parseCollectorConfig({ ...base, members: [{ id: 'HarvardX', orgs: ['HarvardX'], courses: ['CS50'] }] }),
    ).toThrow(/members\[0\]\.courses\[0\]/);
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
