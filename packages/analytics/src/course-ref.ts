/** The course of a message (`context.course`): its run key and the org that ties it to a Member. */
export interface CourseRef {
  /** `course-v1:{org}+{course}+{run}`, or an old-style `{org}/{course}/{run}` as written. */
  readonly id: string;
  /** The organisation, e.g. `HarvardX`. */
  readonly org: string;
}

// The run's org, course and run (the rest of a block key, `+type@…`, is left out); or an old-style
// key, `Org/Course/Run` (no `:` in its parts), only as the LMS's `/courses/{key}` or the learning MFE's
// `/learning/course/{key}` path begins. Parts
// of letters and digits of any script (as Open edX allows them, and `@optin/members` reads them).
const key =
  /(?:course|block)(-v1:([\p{L}\p{N}_.~:%-]+)\+[\p{L}\p{N}_.~:%-]+\+[\p{L}\p{N}_.~:%-]+)|^\/(?:courses|learning\/course)\/(([\p{L}\p{N}_.~%-]+)\/[\p{L}\p{N}_.~%-]+\/[\p{L}\p{N}_.~%-]+)(?![^/])/u;

/**
 * The course of a page from the first `course-v1:` (or XBlock `block-v1:`) key in its path: LMS
 * `/courses/{key}/…`, the learning MFE `/learning/course/{key}/…`, `/xblock/block-v1:…`; or from an
 * old-style `Org/Course/Run` key in the LMS's `/courses/{key}/…` (and nowhere else: `/blog/2024/11`
 * is no course). `null` without one. (`createScopedHub`'s `context.course` wins when the hub gives one.)
 * Each segment is decoded first (a browser percent-encodes `清华大学X`), as `@optin/members` reads a URL.
 *
 * @example courseOf('/learning/course/course-v1:MITx+6.00x+2026/home') // { id: 'course-v1:MITx+6.00x+2026', org: 'MITx' }
 * @example courseOf('/courses/MITx/6.00x/2013_Spring/info') // { id: 'MITx/6.00x/2013_Spring', org: 'MITx' }
 */
export function courseOf(path: string): CourseRef | null {
  const m = key.exec(
    path.replace(/[^/]+/g, (s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s; // a `%` that starts no escape: the segment as written
      }
    }),
  );
  return m ? { id: m[3] ?? `course${m[1]}`, org: (m[2] ?? m[4]) as string } : null;
}
