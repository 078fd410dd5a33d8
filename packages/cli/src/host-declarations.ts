import type { OptinConfig } from '@optin/members';
import { parse } from 'tldts';
import type { CliIssue } from './errors.js';

/**
 * Host declarations `validateConfig` cannot judge without the Public Suffix List: a wildcard over a
 * public suffix (`*.co.uk`, `*.github.io`) would declare every site under it, so the audit would
 * count any of them as declared. Returns one issue per such host, with its path; none for a sound
 * config.
 */
export function hostDeclarationIssues(config: OptinConfig): CliIssue[] {
  const owners = [
    { path: 'platform', trackers: config.platform.trackers },
    ...config.members.map((m, i) => ({ path: `members[${i}]`, trackers: m.trackers })),
  ];
  return owners.flatMap(({ path, trackers }) =>
    trackers.flatMap((t, i) =>
      t.hosts.flatMap((host, j) => {
        const suffix = host.startsWith('*.') ? host.slice(2) : undefined;
        if (suffix === undefined || parse(suffix, { allowPrivateDomains: true }).domain !== null) return [];
        return [
          {
            path: `${path}.trackers[${i}].hosts[${j}]`,
            message: `"${host}" covers every site under the public suffix "${suffix}": declare the vendor's own domain (e.g. "*.vendor.${suffix}")`,
          },
        ];
      }),
    ),
  );
}
