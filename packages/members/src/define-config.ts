import type { OptinConfig } from './config.js';
import { MembersError } from './errors.js';
import { validateConfig } from './validate-config.js';

/**
 * Declares the one config (`optin.config.ts`) shared by the browser, the collector and the CLI.
 * Throws a {@link MembersError} (`invalid_config`) listing every problem with its path.
 *
 * @example
 * export default defineConfig({
 *   policy: edxPolicy,
 *   platform: { trackers: [ga4({ id: 'G-EDX' })] },
 *   members: [defineMember({ id: 'HarvardX', name: 'Harvard University', orgs: ['HarvardX'], trackers: [] })],
 * });
 */
export function defineConfig<T extends OptinConfig>(config: T): T {
  const issues = validateConfig(config);
  if (issues.length)
    throw new MembersError(
      'invalid_config',
      issues,
      'Fix the config file at the paths listed (`optin validate` prints the same list).',
    );
  return Object.freeze(config);
}
