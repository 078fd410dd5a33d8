import { courseField, fieldCourses, type FieldContext, type FieldCourse } from './course-key-fields.js';
import { trailingPunctuation } from './course-key-mentions.js';
import { foldCase } from './course-key-parser.js';
import { wordsOf } from './course-key-words.js';

/**
 * Where {@link courseOwners} finds the Members of courses: `O` is a Member as its reader names one
 * (an id, a Member object), or `null` or `undefined` for the platform (no Member's).
 */
export interface CourseOwnerLookup<O> {
  /** The Member of an org (`null` or `undefined`: the platform). */
  readonly ofOrg: (org: string) => O;
  /** The Member of a course run key `course-v1:Org+Course+Run` (`null` or `undefined`: the platform). */
  readonly ofKey: (key: string) => O;
  /** The Members listing a run of each course, by its `Org+Course` in {@link foldCase}. */
  readonly listingCourse: ReadonlyMap<string, readonly O[]>;
  /** The Members listing a run under each org, by the org in {@link foldCase}. */
  readonly listingOrg: ReadonlyMap<string, readonly O[]>;
  /** Whether an org is a Member's, or of a run a Member lists ({@link fieldCourses}' `isOrg`). */
  readonly isOrg: (org: string) => boolean;
}

/** What an object's fields name ({@link CourseOwners.fieldsOf}). */
export interface FieldsOwned {
  /** Whether they name a course of a Member the reader's `other` picks. */
  readonly other: boolean;
  /** The orgs they name ({@link fieldCourses}): the context of the objects it holds. */
  readonly orgs: readonly string[];
}

/** The Members of courses named without a run, or by an object's fields ({@link courseOwners}). */
export interface CourseOwners<O> {
  /**
   * The Members of a course (of any run): each Member listing a run of it, and its org's Member; the
   * platform only when no Member lists a run of it and its org is none's (a run Members list under
   * no Member's org is theirs, as the course they list it of). Sentence punctuation after the
   * course (`Partner+Joint.`) is read as not its own.
   */
  readonly ofCourse: (org: string, course: string) => O[];
  /**
   * The Members of the courses an object's fields name ({@link fieldCourses}): a run's Member where
   * its course and run are given, a course's ({@link CourseOwners.ofCourse}) where its course is,
   * else each Member a run of its org may be (its org's, each listing a run under it: as a key cut short).
   */
  readonly ofFields: (courses: readonly FieldCourse[]) => O[];
  /** What an object's fields name under `context`: whether a course of a Member `other` picks, and the orgs. */
  readonly fieldsOf: (object: object, context: FieldContext, other: (owner: O) => boolean) => FieldsOwned;
  /**
   * Whether an object in a JSON value, at any depth (it nests boundedly), names by its fields
   * ({@link CourseOwners.fieldsOf}) a course of a Member `other` picks.
   */
  readonly objectsName: (value: unknown, context: FieldContext, other: (owner: O) => boolean) => boolean;
}

/**
 * The Members of courses named by org and course, or by an object's fields, as `@optin/collector`
 * and a Member's tracker (`@optin/members`) both find them, each over its own index of Members.
 *
 * @example courseOwners({ ofOrg, ofKey, listingCourse, listingOrg, isOrg }).ofCourse('MITx', '6.00x')
 */
export function courseOwners<O>({
  ofOrg,
  ofKey,
  listingCourse,
  listingOrg,
  isOrg,
}: CourseOwnerLookup<O>): CourseOwners<O> {
  const ofCourse = (org: string, course: string): O[] => {
    const listing = [...new Set([course, course.replace(trailingPunctuation, '')])].flatMap(
      (c) => listingCourse.get(foldCase(`${org}+${c}`)) ?? [],
    );
    const owner = ofOrg(org);
    return (owner === null || owner === undefined) && listing.length ? listing : [owner, ...listing];
  };
  const ofFields = (courses: readonly FieldCourse[]): O[] =>
    courses.flatMap(({ org, course, run }) =>
      course === undefined
        ? [ofOrg(org), ...(listingOrg.get(foldCase(org)) ?? [])]
        : run === undefined
          ? ofCourse(org, course)
          : [ofKey(`course-v1:${org}+${course}+${run}`)],
    );
  const fieldsOf = (object: object, context: FieldContext, other: (owner: O) => boolean): FieldsOwned => {
    const { courses, orgs } = fieldCourses(object as Record<string, unknown>, context, isOrg);
    return { other: ofFields(courses).some(other), orgs };
  };
  const objectsName = (value: unknown, context: FieldContext, other: (owner: O) => boolean): boolean => {
    if (Array.isArray(value)) return value.some((item) => objectsName(item, context, other));
    if (typeof value !== 'object' || value === null) return false;
    const fields = fieldsOf(value, context, other);
    return (
      fields.other ||
      Object.entries(value).some(
        ([key, v]) =>
          typeof v === 'object' &&
          v !== null &&
          objectsName(v, { course: context.course || courseField(wordsOf(key)), orgs: fields.orgs }, other),
      )
    );
  };
  return { ofCourse, ofFields, fieldsOf, objectsName };
}
