import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, startCli } from './cli-bundle.js';
import { backends, startCollector, trackMessage } from './helpers.js';

/** A keep-alive client on one raw connection: what it has read so far, and whether the server closed it. */
function client(url: string): { socket: Socket; read: () => string; closed: Promise<number> } {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
  return { socket, read: () => text, closed };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` holds or `ms` pass. */
async function until(check: () => boolean, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; !check() && Date.now() < end;) await pause(20);
}

/** A `POST /v1/track` over keep-alive, cut after its first bytes: the rest, and the whole. */
function slowTrack(): { head: string; rest: string } {
  const body = JSON.stringify(trackMessage());
  const whole = `POST /v1/track HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const cut = whole.length - body.length + 20;
  return { head: whole.slice(0, cut), rest: whole.slice(cut) };
}

describe.each(backends)('closing with keep-alive clients ($name)', (backend) => {
  it.skipIf(backend.skip)(
    'an idle keep-alive connection and one whose request is in flight do not hold close() up',
    async () => {
      const store = backend.open();
      const { collector, url } = await startCollector(store.storage);
      try {
        const idle = client(url);
        idle.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
        await until(() => idle.read().includes('\r\n\r\n'));
        expect(idle.read()).toMatch(/^HTTP\/1\.1 200/);

        const busy = client(url);
        const { head, rest } = slowTrack();
        busy.socket.write(head);
        await pause(200);

        const started = Date.now();
        const closed = collector.close().then(() => Date.now());
        await pause(200);
        busy.socket.write(rest);
        await until(() => busy.read().includes('\r\n\r\n'));
        // The request in flight is answered, and told the connection ends.
        expect(busy.read()).toMatch(/^HTTP\/1\.1 200/);
        expect(busy.read()).toMatch(/\r\nconnection: close\r\n/i);
        expect((await busy.closed) - started).toBeLessThan(5000);
        expect((await idle.closed) - started).toBeLessThan(5000);
        expect((await closed) - started).toBeLessThan(5000);
      } finally {
        await collector.close().catch(() => undefined);
        await store.dispose();
      }
    },
  );

  it.skipIf(backend.skip)('a request whose body never ends is cut after a short grace', async () => {
    const store = backend.open();
    const { collector, url } = await startCollector(store.storage);
    try {
      const stuck = client(url);
      stuck.socket.write(slowTrack().head);
      await pause(200);
      const started = Date.now();
      await collector.close();
      expect(Date.now() - started).toBeLessThan(5000);
      expect((await stuck.closed) - started).toBeLessThan(5000);
    } finally {
      await store.dispose();
    }
  });
});

describe('optin-collector serve on SIGTERM', () => {
  const dir = mkdtempSync(join(tmpdir(), 'optin-shutdown-'));
  beforeAll(bundleCli);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits within a few seconds with a keep-alive request in flight', async () => {
    const { child, url } = await startCli(
      { OPTIN_DB: `sqlite:${join(dir, 'optin.db')}`, OPTIN_PLATFORM_TOKEN: 'platform-token' },
      dir,
    );
    const exited = new Promise<number>((resolve) => child.once('exit', () => resolve(Date.now())));
    try {
      const busy = client(url);
      const { head, rest } = slowTrack();
      busy.socket.write(head);
      await pause(300);
      const started = Date.now();
      child.kill('SIGTERM');
      await pause(200);
      busy.socket.write(rest);
      await until(() => busy.read().includes('\r\n\r\n'));
      expect(busy.read()).toMatch(/^HTTP\/1\.1 200/);
      expect(busy.read()).toMatch(/\r\nconnection: close\r\n/i);
      const gone = await Promise.race([exited, pause(8000).then(() => undefined)]);
      expect(gone, 'the process still runs 8 s after SIGTERM').toBeDefined();
      expect(gone! - started).toBeLessThan(5000);
      expect(child.exitCode).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
