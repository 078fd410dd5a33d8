import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, connect, nanos, type StreamConfig } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collector } from '../src/collector.js';
import { createJetStreamLoader, loaderMaxDeliver, type Loader, type LoaderRefusal } from '../src/jetstream-loader.js';
import { jetStreamSink } from '../src/jetstream-sink.js';
import { PostgresStorage } from '../src/postgres-storage.js';
import type { StoredEvent } from '../src/stored-event.js';
import { bundleCli, runCli, startCli } from './cli-bundle.js';
import {
  allGranted,
  backends,
  getJson,
  postgresUrl,
  postJson,
  startCollector,
  storedEvent,
  testConfig,
  trackMessage,
  type TestStore,
} from './helpers.js';
import { deleteStream, jetStreamAvailable, lastMessage, natsUrl } from './nats-helpers.js';
import { TcpProxy } from './tcp-proxy.js';

const available = await jetStreamAvailable();
if (!available)
  console.warn(`[collector tests] NATS JetStream is not reachable at ${natsUrl}: the JetStream tests are skipped`);
const postgres = backends.find((b) => b.name === 'postgres')!;

describe.skipIf(!available || postgres.skip)('NATS JetStream sink and loader into PostgreSQL', () => {
  const run = randomBytes(4).toString('hex');
  const stream = `OPTIN_TEST_${run}`;
  const subjectPrefix = `optin_test_${run}.events`;
  let store: TestStore;
  let collector: Collector;
  let url: string;
  let loader: Loader;

  beforeAll(async () => {
    await bundleCli();
    store = postgres.open();
    const sink = await jetStreamSink({ url: natsUrl, stream, subjectPrefix, members: testConfig.members });
    ({ collector, url } = await startCollector(store.storage, { sink }));
    loader = await createJetStreamLoader({
      url: natsUrl,
      stream,
      subjectPrefix,
      storage: store.storage,
      durable: `loader_${run}`,
    });
  });
  afterAll(async () => {
    await loader.close();
    await collector.close();
    await deleteStream(stream);
    await store.dispose();
  });

  it('answers 2xx after the JetStream ack; the loader drains into PostgreSQL exactly once', async () => {
    const batch = [
      ...Array.from({ length: 30 }, () => trackMessage('HarvardX')),
      trackMessage('MITx'),
      trackMessage('NotAMember'),
    ];
    const res = await postJson(`${url}/v1/batch`, { batch });
    expect(res.body).toMatchObject({ accepted: 32, duplicates: 0 });
    expect((await store.storage.counts()).events).toBe(0);

    const retry = await postJson(`${url}/v1/batch`, { batch: batch.slice(0, 5) });
    expect(retry.body).toMatchObject({ accepted: 0, duplicates: 5 });

    expect(await loader.drain()).toBe(32);
    const ids = batch.map((m) => m.messageId as string);
    expect((await store.storage.hasEvents(ids)).size).toBe(32);
    expect(await loader.drain()).toBe(0);
    expect((await store.storage.counts()).events).toBe(32);
  });

  it('takes any valid messageId (CR, LF, tab, spaces, %, non-ASCII), dedupes its retries, and loads it as sent', async () => {
    const time = '2026-11-20T10:00:00.000Z';
    const ids = ['crlf\r\nX-Evil: 1', 'tab\tid', ' spaced ', 'per%20cent', 'per cent', 'dé-ü 😀', 'same'];
    const messages = ids.map((messageId) => trackMessage('HarvardX', { messageId, timestamp: time }));
    const first = await Promise.all(messages.map((m) => postJson(`${url}/v1/track`, m)));
    expect(first.map((r) => [r.status, r.body.accepted])).toEqual(messages.map(() => [200, 1]));
    // Retries: as sent, stamped anew, or without a stamp.
    const retries = await Promise.all(
      messages.flatMap((m) => [
        postJson(`${url}/v1/track`, m),
        postJson(`${url}/v1/track`, { ...m, timestamp: new Date().toISOString() }),
        postJson(`${url}/v1/track`, { ...m, timestamp: undefined }),
      ]),
    );
    expect(retries.map((r) => [r.status, r.body.duplicates])).toEqual(retries.map(() => [200, 1]));
    expect(await loader.drain()).toBe(messages.length);
    expect([...(await store.storage.hasEvents(ids))].sort()).toEqual([...ids].sort());
  });

  it('publishes on one subject per Member', async () => {
    const nc = await connect({ servers: natsUrl });
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(stream, { subjects_filter: '>' });
    await nc.close();
    // A Member's events as it is given them on its own; as stored (the loader's) under `_platform`.
    expect(Object.keys(info.state.subjects ?? {}).sort()).toEqual(
      [
        `${subjectPrefix}.HarvardX`,
        `${subjectPrefix}.MITx`,
        `${subjectPrefix}._platform`,
        `${subjectPrefix}._platform.HarvardX`,
        `${subjectPrefix}._platform.MITx`,
      ].sort(),
    );
  });

  it("publishes a Member's page view on its subject without the platform's touches or another Member's referrer, and loads it whole", async () => {
    const learner = `from-harvardx-${run}`;
    const touch = {
      utm_source: 'harvardx-newsletter',
      utm_campaign: 'hx-cs50-retarget',
      class: 'email',
      at: '2026-11-30T10:00:00.000Z',
    };
    const referrer = 'https://www.edx.org/learning/course/course-v1:HarvardX+CS50+2026_T1/home';
    const page = {
      path: '/learning/course/course-v1:MITx+6.00x+2026_T1/home',
      url: 'https://www.edx.org/learning/course/course-v1:MITx+6.00x+2026_T1/home',
      referrer,
    };
    const sent = {
      type: 'page',
      messageId: `${learner}-view`,
      anonymousId: learner,
      properties: page,
      context: {
        consent: allGranted,
        course: { id: 'course-v1:MITx+6.00x+2026_T1' },
        page,
        attribution: { first: touch, last: touch },
      },
    };
    expect((await postJson(`${url}/v1/page`, sent)).body).toMatchObject({ accepted: 1, dropped: [] });
    expect((await postJson(`${url}/v1/page`, sent)).body).toMatchObject({ accepted: 0, duplicates: 1 });
    const last = await lastMessage(stream, `${subjectPrefix}.MITx`);
    const published = last.json<StoredEvent>();
    expect(published).toMatchObject({ messageId: sent.messageId, memberId: 'MITx', url: page.url });
    expect(published.context).not.toHaveProperty('attribution');
    expect(published.properties).not.toHaveProperty('referrer');
    expect(last.data.length).toBeGreaterThan(0);
    expect(new TextDecoder().decode(last.data)).not.toMatch(/harvardx-newsletter|HarvardX\+CS50/);
    // The platform's copy is the one loaded, once: as it was sent.
    expect(await loader.drain()).toBe(1);
    const loaded = (await store.storage.memberEvents(null, { anonymousId: learner, limit: 10 })).events;
    expect(loaded).toHaveLength(1);
    expect(loaded[0]).toMatchObject({ memberId: 'MITx', keptFrom: null, properties: { referrer } });
    expect(loaded[0]?.context.attribution).toEqual({ first: touch, last: touch });
  });

  it("publishes a Member's event without the context, referrers or session position that are another's", async () => {
    const learner = `scope-${run}`;
    const hxUnit = 'https://courses.edx.org/courses/course-v1:HarvardX+CS50+2026_T1/courseware/unit3';
    const sent = {
      type: 'page',
      messageId: `${learner}-view`,
      anonymousId: learner,
      properties: {
        path: '/p',
        referrer: hxUnit,
        initial_referrer: hxUnit,
        initial_referring_domain: 'courses.edx.org',
      },
      context: {
        consent: allGranted,
        course: { id: 'course-v1:MITx+6.00x+2026_T1' },
        page: { path: '/p', url: 'https://courses.edx.org/p' },
        session: { id: `s-${learner}`, seq: 9 },
        referrer: { type: 'link', url: hxUnit, link: hxUnit },
        traits: { email: 'ada@example.org' },
        locale: 'en-US',
      },
    };
    expect((await postJson(`${url}/v1/page`, sent)).body).toMatchObject({ accepted: 1, dropped: [] });
    const last = await lastMessage(stream, `${subjectPrefix}.MITx`);
    const published = last.json<StoredEvent>();
    expect(published).toMatchObject({ messageId: sent.messageId, sessionId: null, sessionSeq: null });
    expect(published.context).toEqual({ locale: 'en-US' });
    expect(published.properties).toEqual({ path: '/p' });
    expect(new TextDecoder().decode(last.data)).not.toMatch(/HarvardX|ada@example/);
    expect(await loader.drain()).toBe(1);
  });

  it("publishes a Member's event without `keptFrom` (never set on a Member's event), and loads it with none", async () => {
    const sent = trackMessage('HarvardX', { anonymousId: `harvardx-own-${run}` });
    expect((await postJson(`${url}/v1/track`, sent)).body).toMatchObject({ accepted: 1, dropped: [] });
    const last = await lastMessage(stream, `${subjectPrefix}.HarvardX`);
    const published = last.json<Record<string, unknown>>();
    expect(published).toMatchObject({ messageId: sent.messageId, memberId: 'HarvardX' });
    expect(published).not.toHaveProperty('keptFrom');
    expect(await loader.drain()).toBe(1);
    const query = { anonymousId: `harvardx-own-${run}`, limit: 10 };
    expect((await store.storage.memberEvents('HarvardX', query)).events).toMatchObject([
      { messageId: sent.messageId, memberId: 'HarvardX', keptFrom: null },
    ]);
  });

  it("publishes an event the learner refused to its course's Member on the platform's subject, and loads it as no Member's", async () => {
    const refused = trackMessage('HarvardX', { anonymousId: `refuses-harvardx-${run}` });
    refused.context = {
      ...(refused.context as object),
      consent: { ...allGranted, members: { HarvardX: { analytics: false } } },
    };
    expect((await postJson(`${url}/v1/track`, refused)).body).toMatchObject({ accepted: 1, dropped: [] });
    const last = await lastMessage(stream, `${subjectPrefix}._platform`);
    expect(last.json<StoredEvent>()).toMatchObject({
      messageId: refused.messageId,
      memberId: null,
      keptFrom: 'HarvardX',
    });
    expect(await loader.drain()).toBe(1);
    const query = { anonymousId: `refuses-harvardx-${run}`, limit: 10 };
    expect((await store.storage.memberEvents('HarvardX', query)).events).toEqual([]);
    expect((await store.storage.memberEvents(null, query)).events).toMatchObject([
      {
        messageId: refused.messageId,
        memberId: null,
        // The Member it was kept from travels with it: HarvardX's consent rates count the learner.
        keptFrom: 'HarvardX',
        courseId: 'course-v1:HarvardX+CS50+2026_T1',
      },
    ]);
  });

  it('runs end to end through the CLI: serve with OPTIN_NATS_URL, then `load --once` into PostgreSQL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'optin-cli-'));
    const schema = `optin_cli_${run}`;
    const env = {
      OPTIN_NATS_URL: natsUrl,
      OPTIN_NATS_STREAM: `${stream}_CLI`,
      OPTIN_NATS_SUBJECT_PREFIX: `${subjectPrefix}_cli`,
      OPTIN_NATS_DURABLE: `cli_${run}`,
      OPTIN_NATS_MAX_AGE: '36h',
      OPTIN_NATS_DUPLICATE_WINDOW: '30h',
      OPTIN_DB: `${postgresUrl}?schema=${schema}`,
    };
    const { child, url: cliUrl } = await startCli(env, dir);
    const batch = Array.from({ length: 20 }, () => trackMessage('MITx'));
    try {
      expect((await postJson(`${cliUrl}/v1/batch`, { batch })).body.accepted).toBe(20);
    } finally {
      child.kill('SIGTERM');
    }
    // Something else published on the subjects: reported, and no reason to stop loading.
    const nc = await connect({ servers: natsUrl });
    await nc.jetstream().publish(`${subjectPrefix}_cli._platform`, new TextEncoder().encode('not json'));
    await nc.close();
    const loaded = await runCli(['load', '--once'], env, dir);
    expect(loaded.out).toContain('loaded 20 events into postgres');
    expect(loaded.out).toMatch(/refused message \d+ of optin_test_\w+\.events_cli\._platform: invalid_event/);
    expect(loaded.code).toBe(0);
    const target = new PostgresStorage({ connectionString: postgresUrl, schema });
    try {
      expect((await target.hasEvents(batch.map((m) => m.messageId as string))).size).toBe(20);
      expect((await streamConfig(`${stream}_CLI`)).max_age).toBe(nanos(36 * 3_600_000));
      expect((await streamConfig(`${stream}_CLI`)).duplicate_window).toBe(nanos(30 * 3_600_000));
    } finally {
      await target.dropSchema();
      await target.close();
      await deleteStream(`${stream}_CLI`);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives back a batch whose insert failed; the next loader stores it once', async () => {
    const message = trackMessage('HarvardX');
    await postJson(`${url}/v1/track`, message);
    const failing = Object.create(store.storage) as typeof store.storage;
    failing.insertEvents = () => Promise.reject(new Error('database down'));
    const broken = await createJetStreamLoader({
      url: natsUrl,
      stream,
      subjectPrefix,
      storage: failing,
      durable: `loader_${run}`,
      retryDelayMs: 100,
    });
    await expect(broken.drain()).rejects.toThrow('database down');
    await broken.close();
    expect((await store.storage.hasEvents([message.messageId as string])).size).toBe(0);
    expect(await loader.drain()).toBe(1);
    expect((await store.storage.hasEvents([message.messageId as string])).size).toBe(1);
  });

  it('terminates what can never be stored (not JSON, not an event, refused by the database) and loads the rest', async () => {
    const nc = await connect({ servers: natsUrl });
    const js = nc.jetstream();
    const good = storedEvent('HarvardX');
    const unstorable = storedEvent('HarvardX', { properties: { note: 'a\u0000b' } });
    // A Member's event naming a Member it was kept from: HarvardX's `/events` would show it MITx's.
    const ownedAndKept = storedEvent('HarvardX', { keptFrom: 'MITx' });
    await js.publish(`${subjectPrefix}._platform`, new TextEncoder().encode('not json at all'));
    await js.publish(
      `${subjectPrefix}._platform`,
      new TextEncoder().encode(JSON.stringify({ messageId: 'half', type: 'track' })),
    );
    await js.publish(`${subjectPrefix}.HarvardX`, new TextEncoder().encode(JSON.stringify(ownedAndKept)));
    await js.publish(`${subjectPrefix}.HarvardX`, new TextEncoder().encode(JSON.stringify(unstorable)));
    await js.publish(`${subjectPrefix}.HarvardX`, new TextEncoder().encode(JSON.stringify(good)));
    await nc.close();
    const sent = trackMessage('HarvardX');
    expect((await postJson(`${url}/v1/track`, sent)).body.accepted).toBe(1);

    const refusals: LoaderRefusal[] = [];
    const careful = await createJetStreamLoader({
      url: natsUrl,
      stream,
      subjectPrefix,
      storage: store.storage,
      durable: `loader_${run}`,
      onRefused: (r) => refusals.push(r),
    });
    try {
      expect(await careful.drain()).toBe(2);
      expect(await careful.drain()).toBe(0); // terminated: never delivered again
    } finally {
      await careful.close();
    }
    expect(
      (
        await store.storage.hasEvents([
          good.messageId,
          sent.messageId as string,
          unstorable.messageId,
          ownedAndKept.messageId,
        ])
      ).size,
    ).toBe(2);
    expect(refusals.map((r) => [r.subject.split('.').pop(), r.error.code, r.error.issues[0]?.path])).toEqual([
      ['_platform', 'invalid_event', ''],
      ['_platform', 'invalid_event', 'clientTimestamp'],
      ['HarvardX', 'invalid_event', 'keptFrom'],
      ['HarvardX', 'unstorable_text', 'events[0].properties.note'],
    ]);
  });

  /** A stream of its own with `events` published on it, a loader on it, and a clean-up. */
  async function outageStream(name: string, events: readonly StoredEvent[]) {
    const own = { url: natsUrl, stream: `${stream}_${name}`, subjectPrefix: `${subjectPrefix}_${name.toLowerCase()}` };
    const sink = await jetStreamSink(own);
    await sink.write(events);
    await sink.close();
    return { own, cleanUp: () => deleteStream(own.stream) };
  }

  /** The storage, failing as unavailable (a refused connection) while `down()` says so. */
  function unavailableWhile(down: (call: 'insert' | 'ping') => boolean): typeof store.storage {
    const refused = (): Promise<never> =>
      Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
    const flaky = Object.create(store.storage) as typeof store.storage;
    flaky.insertEvents = (events) => (down('insert') ? refused() : store.storage.insertEvents(events));
    flaky.ping = () => (down('ping') ? refused() : store.storage.ping());
    return flaky;
  }

  it('holds a batch through a database outage longer than max_deliver tries, then stores every event', async () => {
    const events = Array.from({ length: 5 }, () => storedEvent('HarvardX'));
    const { own, cleanUp } = await outageStream('RUN_OUTAGE', events);
    let failures = 0;
    const flaky = unavailableWhile((call) => call === 'insert' && failures++ < loaderMaxDeliver + 5);
    const refusals: LoaderRefusal[] = [];
    const held = await createJetStreamLoader({
      ...own,
      storage: flaky,
      retryDelayMs: 10,
      onRefused: (r) => refusals.push(r),
    });
    const controller = new AbortController();
    const running = held.run(controller.signal);
    try {
      const ids = events.map((e) => e.messageId);
      for (let i = 0; i < 100 && (await store.storage.hasEvents(ids)).size < ids.length; i++)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await store.storage.hasEvents(ids)).size).toBe(ids.length);
      expect(failures).toBeGreaterThan(loaderMaxDeliver);
      expect(refusals).toEqual([]);
    } finally {
      controller.abort();
      await running;
      await held.close();
      await cleanUp();
    }
  });

  it('spends no delivery on a `drain` that finds the database unavailable; reports one failing on its last', async () => {
    const event = storedEvent('HarvardX');
    const { own, cleanUp } = await outageStream('DRAIN_OUTAGE', [event]);
    const refusals: LoaderRefusal[] = [];
    const report = { onRefused: (r: LoaderRefusal) => refusals.push(r), retryDelayMs: 10, batchSize: 1 };
    try {
      const down = await createJetStreamLoader({ ...own, storage: unavailableWhile(() => true), ...report });
      for (let i = 0; i < loaderMaxDeliver + 5; i++)
        await expect(down.drain()).rejects.toMatchObject({ code: 'storage_failed' });
      await down.close();
      const up = await createJetStreamLoader({ ...own, storage: store.storage, ...report });
      expect(await up.drain()).toBe(1);
      await up.close();
      expect((await store.storage.hasEvents([event.messageId])).size).toBe(1);
      expect(refusals).toEqual([]);

      // The database answers the ping, then fails every insert: on its last delivery the message is reported.
      const last = storedEvent('HarvardX');
      await outageStream('DRAIN_OUTAGE', [last]);
      const flapping = await createJetStreamLoader({
        ...own,
        storage: unavailableWhile((call) => call === 'insert'),
        ...report,
      });
      for (let i = 0; i < loaderMaxDeliver; i++) {
        await expect(flapping.drain()).rejects.toMatchObject({ code: 'storage_failed' });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await flapping.close();
      // (Each HarvardX event is two messages, the stored one first: the second event's is the third.)
      expect(refusals.map((r) => [r.streamSequence, r.error.code])).toEqual([[3, 'storage_failed']]);
    } finally {
      await cleanUp();
    }
  });

  it('gives its consumer a limit of deliveries, also when an earlier version made it without one', async () => {
    const nc = await connect({ servers: natsUrl });
    const jsm = await nc.jetstreamManager();
    try {
      await jsm.consumers.add(stream, { durable_name: `unlimited_${run}`, ack_policy: AckPolicy.Explicit });
      expect((await jsm.consumers.info(stream, `unlimited_${run}`)).config.max_deliver).toBe(-1);
      const later = await createJetStreamLoader({
        url: natsUrl,
        stream,
        subjectPrefix,
        storage: store.storage,
        durable: `unlimited_${run}`,
      });
      await later.close();
      expect((await jsm.consumers.info(stream, `unlimited_${run}`)).config.max_deliver).toBe(loaderMaxDeliver);
      expect((await jsm.consumers.info(stream, `loader_${run}`)).config.max_deliver).toBe(loaderMaxDeliver);
    } finally {
      await nc.close();
    }
  });

  it('keeps events 7 days by default, and the max age asked for on a stream that exists', async () => {
    expect((await streamConfig(stream)).max_age).toBe(nanos(7 * 86_400_000));
    const other = await jetStreamSink({ url: natsUrl, stream, subjectPrefix, maxAgeMs: 3_600_000 });
    await other.close();
    expect((await streamConfig(stream)).max_age).toBe(nanos(3_600_000));
    await expect(jetStreamSink({ url: natsUrl, stream, subjectPrefix, maxAgeMs: 0 })).rejects.toMatchObject({
      code: 'invalid_option',
    });
  });

  it('recognises retries for 24 hours by default, and for the window asked for on a stream that exists', async () => {
    const dedupe = `${stream}_DEDUPE`;
    const options = { url: natsUrl, stream: dedupe, subjectPrefix: `${subjectPrefix}_dedupe` };
    const window = async () => (await streamConfig(dedupe)).duplicate_window;
    try {
      // JetStream's own default (2 minutes) would answer a client's later retry as a new event.
      await (await jetStreamSink(options)).close();
      expect(await window()).toBe(nanos(24 * 3_600_000));
      await (await jetStreamSink({ ...options, duplicateWindowMs: 3 * 86_400_000 })).close();
      expect(await window()).toBe(nanos(3 * 86_400_000));
      for (const wrong of [
        { duplicateWindowMs: 0 },
        { duplicateWindowMs: 1.5 },
        { duplicateWindowMs: 8 * 86_400_000 }, // longer than the stream keeps events (7 days)
        { maxAgeMs: 3_600_000, duplicateWindowMs: 7_200_000 },
      ])
        await expect(jetStreamSink({ ...options, ...wrong }), JSON.stringify(wrong)).rejects.toMatchObject({
          code: 'invalid_option',
          issues: [{ path: 'duplicateWindowMs' }],
        });
      // A stream kept for less than a day recognises retries as long as it keeps them.
      await (await jetStreamSink({ ...options, maxAgeMs: 3_600_000 })).close();
      expect(await window()).toBe(nanos(3_600_000));
      await (await jetStreamSink(options)).close();
      expect(await window()).toBe(nanos(24 * 3_600_000));
    } finally {
      await deleteStream(dedupe);
    }
  });

  it('takes events again once NATS is back after an outage of any length (here 25 s), and closes cleanly', async () => {
    // NATS through a proxy that the test stops, as a NATS restart or a network failure would: longer
    // than the client's default of 10 reconnection attempts, 2 s apart.
    const proxy = new TcpProxy(Number(new URL(natsUrl).port || 4222), new URL(natsUrl).hostname);
    await proxy.start();
    const outage = `${stream}_OUTAGE`;
    const sink = await jetStreamSink({
      url: `nats://127.0.0.1:${proxy.port}`,
      stream: outage,
      subjectPrefix: `${subjectPrefix}_outage`,
    });
    const other = postgres.open();
    const { collector: watched, url: watchedUrl } = await startCollector(other.storage, { sink });
    try {
      expect((await postJson(`${watchedUrl}/v1/track`, trackMessage())).status).toBe(200);
      await proxy.stop();
      await new Promise((resolve) => setTimeout(resolve, 25_000));
      expect((await postJson(`${watchedUrl}/v1/track`, trackMessage())).status).toBe(503);
      await proxy.start();
      // Back within a few seconds (the next reconnection attempt), without a restart.
      let health = 0;
      for (let tries = 0; tries < 40 && health !== 200; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        health = (await getJson(`${watchedUrl}/healthz`)).status;
      }
      expect(health).toBe(200);
      expect((await postJson(`${watchedUrl}/v1/track`, trackMessage())).status).toBe(200);
    } finally {
      await proxy.start().catch(() => undefined);
      await watched.close();
      await other.dispose();
      await proxy.stop();
      await deleteStream(outage);
    }
  });

  it('answers /healthz 503 when the stream is gone, as every event would be', async () => {
    const gone = `${stream}_GONE`;
    const sink = await jetStreamSink({ url: natsUrl, stream: gone, subjectPrefix: `${subjectPrefix}_gone` });
    const other = postgres.open();
    const { collector: watched, url: watchedUrl } = await startCollector(other.storage, { sink });
    try {
      expect(await getJson(`${watchedUrl}/healthz`)).toMatchObject({ status: 200, body: { sink: 'jetstream' } });
      await deleteStream(gone);
      expect(await getJson(`${watchedUrl}/healthz`)).toMatchObject({
        status: 503,
        body: { status: 'unavailable', unavailable: 'sink' },
      });
      expect((await postJson(`${watchedUrl}/v1/track`, trackMessage())).status).toBe(503);
    } finally {
      await watched.close();
      await other.dispose();
      await deleteStream(gone);
    }
  });
});

/** The configuration of a stream as the server has it. */
async function streamConfig(name: string): Promise<StreamConfig> {
  const nc = await connect({ servers: natsUrl });
  try {
    return (await (await nc.jetstreamManager()).streams.info(name)).config;
  } finally {
    await nc.close();
  }
}
