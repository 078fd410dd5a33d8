import { edxPolicy } from '@optin/consent';
import { describe, expect, it } from 'vitest';
import { defineMember, validateConfig } from '../src/index.js';

/** The problems of a config with one Member of `id`, as `path [code]`, and their messages. */
const withMemberId = (id: string) =>
  validateConfig({
    policy: edxPolicy,
    platform: { trackers: [] },
    members: [defineMember({ id, name: 'A university', orgs: ['UniX'], trackers: [] })],
  });

describe('a Member id that every JavaScript object already has a property of', () => {
  it('is invalid_id at members[i].id, in any case, saying what to do', () => {
    for (const id of [
      'constructor',
      'toString',
      'valueOf',
      'hasOwnProperty',
      'isPrototypeOf',
      'CONSTRUCTOR',
      'ToString',
    ]) {
      const issues = withMemberId(id);
      expect(
        issues.map((i) => `${i.path} [${i.code}]`),
        id,
      ).toEqual(['members[0].id [invalid_id]']);
      expect(issues[0]?.message).toMatch(/choose another id/);
      expect(issues[0]?.message).toContain(`(got "${id}")`);
    }
  });

  it('is refused whatever its form, __proto__ too; ids that only contain such a name are fine', () => {
    expect(withMemberId('__proto__').map((i) => i.code)).toEqual(['invalid_id']);
    for (const id of ['ConstructorX', 'toStringU', 'HarvardX', 'valueOf2']) expect(withMemberId(id), id).toEqual([]);
  });
});
