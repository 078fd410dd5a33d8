import { readCourseKey } from './course-owner.js';

/**
 * `s` with its escapes decoded, as `decode` of `@optin/members` does: each run of escapes on its own,
 * a run that is no UTF-8 (and a `%` that starts no escape, `/wiki/100%-done/`) left as written.
 */
export function decoded(s: string): string {
  return s.replace(/(?:%[\dA-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/** The course keys of a path's segments (see {@link coursesOfPath}). */
function coursesOfSegments(segments: readonly string[]): string[] {
  return segments.flatMap((s, i) => {
    const lms = s === 'courses' || (s === 'course' && segments[i - 1] === 'learning');
    return [s, lms ? segments.slice(i + 1, i + 4).join('/') : ''].filter((key) => readCourseKey(key));
  });
}

/**
 * What a path that names a course holds: a key's `:`, an escape (`%3A`, an old key's `%2F`, a
 * `%63ourses`), or `courses/` (`learning/course/`) before an old key's segments; a path without
 * any names none ({@link coursesOfPath} reads none: most text with a `/` is no course's).
 */
const mayHoldKey = /[:%]|courses?\//i;

/**
 * Every course key a URL's path names, as `courseFromUrl` of `@optin/members` (which scopes a page,
 * and so its events, to a Member) reads a page's path, wherever it is in the path, in both its
 * readings: each segment percent-decoded on its own, and the whole path decoded first, `%2F`
 * included, then split, as Django routes it (`/courses/course-v1:HarvardX+CS50+2026%2Fwiki/…` is
 * HarvardX's wiki to the LMS, `/courses/HarvardX%2FCS50/2013/info` HarvardX's old course). A key is
 * a segment that {@link readCourseKey} reads (`course-v1:`, `ccx-v1:`, `block-v1:`,
 * `ccx-block-v1:`, or an old `Org/Course/Run` written as one segment, `%2F` for its slashes), or an
 * old `Org/Course/Run` as the three segments after `courses` or `learning/course` (`//courses/…`
 * too). Never the query or the fragment.
 *
 * @example coursesOfPath('//courses/HarvardX/CS50/2013/info') // ['HarvardX/CS50/2013']
 * @example coursesOfPath('/courses/HarvardX%2FCS50/2013/info') // ['HarvardX/CS50/2013']
 */
export function coursesOfPath(pathname: string): string[] {
  if (!mayHoldKey.test(pathname)) return [];
  const own = coursesOfSegments(pathname.split('/').map(decoded));
  const whole = coursesOfSegments(decoded(pathname).split('/'));
  return [...new Set([...own, ...whole])];
}
