import type { CollectorMember } from './collector-config.js';
import { createMemberResolver } from './course-owner.js';
import { coursesOfPath } from './course-path.js';
import type { StoredEvent } from './stored-event.js';

/** A Member's event as the Member is given it: every field but `keptFrom`. */
export type MemberFacingEvent = Omit<StoredEvent, 'keptFrom'>;

/**
 * Makes the function that turns a Member's event into what the Member's outputs give
 * (`/v1/members/:member/events`, its JetStream subject), as the Member's view of the platform:
 * - without `keptFrom` (`null` on every Member's event; it names the Member an event stored for the
 *   platform alone was kept from);
 * - without `context.attribution`: the platform-wide first and last touch of `@optin/analytics`,
 *   whose touches record how the learner arrived (class, referrer host, `utm_*`, click ids, time)
 *   but not the page they landed on, so none can be told to be this Member's;
 * - with `properties.referrer` only as far as it is the Member's: left out when its path names a
 *   course ({@link coursesOfPath}) whose Member, found as the collector finds an event's Member, is
 *   another or none (the platform's), and when it is no URL; otherwise its origin and path only (no
 *   query, which carries campaign parameters, search terms, `next=` URLs, other courses' ids and
 *   tokens, even on the Member's own pages; no fragment). Never credentials.
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
    const courses = coursesOfPath(url.pathname);
    if (courses.some((key) => ownerOf(key) !== memberId)) return undefined;
    url.username = url.password = url.search = url.hash = '';
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
