import type { CollectorMember } from './collector-config.js';
import { createMemberResolver, parseCourseKey, readCourseKey } from './course-owner.js';
import type { StoredEvent } from './stored-event.js';

/** A Member's event as the Member is given it: every field but `keptFrom`. */
export type MemberFacingEvent = Omit<StoredEvent, 'keptFrom'>;

/** Query parameters that carry a campaign (as `@optin/analytics` reads them): `utm_*` and ad click ids. */
const campaignParam = /^(utm_\w+|mc_cid|fbclid|ttclid|twclid|li_fat_id|gclid|[gw]braid|dclid|msclkid|yclid)$/;
// An old-style key as the LMS's `/courses/{key}` or the learning MFE's `/learning/course/{key}` path begins.
const legacyPath = /^\/(?:courses|learning\/course)\/([^/]+\/[^/]+\/[^/]+)(?:\/|$)/;

/** `s` percent-decoded, or as written when it is no valid escape. */
function decoded(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Makes the function that turns a Member's event into what the Member's outputs give
 * (`/v1/members/:member/events`, its JetStream subject), as the Member's view of the platform:
 * - without `keptFrom` (`null` on every Member's event; it names the Member an event stored for the
 *   platform alone was kept from);
 * - without `context.attribution`: the platform-wide first and last touch of `@optin/analytics`,
 *   whose touches record how the learner arrived (class, referrer host, `utm_*`, click ids, time)
 *   but not the page they landed on, so none can be told to be this Member's;
 * - without `properties.referrer` when it is a page of a course that is not this Member's (one of
 *   another Member's courses, or of none: the platform's), found as the collector finds an event's
 *   Member (`course-v1:`, `block-v1:`, CCX keys in any segment of its path, an old `Org/Course/Run`
 *   after `/courses/` or `/learning/course/`), or no URL; any other referrer loses its campaign
 *   parameters (`utm_*`, click ids).
 */
export function createMemberFacing(members: readonly CollectorMember[]): (event: StoredEvent) => MemberFacingEvent {
  const memberOf = createMemberResolver(members);
  const ownerOf = (id: string) => memberOf({ type: 'track', event: '', context: { course: { id } } });
  /** What the Member `memberId` is given of a referrer: `undefined` when nothing. */
  const referrerFor = (referrer: string, memberId: string | null): string | undefined => {
    if (!referrer) return referrer;
    let url: URL;
    try {
      url = new URL(referrer);
    } catch {
      return undefined;
    }
    const path = url.pathname.split('/').map(decoded);
    const legacy = legacyPath.exec(path.join('/'))?.[1];
    const key = path.find((s) => readCourseKey(s)) ?? (legacy && parseCourseKey(legacy) ? legacy : undefined);
    if (key !== undefined && ownerOf(key) !== memberId) return undefined;
    const campaign = [...url.searchParams.keys()].filter((k) => campaignParam.test(k));
    if (!campaign.length) return referrer;
    for (const k of campaign) url.searchParams.delete(k);
    return url.href;
  };
  return (event) => {
    const facing: Partial<Record<keyof StoredEvent, unknown>> = { ...event };
    delete facing.keptFrom;
    const context: Record<string, unknown> = { ...event.context };
    delete context.attribution;
    const { referrer, ...properties } = event.properties;
    const kept = typeof referrer === 'string' ? referrerFor(referrer, event.memberId) : undefined;
    return {
      ...(facing as MemberFacingEvent),
      context,
      properties: kept === undefined ? properties : { ...properties, referrer: kept },
    };
  };
}
