import { describe, expect, it } from 'vitest';
import { allGranted, backends, getJson, mid, tokens, useCollector, type Body } from './helpers.js';
import { byId, postBeforeAll } from './sent-batch.js';

const bearer = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });
const site = 'https://www.edx.org';
const hxCourse = 'course-v1:HarvardX+CS50+2026_T1';
const mitCourse = 'course-v1:MITx+6.00x+2026_T1';
const hxCampaign = 'utm_source=harvardx-newsletter&utm_medium=email&utm_campaign=hx-cs50-retarget';

/** The touch `@optin/analytics` records of the arrival from HarvardX's newsletter: no landing page. */
const hxTouch = {
  utm_source: 'harvardx-newsletter',
  utm_medium: 'email',
  utm_campaign: 'hx-cs50-retarget',
  class: 'email',
  at: '2026-11-30T10:00:00.000Z',
};
const attribution = { first: hxTouch, last: hxTouch };

/** A page view of `course` at `path`, reached from `referrer`, with the learner's platform-wide touches. */
const view = (learner: string, course: string, path: string, referrer: string): Record<string, unknown> => {
  const url = `${site}${path}`;
  return {
    type: 'page',
    messageId: mid(learner),
    anonymousId: learner,
    timestamp: new Date().toISOString(),
    properties: { path: path.replace(/\?.*/, ''), url, referrer, title: 'Course' },
    context: {
      consent: allGranted,
      course: { id: course },
      page: { path: path.replace(/\?.*/, ''), url, referrer, title: 'Course' },
      attribution,
    },
  };
};

describe.each(backends)("a Member reads nothing of another's arrivals or campaigns ($name)", (backend) => {
  const live = useCollector(backend);
  const learner = `hx-then-mitx-${backend.name}`;
  const hxLanding = view(learner, hxCourse, `/learning/course/${hxCourse}/home?${hxCampaign}`, '');
  const hxReferrer = `${site}/learning/course/${hxCourse}/block-v1:HarvardX+CS50+2026_T1+type@vertical+block@u1`;
  const sent = {
    hxLanding,
    // MITx's course, opened from a HarvardX course page.
    fromHx: view(learner, mitCourse, `/learning/course/${mitCourse}/home`, hxReferrer),
    // ... from an old-style HarvardX course URL.
    fromHxLegacy: view(
      learner,
      mitCourse,
      `/learning/course/${mitCourse}/info`,
      `${site}/courses/HarvardX/CS50/2013/info`,
    ),
    // ... from the platform's search, reached itself from edX's own campaign.
    fromSearch: view(
      learner,
      mitCourse,
      `/learning/course/${mitCourse}/about`,
      `${site}/search?q=python&utm_source=edx-newsletter&utm_campaign=edx-black-friday&gclid=abc#top`,
    ),
    // ... from one of MITx's own pages, and from a search engine.
    fromMitx: view(
      learner,
      mitCourse,
      `/learning/course/${mitCourse}/progress`,
      `${site}/learning/course/${mitCourse}/home?tab=2`,
    ),
    fromGoogle: view(learner, mitCourse, `/learning/course/${mitCourse}/dates`, 'https://www.google.com/'),
  };

  postBeforeAll(backend, live, sent);

  it.skipIf(backend.skip)(
    'gives a Member no first or last touch: a touch records no landing page to tell whose it is',
    async () => {
      const mitx = await getJson(`${live.url}/v1/members/MITx/events?anonymousId=${learner}`, bearer(tokens.MITx));
      expect(mitx.status).toBe(200);
      expect(mitx.body.events).toHaveLength(5);
      for (const e of mitx.body.events) {
        expect(e.context).not.toHaveProperty('attribution');
        expect(JSON.stringify(e)).not.toMatch(/harvardx-newsletter|hx-cs50-retarget|edx-black-friday|edx-newsletter/);
      }
      // HarvardX's own landing: its page URL and campaign are its own; the platform-wide touches are not.
      const harvardx = await getJson(
        `${live.url}/v1/members/HarvardX/events?anonymousId=${learner}`,
        bearer(tokens.HarvardX),
      );
      expect(harvardx.body.events).toHaveLength(1);
      const [landing] = harvardx.body.events;
      expect(landing.context).not.toHaveProperty('attribution');
      expect(landing.campaign).toEqual({
        source: 'harvardx-newsletter',
        medium: 'email',
        campaign: 'hx-cs50-retarget',
      });
      expect(landing.url).toBe(`${site}/learning/course/${hxCourse}/home?${hxCampaign}`);
    },
  );

  it.skipIf(backend.skip)(
    "gives a Member no referrer on another Member's course, and no campaign of a referrer",
    async () => {
      const { body } = await getJson(`${live.url}/v1/members/MITx/events?anonymousId=${learner}`, bearer(tokens.MITx));
      expect(byId(body.events, sent.fromHx).properties).not.toHaveProperty('referrer');
      expect(byId(body.events, sent.fromHxLegacy).properties).not.toHaveProperty('referrer');
      // The site (its referrer class and host) is all it learns of such an arrival.
      expect(byId(body.events, sent.fromHx)).toMatchObject({ referrerClass: 'internal', referrerHost: 'www.edx.org' });
      // Not one of MITx's course pages: its origin and path only (a search's terms are the platform's).
      expect(byId(body.events, sent.fromSearch).properties.referrer).toBe(`${site}/search`);
      // One of its own course pages: its origin and path too (a query may name other courses).
      expect(byId(body.events, sent.fromMitx).properties.referrer).toBe(`${site}/learning/course/${mitCourse}/home`);
      expect(byId(body.events, sent.fromGoogle).properties.referrer).toBe('https://www.google.com/');
    },
  );

  it.skipIf(backend.skip)('gives the platform every event as it was sent: touches and referrers whole', async () => {
    const { body } = await getJson(`${live.url}/v1/events?anonymousId=${learner}`, bearer(tokens.platform));
    expect(body.events).toHaveLength(Object.keys(sent).length);
    for (const m of Object.values(sent)) {
      const e = byId(body.events, m);
      expect(e.context.attribution).toEqual(attribution);
      expect(e.properties.referrer).toBe((m.properties as { referrer: string }).referrer);
    }
  });
});

describe.each(backends)(
  "a Member reads no other Member's course in a referrer's query, fragment or path ($name)",
  (backend) => {
    const live = useCollector(backend);
    const learner = `hx-links-then-mitx-${backend.name}`;
    const lms = 'https://courses.edx.org';
    const from = (page: string, referrer: string) =>
      view(learner, mitCourse, `/learning/course/${mitCourse}/${page}`, referrer);
    const sent = {
      // (a) edX's enrolment and sign-in pages, reached from HarvardX's course: its key in their query.
      register: from(
        'home',
        `${lms}/register?course_id=course-v1%3AHarvardX%2BCS50%2B2026_T1&enrollment_action=enroll`,
      ),
      login: from('dates', `${lms}/login?next=%2Fcourses%2Fcourse-v1%3AHarvardX%2BCS50%2B2026_T1%2Fcourseware`),
      // (b) in the fragment.
      fragment: from('progress', `${lms}/#/courses/course-v1:HarvardX+CS50+2026_T1`),
      // ... and a user name and password (which browsers never send, but a client may).
      credentials: from('updates', 'https://learner:secret@www.google.com/search?q=harvardx+cs50'),
      // (c) an old key after `//courses`, and keys percent-encoded.
      doubleSlash: from('info', `${lms}//courses/HarvardX/CS50/2013/info`),
      encoded: from('about', `${site}/learning/course/course-v1%3AHarvardX%2BCS50%2B2026_T1/home`),
      encodedLegacy: from('course', `${lms}/courses/HarvardX%2FCS50%2F2013/info`),
      // (d) MITx's own page, with campaign parameters in other letter cases and a fragment.
      own: from(
        'outline',
        `${site}/learning/course/${mitCourse}/home?tab=2&next=%2Fcourses%2Fcourse-v1%3AHarvardX%2BCS50%2B2026%2Fprogress&UTM_Campaign=hx-cs50-retarget&Utm_Source=harvardx-newsletter&GCLID=abc#unit-2`,
      ),
    };
    const referrerOf = (events: Body[], m: Record<string, unknown>): unknown =>
      events.find((e) => e.messageId === m.messageId)?.properties.referrer;

    postBeforeAll(backend, live, sent);

    it.skipIf(backend.skip)(
      "gives a Member a referrer that is not one of its course pages as its origin and path only, none naming another's course",
      async () => {
        const { status, body } = await getJson(
          `${live.url}/v1/members/MITx/events?anonymousId=${learner}`,
          bearer(tokens.MITx),
        );
        expect(status).toBe(200);
        expect(body.events).toHaveLength(Object.keys(sent).length);
        expect(referrerOf(body.events, sent.register)).toBe(`${lms}/register`);
        expect(referrerOf(body.events, sent.login)).toBe(`${lms}/login`);
        expect(referrerOf(body.events, sent.fragment)).toBe(`${lms}/`);
        expect(referrerOf(body.events, sent.credentials)).toBe('https://www.google.com/search');
        for (const m of [sent.doubleSlash, sent.encoded, sent.encodedLegacy])
          expect(body.events.find((e: Body) => e.messageId === m.messageId).properties).not.toHaveProperty('referrer');
        expect(referrerOf(body.events, sent.own)).toBe(`${site}/learning/course/${mitCourse}/home`);
        // Nothing of HarvardX's course, nor of its campaign, anywhere in what MITx reads.
        expect(JSON.stringify(body.events)).not.toMatch(/harvardx|cs50|retarget|gclid|unit-2|secret/i);
      },
    );

    it.skipIf(backend.skip)('gives the platform these referrers whole', async () => {
      const { body } = await getJson(`${live.url}/v1/events?anonymousId=${learner}`, bearer(tokens.platform));
      for (const m of Object.values(sent))
        expect(referrerOf(body.events, m)).toBe((m.properties as { referrer: string }).referrer);
    });
  },
);
