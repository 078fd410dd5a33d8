import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collector } from '../src/collector.js';
import { createJetStreamLoader, type Loader } from '../src/jetstream-loader.js';
import { jetStreamSink } from '../src/jetstream-sink.js';
import { PostgresStorage } from '../src/postgres-storage.js';
import { bundleCli, runCli, startCli } from './cli-bundle.js';
import { backends, postgresUrl, postJson, startCollector, trackMessage, type TestStore } from './helpers.js';

const natsUrl = process.env.OPTIN_TEST_NATS ?? 'nats://127.0.0.1:4222';

async function jetStreamAvailable(): Promise<boolean> {
  try {
    const nc = await connect({ servers: natsUrl, timeout: 2000, reconnect: false });
    try {
      await (await nc.jetstreamManager()).getAccountInfo();
      return true;
    } finally {
      await nc.close();
    }
  } catch {
    return false;
  }
}

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
    const sink = await jetStreamSink({ url: natsUrl, stream, subjectPrefix });
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
    const nc = await connect({ servers: natsUrl });
    await (await nc.jetstreamManager()).streams.delete(stream).catch(() => false);
    await nc.close();
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
    const ids = ['crlf\r\nX-Evil: 1', 'tab\tid', ' spaced ', 'per%20cent', 'dé-ü 😀', `${time} same`];
    const messages = [
      ...ids.map((messageId) => trackMessage('HarvardX', { messageId, timestamp: time })),
      // Without a timestamp its retry key is " <id>": it must not pass for the message above.
      trackMessage('HarvardX', { messageId: `${time} same`, timestamp: undefined }),
      trackMessage('HarvardX', { messageId: 'same', timestamp: time }),
    ];
    const first = await Promise.all(messages.map((m) => postJson(`${url}/v1/track`, m)));
    expect(first.map((r) => [r.status, r.body.accepted])).toEqual(messages.map(() => [200, 1]));
    const retries = await Promise.all(messages.map((m) => postJson(`${url}/v1/track`, m)));
    expect(retries.map((r) => [r.status, r.body.duplicates])).toEqual(messages.map(() => [200, 1]));
    expect(await loader.drain()).toBe(messages.length);
    expect([...(await store.storage.hasEvents(messages.map((m) => m.messageId as string)))].sort()).toEqual(
      [...new Set(messages.map((m) => m.messageId as string))].sort(),
    );
  });

  it('publishes on one subject per Member', async () => {
    const nc = await connect({ servers: natsUrl });
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(stream, { subjects_filter: '>' });
    await nc.close();
    expect(Object.keys(info.state.subjects ?? {}).sort()).toEqual(
      [`${subjectPrefix}.HarvardX`, `${subjectPrefix}.MITx`, `${subjectPrefix}._platform`].sort(),
    );
  });

  it('runs end to end through the CLI: serve with OPTIN_NATS_URL, then `load --once` into PostgreSQL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'optin-cli-'));
    const schema = `optin_cli_${run}`;
    const env = {
      OPTIN_NATS_URL: natsUrl,
      OPTIN_NATS_STREAM: `${stream}_CLI`,
      OPTIN_NATS_SUBJECT_PREFIX: `${subjectPrefix}_cli`,
      OPTIN_NATS_DURABLE: `cli_${run}`,
      OPTIN_DB: `${postgresUrl}?schema=${schema}`,
    };
    const { child, url: cliUrl } = await startCli(env, dir);
    const batch = Array.from({ length: 20 }, () => trackMessage('MITx'));
    try {
      expect((await postJson(`${cliUrl}/v1/batch`, { batch })).body.accepted).toBe(20);
    } finally {
      child.kill('SIGTERM');
    }
    const loaded = await runCli(['load', '--once'], env, dir);
    expect(loaded.out).toContain('loaded 20 events into postgres');
    expect(loaded.code).toBe(0);
    const target = new PostgresStorage({ connectionString: postgresUrl, schema });
    try {
      expect((await target.hasEvents(batch.map((m) => m.messageId as string))).size).toBe(20);
    } finally {
      await target.dropSchema();
      await target.close();
      const nc = await connect({ servers: natsUrl });
      await (await nc.jetstreamManager()).streams.delete(`${stream}_CLI`).catch(() => false);
      await nc.close();
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
    });
    await expect(broken.drain()).rejects.toThrow('database down');
    await broken.close();
    expect((await store.storage.hasEvents([message.messageId as string])).size).toBe(0);
    expect(await loader.drain()).toBe(1);
    expect((await store.storage.hasEvents([message.messageId as string])).size).toBe(1);
  });
});
