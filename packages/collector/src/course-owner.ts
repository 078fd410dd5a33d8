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

/**
 * The course run of a key: `course-v1:Org+Course+Run`, an XBlock usage key `block-v1:…` (its
 * course) or the old `Org/Course/Run`; `undefined` for anything else.
 */
export function parseCourseRun(key: string): CourseRun | undefined {
  const m = courseV1.exec(key) ?? blockV1.exec(key) ?? (key.includes(':') ? null : legacy.exec(key));
  return m ? { org: m[1] ?? '', course: m[2] ?? '', run: m[3] ?? '' } : undefined;
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
 * {@link parseCourseRun} reads (the same run {@link courseRunKey} names); `undefined` when `key` is
 * no course key.
 */
export function courseRunMatch(key: string): CourseRunMatch | undefined {
  const run = parseCourseRun(key);
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

// Course keys repeat on every event of a course: their parse is remembered (bounded).
const runs = new Map<string, CourseRun | undefined>();

/** `parseCourseRun` of a message's course id, remembered. */
function runOf(id: string | undefined): CourseRun | undefined {
  if (id === undefined) return undefined;
  if (runs.has(id)) return runs.get(id);
  const run = parseCourseRun(id);
  if (runs.size >= 10_000) runs.clear();
  runs.set(id, run);
  return run;
}

/** The org of a message: the one in `context.course.id` when it is a course key, else `context.course.org`. */
export function orgOfMessage(message: SegmentMessage): string | undefined {
  const course = message.context?.course;
  return runOf(course?.id)?.org ?? course?.org;
}

/**
 * Finds the Member that owns a message's course (`undefined` for platform events), as
 * `registry.memberFor` of `@optin/members` does: a course run a Member lists in `courses` first,
 * then the Member owning the org (of the course key, else `context.course.org`), both in any letter
 * case and only whole (`HarvardXPlus` is not `HarvardX`).
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
    const run = runOf(course?.id);
    return (
      (run && byRun.size ? byRun.get(courseRunKey(run)) : undefined) ??
      byOrg.get((run?.org ?? course?.org ?? '').toLowerCase())
    );
  };
}
