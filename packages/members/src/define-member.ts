import type { Tracker } from '@optin/trackers';
import type { Member } from './config.js';

/** What {@link defineMember} takes: a Member whose trackers keep their own short ids. */
export type MemberInput = Omit<Member, 'trackers'> & { readonly trackers?: readonly Tracker[] };

/**
 * Declares a Member. Its trackers are re-issued under the Member: ids namespaced
 * `memberId/trackerId` (so `HarvardX/ga4` never collides with the platform's `ga4`), owner set to
 * the Member so its per-Member consent applies (one declared for another Member keeps that owner,
 * which `validateConfig` reports). Checked with the whole config by `validateConfig`, which reports
 * at its path what this leaves as it is: anything in `trackers` that is not a tracker (one left out by
 * a condition, `undefined`), `trackers` that are not a list (one tracker without its brackets), and an
 * `input` that is not an object (`defineMember(undefined)`, `defineMember('MITx')`), returned as it is.
 * Only `trackers` left out are none.
 *
 * @example
 * defineMember({ id: 'HarvardX', name: 'Harvard University', orgs: ['HarvardX'],
 *   trackers: [ga4({ id: 'G-HX1234' })], email: { keyId: 'hx-2026' } });
 */
export function defineMember(input: MemberInput): Member {
  const given: unknown = input;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) return given as Member;
  const { trackers = [] } = input;
  return Object.freeze({
    ...input,
    // Anything but an object (a tracker left out by a condition: `undefined`, `null`, `false`) stays
    // as it is, for validateConfig to report at its path rather than a TypeError here.
    trackers: Array.isArray(trackers)
      ? trackers.map((t: unknown) =>
          typeof t === 'object' && t !== null
            ? Object.freeze({
                ...(t as Tracker),
                id: namespaced(input.id, (t as Tracker).id),
                // One declared for another Member (`ga4({ owner: 'MITx' })` in HarvardX's list) keeps that
                // owner, for validateConfig to report rather than hand it to this Member unnoticed.
                owner: [undefined, 'platform', input.id].includes((t as Tracker).owner)
                  ? input.id
                  : (t as Tracker).owner,
              })
            : (t as Tracker),
        )
      : trackers,
  });
}

/**
 * `HarvardX/ga4` from `ga4` or from an adapter's `HarvardX-ga4`; already namespaced ids stay, and so
 * does an id that is no text (none at all), for validateConfig to report as missing or of the wrong kind.
 */
function namespaced(member: string, id: unknown): string {
  if (typeof id !== 'string' || id.startsWith(`${member}/`)) return id as string;
  return `${member}/${id.startsWith(`${member}-`) ? id.slice(member.length + 1) : id}`;
}
