/**
 * `@optin/consent/course-key`: how Optin reads Open edX course keys, in the browser
 * (`@optin/members`) and on the server (`@optin/collector`) alike, so that both give a page, an
 * event and a tracker to the same Member: the key parser, keys in a page's path, text decoded as a
 * key may hide in it, and the words of property names that hold a referrer or a previous page.
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
