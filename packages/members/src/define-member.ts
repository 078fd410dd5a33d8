import type { Tracker } from '@optin/trackers';
import type { Member } from './config.js';

/** What {@link defineMember} takes: a Member whose trackers keep their own short ids. */
export type MemberInput = Omit<Member, 'trackers'> & { readonly trackers?: readonly Tracker[] };

/**
 * Declares a Member. Its trackers are re-issued under the Member: ids namespaced
 * `memberId/trackerId` (so `HarvardX/ga4` never collides with the platform's `ga4`), owner set to
 * the Member so its per-Member consent applies. Checked with the whole config by `validateConfig`.
 *
 * @example
 * defineMember({ id: 'HarvardX', name: 'Harvard University', orgs: ['HarvardX'],
 *   trackers: [ga4({ id: 'G-HX1234' })], email: { keyId: 'hx-2026' } });
 */
export function defineMember(input: MemberInput): Member {
  const trackers = Array.isArray(input.trackers) ? (input.trackers as readonly Tracker[]) : [];
  return Object.freeze({
    ...input,
    trackers: trackers.map((t) =>
      Object.freeze({
        ...t,
        id: namespaced(input.id, t.id),
        owner: input.id,
      }),
    ),
  });
}

/** `HarvardX/ga4` from `ga4` or from an adapter's `HarvardX-ga4`; already namespaced ids stay. */
function namespaced(member: string, id: unknown): string {
  if (typeof id !== 'string' || id.startsWith(`${member}/`)) return String(id);
  return `${member}/${id.startsWith(`${member}-`) ? id.slice(member.length + 1) : id}`;
}
