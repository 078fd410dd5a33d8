import type { BrowserContext } from 'playwright-core';
import type { ObservedCookie } from './audit-findings.js';
import { cookieWritten } from './cookie-write.js';

/** What a browser context did, as {@link recordActivity} saw it happen. */
export interface Activity {
  /** Every request URL, WebSocket URL (`ws:`, `wss:`) included, in the order made. */
  readonly requests: readonly string[];
  /** Every cookie set, when it was set: by a `Set-Cookie` header, `document.cookie` or `cookieStore.set`. */
  readonly cookies: readonly ObservedCookie[];
  /** Resolves once the `Set-Cookie` headers of the responses received so far have been read. */
  settled(): Promise<void>;
}

const binding = '__optinAuditCookieWrite';

/**
 * Records what every page and frame of `context` does, as it does it: requests (`context.on('request')`),
 * WebSocket connections (which fire no request event), and cookie writes, so that a cookie set, used
 * and deleted (or expiring) before the audit reads the jar is still seen. Call it before the first page opens.
 */
export async function recordActivity(context: BrowserContext): Promise<Activity> {
  const requests: string[] = [];
  const cookies: ObservedCookie[] = [];
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

  context.on('request', (request) => requests.push(request.url()));
  context.on('page', (page) => page.on('websocket', (socket) => requests.push(socket.url())));
  context.on('response', (response) => {
    const read = response
      .headerValues('set-cookie')
      .then((headers) => headers.forEach((header) => written(header, response.url())))
      .catch(() => undefined)
      .finally(() => pending.delete(read));
    pending.add(read);
  });
  await context.exposeBinding(binding, ({ frame, page }, header: unknown) => {
    // A script-made frame (`about:blank`) writes the cookies of the page that made it.
    if (typeof header === 'string') written(header, /^https?:/.test(frame.url()) ? frame.url() : page.url());
  });
  await context.addInitScript(watchCookieWrites, binding);
  return {
    requests,
    cookies,
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
