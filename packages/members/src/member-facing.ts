import {
  courseFromUrl,
  courseOfKey,
  decodeTextOnce,
  foldCase,
  parseCourseKey,
  previousWord,
  referrerWord,
  wordsOf,
} from '@optin/consent/course-key';
import type { Member } from './config.js';
import type { Registry } from './registry.js';

// The words of a name holding a referrer (`referrer`, `httpReferer`, `ref`, …) or the previous page
// (`previous_url`, `prevPages`, `from`, …) are those the collector reads (`@optin/consent/course-key`),
// so that the browser gives a Member's tracker what the collector gives the Member.
/**
 * A namespaced key in text, up to where no key goes on (a blank, a quote, a bracket, `/?#&=,;`), its
 * namespace in any case as the collector reads it: `CCX-V1:MITx+…` is no key to Open edX, but text
 * so written still names MITx to whoever reads it (its org's Member, as a key cut short).
 */
const keyIn = /(?:ccx-block|block|ccx|course)-v1:[^\s"'`<>()[\]{}|^\\/?#&=,;]*/gi;
/** How deep a property is read; what is deeper is left out unread. */
const maxDepth = 8;
/** How many times text is decoded to find a key in it; text still encoded after that names one. */
const maxRounds = 8;

/**
 * `text` as written and each decoding of it ({@link decodeTextOnce}: percent escapes, code escapes,
 * HTML character references), while it changes, at most `maxRounds`; `null` when it is still
 * encoded after them (read as naming a course: never given unread).
 */
function readings(text: string): string[] | null {
  const all = [text];
  for (let round = 0; round < maxRounds; round++) {
    const next = decodeTextOnce(all[all.length - 1] ?? '');
    if (next === all[all.length - 1]) return all;
    all.push(next);
  }
  return null;
}

/** What a Member's tracker is given of an event ({@link memberFacing}). */
export interface MemberFacing {
  /**
   * An event's properties (a page's, an action's, the learner's traits): every text (at any depth, a
   * key too) that names a course whose Member is another or none, as written or decoded (percent
   * escapes, code escapes, HTML character references, again while it changes; text still encoded
   * after 8 rounds is left out) (a key, one cut short naming each run of its org; a URL's path), left out (`''`; a key with its
   * entry), but a URL naming one only in its query or fragment, given by its origin and path; and
   * under a referrer's or previous page's name (or in an object so named), a URL (`scheme://…`) or
   * path given by its origin and path only (`''` when that names such a course), other text under a
   * referrer's name left out. Numbers, booleans and dates are kept; what nests deeper than
   * `maxDepth` is left out.
   */
  properties<T extends Readonly<Record<string, unknown>>>(properties: T): T;
  /** An action's or page's name, each word naming such a course `[course]` (`Clicked [course]`). */
  name(name: string): string;
}

/**
 * Makes what a Member's tracker is given of an event, as the collector gives the Member its events
 * (@optin/collector's member-facing-event.ts): nothing that names another Member's course, nor the
 * platform's.
 */
export function memberFacing(registry: Registry, member: Member): MemberFacing {
  // Each Member listing a run under an org: a key cut short at its org may name that run.
  const listers = new Map<string, Member[]>();
  for (const m of registry.config.members)
    for (const id of m.courses ?? []) {
      const org = foldCase(parseCourseKey(id)?.org ?? '');
      listers.set(org, [...(listers.get(org) ?? []), m]);
    }
  const foreignKey = (key: string): boolean => {
    const course = courseOfKey(key);
    if (course) return registry.memberFor({ courseId: course.id }) !== member;
    const org = /:([^+%]*)/.exec(key)?.[1] ?? '';
    return [registry.memberFor({ orgId: org }), ...(listers.get(foldCase(org)) ?? [])].some((m) => m !== member);
  };
  // Whether text names a course not the Member's: read as written and each time decoded (an encoded
  // URL in a query, a key behind HTML character references); text still encoded after every round does.
  const foreign = (text: string): boolean => {
    const all = readings(text);
    return (
      all === null ||
      all.some((t) => {
        const page = /^(?:[a-z][a-z\d+.-]*:\/\/|\/)/i.test(t) && courseFromUrl(t);
        return (
          (page && registry.memberFor({ courseId: page.id }) !== member) ||
          [...t.matchAll(keyIn)].some(([k]) => foreignKey(k))
        );
      })
    );
  };
  // A URL's (`scheme://…`) or path's (`/…`) origin and path, never its query, fragment or credentials;
  // `undefined` for other text.
  const bare = (text: string): string | undefined => {
    if (!/^(?:[a-z][a-z\d+.-]*:\/\/|\/)/i.test(text)) return undefined;
    try {
      const url = new URL(text, 'https://path.invalid');
      url.username = url.password = url.search = url.hash = '';
      return text.startsWith('/') && !text.startsWith('//') ? url.pathname : url.href;
    } catch {
      return undefined;
    }
  };
  const text = (s: string, referrer: boolean, previous: boolean): string => {
    if (!referrer && !previous && !foreign(s)) return s;
    const url = bare(s);
    if (url !== undefined) return foreign(url) ? '' : url;
    return referrer || foreign(s) ? '' : s;
  };
  const walk = (value: unknown, referrer: boolean, previous: boolean, depth: number): unknown => {
    if (typeof value === 'string') return text(value, referrer, previous);
    if (typeof value !== 'object' || value === null || value instanceof Date) return value;
    if (depth > maxDepth) return undefined;
    if (Array.isArray(value)) return value.map((v) => walk(v, referrer, previous, depth + 1));
    const given: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (foreign(key)) continue;
      const words = wordsOf(key);
      given[key] = walk(v, referrer || words.some(referrerWord), previous || words.some(previousWord), depth + 1);
    }
    return given;
  };
  return {
    // (Text stays text: the fields an event's type says it has are kept, as what they were or `''`.)
    properties: <T>(properties: T) => walk(properties, false, false, 0) as T,
    name: (name) =>
      foreign(name)
        ? name
            .split(/(\s+)/)
            .map((word) => (foreign(word) ? '[course]' : word))
            .join('')
        : name,
  };
}
