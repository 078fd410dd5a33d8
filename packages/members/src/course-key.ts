/** An Open edX course run, parsed from its key. */
export interface CourseKey {
  /** The key as Open edX writes it: `course-v1:HarvardX+CS50+2026_T1` or `HarvardX/CS50/2012`. */
  readonly id: string;
  /** The organisation: what ties the course to a Member. */
  readonly org: string;
  /** The course code, e.g. `CS50`. */
  readonly course: string;
  /** The run, e.g. `2026_T1`. */
  readonly run: string;
}

/** An XBlock usage key (`block-v1:…+type@problem+block@…`) and the course it belongs to. */
export interface UsageKey {
  /** The course the block belongs to. */
  readonly course: CourseKey;
  /** The block type, e.g. `problem`, `video`, `sequential`. */
  readonly type: string;
  /** The block id. */
  readonly block: string;
}

// Characters Open edX allows in key parts (opaque-keys' ALLOWED_ID_CHARS, whose `\w` is Unicode's
// letters, digits and `_`), and at most 255 of them.
const part = '[\\p{L}\\p{N}_\\-~.:%]{1,255}';
const courseV1 = new RegExp(`^course-v1:(${part})\\+(${part})\\+(${part})$`, 'u');
const legacy = new RegExp(`^(${part})/(${part})/(${part})$`, 'u');
const blockV1 = new RegExp(`^block-v1:(${part})\\+(${part})\\+(${part})\\+type@(${part})\\+block@(${part})$`, 'u');

const make = (id: string, org = '', course = '', run = ''): CourseKey => ({ id, org, course, run });

/**
 * Parses a course run key: `course-v1:Org+Course+Run` or the old `Org/Course/Run`. Anything else
 * (these come from learners' URLs) is `null`, never an exception.
 *
 * @example parseCourseKey('course-v1:HarvardX+CS50+2026_T1')?.org // 'HarvardX'
 */
export function parseCourseKey(input: unknown): CourseKey | null {
  if (typeof input !== 'string') return null;
  const v1 = courseV1.exec(input);
  if (v1) return make(input, v1[1], v1[2], v1[3]);
  const old = legacy.exec(input);
  return old && !input.includes(':') ? make(input, old[1], old[2], old[3]) : null;
}

/**
 * The key under which a course run is owned: its org, course and run, case-insensitive (as orgs
 * are), whichever way its key is written, so `course-v1:mitx+Special+2026` and `MITx/Special/2026`
 * are the run `course-v1:MITx+Special+2026`. Used by both the registry and `validateConfig`, so what
 * is reported as a clash is what the registry would confuse.
 */
export const courseOwnerKey = (course: CourseKey): string =>
  `${course.org}+${course.course}+${course.run}`.toLowerCase();

/**
 * Parses an XBlock usage key, `block-v1:Org+Course+Run+type@T+block@B`; anything else is `null`.
 *
 * @example parseUsageKey('block-v1:MITx+6.00x+2026+type@problem+block@q1')?.course.org // 'MITx'
 */
export function parseUsageKey(input: unknown): UsageKey | null {
  const m = typeof input === 'string' ? blockV1.exec(input) : null;
  return m
    ? { course: make(`course-v1:${m[1]}+${m[2]}+${m[3]}`, m[1], m[2], m[3]), type: m[4] ?? '', block: m[5] ?? '' }
    : null;
}

/**
 * The course run a key handed to the registry names, read only as far as is unambiguous: a course
 * key or an XBlock usage key (its course), without the blanks around it, and with each space inside
 * read as the `+` a query string decodes into one (keys have no spaces); anything else is `null`.
 *
 * @example courseOfKey('course-v1:MITx Special 2026 ')?.id // 'course-v1:MITx+Special+2026'
 */
export function courseOfKey(input: unknown): CourseKey | null {
  const key = typeof input === 'string' ? input.trim().replace(/ /g, '+') : input;
  return parseCourseKey(key) ?? parseUsageKey(key)?.course ?? null;
}

/**
 * Finds the course of a page from its path (never its query or fragment): the first course key in
 * it. LMS pages (`/courses/{key}/…`, old keys as three segments), and a `course-v1:` key as a segment
 * anywhere, as the MFEs write it: the learning MFE (`/learning/course/{key}/…`, `/course/{key}/home`,
 * `/preview/course/{key}/…`), discussions (`/{key}/posts`), gradebook (`/{key}`); and usage keys
 * anywhere in the path (`/xblock/block-v1:…`). A URL without a course, or a malformed one, gives `null`.
 *
 * @example courseFromUrl('https://learning.edx.org/learning/course/course-v1:MITx+6.00x+2026/block-v1:MITx+6.00x+2026+type@sequential+block@s1')?.org // 'MITx'
 */
export function courseFromUrl(url: string | URL): CourseKey | null {
  let segments: string[];
  try {
    // Each segment decoded on its own: a `%` that starts no escape (`/wiki/100%-done/`) leaves its
    // segment as written, never the whole page without its course.
    segments = new URL(url, 'https://localhost').pathname.split('/').map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  } catch {
    return null;
  }
  for (let i = 0; i < segments.length; i++) {
    // An old-style key only where the LMS puts keys (`/courses/Org/Course/Run`): elsewhere three
    // segments are no course (the marketing site's `/course/{slug}` pages are no course run).
    if (segments[i] === 'courses' || (segments[i] === 'course' && segments[i - 1] === 'learning')) {
      const key = parseCourseKey(segments[i + 1]) ?? parseCourseKey(segments.slice(i + 1, i + 4).join('/'));
      if (key) return key;
    }
    const key = parseCourseKey(segments[i]) ?? parseUsageKey(segments[i])?.course;
    if (key?.id.startsWith('course-v1:')) return key;
  }
  return null;
}
