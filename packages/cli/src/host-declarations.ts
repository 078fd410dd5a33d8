import { parse } from 'tldts';
import type { CliIssue } from './errors.js';

/**
 * Host declarations `validateConfig` cannot judge without the Public Suffix List: a wildcard over a
 * public suffix (`*.co.uk`, `*.github.io`) would declare every site under it, so the audit would
 * count any of them as declared. Returns one issue per such host, with its path; none for a sound
 * config. Takes any value and never throws: it checks whatever trackers are well-formed enough to
 * have a list of hosts, so that its issues are listed alongside `validateConfig`'s for a broken config.
 */
export function hostDeclarationIssues(config: unknown): CliIssue[] {
  const list = (value: unknown, key: string): readonly unknown[] => {
    const found = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
    return Array.isArray(found) ? found : [];
  };
  const platform =
    typeof config === 'object' && config !== null ? (config as { platform?: unknown }).platform : undefined;
  const owners = [
    { path: 'platform', trackers: list(platform, 'trackers') },
    ...list(config, 'members').map((m, i) => ({ path: `members[${i}]`, trackers: list(m, 'trackers') })),
  ];
  return owners.flatMap(({ path, trackers }) =>
    trackers.flatMap((t, i) =>
      list(t, 'hosts').flatMap((host, j) => {
        const suffix = typeof host === 'string' && host.startsWith('*.') ? host.slice(2) : undefined;
        if (suffix === undefined || parse(suffix, { allowPrivateDomains: true }).domain !== null) return [];
        return [
          {
            path: `${path}.trackers[${i}].hosts[${j}]`,
            code: 'public_suffix_host' as const,
            message: `"${String(host)}" covers every site under the public suffix "${suffix}": declare the vendor's own domain (e.g. "*.vendor.${suffix}")`,
          },
        ];
      }),
    ),
  );
}
