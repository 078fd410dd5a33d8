import type { CollectorMember } from './collector-config.js';
import { createMemberResolver } from './course-owner.js';
import { coursesOfPath } from './course-path.js';
import type { StoredEvent } from './stored-event.js';

/**
 * A Member's event as the Member is given it ({@link createMemberFacing}): every field but `keptFrom`,
 * `sessionId` and `sessionSeq` `null`, `context` and referrer-like properties only as far as they are the Member's.
 */
export type MemberFacingEvent = Omit<StoredEvent, 'keptFrom'>;

/**
 * The keys of `context` a Member is given, and of each object the fields it is given (text, numbers
 * and booleans only): the event's own page title, language and time zone, and what the sending
 * library, native app and device are. Nothing else: a client adds to `context` what is not the
 * Member's (Segment's `referrer`, RudderStack's copy of the learner's identify `traits`, the
 * platform's touches in `attribution`, a device's push `token`).
 */
const memberContext: Readonly<Record<string, readonly string[] | null>> = {
  page: ['title'],
  locale: null,
  timezone: null,
  library: ['name', 'version'],
  app: ['name', 'version', 'build', 'namespace'],
  os: ['name', 'version'],
  device: ['type', 'manufacturer', 'model', 'adTrackingEnabled', 'advertisingId'],
  screen: ['width', 'height', 'density', 'innerWidth', 'innerHeight'],
};

const isScalar = (value: unknown): boolean => ['string', 'number', 'boolean'].includes(typeof value);

/** The part of a stored event's `context` a Member is given (see {@link memberContext}). */
function contextForMember(context: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const given: Record<string, unknown> = {};
  for (const [key, fields] of Object.entries(memberContext)) {
    const value = context[key];
    if (fields === null) {
      if (isScalar(value)) given[key] = value;
    } else if (typeof value === 'object' && value !== null) {
      const kept: Record<string, unknown> = {};
      for (const field of fields) {
        const v = (value as Record<string, unknown>)[field];
        if (isScalar(v)) kept[field] = v;
      }
      if (Object.keys(kept).length) given[key] = kept;
    }
  }
  return given;
}

/** A property that holds a referrer (`referrer`, `referring_domain`, RudderStack's `$initial_referrer`, ...). */
const referrerLike = /refer(?:r?er|ring)/i;
/**
 * One that holds the URL of the learner's previous page under another name (`previous_url`,
 * `prev_url`, `from_url`, `source_url`, `last_page`, `previousPageUrl`, ...): a referrer too.
 */
const previousPage =
  /^\$?(?:prev(?:ious)?|from|source|last)[_\-.]?(?:page[_\-.]?)?(?:url|uri|href|page|path|location)$/i;
/** One that holds the learner's first arrival on the site (`initial_referrer`, ...): the platform's. */
const firstArrival = /initial/i;

/**
 * Makes the function that turns a Member's event into what the Member's outputs give
 * (`/v1/members/:member/events`, its JetStream subject), as the Member's view of the platform:
 * - without `keptFrom` (`null` on every Member's event; it names the Member an event stored for the
 *   platform alone was kept from);
 * - with `sessionId` and `sessionSeq` `null`: a session spans every Member's and the platform's pages
 *   (a new one after 30 minutes idle or a new campaign), so its position would tell this Member how
 *   many events the learner had elsewhere between two of its own, and its id whether the learner
 *   was active elsewhere (one session across an hour) or arrived elsewhere by a campaign;
 * - with only the keys of `context` in {@link memberContext}: never `context.attribution` (the
 *   platform-wide first and last touch of `@optin/analytics`, which record no landing page),
 *   `context.referrer`, `context.traits` or any other key;
 * - with each referrer-like property ({@link referrerLike}, {@link previousPage}), at any depth of
 *   `properties` (`page.referrer`, `context_info.initial_referrer`, in arrays), only as far as it
 *   is the Member's: left out when it is no URL, and when its path names a course
 *   ({@link coursesOfPath}) whose Member, found as the collector finds an event's Member, is
 *   another or none (the platform's); otherwise its origin and path only (no query, which carries campaign parameters, search terms, `next=`
 *   URLs, other courses' ids and tokens, even on the Member's own pages; no fragment; never
 *   credentials). A first arrival's (`initial_referrer`, or any referrer under an `initial...` key:
 *   the platform's touch, as `attribution`) is kept only when its path names this Member's courses
 *   and no other.
 */
export function createMemberFacing(members: readonly CollectorMember[]): (event: StoredEvent) => MemberFacingEvent {
  const memberOf = createMemberResolver(members);
  const ownerOf = (id: string) => memberOf({ type: 'track', event: '', context: { course: { id } } });
  /** What the Member `memberId` is given of a referrer: `undefined` when nothing. */
  const referrerFor = (referrer: unknown, memberId: string | null, first: boolean): unknown => {
    if (referrer === '') return referrer;
    if (typeof referrer !== 'string') return undefined;
    let url: URL;
    try {
      url = new URL(referrer);
    } catch {
      return undefined;
    }
    const courses = coursesOfPath(url.pathname);
    if (courses.some((key) => ownerOf(key) !== memberId) || (first && !courses.length)) return undefined;
    url.username = url.password = url.search = url.hash = '';
    return url.href;
  };
  /**
   * `value` with every referrer-like property of its objects, at any depth, as `referrerFor` gives
   * it (left out when `undefined`); `first` when under a first arrival's key.
   */
  const forMember = (value: unknown, memberId: string | null, first: boolean): unknown => {
    if (Array.isArray(value)) return value.map((item) => forMember(item, memberId, first));
    if (typeof value !== 'object' || value === null) return value;
    // (Entries, not assignments: a property named `__proto__` stays a property.)
    return Object.fromEntries(
      Object.entries(value)
        .map(([key, v]): [string, unknown] => {
          const firstHere = first || firstArrival.test(key);
          return [
            key,
            referrerLike.test(key) || previousPage.test(key)
              ? referrerFor(v, memberId, firstHere)
              : forMember(v, memberId, firstHere),
          ];
        })
        .filter(([, v]) => v !== undefined),
    );
  };
  return (event) => {
    const facing: Partial<Record<keyof StoredEvent, unknown>> = { ...event };
    delete facing.keptFrom;
    const properties = forMember(event.properties, event.memberId, false) as Record<string, unknown>;
    return {
      ...(facing as MemberFacingEvent),
      sessionId: null,
      sessionSeq: null,
      context: contextForMember(event.context),
      properties,
    };
  };
}
