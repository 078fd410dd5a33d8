/** The course of a message (`context.course`): its run key and the org that ties it to a Member. */
export interface CourseRef {
  /** `course-v1:{org}+{course}+{run}`, a CCX's `ccx-v1:{org}+{course}+{run}+ccx@{n}`, or an old-style `{org}/{course}/{run}` as written. */
  readonly id: string;
  /** The organisation, e.g. `HarvardX`. */
  readonly org: string;
}

// A path segment that is a whole key, as `@optin/members` reads keys: a course run's
// (`course-v1:Org+Course+Run`, then the branch and the version opaque-keys may add, in that order), a
// block's (`block-v1:`, the run then `+type@…+block@…`), a CCX's (`ccx-v1:`, the run then `+ccx@3`)
// or a CCX block's (`ccx-block-v1:`), read whole: whether it is a CCX's, the run (org first) and the CCX's
// id. Its prefix says which parts it has (parts hold no `+` nor `@`, so a `+ccx@` or `+type@` in the segment
// is that part): a course run's neither, a block's `+type@` only, a CCX's `+ccx@` only, a CCX block's both.
// Parts of letters and digits of any script (as Open edX allows them).
// Or an old-style key, `Org/Course/Run` (no `:` in its parts), only right after a `courses` segment
// (the LMS's `/courses/{key}`) or `learning/course` (the learning MFE's), wherever it is in the path,
// as `@optin/members` and the collector read a page's URL (`//courses/…`, `/en/courses/…` too).
const key =
  /\/(?:course-(?![^/]*\+(?:ccx|type)@)|block-(?![^/]*\+ccx@)(?=[^/]*\+type@)|(ccx-)(?=[^/]*\+ccx@)(?:block-(?=[^/]*\+type@)|(?![^/]*\+type@)))v1:(([\p{L}\p{N}_.~:%-]+)\+[\p{L}\p{N}_.~:%-]+\+[\p{L}\p{N}_.~:%-]+)(?:\+branch@[\p{L}\p{N}_.~:%-]+)?(?:\+version@[\da-fA-F]+)?(\+ccx@\d+)?(?:\+type@[\p{L}\p{N}_.~:%-]+\+block@[\p{L}\p{N}_.~:%-]+)?(?![^/])|\/(?:courses|learning\/course)\/(([\p{L}\p{N}_.~%-]+)\/[\p{L}\p{N}_.~%-]+\/[\p{L}\p{N}_.~%-]+)(?![^/])/u;

/**
 * The course of a page from the first segment of its path that is a `course-v1:` key (or an XBlock's
 * `block-v1:`, its course's), or a CCX's `ccx-v1:` (or `ccx-block-v1:`): the CCX, with the org of
 * the course it is built on, which ties it to that org's Member as `@optin/members` and the collector
 * read it (a `+branch@…` or `+version@…` left out): LMS `/courses/{key}/…`, the learning MFE
 * `/learning/course/{key}/…`, `/xblock/block-v1:…`; or from an
 * old-style `Org/Course/Run` key right after a `courses` segment (the LMS's `/courses/{key}/…`) or
 * `learning/course` (and nowhere else: `/blog/2024/11` is no course). `null` without one. (`createScopedHub`'s `context.course` wins when the hub gives one.)
 * Each segment is decoded first (a browser percent-encodes `清华大学X`), as `@optin/members` reads a URL.
 *
 * @example courseOf('/learning/course/course-v1:MITx+6.00x+2026/home') // { id: 'course-v1:MITx+6.00x+2026', org: 'MITx' }
 * @example courseOf('/courses/MITx/6.00x/2013_Spring/info') // { id: 'MITx/6.00x/2013_Spring', org: 'MITx' }
 * @example courseOf('/courses/ccx-v1:MITx+6.00x+2026+ccx@7/courseware') // { id: 'ccx-v1:MITx+6.00x+2026+ccx@7', org: 'MITx' }
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
  return m
    ? { id: m[5] ?? (m[1] ? `ccx-v1:${m[2]}${m[4]}` : `course-v1:${m[2]}`), org: (m[3] ?? m[6]) as string }
    : null;
}
