import { describe, expect, it } from 'vitest';
import { catalogCourse, courseParamName, namespacelessCourseIdsIn } from '../src/course-key.js';

const memberOrgs = new Set(['harvardx', 'mitx']);
const isOrg = (org: string) => memberOrgs.has(org.toLowerCase());
const ids = (text: string) => [...namespacelessCourseIdsIn(text, isOrg)];

describe('course ids written without a namespace', () => {
  it('reads an old Org/Course/Run and a catalog or run key under a Member’s org, anywhere', () => {
    expect(ids('see MITx/6.002x/2012_Fall')).toEqual(['MITx/6.002x/2012_Fall']);
    expect(ids('/course/MITx+6.00.1x')).toEqual(['MITx+6.00.1x']);
    expect(ids('course:MITx+6.00.1x+2T2026')).toEqual(['course-v1:MITx+6.00.1x+2T2026']);
    expect(ids('ref-MITx+6.00.1x')).toEqual(['MITx+6.00.1x']);
  });

  it('reads a course id parameter’s value, whatever its org, with spaces for its +', () => {
    expect(ids('?course_id=OtherX%2F1%2F2013')).toContain('OtherX/1/2013');
    expect(ids('course_key=OtherX Joint')).toEqual(['OtherX Joint', 'OtherX+Joint']);
    expect(ids('{"courseRunKey":"OtherX+Joint+2026"}')).toContain('course-v1:OtherX+Joint+2026');
  });

  it('reads no date, fraction, sum, pair of orgs or old asset as a course id', () => {
    for (const text of [
      '2024/01/02',
      '3/4',
      '1+2',
      'HarvardX+MITx',
      'HarvardX/MITx/BerkeleyX',
      '/c4x/MITx/6.002x/asset',
    ])
      expect(ids(text), text).toEqual([]);
  });

  it('tells a catalog key from a run’s key, and a course id parameter’s name', () => {
    expect(catalogCourse('MITx+6.00.1x')).toEqual({ org: 'MITx', course: '6.00.1x' });
    expect(catalogCourse('course-v1:MITx+6.00.1x+2T2026')).toBeUndefined();
    for (const name of ['course_id', 'courseId', 'course-key', 'course_run_key', 'courseRunKey'])
      expect(courseParamName(name), name).toBe(true);
    expect(courseParamName('course_name')).toBe(false);
  });
});
