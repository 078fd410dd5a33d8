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
// Namespaces are read exactly as written, as opaque-keys reads them (`CCX-V1:` is no namespace);
// ccx-keys reads the rest of its keys in any case (`+CCX@3`), opaque-keys that of `course-v1:` and
// `block-v1:` keys as written. (A CCX's expression is tried only after its namespace.)
const courseV1 = new RegExp(`^course-v1:${courseRun}${anyBlock}`, 'u');
const ccxV1 = new RegExp(`^ccx-v1:${courseRun}${ccx}${anyBlock}`, 'iu');
const legacy = new RegExp(`^(${part})/(${part})/(${part})$`, 'u');
const blockV1 = new RegExp(`^block-v1:${courseRun}${block}`, 'u');
const ccxBlockV1 = new RegExp(`^ccx-block-v1:${courseRun}${ccx}${block}`, 'iu');

/** `input` matched by a CCX's expression, only where it starts with the CCX's namespace as written. */
const ccxMatch = (re: RegExp, namespace: string, input: string): RegExpExecArray | null =>
  input.startsWith(namespace) ? re.exec(input) : null;

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
 * run). Namespaces are read as written (`CCX-V1:…` is no key, as for opaque-keys). A key naming its
 * course by a version alone (`course-v1:HarvardX+CS50+version@<24 hex>`, no run) is
 * `course-v1:version@<24 hex>`, with empty org, course and run: the LMS never checks the org it is
 * written with, so it is no Member's course. Anything else (these come from learners' URLs) is
 * `null`, never an exception.
 *
 * @example parseCourseKey('course-v1:HarvardX+CS50+2026_T1')?.org // 'HarvardX'
 * @example parseCourseKey('ccx-v1:MITx+6.00x+2026+ccx@3') // { id: 'ccx-v1:MITx+6.00x+2026+ccx@3', org: 'MITx', course: '6.00x', run: '2026' }
 */
export function parseCourseKey(input: unknown): CourseKey | null {
  if (typeof input !== 'string') return null;
  const v1 = courseV1.exec(input) ?? ccxMatch(ccxV1, 'ccx-v1:', input);
  if (v1) return courseOf(v1);
  const old = legacy.exec(input);
  return old && !input.includes(':') ? make(input, old[1], old[2], old[3]) : null;
}

/**
 * Parses an XBlock usage key, `block-v1:Org+Course+Run+type@T+block@B` (a branch or version after
 * the run left out of its course; a version alone is the course `course-v1:version@…` of no org) or
 * a CCX's `ccx-block-v1:Org+Course+Run+ccx@3+type@T+block@B` (namespaces as written); anything else
 * is `null`.
 *
 * @example parseUsageKey('block-v1:MITx+6.00x+2026+type@problem+block@q1')?.course.org // 'MITx'
 */
export function parseUsageKey(input: unknown): UsageKey | null {
  const m = typeof input === 'string' ? (blockV1.exec(input) ?? ccxMatch(ccxBlockV1, 'ccx-block-v1:', input)) : null;
  return m ? { course: courseOf(m), type: m.groups?.type ?? '', block: m.groups?.block ?? '' } : null;
}

/**
 * A usage key as Open edX writes it, without a branch or version: `block-v1:MITx+6.00x+2026+type@problem+block@q1`,
 * a CCX's `ccx-block-v1:MITx+6.00x+2026+ccx@3+type@problem+block@q1`.
 *
 * @example usageKeyId(parseUsageKey('block-v1:MITx+6.00x+2026+branch@draft+type@problem+block@q1')!) // 'block-v1:MITx+6.00x+2026+type@problem+block@q1'
 */
export const usageKeyId = ({ course, type, block }: UsageKey): string =>
  `${course.id.startsWith('ccx-v1:') ? 'ccx-block-v1:' : 'block-v1:'}${course.id.slice(course.id.indexOf(':') + 1)}+type@${type}+block@${block}`;

/**
 * The course run a key a client sent names, read only as far as is unambiguous: a course key or an
 * XBlock usage key (its course), without the blanks around it, and with each space inside read as
 * the `+` a query string decodes into one (keys have no spaces); anything else is `null`.
 *
 * @example courseOfKey('course-v1:MITx Special 2026 ')?.id // 'course-v1:MITx+Special+2026'
 */
export function courseOfKey(input: unknown): CourseKey | null {
  return readKey(input)?.course ?? null;
}

/**
 * A key a client sent read as {@link courseOfKey} reads it, keeping what it is: the course key, or
 * the usage key (`usage`: {@link usageKeyId} names it) and its course.
 *
 * @example readKey('block-v1:MITx+6.00x+2026+type@problem+block@q1')?.usage?.type // 'problem'
 */
export function readKey(input: unknown): { readonly course: CourseKey; readonly usage: UsageKey | null } | null {
  const key = typeof input === 'string' ? input.trim().replace(/ /g, '+') : input;
  const course = parseCourseKey(key);
  if (course) return { course, usage: null };
  const usage = parseUsageKey(key);
  return usage && { course: usage.course, usage };
}

/**
 * A key part (an org, a course, a run) in lower case for matching, one character at a time, each
 * only where its lower case maps back to it (`A`→`a`, `É`→`é`, `Σ`→`σ`): never the Kelvin sign `K`
 * (U+212A) into `k`, the Ångström sign into `å` or `İ` into `i̇`, which would let a key written with
 * it be taken for another Member's org.
 */
export const foldCase = (s: string): string =>
  // (ASCII text, as keys mostly are, lowers as toLowerCase lowers it.)
  !/[^\0-\x7f]/.test(s)
    ? s.toLowerCase()
    : s.replace(/[^\0-@[-\x7f]/gu, (c) => {
        const lower = c.toLowerCase();
        // (A word's final sigma ς is σ: `ΟΔΟΣ` is `οδος`, as toLowerCase read it.)
        return c === 'ς' ? 'σ' : lower.toUpperCase() === c ? lower : c;
      });

/**
 * The key under which a course run is owned: its org, course and run, case-insensitive (as orgs
 * are: {@link foldCase}), whichever way its key is written, so `course-v1:mitx+Special+2026` and
 * `MITx/Special/2026` are one run.
 */
export const courseOwnerKey = (course: Pick<CourseKey, 'org' | 'course' | 'run'>): string =>
  foldCase(`${course.org}+${course.course}+${course.run}`);

/**
 * The CCX id of a course (`3` of `ccx-v1:…+ccx@3`), which follows the Member of its org whoever owns
 * its parent run; `null` for any other course.
 */
export const ccxOf = (course: CourseKey): string | null =>
  course.id.startsWith('ccx-v1:') ? (/\+ccx@(\d+)$/.exec(course.id)?.[1] ?? null) : null;
