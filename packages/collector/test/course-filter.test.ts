import { beforeAll, describe, expect, it } from 'vitest';
import { allGranted, backends, getJson, mid, postJson, testConfig, tokens, useCollector } from './helpers.js';

// HarvardX also owns one run under MITx's org (members' `courses`), as in course-ownership.test.ts.
// HarvardX also owns an org written with non-ASCII letters.
const members = [
  { id: 'HarvardX', orgs: ['HarvardX', 'UniversitéX'], courses: ['course-v1:MITx+Joint+2026'] },
  { id: 'MITx', orgs: ['MITx', 'MITxT'] },
];

/** A page view of a course, as sent: `id` as the client wrote it, `org` when the id names none. */
const view = (id: string, org?: string) => ({
  type: 'page',
  messageId: mid('course'),
  anonymousId: 'a',
  context: { consent: allGranted, course: { id, ...(org === undefined ? {} : { org }) } },
});

describe.each(backends)(
  'the courseId filter matches course keys as the collector does elsewhere ($name)',
  (backend) => {
    const { skip } = backend;
    const live = useCollector(backend, { config: { ...testConfig, members } });
    // One HarvardX run written every way a client may write it, and its near misses.
    const run = {
      canonical: view('course-v1:HarvardX+CS50+2026_T1'),
      lower: view('course-v1:harvardx+cs50+2026_t1'),
      upper: view('course-v1:HARVARDX+CS50+2026_T1'),
      legacy: view('HarvardX/CS50/2026_T1'),
      block: view('block-v1:HarvardX+CS50+2026_T1+type@problem+block@q1'),
    };
    const misses = {
      otherRun: view('course-v1:HarvardX+CS50+2026_T2'),
      longerRun: view('block-v1:HarvardX+CS50+2026_T10+type@problem+block@q1'),
      // `_` is a LIKE wildcard: a pattern match would take it for any character.
      wildcard: view('course-v1:HarvardX+CS50+2026xT1'),
      wildcardBlock: view('block-v1:HarvardX+CS50+2026xT1+type@problem+block@q1'),
    };
    // A Kelvin sign is a capital whose lower case is `k` (toLowerCase): the collector, as
    // @optin/members, owns `CS50\u212A` as the run `CS50K`, so a filter of that run finds both.
    const kelvinRun = view('course-v1:HarvardX+CS50K+2026_T1');
    const kelvinSign = view('course-v1:HarvardX+CS50\u212A+2026_T1', 'HarvardX');
    // A run with non-ASCII capitals, written every way, and the same letters without accents (another run).
    const accented = {
      canonical: view('course-v1:UniversitéX+ÉCONOMIE101+2026'),
      lower: view('course-v1:universitéx+économie101+2026'),
      legacy: view('UNIVERSITÉX/Économie101/2026'),
      block: view('block-v1:UniversitéX+ÉCONOMIE101+2026+type@problem+block@q1'),
    };
    const unaccented = view('course-v1:UniversitéX+ECONOMIE101+2026');
    // A letter outside the Basic Multilingual Plane (two UTF-16 units, one character to the database).
    const astralBlock = view('block-v1:HarvardX+\u{20000}101+2026+type@problem+block@q1');
    // MITx's run of the same name, the course in the task, and HarvardX's run under MITx's org.
    const mitSameName = view('course-v1:MITx+CS50+2026_T1');
    const mit600 = view('course-v1:MITx+6.00x+2T2026');
    const joint = view('course-v1:MITx+Joint+2026');
    const jointLower = view('course-v1:mitx+joint+2026');

    beforeAll(async () => {
      if (skip) return;
      const batch = [
        ...Object.values(run),
        ...Object.values(misses),
        kelvinRun,
        kelvinSign,
        ...Object.values(accented),
        unaccented,
        astralBlock,
        mitSameName,
        mit600,
        joint,
        jointLower,
      ];
      const res = await postJson(`${live.url}/v1/batch`, { batch });
      expect(res.body).toMatchObject({ accepted: batch.length, errors: [] });
    });

    const ids = async (member: 'HarvardX' | 'MITx' | null, courseId: string, encode = true) => {
      const value = encode ? encodeURIComponent(courseId) : courseId;
      const path = member === null ? '/v1/events' : `/v1/members/${member}/events`;
      const token = member === null ? tokens.platform : tokens[member];
      const res = await getJson(`${live.url}${path}?courseId=${value}&limit=1000`, {
        authorization: `Bearer ${token}`,
      });
      expect(res.status, courseId).toBe(200);
      return (res.body.events as { messageId: string }[]).map((e) => e.messageId);
    };
    const idsOf = (...messages: { messageId: string }[]) => messages.map((m) => m.messageId);

    it.skipIf(skip)('finds one course run in any letter case and any key form, and nothing else', async () => {
      const expected = idsOf(...Object.values(run));
      for (const filter of [
        'course-v1:HarvardX+CS50+2026_T1',
        'course-v1:harvardx+cs50+2026_t1',
        'course-v1:HARVARDX+cs50+2026_T1',
        'HarvardX/CS50/2026_T1',
        'harvardx/cs50/2026_t1',
        'block-v1:harvardx+CS50+2026_T1+type@video+block@v9',
      ]) {
        expect(await ids('HarvardX', filter), filter).toEqual(expected);
        expect(await ids(null, filter), filter).toEqual(expected);
      }
      // As pasted from a learner-visible URL, unencoded: each `+` read as a space is taken as `+`.
      expect(await ids('HarvardX', 'course-v1:harvardx+cs50+2026_t1', false)).toEqual(expected);
      expect(await ids('HarvardX', 'course-v1:HarvardX+CS50K+2026_T1')).toEqual(idsOf(kelvinRun, kelvinSign));
      expect(await ids('HarvardX', 'course-v1:HarvardX+CS50+2026_T10')).toEqual(idsOf(misses.longerRun));
    });

    it.skipIf(skip)(
      'letters of any script match in any letter case, as JavaScript lowers them, on every store',
      async () => {
        const expected = idsOf(...Object.values(accented));
        for (const filter of [
          'course-v1:UniversitéX+ÉCONOMIE101+2026',
          'course-v1:universitéx+économie101+2026',
          'course-v1:UNIVERSITÉX+ÉCONOMIE101+2026',
          'UniversitéX/économie101/2026',
          'block-v1:universitéx+Économie101+2026+type@video+block@v1',
        ]) {
          expect(await ids('HarvardX', filter), filter).toEqual(expected);
          expect(await ids(null, filter), filter).toEqual(expected);
        }
        expect(await ids('HarvardX', 'course-v1:universitéx+economie101+2026')).toEqual(idsOf(unaccented));
        expect(await ids('HarvardX', 'course-v1:HarvardX+\u{20000}101+2026')).toEqual(idsOf(astralBlock));
      },
    );

    it.skipIf(skip)(
      'the course of the task: course-v1:mitx+6.00x+2T2026 finds course-v1:MITx+6.00x+2T2026',
      async () => {
        expect(await ids('MITx', 'course-v1:mitx+6.00x+2T2026')).toEqual(idsOf(mit600));
        expect(await ids('MITx', 'course-v1:mitx+6.00x+2T2026', false)).toEqual(idsOf(mit600));
        expect(await ids('MITx', 'MITX/6.00X/2t2026')).toEqual(idsOf(mit600));
      },
    );

    it.skipIf(skip)("no letter case of a filter reads another Member's course", async () => {
      // HarvardX asks for MITx's run of the same name, in every case: its own scope holds none.
      for (const filter of ['course-v1:MITx+CS50+2026_T1', 'course-v1:mitx+cs50+2026_t1', 'MITX/CS50/2026_T1'])
        expect(await ids('HarvardX', filter), filter).toEqual([]);
      // And MITx never gets HarvardX's run, nor the run HarvardX owns under MITx's org, however written.
      for (const filter of [
        'course-v1:harvardx+cs50+2026_t1',
        'course-v1:MITx+Joint+2026',
        'course-v1:mitx+joint+2026',
        'COURSE-V1:MITX+JOINT+2026',
      ])
        expect(await ids('MITx', filter), filter).toEqual([]);
      // The run HarvardX owns under MITx's org is HarvardX's, in whatever case it was sent.
      expect(await ids('HarvardX', 'course-v1:MITX+JOINT+2026')).toEqual(idsOf(joint, jointLower));
      // Another Member's path, in any letter case, is still refused to a Member's token.
      for (const path of ['/v1/members/MITx/events', '/v1/members/mitx/events', '/v1/members/MITX/events']) {
        const res = await getJson(`${live.url}${path}?courseId=course-v1:mitx%2Bcs50%2B2026_t1`, {
          authorization: `Bearer ${tokens.HarvardX}`,
        });
        expect(res.status, path).toBe(403);
        expect(JSON.stringify(res.body), path).not.toContain('messageId');
      }
    });

    it.skipIf(skip)('a filter that is no course key still matches exactly, as before', async () => {
      // No Member's (a course id that is no key is none's, whatever its org), so the platform's.
      const odd = view('HarvardX-CS50-local', 'HarvardX');
      expect((await postJson(`${live.url}/v1/batch`, { batch: [odd] })).body.accepted).toBe(1);
      expect(await ids(null, 'HarvardX-CS50-local')).toEqual(idsOf(odd));
      expect(await ids(null, 'harvardx-cs50-local')).toEqual([]);
      expect(await ids('HarvardX', 'HarvardX-CS50-local')).toEqual([]);
    });
  },
);
