import {
  base64Texts,
  catalogCourse,
  contextForMember,
  courseField,
  courseFromUrl,
  courseKeysOfPath,
  courseOfKey,
  courseOwnerKey,
  courseOwners,
  courseParamName,
  decodeTextOnce,
  fieldCourses,
  foldCase,
  hexTexts,
  joinedItems,
  namespacedKeysIn,
  namespacelessCourseIdsIn,
  oldAssetsIn,
  paramFields,
  parseCourseKey,
  pathPiecesIn,
  previousWord,
  referrerWord,
  trailingPunctuation,
  wordsOf,
  type FieldContext,
} from '@optin/consent/course-key';
import type { Member } from './config.js';
import type { Registry } from './registry.js';

// The words of a name holding a referrer (`referrer`, `httpReferer`, `ref`, …) or the previous page
// (`previous_url`, `prevPages`, `from`, …) are those the collector reads (`@optin/consent/course-key`),
// so that the browser gives a Member's tracker what the collector gives the Member.
/**
 * A namespaced key in text, up to where no key goes on (a blank, a quote, a bracket, `/?#&=,;`), its
 * namespace in any case as the collector reads it: `CCX-V1:MITx+…` is no key to Open edX, but text
 * so written still names MITx to whoever reads it (its org's Member, as a key cut short).
 */
const keyIn = /(?:ccx-block|block|ccx|course)-v1:[^\s"'`<>()[\]{}|^\\/?#&=,;]*/gi;
/** How deep a property is read; what is deeper is left out unread. */
const maxDepth = 8;
/** How many times text is decoded to find a key in it; text still encoded after that names one. */
const maxRounds = 8;

/**
 * `text` as written and each decoding of it ({@link decodeTextOnce}: percent escapes, code escapes,
 * HTML character references), while it changes, at most `maxRounds`; `null` when it is still
 * encoded after them (read as naming a course: never given unread).
 */
function readings(text: string): string[] | null {
  const all = [text];
  for (let round = 0; round < maxRounds; round++) {
    const next = decodeTextOnce(all[all.length - 1] ?? '');
    if (next === all[all.length - 1]) return all;
    all.push(next);
  }
  return null;
}

/** How deep text inside text (base64, hex, JSON text) is read; deeper, what may name a course is left out. */
const maxInside = 4;
/** Characters one call may read (each decoding, each text inside text); past them, what may name a course is left out. */
const readBudget = 256_000;
/**
 * What may name a course (a key, a `courses` path, an old `Org/Course/Run`, an `Org+Course`, or text
 * encoded over one, base64 too: a run of 16 of its characters); else text names none.
 */
const mayNameCourse = /v1:|course|[ic]4x|[%\\[{"&/+]|[\w-]{16}/i;
/** How deep JSON text may nest to be read (a message's limit at the collector); deeper, it is left out. */
const maxJsonNesting = 32;
const tooDeep = Symbol('too deep');

/** Whether a JSON value nests deeper than `limit` (the walk stops there). */
const nestsDeeper = (value: unknown, limit: number): boolean =>
  typeof value === 'object' &&
  value !== null &&
  (limit < 0 || Object.values(value).some((v) => nestsDeeper(v, limit - 1)));

/** The value of JSON text (an object, array or string); `undefined` when it is none, `tooDeep` past {@link maxJsonNesting}. */
function jsonOf(text: string): unknown {
  if (!/^\s*[[{"]/.test(text)) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return nestsDeeper(value, maxJsonNesting) ? tooDeep : value;
  } catch {
    return undefined;
  }
}

/** Every string of a JSON value: the keys and values of its objects, at any depth. */
const stringsOf = (value: unknown): string[] =>
  typeof value === 'string'
    ? [value]
    : typeof value === 'object' && value !== null
      ? Object.entries(value).flatMap(([key, v]) => [key, ...stringsOf(v)])
      : [];

/** What the names of a property and of the objects holding it say of it. */
interface Names extends FieldContext {
  /** A referrer's (`referrer`, `ref`, …): its text is given only as a URL or a path. */
  readonly referrer: boolean;
  /** A previous page's (`previous_url`, `from`, …): its URLs and paths by origin and path only. */
  readonly previous: boolean;
}
const noNames: Names = { referrer: false, previous: false, course: false, orgs: [] };

/** What a Member's tracker is given of an event ({@link memberFacing}). */
export interface MemberFacing {
  /**
   * An event's properties (a page's, an action's, the learner's traits): every text (at any depth, a
   * key too) that names a course whose Member is another or none, as the collector reads it
   * (`@optin/consent/course-key`), left out (`''`; a key with its entry): as written or decoded
   * (percent escapes, code escapes, HTML character references, again while it changes; text still
   * encoded after 8 rounds is left out); a namespaced key (`course-v1:`, `ccx-v1:`, `block-v1:`,
   * `asset-v1:`, any case; one cut short naming each run of its org), an old asset (`/c4x/`,
   * `i4x://`), a path naming one, an old `Org/Course/Run`, catalog `Org+Course` or run `Org+Course+Run`
   * under a Member's org anywhere, or any of them as a course id parameter's value (`course_id`,
   * `course_key`, a property so named too), a query's org parameters with course ones; inside
   * base64, hex or JSON text too; adjacent text items of an array that join to one (each `''`); an
   * object whose fields name one (`{ org: 'MITx', number: '6.00.1x' }`: left out). A URL naming one
   * only in its query or fragment is given by its origin and path; under a referrer's or previous
   * page's name (or in an object so named), a URL (`scheme://…`) or path is given by its origin and
   * path only (`''` when that names such a course), other text under a referrer's name left out.
   * Numbers, booleans and dates are kept; what nests deeper than `maxDepth` is left out, and so is
   * what may name a course once 256,000 characters have been read.
   */
  properties<T extends Readonly<Record<string, unknown>>>(properties: T): T;
  /** An action's or page's name, each word naming such a course `[course]` (`Clicked [course]`). */
  name(name: string): string;
  /**
   * An event's `context` as the collector gives it to a Member: its page's title, language, time zone,
   * library, app, OS, device and screen, without text naming such a course; nothing else.
   */
  context(context: Readonly<Record<string, unknown>> | undefined): Record<string, unknown>;
}

/**
 * Makes what a Member's tracker is given of an event, as the collector gives the Member its events
 * (@optin/collector's member-facing-event.ts): nothing that names another Member's course, nor the
 * platform's.
 */
export function memberFacing(registry: Registry, member: Member): MemberFacing {
  const memberFor: Registry['memberFor'] = (where) => registry.memberFor(where);
  // The runs Members list, and the Members listing a run under each org and of each course: a key
  // cut short at its org may name those runs, a catalog key or an old asset any of its course's.
  const runs = new Set<string>();
  const listers = new Map<string, Member[]>();
  const byCourse = new Map<string, Member[]>();
  const add = (map: Map<string, Member[]>, key: string, m: Member) => map.set(key, [...(map.get(key) ?? []), m]);
  // The orgs of Members and of the runs they list: an old `Org/Course/Run` or `Org+Course` under one is read anywhere.
  const orgs = new Set(registry.config.members.flatMap((m) => (m.orgs ?? []).map(foldCase)));
  for (const m of registry.config.members)
    for (const id of m.courses ?? []) {
      const course = parseCourseKey(id);
      if (!course) continue;
      orgs.add(foldCase(course.org));
      runs.add(courseOwnerKey(course));
      add(listers, foldCase(course.org), m);
      add(byCourse, foldCase(`${course.org}+${course.course}`), m);
    }
  const isOrg = (org: string) => orgs.has(foldCase(org));
  const ofOrg = (org: string) => memberFor({ orgId: org });
  // A key's Member, read without punctuation ending it (`…+2026.`) unless a Member lists it so.
  const ofKey = (key: string): Member | null => {
    const trimmed = key.replace(trailingPunctuation, '');
    const read = trimmed === key ? null : courseOfKey(key);
    return memberFor({ courseId: read && runs.has(courseOwnerKey(read)) ? key : trimmed });
  };
  // A course's Members (of any run), those of the courses an object's fields name, and whether an object in a
  // JSON value, at any depth, names by its fields a course of a Member `other` picks, as the collector finds them.
  const { ofCourse, ofFields, fieldsOf, objectsName } = courseOwners({
    ofOrg,
    ofKey,
    listingCourse: byCourse,
    listingOrg: listers,
    isOrg,
  });
  // A Member not this one, or the platform.
  const other = (m: Member | null) => m !== member;
  // The Members of the courses text names as written, as the collector reads them (`final`: it decodes no further).
  const ownersIn = (written: string, final: boolean): (Member | null)[] => {
    const text = written.replace(/\\\//g, '/');
    const owners: (Member | null)[] = [];
    for (const { namespace, org, course, run, encoded } of namespacedKeysIn(text)) {
      if (encoded && !final) continue;
      const ccx = namespace.toLowerCase().startsWith('ccx');
      const orgRead = org.replace(trailingPunctuation, '');
      owners.push(course && run && !ccx ? ofKey(`course-v1:${org}+${course}+${run}`) : ofOrg(orgRead));
      if (!course && !ccx) owners.push(...(listers.get(foldCase(orgRead)) ?? []));
    }
    for (const { org, course } of oldAssetsIn(text)) owners.push(...ofCourse(org, course));
    for (const id of namespacelessCourseIdsIn(text, isOrg)) {
      const catalog = catalogCourse(id);
      owners.push(...(catalog ? ofCourse(catalog.org, catalog.course) : courseOfKey(id) ? [ofKey(id)] : []));
    }
    const params = paramFields(text);
    if (params) owners.push(...ofFields(fieldCourses(params, noNames, isOrg).courses));
    for (const piece of pathPiecesIn(text))
      for (const key of courseKeysOfPath(piece.replace(/[?#&=]/g, '/'), 'text')) owners.push(ofKey(key));
    return owners;
  };
  const foreignKey = (key: string): boolean => {
    // (A namespace alone names nothing; joined to the next item of an array, it may.)
    if (key.endsWith(':')) return false;
    const course = courseOfKey(key);
    if (course) return memberFor({ courseId: course.id }) !== member;
    const org = /:([^+%]*)/.exec(key)?.[1] ?? '';
    return [ofOrg(org), ...(listers.get(foldCase(org)) ?? [])].some((m) => m !== member);
  };
  // Characters this call may still read.
  let left = readBudget;
  // Whether text names a course not the Member's: read as written and each time decoded (an encoded
  // URL in a query, a key behind HTML character references), and what it holds (base64, hex, JSON
  // text) `depth` deep; text still encoded after every round, or unread once the budget is spent, does.
  const foreign = (text: string, depth = 0): boolean => {
    const all = readings(text);
    return (
      all === null ||
      all.some((t, round) => {
        const page = /^(?:[a-z][a-z\d+.-]*:\/\/|\/)/i.test(t) && courseFromUrl(t);
        if (
          (page && memberFor({ courseId: page.id }) !== member) ||
          [...t.matchAll(keyIn)].some(([k]) => foreignKey(k))
        )
          return true;
        if (!mayNameCourse.test(t)) return false;
        if ((left -= t.length) < 0) return true;
        return ownersIn(t, round === all.length - 1).some((m) => m !== member) || inside(t, depth);
      })
    );
  };
  // Whether base64, hex or JSON text in text names a course not the Member's.
  const inside = (text: string, depth: number): boolean => {
    const json = jsonOf(text);
    if (json === tooDeep || (json !== undefined && objectsName(json, noNames, other))) return true;
    const texts = [...base64Texts(text), ...hexTexts(text), ...(json === undefined ? [] : stringsOf(json))];
    return depth >= maxInside
      ? texts.some((t) => mayNameCourse.test(t))
      : texts.some((t) => t !== text && foreign(t, depth + 1));
  };
  // A URL's (`scheme://…`) or path's (`/…`) origin and path, never its query, fragment or credentials;
  // `undefined` for other text.
  const bare = (text: string): string | undefined => {
    if (!/^(?:[a-z][a-z\d+.-]*:\/\/|\/)/i.test(text)) return undefined;
    try {
      const url = new URL(text, 'https://path.invalid');
      url.username = url.password = url.search = url.hash = '';
      return text.startsWith('/') && !text.startsWith('//') ? url.pathname : url.href;
    } catch {
      return undefined;
    }
  };
  const text = (s: string, { referrer, previous }: Names): string => {
    if (!referrer && !previous && !foreign(s)) return s;
    const url = bare(s);
    if (url !== undefined) return foreign(url) ? '' : url;
    return referrer || foreign(s) ? '' : s;
  };
  const walk = (value: unknown, names: Names, depth: number): unknown => {
    if (typeof value === 'string') return text(value, names);
    if (typeof value !== 'object' || value === null || value instanceof Date) return value;
    if (depth > maxDepth) return undefined;
    if (Array.isArray(value)) {
      const items = value.map((v) => walk(v, names, depth + 1));
      // Adjacent text items given that join to another's course (a key split across them): each `''`.
      for (const { start, end, text: joined } of joinedItems(items)) if (foreign(joined)) items.fill('', start, end);
      return items;
    }
    // An object naming another's course by its fields (`{ org, number }`) is left out whole.
    const fields = fieldsOf(value, names, other);
    if (fields.other) return undefined;
    const given: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (foreign(key)) continue;
      const words = wordsOf(key);
      // A course id parameter's value is read as in a query (`course_id: 'MITx/6.002x/2012_Fall'`).
      given[key] =
        courseParamName(key) && typeof v === 'string' && foreign(`${key}=${v}`)
          ? ''
          : walk(
              v,
              {
                referrer: names.referrer || words.some(referrerWord),
                previous: names.previous || words.some(previousWord),
                course: names.course || courseField(words),
                orgs: fields.orgs,
              },
              depth + 1,
            );
    }
    return given;
  };
  // Each call reads within its own budget.
  const budgeted =
    <A, R>(f: (a: A) => R) =>
    (a: A): R => {
      left = readBudget;
      return f(a);
    };
  return {
    // (Text stays text: the fields an event's type says it has are kept, as what they were or `''`.)
    properties: budgeted(<T>(properties: T) => walk(properties, noNames, 0) as T),
    name: budgeted((name: string) =>
      foreign(name)
        ? name
            .split(/(\s+)/)
            .map((word) => (foreign(word) ? '[course]' : word))
            .join('')
        : name,
    ),
    context: budgeted((context: Readonly<Record<string, unknown>> | undefined) =>
      contextForMember(context, (s) => !foreign(s)),
    ),
  };
}
