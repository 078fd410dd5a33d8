import { foldCase, readKey } from './course-key-parser.js';
import { wordsOf } from './course-key-words.js';

/** A course an object's fields name ({@link fieldCourses}): its org, and its course and run where fields give them. */
export interface FieldCourse {
  /** The org, as an org field gives it. */
  readonly org: string;
  /**
   * The course code (`CS50`): of a key of its org in a course's field (`course_id`, `courserun_key`,
   * Discovery's catalog `key`), else of a `course`, `number`, `course_number`, `code` or `key` field
   * that is a key's part.
   */
  readonly course: string | undefined;
  /** The run (`2026_T1`): of that key, else of a `run` or `course_run` field that is a key's part. */
  readonly run: string | undefined;
}

/** What the objects holding an object say of it ({@link fieldCourses}). */
export interface FieldContext {
  /** Whether one is held under a course's name (`course: { org }`, `course_runs: [{ owners }]`). */
  readonly course: boolean;
  /** The orgs the nearest holding one naming any names (`{ org: 'MITx', details: { number } }`). */
  readonly orgs: readonly string[];
}

/** What {@link fieldCourses} reads in an object. */
export interface FieldsRead {
  /** The courses it names. */
  readonly courses: readonly FieldCourse[];
  /** The orgs it names (those of its context without any): the context of the objects it holds. */
  readonly orgs: readonly string[];
}

/** A word naming an org (`org`, `organizations`, `owner`, `partners`, glued after `course`: `courseorg`). */
const orgWord = /^(?:course)?(?:org|organi[sz]ation|owner|partner|institution|universit(?:y|ie)|school|provider)s?$/;
/** An org word that names nothing but an org (`owner`, `partner`, … may name a user or a company). */
const onlyOrgWord = /^(?:course)?(?:org|organi[sz]ation)s?$/;
/** What may follow an org word in an org field's name (`org_id`, `org_key`, `organization_code`). */
const idWord = /^(?:id|key|code)$/;
/** Text that a property's name may hold an org word in (most names hold none: their objects are read no further). */
const mayNameOrg = /org|owner|partner|institut|universit|school|provider/i;
/** A part of a course key (an org, a course, a run): no blank, no `+`, `/` or `:`. */
const keyPart = /^[\p{L}\p{N}_\-~.]+$/u;
/** An id of another system (a number, a UUID): an org only when it is a Member's (`org_id: '42'` is none). */
const otherId = /^(?:\d+|[\dA-Fa-f]{8}(?:-[\dA-Fa-f]{4}){3}-[\dA-Fa-f]{12})$/;

/**
 * Whether a property's name is an org field's, and how surely: `sure` (`org`, `org_id`, `org_key`,
 * `organization`, `course_org`, `authoring_organizations`), `maybe` (`owner`, `owners`, `partner`,
 * `institution`, `school`, `provider`: a user's or a company's too); `undefined` for any other
 * (`org_name`, a display name, is none).
 */
function orgField(words: readonly string[]): 'sure' | 'maybe' | undefined {
  const last = words.length - (words.length > 1 && idWord.test(words.at(-1) ?? '') ? 2 : 1);
  const word = words[last] ?? '';
  if (!orgWord.test(word)) return undefined;
  return onlyOrgWord.test(word) ? 'sure' : 'maybe';
}

/**
 * Whether a property's name says it holds a course or a course's part: a word starting `course`
 * (`course`, `courses`, `course_runs`, `courserun_key`, `course_number`), or `number`, `num`,
 * `run`, `runs`, `key`, `keys`, `code`, `catalog_number`.
 */
export const courseField = (words: readonly string[]): boolean =>
  words.some((word) => word.startsWith('course')) ||
  /^(?:(?:catalog )?num(?:ber)?|runs?|keys?|code)$/.test(words.join(' '));

/** What a property's name says of its field ({@link fieldOf}). */
interface Field {
  /** Whether it is an org field, and how surely ({@link orgField}). */
  readonly org: 'sure' | 'maybe' | undefined;
  /** Whether it names a course or a course's part ({@link courseField}; `course_org` too). */
  readonly course: boolean;
  /** Whether it names nothing but a course or its part (not `key`, `code`, `num`: an error's code, a page's number). */
  readonly onlyCourse: boolean;
  /** The key part its text may be: a course's code (`course`, `number`, `code`, `key`) or a run's. */
  readonly part: 'course' | 'run' | undefined;
  /** Whether its text is an org's id in an org's object (`key`, `short_name`, `code`, an org field). */
  readonly orgId: boolean;
  /** Whether it is `id` or `key` (a course's key under a course's name). */
  readonly id: boolean;
}
// Names repeat from object to object: what they say is remembered (bounded).
const fields = new Map<string, Field>();
/** What a property's name says of its field, remembered. */
function fieldOf(key: string): Field {
  let field = fields.get(key);
  if (field) return field;
  const words = wordsOf(key);
  const name = words.join(' ');
  const org = orgField(words);
  field = {
    org,
    course: courseField(words),
    onlyCourse: words.some((word) => word.startsWith('course')) || /^(?:(?:catalog )?number|runs?)$/.test(name),
    part: /^(?:(?:course|catalog) )?(?:number|num|code)$|^(?:course|key)$/.test(name)
      ? 'course'
      : /^(?:course )?run$/.test(name)
        ? 'run'
        : undefined,
    orgId: org !== undefined || /^(?:key|short name|code)$/.test(name),
    id: /^(?:id|key)$/.test(name),
  };
  if (fields.size >= 10_000) fields.clear();
  fields.set(key, field);
  return field;
}

/**
 * The org ids an org field's value gives: text, text items, and the `key`, `short_name`, `code` or
 * org fields of its objects.
 */
function orgIdsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap((item) => (Array.isArray(item) ? [] : orgIdsOf(item)));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, v]) => (typeof v === 'string' && fieldOf(key).orgId ? [v] : []));
}

/**
 * The org, course and run (none for a catalog key) of a course key or a catalog key (`Org+Course`);
 * `undefined` for other text.
 */
function keyOf(text: string): { org: string; course: string; run: string | undefined } | undefined {
  const read = readKey(text)?.course;
  // (A key naming its course by a version alone names no org: no course of these fields.)
  if (read) return read.org ? read : undefined;
  const catalog = /^\s*([\p{L}\p{N}_\-~.]+)\+([\p{L}\p{N}_\-~.]+)\s*$/u.exec(text);
  return catalog ? { org: catalog[1] ?? '', course: catalog[2] ?? '', run: undefined } : undefined;
}

/**
 * The courses an object names by its fields, a key split across them (an Open edX or Discovery
 * record, a form's or query's parameters): each org an org field gives ({@link orgField}: its
 * text, its items, its objects' `key`, as Discovery's `owners: [{ key: 'MITx' }]`) that is a key's
 * part and either `isOrg` (a Member's org) or given by a field that names nothing but an org (and
 * no number or UUID, another system's id), when the object also has a field naming a course or its
 * part ({@link courseField}), its org field says so (`course_org`), or `inCourse` (the object is
 * held under such a name: `course: { org }`), each once and one of no Member's at most (all such
 * name the platform's courses alike); or, naming none, the orgs of the object holding it
 * (`context.orgs`) when it has a field naming nothing but a course or its part (`{ org, details:
 * { number } }`; not a `key`, `code` or `num`, as an error's or a page's).
 * Linear in the object's fields.
 * Its course and run are those of a key of that org in a course's field (or an `id` or `key` under
 * a course's name: `{ org_id, course_id }` as Open edX's context), else given where
 * `course`/`number`/`code`/`key` and `run` fields hold a key's part. None otherwise (an org named
 * alone, `{ partner: 'HarvardX' }`, names no course).
 *
 * @example fieldCourses({ org: 'MITx', number: '6.002x' }, { course: false, orgs: [] }, () => true).courses
 * // [{ org: 'MITx', course: '6.002x', run: undefined }]
 */
export function fieldCourses(
  object: Readonly<Record<string, unknown>>,
  context: FieldContext,
  isOrg: (org: string) => boolean,
): FieldsRead {
  const inCourse = context.course;
  const entries = Object.entries(object);
  if (!context.orgs.length && !entries.some(([key]) => mayNameOrg.test(key))) return { courses: [], orgs: [] };
  // Each org once (in any case), and one org of no Member's at most: all such name the platform's courses alike.
  const orgs: string[] = [];
  const seen = new Set<string>();
  let platform = false;
  // (By org: the first key of each.)
  const keys = new Map<string, { course: string; run: string | undefined }>();
  let course: string | undefined;
  let run: string | undefined;
  let courseFields = false;
  let onlyCourseFields = false;
  for (const [key, value] of entries) {
    const field = fieldOf(key);
    courseFields ||= field.course;
    onlyCourseFields ||= field.onlyCourse;
    if (field.org) {
      for (const id of orgIdsOf(value).map((v) => v.trim()))
        if (keyPart.test(id) && !seen.has(foldCase(id))) {
          const member = isOrg(id);
          if (!member && (platform || field.org !== 'sure' || otherId.test(id))) continue;
          platform ||= !member;
          seen.add(foldCase(id));
          orgs.push(id);
        }
      continue;
    }
    if (typeof value !== 'string') continue;
    const read = field.course || (inCourse && field.id) ? keyOf(value) : undefined;
    if (read && !keys.has(foldCase(read.org))) keys.set(foldCase(read.org), read);
    const part = keyPart.test(value.trim()) ? value.trim() : undefined;
    if (field.part === 'course') course ??= part;
    else if (field.part === 'run') run ??= part;
  }
  const of = (org: string): FieldCourse => {
    const read = keys.get(foldCase(org));
    return read ? { org, course: read.course, run: read.run } : { org, course, run };
  };
  if (!orgs.length) return { courses: onlyCourseFields ? context.orgs.map(of) : [], orgs: context.orgs };
  return { courses: inCourse || courseFields ? orgs.map(of) : [], orgs };
}
