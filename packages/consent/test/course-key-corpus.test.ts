import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ccxOf,
  courseFromUrl,
  courseOfKey,
  decodeTextOnce,
  foldCase,
  parseCourseKey,
  parseUsageKey,
  usageKeyId,
} from '../src/course-key.js';

// A part of a key (an org, a course, a run): Open edX's characters, letters of other scripts too.
const part = fc
  .array(fc.constantFrom(...Array.from('aAzZ09_-~.éÉΣς清华大学\u212AİX')), { minLength: 1, maxLength: 12 })
  .map((cs) => cs.join(''));
const hex = fc
  .array(fc.constantFrom(...Array.from('0123456789abcdefABCDEF')), { minLength: 24, maxLength: 24 })
  .map((cs) => cs.join(''));
const branch = fc.option(
  part.map((b) => `+branch@${b}`),
  { nil: '' },
);
const version = fc.option(
  hex.map((v) => `+version@${v}`),
  { nil: '' },
);
const block = fc.record({ type: part, id: part });
/** A namespace written in another case than Open edX's (`CCX-V1:`, `Course-v1:`). */
const recased = (namespace: string) =>
  fc
    .array(fc.boolean(), { minLength: namespace.length, maxLength: namespace.length })
    .map((ups) => Array.from(namespace, (c, i) => (ups[i] ? c.toUpperCase() : c)).join(''))
    .filter((n) => n !== namespace);
/** What a client or a page may make of a key: encoded once or more, as HTML or code escapes. */
const encodings: fc.Arbitrary<(key: string) => string> = fc.constantFrom(
  (k: string) => encodeURIComponent(k),
  (k: string) => encodeURIComponent(encodeURIComponent(encodeURIComponent(k))),
  (k: string) => k.replace(/[:+/]/g, (c) => `&#${c.charCodeAt(0)};`),
  (k: string) => k.replace(/:/g, '&colon;').replace(/\+/g, '&plus;'),
  (k: string) => k.replace(/[:+]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`),
  (k: string) => encodeURIComponent(k.replace(/\+/g, '&#x2B;')),
);
/** `text` decoded while it changes (at most 8 rounds). */
const decodedFully = (text: string): string => {
  let value = text;
  for (let round = 0; round < 8; round++) {
    const next = decodeTextOnce(value);
    if (next === value) break;
    value = next;
  }
  return value;
};

describe('course keys (property tests over the corpus the shared reader was compared on)', () => {
  it('reads a course-v1 key, with any branch, version or block after its run, as its run', () => {
    fc.assert(
      fc.property(
        part,
        part,
        part,
        branch,
        version,
        fc.option(block, { nil: undefined }),
        (org, course, run, b, v, blk) => {
          const tail = blk ? `+type@${blk.type}+block@${blk.id}` : '';
          expect(parseCourseKey(`course-v1:${org}+${course}+${run}${b}${v}${tail}`)).toEqual({
            id: `course-v1:${org}+${course}+${run}`,
            org,
            course,
            run,
          });
        },
      ),
    );
  });

  it('reads a CCX as its own key on its parent run, `+ccx@` in any case, and its blocks', () => {
    fc.assert(
      fc.property(
        part,
        part,
        part,
        branch,
        fc.nat(999),
        fc.constantFrom('ccx', 'CCX', 'Ccx'),
        block,
        (org, course, run, b, n, word, blk) => {
          const key = parseCourseKey(`ccx-v1:${org}+${course}+${run}${b}+${word}@${n}`);
          expect(key).toEqual({ id: `ccx-v1:${org}+${course}+${run}+ccx@${n}`, org, course, run });
          expect(key && ccxOf(key)).toBe(String(n));
          const usage = parseUsageKey(`ccx-block-v1:${org}+${course}+${run}+ccx@${n}+type@${blk.type}+block@${blk.id}`);
          expect(usage && usageKeyId(usage)).toBe(
            `ccx-block-v1:${org}+${course}+${run}+ccx@${n}+type@${blk.type}+block@${blk.id}`,
          );
        },
      ),
    );
  });

  it('reads an old Org/Course/Run key as written, and a version alone as no org’s course', () => {
    fc.assert(
      fc.property(part, part, part, hex, (org, course, run, guid) => {
        expect(parseCourseKey(`${org}/${course}/${run}`)).toEqual({ id: `${org}/${course}/${run}`, org, course, run });
        expect(parseCourseKey(`course-v1:${org}+${course}+version@${guid}`)?.id).toBe(
          `course-v1:version@${guid.toLowerCase()}`,
        );
      }),
    );
  });

  it('reads no key under a namespace in another case than opaque-keys’ (CCX-V1:, Course-v1:, …)', () => {
    const namespace = fc.constantFrom('course-v1:', 'ccx-v1:', 'block-v1:', 'ccx-block-v1:').chain(recased);
    fc.assert(
      fc.property(namespace, part, part, part, (ns, org, course, run) => {
        for (const rest of [
          `${org}+${course}+${run}`,
          `${org}+${course}+${run}+ccx@3`,
          `${org}+${course}+${run}+ccx@3+type@p+block@b`,
        ]) {
          expect(parseCourseKey(`${ns}${rest}`)).toBeNull();
          expect(parseUsageKey(`${ns}${rest}`)).toBeNull();
          expect(courseOfKey(` ${ns}${rest} `)).toBeNull();
        }
      }),
    );
  });

  it('reads a key a client sent with blanks around it and spaces for its +, and a key encoded in text or a path', () => {
    fc.assert(
      fc.property(part, part, part, encodings, (org, course, run, encode) => {
        const key = `course-v1:${org}+${course}+${run}`;
        const expected = parseCourseKey(key);
        expect(courseOfKey(`  ${key.replace(/\+/g, ' ')} `)).toEqual(expected);
        expect(decodedFully(encode(key))).toBe(key);
        expect(courseFromUrl(`https://learning.edx.org/learning/course/${encodeURIComponent(key)}/home`)).toEqual(
          expected,
        );
      }),
    );
  });

  it('never throws on any text, and reads the id it gives as the same course', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (text) => {
        const key = parseCourseKey(text);
        if (key) expect(parseCourseKey(key.id)?.id).toBe(key.id);
        expect(() => courseFromUrl(text)).not.toThrow();
        expect(foldCase(foldCase(text))).toBe(foldCase(text));
        expect(foldCase(text)).toHaveLength(text.length);
      }),
    );
  });
});
