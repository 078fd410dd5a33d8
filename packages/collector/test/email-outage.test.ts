import { randomBytes } from 'node:crypto';
import { createEmailSigner, createEmailVerifier } from '@optin/email';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresStorage } from '../src/postgres-storage.js';
import type { Storage } from '../src/storage.js';
import { backends, dropSchema, getJson, postgresAvailable, postgresUrl, startCollector, tokens } from './helpers.js';
import { TcpProxy } from './tcp-proxy.js';

const keys = { 'hx-2026': 'harvard-secret-2026-0123456789abcdef-0123' };
const verifier = createEmailVerifier({ members: { HarvardX: { keys } } });
const human = {
  'user-agent':
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
};
const signerAt = (url: string) => createEmailSigner({ memberId: 'HarvardX', keys, activeKid: 'hx-2026', baseUrl: url });
const mail = (messageId: string) => ({
  messageId,
  recipient: 'ada@example.org',
  subject: 'learner-1',
  sentAt: Date.now() - 60_000,
});

/** Polls `check` every 100 ms until it holds (or `ms` pass). */
async function eventually(check: () => boolean | Promise<boolean>, ms = 20_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100)))
    if (await check()) return true;
  return false;
}

/** How long `fetch(url)` takes to answer (given up after 3 s), and its answer. */
async function timed(url: string): Promise<{ ms: number; res: Response | undefined }> {
  const started = Date.now();
  const res = await fetch(url, { redirect: 'manual', headers: human, signal: AbortSignal.timeout(3000) }).catch(
    () => undefined,
  );
  return { ms: Date.now() - started, res };
}

/**
 * `storage` whose reads of receipts wait, while `hold` is on, until it is let go: a database that
 * stops answering, on either backend.
 */
function holdable(storage: Storage): { storage: Storage; hold(): void; release(): void } {
  let gate: { promise: Promise<void>; open: () => void } | undefined;
  const wrapped = new Proxy(storage, {
    get(target, key) {
      if (key === 'decidingReceipts')
        return async (subject: string, proved: boolean) => {
          await gate?.promise;
          return target.decidingReceipts(subject, proved);
        };
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return {
    storage: wrapped,
    hold() {
      let open = () => {};
      const promise = new Promise<void>((resolve) => (open = resolve));
      gate = { promise, open };
    },
    release() {
      gate?.open();
      gate = undefined;
    },
  };
}

describe.each(backends)('email clicks and opens while the database does not answer ($name)', (backend) => {
  it.skipIf(backend.skip)(
    'redirect and pixel answer within a moment; the recording finishes in the background',
    async () => {
      const store = backend.open();
      const held = holdable(store.storage);
      const { collector, url } = await startCollector(held.storage, { email: verifier });
      try {
        const signer = signerAt(url);
        held.hold();
        const click = await timed(signer.clickUrl('https://www.edx.org/course/cs50', mail('m-held-click')));
        expect(click.res?.status).toBe(302);
        expect(click.res?.headers.get('location')).toBe('https://www.edx.org/course/cs50');
        expect(click.ms).toBeLessThan(1000);
        const open = await timed(signer.pixelUrl(mail('m-held-open')));
        expect(open.res?.status).toBe(200);
        expect(open.ms).toBeLessThan(1000);
        // The database answers again: both are recorded (aggregate only: learner-1 has no receipt), each
        // in its own time.
        held.release();
        const recorded = (kind: string) =>
          new RegExp(`optin_email_total\\{kind="${kind}",outcome="aggregate"\\} 1\\b`).test(collector.metrics.render());
        expect(await eventually(() => recorded('click') && recorded('open'))).toBe(true);
      } finally {
        held.release();
        await collector.close();
        await store.dispose();
      }
    },
  );

  it.skipIf(backend.skip)('close() waits for the recordings still running, then closes the storage', async () => {
    const store = backend.open();
    const held = holdable(store.storage);
    const { collector, url } = await startCollector(held.storage, { email: verifier });
    const signer = signerAt(url);
    held.hold();
    expect((await timed(signer.pixelUrl(mail('m-closing')))).res?.status).toBe(200);
    const closed = collector.close();
    await new Promise((r) => setTimeout(r, 300));
    held.release();
    await closed;
    expect(collector.metrics.render()).toMatch(/optin_email_total\{kind="open",outcome="aggregate"\} 1\b/);
    await store.dispose();
  });
});

const pgPort = Number(new URL(postgresUrl).port || 5432);

describe.skipIf(!postgresAvailable)('email clicks while PostgreSQL is silently cut off', () => {
  const schema = `optin_t_mail_${randomBytes(4).toString('hex')}`;
  const proxy = new TcpProxy(pgPort);

  afterAll(async () => {
    proxy.forward();
    await proxy.stop();
    await dropSchema(schema);
  });

  it('redirects within a moment, and counts the recording that failed as not_stored', async () => {
    await proxy.start();
    const through = new URL(postgresUrl);
    through.port = String(proxy.port);
    const storage = new PostgresStorage({
      connectionString: through.toString(),
      schema,
      connectionTimeoutMillis: 1000,
      queryTimeoutMillis: 1000,
    });
    const { collector, url } = await startCollector(storage, { email: verifier });
    try {
      const signer = signerAt(url);
      const link = signer.clickUrl('https://www.edx.org/course/cs50', mail('m-up'));
      expect((await timed(link)).res?.status).toBe(302);
      proxy.silence();
      for (const id of ['m-silent-1', 'm-silent-2']) {
        const click = await timed(signer.clickUrl('https://www.edx.org/course/cs50', mail(id)));
        expect(click.res?.status).toBe(302);
        expect(click.ms).toBeLessThan(1000);
      }
      expect(
        await eventually(() =>
          /optin_email_total\{kind="click",outcome="not_stored"\} 2\b/.test(collector.metrics.render()),
        ),
      ).toBe(true);
      const metrics = await getJson(`${url}/metrics`, { authorization: `Bearer ${tokens.metrics}` });
      expect(metrics.body).toMatch(/optin_email_total\{kind="click",outcome="not_stored"\} 2\b/);
    } finally {
      await collector.close().catch(() => undefined);
    }
  });
});
