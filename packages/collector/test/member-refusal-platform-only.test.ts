import { beforeAll, describe, expect, it } from 'vitest';
import type { ConsentReceipt } from '@optin/consent';
import { backends, currentPolicy, getJson, mid, postJson, tokens, useCollector } from './helpers.js';

const chrome =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';
const bearer = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });
const hxCourse = 'course-v1:HarvardX+CS50+2026_T1';
const hxCcx = 'ccx-v1:HarvardX+CS50+2026_T1+ccx@3';
const mitCourse = 'course-v1:MITx+6.00x+2026_T1';

/** What the learner chose: everything but marketing, and no analytics for HarvardX (only). */
const purposes = { necessary: true, analytics: true, performance: true, functionality: true, marketing: false };
const refusesHarvardX = { HarvardX: { analytics: false } };

const consentReceipt = (subject: string, members: ConsentReceipt['members']): ConsentReceipt => ({
  subject,
  consentId: mid('c'),
  policy: currentPolicy,
  purposes,
  members,
  source: 'preferences',
  decidedAt: new Date().toISOString(),
  gpc: false,
});

/** A message of `learner` about `course`, on a path of its own, with the learner's consent stamped. */
const about = (
  learner: string,
  course: string,
  members: Record<string, Record<string, boolean>>,
  message: Record<string, unknown>,
): Record<string, unknown> => ({
  messageId: mid(learner),
  anonymousId: learner,
  timestamp: new Date().toISOString(),
  ...message,
  context: {
    consent: { policy: 'edx', categoryPreferences: purposes, members },
    course: { id: course },
    page: { path: `/learning/course/${course}/home/${learner}`, url: `https://learning.edx.org/${course}` },
    ...(message.context as object | undefined),
  },
});
const page = (learner: string, course: string, members: Record<string, Record<string, boolean>> = refusesHarvardX) =>
  about(learner, course, members, { type: 'page', name: 'Course home' });
const click = (learner: string, course: string, members: Record<string, Record<string, boolean>> = refusesHarvardX) =>
  about(learner, course, members, { type: 'track', event: 'edx.ui.lms.link_clicked', properties: {} });

describe.each(backends)("a learner's refusal to one Member leaves edX's own events ($name)", (backend) => {
  const { skip } = backend;
  // Rates over a learner or two are read here: no minimum of learners (rates-min-learners.test.ts).
  const live = useCollector(backend, { minLearnersForRates: 0 });
  const refuser = `hx-refuser-${backend.name}`;
  const granter = `hx-granter-${backend.name}`;
  const sent = {
    hxPage: page(refuser, hxCourse),
    hxClick: click(refuser, hxCourse),
    ccxPage: page(refuser, hxCcx),
    mitPage: page(refuser, mitCourse),
    granterPage: page(granter, hxCourse, {}),
  };
  let answer: { status: number; body: { accepted: number; dropped: unknown[] } };
  let before: { platformOnly: number; dropped: number };

  beforeAll(async () => {
    if (skip) return;
    before = {
      platformOnly: live.collector.metrics.value('platform_only', { member: 'HarvardX', purpose: 'analytics' }),
      dropped: live.collector.metrics.value('dropped_consent', { reason: 'purpose_refused', purpose: 'analytics' }),
    };
    for (const [subject, members] of [
      [refuser, refusesHarvardX],
      [granter, {}],
    ] as const)
      expect((await postJson(`${live.url}/v1/consent`, consentReceipt(subject, members))).status).toBe(201);
    // A person's browser: stats count no bot.
    answer = await postJson(`${live.url}/v1/batch`, { batch: Object.values(sent) }, { 'user-agent': chrome });
  });

  it.skipIf(skip)(
    'stores the page views and clicks of its courses for the platform alone, and counts them in /metrics',
    async () => {
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ accepted: 5, dropped: [] });
      expect(live.collector.metrics.value('platform_only', { member: 'HarvardX', purpose: 'analytics' })).toBe(
        before.platformOnly + 3,
      );
      expect(live.collector.metrics.value('dropped_consent', { reason: 'purpose_refused', purpose: 'analytics' })).toBe(
        before.dropped,
      );
      expect(live.collector.metrics.render()).toMatch(
        /optin_messages_platform_only_total\{member="HarvardX",purpose="analytics"\} 3/,
      );
      const platform = await getJson(
        `${live.url}/v1/events?anonymousId=${refuser}&limit=1000`,
        bearer(tokens.platform),
      );
      const byId = new Map(
        (platform.body.events as { messageId: string; memberId: string | null; courseId: string }[]).map((e) => [
          e.messageId,
          e,
        ]),
      );
      expect(byId.get(sent.hxPage.messageId as string)).toMatchObject({ memberId: null, courseId: hxCourse });
      expect(byId.get(sent.hxClick.messageId as string)).toMatchObject({ memberId: null, courseId: hxCourse });
      expect(byId.get(sent.ccxPage.messageId as string)).toMatchObject({ memberId: null, courseId: hxCcx });
      // Another Member's course: attributed to it as ever.
      expect(byId.get(sent.mitPage.messageId as string)).toMatchObject({ memberId: 'MITx', courseId: mitCourse });
      // The platform finds them by course too.
      const course = await getJson(`${live.url}/v1/events?courseId=${hxCourse}&limit=1000`, bearer(tokens.platform));
      expect((course.body.events as { messageId: string }[]).map((e) => e.messageId).sort()).toEqual(
        [sent.hxPage, sent.hxClick, sent.granterPage].map((m) => m.messageId).sort(),
      );
    },
  );

  it.skipIf(skip)(
    'never returns them to the Member: not in its events, by course, learner or cursor, with either token',
    async () => {
      const refuserIds = new Set([sent.hxPage, sent.hxClick, sent.ccxPage].map((m) => m.messageId));
      for (const token of [tokens.HarvardX, tokens.platform]) {
        for (const query of [
          `anonymousId=${refuser}`,
          `courseId=${hxCourse}`,
          `courseId=${encodeURIComponent(hxCcx)}`,
          'type=page',
          'type=track&event=edx.ui.lms.link_clicked',
          '',
        ]) {
          // One event a page, by cursor, to the end: no page, count or cursor reveals them.
          const seen: { messageId: string; memberId: string; anonymousId: string }[] = [];
          let cursor: string | null = null;
          let pages = 0;
          do {
            const res = await getJson(
              `${live.url}/v1/members/HarvardX/events?limit=1&${query}${cursor ? `&cursor=${cursor}` : ''}`,
              bearer(token),
            );
            expect(res.status).toBe(200);
            seen.push(...(res.body.events as typeof seen));
            cursor = res.body.hasMore ? (res.body.nextCursor as string) : null;
            pages++;
          } while (cursor);
          expect(seen.filter((e) => refuserIds.has(e.messageId) || e.anonymousId === refuser)).toEqual([]);
          expect(seen.every((e) => e.memberId === 'HarvardX')).toBe(true);
          if (query === `courseId=${hxCourse}`) {
            expect(seen.map((e) => e.messageId)).toEqual([sent.granterPage.messageId]);
            expect(pages).toBe(1);
          }
        }
      }
      const mit = await getJson(`${live.url}/v1/members/MITx/events?anonymousId=${refuser}`, bearer(tokens.MITx));
      expect((mit.body.events as { messageId: string }[]).map((e) => e.messageId)).toEqual([sent.mitPage.messageId]);
    },
  );

  it.skipIf(skip)(
    "counts them in the platform's stats, never in the Member's page views or clicks; its rates count the refuser",
    async () => {
      const refuserPath = `/learning/course/${hxCourse}/home/${refuser}`;
      const member = await getJson(`${live.url}/v1/members/HarvardX/stats`, bearer(tokens.HarvardX));
      expect(member.status).toBe(200);
      const views = (member.body.pageViewsPerDay as { views: number }[]).reduce((n, d) => n + d.views, 0);
      expect(views).toBe(1);
      expect((member.body.topPages as { path: string }[]).map((p) => p.path)).toEqual([
        `/learning/course/${hxCourse}/home/${granter}`,
      ]);
      expect(member.body.clicks).toBe(0);
      // The refuser, seen on HarvardX's courses through edX's own events only, is one of its learners
      // all the same (in the aggregate only): one who does not grant it analytics.
      expect(member.body.consentRates.analytics).toEqual({ granted: 1, implied: 0, total: 2, rate: 0.5 });
      const platform = await getJson(`${live.url}/v1/stats`, bearer(tokens.platform));
      expect((platform.body.topPages as { path: string }[]).map((p) => p.path)).toContain(refuserPath);
      expect(platform.body.clicks).toBe(1);
      expect((platform.body.pageViewsPerDay as { views: number }[]).reduce((n, d) => n + d.views, 0)).toBe(4);
    },
  );

  it.skipIf(skip)('drops a message the platform-wide choice refuses, whatever the Member overrides say', async () => {
    const refusedEverywhere = about(refuser, hxCourse, refusesHarvardX, { type: 'page' });
    (refusedEverywhere.context as { consent: { categoryPreferences: object } }).consent.categoryPreferences = {
      ...purposes,
      analytics: false,
    };
    const res = await postJson(`${live.url}/v1/page`, refusedEverywhere);
    expect(res.body).toMatchObject({
      accepted: 0,
      dropped: [{ index: 0, reason: 'purpose_refused', purpose: 'analytics' }],
    });
    expect((await live.storage.hasEvents([refusedEverywhere.messageId as string])).size).toBe(0);
  });

  it.skipIf(skip)(
    "reads an event stored for the platform alone with the platform's consent: its advertising id as edX's marketing grant says",
    async () => {
      const device = { advertisingId: '38400000-8cf0-11bd-b23e-10b96e40000d', model: 'Pixel 8' };
      const screen = (categoryPreferences: Record<string, boolean>) =>
        about(
          refuser,
          hxCourse,
          { HarvardX: { analytics: false, marketing: false } },
          {
            type: 'screen',
            name: 'Course outline',
            context: {
              device,
              consent: { categoryPreferences, members: { HarvardX: { analytics: false, marketing: false } } },
            },
          },
        );
      const withMarketing = screen({ ...purposes, marketing: true });
      const without = screen(purposes);
      expect((await postJson(`${live.url}/v1/batch`, { batch: [withMarketing, without] })).body).toMatchObject({
        accepted: 2,
        dropped: [],
      });
      const res = await getJson(`${live.url}/v1/events?type=screen&anonymousId=${refuser}`, bearer(tokens.platform));
      const deviceOf = (m: Record<string, unknown>) =>
        (res.body.events as { messageId: string; memberId: string | null; context: { device?: unknown } }[]).find(
          (e) => e.messageId === m.messageId && e.memberId === null,
        )?.context.device;
      expect(deviceOf(withMarketing)).toEqual(device);
      expect(deviceOf(without)).toEqual({ model: 'Pixel 8' });
    },
  );
});
