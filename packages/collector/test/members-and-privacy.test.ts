import { beforeAll, describe, expect, it } from 'vitest';
import type { ConsentReceipt } from '@optin/consent';
import {
  allGranted,
  backends,
  currentPolicy,
  getJson,
  mid,
  postJson,
  tokens,
  trackMessage,
  useCollector,
} from './helpers.js';

const chrome =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';
const bearer = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });
const receipt = (subject: string): ConsentReceipt => ({
  subject,
  consentId: mid('c'),
  policy: currentPolicy,
  purposes: { necessary: true, analytics: true, performance: false, functionality: true, marketing: false },
  members: { MITx: { analytics: false } },
  source: 'banner',
  decidedAt: new Date().toISOString(),
  gpc: false,
});

describe.each(backends)('Member queries, isolation, receipts and privacy ($name)', (backend) => {
  const { skip } = backend;
  const rawIp = '198.51.100.231';
  const rawIpv6 = '2001:db8:abcd:12:34:56:78:9a';
  // A Member's rates over one learner are read here: no minimum of learners (rates-min-learners.test.ts).
  const live = useCollector(backend, { trustedProxies: ['loopback'], minLearnersForRates: 0 });
  beforeAll(async () => {
    if (skip) return;
    const batch = [
      // learner-1 (the subject of the receipt below, signed in) on both Members' courses.
      ...Array.from({ length: 7 }, () => trackMessage('HarvardX', { userId: 'learner-1' })),
      ...Array.from({ length: 5 }, () => trackMessage('MITx', { userId: 'learner-1' })),
      {
        type: 'page',
        messageId: mid(),
        anonymousId: 'x',
        context: {
          consent: allGranted,
          course: { org: 'MITxT' },
          page: { path: '/mit', url: 'https://www.edx.org/mit' },
        },
      },
      {
        type: 'identify',
        messageId: mid(),
        userId: 'u1',
        traits: { country: 'FR' },
        context: { consent: allGranted, ip: rawIp },
      },
    ];
    expect(
      (await postJson(`${live.url}/v1/batch`, { batch }, { 'x-forwarded-for': rawIp, 'user-agent': chrome })).body
        .accepted,
    ).toBe(batch.length);
    expect(
      (
        await postJson(
          `${live.url}/v1/page`,
          { anonymousId: 'v6', messageId: mid(), context: { consent: allGranted } },
          { 'x-forwarded-for': rawIpv6 },
        )
      ).status,
    ).toBe(200);
    expect((await postJson(`${live.url}/v1/consent`, receipt('learner-1'), { 'x-forwarded-for': rawIp })).status).toBe(
      201,
    );
  });

  it.skipIf(skip)(
    "a Member token reads its own events, paginated by cursor, and the platform token reads any Member's",
    async () => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await getJson(
          `${live.url}/v1/members/HarvardX/events?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
          bearer(tokens.HarvardX),
        );
        expect(res.status).toBe(200);
        ids.push(
          ...(res.body.events as { messageId: string; memberId: string }[]).map(
            (e) => (expect(e.memberId).toBe('HarvardX'), e.messageId),
          ),
        );
        cursor = res.body.hasMore ? (res.body.nextCursor as string) : null;
      } while (cursor);
      expect(ids).toHaveLength(7);
      const mit = await getJson(`${live.url}/v1/members/MITx/events?type=page`, bearer(tokens.platform));
      expect(mit.status).toBe(200);
      expect(mit.body.events).toHaveLength(1);
      expect(mit.body.events[0].org).toBe('MITxT');
    },
  );

  it.skipIf(skip)("the platform token reads the whole platform: every Member's events and those of none", async () => {
    const ids: string[] = [];
    const members = new Set<string | null>();
    let cursor: string | null = null;
    do {
      const res = await getJson(
        `${live.url}/v1/events?limit=4${cursor ? `&cursor=${cursor}` : ''}`,
        bearer(tokens.platform),
      );
      expect(res.status).toBe(200);
      expect(res.body.member).toBeNull();
      for (const e of res.body.events as { messageId: string; memberId: string | null }[]) {
        ids.push(e.messageId);
        members.add(e.memberId);
      }
      cursor = res.body.hasMore ? (res.body.nextCursor as string) : null;
    } while (cursor);
    expect(ids).toHaveLength(15);
    expect(new Set(ids).size).toBe(15);
    expect([...members].sort()).toEqual(['HarvardX', 'MITx', null]);
    const identify = await getJson(`${live.url}/v1/events?type=identify`, bearer(tokens.platform));
    expect(identify.body.events).toMatchObject([{ type: 'identify', memberId: null, userId: 'u1' }]);
    const stats = await getJson(`${live.url}/v1/stats`, bearer(tokens.platform));
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({ member: null, clicks: 12 });
  });

  it.skipIf(skip)("a Member token gets 403 and no rows on another Member's endpoints, every one of them", async () => {
    const paths = [
      '/v1/members/MITx/events',
      '/v1/members/MITx/events?limit=1000',
      '/v1/members/MITx/events?type=track&courseId=course-v1:MITx+CS50+2026_T1',
      '/v1/members/MITx/events?cursor=czA',
      '/v1/members/MITx/stats',
      '/v1/members/MITx/stats?from=2020-01-01T00:00:00Z',
      '/v1/members/NoSuchMember/events',
      '/v1/members/NoSuchMember/stats',
      '/v1/consent/learner-1',
      '/v1/events',
      '/v1/events?type=identify',
      '/v1/stats',
    ];
    for (const path of paths) {
      const res = await getJson(`${live.url}${path}`, bearer(tokens.HarvardX));
      expect(res.status, path).toBe(403);
      expect(JSON.stringify(res.body), path).not.toMatch(/messageId|MITxT|learner-1|pageViews/);
      expect(Object.keys(res.body as object)).toEqual(['error']);
    }
    for (const path of [
      '/v1/members/HarvardX/events',
      '/v1/members/HarvardX/stats',
      '/v1/consent/learner-1',
      '/v1/events',
      '/v1/stats',
    ]) {
      expect((await getJson(`${live.url}${path}`)).status, path).toBe(401);
      expect((await getJson(`${live.url}${path}`, bearer('not-a-token'))).status, path).toBe(401);
    }
    expect((await getJson(`${live.url}/v1/members/NoSuchMember/events`, bearer(tokens.platform))).status).toBe(404);
  });

  it.skipIf(skip)('filters events by event name, course and time (to is exclusive), each on a 200', async () => {
    const course = (run: string) => `course-v1:HarvardX+Filters+${run}`;
    const played = (run: string, timestamp: string) =>
      trackMessage('HarvardX', {
        event: 'edx.video.played',
        timestamp,
        context: { consent: allGranted, course: { id: course(run) } },
      });
    const early = played('A', '2026-01-01T10:00:00.000Z');
    const otherCourse = played('B', '2026-01-01T10:00:00.000Z');
    const late = played('A', '2026-01-03T10:00:00.000Z');
    expect((await postJson(`${live.url}/v1/batch`, { batch: [early, otherCourse, late] })).body.accepted).toBe(3);
    const ids = async (query: string) => {
      const res = await getJson(`${live.url}/v1/members/HarvardX/events?${query}`, bearer(tokens.HarvardX));
      expect(res.status, query).toBe(200);
      return (res.body.events as { messageId: string }[]).map((e) => e.messageId);
    };
    expect(await ids('event=edx.video.played')).toEqual([early, otherCourse, late].map((m) => m.messageId));
    expect(await ids(`courseId=${encodeURIComponent(course('B'))}`)).toEqual([otherCourse.messageId]);
    expect(await ids(`event=edx.video.played&courseId=${encodeURIComponent(course('A'))}`)).toEqual(
      [early, late].map((m) => m.messageId),
    );
    expect(await ids(`event=edx.video.played&to=2026-01-03T10:00:00.000Z`)).toEqual(
      [early, otherCourse].map((m) => m.messageId),
    );
    expect(
      await ids(
        `event=edx.video.played&courseId=${encodeURIComponent(course('A'))}&from=2026-01-02T00:00:00Z&to=2026-01-04T00:00:00Z`,
      ),
    ).toEqual([late.messageId]);
    // As pasted, unencoded: the query string reads each `+` as a space.
    expect(await ids(`courseId=${course('B')}`)).toEqual([otherCourse.messageId]);
    expect(await ids(`courseId=${course('A')}&from=2026-01-02T01:00:00+01:00&to=2026-01-03T12:00:00+01:00`)).toEqual([
      late.messageId,
    ]);
    expect(await ids('event=edx.video.played+again')).toEqual([]);
  });

  it.skipIf(skip)('rejects bad queries with 400', async () => {
    for (const q of [
      'limit=0',
      'limit=abc',
      'from=yesterday',
      'cursor=***',
      'cursor=Zm9v',
      'unknown=1',
      'type=alias',
    ]) {
      expect((await getJson(`${live.url}/v1/members/HarvardX/events?${q}`, bearer(tokens.HarvardX))).status, q).toBe(
        400,
      );
    }
  });

  it.skipIf(skip)('answers Member stats with consent rates narrowed by Member overrides', async () => {
    const harvard = await getJson(`${live.url}/v1/members/HarvardX/stats`, bearer(tokens.HarvardX));
    expect(harvard.status).toBe(200);
    expect(harvard.body).toMatchObject({
      member: 'HarvardX',
      clicks: 7,
      consentRates: { analytics: { rate: 1 }, marketing: { rate: 0 } },
    });
    expect(harvard.body.consentRates.analytics).toEqual({ granted: 1, implied: 0, total: 1, rate: 1 });
    const mit = await getJson(`${live.url}/v1/members/MITx/stats`, bearer(tokens.MITx));
    expect(mit.body.consentRates.analytics).toEqual({ granted: 0, implied: 0, total: 1, rate: 0 });
    expect(mit.body.pageViewsPerDay[0].views).toBe(1);
    // The learner refused analytics to MITx only: the platform sees the plain grant.
    const platform = await getJson(`${live.url}/v1/stats`, bearer(tokens.platform));
    expect(platform.body.consentRates.analytics).toEqual({ granted: 1, implied: 0, total: 1, rate: 1 });
  });

  it.skipIf(skip)(
    'keeps consent receipts: append, latest for the platform token only, invalid ones refused',
    async () => {
      const second = { ...receipt('learner-1'), purposes: { ...receipt('learner-1').purposes, marketing: true } };
      expect((await postJson(`${live.url}/v1/consent`, second)).status).toBe(201);
      const latest = await getJson(`${live.url}/v1/consent/learner-1`, bearer(tokens.platform));
      expect(latest.status).toBe(200);
      expect(latest.body).toMatchObject({
        subject: 'learner-1',
        consentId: second.consentId,
        purposes: { marketing: true },
      });
      expect((await getJson(`${live.url}/v1/consent/nobody`, bearer(tokens.platform))).status).toBe(404);
      const bad = await postJson(`${live.url}/v1/consent`, { ...second, decidedAt: 'yesterday' });
      expect(bad.status).toBe(400);
      expect(bad.body.error.errors[0].path).toBe('decidedAt');
      expect(
        (await postJson(`${live.url}/v1/consent`, { ...second, policy: { id: 'acme', version: '1', hash: 'x' } }))
          .status,
      ).toBe(400);
    },
  );

  it.skipIf(skip)('stores no raw client IP anywhere (default configuration)', async () => {
    const raw = live.storage as unknown as { query(sql: string): Promise<Record<string, unknown>[]> };
    const dump = JSON.stringify([
      ...(await raw.query('SELECT * FROM events')),
      ...(await raw.query('SELECT * FROM consent_receipts')),
    ]);
    expect(dump).toContain('198.51.100.0');
    expect(dump).toContain('2001:db8:abcd::');
    expect(dump).not.toContain(rawIp);
    expect(dump).not.toContain('2001:db8:abcd:12');
  });

  it.skipIf(skip)('serves /healthz, /metrics and /openapi.json', async () => {
    const health = await getJson(`${live.url}/healthz`);
    expect(health).toMatchObject({ status: 200, body: { status: 'ok', sink: 'storage' } });
    const metrics = await (await fetch(`${live.url}/metrics`, { headers: bearer(tokens.metrics) })).text();
    expect(metrics).toMatch(/^optin_messages_accepted_total \d+$/m);
    expect(metrics).toMatch(
      /optin_http_request_duration_seconds_bucket\{route="\/v1\/batch",method="POST",status="200",le="\+Inf"\} \d+/,
    );
    const doc = await getJson(`${live.url}/openapi.json`);
    expect(doc.body.openapi).toBe('3.0.3');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/v1/batch', '/v1/track', '/v1/consent', '/v1/members/{member}/events']),
    );
    expect(doc.body.components.schemas.Track.properties.event).toMatchObject({ type: 'string', minLength: 1 });
    expect(doc.body.components.schemas.ConsentReceipt.required).toContain('decidedAt');
    // Generators and gateways see how /metrics is read, and what it answers otherwise.
    expect(doc.body.paths['/metrics'].get.security).toEqual([{ metricsBearer: [] }, { bearer: [] }]);
    expect(Object.keys(doc.body.paths['/metrics'].get.responses)).toEqual(['200', '401', '403']);
    expect(doc.body.components.securitySchemes.metricsBearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});
