import type { CollectorMember } from './collector-config.js';
import { createMemberResolver } from './course-owner.js';
import { coursesOfPath, decoded } from './course-path.js';
import { nestsDeeperThan } from './nesting-depth.js';
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

/**
 * The part of a stored event's `context` a Member is given (see {@link memberContext}): its text,
 * numbers and booleans, but text that `keeps` refuses (that names another's course).
 */
function contextForMember(
  context: Readonly<Record<string, unknown>>,
  keeps: (text: string) => boolean,
): Record<string, unknown> {
  const isScalar = (value: unknown): boolean =>
    typeof value === 'string' ? keeps(value) : typeof value === 'number' || typeof value === 'boolean';
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

/**
 * The words of a property's name, in lower case: `previousPageUrl`, `previous_page_url`,
 * `Previous Page URL`, `$previous-page.url` are all `previous`, `page`, `url`.
 */
const wordsOf = (key: string): string[] =>
  key
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z\d]+/)
    .filter(Boolean);

/**
 * A word of a name that holds a referrer: `referrer`, `referer`, `referring` (also glued to others:
 * `httpReferer`, `referrerurl`), `referral`, `referred` (`referredFrom`), `ref`, `refs`, Matomo's `urlref`.
 */
const referrerWord = (word: string): boolean =>
  /refer(?:r?er|r?ing)/.test(word) || /^(?:url)?ref(?:s?|er{1,2}al\w*|er{1,2}ed\w*)$/.test(word);
/**
 * A word of a name that holds the learner's previous page: `prev`, `previous`, `from`, `last`,
 * `source`, `history`, alone or glued to `page`, `visited`, `url`, `path`, … (`previous_urls`,
 * `prevPages`, `last_visited_url`, `previous_page_url_full`, `Previous URL`, `navigation.from`).
 */
const previousWord = (word: string): boolean =>
  /^(?:prev(?:ious)?|from|last|source|history)(?:page|visited)?(?:ur[li]|href|page|path|pathname|location|link)?s?$/.test(
    word,
  );
/** A word of a name that holds the learner's first arrival on the site: the platform's touch. */
const firstWord = (word: string): boolean => /^(?:initial|first|original|landing|entry)/.test(word);

/** What the names of a property and of the objects holding it say its text is. */
interface Names {
  /** A referrer's (`referrer`, `ref`, …): its text is given only as a URL or a path. */
  readonly referrer: boolean;
  /** A previous page's (`previous_url`, `from`, …): its URLs and paths by origin and path only. */
  readonly previous: boolean;
  /** A first arrival's (`initial_…`, `landing_…`, …): its URLs and paths only on the Member's own courses. */
  readonly first: boolean;
}
const noNames: Names = { referrer: false, previous: false, first: false };

/** `names` and what the words of `key` add to them. */
function namesOf(key: string, names: Names): Names {
  const words = wordsOf(key);
  return {
    referrer: names.referrer || words.some(referrerWord),
    previous: names.previous || words.some(previousWord),
    first: names.first || words.some(firstWord),
  };
}

/** A course key with its namespace, anywhere in text (its `+` possibly read as spaces). */
const part = '[\\p{L}\\p{N}_\\-~.%]+';
const namespacedKey = new RegExp(
  `(ccx-block-v1|block-v1|ccx-v1|course-v1):(${part})(?:[+ ](${part})[+ ](${part}))?`,
  'giu',
);
/** What may name a course (a key, a `courses` path, or text encoded over one); else it names none. */
const mayNameCourse = /v1:|course|[%\\[{"]/i;

/**
 * The value of JSON text (an object, array or string); `undefined` when it is none, `tooDeep` when
 * it nests deeper than a message may (walking it could overflow the stack).
 */
function jsonOf(text: string): unknown {
  if (!/^\s*[[{"]/.test(text)) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return nestsDeeperThan(value) ? tooDeep : value;
  } catch {
    return undefined;
  }
}
const tooDeep = Symbol('too deep');

/** Every string of a JSON value: the keys and values of its objects, at any depth. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, v]) => [key, ...stringsOf(v)]);
}

/** `text` parsed as a URL (`relative`: a path, `/…`), or `undefined` when it is neither. */
function urlOf(text: string): { url: URL; relative: boolean } | undefined {
  try {
    return { url: new URL(text), relative: false };
  } catch {
    if (!text.startsWith('/')) return undefined;
    try {
      return { url: new URL(text, 'https://path.invalid'), relative: true };
    } catch {
      return undefined;
    }
  }
}

/** A URL's origin and path, or a path alone (never a query, fragment or credentials). */
function bare({ url, relative }: { url: URL; relative: boolean }): string {
  url.username = url.password = url.search = url.hash = '';
  return relative ? url.pathname : url.href;
}

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
 * - with no text anywhere in `properties` (any key, at any depth, the keys too), nor in `url`,
 *   `path`, `campaign` or what it is given of `context`, that names a course whose Member, found as
 *   the collector finds an event's Member, is another or none (the platform's): left out with its
 *   key (an array's item, with its place). Text names a course when, as written or percent-decoded
 *   (again and again: a URL encoded in a query encoded in another), or inside JSON text (an object,
 *   array or string, its `\/` escapes read), it holds a `course-v1:`, `ccx-v1:`, `block-v1:` or
 *   `ccx-block-v1:` key (its `+` possibly read as spaces) or a path that {@link coursesOfPath} reads
 *   one in (the old `Org/Course/Run` after `courses`, `HarvardX%2FCS50%2F2013`). A URL or path that
 *   names one in its query or fragment only is given without them (origin and path);
 * - with JSON text in `properties` given with these rules applied inside it (re-written as JSON);
 * - with each property named as a referrer ({@link referrerWord}: `referrer`, `referral_url`,
 *   `ref`, `urlref`, …) or a previous page ({@link previousWord}: `previous_url`, `prevPages`,
 *   `navigation.from`, `Previous URL`, …), or held by an object so named (`previous: { url }`), only
 *   as far as it is the Member's: a URL or path (text with a `/`, or a `scheme:`) by its origin and
 *   path only, and left out when its path names a course whose Member is another or none; other
 *   text left out under a referrer's name (`referring_domain`'s host is the event's `referrerHost`),
 *   kept under a previous page's (`source_location: 'sidebar'`); numbers and booleans kept;
 * - with a first arrival's URL or path (a name with `initial`, `first`, `original`, `landing` or
 *   `entry` as a word, or an object so named holding it: `initial_referrer`, `$initial_page`,
 *   `first_referrer`, `landing_page`, `entry_url`; the platform's touch, as `attribution`) kept
 *   (origin and path only) only when its path names this Member's courses and no other.
 */
export function createMemberFacing(members: readonly CollectorMember[]): (event: StoredEvent) => MemberFacingEvent {
  const memberOf = createMemberResolver(members);
  const ownerOf = (id: string) => memberOf({ type: 'track', event: '', context: { course: { id } } });
  const ownerOfOrg = (org: string) => memberOf({ type: 'track', event: '', context: { course: { org } } });

  /** The Members (`undefined`: none) of the courses `text` names as written (see {@link createMemberFacing}). */
  const ownersIn = (text: string): (string | undefined)[] => {
    const owners: (string | undefined)[] = [];
    for (const [, namespace = '', org = '', course, run] of text.matchAll(namespacedKey))
      // A CCX is its org's; a run (or a block of it) the Member's that lists it, else its org's.
      owners.push(
        course && run && !namespace.toLowerCase().startsWith('ccx')
          ? ownerOf(`course-v1:${org}+${course}+${run}`)
          : ownerOfOrg(org),
      );
    for (const token of text.replace(/\\\//g, '/').split(/[\s"'<>\\{}[\]|^`]+/))
      if (token.includes('/'))
        for (const key of coursesOfPath(token.replace(/[?#&=]/g, '/'))) owners.push(ownerOf(key));
    return owners;
  };

  // Pages and property values repeat from event to event: what they name is remembered (bounded).
  const named = new Map<string, boolean>();
  /** Whether `text` names a course whose Member is not `memberId` (see {@link createMemberFacing}). */
  const namesOther = (text: string, memberId: string | null): boolean => {
    if (!mayNameCourse.test(text)) return false;
    const key = `${memberId ?? ''}\n${text}`;
    let answer = named.get(key);
    if (answer === undefined) {
      answer = namesOtherIn(text, memberId, 0);
      if (named.size >= 4096) named.clear();
      if (text.length <= 1024) named.set(key, answer);
    }
    return answer;
  };
  const namesOtherIn = (text: string, memberId: string | null, depth: number): boolean => {
    let value = text;
    // Decoded until nothing changes (bounded: each round removes a level of `%25`).
    for (let round = 0; round < 16 && mayNameCourse.test(value); round++) {
      if (ownersIn(value).some((owner) => (owner ?? null) !== memberId)) return true;
      const json = depth < 16 ? jsonOf(value) : undefined;
      if (json === tooDeep) return true;
      if (json !== undefined && stringsOf(json).some((s) => namesOtherIn(s, memberId, depth + 1))) return true;
      const next = decoded(value);
      if (next === value) break;
      value = next;
    }
    return false;
  };

  /**
   * What the Member is given of `text`, a string of `properties` (or the event's `url`, `path`)
   * under `names`: `undefined` when nothing.
   */
  const textFor = (text: string, memberId: string | null, names: Names): unknown => {
    let given = text;
    if (namesOther(given, memberId)) {
      const url = urlOf(given);
      if (!url) return undefined;
      given = bare(url);
      if (namesOther(given, memberId)) return undefined;
    }
    const json = jsonOf(given);
    // JSON text too deep to read through is left out: what it holds cannot be told.
    if (json === tooDeep) return undefined;
    if (typeof json === 'object' && json !== null) {
      const inside = forMember(json, memberId, names);
      return JSON.stringify(inside) === JSON.stringify(json) ? given : JSON.stringify(inside);
    }
    if (given === '' || !(names.referrer || names.previous || names.first)) return given;
    // Text that is no URL or path (no `/`, no `scheme:`, percent-decoded too): a referrer's host is
    // left out, a word (`sidebar`) or a time under a previous page's or a first arrival's name kept.
    let plain = given;
    for (let round = 0, next = decoded(plain); round < 16 && next !== plain; round++, next = decoded(plain))
      plain = next;
    if (!plain.includes('/') && !/^[a-z][a-z\d+.-]*:/i.test(plain)) return names.referrer ? undefined : given;
    // (A URL percent-encoded whole, `https%3A%2F%2F…`, is left out: it cannot be given bare as written.)
    const url = urlOf(given);
    if (!url) return undefined;
    const courses = coursesOfPath(url.url.pathname);
    if (courses.some((key) => (ownerOf(key) ?? null) !== memberId) || (names.first && !courses.length))
      return undefined;
    return bare(url);
  };

  /** `value` as the Member `memberId` is given it under `names` (see {@link createMemberFacing}): `undefined` when nothing. */
  const forMember = (value: unknown, memberId: string | null, names: Names): unknown => {
    if (typeof value === 'string') return textFor(value, memberId, names);
    if (Array.isArray(value))
      return value.map((item) => forMember(item, memberId, names)).filter((item) => item !== undefined);
    if (typeof value !== 'object' || value === null) return value;
    // (Entries, not assignments: a property named `__proto__` stays a property.)
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !namesOther(key, memberId))
        .map(([key, v]): [string, unknown] => [key, forMember(v, memberId, namesOf(key, names))])
        .filter(([, v]) => v !== undefined),
    );
  };

  return (event) => {
    const facing: Partial<Record<keyof StoredEvent, unknown>> = { ...event };
    delete facing.keptFrom;
    const { memberId } = event;
    const keeps = (text: string) => !namesOther(text, memberId);
    const own = (text: string | null) =>
      text === null ? null : ((textFor(text, memberId, noNames) as string | undefined) ?? null);
    const campaign = event.campaign && Object.entries(event.campaign).filter(([key, v]) => keeps(key) && keeps(v));
    return {
      ...(facing as MemberFacingEvent),
      sessionId: null,
      sessionSeq: null,
      url: own(event.url),
      path: own(event.path),
      campaign: campaign?.length ? Object.fromEntries(campaign) : null,
      context: contextForMember(event.context, keeps),
      properties: forMember(event.properties, memberId, noNames) as Record<string, unknown>,
    };
  };
}
