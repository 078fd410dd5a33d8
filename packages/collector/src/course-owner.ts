import {
  ccxOf,
  courseOwnerKey,
  foldCase,
  parseCourseKey as parseKey,
  readKey,
  usageKeyId,
  type CourseKey,
  type UsageKey,
} from '@optin/consent/course-key';
import type { CollectorMember } from './collector-config.js';
import type { SegmentMessage } from './segment-schema.js';

/** An Open edX course run: its org, course and run. */
export interface CourseRun {
  /** The organisation (what ties the course to a Member through its `orgs`). */
  readonly org: string;
  /** The course code, e.g. `CS50`. */
  readonly course: string;
  /** The run, e.g. `2026_T1`. */
  readonly run: string;
}

/** A course id read as a key: the key it is (written as Open edX writes it) and its course run. */
export interface CourseKeyRead {
  /**
   * The key without a branch or version (or a block after a course key), with `+` for each space a
   * query string made of one: `course-v1:MITx+Special+2026`, `MITx/Special/2026`, a CCX's
   * `ccx-v1:MITx+Special+2026+ccx@3`, an XBlock usage key (`block-v1:…+type@problem+block@q1`,
   * `ccx-block-v1:…+ccx@3+type@…`), or a key naming its course by a version alone,
   * `course-v1:version@<24 hex, lower case>`.
   */
  readonly key: string;
  /**
   * Its course run (a CCX's: the run it is built on; an XBlock usage key's: its course's); org,
   * course and run each `''` for a key naming its course by a version alone (no Member's).
   */
  readonly run: CourseRun;
  /** The CCX's id (`3` of `+ccx@3`) when the key is a CCX's or one of its blocks', else `null`. */
  readonly ccx: string | null;
}

/** The read of a course key, or of a usage key (`usage`) and its course, as {@link CourseKeyRead}. */
const readOf = (course: CourseKey, usage: UsageKey | null): CourseKeyRead => ({
  key: usage ? usageKeyId(usage) : course.id,
  run: { org: course.org, course: course.course, run: course.run },
  ccx: ccxOf(course),
});

/**
 * Reads a course key as `parseCourseKey` of `@optin/consent/course-key` does (what `@optin/members`
 * reads): `course-v1:Org+Course+Run` (a `+branch@…`, `+version@…`, `+type@…` or `+block@…` after it
 * left out: the same run), the old `Org/Course/Run`, or a CCX's `ccx-v1:Org+Course+Run+ccx@3` (its
 * own key, with its parent course's run), exactly as written. A key naming its course by a version
 * alone (`course-v1:HarvardX+CS50+version@<24 hex>`, no run) is `course-v1:version@<24 hex>`, of no
 * org, course or run (no Member's). `undefined` for anything else.
 */
export function parseCourseKey(key: string): CourseKeyRead | undefined {
  const course = parseKey(key);
  return course ? readOf(course, null) : undefined;
}

/**
 * The course run of a course run key, as a Member lists it in `courses` (`parseCourseKey` of
 * `@optin/members`, which reports a CCX there): `course-v1:Org+Course+Run` (with or without a
 * branch or version) or the old `Org/Course/Run`, exactly as written; `undefined` for anything else
 * (an XBlock usage key names a block, a CCX is its org's Member's, and a key naming its course by a
 * version alone names no run: none is a run to own).
 */
export function parseCourseRun(key: string): CourseRun | undefined {
  const read = parseCourseKey(key);
  return read && read.ccx === null && read.run.org !== '' ? read.run : undefined;
}

/**
 * Reads a course id a client sent as `courseOfKey` of `@optin/consent/course-key` (what
 * `registry.memberFor` of `@optin/members` reads) does: without the blanks around it, each space
 * inside read as the `+` a query string decodes into one (keys hold no spaces), then a course key
 * ({@link parseCourseKey}) or an XBlock usage key (`block-v1:`, a branch or version after its run left
 * out, or a CCX's `ccx-block-v1:`: the usage key is the key read); `undefined` when it is still no key.
 *
 * @example readCourseKey('course-v1:MITx Special 2026 ')?.key // 'course-v1:MITx+Special+2026'
 * @example readCourseKey('ccx-v1:MITx+6.00x+2026+ccx@3')?.run.org // 'MITx'
 */
export function readCourseKey(id: string): CourseKeyRead | undefined {
  const read = readKey(id);
  return read ? readOf(read.course, read.usage) : undefined;
}

/**
 * What a stored course id is compared with to find one course (a run, or a CCX, which is a course of
 * its own), each in lower case (as `toLowerCase` lowers letters of any script): the whole id written
 * as an old key (`legacy`, a run's only), the part after the course key's namespace (`keyPrefix`,
 * `course-v1:` or `ccx-v1:`: `rest`), and the start of the part after the namespace of its XBlock
 * usage keys (`blockPrefix`, `block-v1:` or `ccx-block-v1:`: `blockStart`).
 */
export interface CourseRunMatch {
  /** `org/course/run`, lower case; `null` for a CCX or a course named by a version alone, which have no old key. */
  readonly legacy: string | null;
  /** The namespace of the course's key: `course-v1:`, or a CCX's `ccx-v1:`. */
  readonly keyPrefix: 'course-v1:' | 'ccx-v1:';
  /**
   * `org+course+run` (a CCX's `org+course+run+ccx@3`; a course named by a version alone,
   * `version@<hex>`), lower case: the key after `keyPrefix`.
   */
  readonly rest: string;
  /** The namespace of the course's XBlock usage keys: `block-v1:`, or a CCX's `ccx-block-v1:`. */
  readonly blockPrefix: 'block-v1:' | 'ccx-block-v1:';
  /** `rest` then `+type@`, lower case: how its usage keys go on after `blockPrefix`. */
  readonly blockStart: string;
}

/**
 * How to find the course of `key` among stored course ids, in any letter case and any form
 * {@link readCourseKey} reads (a run as `courseOwnerKey` names it; a CCX as itself, never its
 * parent run, nor a run its CCXs); `undefined` when `key` is no course key.
 */
export function courseRunMatch(key: string): CourseRunMatch | undefined {
  const read = readCourseKey(key);
  if (!read) return undefined;
  const { org, course, run } = read.run;
  // A key naming its course by a version alone (no org) is found by that version, as it is stored
  // (`version@<hex>`, then a CCX's id): never as the run `++`, nor as an old key.
  const named =
    org === ''
      ? read.key.slice(read.key.indexOf(':') + 1).replace(/\+(?:ccx|type)@.*/u, '')
      : `${org}+${course}+${run}`;
  const rest = `${named}${read.ccx === null ? '' : `+ccx@${read.ccx}`}`.toLowerCase();
  const blockStart = `${rest}+type@`;
  return read.ccx === null
    ? {
        legacy: org === '' ? null : `${org}/${course}/${run}`.toLowerCase(),
        keyPrefix: 'course-v1:',
        rest,
        blockPrefix: 'block-v1:',
        blockStart,
      }
    : { legacy: null, keyPrefix: 'ccx-v1:', rest, blockPrefix: 'ccx-block-v1:', blockStart };
}

// Course ids repeat on every event of a course: how they read is remembered (bounded).
const reads = new Map<string, CourseKeyRead | undefined>();

/** `readCourseKey` of a message's course id, remembered. */
function keyOf(id: string): CourseKeyRead | undefined {
  if (reads.has(id)) return reads.get(id);
  const read = readCourseKey(id);
  if (reads.size >= 10_000) reads.clear();
  reads.set(id, read);
  return read;
}

/**
 * The course id of a message as stored: the key it names ({@link readCourseKey}: `course-v1:MITx
 * Special 2026` is stored `course-v1:MITx+Special+2026`, `course-v1:MITx+Special+2026+branch@draft`
 * as its run `course-v1:MITx+Special+2026`), else as sent; `null` without one.
 */
export function courseIdOfMessage(message: SegmentMessage): string | null {
  const id = message.context?.course?.id;
  return id === undefined ? null : (keyOf(id)?.key ?? id);
}

/**
 * The org of a message: the one in `context.course.id` when it is a course key (none for a key
 * naming its course by a version alone: the LMS never reads the org written), else `context.course.org`.
 */
export function orgOfMessage(message: SegmentMessage): string | undefined {
  const course = message.context?.course;
  const read = course?.id === undefined ? undefined : keyOf(course.id);
  return read ? read.run.org || undefined : course?.org;
}

/**
 * Finds the Member that owns a message's course (`undefined` for platform events), as
 * `registry.memberFor` of `@optin/members` does: for a `context.course.id`, read as
 * {@link readCourseKey} reads it, a course run a Member lists in `courses` first, then the Member
 * owning the key's org (a CCX's, `ccx-v1:` or `ccx-block-v1:`, by its org only: never the Member
 * that lists the run it is built on), and no Member when it is no key or names its course by a
 * version alone (never the owner of
 * `context.course.org`, which decides only without an id); orgs and runs in any letter case and only
 * whole (`HarvardXPlus` is not `HarvardX`).
 */
export function createMemberResolver(
  members: readonly CollectorMember[],
): (message: SegmentMessage) => string | undefined {
  const byOrg = new Map<string, string>();
  const byRun = new Map<string, string>();
  for (const m of members) {
    for (const org of m.orgs ?? []) byOrg.set(foldCase(org), m.id);
    for (const key of m.courses ?? []) {
      const run = parseCourseRun(key);
      if (run) byRun.set(courseOwnerKey(run), m.id);
    }
  }
  return (message) => {
    const course = message.context?.course;
    if (course?.id === undefined) return byOrg.get(foldCase(course?.org ?? ''));
    const read = keyOf(course.id);
    // A key naming its course by a version alone has no org: no Member's (see `courseRun`).
    if (!read?.run.org) return undefined;
    // A CCX is its org's: never the Member that owns the run it is built on under another org.
    const owner = byRun.size && read.ccx === null ? byRun.get(courseOwnerKey(read.run)) : undefined;
    return owner ?? byOrg.get(foldCase(read.run.org));
  };
}
