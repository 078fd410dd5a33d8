import type { OptinConfig } from './config.js';
import { MembersError, type ConfigIssueCode } from './errors.js';

/**
 * Throws the `invalid_config` {@link MembersError} of what `who` (`createRegistry`,
 * `createScopedHub`) was given in place of a config or registry: one issue at `path`.
 */
export function invalidInput(who: string, path: string, code: ConfigIssueCode, message: string): MembersError {
  return new MembersError(
    'invalid_config',
    [{ path, code, message }],
    `Pass ${who} what defineConfig and createRegistry return.`,
  );
}

/**
 * Checks that `config` is shaped as a config (an object with `platform.trackers` and a list of
 * Member objects) before a registry reads it, so that what is none throws the typed error with its
 * path rather than a `TypeError`. (`defineConfig` checks everything else.)
 */
export function assertConfigShape(config: unknown): asserts config is OptinConfig {
  const fail = (path: string, code: ConfigIssueCode, message: string) => {
    throw invalidInput('createRegistry', path, code, message);
  };
  if (typeof config !== 'object' || config === null) return fail('', 'invalid_type', 'the config must be an object');
  const { platform, members } = config as { platform?: unknown; members?: unknown };
  if (platform == null) fail('platform', 'required', 'the config has no platform');
  if (!Array.isArray((platform as { trackers?: unknown }).trackers))
    fail('platform.trackers', 'invalid_type', 'the platform trackers must be a list');
  if (members == null) fail('members', 'required', 'the config has no members (give [] for none)');
  if (!Array.isArray(members)) return fail('members', 'invalid_type', 'members must be a list');
  members.forEach((member: unknown, i) => {
    if (typeof member !== 'object' || member === null)
      fail(`members[${i}]`, 'invalid_type', 'a Member must be an object');
    else if (!Array.isArray((member as { trackers?: unknown }).trackers))
      fail(`members[${i}].trackers`, 'invalid_type', "a Member's trackers must be a list");
  });
}
