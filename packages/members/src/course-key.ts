/**
 * An Open edX course run, parsed from its key. A CCX (custom course, `ccx-v1:…+ccx@3`) is its own
 * key, with the org, course and run of the course it is built on.
 */
export interface CourseKey {
  /**
   * The key as Open edX writes it, without a branch or version: `course-v1:HarvardX+CS50+2026_T1`,
   * `HarvardX/CS50/2012` or a CCX's `ccx-v1:HarvardX+CS50+2026_T1+ccx@3`.
   */
  readonly id: string;
  /** The organisation: what ties the course to a Member. */
  readonly org: string;
  /** The course code, e.g. `CS50`. */
  readonly course: string;
  /** The run, e.g. `2026_T1` (a CCX's: that of the course it is built on). */
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
// A course run, then the branch and the version (a hex id) opaque-keys may add, in that order:
// `MITx+6.00x+2026+branch@draft+version@5f0c…`. Or a version alone, its org and course (never a run)
// before it or not (`HarvardX+CS50+version@<24 hex>`): the LMS then reads the course from the version
// and never checks the org it is written with (split modulestore's `_lookup_course`), so the key
// names a course of no Member (`guid`). Then a CCX's id (`+ccx@3`, digits, ccx-keys) where the
// namespace is a CCX's.
const courseRun = `(?:(?<org>${part})\\+(?<course>${part})\\+(?<run>${part})(?:\\+branch@${part})?(?:\\+version@[0-9A-Fa-f]{1,255})?|(?:${part}\\+${part}\\+)?(?:branch@${part}\\+)?version@(?<guid>[0-9A-Fa-f]{24}))`;
const ccx = '\\+ccx@(?<ccx>\\d{1,255})';
// The block opaque-keys reads after a course key and drops (`…+2026+type@course+block@course` is
// the course `…+2026`); a usage key's, which it needs.
const anyBlock = `(?:\\+type@${part})?(?:\\+block@${part})?$`;
const block = `\\+type@(?<type>${part})\\+block@(?<block>${part})$`;
// ccx-keys reads its keys' prefixes in any case (`+CCX@3`); opaque-keys, those of `course-v1:` and
// `block-v1:` as written.
const courseV1 = new RegExp(`^course-v1:${courseRun}${anyBlock}`, 'u');
const ccxV1 = new RegExp(`^ccx-v1:${courseRun}${ccx}${anyBlock}`, 'iu');
const legacy = new RegExp(`^(${part})/(${part})/(${part})$`, 'u');
const blockV1 = new RegExp(`^block-v1:${courseRun}${block}`, 'u');
const ccxBlockV1 = new RegExp(`^ccx-block-v1:${courseRun}${ccx}${block}`, 'iu');

const make = (id: string, org = '', course = '', run = ''): CourseKey => ({ id, org, course, run });
/**
 * The course of a `course-v1:`, `ccx-v1:` or usage key match: its org, course and run, a version's
 * (`course-v1:version@…`, of no org: see `courseRun`), and a CCX's id.
 */
const courseOf = (m: RegExpExecArray): CourseKey => {
  const { org = '', course = '', run = '', guid, ccx: id } = m.groups ?? {};
  const key = guid ? `version@${guid.toLowerCase()}` : `${org}+${course}+${run}`;
  return make(id ? `ccx-v1:${key}+ccx@${id}` : `course-v1:${key}`, org, course, run);
};

/**
 * Parses a course run key: `course-v1:Org+Course+Run` (a `+branch@…`, `+version@…`, `+type@…` or
 * `+block@…` after it is left out, as opaque-keys leaves it: the same run), the old `Org/Course/Run`,
 * or a CCX's `ccx-v1:Org+Course+Run+ccx@3` (its own key, with its parent course's org, course and
 * run). A key naming its course by a version alone (`course-v1:HarvardX+CS50+version@<24 hex>`, no
 * run) is `course-v1:version@<24 hex>`, with empty org, course and run: the LMS never checks the
 * org it is written with, so it is no Member's course. Anything else (these come from learners'
 * URLs) is `null`, never an exception.
 *
 * @example parseCourseKey('course-v1:HarvardX+CS50+2026_T1')?.org // 'HarvardX'
 * @example parseCourseKey('ccx-v1:MITx+6.00x+2026+ccx@3') // { id: 'ccx-v1:MITx+6.00x+2026+ccx@3', org: 'MITx', course: '6.00x', run: '2026' }
 */
export function parseCourseKey(input: unknown): CourseKey | null {
  if (typeof input !== 'string') return null;
  const v1 = courseV1.exec(input) ?? ccxV1.exec(input);
  if (v1) return courseOf(v1);
  const old = legacy.exec(input);
  return old && !input.includes(':') ? make(input, old[1], old[2], old[3]) : null;
}

/**
 * A key part (an org, a course, a run) in lower case for matching, one character at a time, each
 * only where its lower case maps back to it (`A`→`a`, `É`→`é`, `Σ`→`σ`): never the Kelvin sign `K`
 * (U+212A) into `k`, the Ångström sign into `å` or `İ` into `i̇`, which would let a key written with
 * it be taken for another Member's org.
 */
export const foldCase = (s: string): string =>
  s.replace(/[^\0-@[-\x7f]/gu, (c) => {
    const lower = c.toLowerCase();
    // (A word's final sigma ς is σ: `ΟΔΟΣ` is `οδος`, as toLowerCase read it.)
    return c === 'ς' ? 'σ' : lower.toUpperCase() === c ? lower : c;
  });

/**
 * The key under which a course run is owned: its org, course and run, case-insensitive (as orgs
 * are: `foldCase`), whichever way its key is written, so `course-v1:mitx+Special+2026` and `MITx/Special/2026`
 * are the run `course-v1:MITx+Special+2026`. Used by both the registry and `validateConfig`, so what
 * is reported as a clash is what the registry would confuse.
 */
export const courseOwnerKey = (course: CourseKey): string => foldCase(`${course.org}+${course.course}+${course.run}`);

/** Whether a course is a CCX (`ccx-v1:…`), which follows the Member of its org whoever owns its parent run. */
export const isCcx = (course: CourseKey): boolean => course.id.startsWith('ccx-v1:');

/**
 * Parses an XBlock usage key, `block-v1:Org+Course+Run+type@T+block@B` (a branch or version after
 * the run left out of its course; a version alone is the course `course-v1:version@…` of no org) or a CCX's `ccx-block-v1:Org+Course+Run+ccx@3+type@T+block@B`;
 * anything else is `null`.
 *
 * @example parseUsageKey('block-v1:MITx+6.00x+2026+type@problem+block@q1')?.course.org // 'MITx'
 */
export function parseUsageKey(input: unknown): UsageKey | null {
  const m = typeof input === 'string' ? (blockV1.exec(input) ?? ccxBlockV1.exec(input)) : null;
  return m ? { course: courseOf(m), type: m.groups?.type ?? '', block: m.groups?.block ?? '' } : null;
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
 * it. LMS pages (`/courses/{key}/…`, old keys as three segments), and a `course-v1:` (or a CCX's
 * `ccx-v1:`) key as a segment
 * anywhere, as the MFEs write it: the learning MFE (`/learning/course/{key}/…`, `/course/{key}/home`,
 * `/preview/course/{key}/…`), discussions (`/{key}/posts`), gradebook (`/{key}`); and usage keys
 * anywhere in the path (`/xblock/block-v1:…`). A URL without a course, or a malformed one, gives `null`.
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
  // Read twice: each segment decoded on its own (a `%2F` stays inside its segment), and as Django
  // routes it, the whole path decoded (`%2F` included) then split. Where the two readings name
  // different courses (`/courses/course-v1:HarvardX+CS50+2026%2Fwiki/course-v1:MITx+…/` is
  // HarvardX's wiki to the LMS), the page is no course: the platform's trackers only.
  const own = firstCourse(path.split('/').map(decode));
  return own?.id === firstCourse(decode(path).split('/'))?.id ? own : null;
}

/**
 * Decodes the escapes of a path, leaving as written any run of them that is no UTF-8 and any `%`
 * that starts no escape (`/wiki/100%-done/`): never the whole page without its course.
 */
export const decode = (s: string): string =>
  s.replace(/(?:%[\dA-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });

/** The first course key in a path's segments (see `courseFromUrl`). */
function firstCourse(segments: string[]): CourseKey | null {
  for (let i = 0; i < segments.length; i++) {
    // An old-style key only where the LMS puts keys (`/courses/Org/Course/Run`): elsewhere three
    // segments are no course (the marketing site's `/course/{slug}` pages are no course run).
    if (segments[i] === 'courses' || (segments[i] === 'course' && segments[i - 1] === 'learning')) {
      const key = parseCourseKey(segments[i + 1]) ?? parseCourseKey(segments.slice(i + 1, i + 4).join('/'));
      if (key) return key;
    }
    const key = parseCourseKey(segments[i]) ?? parseUsageKey(segments[i])?.course;
    if (key && /^(course|ccx)-v1:/.test(key.id)) return key;
  }
  return null;
}
