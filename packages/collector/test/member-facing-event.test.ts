import { describe, expect, it } from 'vitest';
import { createMemberFacing } from '../src/member-facing-event.js';
import type { StoredEvent } from '../src/stored-event.js';
import { storedEvent } from './helpers.js';

const lms = 'https://courses.edx.org';
const mit = 'course-v1:MITx+6.00x+2026_T1';
const hx = 'course-v1:HarvardX+CS50+2026_T1';
const hxUnit = `${lms}/courses/${hx}/courseware/unit3?utm_source=hx-newsletter&token=abc`;
const mitPage = `${lms}/courses/${mit}/courseware`;
const google = 'https://www.google.com/search?q=cs50';
const facing = createMemberFacing([
  { id: 'HarvardX', orgs: ['HarvardX'] },
  { id: 'MITx', orgs: ['MITx'], courses: ['course-v1:Partner+Joint+2026'] },
]);

/** A stored page view of MITx's course with `properties` (its own `path` first) and `fields`. */
const event = (properties: Record<string, unknown>, fields: Partial<StoredEvent> = {}): StoredEvent =>
  storedEvent('MITx', {
    courseId: mit,
    org: 'MITx',
    properties: { path: `/courses/${mit}/courseware`, ...properties },
    ...fields,
  });
/** What MITx is given of a MITx page view's `properties`, without its own `path`. */
const given = (properties: Record<string, unknown>): Record<string, unknown> => {
  const rest = { ...facing(event(properties)).properties };
  delete rest.path;
  return rest;
};

/** The CPU time `read` takes, in ms (the process's own: other processes on a busy runner do not count). */
const cpuMs = (read: () => unknown): number => {
  const start = process.cpuUsage();
  read();
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
};

describe("a previous page under any of its names is given only as far as it is the Member's", () => {
  const names: Record<string, Record<string, unknown>> = {
    'a plural (previous_urls)': { previous_urls: [hxUnit] },
    'a plural in camel case (prevPages)': { prevPages: [hxUnit] },
    'an object under previous ({ url })': { previous: { url: hxUnit } },
    'an object under prev ({ href })': { prev: { href: hxUnit } },
    "a router's navigation.from": { navigation: { from: hxUnit, to: mitPage } },
    referral_url: { referral_url: hxUnit },
    referred_from: { referred_from: hxUnit },
    referredFrom: { referredFrom: hxUnit },
    ref: { ref: hxUnit },
    "Matomo's urlref": { urlref: hxUnit },
    'a name with spaces ("Previous URL")': { 'Previous URL': hxUnit },
    'a name with spaces ("Previous Page")': { 'Previous Page': hxUnit },
    'a path alone (prev_pathname)': { prev_pathname: `/courses/${hx}/courseware/unit3` },
    last_visited_url: { last_visited_url: hxUnit },
    previous_page_url_full: { previous_page_url_full: hxUnit },
    'a JSON string (page: \'{"referrer":…}\')': { page: JSON.stringify({ referrer: hxUnit }) },
    'a history of URLs (page_history)': { page_history: [hxUnit] },
  };
  for (const [name, properties] of Object.entries(names))
    it(`leaves out another Member's page under ${name}`, () => {
      expect(JSON.stringify(given(properties))).not.toMatch(/HarvardX|hx-newsletter/);
    });

  it("gives the Member's own page under those names by its origin and path only", () => {
    const own = `${mitPage}?utm_source=mitx-newsletter#top`;
    expect(
      given({
        previous_urls: [own],
        previous: { url: own },
        referral_url: own,
        ref: own,
        'Previous URL': own,
        prev_pathname: `/courses/${mit}/courseware?x=1`,
        navigation: { from: own },
      }),
    ).toEqual({
      previous_urls: [mitPage],
      previous: { url: mitPage },
      referral_url: mitPage,
      ref: mitPage,
      'Previous URL': mitPage,
      prev_pathname: `/courses/${mit}/courseware`,
      navigation: { from: mitPage },
    });
  });

  it('applies the names inside a JSON string: its search terms are dropped, the rest kept as JSON', () => {
    expect(given({ page: JSON.stringify({ referrer: google, title: 'Week 1' }) })).toEqual({
      page: JSON.stringify({ referrer: 'https://www.google.com/search', title: 'Week 1' }),
    });
  });
});

describe("no string anywhere in properties names a course that is not the Member's (the value rule)", () => {
  const values: Record<string, unknown> = {
    'a URL under a made-up name': hxUnit,
    'a course key alone': hx,
    'an XBlock usage key': 'block-v1:HarvardX+CS50+2026_T1+type@problem+block@q1',
    "a CCX's key": 'ccx-v1:HarvardX+CS50+2026_T1+ccx@3',
    "a CCX block's key": 'ccx-block-v1:HarvardX+CS50+2026_T1+ccx@3+type@html+block@b',
    'an old key in a path': `${lms}/courses/HarvardX/CS50/2013/info`,
    'an old key written as one segment': '/courses/HarvardX%2FCS50%2F2013/info',
    'a query naming one (next=)': 'next=%2Fcourses%2Fcourse-v1%3AHarvardX%2BCS50%2B2026_T1%2Fcourseware',
    'a URL percent-encoded twice': encodeURIComponent(encodeURIComponent(hxUnit)),
    'a URL percent-encoded three times': encodeURIComponent(encodeURIComponent(encodeURIComponent(hxUnit))),
    'a key with its + read as spaces': 'course-v1:HarvardX CS50 2026_T1',
    'a key in text': `Came from the ${hx} unit 3`,
    'a URL in a JSON string': JSON.stringify({ a: { b: [hxUnit] } }),
    'a URL in a percent-encoded JSON string': encodeURIComponent(JSON.stringify({ to: hxUnit })),
    'a URL with its slashes escaped in JSON':
      '{"u":"https:\\/\\/courses.edx.org\\/courses\\/HarvardX\\/CS50\\/2013\\/info"}',
    'a URL with its slashes escaped in JSON, cut short':
      '"https:\\/\\/courses.edx.org\\/courses\\/HarvardX\\/CS50\\/2013\\/i',
    "a course of the platform's (no Member)": `${lms}/courses/course-v1:edX+DemoX+2026/courseware`,
    "a run another Member lists, under MITx's org": 'course-v1:MITx+Lent+2026',
  };
  const rival = createMemberFacing([
    { id: 'HarvardX', orgs: ['HarvardX'], courses: ['course-v1:MITx+Lent+2026'] },
    { id: 'MITx', orgs: ['MITx'] },
  ]);
  for (const [name, value] of Object.entries(values))
    it(`leaves out ${name}, with its key`, () => {
      const properties = { target_url: value, nested: [{ deep: { text: value } }], kept: 1 };
      expect(rival(event(properties)).properties).toEqual({
        path: `/courses/${mit}/courseware`,
        nested: [{ deep: {} }],
        kept: 1,
      });
    });

  it('leaves out JSON text nested too deep to read through, and answers', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(given({ blob: deep, [deep]: 1, list: [deep], kept: '[1]' })).toEqual({ list: [], kept: '[1]' });
  });

  it('leaves out a key that names another course', () => {
    expect(given({ progress: { [hx]: 0.5, [mit]: 0.25 } })).toEqual({ progress: { [mit]: 0.25 } });
  });

  it("keeps the Member's own courses, a run it lists under another org and text naming no course", () => {
    const kept = {
      link: `${lms}/courses/${mit}/courseware/unit3?x=1`,
      key: mit,
      joint: 'course-v1:Partner+Joint+2026',
      block: 'block-v1:MITx+6.00x+2026_T1+type@problem+block@q1',
      text: 'courses of HarvardX are elsewhere',
      date: '2026/01/02',
    };
    expect(given(kept)).toEqual(kept);
  });

  it('gives a URL whose query or fragment names another course without them', () => {
    expect(
      given({
        link: `https://www.google.com/url?q=${encodeURIComponent(hxUnit)}`,
        hash: `${mitPage}#/courses/${hx}`,
        login: `${lms}/login?next=%2Fcourses%2Fcourse-v1%3AHarvardX%2BCS50%2B2026_T1%2Fcourseware`,
        register: `/register?course_id=${encodeURIComponent(hx)}`,
      }),
    ).toEqual({ link: 'https://www.google.com/url', hash: mitPage, login: `${lms}/login`, register: '/register' });
  });
});

describe("the event's own URL", () => {
  const from = `?from=${encodeURIComponent(hxUnit)}`;
  it("is given without a query or fragment naming another Member's page (url and properties.url)", () => {
    const given = facing(
      event({ url: `${mitPage}${from}` }, { url: `${mitPage}${from}`, path: `/courses/${mit}/courseware` }),
    );
    expect(given.url).toBe(mitPage);
    expect(given.properties.url).toBe(mitPage);
    expect(given.path).toBe(`/courses/${mit}/courseware`);
  });

  it("is null when its path names another Member's course", () => {
    const given = facing(event({}, { url: hxUnit, path: `/courses/${hx}/courseware/unit3` }));
    expect([given.url, given.path]).toEqual([null, null]);
  });

  it('keeps a query naming no other course', () => {
    const url = `${mitPage}?utm_source=mitx-newsletter`;
    expect(facing(event({ url }, { url })).url).toBe(url);
  });

  it("leaves out a campaign value naming another Member's course", () => {
    const given = facing(event({}, { campaign: { source: 'newsletter', content: hx } }));
    expect(given.campaign).toEqual({ source: 'newsletter' });
  });
});

describe("a first arrival (the platform's touch) is given only when it names the Member's own course", () => {
  for (const key of [
    'first_referrer',
    'original_referrer',
    'landing_referrer',
    'firstTouchReferrer',
    'initial_referrer',
  ])
    it(`leaves out a search engine under ${key}`, () => {
      expect(given({ [key]: google })).toEqual({});
    });
  for (const key of [
    'initial_landing_page',
    'initial_url',
    '$initial_page',
    'landing_page',
    'landing_url',
    'entry_url',
    'firstPage',
  ])
    it(`leaves out a first arrival that is not on the Member's course under ${key}`, () => {
      expect(given({ [key]: google, nested: { [key]: hxUnit } })).toEqual({ nested: {} });
    });

  it("keeps one on the Member's own course, origin and path only, and what is no URL", () => {
    expect(
      given({
        landing_page: `${mitPage}?utm_source=mitx`,
        entry_path: `/courses/${mit}/about?x=1`,
        first_name: 'Ada',
        first_seen: '2026-12-01T00:00:00Z',
      }),
    ).toEqual({
      landing_page: mitPage,
      entry_path: `/courses/${mit}/about`,
      first_name: 'Ada',
      first_seen: '2026-12-01T00:00:00Z',
    });
  });
});

describe('under previous-page names, what is no URL or path is kept', () => {
  it('keeps numbers, booleans and words (pagination.last_page, link.source_location, order.referring_user_id)', () => {
    const kept = {
      pagination: { current_page: 2, last_page: 10 },
      link: { source_location: 'sidebar' },
      order: { referring_user_id: 42, referred: true },
      from_date: '2026-12-01T00:00:00Z',
      history: ['kept'],
    };
    expect(given(kept)).toEqual(kept);
  });

  it("gives a URL there by its origin and path only (an embedded video's source_url loses ?v=)", () => {
    expect(given({ video: { source_url: 'https://www.youtube.com/watch?v=abc123' } })).toEqual({
      video: { source_url: 'https://www.youtube.com/watch' },
    });
  });

  it('leaves out a URL percent-encoded whole there (its search terms)', () => {
    const encoded = encodeURIComponent(google);
    expect(given({ previous_url: encoded, landing: { page: encodeURIComponent(encoded) } })).toEqual({ landing: {} });
  });

  it('leaves out text under a referrer name that is no URL (a host)', () => {
    expect(given({ referring_domain: 'www.google.com', ref: 'newsletter' })).toEqual({});
  });
});

describe('what it costs to read an event is bounded (no input blocks the event loop)', () => {
  // Each bound is 500 ms of the process's CPU time (other processes on a busy runner do not count): these inputs
  // take tens of ms; an unbounded reading took seconds (18–27 s for the nested JSON below before the budget).
  /** A `%41` percent-encoded 15 times (`%25252525…41`): each decoding round changes it. */
  let chain = '%41';
  for (let i = 0; i < 14; i++) chain = chain.replace('%', '%25');
  /** JSON text nested `levels` deep in strings, around `leaves` strings each ending with `chain`. */
  const nested = (levels: number, leaves: number): string => {
    let s = JSON.stringify(Array.from({ length: leaves }, (_, i) => `${i}${chain}`));
    for (let level = 0; level < levels; level++) s = JSON.stringify([s, chain, chain]);
    return s;
  };
  for (const [levels, leaves] of [
    [3, 20],
    [6, 20],
    [6, 200],
  ] as const)
    it(`reads JSON nested ${levels} levels in strings around ${leaves} %25-chains in well under a second`, () => {
      const s = nested(levels, leaves);
      expect(cpuMs(() => facing(event({ s, [s]: 1, list: [s, s] }, { event: s })))).toBeLessThan(500);
    });

  describe("reads an event of at most 32 KB (a message's limit) in well under a second", () => {
    /** A `%41` percent-encoded 6 times: every decoding round of the text around it reads it all again. */
    const encoded6 = '%25252525252541 ';
    /** Text of `make(0)`, `make(1)`, … cut at `max` characters. */
    const fill = (make: (i: number) => string, max = 32_000): string => {
      let s = '';
      for (let i = 0; s.length < max; i++) s += make(i);
      return s.slice(0, max);
    };
    const b64url = (text: string) => Buffer.from(text).toString('base64url');
    const inputs: Record<string, unknown> = {
      'short paths (/ )': `${encoded6}${'/ '.repeat(15_500)}`,
      'fractions (a/b )': `${encoded6}${'a/b '.repeat(7_900)}`,
      "old ids of the Member's org": `${encoded6}${fill((i) => `MITx/a${i}/b `)}`,
      "catalog keys of the Member's org": `${encoded6}${fill((i) => `MITx+a${i} `)}`,
      "6000 array items of the Member's org (70 KB)": Array.from({ length: 6000 }, (_, i) => `MITx+${i}`),
      'a 23 KB base64url run': b64url(fill((i) => `${encoded6}/ x${i} `, 17_000)),
      'a 23 KB base64url run of slashes': b64url(fill(() => '/ ', 17_000)),
      "a form of the Member's org fields": `${encoded6}${fill((i) => `org=MITx&course=a${i}&owner=MITx&run=r&`)}`,
      "JSON text of the Member's org fields": JSON.stringify(
        Array.from({ length: 420 }, (_, i) => ({ org: 'MITx', course: `a${i}`, owners: [{ key: 'MITx' }] })),
      ),
      "600 objects of the Member's org fields (40 KB)": Array.from({ length: 600 }, (_, i) => ({
        org: 'MITx',
        number: `a${i}`,
        course_runs: [{ key: `course-v1:MITx+a${i}+r`, partner: 'MITx' }],
      })),
    };
    for (const [name, value] of Object.entries(inputs))
      it(name, () => {
        if (typeof value === 'string') expect(value.length).toBeLessThanOrEqual(32 * 1024);
        expect(cpuMs(() => given({ value }))).toBeLessThan(500);
      });
  });

  it('leaves out what may name a course once the budget is spent (never gives it unread)', () => {
    let chain7 = '%41';
    for (let i = 0; i < 6; i++) chain7 = chain7.replace('%', '%25');
    const big = Array.from({ length: 60 }, (_, i) => `${i} ${`${chain7} `.repeat(70)}`);
    let out: Record<string, unknown> = {};
    expect(cpuMs(() => (out = given({ big, own: `${mit} %41`, plain: 'kept' })))).toBeLessThan(500);
    // What was read within the budget (naming no course) is kept; the rest, the Member's own key too, is not.
    expect((out.big as string[]).length).toBeLessThan(big.length);
    expect(out).toEqual({ big: big.slice(0, (out.big as string[]).length), plain: 'kept' });
  });

  it('leaves out what it has no budget left to read (never gives it unread)', () => {
    const big = Array.from({ length: 400 }, (_, i) => `${i} ${chain} /courses/${hx}/x `.repeat(8));
    const out = given({ big, after: `x ${encodeURIComponent(hxUnit)}`, plain: 'kept' });
    expect(JSON.stringify(out)).not.toMatch(/HarvardX/);
    expect(out.plain).toBe('kept');
  });

  it('leaves out JSON text nested in strings deeper than it reads', () => {
    let s: unknown = hx;
    for (let i = 0; i < 12; i++) s = JSON.stringify([s]);
    let q: unknown = google;
    for (let i = 0; i < 12; i++) q = JSON.stringify({ referrer: q });
    expect(given({ s, q, shallow: JSON.stringify([JSON.stringify(['ok'])]) })).toEqual({
      shallow: JSON.stringify([JSON.stringify(['ok'])]),
    });
  });

  it('leaves out text encoded more times than it decodes', () => {
    let s = `/courses/${hx}/courseware`;
    for (let i = 0; i < 17; i++) s = encodeURIComponent(s);
    expect(given({ s })).toEqual({});
  });
});

describe("the Member's own data is kept", () => {
  it('keeps its own course written with %2B for + (url, path, properties)', () => {
    const url = `${lms}/courses/course-v1:MITx%2B6.00x%2B2026_T1/courseware`;
    const out = facing(event({ link: url }, { url, path: new URL(url).pathname }));
    expect([out.url, out.path, out.properties.link]).toEqual([url, new URL(url).pathname, url]);
    // Another's run behind %2B is still read once decoded.
    expect(given({ link: `${lms}/courses/course-v1:HarvardX%2BCS50%2B2026_T1/courseware` })).toEqual({});
  });

  it("keeps a /courses/a/b/c URL on another site (no course of the platform's)", () => {
    const ocw = 'https://ocw.mit.edu/courses/6-0001-intro-to-cs-fall-2016/pages/syllabus/';
    const out = facing(event({ link: ocw, source_url: ocw }, { url: mitPage }));
    expect(out.properties).toMatchObject({ link: ocw, source_url: ocw });
    // On the event's own site, or as a path, or in a query, an old key of no Member is still the platform's.
    expect(
      facing(
        event(
          {
            a: `${lms}/courses/edX/DemoX/2013/info`,
            b: '/courses/edX/DemoX/2013/info',
            c: `https://www.google.com/url?q=${lms}/courses/edX/DemoX/2013/info`,
          },
          { url: mitPage },
        ),
      ).properties,
    ).toEqual({ path: `/courses/${mit}/courseware`, c: 'https://www.google.com/url' });
  });

  it('keeps text that is no URL or path under previous-page and first-arrival names', () => {
    const kept = {
      from_date: '12/01/2026',
      last_score: '7/10',
      first_answer: '2/3',
      source_type: 'video/mp4',
      last_answer: 'Answer: 42',
      first_question: 'Intro: what is x',
    };
    expect(given(kept)).toEqual(kept);
  });

  it('reads first arrivals by whole words only (original_image, first_video_url are no arrival)', () => {
    const kept = {
      original_image: 'https://mitx.example/img/cat.png',
      entry_point: `/courses/${mit}/about`,
      first_video_url: 'https://www.youtube.com/watch?v=abc',
      preferring_language: 'en',
    };
    expect(given(kept)).toEqual(kept);
    expect(given({ first_touch_url: google, originalLandingPage: google, landing_x: google })).toEqual({});
  });

  it('leaves JSON text as written when nothing in it is left out ($ref is no referrer)', () => {
    const text = '{ "a": {"$ref": "$"}, "b": "[[]]" }';
    expect(given({ text })).toEqual({ text });
  });
});

describe('more ways of naming a course are read', () => {
  const members = createMemberFacing([
    { id: 'HarvardX', orgs: ['HarvardX'] },
    { id: 'MITx', orgs: ['MITx'], courses: ['course-v1:Partner+Joint+2026', 'course-v1:HarvardX+Joint+2026'] },
  ]);
  const to = (memberId: string, properties: Record<string, unknown>) =>
    members(event(properties, { memberId })).properties;

  it("reads a run ending a sentence without its punctuation (another Member's listed run)", () => {
    for (const end of ['.', '~', '-', ',', ')', ';'])
      expect(to('HarvardX', { note: `see course-v1:HarvardX+Joint+2026${end} now` }), end).not.toHaveProperty('note');
    expect(to('MITx', { note: 'Welcome to course-v1:Partner+Joint+2026.' })).toMatchObject({
      note: 'Welcome to course-v1:Partner+Joint+2026.',
    });
  });

  it('reads old keys next to ), , and ;', () => {
    for (const x of [
      `[CS50](${lms}/courses/HarvardX/CS50/2013)`,
      `came from ${lms}/courses/HarvardX/CS50/2013, then left`,
      `/courses/HarvardX/CS50/2013;/x`,
    ])
      expect(given({ x }), x).toEqual({});
  });

  it('reads asset keys, /c4x/ and i4x:// as their course', () => {
    for (const x of [
      `${lms}/asset-v1:HarvardX+CS50+2026_T1+type@asset+block@course_image.jpg`,
      `${lms}/c4x/HarvardX/CS50/asset/course_image.jpg`,
      'i4x://HarvardX/CS50/problem/q1',
    ])
      expect(given({ x }), x).toEqual({});
    const own = {
      a: `${lms}/asset-v1:MITx+6.00x+2026_T1+type@asset+block@img.jpg`,
      b: `${lms}/c4x/MITx/6.00x/asset/img.jpg`,
      c: 'i4x://MITx/6.00x/problem/q1',
    };
    expect(given(own)).toEqual(own);
  });

  it('reads HTML entities (&#58; &colon; &#x2F; &sol; &plus; &#43;) and \\u003a escapes', () => {
    for (const x of [
      'course-v1&#58;HarvardX+CS50+2026_T1',
      'course-v1&colon;HarvardX&plus;CS50&#43;2026_T1',
      '&#x2F;courses&#x2F;HarvardX&#x2F;CS50&#x2F;2013&#x2F;info',
      '&sol;courses&sol;HarvardX&sol;CS50&sol;2013&sol;info',
      'next=course-v1\\u003aHarvardX+CS50+2026_T1',
    ])
      expect(given({ x }), x).toEqual({});
  });

  it('applies the referrer and first-arrival rule to the keys of objects so named', () => {
    expect(given({ referrers: { 'https://www.google.com/search?q=secret+terms': 2, 'www.bing.com': 1 } })).toEqual({
      referrers: { 'https://www.google.com/search': 2 },
    });
    // Keys that are no URL, path or host are read by the value rule alone (their values as before).
    const ownReferrer = { referrer: { url: mitPage, visits: 2 }, previous: { path: '/x', 'www.bing.com': 1 } };
    expect(given(ownReferrer)).toEqual(ownReferrer);
    expect(given({ landing_pages: { 'https://www.edx.org/search?q=harvard+cs50': 1, [mitPage]: 2 } })).toEqual({
      landing_pages: { [mitPage]: 2 },
    });
  });

  it("gives the event's name with another's course key in it replaced by [course]", () => {
    const named = (name: string) => facing(event({}, { type: 'track', event: name })).event;
    expect(named(`Clicked ${hx}`)).toBe('Clicked [course]');
    expect(named(`Opened ${mitPage}`)).toBe(`Opened ${mitPage}`);
    expect(named(`Opened ${encodeURIComponent(hxUnit)} twice`)).toBe('Opened [course] twice');
  });
});

describe('old course ids (Org/Course/Run) outside a /courses/ path are read', () => {
  it("leaves out another Member's or the platform's old id in a course_id parameter, or under a Member's org", () => {
    expect(
      given({
        register: '/register?course_id=HarvardX/CS50/2013',
        encoded: 'course_id=HarvardX%2FCS50%2F2013',
        camel: 'https://auth.example.org/cb?courseId=HarvardX/CS50/2013&x=1',
        platform: 'enroll?course_key=edX/DemoX/2013',
        json: '{"course_id": "edX/DemoX/2013"}',
        text: 'see HarvardX/CS50/2013 for more',
        course_id: 'edX/DemoX/2013',
        other: { courseKey: 'HarvardX%2FCS50%2F2013' },
        kept: 1,
      }),
    ).toEqual({ register: '/register', camel: 'https://auth.example.org/cb', other: {}, kept: 1 });
  });

  it("keeps the Member's own old ids, and dates, fractions and other sites' paths", () => {
    const kept = {
      own: '/register?course_id=MITx/6.002x/2012_Fall',
      encoded: 'course_id=MITx%2F6.002x%2F2012_Fall',
      text: 'MITx/6.002x/2012_Fall',
      course_id: 'MITx/6.002x/2012_Fall',
      date: '2024/01/02',
      fraction: '3/4 done',
      site: 'https://example.com/docs/a/b/c',
    };
    expect(given(kept)).toEqual(kept);
  });
});

describe("a course key split across an array's items is read", () => {
  it("leaves out adjacent text items that join to another Member's course (with the text next to them)", () => {
    expect(
      given({
        a: ['course-v1:', 'HarvardX', '+CS50+2026_T1'],
        b: ['course-v1:OtherX', '+CS50+2024'],
        c: ['course-v1:OtherX+', 'CS50+2024'],
        d: ['intro', '/courses/Harvard', 'X/CS50/2013/info', 7, 'outro'],
      }),
    ).toEqual({ a: [], b: ['+CS50+2024'], c: ['CS50+2024'], d: [7, 'outro'] });
    const rival = createMemberFacing([
      { id: 'HarvardX', orgs: ['HarvardX'], courses: ['course-v1:MITx+Lent+2026'] },
      { id: 'MITx', orgs: ['MITx'] },
    ]);
    // (A key of the Member's org cut short may be the run another Member lists under it: left out.)
    expect(rival(event({ parts: ['course-v1:MITx', '+Lent+2026', 1] })).properties.parts).toEqual(['+Lent+2026', 1]);
    // Its + read as spaces, cut at a space: a key of the Member's org cut short may be that run.
    expect(rival(event({ parts: ['course-v1:MITx ', 'Lent 2026'] })).properties.parts).toEqual(['Lent 2026']);
  });

  it('joins items only where a key can span them: those read within the budget are kept', () => {
    let chain7 = '%41';
    for (let i = 0; i < 6; i++) chain7 = chain7.replace('%', '%25');
    const big = Array.from({ length: 60 }, (_, i) => `${i} ${`${chain7} `.repeat(70)}`);
    const kept = (given({ big }).big as string[]).length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(big.length);
  });

  it("keeps the Member's own split keys and other text", () => {
    const kept = { a: ['course-v1:', 'MITx+6.00x+2026_T1'], b: ['a', 'b', 'c/d'], c: [mit, mit] };
    expect(given(kept)).toEqual(kept);
  });
});

describe('base64 text is read decoded', () => {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const b64url = (text: string) => Buffer.from(text).toString('base64url');
  it("leaves out a base64 or base64url value (an OAuth state, a JWT's payload) naming another's course", () => {
    const state = b64url(JSON.stringify({ course: hx, n: '?>?>' }));
    expect(
      given({
        state: 'eyJjb3Vyc2UiOiJjb3Vyc2UtdjE6T3RoZXJYK0NTNTArMjAyNCJ9',
        padded: b64(JSON.stringify({ course: hx, n: '?>?>' })),
        url: `https://accounts.example.org/callback?code=abc&state=${state}`,
        escaped: `state=${encodeURIComponent(b64(hxUnit))}`,
        jwt: `${b64url('{"alg":"none"}')}.${b64url(JSON.stringify({ next: hxUnit }))}.`,
        twice: b64(b64(hx)),
        kept: 1,
      }),
    ).toEqual({ url: 'https://accounts.example.org/callback', kept: 1 });
  });

  it("keeps base64 naming the Member's own course or none", () => {
    const kept = {
      own: b64(JSON.stringify({ course: mit })),
      token: b64('this is just a test of a token'),
      id: '550e8400-e29b-41d4-a716-446655440000',
      word: 'Antidisestablishmentarianism',
    };
    expect(given(kept)).toEqual(kept);
  });

  it('reads a hostile event of base64, split items, old ids and catalog keys in well under a second', () => {
    let nestedB64 = hx;
    for (let i = 0; i < 12; i++) nestedB64 = Buffer.from(nestedB64).toString('base64');
    const pieces = Array.from({ length: 1000 }, (_, i) => (i % 2 ? 'HarvardX/' : 'course-v1:'));
    const slashes = `${'HarvardX/'.repeat(1000)}x`;
    const blobs = Array.from({ length: 300 }, (_, i) => b64(`${i} ${'%2541'.repeat(20)} x`));
    const plus = `${'HarvardX+'.repeat(1000)}x`;
    let out: unknown;
    expect(
      cpuMs(() => (out = given({ nestedB64, pieces, slashes, s: slashes.replace(/\//g, '%2F'), plus, blobs }))),
    ).toBeLessThan(500);
    expect(JSON.stringify(out)).not.toMatch(/HarvardX|course-v1/);
  });
});

describe('catalog keys (Org+Course, without a namespace) are read', () => {
  it("leaves out another Member's catalog key, or the platform's in a course_key parameter", () => {
    expect(
      given({
        link: 'https://www.edx.org/course/HarvardX+CS50',
        param: '/enroll?course_key=HarvardX+CS50',
        platform: 'course_key=edX+DemoX',
        run: 'HarvardX+CS50+2026_T1',
        text: 'compare HarvardX+CS50 with ours',
        kept: 1,
      }),
    ).toEqual({ param: '/enroll', kept: 1 });
  });

  it("keeps the Member's own catalog keys and other text with +", () => {
    const kept = {
      link: 'https://www.edx.org/course/MITx+6.00x',
      param: 'course_key=MITx+6.00x',
      run: 'MITx+6.00x+2026_T1',
      math: '1+2+3',
      code: 'C++ and A+B',
      block: 'block-v1:MITx+6.00x+2026_T1+type@problem+block@q1',
    };
    expect(given(kept)).toEqual(kept);
  });
});

describe('course ids written more ways are read (review of the namespace-less and base64 readings)', () => {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const b64url = (text: string) => Buffer.from(text).toString('base64url');

  it("leaves out another's catalog key or run after a :, an @ or glued to a word", () => {
    for (const a of [
      'course:HarvardX+CS50',
      'key:HarvardX+CS50+2026_T1',
      'see @HarvardX+CS50',
      'ref-HarvardX+CS50',
      'tag_HarvardX+CS50',
      'c4x/HarvardX/CS50/2013',
    ])
      expect(given({ a }), a).toEqual({});
  });

  it('leaves out base64 glued to a prefix or a suffix, of either alphabet, or wrapped over lines', () => {
    const state = JSON.stringify({ course: hx });
    const std = b64(`??>>${JSON.stringify({ next: hxUnit })}`);
    expect(std).toMatch(/[+/]/);
    for (const a of [
      `x-${b64url(state)}`,
      `state_${b64url(state)}`,
      `v2${b64url(state)}`,
      `sid-${std}`,
      `${b64(state)}_v2`,
      `${b64url(state)}.sig`,
      (b64(JSON.stringify({ a: 'x'.repeat(60), next: hxUnit })).match(/.{1,76}/g) ?? []).join('\n'),
      // (A protocol buffer's bytes around the key.)
      Buffer.concat([Buffer.from([8, 150, 1, 18, hx.length]), Buffer.from(hx), Buffer.from([0xff, 0])]).toString(
        'base64',
      ),
    ])
      expect(given({ a }), a).toEqual({});
  });

  it('reads a course_id or course_key value with spaces for its + (a form, a property)', () => {
    expect(
      given({
        a: 'course_key=HarvardX CS50',
        b: 'course_key=HarvardX%20CS50',
        c: 'course_key=edX DemoX',
        course_key: 'HarvardX CS50',
        nested: { course_id: 'HarvardX CS50 2026_T1' },
        kept: 1,
      }),
    ).toEqual({ nested: {}, kept: 1 });
    const own = { a: 'course_key=MITx 6.00x', course_id: 'MITx 6.00x 2026_T1', b: 'course_id=123 enrolled' };
    expect(given(own)).toEqual(own);
  });

  it("reads Discovery's course_run_key and courseRunKey", () => {
    expect(
      given({
        a: 'course_run_key=edX+DemoX+2026',
        b: '/enroll?course_run_key=edX/DemoX/2013',
        c: '{"courseRunKey":"HarvardX+CS50+2026_T1"}',
        course_run_key: 'HarvardX/CS50/2013',
        kept: 1,
      }),
    ).toEqual({ b: '/enroll', kept: 1 });
    const own = { a: 'course_run_key=MITx+6.00x+2026_T1', courseRunKey: 'MITx/6.002x/2012_Fall' };
    expect(given(own)).toEqual(own);
  });

  it("keeps the catalog key of a course the Member lists a run of under another org (with no Member's)", () => {
    const kept = {
      a: 'Partner+Joint',
      b: 'course_key=Partner+Joint',
      c: 'see Partner+Joint.',
      d: '/c4x/Partner/Joint/asset/x.jpg',
      e: 'i4x://Partner/Joint/problem/q1',
    };
    expect(given(kept)).toEqual(kept);
  });

  it('keeps orgs named together without a course (HarvardX+MITx, HarvardX/MITx/BerkeleyX)', () => {
    const members = createMemberFacing([
      { id: 'HarvardX', orgs: ['HarvardX'] },
      { id: 'MITx', orgs: ['MITx'] },
      { id: 'BerkeleyX', orgs: ['BerkeleyX'] },
    ]);
    const kept = { a: 'HarvardX+MITx joint webinar', b: 'partners: HarvardX/MITx/BerkeleyX' };
    expect(members(event(kept)).properties).toMatchObject(kept);
    // (A course numbered like a count, HarvardX+1, may be one: left out.)
    expect(members(event({ a: 'HarvardX+1' })).properties).not.toHaveProperty('a');
  });
});

describe('base64 of UTF-16 text (.NET Encoding.Unicode, Java UTF_16BE) is read decoded', () => {
  const le = (text: string) => Buffer.from(text, 'utf16le');
  const be = (text: string) => le(text).swap16();
  it("leaves out UTF-16LE or UTF-16BE base64 naming another's course, glued to a prefix or escaped in a URL", () => {
    const state = JSON.stringify({ course: hx, nonce: 'n1' });
    // (A value that is a URL or path is given by its origin and path: a BOM's base64, `//5…`, reads as `//host`.)
    for (const [a, expected] of [
      [le(hx).toString('base64'), {}],
      [be(hx).toString('base64'), {}],
      [le(state).toString('base64'), {}],
      [`state_${le(state).toString('base64url')}`, {}],
      [`sid-${be(state).toString('base64')}`, {}],
      [Buffer.concat([Buffer.from([0xff, 0xfe]), le(hxUnit)]).toString('base64'), { a: '/' }],
      [
        `https://accounts.example.org/cb?state=${encodeURIComponent(le(`x${state}`).toString('base64'))}`,
        { a: 'https://accounts.example.org/cb' },
      ],
      [le('MITx compares with HarvardX/CS50/2013 here').toString('base64'), {}],
    ] as const)
      expect(given({ a }), a).toEqual(expected);
  });

  it("keeps UTF-16 base64 naming the Member's own course or none", () => {
    const kept = {
      own: le(JSON.stringify({ course: mit })).toString('base64'),
      ownBe: be(mit).toString('base64'),
      token: le('this is just a test of a token').toString('base64'),
    };
    expect(given(kept)).toEqual(kept);
  });

  it('reads an event of 32 KB of UTF-16 base64 runs in well under a second', () => {
    let text = '';
    for (let i = 0; text.length < 11_500; i++) text += `%25252541 / x${i} MITx/a${i}/b `;
    const value = le(text.slice(0, 11_500)).toString('base64');
    expect(value.length).toBeLessThanOrEqual(32 * 1024);
    expect(cpuMs(() => given({ value }))).toBeLessThan(500);
  });
});

describe("a course named by an object's fields (its org in an org field, with course fields) is read", () => {
  it("leaves out an object naming another Member's org, or no Member's, with course fields", () => {
    const values: Record<string, unknown> = {
      'org, course and run': { org: 'HarvardX', course: 'CS50', run: '2026_T1' },
      'org and number': { org: 'HarvardX', number: 'CS50' },
      "Discovery's key and owners": { key: 'CS50', owners: [{ key: 'HarvardX', name: 'Harvard University' }] },
      "a course's organization": [{ course: { organization: 'harvardx', display_name: 'CS50' } }],
      "edx.bi's org_key with a course number": { org_key: 'HarvardX', course_number: 'CS50' },
      'a course_org alone': { course_org: 'HarvardX' },
      'course runs under an org': { partner: 'HarvardX', course_runs: [{ title: 'CS50' }] },
      "the platform's course (an org of no Member)": { org: 'edX', course: 'DemoX', run: '2026' },
      'in JSON text': JSON.stringify({ org: 'HarvardX', course: 'CS50' }),
      'in base64 JSON': Buffer.from(JSON.stringify({ org: 'HarvardX', number: 'CS50' })).toString('base64'),
      'in a form': 'organization=HarvardX&course_number=CS50',
      'in a percent-encoded form': encodeURIComponent('org=HarvardX&course=CS50&run=2026_T1'),
      "another org beside the Member's own key": { org: 'HarvardX', course_id: mit },
    };
    for (const [name, value] of Object.entries(values)) {
      const out = given({ a: value, kept: 1 });
      // (An array keeps its place, without the item.)
      expect(out, name).toEqual(Array.isArray(value) ? { a: [{}], kept: 1 } : { kept: 1 });
    }
    // Its course's fields in an object it holds under another name: that object left out (the org alone is kept).
    expect(
      given({
        a: { org: 'HarvardX', details: { number: 'CS50', run: '2026_T1' }, count: 2 },
        b: JSON.stringify({ organization: 'HarvardX', offering: [{ course_number: 'CS50' }] }),
      }),
    ).toEqual({ a: { org: 'HarvardX', count: 2 } });
    // A URL or path naming one in its query is given without it.
    expect(
      given({ u: 'https://www.example.org/enroll?org=HarvardX&number=CS50', p: '/enroll?org=edX&course=DemoX' }),
    ).toEqual({ u: 'https://www.example.org/enroll', p: '/enroll' });
    // Such an object as the properties themselves: none of them given.
    expect(facing(event({ org: 'HarvardX', course: 'CS50', title: 'x' })).properties).toEqual({});
  });

  it("leaves out the Member's own org with a course another Member lists a run of", () => {
    const rival = createMemberFacing([
      { id: 'HarvardX', orgs: ['HarvardX'], courses: ['course-v1:MITx+Lent+2026'] },
      { id: 'MITx', orgs: ['MITx'] },
    ]);
    const out = rival(
      event({
        a: { org: 'MITx', course: 'Lent', run: '2026' },
        b: { org: 'MITx', display_name: 'Lent', course_id: '' },
        // (Its own run's key beside the org tells which run it is: kept.)
        context: { org_id: 'MITx', course_id: mit, path: '/x' },
        upsell: { org_key: 'MITx', courserun_key: mit, linkType: 'button' },
        course: { id: mit, org: 'MITx' },
      }),
    ).properties;
    expect(out).not.toHaveProperty('a');
    expect(out).not.toHaveProperty('b');
    expect(out).toMatchObject({ context: { org_id: 'MITx' }, upsell: { org_key: 'MITx' }, course: { org: 'MITx' } });
  });

  it("keeps the Member's own courses named by fields, and orgs named without a course", () => {
    const kept = {
      a: { org: 'MITx', course: '6.00x', run: '2026_T1' },
      b: { org: 'mitx', number: '6.00x', org_name: 'Massachusetts Institute of Technology' },
      c: { key: 'MITx+6.00x', owners: [{ key: 'MITx', name: 'Massachusetts Institute of Technology', slug: 'mit' }] },
      d: { org: 'Partner', course: 'Joint', run: '2026' },
      e: JSON.stringify({ course: { org: 'MITx', display_name: 'Circuits' } }),
      f: '/enroll?org=MITx&course=6.00x',
      g: { partner: 'HarvardX', webinar: 'joint', count: 3 },
      h: 'organization=HarvardX&topic=webinar',
      held: { org: 'MITx', details: { number: '6.00x', run: '2026_T1' } },
      // (What holds no more than a code or a key is not read as the org's course: an error, a page.)
      error: { organization: 'acme', error: { code: 'E42' }, page: { num: 2, key: 'p2' } },
      i: { org_id: '42', organization: '550e8400-e29b-41d4-a716-446655440000', owner: 'alice', course_id: mit },
    };
    expect(given(kept)).toEqual(kept);
  });
});

describe('hex text and code escapes (\\x3a, \\u{3a}, %u003A) are read decoded', () => {
  const hex = (text: string, encoding: BufferEncoding = 'utf8') => Buffer.from(text, encoding).toString('hex');
  it("leaves out hex text (UTF-8 or UTF-16, either case, glued to a prefix) or escapes naming another's course", () => {
    for (const a of [
      hex(hx),
      hex(JSON.stringify({ next: hxUnit })).toUpperCase(),
      `0x${hex(hx, 'utf16le')}`,
      `state_a${hex(JSON.stringify({ course: hx }))}`,
      'course-v1\\x3aHarvardX+CS50+2026_T1',
      'see HarvardX\\x2FCS50\\x2F2013',
      'course-v1%u003AHarvardX%u002BCS50%u002B2026_T1',
    ])
      expect(given({ a, kept: 1 }), a).toEqual({ kept: 1 });
  });

  it("keeps hex naming the Member's own course or none (a hash, an id)", () => {
    const kept = {
      own: hex(JSON.stringify({ course: mit })),
      sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      id: '550e8400e29b41d4a716446655440000',
      escaped: 'course-v1\\x3aMITx+6.00x+2026_T1',
    };
    expect(given(kept)).toEqual(kept);
  });

  it('reads an event of a 32 KB hex run in well under a second', () => {
    let text = '';
    for (let i = 0; text.length < 16_000; i++) text += `%25252541 / x${i} MITx/a${i}/b `;
    const value = hex(text.slice(0, 16_000));
    expect(value.length).toBeLessThanOrEqual(32 * 1024);
    expect(cpuMs(() => given({ value }))).toBeLessThan(500);
  });
});
