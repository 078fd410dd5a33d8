import { describe, expect, it } from 'vitest';
import { allGranted, backends, getJson, mid, postJson, tokens, useCollector, type Body } from './helpers.js';

const bearer = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });
const hxCourse = 'course-v1:HarvardX+CS50+2026_T1';
const hxPage = `/courses/${hxCourse}/courseware`;
const mitSecret = 'course-v1:MITx+Secret+2026';

/** A page view of HarvardX's course whose stored path is `path`. */
const view = (path: string): Record<string, unknown> => ({
  type: 'page',
  messageId: mid('pages'),
  anonymousId: 'pages-learner',
  context: {
    consent: allGranted,
    course: { id: hxCourse },
    page: { path, url: `https://learning.edx.org${path}` },
  },
});

describe.each(backends)("a Member's queries read its events only as it is given them ($name)", (backend) => {
  const { skip } = backend;
  const live = useCollector(backend);

  it.skipIf(skip)(
    "counts a Member's top pages by their paths as its events give them: no query, no other Member's course",
    async () => {
      const batch = [
        view(`${hxPage}?token=secret-1`),
        view(`${hxPage}?token=secret-2`),
        view(hxPage),
        view(`${hxPage}#unit-2`),
        view(`/courses/${mitSecret}/courseware?from=course-v1:MITx+Other+2026`),
        view(`/courses/${mitSecret}/courseware`),
        view('/courses/course-v1:Nobody+Hidden+2026/about'),
        view('/dashboard?next=course-v1:MITx+Other+2026'),
      ];
      // (From a browser: a bot's page views are none of the stats.)
      const browser = { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0 Safari/537.36' };
      expect((await postJson(`${live.url}/v1/batch`, { batch }, browser)).body).toMatchObject({
        accepted: batch.length,
      });
      // (Read once they are settled, as a page of events is.)
      await getJson(`${live.url}/v1/events?limit=1`, bearer(tokens.platform));
      const member = await getJson(`${live.url}/v1/members/HarvardX/stats`, bearer(tokens.HarvardX));
      expect(member.status).toBe(200);
      expect(member.body.topPages).toEqual([
        { path: hxPage, views: 4 },
        { path: '/dashboard', views: 1 },
      ]);
      expect(JSON.stringify(member.body)).not.toMatch(/secret|MITx|Nobody|Hidden|token/i);
      // The platform reads its stored paths as they are.
      const platform = await getJson(`${live.url}/v1/stats`, bearer(tokens.platform));
      expect((platform.body.topPages as { path: string }[]).map((p) => p.path)).toContain(
        `/courses/${mitSecret}/courseware`,
      );
    },
  );

  it.skipIf(skip)(
    'refuses a Member an event filter naming a name its events never give, so no hidden name is confirmed',
    async () => {
      const hidden = `/courses/${mitSecret}/xblock/handler`;
      const track = (event: string) => ({
        type: 'track',
        event,
        messageId: mid('names'),
        anonymousId: 'names-learner',
        context: { consent: allGranted, course: { id: hxCourse } },
      });
      const batch = [track(hidden), track('problem_check MITx/Secret/2026'), track('edx.ui.lms.link_clicked')];
      expect((await postJson(`${live.url}/v1/batch`, { batch })).body).toMatchObject({ accepted: batch.length });
      const filtered = (name: string, token = tokens.HarvardX, member = 'members/HarvardX/') =>
        getJson(`${live.url}/v1/${member}events?limit=1000&event=${encodeURIComponent(name)}`, bearer(token));
      for (const guess of [
        hidden,
        '/courses/course-v1:MITx+Nothing+2026/xblock/handler',
        'problem_check MITx/Secret/2026',
      ]) {
        const res = await filtered(guess);
        expect(res.status, guess).toBe(400);
        expect(res.body.error.code).toBe('invalid_query');
        expect(res.body.error.message).toMatch(/^event: .*\[course\].*; filter on/);
      }
      // A name a Member's events give as it is filters as before.
      const own = await filtered('edx.ui.lms.link_clicked');
      expect(own.status).toBe(200);
      expect((own.body.events as Body[]).map((e) => e.event)).toEqual(['edx.ui.lms.link_clicked']);
      // The platform filters on stored names.
      const platform = await filtered(hidden, tokens.platform, '');
      expect(platform.status).toBe(200);
      expect((platform.body.events as Body[]).map((e) => e.event)).toEqual([hidden]);
    },
  );
});
