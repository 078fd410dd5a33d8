/**
 * `@optin/consent/course-key`: how Optin reads Open edX course keys, in the browser
 * (`@optin/members`) and on the server (`@optin/collector`) alike, so that both give a page, an
 * event and a tracker to the same Member: the key parser, keys in a page's path, text decoded as a
 * key may hide in it, and the words of property names that hold a referrer or a previous page; and
 * every other way text sent to a Member may name a course (old and catalog keys, assets, an object's
 * or a query's fields, array items joined, base64 and hex).
 * Kept out of `@optin/consent`'s main entry: a page that only asks for consent never loads it.
 */
export {
  ccxOf,
  courseOfKey,
  courseOwnerKey,
  foldCase,
  parseCourseKey,
  parseUsageKey,
  readKey,
  usageKeyId,
  type CourseKey,
  type UsageKey,
} from './course-key-parser.js';
export { courseFromUrl, courseKeysOfPath, decodePercent, type PathKeyReading } from './course-key-path.js';
export { decodeTextOnce } from './course-key-text.js';
export { previousWord, referrerWord, wordsOf } from './course-key-words.js';
export { base64Texts } from './course-key-base64.js';
export { textsOfBytes } from './course-key-bytes.js';
export {
  courseField,
  fieldCourses,
  type FieldContext,
  type FieldCourse,
  type FieldsRead,
} from './course-key-fields.js';
export { hexTexts } from './course-key-hex.js';
export { catalogCourse, courseParamName, namespacelessCourseIdsIn } from './course-key-ids.js';
export { joinedItems, type JoinedItems } from './course-key-items.js';
export {
  namespacedKeysIn,
  oldAssetsIn,
  pathPiecesIn,
  trailingPunctuation,
  type NamespacedKeyMention,
} from './course-key-mentions.js';
export { paramFields } from './course-key-params.js';
export { contextForMember } from './course-key-member-context.js';
export { courseOwners, type CourseOwnerLookup, type CourseOwners, type FieldsOwned } from './course-key-owners.js';
