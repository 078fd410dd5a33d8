import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { edxPolicy, policyHash, type ConsentReceipt } from '@optin/consent';
import pg from 'pg';
import type { EmailSigner } from '@optin/email';
import { afterAll, beforeAll, expect } from 'vitest';
import { createCollector, type Collector, type CollectorOptions } from '../src/collector.js';
import { resolveCredentials } from '../src/credentials.js';
import { PostgresStorage } from '../src/postgres-storage.js';
import { SqliteStorage } from '../src/sqlite-storage.js';
import type { Storage } from '../src/storage.js';
import type { StoredEvent } from '../src/stored-event.js';

/** PostgreSQL on this machine (CI starts it); tests skip with this reason only when it is truly absent. */
export const postgresUrl = process.env.OPTIN_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Whether PostgreSQL answers (checked once with a quick connect). */
export const postgresAvailable = await reachable();
if (!postgresAvailable)
  console.warn(
    `[collector tests] PostgreSQL is not reachable at ${postgresUrl}: its half of the shared suite is skipped`,
  );

/**
 * Two storages (two collector workers) on a PostgreSQL database of their own whose transactions
 * default to `isolation` (`ALTER DATABASE … SET default_transaction_isolation`, as a DBA may set
 * it), migrated; `dispose` closes them and drops the database.
 */
export async function postgresDefaulting(
  isolation: 'repeatable read' | 'serializable',
): Promise<{ storages: [PostgresStorage, PostgresStorage]; dispose(): Promise<void> }> {
  const name = `optin_iso_${isolation.replace(' ', '_')}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.query(`ALTER DATABASE ${name} SET default_transaction_isolation = '${isolation}'`);
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  const storage = () => new PostgresStorage({ connectionString: url.href, schema: 'optin', max: 4 });
  const storages: [PostgresStorage, PostgresStorage] = [storage(), storage()];
  for (const s of storages) await s.migrate();
  return {
    storages,
    async dispose() {
      await Promise.all(storages.map((s) => s.close()));
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** Drops a PostgreSQL schema of the tests (and everything in it) on a connection of its own. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

/** A storage for one test, and how to throw it away. */
export interface TestStore {
  readonly storage: Storage;
  /**
   * Waits until every event stored so far is one that event pages return. PostgreSQL's pages hold
   * only rows of transactions older than every one still running anywhere in the cluster (so that
   * the cursor never passes a row that commits later): a row answered 200 stays out of them while
   * an older transaction, of any database, is open. SQLite's show every row once stored.
   */
  settled(): Promise<void>;
  dispose(): Promise<void>;
}

/** One real backend of the shared suite: `skip` only when its server is truly absent. */
export interface Backend {
  readonly name: 'sqlite' | 'postgres';
  readonly skip: boolean;
  readonly open: () => TestStore;
}

/** The two real backends the shared suite runs against. */
export const backends: Backend[] = [
  {
    name: 'sqlite',
    skip: false,
    open() {
      const dir = mkdtempSync(join(tmpdir(), 'optin-collector-'));
      const storage = new SqliteStorage(join(dir, 'optin.db'));
      return {
        storage,
        settled: () => Promise.resolve(),
        async dispose() {
          await storage.close().catch(() => undefined);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    skip: !postgresAvailable,
    open() {
      const schema = `optin_t_${process.pid}_${randomBytes(4).toString('hex')}`;
      const storage = new PostgresStorage({ connectionString: postgresUrl, schema, max: 4 });
      let watcher: pg.Pool | undefined;
      return {
        storage,
        async settled() {
          // The condition `memberEvents` pages rows by (`settled` of PostgresStorage), on a connection of its own.
          watcher ??= new pg.Pool({ connectionString: postgresUrl, max: 1 });
          const pool = watcher;
          const unsettled = async () =>
            Number(
              (
                await pool.query<{ n: string }>(
                  `SELECT COUNT(*) AS n FROM ${schema}.events WHERE txid >= pg_snapshot_xmin(pg_current_snapshot())`,
                )
              ).rows[0]?.n,
            );
          await expect.poll(unsettled, { timeout: 30_000 }).toBe(0);
        },
        async dispose() {
          // The collector using the storage may have closed it already: the schema is dropped on a
          // connection of its own, and a failure to drop it fails the test run.
          await storage.close();
          await watcher?.end();
          await dropSchema(schema);
        },
      };
    },
  },
];

/** Tokens of the test config. */
export const tokens = {
  platform: 'platform-secret-token',
  HarvardX: 'harvardx-secret-token',
  MITx: 'mitx-secret-token',
  metrics: 'metrics-secret-token',
  writeKey: 'wk_test_123',
};

/** The test config: the edX policy and two Members. */
export const testConfig = {
  policy: edxPolicy,
  members: [
    { id: 'HarvardX', orgs: ['HarvardX'] },
    { id: 'MITx', orgs: ['MITx', 'MITxT'] },
  ],
};

/** Credentials for the test config, from a private env (never process.env). */
export const testCredentials = resolveCredentials(testConfig, {
  OPTIN_PLATFORM_TOKEN: tokens.platform,
  OPTIN_TOKEN_HARVARDX: tokens.HarvardX,
  OPTIN_TOKEN_MITX: tokens.MITx,
  OPTIN_METRICS_TOKEN: tokens.metrics,
  OPTIN_WRITE_KEYS: tokens.writeKey,
});

/** A collector on 127.0.0.1 (random port) over real HTTP. */
export async function startCollector(
  storage: Storage,
  options: Partial<CollectorOptions> = {},
): Promise<{ collector: Collector; url: string }> {
  const collector = await createCollector({ config: testConfig, credentials: testCredentials, storage, ...options });
  const url = await collector.listen(0, '127.0.0.1');
  return { collector, url };
}

/** The collector of one `describe`, on a fresh store of its backend; read it inside tests and hooks. */
export interface LiveCollector {
  readonly collector: Collector;
  readonly storage: Storage;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
}

/**
 * Starts a collector over real HTTP on a fresh store of `backend` before the tests of the calling
 * `describe`, and closes it and throws the store away after them. Nothing starts when the backend
 * is skipped. `options` may be a function, for options made in an earlier hook.
 */
export function useCollector(
  backend: Backend,
  options: Partial<CollectorOptions> | (() => Partial<CollectorOptions>) = {},
): LiveCollector {
  let live: { store: TestStore; collector: Collector; url: string } | undefined;
  beforeAll(async () => {
    if (backend.skip) return;
    const store = backend.open();
    const started = await startCollector(store.storage, typeof options === 'function' ? options() : options);
    live = { store, ...started };
    settledAt.set(started.url, () => store.settled());
  });
  afterAll(async () => {
    if (!live) return;
    settledAt.delete(live.url);
    await live.collector.close();
    await live.store.dispose();
  });
  const get = () => {
    if (!live) throw new Error(`no collector: the ${backend.name} backend is skipped or its start failed`);
    return live;
  };
  return {
    get collector() {
      return get().collector;
    },
    get storage() {
      return get().store.storage;
    },
    get url() {
      return get().url;
    },
  };
}

/** Consent granting everything (as Optin's browser runtime stamps it). */
export const allGranted = {
  policy: 'edx',
  categoryPreferences: { necessary: true, analytics: true, performance: true, functionality: true, marketing: true },
};

let counter = 0;
/** A unique message id. */
export function mid(prefix = 'm'): string {
  return `${prefix}-${process.pid}-${Date.now()}-${++counter}`;
}

/** The policy of the test config as `@optin/consent` stamps a receipt made under it (its version and hash). */
export const currentPolicy = { id: edxPolicy.id, version: edxPolicy.version, hash: policyHash(edxPolicy) };

/** A banner decision of `subject` granting or refusing `analytics` (nothing else but necessary), decided `offsetMs` from now. */
export function receipt(subject: string, analytics: boolean, offsetMs = 0): ConsentReceipt {
  return {
    subject,
    consentId: mid('c'),
    policy: currentPolicy,
    purposes: { necessary: true, analytics, performance: false, functionality: false, marketing: false },
    members: {},
    source: 'banner',
    decidedAt: new Date(Date.now() + offsetMs).toISOString(),
    gpc: false,
  };
}

/** A valid track message about a course of `org`. */
/** A learner's choices for Members, as a receipt and a message's stamp carry them. */
export type MemberOverrides = ConsentReceipt['members'];

/** A decision of `subject` granting analytics platform-wide, narrowed for Members by `members`. */
export const refusalDecision = (subject: string, members: MemberOverrides): ConsentReceipt => ({
  subject,
  consentId: mid('c'),
  policy: currentPolicy,
  purposes: { necessary: true, analytics: true, performance: false, functionality: false, marketing: false },
  members,
  source: 'preferences',
  decidedAt: new Date().toISOString(),
  gpc: false,
});

/** A page view of `learner` with those choices stamped, about `course` (`context.course`). */
export const learnerPageView = (
  learner: string,
  members: MemberOverrides,
  course: Record<string, string> | undefined,
): Record<string, unknown> => ({
  type: 'page',
  messageId: mid(learner),
  anonymousId: learner,
  context: {
    consent: { ...allGranted, members },
    ...(course && { course }),
    page: { path: `/p/${learner}`, url: `https://learning.edx.org/p/${learner}` },
  },
});

export function trackMessage(org = 'HarvardX', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'track',
    event: 'edx.ui.lms.link_clicked',
    messageId: mid(),
    anonymousId: 'anon-1',
    timestamp: new Date().toISOString(),
    properties: { current_url: 'https://learning.edx.org/course', target_url: 'https://www.edx.org/' },
    context: {
      consent: allGranted,
      course: { id: `course-v1:${org}+CS50+2026_T1` },
      page: { path: '/learning/course/x', url: 'https://learning.edx.org/learning/course/x' },
    },
    ...extra,
  };
}

/** A parsed response body: tests read into it freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Body = any;

/** Status and body of a response, the body parsed as JSON when it is JSON. */
async function read(res: Response): Promise<{ status: number; body: Body }> {
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text };
  }
}

/** POSTs JSON and returns status and parsed body. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Body }> {
  return read(
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

/** How to wait, by the base URL of each collector `useCollector` runs, until its stored events are settled. */
const settledAt = new Map<string, () => Promise<void>>();

/**
 * GETs and returns status and parsed body. A page of events (`/events`) from a collector of
 * `useCollector` is read once every event stored so far is settled ({@link TestStore.settled}), so
 * that it holds every event the requests before it stored.
 */
export async function getJson(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Body }> {
  const { origin, pathname } = new URL(url);
  if (pathname.endsWith('/events')) await settledAt.get(origin)?.();
  return read(await fetch(url, { headers }));
}

/** An enriched event as the storage takes it, now, with a unique message id. */
export function storedEvent(memberId: string | null, extra: Partial<StoredEvent> = {}): StoredEvent {
  const now = new Date().toISOString();
  return {
    messageId: mid('s'),
    clientTimestamp: now,
    type: 'page',
    event: 'Course',
    memberId,
    keptFrom: null,
    anonymousId: 'a',
    userId: null,
    timestamp: now,
    receivedAt: now,
    courseId: null,
    org: null,
    sessionId: null,
    sessionSeq: null,
    path: '/home',
    url: null,
    referrerClass: 'direct',
    referrerHost: null,
    campaign: null,
    browser: 'Chrome',
    browserVersion: '130',
    os: 'Linux',
    osVersion: null,
    deviceType: 'desktop',
    app: null,
    appVersion: null,
    isBot: false,
    ip: '203.0.113.0',
    country: null,
    region: null,
    city: null,
    asn: null,
    isp: null,
    purposes: ['analytics'],
    properties: { a: 1 },
    context: {},
    ...extra,
  };
}

/**
 * How many email opens and clicks the collector at `url` has finished with: `optin_email_total` of
 * every kind and outcome (recorded, a machine's, kept as an aggregate, not stored, or a bad token).
 */
async function emailRequestsCounted(url: string): Promise<number> {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${tokens.metrics}` } });
  const text = await res.text();
  let total = 0;
  for (const [, count] of text.matchAll(/^optin_email_total\{[^}]*\} (\d+)$/gm)) total += Number(count);
  return total;
}

/**
 * Requests an email open pixel or click redirect (`link`, on the collector at `url`) as `fetch` does,
 * and answers once the collector has finished with it. The email routes answer within 200 ms and may
 * go on recording behind the answer (a slow database); the collector counts each open and click in
 * `optin_email_total` only once it is stored, kept as an aggregate or failed, so stored events and
 * stats read after this hold it. Send one at a time to a collector, and every email request through
 * this: one still recording from before would count for this one.
 */
export async function emailRequest(url: string, link: string, init: RequestInit = {}): Promise<Response> {
  const before = await emailRequestsCounted(url);
  const res = await fetch(link, init);
  await expect.poll(() => emailRequestsCounted(url), { timeout: 10_000 }).toBeGreaterThan(before);
  return res;
}

/**
 * Opens an email HarvardX signed with `signer` (base URL `http://x`) for `subject`, as a person's
 * browser does, at the collector at `url`; whether the open was recorded for the recipient (among
 * HarvardX's events) rather than kept in aggregate only.
 */
export async function emailOpenRecorded(url: string, signer: EmailSigner, subject: string): Promise<boolean> {
  const messageId = mid('mail');
  const pixel = signer.pixelUrl({ messageId, recipient: 'ada@example.org', subject, sentAt: Date.now() - 600_000 });
  const browser = {
    'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36',
  };
  expect((await emailRequest(url, pixel.replace('http://x', url), { headers: browser })).status).toBe(200);
  const { body } = await getJson(`${url}/v1/members/HarvardX/events?limit=1000&event=optin.email.opened`, {
    authorization: `Bearer ${tokens.HarvardX}`,
  });
  return (body.events as { properties: { email_message_id: string } }[]).some(
    (e) => e.properties.email_message_id === messageId,
  );
}
