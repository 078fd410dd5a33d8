import { describe, expect, it } from 'vitest';
import { allGranted, backends, getJson, mid, postJson, tokens, useCollector, type Body } from './helpers.js';
import { byId, postBeforeAll } from './sent-batch.js';

const bearer = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });
const lms = 'https://courses.edx.org';
const mitCourse = 'course-v1:MITx+6.00x+2026_T1';
const hxCourse = 'course-v1:HarvardX+CS50+2026_T1';
const hxUnit = `${lms}/courses/${hxCourse}/courseware/unit3?utm_source=hx-newsletter&token=abc`;

/** A page view of `course` by `learner`, with what a client adds to `properties` and `context`. */
const view = (
  learner: string,
  course: string,
  properties: Record<string, unknown> = {},
  context: Record<string, unknown> = {},
): Record<string, unknown> => {
  const path = `/courses/${course}/courseware`;
  return {
    type: 'page',
    messageId: mid(learner),
    anonymousId: learner,
    properties: { path, url: `${lms}${path}`, ...properties },
    context: {
      consent: allGranted,
      course: { id: course },
      page: { path, url: `${lms}${path}`, title: 'Week 1' },
      ...context,
    },
  };
};

describe.each(backends)("a Member reads nothing of other Members' pages in the event's context ($name)", (backend) => {
  const live = useCollector(backend);
  const learner = `scope-${backend.name}`;
  const rudderProperties = {
    // What RudderStack's page() adds to every page view: the learner's first arrival on the site.
    initial_referrer: hxUnit,
    initial_referring_domain: 'courses.edx.org',
    $initial_referrer: hxUnit,
    $initial_referring_domain: 'courses.edx.org',
    referring_domain: 'courses.edx.org',
    referrer: hxUnit,
    title: 'Week 1',
  };
  const nativeContext = {
    locale: 'en-US',
    timezone: 'Europe/Paris',
    library: { name: 'analytics-kotlin', version: '1.16.0' },
    app: { name: 'edX', version: '5.1.2', build: '512', namespace: 'org.edx.mobile' },
    os: { name: 'Android', version: '14' },
    device: { model: 'Pixel 8', manufacturer: 'Google', type: 'android', token: 'push-token-of-ada' },
    screen: { width: 1080, height: 2400, density: 2.625 },
  };
  const sent = {
    fromHx: view(learner, mitCourse, rudderProperties, {
      // The Segment spec's context.referrer, and RudderStack's copy of the identify traits on every event.
      referrer: { type: 'link', name: 'HarvardX CS50 unit 3', url: hxUnit, link: hxUnit },
      traits: { email: 'ada@example.org', name: 'Ada' },
      network: { carrier: 'Orange', wifi: true },
      ...nativeContext,
    }),
    // A first arrival on MITx's own course: its origin and path are MITx's.
    ownFirstTouch: view(learner, mitCourse, {
      initial_referrer: `${lms}/courses/${mitCourse}/about?utm_source=mitx-newsletter`,
    }),
    // A first arrival from a search engine: the platform's first touch.
    searchFirstTouch: view(learner, mitCourse, { initial_referrer: 'https://www.google.com/search?q=cs50' }),
  };
  const mitxEvents = async (): Promise<Body[]> => {
    const { status, body } = await getJson(
      `${live.url}/v1/members/MITx/events?anonymousId=${learner}&limit=1000`,
      bearer(tokens.MITx),
    );
    expect(status).toBe(200);
    return body.events;
  };

  postBeforeAll(backend, live, sent);

  it.skipIf(backend.skip)(
    'gives a Member no context.referrer, no identify traits and no other key of context it was not meant to read',
    async () => {
      const event = byId(await mitxEvents(), sent.fromHx);
      expect(JSON.stringify(event)).not.toMatch(/HarvardX|hx-newsletter|ada@example\.org|push-token|Orange/);
      expect(Object.keys(event.context).sort()).toEqual(
        ['app', 'device', 'library', 'locale', 'os', 'page', 'screen', 'timezone'].sort(),
      );
      // What a Member reads of the device and the app, as the client sent it (no push token).
      expect(event.context).toEqual({
        ...nativeContext,
        page: { title: 'Week 1' },
        device: { model: 'Pixel 8', manufacturer: 'Google', type: 'android' },
      });
    },
  );

  it.skipIf(backend.skip)(
    'gives a Member a referrer-like property only as properties.referrer, and a first arrival only on its own course',
    async () => {
      const events = await mitxEvents();
      expect(byId(events, sent.fromHx).properties).toEqual({
        path: `/courses/${mitCourse}/courseware`,
        url: `${lms}/courses/${mitCourse}/courseware`,
        title: 'Week 1',
      });
      expect(byId(events, sent.ownFirstTouch).properties.initial_referrer).toBe(`${lms}/courses/${mitCourse}/about`);
      expect(byId(events, sent.searchFirstTouch).properties).not.toHaveProperty('initial_referrer');
    },
  );

  it.skipIf(backend.skip)('gives the platform every event as it was sent', async () => {
    const { body } = await getJson(`${live.url}/v1/events?anonymousId=${learner}`, bearer(tokens.platform));
    const event = byId(body.events, sent.fromHx);
    expect(event.properties).toMatchObject(rudderProperties);
    expect(event.context).toMatchObject({
      referrer: { url: hxUnit },
      traits: { email: 'ada@example.org' },
      device: { token: 'push-token-of-ada' },
    });
  });
});

describe.each(backends)("a Member reads no count of a session's events elsewhere ($name)", (backend) => {
  const live = useCollector(backend);
  const learner = `session-${backend.name}`;
  const session = (seq: number, course: string) => view(learner, course, {}, { session: { id: `s-${learner}`, seq } });

  it.skipIf(backend.skip)(
    "gives a Member no session position: between its pages, the learner's others are none of its business",
    async () => {
      const batch = [
        session(1, mitCourse),
        ...[2, 3, 4, 5, 6, 7, 8].map((n) => session(n, hxCourse)),
        session(9, mitCourse),
      ];
      expect((await postJson(`${live.url}/v1/batch`, { batch })).body).toMatchObject({ accepted: 9 });
      const { body } = await getJson(`${live.url}/v1/members/MITx/events?anonymousId=${learner}`, bearer(tokens.MITx));
      // Nor its id: one session across the Member's silence says the learner was active elsewhere.
      expect(body.events.map((e: Body) => [e.sessionId, e.sessionSeq])).toEqual([
        [null, null],
        [null, null],
      ]);
      const platform = await getJson(`${live.url}/v1/events?anonymousId=${learner}`, bearer(tokens.platform));
      expect(platform.body.events.map((e: Body) => e.sessionSeq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    },
  );
});

describe.each(backends)('a referrer read as Django reads its path, whole path decoded ($name)', (backend) => {
  const live = useCollector(backend);
  const learner = `django-${backend.name}`;
  const sent = {
    // HarvardX's course wiki to the LMS (whose router decodes the whole path first), with MITx's key after it.
    wiki: view(learner, mitCourse, {
      referrer: `${lms}/courses/course-v1:HarvardX+CS50+2026_T1%2Fwiki/course-v1:MITx+6.00x+2026_T1/`,
    }),
    // An old HarvardX course key, two of its slashes written %2F.
    legacy: view(learner, mitCourse, { referrer: `${lms}/courses/HarvardX%2FCS50/2013/info` }),
    // MITx's own wiki, written so: its own.
    own: view(learner, mitCourse, { referrer: `${lms}/courses/course-v1:MITx+6.00x+2026_T1%2Fwiki/?q=1` }),
  };

  it.skipIf(backend.skip)("gives no referrer that either reading makes another Member's course page", async () => {
    expect((await postJson(`${live.url}/v1/batch`, { batch: Object.values(sent) })).body).toMatchObject({
      accepted: 3,
    });
    const { body } = await getJson(`${live.url}/v1/members/MITx/events?anonymousId=${learner}`, bearer(tokens.MITx));
    const byId = (m: Record<string, unknown>): Body => body.events.find((e: Body) => e.messageId === m.messageId);
    expect(byId(sent.wiki).properties).not.toHaveProperty('referrer');
    expect(byId(sent.legacy).properties).not.toHaveProperty('referrer');
    expect(byId(sent.own).properties.referrer).toBe(`${lms}/courses/course-v1:MITx+6.00x+2026_T1%2Fwiki/`);
  });
});

describe.each(backends)(
  "a referrer at any depth, and a previous page's URL under any of its names ($name)",
  (backend) => {
    const live = useCollector(backend);
    const learner = `nested-${backend.name}`;
    const own = `${lms}/courses/${mitCourse}/about?utm_source=mitx-newsletter#top`;
    const ownReduced = `${lms}/courses/${mitCourse}/about`;
    const previousPage = {
      previous_url: hxUnit,
      prev_url: hxUnit,
      from_url: hxUnit,
      source_url: hxUnit,
      last_page: hxUnit,
      previousUrl: hxUnit,
    };
    const sent = {
      // Segment's page properties nested as a client sent them, edX's context_info, a history of pages.
      fromHx: view(learner, mitCourse, {
        page: { referrer: hxUnit, title: 'Week 1' },
        context_info: { initial_referrer: hxUnit, referrer: hxUnit, user_id: 7 },
        history: [{ referrer: hxUnit, step: 1 }, { previous_url: hxUnit, step: 2 }, 'kept'],
        ...previousPage,
      }),
      // The same names naming MITx's own pages: their origin and path.
      own: view(learner, mitCourse, {
        page: { referrer: own },
        context_info: { initial_referrer: own },
        history: [{ referrer: own }],
        ...Object.fromEntries(Object.keys(previousPage).map((key) => [key, own])),
      }),
      // A first arrival from a search engine, nested: the platform's first touch.
      search: view(learner, mitCourse, {
        context_info: {
          initial_referrer: 'https://www.google.com/search?q=cs50',
          referrer: 'https://www.google.com/search?q=cs50',
        },
      }),
    };
    const mitxEvents = async (): Promise<Body[]> => {
      const { body } = await getJson(
        `${live.url}/v1/members/MITx/events?anonymousId=${learner}&limit=1000`,
        bearer(tokens.MITx),
      );
      return body.events;
    };

    postBeforeAll(backend, live, sent);

    it.skipIf(backend.skip)(
      "gives a Member no other Member's page nested in properties or as the previous page",
      async () => {
        const event = byId(await mitxEvents(), sent.fromHx);
        expect(JSON.stringify(event)).not.toMatch(/HarvardX|hx-newsletter/);
        expect(event.properties).toEqual({
          path: `/courses/${mitCourse}/courseware`,
          url: `${lms}/courses/${mitCourse}/courseware`,
          page: { title: 'Week 1' },
          context_info: { user_id: 7 },
          history: [{ step: 1 }, { step: 2 }, 'kept'],
        });
      },
    );

    it.skipIf(backend.skip)('gives a Member its own pages at any depth, origin and path only', async () => {
      const events = await mitxEvents();
      expect(byId(events, sent.own).properties).toEqual({
        path: `/courses/${mitCourse}/courseware`,
        url: `${lms}/courses/${mitCourse}/courseware`,
        page: { referrer: ownReduced },
        context_info: { initial_referrer: ownReduced },
        history: [{ referrer: ownReduced }],
        ...Object.fromEntries(Object.keys(previousPage).map((key) => [key, ownReduced])),
      });
      expect(byId(events, sent.search).properties.context_info).toEqual({ referrer: 'https://www.google.com/search' });
    });

    it.skipIf(backend.skip)('gives the platform every nested referrer as it was sent', async () => {
      const { body } = await getJson(`${live.url}/v1/events?anonymousId=${learner}`, bearer(tokens.platform));
      expect(byId(body.events, sent.fromHx).properties).toMatchObject({
        page: { referrer: hxUnit },
        context_info: { initial_referrer: hxUnit },
        history: [{ referrer: hxUnit }, { previous_url: hxUnit }, 'kept'],
        ...previousPage,
      });
    });
  },
);

describe.each(backends)(
  "a Member reads no other Member's page under a name the collector does not know, nor in its own URL's query ($name)",
  (backend) => {
    const live = useCollector(backend);
    const learner = `values-${backend.name}`;
    const path = `/courses/${mitCourse}/courseware`;
    const from = `?from=${encodeURIComponent(hxUnit)}`;
    const sent = {
      plural: view(learner, mitCourse, { previous_urls: [hxUnit] }),
      referral: view(learner, mitCourse, { referral_url: hxUnit }),
      spaced: view(learner, mitCourse, { 'Previous Page': hxUnit }),
      nested: view(learner, mitCourse, { previous: { url: hxUnit } }),
      json: view(learner, mitCourse, { page: JSON.stringify({ referrer: hxUnit }) }),
      madeUp: view(learner, mitCourse, { came_in_by: hxUnit }),
      firstReferrer: view(learner, mitCourse, { first_referrer: 'https://www.google.com/search?q=cs50' }),
      landing: view(learner, mitCourse, { landing_page: hxUnit }),
      pageQuery: view(
        learner,
        mitCourse,
        { url: `${lms}${path}${from}` },
        { page: { path, url: `${lms}${path}${from}`, title: 'Week 1' } },
      ),
    };
    postBeforeAll(backend, live, sent);

    it.skipIf(backend.skip)('leaves those out, and gives the page URL without that query', async () => {
      const { body } = await getJson(
        `${live.url}/v1/members/MITx/events?anonymousId=${learner}&limit=1000`,
        bearer(tokens.MITx),
      );
      for (const message of Object.values(sent)) {
        const event = byId(body.events, message);
        expect(event, String(message.messageId)).toBeDefined();
        expect(JSON.stringify(event)).not.toMatch(/HarvardX|hx-newsletter|google/);
        expect(event.properties).toMatchObject({ path, url: `${lms}${path}` });
        expect(event.url).toBe(`${lms}${path}`);
      }
    });
  },
);
