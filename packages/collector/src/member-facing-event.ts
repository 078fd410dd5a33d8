import {
  base64Texts,
  catalogCourse,
  contextForMember,
  courseField,
  courseKeysOfPath,
  courseOwnerKey,
  courseOwners,
  courseParamName,
  decodePercent,
  decodeTextOnce,
  fieldCourses,
  foldCase,
  hexTexts,
  joinedItems,
  namespacelessCourseIdsIn,
  previousWord,
  referrerWord,
  trailingPunctuation,
  wordsOf,
} from '@optin/consent/course-key';
import type { CollectorMember } from './collector-config.js';
import { createMemberResolver, parseCourseRun, readCourseKey } from './course-owner.js';
import { nestsDeeperThan } from './nesting-depth.js';
import { registrable } from './referrer.js';
import type { StoredEvent } from './stored-event.js';

/**
 * A Member's event as the Member is given it ({@link createMemberFacing}): every field but `keptFrom`,
 * `sessionId` and `sessionSeq` `null`, `context` and referrer-like properties only as far as they are the Member's.
 */
export type MemberFacingEvent = Omit<StoredEvent, 'keptFrom'>;

/** A word that says what a first arrival is: a URL, page, referrer, touch, path or location (glued: `firstpage`). */
const arrivalWhat = '(?:ur[li]|page|referr?er|referring|touch|path|pathname|href|location|landing)s?';
const firstGlued = new RegExp(`^(?:initial|first|original)${arrivalWhat}$`);
const firstThen = new RegExp(`^${arrivalWhat}$`);
/**
 * Whether the words of a name say it holds the learner's first arrival on the site (the platform's
 * touch): a word `landing…` or `entry…`, or `initial`, `first` or `original` followed by (or glued to)
 * a word for a URL, page, referrer, touch, path or location (`initial_referrer`, `$initial_page`,
 * `firstTouchReferrer`, `original_url`); not `original_image` or `first_video_url`.
 */
const firstWords = (words: readonly string[]): boolean =>
  words.some(
    (word, i) =>
      /^(?:landing|entry)/.test(word) ||
      firstGlued.test(word) ||
      (/^(?:initial|first|original)$/.test(word) && firstThen.test(words[i + 1] ?? '')),
  );

/** What the names of a property and of the objects holding it say its text is. */
interface Names {
  /** A referrer's (`referrer`, `ref`, …): its text is given only as a URL or a path. */
  readonly referrer: boolean;
  /** A previous page's (`previous_url`, `from`, …): its URLs and paths by origin and path only. */
  readonly previous: boolean;
  /** A first arrival's (`initial_…`, `landing_…`, …): its URLs and paths only on the Member's own courses. */
  readonly first: boolean;
  /** A course's (`course`, `course_runs`, …: {@link courseField}): an org field in its objects names a course. */
  readonly course: boolean;
  /** The orgs the objects holding it name ({@link fieldCourses}): a course's fields in its objects name theirs. */
  readonly orgs: readonly string[];
}
const noNames: Names = { referrer: false, previous: false, first: false, course: false, orgs: [] };

/** `names` and what the words of `key` add to them. */
function namesOf(key: string, names: Names): Names {
  // (`$ref` is a JSON Reference, no referrer.)
  const words = key === '$ref' ? [] : wordsOf(key);
  return {
    referrer: names.referrer || words.some(referrerWord),
    previous: names.previous || words.some(previousWord),
    first: names.first || firstWords(words),
    course: names.course || courseField(words),
    orgs: names.orgs,
  };
}

/**
 * A course key with its namespace, anywhere in text (its `+` possibly read as spaces), an asset's
 * (`asset-v1:Org+Course+Run+type@asset+block@…`) too; never a `%` (read once decoded).
 */
const part = '[\\p{L}\\p{N}_\\-~.]+';
const namespacedKey = new RegExp(
  `(ccx-block-v1|block-v1|ccx-v1|course-v1|asset-v1):(${part})(?:[+ ](${part})[+ ](${part}))?`,
  'giu',
);
/** What follows a key up to where it surely ends: a `%` in it, and the key is read once decoded. */
const keyTail = /[\p{L}\p{N}_\-~.%+]*/uy;
/**
 * A token of text (up to a blank, a quote, a bracket, `<>|^`, a backtick, `(),;`) that may hold a
 * path naming a course (a `:`, a `%` or `courses/`, as {@link courseKeysOfPath} reads); only these are read as paths.
 */
const pathToken = /(?<![^\s"'<>\\{}[\]|^`(),;])[^\s"'<>\\{}[\]|^`(),;]*(?:[:%]|courses?\/)[^\s"'<>\\{}[\]|^`(),;]*/gi;
/** An old asset (`/c4x/Org/Course/…`) or usage (`i4x://Org/Course/…`) of a course. */
const oldAsset = new RegExp(`(?:/c4x/|i4x:/{1,2})(${part})/(${part})`, 'giu');
/**
 * What may name a course (a key, a `courses` path, an old `Org/Course/Run`, an `Org+Course`, or text
 * encoded over one, base64 too: a run of 16 of its characters); else it names none.
 */
const mayNameCourse = /v1:|course|[ic]4x|[%\\[{"&/+]|[\w-]{16}/i;

/** How much reading one event may cost, whatever it holds (see {@link createMemberFacing}). */
const maxRounds = 8;
const maxJsonDepth = 4;
const readBudget = 256_000;

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

/** A query's or form's parameter naming an org (`org=`, `organization_key=`, `owner=`: see {@link fieldCourses}). */
const orgParam = /(?:org|owner|partner|institut|universit|school|provider)[\w.-]*=/i;
/** The `name=value` parameters of text (a query, a form, a fragment), as an object's fields (the last of a name). */
const paramsOf = (text: string): Record<string, string> =>
  Object.fromEntries(
    [...text.matchAll(/([^\s?&;#=]+)=([^\s&;#]*)/g)].map(([, name = '', value = '']) => [name, value]),
  );

/** Every string of a JSON value: the keys and values of its objects, at any depth. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, v]) => [key, ...stringsOf(v)]);
}

/** A URL: `http(s)://…` (any `scheme://`) or a path (`/…`); prose (`Answer: 42`) is none. */
const urlLike = /^(?:[a-z][a-z\d+.-]*:\/\/|\/)/i;
/** Text that is written as a URL or path, or as a host and path (`www.google.com/search?q=…`). */
const urlOrHostPath = /^\s*(?:[a-z][a-z\d+.-]*:\/\/|\/|[\w-]+(?:\.[\w-]+)+(?::\d+)?\/)/i;

/** A host (`www.bing.com`), as a key may be. */
const hostKey = /^\s*[\w-]+(?:\.[\w-]+)+(?::\d+)?\s*$/;

/** `text` parsed as a URL (`relative`: a path, `/…`), or `undefined` when it is neither. */
function urlOf(text: string): { url: URL; relative: boolean } | undefined {
  if (!urlLike.test(text)) return undefined;
  try {
    return text.startsWith('/')
      ? { url: new URL(text, 'https://path.invalid'), relative: true }
      : { url: new URL(text), relative: false };
  } catch {
    return undefined;
  }
}

/** The host of an absolute URL at the start of `text`, lower case; `undefined` for a path. */
const hostAt = (text: string): string | undefined =>
  /^[a-z][a-z\d+.-]*:\/\/(?:[^/?#@]*@)?(\[[^\]]*\]|[^/?#:]+)/i.exec(text)?.[1]?.toLowerCase();

/** What one event's reading has left to spend, and what it has read. */
interface Reading {
  /** Characters it may still read; below 0, unread text is left out. */
  left: number;
  /** Whether text was left out unread (its answers are not remembered across events). */
  spent: boolean;
  /** Each string's answer within the event. */
  readonly memo: Map<string, boolean>;
  /** The site (registrable domain) of the event's own page; `undefined` without one. */
  readonly site: string | undefined;
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
 * - with only the keys of `context` {@link contextForMember} gives: never `context.attribution` (the
 *   platform-wide first and last touch of `@optin/analytics`, which record no landing page),
 *   `context.referrer`, `context.traits` or any other key;
 * - with no text anywhere in `properties` (any key, at any depth, the keys too), nor in `url`,
 *   `path`, `campaign` or what it is given of `context`, that names a course whose Member, found as
 *   the collector finds an event's Member, is another or none (the platform's): left out with its
 *   key (an array's item, with its place). Text names a course when, as written or decoded (percent
 *   escapes, HTML character references, code escapes: {@link decodeTextOnce}, again and again, at most
 *   `maxRounds`), or inside JSON text (an object, array or string, its `\/` escapes read), it holds a `course-v1:`,
 *   `ccx-v1:`, `block-v1:`, `ccx-block-v1:` or `asset-v1:` key (its `+` possibly read as spaces,
 *   sentence punctuation after it not its own), an old asset or usage (`/c4x/Org/Course/…`,
 *   `i4x://Org/Course/…`), or a path that {@link courseKeysOfPath} reads one in (the old
 *   `Org/Course/Run` after `courses`, `HarvardX%2FCS50%2F2013`; one of no Member in the path of a URL
 *   on another site than the event's page is none), or an id {@link namespacelessCourseIdsIn} reads
 *   (an old `Org/Course/Run`, a catalog key `Org+Course` or a run's `Org+Course+Run` under a Member's
 *   org anywhere, any of them as a `course_id`, `courseId`, `course_key` or `course_run_key`
 *   parameter's value, a property so named too), or a query's or form's parameters that name one as
 *   an object's fields do (below); a key cut short (`course-v1:MITx`) names each run of its org.
 *   Base64 or base64url text ({@link base64Texts}: an OAuth `state`, a JWT, glued to a prefix too) and
 *   hex text ({@link hexTexts}), UTF-8 or UTF-16, are read decoded too. A catalog key of a course
 *   Members list a run of under an org that is no Member's is theirs (`Partner+Joint`), not the
 *   platform's. A URL or path that names one in its query or fragment only is given without them
 *   (origin and path);
 * - with no run of adjacent text items of an array that, joined, names such a course (a key split
 *   across items, `['course-v1:', 'HarvardX+CS50+2026']`);
 * - with no object (in JSON text too; the properties themselves: all left out) whose fields name
 *   such a course ({@link fieldCourses}: an org in an org field with a course's fields, or under a
 *   course's name, `{ org: 'HarvardX', number: 'CS50' }`, Discovery's `{ key, owners: [{ key }] }`):
 *   its run's Member where its course and run are given, its course's where its course is, else any
 *   Member a run of its org may be (an org of no Member's, in a field naming only an org: the
 *   platform's);
 * - with its `event` name given, each word of it naming such a course as `[course]`;
 * - read in bounded time: what cannot be read within `maxRounds`, `maxJsonDepth` and the event's
 *   `readBudget` is left out, never given unread;
 * - with JSON text in `properties` given with these rules applied inside it (as written unless
 *   something in it is left out);
 * - with each property named as a referrer ({@link referrerWord}: `referrer`, `referral_url`,
 *   `ref`, `urlref`, …) or a previous page ({@link previousWord}: `previous_url`, `prevPages`,
 *   `navigation.from`, `Previous URL`, …), or held by an object so named (`previous: { url }`, its
 *   keys that are URLs, paths or hosts too), only as far as it is the Member's: a URL or path
 *   (`scheme://…` or `/…`) by its origin and path only, and left out when its path names a course
 *   whose Member is another or none; a host and path with no scheme left out; other text left out
 *   under a referrer's name (`referring_domain`'s host is the event's `referrerHost`), kept under a
 *   previous page's (`source_location: 'sidebar'`, `from_date: '12/01/2026'`); numbers and booleans kept;
 * - with a first arrival's URL or path (a name {@link firstWords} reads as one, or an object so
 *   named holding it: `initial_referrer`, `$initial_page`, `first_referrer`, `landing_page`,
 *   `entry_url`; the platform's touch, as `attribution`) kept (origin and path only) only when its
 *   path names this Member's courses and no other.
 */
export function createMemberFacing(members: readonly CollectorMember[]): (event: StoredEvent) => MemberFacingEvent {
  return memberFacingReaders(members).event;
}

/** What a Member is given of a text field of its events, read alone ({@link createMemberFacingTexts}). */
export interface MemberFacingTexts {
  /** A page path (an event's `path`) as the Member `memberId` is given it: `null` where it is not. */
  readonly path: (path: string, memberId: string) => string | null;
  /** An event name as the Member `memberId` is given it (each word naming another's course as `[course]`). */
  readonly eventName: (name: string, memberId: string) => string;
}

/**
 * Makes the readers that give a page path or an event name as {@link createMemberFacing} gives them
 * to a Member (a path read with no page URL): for what a Member counts or filters by (`/stats`'
 * `topPages`, `/events?event=`), so that it learns no more by them than its events give.
 */
export function createMemberFacingTexts(members: readonly CollectorMember[]): MemberFacingTexts {
  const { path, eventName } = memberFacingReaders(members);
  return { path, eventName };
}

/** The readers of {@link createMemberFacing} and {@link createMemberFacingTexts}, sharing what they remember. */
function memberFacingReaders(
  members: readonly CollectorMember[],
): MemberFacingTexts & { event: (event: StoredEvent) => MemberFacingEvent } {
  const memberOf = createMemberResolver(members);
  // What a key or an org is found to be is remembered (bounded): one text may name thousands, read each decoding round.
  const remembering = <T>(find: (s: string) => T) => {
    const found = new Map<string, T>();
    return (s: string): T => {
      if (found.has(s)) return found.get(s) as T;
      const owner = find(s);
      if (found.size >= 10_000) found.clear();
      found.set(s, owner);
      return owner;
    };
  };
  const ownerOf = remembering((id) => memberOf({ type: 'track', event: '', context: { course: { id } } }));
  const ownerOfOrg = remembering((org) => memberOf({ type: 'track', event: '', context: { course: { org } } }));
  // The runs Members list (as their owner finds them), by org and course (old assets and catalog keys name
  // no run) and by org (a key cut short names none).
  const listed = new Set<string>();
  const listedByCourse = new Map<string, string[]>();
  const listedByOrg = new Map<string, string[]>();
  // The orgs of Members and of the runs they list: an old `Org/Course/Run` or `Org+Course` under one is read anywhere.
  const orgs = new Set(members.flatMap((m) => (m.orgs ?? []).map(foldCase)));
  for (const m of members)
    for (const key of m.courses ?? []) {
      const run = parseCourseRun(key);
      if (!run) continue;
      orgs.add(foldCase(run.org));
      listed.add(courseOwnerKey(run));
      const course = foldCase(`${run.org}+${run.course}`);
      listedByCourse.set(course, [...(listedByCourse.get(course) ?? []), m.id]);
      listedByOrg.set(foldCase(run.org), [...(listedByOrg.get(foldCase(run.org)) ?? []), m.id]);
    }
  /** The Member of a course key, read without punctuation ending it (`…+2026.`) unless a Member lists it so. */
  const ownerOfKey = (key: string): string | undefined => {
    const trimmed = key.replace(trailingPunctuation, '');
    if (trimmed === key) return ownerOf(key);
    const read = readCourseKey(key);
    return read && listed.has(courseOwnerKey(read.run)) ? ownerOf(key) : ownerOf(trimmed);
  };

  /** The Members of an id {@link namespacelessCourseIdsIn} gives (remembered: one text may name thousands). */
  const ownersOfId = remembering((id): (string | undefined)[] => {
    // A catalog key is its org's course, and the course of each Member listing a run of it.
    const catalog = catalogCourse(id);
    if (catalog) return ownersOfCourse(catalog.org, catalog.course);
    return readCourseKey(id) ? [ownerOfKey(id)] : [];
  });
  /** Whether an org is a Member's, or of a run a Member lists. */
  const isOrg = (org: string) => orgs.has(foldCase(org));
  // The Members of a course (of any run), of the courses an object's fields name, and whether an object in a
  // JSON value, at any depth, names by its fields a course whose Member is not `memberId` (`other`), as a Member's
  // tracker finds them.
  const {
    ofCourse: ownersOfCourse,
    ofFields: ownersOfFields,
    fieldsOf,
    objectsName,
  } = courseOwners({
    ofOrg: ownerOfOrg,
    ofKey: ownerOfKey,
    listingCourse: listedByCourse,
    listingOrg: listedByOrg,
    isOrg,
  });
  const other = (memberId: string | null) => (owner: string | undefined) => (owner ?? null) !== memberId;

  /**
   * The Members (`undefined`: none) of the courses `text` names as written (see
   * {@link createMemberFacing}); `final`: `text` decodes no further (a key before a `%` is read too).
   */
  const ownersIn = (text: string, final: boolean, site: string | undefined): (string | undefined)[] => {
    const owners: (string | undefined)[] = [];
    const unescaped = text.replace(/\\\//g, '/');
    // (Each reading only where its mark is, a `:`, `4x` or `/`: most text has none.)
    if (unescaped.includes(':'))
      for (const m of unescaped.matchAll(namespacedKey)) {
        const [whole, namespace = '', org = '', course, run] = m;
        keyTail.lastIndex = m.index + whole.length;
        if (!final && keyTail.exec(unescaped)?.[0].includes('%')) continue;
        // A CCX is its org's; a run (or a block or asset of it) the Member's that lists it, else its org's;
        // a key cut short (`course-v1:MITx `) may be any run of its org, those Members list too.
        const ccx = namespace.toLowerCase().startsWith('ccx');
        if (course && run && !ccx) owners.push(ownerOfKey(`course-v1:${org}+${course}+${run}`));
        else owners.push(ownerOfOrg(org.replace(trailingPunctuation, '')));
        if (!course && !ccx) owners.push(...(listedByOrg.get(foldCase(org.replace(trailingPunctuation, ''))) ?? []));
      }
    if (/4x/i.test(unescaped))
      for (const [, org = '', course = ''] of unescaped.matchAll(oldAsset)) owners.push(...ownersOfCourse(org, course));
    for (const id of namespacelessCourseIdsIn(unescaped, isOrg)) owners.push(...ownersOfId(id));
    // A query's or form's parameters, as an object's fields (`?org=MITx&number=6.002x`).
    if (unescaped.includes('=') && orgParam.test(unescaped))
      owners.push(...ownersOfFields(fieldCourses(paramsOf(unescaped), noNames, isOrg).courses));
    if (unescaped.includes('/'))
      for (const [token] of unescaped.matchAll(pathToken))
        if (token.includes('/'))
          // Each URL in it on its own (a URL in another's query): an old key of no Member in the path
          // of a URL on another site than the event's is no course of the platform's (`ocw.mit.edu/courses/a/b/c`).
          for (const piece of token.split(/(?<![a-z\d+.-])(?=[a-z][a-z\d+.-]*:\/\/)/i)) {
            const host = hostAt(piece);
            const foreign = site !== undefined && host !== undefined && registrable(host) !== site;
            const cut = foreign ? piece.search(/[?#]/) : -1;
            const [path, rest] =
              cut < 0 ? (foreign ? [piece, ''] : ['', piece]) : [piece.slice(0, cut), piece.slice(cut)];
            for (const key of courseKeysOfPath(path.replace(/[?#&=]/g, '/'), 'text')) {
              const owner = ownerOfKey(key);
              if (owner !== undefined || key.includes(':')) owners.push(owner);
            }
            for (const key of courseKeysOfPath(rest.replace(/[?#&=]/g, '/'), 'text')) owners.push(ownerOfKey(key));
          }
    return owners;
  };

  // Pages and property values repeat from event to event: what they name is remembered (bounded).
  const remembered = new Map<string, boolean>();
  /** Whether `text` names a course whose Member is not `memberId` (see {@link createMemberFacing}). */
  const namesOther = (text: string, memberId: string | null, reading: Reading, depth = 0): boolean => {
    if (!mayNameCourse.test(text)) return false;
    let answer = reading.memo.get(text);
    if (answer !== undefined) return answer;
    const key = `${memberId ?? ''}\n${reading.site ?? ''}\n${text}`;
    answer = remembered.get(key);
    if (answer === undefined) {
      const spent = reading.spent;
      answer = namesOtherIn(text, memberId, reading, depth);
      if (remembered.size >= 4096) remembered.clear();
      // (An answer that ran out of budget, or read too deep in JSON text, is this event's only.)
      if (text.length <= 1024 && depth === 0 && reading.spent === spent) remembered.set(key, answer);
    }
    reading.memo.set(text, answer);
    return answer;
  };
  /**
   * {@link namesOther}, read: at most `maxRounds` decoding rounds, each only while the text changes;
   * JSON text parsed once, its strings read once each (`depth`: JSON text in a string in JSON text),
   * at most `maxJsonDepth` deep; every character read spent from the event's budget. What cannot be
   * read within these bounds is answered `true` (left out), never given unread.
   */
  const namesOtherIn = (text: string, memberId: string | null, reading: Reading, depth: number): boolean => {
    let parsed = false;
    for (let round = 0, value = text; ; round++) {
      reading.left -= value.length;
      if (reading.left < 0) return (reading.spent = true);
      const next = decodeTextOnce(value);
      const final = next === value;
      if (ownersIn(value, final, reading.site).some((owner) => (owner ?? null) !== memberId)) return true;
      // Base64 and hex text is read decoded (JSON text's depth bounds how deep in it it is read).
      const texts = [...base64Texts(value), ...hexTexts(value)];
      if (
        depth >= maxJsonDepth
          ? texts.some((t) => mayNameCourse.test(t))
          : texts.some((t) => namesOther(t, memberId, reading, depth + 1))
      )
        return true;
      if (!parsed) {
        const json = jsonOf(value);
        if (json !== undefined) {
          parsed = true;
          if (json === tooDeep || objectsName(json, noNames, other(memberId))) return true;
          const strings = stringsOf(json);
          if (depth >= maxJsonDepth) return strings.some((s) => mayNameCourse.test(s));
          if (strings.some((s) => namesOther(s, memberId, reading, depth + 1))) return true;
        }
      }
      if (final) return false;
      // Still encoded after every round: left out.
      if (round + 1 >= maxRounds) return true;
      value = next;
    }
  };

  /** The course keys a URL's path names that count: an old key of no Member on another site does not (see {@link ownersIn}). */
  const coursesOfUrl = ({ url, relative }: { url: URL; relative: boolean }, site: string | undefined) => {
    const foreign = !relative && site !== undefined && registrable(url.hostname.toLowerCase()) !== site;
    return courseKeysOfPath(url.pathname, 'text').filter(
      (key) => !foreign || key.includes(':') || ownerOfKey(key) !== undefined,
    );
  };

  /**
   * What the Member is given of `text`, a string of `properties` (or the event's `url`, `path`)
   * under `names`: `undefined` when nothing. `depth`: how deep in JSON text in strings it is.
   */
  const textFor = (text: string, memberId: string | null, names: Names, reading: Reading, depth = 0): unknown => {
    let given = text;
    if (namesOther(given, memberId, reading)) {
      const url = urlOf(given);
      if (!url) return undefined;
      given = bare(url);
      if (namesOther(given, memberId, reading)) return undefined;
    }
    if (/^\s*[[{"]/.test(given) && (reading.left -= given.length) < 0) return void (reading.spent = true);
    const json = jsonOf(given);
    // JSON text too deep to read through (or in strings nested too deep) is left out: what it holds cannot be told.
    if (json === tooDeep || (json !== undefined && typeof json === 'object' && depth >= maxJsonDepth)) return undefined;
    if (typeof json === 'object' && json !== null) {
      const inside = forMember(json, memberId, names, reading, depth + 1);
      return JSON.stringify(inside) === JSON.stringify(json) ? given : JSON.stringify(inside);
    }
    if (given === '' || !(names.referrer || names.previous || names.first)) return given;
    // Text that is no URL or path (written so, percent-decoded too: `/…` or `scheme://…`, or a host
    // and a path): a referrer's host is left out, a word (`sidebar`), a date (`12/01/2026`), a MIME type
    // or prose (`Answer: 42`) under a previous page's or a first arrival's name kept.
    let plain = given;
    for (let round = 0; round < maxRounds && plain.includes('%'); round++) {
      const next = decodePercent(plain);
      if (next === plain) break;
      plain = next;
    }
    if (!urlOrHostPath.test(plain)) return names.referrer ? undefined : given;
    // (A URL percent-encoded whole, `https%3A%2F%2F…`, or with no scheme, is left out: it cannot be given bare as written.)
    const url = urlOf(given);
    if (!url) return undefined;
    const courses = coursesOfUrl(url, reading.site);
    if (courses.some((key) => (ownerOfKey(key) ?? null) !== memberId) || (names.first && !courses.length))
      return undefined;
    return bare(url);
  };

  /** `value` as the Member `memberId` is given it under `names` (see {@link createMemberFacing}): `undefined` when nothing. */
  const forMember = (value: unknown, memberId: string | null, names: Names, reading: Reading, depth = 0): unknown => {
    if (typeof value === 'string') return textFor(value, memberId, names, reading, depth);
    if (Array.isArray(value)) {
      const items: unknown[] = value
        .map((item) => forMember(item, memberId, names, reading, depth))
        .filter((item) => item !== undefined);
      // Each run of adjacent text items that, joined, names a course whose Member is not `memberId` (a key
      // split across items, `['course-v1:', 'HarvardX+CS50+2026']`; a key whose `+` are spaces, cut at one,
      // shows its org) is left out, the run's other items too.
      for (const { start, end, text } of joinedItems(items))
        if (namesOther(text, memberId, reading)) items.fill(undefined, start, end);
      return items.filter((item) => item !== undefined);
    }
    if (typeof value !== 'object' || value === null) return value;
    // An object naming another's course by its fields (`{ org, number }`) is left out whole.
    const fields = fieldsOf(value, names, other(memberId));
    if (fields.other) return undefined;
    const held: Names = fields.orgs === names.orgs ? names : { ...names, orgs: fields.orgs };
    // A key that is a URL, path or host under a referrer's, previous page's or first arrival's name is
    // read as its values are (`referrers: { 'https://www.google.com/search?q=…': 2 }`, `'www.bing.com'`);
    // any other (`referrer: { url }`) by the value rule alone.
    const named = names.referrer || names.previous || names.first;
    const keyFor = (key: string): string | undefined =>
      named && (urlOrHostPath.test(decodePercent(key)) || hostKey.test(key))
        ? (textFor(key, memberId, names, reading, maxJsonDepth) as string | undefined)
        : namesOther(key, memberId, reading)
          ? undefined
          : key;
    // (Entries, not assignments: a property named `__proto__` stays a property.)
    return Object.fromEntries(
      Object.entries(value).flatMap(([key, v]): [string, unknown][] => {
        const givenKey = keyFor(key);
        if (givenKey === undefined) return [];
        // A course id parameter's value is read as in a query (`course_id: 'MITx/6.002x/2012_Fall'`).
        if (courseParamName(key) && typeof v === 'string' && namesOther(`${key}=${v}`, memberId, reading)) return [];
        const given = forMember(v, memberId, namesOf(key, held), reading, depth);
        return given === undefined ? [] : [[givenKey, given]];
      }),
    );
  };

  /**
   * The event's name as the Member is given it: each word naming another's course (or the
   * platform's) as `[course]` (`Clicked course-v1:HarvardX+CS50+2026_T1` is `Clicked [course]`);
   * all of it `[course]` when it still names one.
   */
  const eventNameFor = (name: string | null, memberId: string | null, reading: Reading): string | null => {
    if (name === null || !namesOther(name, memberId, reading)) return name;
    const words = name
      .split(/(\s+)/)
      .map((word) => (/\S/.test(word) && namesOther(word, memberId, reading) ? '[course]' : word))
      .join('');
    return namesOther(words, memberId, reading) ? '[course]' : words;
  };

  /** A reading of a text alone (no page URL). */
  const alone = (): Reading => ({ left: readBudget, spent: false, memo: new Map(), site: undefined });
  const path = (text: string, memberId: string): string | null =>
    (textFor(text, memberId, noNames, alone()) as string | undefined) ?? null;
  const eventName = (name: string, memberId: string): string => eventNameFor(name, memberId, alone()) ?? name;

  const eventFor = (event: StoredEvent): MemberFacingEvent => {
    const facing: Partial<Record<keyof StoredEvent, unknown>> = { ...event };
    delete facing.keptFrom;
    const { memberId } = event;
    const host = event.url === null ? undefined : hostAt(event.url);
    const reading: Reading = {
      left: readBudget,
      spent: false,
      memo: new Map(),
      site: host === undefined ? undefined : registrable(host),
    };
    const keeps = (text: string) => !namesOther(text, memberId, reading);
    const own = (text: string | null) =>
      text === null ? null : ((textFor(text, memberId, noNames, reading) as string | undefined) ?? null);
    const url = own(event.url);
    const path = own(event.path);
    const eventName = eventNameFor(event.event, memberId, reading);
    const campaign = event.campaign && Object.entries(event.campaign).filter(([key, v]) => keeps(key) && keeps(v));
    return {
      ...(facing as MemberFacingEvent),
      event: eventName,
      sessionId: null,
      sessionSeq: null,
      url,
      path,
      campaign: campaign?.length ? Object.fromEntries(campaign) : null,
      context: contextForMember(event.context, keeps),
      properties: (forMember(event.properties, memberId, noNames, reading) ?? {}) as Record<string, unknown>,
    };
  };
  return { event: eventFor, path, eventName };
}
