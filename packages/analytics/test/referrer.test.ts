// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { attribute, campaignOf } from '../src/attribution.js';
import { courseOf } from '../src/course-ref.js';
import { classifyReferrer } from '../src/referrer-class.js';
import { shareNetwork } from '../src/share-network.js';
// The course-key cases @optin/consent's parser is tested with (test data, in neither package's files).
import {
  malformedCourseKeys,
  malformedUsageKeys,
  versionedCourseKeys,
} from '../../consent/test/fixtures/course-key-cases.js';

const own = (host: string) => host == 'edx.org' || host.endsWith('.edx.org');
const classify = (referrer: string, query = '') => classifyReferrer(referrer, new URLSearchParams(query), own);

describe('classifyReferrer', () => {
  it.each([
    ['https://www.google.com/', '', 'search'],
    ['https://www.google.co.uk/search?q=cs50', '', 'search'],
    ['https://duckduckgo.com/', '', 'search'],
    ['https://www.bing.com/', '', 'search'],
    ['https://t.co/abc', '', 'social'],
    ['https://www.linkedin.com/feed/', '', 'social'],
    ['https://l.facebook.com/', '', 'social'],
    ['https://mail.google.com/', '', 'email'],
    ['https://outlook.live.com/mail/0/', '', 'email'],
    ['https://learning.edx.org/course', '', 'internal'],
    ['https://edx.org/', '', 'internal'],
    ['https://notedx.org/', '', 'referral'],
    // Google's and others' other services are no search engine: sign-in, documents, classroom, sites.
    ['https://accounts.google.com/', '', 'referral'],
    ['https://classroom.google.com/', '', 'referral'],
    ['https://docs.google.com/', '', 'referral'],
    ['https://sites.google.com/', '', 'referral'],
    ['https://login.yahoo.com/', '', 'referral'],
    ['https://www.bing.com/', '', 'search'],
    ['https://cn.bing.com/', '', 'search'],
    ['https://google.com/', '', 'search'],
    ['https://uk.search.yahoo.com/', '', 'search'],
    ['https://m.search.naver.com/', '', 'search'],
    ['https://m.baidu.com/', '', 'search'],
    // Engines' other search hosts: no-script and light versions, WAP, image and news search.
    ['https://html.duckduckgo.com/', '', 'search'],
    ['https://lite.duckduckgo.com/', '', 'search'],
    ['https://wap.baidu.com/', '', 'search'],
    ['https://lite.qwant.com/', '', 'search'],
    ['https://images.google.com/', '', 'search'],
    ['https://news.search.yahoo.com/', '', 'search'],
    ['https://images.search.yahoo.com/', '', 'search'],
    ['https://mail.google.com/', '', 'email'],
    ['https://maps.google.com/', '', 'referral'],
    ['https://html.docs.google.com/', '', 'referral'],
    ['https://yandex.ru/', '', 'search'],
    ['https://search.brave.com/', '', 'search'],
    ['https://www.ecosia.org/', '', 'search'],
    // A known name is a search engine or a network only as the site's own domain, not as a subdomain of another.
    ['https://docs.google.attacker.net/', '', 'referral'],
    ['https://www.facebook.com.example.io/', '', 'referral'],
    ['https://www.google.com.au/', '', 'search'],
    ['https://search.yahoo.co.jp/search?p=edx', '', 'search'],
    ['https://lnkd.in/abc', '', 'social'],
    ['https://bsky.app/profile/edx', '', 'social'],
    ['https://blog.example.com/post', '', 'referral'],
    ['', '', 'direct'],
    ['', 'utm_source=nl&utm_medium=email', 'email'],
    ['https://www.google.com/', 'utm_medium=Social', 'social'],
    ['', 'utm_medium=cpc', 'search'],
    ['', 'utm_source=facebook&utm_medium=paid_social', 'social'],
    ['https://l.facebook.com/', 'utm_medium=paid-social', 'social'],
    ['', 'utm_medium=PaidSocial', 'social'],
    ['', 'utm_medium=paid_search', 'search'],
    ['', 'gclid=abc', 'search'],
    ['', 'msclkid=abc', 'search'],
    ['', 'fbclid=abc', 'social'],
    ['', 'utm_source=partner', 'referral'],
    ['', 'page=2', 'direct'],
  ])('%s ?%s is %s', (referrer, query, expected) => {
    expect(classify(referrer, query)).toBe(expected);
  });
});

describe('attribution', () => {
  const url = (u: string) => new URL(u);
  it('takes utm_* and click ids, in order, as the campaign', () => {
    expect(campaignOf(url('https://www.edx.org/?a=1&utm_source=nl&gclid=x&utm_medium=email'))).toBe(
      'utm_source=nl&gclid=x&utm_medium=email',
    );
    expect(campaignOf(url('https://www.edx.org/?page=2'))).toBe('');
  });

  it('keeps campaign values with &, + or = whole, in the campaign and in the touch', () => {
    const at = url('https://www.edx.org/?utm_campaign=AI%20%26%20ML&utm_term=c%2B%2B&utm_content=a%3Db&x=%26');
    expect(new URLSearchParams(campaignOf(at)).getAll('utm_campaign')).toEqual(['AI & ML']);
    expect(attribute(undefined, at, '', own, 't1')?.first).toEqual({
      class: 'referral',
      at: 't1',
      utm_campaign: 'AI & ML',
      utm_term: 'c++',
      utm_content: 'a=b',
    });
  });

  it('keeps the first touch, moves the last touch, ignores internal navigation and direct returns', () => {
    const first = attribute(undefined, url('https://www.edx.org/?utm_source=nl&utm_medium=email'), '', own, 't1');
    expect(first).toEqual({
      first: { class: 'email', at: 't1', utm_source: 'nl', utm_medium: 'email' },
      last: { class: 'email', at: 't1', utm_source: 'nl', utm_medium: 'email' },
    });
    expect(attribute(first, url('https://www.edx.org/course'), 'https://www.edx.org/', own, 't2')).toBe(first);
    const search = attribute(first, url('https://www.edx.org/'), 'https://www.google.com/', own, 't3');
    expect(search?.first).toBe(first?.first);
    expect(search?.last).toEqual({ class: 'search', referrer: 'www.google.com', at: 't3' });
    expect(attribute(search, url('https://www.edx.org/'), '', own, 't4')).toEqual(search);
    expect(attribute(undefined, url('https://www.edx.org/'), '', own, 't5')).toEqual({
      first: { class: 'direct', at: 't5' },
      last: { class: 'direct', at: 't5' },
    });
  });
});

describe('courseOf', () => {
  it('finds the course key of LMS, learning MFE and XBlock paths', () => {
    const course = { id: 'course-v1:HarvardX+CS50+2026_T1', org: 'HarvardX' };
    expect(courseOf('/courses/course-v1:HarvardX+CS50+2026_T1/courseware')).toEqual(course);
    expect(courseOf('/learning/course/course-v1:HarvardX+CS50+2026_T1/home')).toEqual(course);
    expect(courseOf('/xblock/block-v1:HarvardX+CS50+2026_T1+type@problem+block@q1')).toEqual(course);
    expect(courseOf('/dashboard')).toBeNull();
  });

  it('finds an old-style Org/Course/Run key under the LMS /courses/ path, as the scoped hub does', () => {
    const course = { id: 'HarvardX/CS50/2012', org: 'HarvardX' };
    expect(courseOf('/courses/HarvardX/CS50/2012/courseware/week1/unit2')).toEqual(course);
    expect(courseOf('/courses/HarvardX/CS50/2012/')).toEqual(course);
    expect(courseOf('/courses/HarvardX/CS50/2012')).toEqual(course);
    expect(courseOf('/courses/MITx/6.00x/2013_Spring/info')).toEqual({ id: 'MITx/6.00x/2013_Spring', org: 'MITx' });
    // The learning MFE's course pages, the key as segments or percent-encoded in one.
    expect(courseOf('/learning/course/HarvardX/CS50/2012/home')).toEqual(course);
    expect(courseOf('/learning/course/HarvardX%2FCS50%2F2012/home')).toEqual(course);
    // After any `courses` segment (and `learning/course`), as @optin/members and the collector read
    // a page's URL: so a Member's page is read as its course here too, and its trail withheld alike.
    expect(courseOf('/learning/courses/HarvardX/CS50/2012/home')).toEqual(course);
    expect(courseOf('//courses/HarvardX/CS50/2012/info')).toEqual(course);
    expect(courseOf('/dashboard/courses/HarvardX/CS50/2012')).toEqual(course);
    expect(courseOf('/en/courses/HarvardX/CS50/2012')).toEqual(course);
    // A new-style key under /courses/ stays one.
    expect(courseOf('/courses/course-v1:HarvardX+CS50+2026_T1/courseware/a/b')).toEqual({
      id: 'course-v1:HarvardX+CS50+2026_T1',
      org: 'HarvardX',
    });
  });

  it('finds no old-style key in ordinary paths of three segments or more', () => {
    for (const path of [
      '/blog/2024/11',
      '/blog/2024/11/welcome',
      '/u/name/x',
      '/courses', // the catalog
      '/courses/',
      '/courses/HarvardX/CS50', // two segments are no run
      '/courses/HarvardX/CS50/2012@x/info', // characters no key part has
      '/coursesX/HarvardX/CS50/2012',
      '/learning/HarvardX/CS50/2012', // the learning MFE's keys are under /learning/course/
      '/my-courses/HarvardX/CS50/2012', // a whole `courses` segment only
      '/learning/xcourse/HarvardX/CS50/2012',
    ])
      expect(courseOf(path), path).toBeNull();
  });
});

describe('courseOf: CCX and versioned keys, read as @optin/members reads them', () => {
  const ccx = { id: 'ccx-v1:MITx+6.00x+2026+ccx@3', org: 'MITx' };

  it("reads a CCX's page as the CCX, with the org of the course it is built on", () => {
    for (const path of [
      '/courses/ccx-v1:MITx+6.00x+2026+ccx@3/courseware',
      '/learning/course/ccx-v1:MITx+6.00x+2026+ccx@3/home',
      '/course/ccx-v1:MITx+6.00x+2026+ccx@3/home',
      `/course/${encodeURIComponent('ccx-v1:MITx+6.00x+2026+ccx@3')}/progress`,
      '/ccx-v1:MITx+6.00x+2026+ccx@3/posts',
      '/xblock/ccx-block-v1:MITx+6.00x+2026+ccx@3+type@problem+block@p',
      // A CCX's unit page: its own block key, never read as the course it is built on (another Member's run).
      '/learning/course/ccx-v1:MITx+6.00x+2026+ccx@3/ccx-block-v1:MITx+6.00x+2026+ccx@3+type@sequential+block@s1',
    ])
      expect(courseOf(path), path).toEqual(ccx);
    expect(courseOf('/xblock/ccx-block-v1:HarvardX+CS50+2026+ccx@1+type@problem+block@p')).toEqual({
      id: 'ccx-v1:HarvardX+CS50+2026+ccx@1',
      org: 'HarvardX',
    });
  });

  it('leaves out the branch and version of a key: the same run (or CCX)', () => {
    for (const key of versionedCourseKeys)
      expect(courseOf(`/courses/${key}/courseware`), key).toEqual({ id: 'course-v1:Org+Course+Run', org: 'Org' });
    expect(courseOf('/courses/ccx-v1:MITx+6.00x+2026+branch@draft+ccx@3/courseware')).toEqual(ccx);
    expect(courseOf('/courses/course-v1:MITx+6.00x+2026+branch@published-branch/courseware')?.id).toBe(
      'course-v1:MITx+6.00x+2026',
    );
    expect(courseOf('/xblock/block-v1:MITx+6.00x+2026+branch@draft+version@abc+type@html+block@h')?.id).toBe(
      'course-v1:MITx+6.00x+2026',
    );
  });

  it('finds no course in a malformed CCX, usage or versioned key', () => {
    for (const bad of [...malformedCourseKeys, ...malformedUsageKeys, 'xcourse-v1:HarvardX+CS50+X'])
      expect(courseOf(`/courses/${bad}/courseware`), bad).toBeNull();
  });
});

describe('shareNetwork', () => {
  const link = (href: string, share?: string) => {
    const a = document.createElement('a');
    a.setAttribute('href', href);
    if (share) a.setAttribute('data-share', share);
    return a;
  };
  it.each([
    ['https://www.facebook.com/sharer/sharer.php?u=x', 'facebook'],
    ['https://twitter.com/intent/tweet?text=x', 'twitter'],
    ['https://x.com/intent/post?text=x', 'twitter'],
    ['https://www.linkedin.com/sharing/share-offsite/?url=x', 'linkedin'],
    ['https://www.reddit.com/submit?url=x', 'reddit'],
    ['https://wa.me/?text=x', 'whatsapp'],
    ['https://t.me/share/url?url=x', 'telegram'],
    ['https://www.facebook.com/edX', undefined],
    ['https://www.edx.org/', undefined],
  ])('%s is %s', (href, network) => {
    expect(shareNetwork(link(href))).toBe(network);
  });
  it('prefers data-share', () => {
    expect(shareNetwork(link('', 'mastodon'))).toBe('mastodon');
  });
});
