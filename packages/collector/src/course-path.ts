import { readCourseKey } from './course-owner.js';

/** `s` percent-decoded, or as written when it is no valid escape. */
function decoded(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Every course key a URL's path names, as `courseFromUrl` of `@optin/members` (which scopes a page,
 * and so its events, to a Member) finds a page's course, wherever it is in the path: each segment
 * percent-decoded on its own, a segment that {@link readCourseKey} reads (`course-v1:`, `ccx-v1:`,
 * `block-v1:`, `ccx-block-v1:`, or an old `Org/Course/Run` written as one segment, `%2F` for its
 * slashes), and an old `Org/Course/Run` as the three segments after `courses` or `learning/course`
 * (`//courses/…` too). Never the query or the fragment.
 *
 * @example coursesOfPath('//courses/HarvardX/CS50/2013/info') // ['HarvardX/CS50/2013']
 */
export function coursesOfPath(pathname: string): string[] {
  const segments = pathname.split('/').map(decoded);
  return segments.flatMap((s, i) => {
    const lms = s === 'courses' || (s === 'course' && segments[i - 1] === 'learning');
    return [s, lms ? segments.slice(i + 1, i + 4).join('/') : ''].filter((key) => readCourseKey(key));
  });
}
