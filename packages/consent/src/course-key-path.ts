import { parseCourseKey, parseUsageKey, readKey, type CourseKey } from './course-key-parser.js';

/**
 * Decodes the escapes of text (a path, a query), leaving as written any run of them that is no
 * UTF-8 and any `%` that starts no escape (`/wiki/100%-done/`): never the whole text lost.
 */
export const decodePercent = (s: string): string =>
  s.replace(/(?:%[\dA-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });

/**
 * How a path's segments are read for course keys ({@link courseKeysOfPath}). Both read a `course-v1:`
 * or `ccx-v1:` key (or an XBlock usage key: its course) as a segment anywhere, and an old
 * `Org/Course/Run` as the segment or the three segments after `courses` or `learning/course`.
 * - `'page'` (the browser, scoping a page to one Member): segments as written, and old keys only
 *   there (the marketing site's `/course/{slug}` pages are no course run);
 * - `'text'` (the collector, leaving courses out of a Member's events): segments as a client's key
 *   is read (blanks around it dropped, spaces as `+`: `readKey`), and an old key written as one
 *   segment (`HarvardX%2FCS50%2F2013`) anywhere too.
 */
export type PathKeyReading = 'page' | 'text';

/** The course keys of a path's segments (see {@link courseKeysOfPath}), in order, as written. */
function keysOfSegments(segments: readonly string[], reading: PathKeyReading): string[] {
  const text = reading === 'text';
  const isKey = (s: string): boolean =>
    text ? readKey(s) !== null : /^(course|ccx)-v1:/.test((parseCourseKey(s) ?? parseUsageKey(s)?.course)?.id ?? '');
  return segments.flatMap((s, i) => {
    const lms = s === 'courses' || (s === 'course' && segments[i - 1] === 'learning');
    const old = lms ? [segments[i + 1] ?? '', segments.slice(i + 1, i + 4).join('/')] : [];
    return [...old.filter((key) => (text ? readKey(key) : parseCourseKey(key))), ...(isKey(s) ? [s] : [])];
  });
}

/**
 * What a path that names a course holds: a key's `:`, an escape (`%3A`, an old key's `%2F`, a
 * `%63ourses`), or `courses/` (`learning/course/`) before an old key's segments; a path without any
 * names none.
 */
const mayHoldKey = /[:%]|courses?\//i;

/**
 * Every course key a URL's path names, as written, in the order the path names them, in both its
 * readings: each segment percent-decoded on its own, and the whole path decoded first, `%2F`
 * included, then split, as Django routes it (`/courses/course-v1:HarvardX+CS50+2026%2Fwiki/…` is
 * HarvardX's wiki to the LMS, `/courses/HarvardX%2FCS50/2013/info` HarvardX's old course); each key
 * once. Where keys are read depends on `reading` ({@link PathKeyReading}). Never the query or the
 * fragment: pass a pathname.
 *
 * @example courseKeysOfPath('//courses/HarvardX/CS50/2013/info', 'text') // ['HarvardX/CS50/2013']
 */
export function courseKeysOfPath(pathname: string, reading: PathKeyReading): string[] {
  if (!mayHoldKey.test(pathname)) return [];
  const own = keysOfSegments(pathname.split('/').map(decodePercent), reading);
  const whole = keysOfSegments(decodePercent(pathname).split('/'), reading);
  return [...new Set([...own, ...whole])];
}

/**
 * Finds the course of a page from its path (never its query or fragment): the first course key in
 * it ({@link courseKeysOfPath}, read as a `'page'`). LMS pages (`/courses/{key}/…`, old keys as three
 * segments), and a `course-v1:` (or a CCX's `ccx-v1:`) key as a segment anywhere, as the MFEs write
 * it: the learning MFE (`/learning/course/{key}/…`, `/course/{key}/home`, `/preview/course/{key}/…`),
 * discussions (`/{key}/posts`), gradebook (`/{key}`); and usage keys anywhere in the path
 * (`/xblock/block-v1:…`). Where the path's two readings name different courses first
 * (`/courses/course-v1:HarvardX+CS50+2026%2Fwiki/course-v1:MITx+…/` is HarvardX's wiki to the LMS),
 * the page is no course. A URL without a course, or a malformed one, gives `null`.
 *
 * @example courseFromUrl('https://learning.edx.org/learning/course/course-v1:MITx+6.00x+2026/block-v1:MITx+6.00x+2026+type@sequential+block@s1')?.org // 'MITx'
 */
export function courseFromUrl(url: string | URL): CourseKey | null {
  let path: string;
  try {
    path = new URL(url, 'https://localhost').pathname;
  } catch {
    return null;
  }
  const first = (segments: string[]): CourseKey | null => {
    const [key] = keysOfSegments(segments, 'page');
    return key === undefined ? null : (parseCourseKey(key) ?? parseUsageKey(key)?.course ?? null);
  };
  const own = first(path.split('/').map(decodePercent));
  return own?.id === first(decodePercent(path).split('/'))?.id ? own : null;
}
