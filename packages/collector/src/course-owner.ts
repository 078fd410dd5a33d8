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

// As @optin/members parses keys (opaque-keys' ALLOWED_ID_CHARS, whose `\w` is Unicode's letters, digits
// and `_`, at most 255 of them), so that the collector gives an event to the Member the browser
// scoped its page and trackers to.
const part = '[\\p{L}\\p{N}_\\-~.:%]{1,255}';
const courseV1 = new RegExp(`^course-v1:(${part})\\+(${part})\\+(${part})$`, 'u');
const blockV1 = new RegExp(`^block-v1:(${part})\\+(${part})\\+(${part})\\+type@${part}\\+block@${part}$`, 'u');
const legacy = new RegExp(`^(${part})/(${part})/(${part})$`, 'u');

const runOfMatch = (m: RegExpExecArray | null): CourseRun | undefined =>
  m ? { org: m[1] ?? '', course: m[2] ?? '', run: m[3] ?? '' } : undefined;

/**
 * The course run of a course run key, as a Member lists it in `courses` (`parseCourseKey` of
 * `@optin/members`): `course-v1:Org+Course+Run` or the old `Org/Course/Run`, exactly as written;
 * `undefined` for anything else (an XBlock usage key names a block, not a run to own).
 */
export function parseCourseRun(key: string): CourseRun | undefined {
  return runOfMatch(courseV1.exec(key) ?? (key.includes(':') ? null : legacy.exec(key)));
}

/** A course id read as a key: the key it is (written as Open edX writes it) and its course run. */
export interface CourseKeyRead {
  /** The key, without the blanks around it and with `+` for each space inside. */
  readonly key: string;
  /** Its course run (an XBlock usage key's course's). */
  readonly run: CourseRun;
}

/**
 * Reads a course id a client sent as `courseOfKey` of `@optin/members` (what `registry.memberFor`
 * reads) does: without the blanks around it, each space inside read as the `+` a query string
 * decodes into one (keys hold no spaces), then a course run key or an XBlock usage key (its
 * course); `undefined` when it is still no key.
 *
 * @example readCourseKey('course-v1:MITx Special 2026 ')?.key // 'course-v1:MITx+Special+2026'
 */
export function readCourseKey(id: string): CourseKeyRead | undefined {
  const key = id.trim().replace(/ /g, '+');
  const run = parseCourseRun(key) ?? runOfMatch(blockV1.exec(key));
  return run && { key, run };
}

/**
 * The key a course run is owned under, whichever way it is written and in any letter case (as
 * orgs and runs are matched by `@optin/members`): `course-v1:mitx+Special+2026` and
 * `MITx/Special/2026` are one run.
 */
export function courseRunKey(run: CourseRun): string {
  return `${run.org}+${run.course}+${run.run}`.toLowerCase();
}

/**
 * What a stored course id is compared with to find one course run, each in lower case (as
 * `toLowerCase` lowers letters of any script): the id written as an old key (`org/course/run`,
 * `legacy`), the part after `course-v1:` (`run`), and the start of the part after `block-v1:` of the
 * run's XBlock usage keys (`blockStart`, `org+course+run+type@`).
 */
export interface CourseRunMatch {
  /** `org/course/run`, lower case. */
  readonly legacy: string;
  /** `org+course+run`, lower case (after `course-v1:`). */
  readonly run: string;
  /** `org+course+run+type@`, lower case (after `block-v1:`). */
  readonly blockStart: string;
}

/**
 * How to find the course run of `key` among stored course ids, in any letter case and any form
 * {@link readCourseKey} reads (the same run {@link courseRunKey} names); `undefined` when `key` is
 * no course key.
 */
export function courseRunMatch(key: string): CourseRunMatch | undefined {
  const run = readCourseKey(key)?.run;
  if (!run) return undefined;
  const org = run.org.toLowerCase();
  const course = run.course.toLowerCase();
  const name = run.run.toLowerCase();
  return {
    legacy: `${org}/${course}/${name}`,
    run: `${org}+${course}+${name}`,
    blockStart: `${org}+${course}+${name}+type@`,
  };
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
 * Special 2026` is stored `course-v1:MITx+Special+2026`), else as sent; `null` without one.
 */
export function courseIdOfMessage(message: SegmentMessage): string | null {
  const id = message.context?.course?.id;
  return id === undefined ? null : (keyOf(id)?.key ?? id);
}

/** The org of a message: the one in `context.course.id` when it is a course key, else `context.course.org`. */
export function orgOfMessage(message: SegmentMessage): string | undefined {
  const course = message.context?.course;
  return (course?.id === undefined ? undefined : keyOf(course.id)?.run.org) ?? course?.org;
}

/**
 * Finds the Member that owns a message's course (`undefined` for platform events), as
 * `registry.memberFor` of `@optin/members` does: for a `context.course.id`, read as
 * {@link readCourseKey} reads it, a course run a Member lists in `courses` first, then the Member
 * owning the key's org, and no Member when it is no key (never the owner of `context.course.org`,
 * which decides only without an id); orgs and runs in any letter case and only whole
 * (`HarvardXPlus` is not `HarvardX`).
 */
export function createMemberResolver(
  members: readonly CollectorMember[],
): (message: SegmentMessage) => string | undefined {
  const byOrg = new Map<string, string>();
  const byRun = new Map<string, string>();
  for (const m of members) {
    for (const org of m.orgs) byOrg.set(org.toLowerCase(), m.id);
    for (const key of m.courses ?? []) {
      const run = parseCourseRun(key);
      if (run) byRun.set(courseRunKey(run), m.id);
    }
  }
  return (message) => {
    const course = message.context?.course;
    if (course?.id === undefined) return byOrg.get((course?.org ?? '').toLowerCase());
    const run = keyOf(course.id)?.run;
    return run && ((byRun.size ? byRun.get(courseRunKey(run)) : undefined) ?? byOrg.get(run.org.toLowerCase()));
  };
}
