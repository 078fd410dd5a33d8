/** The course of a message (`context.course`): its run key and the org that ties it to a Member. */
export interface CourseRef {
  /** `course-v1:{org}+{course}+{run}`. */
  readonly id: string;
  /** The organisation, e.g. `HarvardX`. */
  readonly org: string;
}

// The run's org, course and run (the rest of a block key, `+type@…`, is left out).
const key = /(?:course|block)-v1:(([\w.~:%-]+)\+[\w.~:%-]+\+[\w.~:%-]+)/;

/**
 * The course of a page from the first `course-v1:` (or XBlock `block-v1:`) key in its path: LMS
 * `/courses/{key}/…`, the learning MFE `/learning/course/{key}/…`, `/xblock/block-v1:…`. `null`
 * without one. (A fallback kept to a few bytes: `createScopedHub`'s `context.course`, which also
 * knows old `Org/Course/Run` keys, wins when the hub gives one.)
 *
 * @example courseOf('/learning/course/course-v1:MITx+6.00x+2026/home') // { id: 'course-v1:MITx+6.00x+2026', org: 'MITx' }
 */
export function courseOf(path: string): CourseRef | null {
  const m = key.exec(path);
  return m ? { id: `course-v1:${m[1]}`, org: m[2] as string } : null;
}
