import { describe, expect, it } from 'vitest';
import { courseFromUrl, courseKeysOfPath, decodePercent } from '../src/course-key.js';

describe('courseFromUrl (a page, for the browser)', () => {
  it('finds the course of LMS and MFE pages, old keys only where the LMS puts them', () => {
    const mit = { id: 'course-v1:MITx+6.00x+2026', org: 'MITx', course: '6.00x', run: '2026' };
    for (const url of [
      'https://courses.edx.org/courses/course-v1:MITx+6.00x+2026/courseware',
      'https://learning.edx.org/learning/course/course-v1:MITx+6.00x+2026/home',
      'https://learning.edx.org/course/course-v1%3AMITx%2B6.00x%2B2026/progress',
      'https://courses.edx.org/xblock/block-v1:MITx+6.00x+2026+type@problem+block@p',
    ])
      expect(courseFromUrl(url), url).toEqual(mit);
    expect(courseFromUrl('https://courses.edx.org/courses/MITx/6.00x/2013/info')?.id).toBe('MITx/6.00x/2013');
    expect(courseFromUrl('https://www.edx.org/blog/2024/11/05')).toBeNull();
    expect(courseFromUrl('https://www.edx.org/x/MITx%2F6.00x%2F2013')).toBeNull();
    expect(courseFromUrl('https://www.edx.org/search?q=course-v1:MITx+6.00x+2026')).toBeNull();
  });

  it('is no course where the path’s two readings disagree (a %2F in a segment)', () => {
    expect(
      courseFromUrl('https://courses.edx.org/courses/course-v1:HarvardX+CS50+2026%2Fwiki/course-v1:MITx+6.00x+2026/'),
    ).toBeNull();
  });
});

describe('courseKeysOfPath (text, for the collector)', () => {
  it('gives every key in both readings, an old key written as one segment too', () => {
    expect(courseKeysOfPath('//courses/HarvardX/CS50/2013/info', 'text')).toEqual(['HarvardX/CS50/2013']);
    expect(courseKeysOfPath('/courses/HarvardX%2FCS50/2013/info', 'text')).toContain('HarvardX/CS50/2013');
    expect(courseKeysOfPath('/x/MITx%2F6.00x%2F2013', 'text')).toEqual(['MITx/6.00x/2013']);
    expect(courseKeysOfPath('/x/MITx%2F6.00x%2F2013', 'page')).toEqual([]);
    expect(courseKeysOfPath('/a/course-v1:MITx 6.00x 2026/b/course-v1:HarvardX+CS50+2026', 'text')).toEqual([
      'course-v1:MITx 6.00x 2026',
      'course-v1:HarvardX+CS50+2026',
    ]);
    expect(courseKeysOfPath('/blog/2024/11/05', 'text')).toEqual([]);
  });
});

describe('decodePercent', () => {
  it('decodes runs of escapes, leaving as written what is no UTF-8 or starts no escape', () => {
    expect(decodePercent('/course-v1%3AMITx%2B6.00x')).toBe('/course-v1:MITx+6.00x');
    expect(decodePercent('/wiki/100%-done/%FF%2F')).toBe('/wiki/100%-done/%FF%2F');
    expect(decodePercent('%E6%B8%85%E5%8D%8E')).toBe('清华');
  });
});
