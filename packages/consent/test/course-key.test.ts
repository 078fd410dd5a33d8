import { describe, expect, it } from 'vitest';
import {
  ccxOf,
  courseOfKey,
  courseOwnerKey,
  foldCase,
  parseCourseKey,
  parseUsageKey,
  readKey,
  usageKeyId,
} from '../src/course-key.js';

const guid = '5f0c3a1b2c3d4e5f60718293';

describe('parseCourseKey', () => {
  it('reads course-v1, old-style and CCX keys with their org, course and run', () => {
    expect(parseCourseKey('course-v1:HarvardX+CS50+2026_T1')).toEqual({
      id: 'course-v1:HarvardX+CS50+2026_T1',
      org: 'HarvardX',
      course: 'CS50',
      run: '2026_T1',
    });
    expect(parseCourseKey('HarvardX/CS50/2012')).toEqual({
      id: 'HarvardX/CS50/2012',
      org: 'HarvardX',
      course: 'CS50',
      run: '2012',
    });
    expect(parseCourseKey('ccx-v1:MITx+6.00x+2026+ccx@3')).toEqual({
      id: 'ccx-v1:MITx+6.00x+2026+ccx@3',
      org: 'MITx',
      course: '6.00x',
      run: '2026',
    });
  });

  it('leaves out a branch, a version or a block after the run, as opaque-keys does', () => {
    for (const key of [
      'course-v1:MITx+6.00x+2026+branch@draft',
      `course-v1:MITx+6.00x+2026+branch@draft+version@${guid}`,
      'course-v1:MITx+6.00x+2026+type@course+block@course',
    ])
      expect(parseCourseKey(key)?.id, key).toBe('course-v1:MITx+6.00x+2026');
  });

  it('reads a key naming its course by a version alone as no org’s', () => {
    expect(parseCourseKey(`course-v1:HarvardX+CS50+version@${guid.toUpperCase()}`)).toEqual({
      id: `course-v1:version@${guid}`,
      org: '',
      course: '',
      run: '',
    });
  });

  it('reads namespaces exactly as opaque-keys does: `CCX-V1:` and `CCX-BLOCK-V1:` are no keys', () => {
    for (const key of ['CCX-V1:MITx+6.00x+2026+ccx@3', 'Ccx-v1:MITx+6.00x+2026+ccx@3', 'COURSE-V1:MITx+6.00x+2026'])
      expect(parseCourseKey(key), key).toBeNull();
    expect(parseUsageKey('CCX-BLOCK-V1:MITx+6.00x+2026+ccx@3+type@problem+block@p')).toBeNull();
    expect(courseOfKey(' CCX-V1:MITx 6.00x 2026 ccx@3 ')).toBeNull();
    // (ccx-keys reads the rest of its keys in any case.)
    expect(parseCourseKey('ccx-v1:MITx+6.00x+2026+CCX@3')?.id).toBe('ccx-v1:MITx+6.00x+2026+ccx@3');
  });

  it('is null for anything else, never an exception', () => {
    for (const bad of [
      undefined,
      42,
      '',
      'course-v1:MITx+6.00x',
      'MITx/6.00x',
      'a:b/c/d',
      'course-v1:MITx+6.00x+2026+ccx@3',
      'ccx-v1:MITx+6.00x+2026',
    ])
      expect(parseCourseKey(bad), String(bad)).toBeNull();
  });
});

describe('usage keys', () => {
  it('reads a usage key and names it without its branch or version', () => {
    const usage = parseUsageKey('block-v1:MITx+6.00x+2026+branch@draft+type@problem+block@q1');
    expect(usage).toEqual({
      course: { id: 'course-v1:MITx+6.00x+2026', org: 'MITx', course: '6.00x', run: '2026' },
      type: 'problem',
      block: 'q1',
    });
    expect(usage && usageKeyId(usage)).toBe('block-v1:MITx+6.00x+2026+type@problem+block@q1');
    const ccx = parseUsageKey('ccx-block-v1:MITx+6.00x+2026+CCX@3+type@video+block@v');
    expect(ccx && usageKeyId(ccx)).toBe('ccx-block-v1:MITx+6.00x+2026+ccx@3+type@video+block@v');
  });

  it('reads a key a client sent, blanks around it dropped and spaces read as +', () => {
    expect(courseOfKey(' course-v1:MITx Special 2026 ')?.id).toBe('course-v1:MITx+Special+2026');
    expect(readKey('block-v1:MITx Special 2026 type@problem block@q1')?.usage?.type).toBe('problem');
    expect(readKey('course-v1:MITx+Special+2026')?.usage).toBeNull();
    expect(readKey('no key')).toBeNull();
  });
});

describe('ownership', () => {
  it('folds case letter by letter, never the Kelvin sign or İ into another org', () => {
    expect(foldCase('MITx')).toBe('mitx');
    expect(foldCase('ΟΔΟΣ')).toBe('οδοσ');
    expect(foldCase('\u212Aorg')).toBe('\u212Aorg');
    expect(foldCase('İX')).toBe('İx');
  });

  it('owns one run whichever way its key is written, and tells a CCX by its id', () => {
    const a = parseCourseKey('course-v1:mitx+Special+2026');
    const b = parseCourseKey('MITx/Special/2026');
    expect(a && b && courseOwnerKey(a) === courseOwnerKey(b)).toBe(true);
    expect(ccxOf(parseCourseKey('ccx-v1:MITx+6.00x+2026+ccx@12') ?? b!)).toBe('12');
    expect(b && ccxOf(b)).toBeNull();
  });
});
