import { describe, expect, it } from 'vitest';
import { courseField, fieldCourses, paramFields, wordsOf } from '../src/course-key.js';

const isOrg = (org: string) => ['harvardx', 'mitx'].includes(org.toLowerCase());
const none = { course: false, orgs: [] };

describe("courses named by an object's fields", () => {
  it('reads an org field with course fields (Discovery, Open edX records)', () => {
    expect(fieldCourses({ org: 'MITx', number: '6.00.1x', run: '2T2026' }, none, isOrg).courses).toEqual([
      { org: 'MITx', course: '6.00.1x', run: '2T2026' },
    ]);
    expect(fieldCourses({ key: 'MITx+6.00.1x', owners: [{ key: 'MITx' }] }, none, isOrg).courses).toEqual([
      { org: 'MITx', course: '6.00.1x', run: undefined },
    ]);
    expect(fieldCourses({ org_id: 'OtherX', course_id: 'course-v1:OtherX+A+B' }, none, isOrg).courses).toEqual([
      { org: 'OtherX', course: 'A', run: 'B' },
    ]);
  });

  it('reads an org under a course’s name, and the orgs of the object holding it', () => {
    expect(fieldCourses({ org: 'MITx' }, { course: true, orgs: [] }, isOrg).courses).toEqual([
      { org: 'MITx', course: undefined, run: undefined },
    ]);
    expect(fieldCourses({ number: '6.002x' }, { course: false, orgs: ['MITx'] }, isOrg).courses).toEqual([
      { org: 'MITx', course: '6.002x', run: undefined },
    ]);
  });

  it('reads no course from an org named alone, an id of another system or a user’s owner', () => {
    expect(fieldCourses({ partner: 'HarvardX' }, none, isOrg).courses).toEqual([]);
    expect(fieldCourses({ org_id: '42', number: '7' }, none, isOrg).courses).toEqual([]);
    expect(fieldCourses({ owner: 'ada', code: 'E1' }, none, isOrg).courses).toEqual([]);
  });

  it('tells a course field’s name', () => {
    for (const name of ['course', 'course_runs', 'courserun_key', 'number', 'catalog_number', 'run'])
      expect(courseField(wordsOf(name)), name).toBe(true);
    expect(courseField(wordsOf('title'))).toBe(false);
  });

  it("reads a query's or form's parameters naming an org as fields", () => {
    expect(paramFields('https://x.example/?org=MITx&number=6.002x')).toEqual({ org: 'MITx', number: '6.002x' });
    expect(paramFields('?page=2&q=circuits')).toBeUndefined();
  });
});
