import type { Tracker } from '@optin/trackers';
import type { Member, OptinConfig } from './config.js';
import {
  ccxOf,
  courseFromUrl,
  courseOfKey,
  courseOwnerKey,
  foldCase,
  parseCourseKey,
  type CourseKey,
} from '@optin/consent/course-key';
import { assertConfigShape } from './assert-config.js';
import { buildDeclaration, type Declaration } from './declaration.js';

/** Where a page is: its course (if any), the Member that owns it, and the trackers that may run there. */
export interface Scope {
  /** The course of the page, or `null` outside courses. */
  readonly course: CourseKey | null;
  /** The Member that owns the course, or `null` (platform pages, unowned courses). */
  readonly member: Member | null;
  /** The platform's trackers plus those of `member`, and no other Member's. */
  readonly trackers: readonly Tracker[];
}

/** Answers which Member owns what, which trackers run where, and what is declared to learners. */
export interface Registry {
  /** The config the registry was built from. */
  readonly config: OptinConfig;
  /**
   * The Member that owns a course (by its run first, then its org; a CCX by its org only), or `null`.
   * Case-insensitive on orgs and course runs. `courseId` may be a course key or an XBlock usage key, with blanks around
   * it or spaces for its `+` (as a query string decodes them); one that is still no key is `null`,
   * whatever `orgId` says. `orgId` decides only when no `courseId` is given.
   */
  memberFor(where: { courseId?: string | null; orgId?: string | null }): Member | null;
  /** The platform's trackers plus those of the Member that owns the course or org, and no other Member's. */
  trackersFor(where?: { courseId?: string | null; orgId?: string | null }): readonly Tracker[];
  /** The scope of a page from its URL (LMS, learning MFE, usage keys). */
  scopeFor(url: string | URL): Scope;
  /**
   * The list of third parties: every tracker and every sender whose emails are tracked, for the
   * whole platform or as seen on one Member's courses (the platform's and that Member's own).
   * `member` undefined or `null` (as the JSON writes it) means the whole platform, so
   * `{ member: scope.member?.id }` fits every page.
   */
  declaration(options?: { member?: string | null | undefined }): Declaration;
}

/**
 * Builds the registry of a config (validate it first with `defineConfig`). What is not shaped as a
 * config (no object, no `platform` or `members` list, a Member that is no object) throws an
 * `invalid_config` {@link MembersError} with the path of the problem.
 *
 * @example
 * const registry = createRegistry(config);
 * registry.trackersFor({ courseId: 'course-v1:HarvardX+CS50+2026_T1' }); // platform + HarvardX's
 * registry.scopeFor('https://learning.edx.org/learning/course/course-v1:MITx+6.00x+2026/home').member?.id; // 'MITx'
 */
export function createRegistry(config: OptinConfig): Registry {
  assertConfigShape(config);
  const byOrg = new Map<string, Member>();
  const byCourse = new Map<string, Member>();
  for (const member of config.members) {
    for (const org of member.orgs ?? []) byOrg.set(foldCase(org), member);
    for (const id of member.courses ?? []) {
      const course = parseCourseKey(id);
      if (course) byCourse.set(courseOwnerKey(course), member);
    }
  }
  const memberFor: Registry['memberFor'] = ({ courseId, orgId }) => {
    // A course given is what decides: one that is no key is no one's, never its supposed org's.
    if (courseId == null) return byOrg.get(foldCase(orgId ?? '')) ?? null;
    const course = courseOfKey(courseId);
    // A CCX is its org's: never the Member that owns the run it is built on under another org.
    const run = course && ccxOf(course) === null ? byCourse.get(courseOwnerKey(course)) : undefined;
    // A key naming its course by a version alone has no org: no one's (see `parseCourseKey`).
    return course?.org ? (run ?? byOrg.get(foldCase(course.org)) ?? null) : null;
  };
  const trackersFor: Registry['trackersFor'] = (where = {}) => [
    ...config.platform.trackers,
    ...(memberFor(where)?.trackers ?? []),
  ];
  return {
    config,
    memberFor,
    trackersFor,
    scopeFor(url) {
      const course = courseFromUrl(url);
      const member = course ? memberFor({ courseId: course.id }) : null;
      return { course, member, trackers: [...config.platform.trackers, ...(member?.trackers ?? [])] };
    },
    declaration: (options = {}) => buildDeclaration(config, options.member),
  };
}
