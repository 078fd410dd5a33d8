import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetStreamSink } from '../src/jetstream-sink.js';
import { PostgresStorage } from '../src/postgres-storage.js';
import { bundleCli, spawnCli, startCli } from './cli-bundle.js';
import { deleteStream, jetStreamAvailable, natsUrl } from './nats-helpers.js';
import {
  dropSchema,
  getJson,
  postgresAvailable,
  postgresUrl,
  postJson,
  startCollector,
  storedEvent,
  trackMessage,
} from './helpers.js';
import { TcpProxy } from './tcp-proxy.js';

const pgPort = Number(new URL(postgresUrl).port || 5432);
/** `postgresUrl` with its port replaced by the proxy's, and a schema. */
const throughProxy = (proxy: TcpProxy, schema: string): string => {
  const url = new URL(postgresUrl);
  url.port = String(proxy.port);
  url.searchParams.set('schema', schema);
  return url.toString();
};

/** Polls `check` every 200 ms until it holds (or `ms` pass); resolves to its last answer. */
async function eventually(check: () => Promise<boolean>, ms = 20_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 200)))
    if (await check().catch(() => false)) return true;
  return false;
}

const alive = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null;

beforeAll(bundleCli);

describe.skipIf(!postgresAvailable)('PostgreSQL goes away and comes back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'optin-outage-'));
  const schema = `optin_t_outage_${randomBytes(4).toString('hex')}`;
  const proxy = new TcpProxy(pgPort);
  let collector: { child: ChildProcess; url: string; output: () => string } | undefined;

  afterAll(async () => {
    collector?.child.kill('SIGKILL');
    await proxy.stop();
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the collector process survives, answers 503 while the database is away, and recovers', async () => {
    await proxy.start();
    collector = await startCli({ OPTIN_DB: throughProxy(proxy, schema) }, dir);
    const { child, url, output } = collector;
    expect((await postJson(`${url}/v1/track`, trackMessage())).status).toBe(200);
    expect((await getJson(`${url}/healthz`)).status).toBe(200);

    // Every connection of the pool is cut (idle ones included), and new ones are refused.
    await proxy.stop();
    expect(await eventually(async () => (await getJson(`${url}/healthz`)).status === 503)).toBe(true);
    const refused = await postJson(`${url}/v1/track`, trackMessage());
    expect(refused).toMatchObject({ status: 503, body: { error: { code: 'unavailable' } } });
    expect(alive(child), output()).toBe(true);
    expect(output()).toMatch(/OptinWarning: a PostgreSQL connection was lost/);

    await proxy.start();
    expect(await eventually(async () => (await getJson(`${url}/healthz`)).status === 200)).toBe(true);
    const message = trackMessage();
    expect((await postJson(`${url}/v1/track`, message)).body).toMatchObject({ accepted: 1 });
    const direct = new PostgresStorage({ connectionString: postgresUrl, schema });
    try {
      expect((await direct.hasEvents([message.messageId as string])).size).toBe(1);
    } finally {
      await direct.close();
    }
    expect(alive(child)).toBe(true);
  });
});

describe.skipIf(!postgresAvailable)(
  'PostgreSQL silently cut off (the network forwards nothing, no socket closes)',
  () => {
    const schema = `optin_t_silent_${randomBytes(4).toString('hex')}`;
    const proxy = new TcpProxy(pgPort);

    afterAll(async () => {
      proxy.forward();
      await proxy.stop();
      await dropSchema(schema);
    });

    it('fails requests and /healthz with 503 within the query timeout, then recovers on new connections', async () => {
      await proxy.start();
      const storage = new PostgresStorage({
        connectionString: throughProxy(proxy, schema),
        schema,
        connectionTimeoutMillis: 500,
        queryTimeoutMillis: 500,
      });
      await storage.migrate();
      const { collector, url } = await startCollector(storage);
      try {
        expect((await postJson(`${url}/v1/track`, trackMessage())).status).toBe(200);
        proxy.silence();
        const started = Date.now();
        const [track, health] = await Promise.all([
          postJson(`${url}/v1/track`, trackMessage()),
          getJson(`${url}/healthz`),
        ]);
        expect(track).toMatchObject({ status: 503, body: { error: { code: 'unavailable' } } });
        expect(health.status).toBe(503);
        expect(Date.now() - started).toBeLessThan(5000);

        // The connections that timed out were closed, not given to the next request.
        proxy.forward();
        const message = trackMessage();
        expect((await postJson(`${url}/v1/track`, message)).body).toMatchObject({ accepted: 1 });
        expect((await getJson(`${url}/healthz`)).status).toBe(200);
        expect((await storage.hasEvents([message.messageId as string])).size).toBe(1);
      } finally {
        await collector.close();
      }
    });
  },
);

const natsUp = await jetStreamAvailable();

describe.skipIf(!postgresAvailable || !natsUp)('PostgreSQL goes away under `optin-collector load`', () => {
  const run = randomBytes(4).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'optin-outage-load-'));
  const schema = `optin_t_outage_load_${run}`;
  const stream = `OPTIN_T_OUTAGE_${run}`;
  const subjectPrefix = `optin_t_outage_${run}.events`;
  const proxy = new TcpProxy(pgPort);
  let loader: ReturnType<typeof spawnCli> | undefined;

  afterAll(async () => {
    loader?.child.kill('SIGKILL');
    await proxy.stop();
    await deleteStream(stream);
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the loader keeps running while the database is away, then loads what arrived meanwhile', async () => {
    await proxy.start();
    const sink = await jetStreamSink({ url: natsUrl, stream, subjectPrefix });
    const direct = new PostgresStorage({ connectionString: postgresUrl, schema });
    try {
      const before = storedEvent('HarvardX');
      await sink.write([before]);
      loader = spawnCli(
        ['load'],
        {
          OPTIN_NATS_URL: natsUrl,
          OPTIN_NATS_STREAM: stream,
          OPTIN_NATS_SUBJECT_PREFIX: subjectPrefix,
          OPTIN_NATS_DURABLE: `outage_${run}`,
          OPTIN_DB: throughProxy(proxy, schema),
        },
        dir,
      );
      const { child, output } = loader;
      expect(await eventually(async () => (await direct.hasEvents([before.messageId])).size === 1), output()).toBe(
        true,
      );

      await proxy.stop();
      const during = storedEvent('HarvardX');
      await sink.write([during]);
      // Long enough for the loader to fetch the event and fail to store it.
      await new Promise((r) => setTimeout(r, 3000));
      expect(alive(child), output()).toBe(true);
      expect((await direct.hasEvents([during.messageId])).size).toBe(0);

      await proxy.start();
      expect(await eventually(async () => (await direct.hasEvents([during.messageId])).size === 1), output()).toBe(
        true,
      );
      expect(alive(child), output()).toBe(true);
    } finally {
      await sink.close();
      await direct.close();
    }
  });
});
