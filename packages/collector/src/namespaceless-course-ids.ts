import { decoded } from './course-path.js';

/** A character of a key's part (opaque-keys' allowed characters, but `%`). */
const partChar = '[\\p{L}\\p{N}_\\-~.]';
/** Slash-separated parts, three or more, starting where no part's character is before them. */
const slashRun = new RegExp(`(?<!${partChar})${partChar}+(?:/${partChar}+){2,}`, 'gu');
/** `Org+Course` or `Org+Course+Run` with no namespace (nor a `:`, `@` or `+`) before it. */
const plusKey = new RegExp(`(?<![\\p{L}\\p{N}_\\-~.:@+])(${partChar}+)\\+(${partChar}+)(?:\\+(${partChar}+))?`, 'gu');
/** A catalog key (`Org+Course`) or a run's key without its namespace (`Org+Course+Run`), whole. */
const catalogKey = new RegExp(`^(${partChar}+)\\+(${partChar}+)(?:\\+(${partChar}+))?$`, 'u');
/**
 * A parameter naming a course id, in a query, a form, JSON or prose (`course_id=`, `courseId":"`,
 * `course-key: `), and its value.
 */
const courseParam = /(?<![\p{L}\p{N}_])course[_-]?(?:id|key)["']?\s*[=:]\s*["']?([\p{L}\p{N}_\-~.:%+/@]+)/giu;

/**
 * Whether a property's name is a course id parameter's (`course_id`, `courseId`, `course-key`):
 * its value is read as {@link namespacelessCourseIdsIn} reads a parameter's.
 */
export const courseParamName = (name: string): boolean => /^course[_-]?(?:id|key)$/i.test(name);

/**
 * The course ids written without a namespace that `text` names outside a `/courses/` path, each as
 * a key `readCourseKey` reads (`Org/Course/Run`, `course-v1:Org+Course+Run`) or a catalog key
 * (`Org+Course`, a course of any run):
 * - the value of a parameter named `course_id`, `courseId`, `course_key` or `courseKey` (any case,
 *   in a query, a form or JSON, a `%` read decoded once: `?course_id=MITx/6.002x/2012_Fall`,
 *   `course_id=MITx%2F6.002x%2F2012_Fall`, `course_key=MITx+6.002x`), as written when it is a key;
 * - an old `Org/Course/Run` (each three parts of a longer run of parts too), a catalog key or a run's
 *   `Org+Course+Run` whose org `isOrg` (a Member's org), anywhere (`see MITx/6.002x/2012_Fall`,
 *   `/course/MITx+6.002x`); never other text with slashes or `+` (`2024/01/02`, `3/4`, `1+2`,
 *   another site's path of no Member's org).
 * Each once; linear in `text`.
 */
export function namespacelessCourseIdsIn(text: string, isOrg: (org: string) => boolean): Set<string> {
  const ids = new Set<string>();
  const plus = (org: string, course: string, run: string | undefined) =>
    run === undefined ? `${org}+${course}` : `course-v1:${org}+${course}+${run}`;
  for (const [, value = ''] of text.matchAll(courseParam)) {
    const id = decoded(value);
    const catalog = catalogKey.exec(id);
    ids.add(catalog ? plus(catalog[1] ?? '', catalog[2] ?? '', catalog[3]) : id);
  }
  for (const [run] of text.matchAll(slashRun)) {
    const parts = run.split('/');
    for (let i = 0; i + 2 < parts.length; i++) if (isOrg(parts[i] ?? '')) ids.add(parts.slice(i, i + 3).join('/'));
  }
  for (const [, org = '', course = '', run] of text.matchAll(plusKey)) if (isOrg(org)) ids.add(plus(org, course, run));
  return ids;
}

/** The org and course of a catalog key (`Org+Course`) {@link namespacelessCourseIdsIn} gives; `undefined` for a key. */
export function catalogCourse(id: string): { org: string; course: string } | undefined {
  const m = /^([^+:/]+)\+([^+:/]+)$/u.exec(id);
  return m ? { org: m[1] ?? '', course: m[2] ?? '' } : undefined;
}
