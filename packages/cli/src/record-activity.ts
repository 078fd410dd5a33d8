import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { ObservedCookie, ObservedStorage } from './audit-findings.js';
import { cookieWritten } from './cookie-write.js';
import { watchDomStorage } from './dom-storage-writes.js';
import { isStorageWrite, storedNow, watchStorageWrites } from './storage-write.js';
import { watchWorkerSockets } from './worker-sockets.js';

/** What a browser context did, as {@link recordActivity} saw it happen. */
export interface Activity {
  /** Every request URL, WebSocket URL (`ws:`, `wss:`, workers' included) included, in the order made. */
  readonly requests: readonly string[];
  /** Every cookie set, when it was set: by a `Set-Cookie` header, `document.cookie` or `cookieStore.set`. */
  readonly cookies: readonly ObservedCookie[];
  /** Every storage key written and IndexedDB database opened, once each, in the order first seen. */
  readonly storage: readonly ObservedStorage[];
  /**
   * Adds what every frame of `page` holds now in storage (keys written by property assignment call
   * no method), once the page's storage writes are watched through DevTools too.
   */
  readStorage(page: Page): Promise<void>;
  /** Resolves once the `Set-Cookie` headers of the responses received so far have been read. */
  settled(): Promise<void>;
}

const cookieBinding = '__optinAuditCookieWrite';
const storageBinding = '__optinAuditStorageWrite';

/**
 * Records what every page and frame of `context` does, as it does it: requests, WebSocket connections
 * (which fire no request event; those of shared and service workers, which no page reports, too),
 * cookie writes (so that a cookie set, used and deleted, or expiring, before the audit reads the jar
 * is still seen) and storage writes (those made while a page unloads too: see `watchDomStorage`).
 * Call it before the first page opens.
 *
 * Requests are seen where Chromium's network stack sees them, by DevTools request interception on
 * the whole browser (`Fetch.enable` on the browser session), not by the page's events: a request a
 * document sends as it unloads (`sendBeacon` in `beforeunload`, `pagehide` or `unload`, a keepalive
 * `fetch`, an image) is handed to the browser process, where no page event reports it. Every
 * request is let through unchanged. `context` must be the only one of `browser` (as in `audit`):
 * the interception sees every context of the browser.
 */
export async function recordActivity(browser: Browser, context: BrowserContext): Promise<Activity> {
  const requests: string[] = [];
  const cookies: ObservedCookie[] = [];
  const storage: ObservedStorage[] = [];
  const stored = (item: ObservedStorage) => {
    if (!storage.some((s) => s.area === item.area && s.name === item.name && s.origin === item.origin))
      storage.push({ area: item.area, name: item.name, origin: item.origin });
  };
  const pending = new Set<Promise<void>>();
  const written = (header: string, url: string) => {
    let host: string;
    try {
      host = new URL(url).hostname;
    } catch {
      return;
    }
    const cookie = host && cookieWritten(header, host);
    if (cookie) cookies.push(cookie);
  };

  const workers = await watchWorkerSockets(browser, (url) => requests.push(url));
  const session = await browser.newBrowserCDPSession();
  session.on('Fetch.requestPaused', ({ requestId, request }) => {
    requests.push(request.url + (request.urlFragment ?? ''));
    // A worker's script is held until the worker is listened to (see watchWorkerSockets).
    void workers.ready().then(() => session.send('Fetch.continueRequest', { requestId }).catch(() => undefined));
  });
  await session.send('Fetch.enable', { patterns: [{ urlPattern: '*' }] });
  const watched = new Set<Promise<void>>();
  context.on('page', (page) => {
    page.on('websocket', (socket) => requests.push(socket.url()));
    watched.add(watchDomStorage(context, page, stored).catch(() => undefined));
  });
  context.on('response', (response) => {
    const read = response
      .headerValues('set-cookie')
      .then((headers) => headers.forEach((header) => written(header, response.url())))
      .catch(() => undefined)
      .finally(() => pending.delete(read));
    pending.add(read);
  });
  await context.exposeBinding(cookieBinding, ({ frame, page }, header: unknown) => {
    // A script-made frame (`about:blank`) writes the cookies of the page that made it.
    if (typeof header === 'string') written(header, /^https?:/.test(frame.url()) ? frame.url() : page.url());
  });
  await context.exposeBinding(storageBinding, (_source, write: unknown) => {
    if (isStorageWrite(write)) stored(write);
  });
  await context.addInitScript(watchCookieWrites, cookieBinding);
  await context.addInitScript(watchStorageWrites, storageBinding);
  return {
    requests,
    cookies,
    storage,
    readStorage: async (page) => {
      await Promise.all(watched);
      const frames = await Promise.all(page.frames().map((frame) => frame.evaluate(storedNow).catch(() => [])));
      for (const item of frames.flat()) if (isStorageWrite(item)) stored(item);
    },
    settled: async () => {
      await Promise.all(pending);
    },
  };
}

/**
 * Runs in every frame before its scripts: reports each `document.cookie` write and `cookieStore.set`
 * through the binding named `name`, as a `Set-Cookie`-like string, then lets it through unchanged.
 */
function watchCookieWrites(name: string): void {
  const report = (globalThis as unknown as Record<string, ((header: string) => Promise<void>) | undefined>)[name];
  if (!report) return;
  const send = (header: string) => void report(header).catch(() => undefined);
  const cookie = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  if (cookie?.set)
    Object.defineProperty(Document.prototype, 'cookie', {
      ...cookie,
      set(this: Document, value: unknown) {
        cookie.set?.call(this, value);
        send(String(value));
      },
    });
  interface CookieInit {
    name?: string;
    value?: string;
    domain?: string | null;
    expires?: number | null;
  }
  type CookieSet = (this: unknown, nameOrInit: string | CookieInit, value?: string) => Promise<void>;
  const store = (globalThis as { CookieStore?: { prototype: { set: CookieSet } } }).CookieStore?.prototype;
  const storeSet = store?.set;
  if (store && storeSet)
    store.set = function (this: unknown, ...args: Parameters<CookieSet>) {
      const [nameOrInit, value] = args;
      const init = typeof nameOrInit === 'string' ? { name: nameOrInit, value: value ?? '' } : nameOrInit;
      send(
        `${init.name ?? ''}=${init.value ?? ''}${init.domain ? `; Domain=${init.domain}` : ''}${
          typeof init.expires === 'number' ? `; Expires=${new Date(init.expires).toUTCString()}` : ''
        }`,
      );
      return storeSet.apply(this, args);
    };
}
