import { decodePercent } from './course-key-path.js';

/** A character of a key's part (opaque-keys' allowed characters, but `%`). */
const partChar = '[\\p{L}\\p{N}_\\-~.]';
/** Slash-separated parts, three or more, starting where no part's character is before them. */
const slashRun = new RegExp(`(?<!${partChar})${partChar}+(?:/${partChar}+){2,}`, 'gu');
/**
 * `Org+Course` or `Org+Course+Run` with no namespace (`course-v1:`, read as a key) nor a `+` before
 * it; its first part may start with a word glued before the org (`ref-HarvardX+CS50`).
 */
const plusKey = new RegExp(`(?<![\\p{L}\\p{N}_\\-~.+]|v1:)(${partChar}+)\\+(${partChar}+)(?:\\+(${partChar}+))?`, 'gu');
/**
 * A parameter naming a course id, in a query, a form, JSON or prose (`course_id=`, `courseId":"`,
 * `course-key: `, Discovery's `course_run_key=`), and its value (up to three words: a form's `+`
 * may be spaces, `course_key=HarvardX CS50`).
 */
const courseParam =
  /(?<![\p{L}\p{N}_])course[_-]?(?:run[_-]?)?(?:id|key)["']?\s*[=:]\s*["']?([\p{L}\p{N}_\-~.:%+/@]+(?:[ \t]+[\p{L}\p{N}_\-~.:%+/@]+){0,2})/giu;

/**
 * Whether a property's name is a course id parameter's (`course_id`, `courseId`, `course-key`,
 * `course_run_key`, `courseRunKey`):
 * its value is read as {@link namespacelessCourseIdsIn} reads a parameter's.
 */
export const courseParamName = (name: string): boolean => /^course[_-]?(?:run[_-]?)?(?:id|key)$/i.test(name);

/**
 * The course ids written without a namespace that `text` names outside a `/courses/` path, each as
 * a key `readCourseKey` reads (`Org/Course/Run`, `course-v1:Org+Course+Run`) or a catalog key
 * (`Org+Course`, a course of any run):
 * - the value of a parameter named `course_id`, `courseId`, `course_key`, `courseKey`,
 *   `course_run_key` or `courseRunKey` (any case, in a query, a form or JSON, a `%` read decoded
 *   once: `?course_id=MITx/6.002x/2012_Fall`, `course_id=MITx%2F6.002x%2F2012_Fall`,
 *   `course_key=MITx+6.002x`), as written, and its first two and three words (split at `+` or
 *   spaces, `course_key=MITx 6.002x`) as a catalog key and a run's;
 * - an old `Org/Course/Run` (each three parts of a longer run of parts too), a catalog key or a run's
 *   `Org+Course+Run` whose org `isOrg` (a Member's org), anywhere (`see MITx/6.002x/2012_Fall`,
 *   `/course/MITx+6.002x`, `course:MITx+6.002x`, glued after a word: `ref-MITx+6.002x`); never other
 *   text with slashes or `+` (`2024/01/02`, `3/4`, `1+2`, another site's path of no Member's org),
 *   nor two orgs named together (`HarvardX+MITx`, `HarvardX/MITx/BerkeleyX`: a course coded as
 *   another org is not told from them). A course coded as a short number (`HarvardX+1`) is read.
 * Each once; linear in `text`.
 */
export function namespacelessCourseIdsIn(text: string, isOrg: (org: string) => boolean): Set<string> {
  const ids = new Set<string>();
  const plus = (org: string, course: string, run: string | undefined) =>
    run === undefined ? `${org}+${course}` : `course-v1:${org}+${course}+${run}`;
  // (Each reading only where its mark is: most text has none.)
  if (/course/i.test(text))
    for (const [, value = ''] of text.matchAll(courseParam)) {
      const id = decodePercent(value).trim();
      ids.add(id);
      // Its spaces read as the `+` a form made of them, the first two words are a catalog key, three a run's.
      const words = id.split(/[ \t+]+/);
      const [org = '', course, run] = words;
      // (Not a number's: `course_id=123 enrolled` is an id of another system, no org's course.)
      if (course !== undefined && !org.includes(':') && (!/^\d+$/.test(org) || isOrg(org))) {
        ids.add(plus(org, course, undefined));
        if (run !== undefined) ids.add(plus(org, course, run));
      }
    }
  // A pair of two orgs (`HarvardX/MITx/BerkeleyX`, `HarvardX+MITx`) names no course.
  const names = (org: string, course: string) =>
    isOrg(org) && (!isOrg(course) || org.toLowerCase() === course.toLowerCase());
  if (text.includes('/'))
    for (const { 0: run, index } of text.matchAll(slashRun)) {
      // (An old asset's or usage's `c4x/Org/Course/asset`, `i4x://Org/Course/problem`, names its
      // course, read as such by the Member rule, and no run.)
      const before = text.slice(Math.max(0, index - 6), index);
      const parts = run.split('/');
      const asset = (i: number) =>
        i === 0 ? /i4x:\/{1,2}$/i.test(before) : /^c4x$/i.test(parts[i - 1] ?? '') && (i > 1 || before.endsWith('/'));
      for (let i = 0; i + 2 < parts.length; i++)
        if (!asset(i) && names(parts[i] ?? '', parts[i + 1] ?? '')) ids.add(parts.slice(i, i + 3).join('/'));
    }
  if (text.includes('+'))
    for (const [, first = '', course = '', run] of text.matchAll(plusKey)) {
      // The org, or the org glued after a word or three (`ref-HarvardX`, `tag_HarvardX`, `a-b-Harvard-X`).
      let org = isOrg(first) ? first : undefined;
      if (org === undefined && /[-_.~]/.test(first)) {
        const tail = /(?:[-_.~][^-_.~]*){1,3}$/.exec(first)?.[0] ?? '';
        org = [...tail.matchAll(/[-_.~]/g)].map((m) => tail.slice(m.index + 1)).find((o) => isOrg(o));
      }
      if (org !== undefined && names(org, course)) ids.add(plus(org, course, run));
    }
  return ids;
}

/** The org and course of a catalog key (`Org+Course`) {@link namespacelessCourseIdsIn} gives; `undefined` for a key. */
export function catalogCourse(id: string): { org: string; course: string } | undefined {
  const m = /^([^+:/]+)\+([^+:/]+)$/u.exec(id);
  return m ? { org: m[1] ?? '', course: m[2] ?? '' } : undefined;
}
