import { describe, expect, it } from 'vitest';
import { createConsent, edxPolicy } from '@optin/consent';
import {
  createRegistry,
  createScopedHub,
  MembersError,
  type OptinConfig,
  type ScopedHubOptions,
} from '../src/index.js';

// What `f` throws.
const thrownBy = (f: () => unknown): unknown => {
  try {
    f();
  } catch (error) {
    return error;
  }
  return undefined;
};
const consent = createConsent({ policy: edxPolicy, storage: 'memory' });
const asConfig = (value: unknown) => value as OptinConfig;

describe('a registry or hub built from what is no config throws the typed error, with a code and a path', () => {
  it.each([
    ['createRegistry(undefined)', () => createRegistry(asConfig(undefined)), '', 'invalid_type'],
    [
      'a config without platform',
      () => createRegistry(asConfig({ policy: edxPolicy, members: [] })),
      'platform',
      'required',
    ],
    [
      'a config without members',
      () => createRegistry(asConfig({ policy: edxPolicy, platform: { trackers: [] } })),
      'members',
      'required',
    ],
    [
      'members: [undefined]',
      () => createRegistry(asConfig({ policy: edxPolicy, platform: { trackers: [] }, members: [undefined] })),
      'members[0]',
      'invalid_type',
    ],
    [
      'createScopedHub without registry',
      () => createScopedHub({ consent } as unknown as ScopedHubOptions),
      'registry',
      'required',
    ],
  ])('%s', (_, call, path, code) => {
    const error = thrownBy(call);
    expect(error).toBeInstanceOf(MembersError);
    expect((error as MembersError).code).toBe('invalid_config');
    expect((error as MembersError).issues).toEqual([expect.objectContaining({ path, code })]);
  });
});
