import { edxPolicy } from '@optin/consent';
import { defineTracker, type Tracker } from '@optin/trackers';
import { describe, expect, it } from 'vitest';
import { defineMember, validateConfig } from '../src/index.js';

const stats = defineTracker({
  id: 'stats',
  owner: 'platform',
  purposes: ['analytics'],
  party: 'first',
  vendor: { name: 'Stats', privacyUrl: 'https://stats.example/privacy' },
  cookies: [],
  hosts: [],
});

/** The problems of HarvardX with `tracker` declared through defineMember, as `path [code]`. */
const problems = (tracker: unknown) =>
  validateConfig({
    policy: edxPolicy,
    platform: { trackers: [] },
    members: [defineMember({ id: 'HarvardX', name: 'Harvard', orgs: ['HarvardX'], trackers: [tracker as Tracker] })],
  }).map((i) => `${i.path} [${i.code}]`);

describe("a Member's tracker with no id, or an id that is no text", () => {
  it('is reported as a missing id (required), not as a tracker declared outside defineMember', () => {
    expect(problems({ ...stats, id: undefined })).toEqual(['members[0].trackers[0].id [required]']);
  });

  it('is reported as an id of the wrong kind (invalid_type)', () => {
    expect(problems({ ...stats, id: 42 })).toEqual(['members[0].trackers[0].id [invalid_type]']);
  });

  it('keeps its id as it was given (defineMember names no tracker "HarvardX/undefined")', () => {
    const member = defineMember({
      id: 'HarvardX',
      name: 'Harvard',
      orgs: ['HarvardX'],
      trackers: [{ ...stats, id: undefined } as unknown as Tracker],
    });
    expect(member.trackers[0]?.id).toBeUndefined();
  });
});
