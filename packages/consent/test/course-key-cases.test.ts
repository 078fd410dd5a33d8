import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { courseFromUrl, parseCourseKey, parseUsageKey } from '../src/course-key.js';
import { malformedCourseKeys, malformedUsageKeys, versionedCourseKeys } from './fixtures/course-key-cases.js';

describe('parseCourseKey', () => {
  it('parses course-v1 and old-style keys', () => {
    expect(parseCourseKey('course-v1:HarvardX+CS50+2026_T1')).toEqual({
      id: 'course-v1:HarvardX+CS50+2026_T1',
      org: 'HarvardX',
      course: 'CS50',
      run: '2026_T1',
    });
    expect(parseCourseKey('MITx/6.002x/2012_Fall')).toEqual({
      id: 'MITx/6.002x/2012_Fall',
      org: 'MITx',
      course: '6.002x',
      run: '2012_Fall',
    });
  });

  it('takes the letters and digits of any script, as Open edX does (opaque-keys matches \\w in Unicode)', () => {
    expect(parseCourseKey('course-v1:UniversitéX+Économie101+2026_été')).toMatchObject({
      org: 'UniversitéX',
      course: 'Économie101',
      run: '2026_été',
    });
    expect(parseCourseKey('course-v1:清华大学X+数据结构+2026')?.org).toBe('清华大学X');
    expect(parseUsageKey('block-v1:清华大学X+数据结构+2026+type@problem+block@题1')?.course.org).toBe('清华大学X');
    const url = `https://learning.edx.org/course/${encodeURIComponent('course-v1:清华大学X+数据结构+2026')}/home`;
    expect(courseFromUrl(url)?.org).toBe('清华大学X');
    // Still no spaces, punctuation or symbols.
    for (const bad of ['course-v1:Uni X+a+b', 'course-v1:Uni—X+a+b', 'course-v1:Uni€X+a+b'])
      expect(parseCourseKey(bad)).toBeNull();
  });

  it('says "no course" for anything malformed', () => {
    for (const bad of [
      '',
      'course-v1:',
      'course-v1:HarvardX+CS50',
      'course-v1:Harvard X+CS50+1',
      'HarvardX/CS50',
      'a/b/c/d',
      'course-v1:a/b/c',
      'block-v1:a+b+c+type@x+block@y',
      null,
      42,
      {},
    ])
      expect(parseCourseKey(bad)).toBeNull();
  });

  it('never throws on any string', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.stringMatching(/^course-v1:[\w+.~:%-]{0,40}$/)),
        (s) => {
          const key = parseCourseKey(s);
          // (A key naming its course by a version alone has no org.)
          if (key && !key.id.includes('version@')) expect(key.org.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 5000 },
    );
  });
});

describe('CCX and versioned keys', () => {
  it('parses a CCX key as itself, with the org, course and run of its parent course', () => {
    expect(parseCourseKey('ccx-v1:MITx+6.00x+2026+ccx@3')).toEqual({
      id: 'ccx-v1:MITx+6.00x+2026+ccx@3',
      org: 'MITx',
      course: '6.00x',
      run: '2026',
    });
  });

  it('strips the branch and version of a course key: the run is the same course run', () => {
    for (const key of versionedCourseKeys)
      expect(parseCourseKey(key), key).toEqual({
        id: 'course-v1:Org+Course+Run',
        org: 'Org',
        course: 'Course',
        run: 'Run',
      });
    expect(parseCourseKey('ccx-v1:MITx+6.00x+2026+branch@draft+ccx@3')?.id).toBe('ccx-v1:MITx+6.00x+2026+ccx@3');
  });

  it('says "no course" for a malformed CCX or versioned key', () => {
    for (const bad of malformedCourseKeys) expect(parseCourseKey(bad), bad).toBeNull();
  });

  it('parses the usage keys of a CCX and of a versioned course, with their course', () => {
    expect(parseUsageKey('ccx-block-v1:HarvardX+CS50+2026+ccx@1+type@problem+block@p')).toEqual({
      course: { id: 'ccx-v1:HarvardX+CS50+2026+ccx@1', org: 'HarvardX', course: 'CS50', run: '2026' },
      type: 'problem',
      block: 'p',
    });
    expect(parseUsageKey('block-v1:MITx+6.00x+2026+branch@draft+version@abc+type@html+block@h')?.course.id).toBe(
      'course-v1:MITx+6.00x+2026',
    );
    for (const bad of malformedUsageKeys) expect(parseUsageKey(bad), bad).toBeNull();
  });

  it('reads a course key as opaque-keys does with a block after it (left out) or a CCX prefix in any case', () => {
    for (const key of [
      'course-v1:HarvardX+CS50+2026+type@course+block@course',
      'course-v1:HarvardX+CS50+2026+branch@draft+version@abc+type@course+block@course',
      'course-v1:HarvardX+CS50+2026+type@course',
      'course-v1:HarvardX+CS50+2026+block@course',
    ])
      expect(parseCourseKey(key)?.id, key).toBe('course-v1:HarvardX+CS50+2026');
    for (const key of ['ccx-v1:MITx+6.00x+2026+CCX@3', 'ccx-v1:MITx+6.00x+2026+ccx@3+type@course+block@course'])
      expect(parseCourseKey(key)?.id, key).toBe('ccx-v1:MITx+6.00x+2026+ccx@3');
    expect(parseUsageKey('ccx-block-v1:MITx+6.00x+2026+CCX@3+TYPE@problem+Block@p')?.course.id).toBe(
      'ccx-v1:MITx+6.00x+2026+ccx@3',
    );
    // A usage key still needs its block, and a course key takes a block only after its run, in that order.
    for (const bad of [
      'course-v1:HarvardX+CS50+2026+block@b+type@course',
      'course-v1:HarvardX+CS50+type@course+block@course',
      'course-v1:HarvardX+CS50+2026+type@course+',
    ])
      expect(parseCourseKey(bad), bad).toBeNull();
    expect(parseUsageKey('block-v1:MITx+6.00x+2026+type@problem')).toBeNull();
  });

  it('reads a key naming its course by a version alone (no run) as a course of no org: the LMS never checks the org written', () => {
    const guid = '519665f6223ebd6980884f2b';
    for (const key of [
      `course-v1:HarvardX+CS50+version@${guid}`,
      `course-v1:HarvardX+CS50+branch@draft+version@${guid.toUpperCase()}+type@course+block@course`,
      `course-v1:version@${guid}`,
    ])
      expect(parseCourseKey(key), key).toEqual({ id: `course-v1:version@${guid}`, org: '', course: '', run: '' });
    expect(parseCourseKey(`ccx-v1:HarvardX+CS50+version@${guid}+ccx@3`)?.id).toBe(`ccx-v1:version@${guid}+ccx@3`);
    expect(parseUsageKey(`block-v1:HarvardX+CS50+version@${guid}+type@problem+block@p`)?.course.id).toBe(
      `course-v1:version@${guid}`,
    );
    // A version is an ObjectId (24 hex digits) there, and a branch alone names no course.
    for (const bad of ['course-v1:HarvardX+CS50+version@abc', 'course-v1:HarvardX+CS50+branch@draft'])
      expect(parseCourseKey(bad), bad).toBeNull();
  });

  it('stops at the first key opaque-keys reads in a path: a block or a version after a course key never lets a later key decide', () => {
    const id = (url: string) => courseFromUrl(url)?.id ?? null;
    const mitBlock = 'block-v1:MITx+6.00x+2026+type@sequential+block@s';
    expect(id('https://courses.edx.org/courses/course-v1:HarvardX+CS50+2026+type@course+block@course/courseware')).toBe(
      'course-v1:HarvardX+CS50+2026',
    );
    expect(
      id(`https://learning.edx.org/course/course-v1:HarvardX+CS50+2026+type@course+block@course/${mitBlock}`),
    ).toBe('course-v1:HarvardX+CS50+2026');
    const guid = '519665f6223ebd6980884f2b';
    expect(
      courseFromUrl(`https://learning.edx.org/course/course-v1:HarvardX+CS50+version@${guid}/${mitBlock}`),
    ).toEqual({ id: `course-v1:version@${guid}`, org: '', course: '', run: '' });
  });

  it("finds a CCX's or a versioned course's key in a page's URL", () => {
    const ccx = 'ccx-v1:MITx+6.00x+2026+ccx@3';
    for (const url of [
      `https://courses.edx.org/courses/${ccx}/courseware`,
      `https://learning.edx.org/learning/course/${ccx}/home`,
      `https://learning.edx.org/course/${ccx}/home`,
      `https://learning.edx.org/course/${encodeURIComponent(ccx)}/progress`,
      `https://discussions.edx.org/${ccx}/posts`,
      'https://courses.edx.org/xblock/ccx-block-v1:MITx+6.00x+2026+ccx@3+type@problem+block@p',
    ])
      expect(courseFromUrl(url), url).toEqual({ id: ccx, org: 'MITx', course: '6.00x', run: '2026' });
    expect(
      courseFromUrl('https://courses.edx.org/courses/course-v1:MITx+6.00x+2026+branch@published-branch/courseware')?.id,
    ).toBe('course-v1:MITx+6.00x+2026');
  });
});

describe('parseUsageKey', () => {
  it('parses block-v1 usage keys with their course', () => {
    expect(parseUsageKey('block-v1:MITx+6.00x+2026+type@problem+block@q1')).toEqual({
      course: { id: 'course-v1:MITx+6.00x+2026', org: 'MITx', course: '6.00x', run: '2026' },
      type: 'problem',
      block: 'q1',
    });
    expect(parseUsageKey('block-v1:MITx+6.00x+2026+type@problem')).toBeNull();
  });
});

describe('courseFromUrl', () => {
  it('finds the course in LMS and learning MFE URLs', () => {
    const org = (url: string) => courseFromUrl(url)?.org ?? null;
    expect(org('https://courses.edx.org/courses/course-v1:HarvardX+CS50+2026_T1/courseware/week1/')).toBe('HarvardX');
    expect(
      org(
        'https://learning.edx.org/learning/course/course-v1:MITx+6.00x+2026/block-v1:MITx+6.00x+2026+type@sequential+block@s1/unit',
      ),
    ).toBe('MITx');
    expect(org('https://courses.edx.org/courses/MITx/6.002x/2012_Fall/info')).toBe('MITx');
    expect(org('/courses/course-v1%3AHarvardX%2BCS50%2B2026_T1/about')).toBe('HarvardX');
    expect(org('https://courses.edx.org/xblock/block-v1:UC_BerkeleyX+CS169+2026+type@html+block@a1')).toBe(
      'UC_BerkeleyX',
    );
  });

  it("finds the course on the learning MFE's own routes, wherever the app is mounted", () => {
    const id = (url: string) => courseFromUrl(url)?.id ?? null;
    const key = 'course-v1:HarvardX+CS50+X';
    const unit = 'block-v1:HarvardX+CS50+X+type@sequential+block@s1/block-v1:HarvardX+CS50+X+type@vertical+block@u1';
    for (const path of [
      `/course/${key}/home`,
      `/course/${key}/dates`,
      `/course/${key}/progress`,
      `/course/${key}`,
      `/course/${key}/${unit}`,
      `/preview/course/${key}/${unit}`,
      `/course/course-v1%3AHarvardX%2BCS50%2BX/home`,
    ])
      expect(id(`https://learning.edx.org${path}`)).toBe(key);
    expect(id('https://apps.example.org/lms/learning-mfe/course/course-v1:MITx+6.00x+2026/home')).toBe(
      'course-v1:MITx+6.00x+2026',
    );
  });

  it('matches a `course` segment only when a course-v1 key follows, and only in the path', () => {
    for (const url of [
      // The marketing site's course pages are slugs, not course runs.
      'https://www.edx.org/course/cs50',
      'https://www.edx.org/course/harvardx/cs50/2026',
      'https://www.edx.org/course/HarvardX%2FCS50%2F2026/home',
      'https://learning.edx.org/course/course-v1:HarvardX+CS50/home',
      'https://learning.edx.org/course/xcourse-v1:HarvardX+CS50+X/home',
      'https://www.edx.org/search?next=/course/course-v1:HarvardX+CS50+X/home',
      'https://www.edx.org/#/course/course-v1:HarvardX+CS50+X/home',
    ])
      expect(courseFromUrl(url)).toBeNull();
    // A malformed key after `course` is no course, but a usage key further on still is.
    expect(courseFromUrl('/course/course-v1:bad/block-v1:MITx+6.00x+2026+type@sequential+block@s1')?.id).toBe(
      'course-v1:MITx+6.00x+2026',
    );
  });

  it('finds the course of the MFEs whose routes begin with the course key: discussions, gradebook', () => {
    const id = (url: string) => courseFromUrl(url)?.id ?? null;
    const key = 'course-v1:HarvardX+CS50+2026_T1';
    for (const url of [
      `https://discussions.edx.org/${key}/posts`,
      `https://discussions.edx.org/${key}/topics/t1/posts/p1`,
      `https://apps.example.org/discussions/${key}/learners`,
      `https://gradebook.edx.org/${key}`,
      `https://discussions.edx.org/course-v1%3AHarvardX%2BCS50%2B2026_T1/my-posts`,
      // The same key wherever it sits in the path, as @optin/analytics tags the page's events.
      `https://courses.edx.org/api/courses/v1/courses/${key}`,
    ])
      expect(id(url), url).toBe(key);
    // The first key in the path is the page's course; a query or fragment is never read.
    expect(id(`https://discussions.edx.org/${key}/posts/block-v1:MITx+6.00x+2026+type@html+block@a1`)).toBe(key);
    expect(id(`https://discussions.edx.org/?course=${key}`)).toBeNull();
    expect(id(`https://discussions.edx.org/#/${key}/posts`)).toBeNull();
  });

  it('a stray `%` elsewhere in the path (a wiki slug, a search term) keeps the page in its course', () => {
    for (const path of ['wiki/100%-done/', 'discussion/forum/%E0%A4%A/threads', 'search/50%'])
      expect(courseFromUrl(`https://courses.edx.org/courses/course-v1:HarvardX+CS50+2026_T1/${path}`)?.org).toBe(
        'HarvardX',
      );
    expect(courseFromUrl('https://learning.edx.org/course/course-v1:MITx+6.00x+2026/100%')?.org).toBe('MITx');
  });

  it('reads an encoded slash as Django does too: where the two readings give different courses, the page is no course', () => {
    // Django routes the path decoded whole (`%2F` included): this is HarvardX's wiki page, whose
    // slug happens to name MITx's course; read segment by segment it looked like MITx's.
    for (const url of [
      'https://courses.edx.org/courses/course-v1:HarvardX+CS50+2026%2Fwiki/course-v1:MITx+6.00x+2026/',
      'https://courses.edx.org/courses/course-v1:HarvardX+CS50+2026%2fwiki/course-v1:MITx+6.00x+2026/',
      'https://learning.edx.org/course/course-v1:HarvardX+CS50+2026%2Fhome/block-v1:MITx+6.00x+2026+type@html+block@a',
      'https://courses.edx.org/courses/HarvardX%2FCS50/2026%2Fx/course-v1:MITx+6.00x+2026/',
    ])
      expect(courseFromUrl(url), url).toBeNull();
    // Where both readings agree, an encoded slash changes nothing.
    expect(courseFromUrl('https://courses.edx.org/courses/HarvardX%2FCS50%2F2026/about')?.id).toBe(
      'HarvardX/CS50/2026',
    );
    expect(
      courseFromUrl(
        'https://courses.edx.org/courses/course-v1:HarvardX+CS50+2026/wiki/a%2Fb/course-v1:MITx+6.00x+2026/',
      )?.id,
    ).toBe('course-v1:HarvardX+CS50+2026');
    expect(courseFromUrl('https://courses.edx.org/courses/course-v1:HarvardX+CS50+2026/wiki/100%-done%2F/')?.org).toBe(
      'HarvardX',
    );
  });

  it('says "no course" outside courses and for malformed URLs', () => {
    for (const url of [
      'https://www.edx.org/',
      'https://www.edx.org/course/cs50',
      '/courses/',
      '/learning/course/',
      '/courses/%E0%A4%A',
      'http://[::1',
      '/learning/course/course-v1:bad',
    ])
      expect(courseFromUrl(url)).toBeNull();
  });

  it('never throws on any string', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.webUrl({ withQueryParameters: true, withFragments: true }),
          fc.string().map((s) => `/courses/${s}`),
          fc.string().map((s) => `/learning/course/${s}/x`),
          fc.string().map((s) => `/preview/course/course-v1:${s}/home`),
        ),
        (s) => {
          courseFromUrl(s);
        },
      ),
      { numRuns: 5000 },
    );
  });
});
