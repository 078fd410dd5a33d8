import { doc } from './dom.js';

/**
 * The value of first-party cookie `name`, or `undefined` (also where the document may not use cookies:
 * a sandboxed frame, whose `document.cookie` throws). (The document's own cookies, here and below, which an
 * `<img name="cookie">` of the page's shadows.)
 */
export function readCookie(name: string): string | undefined {
  try {
    return new RegExp(`(?:^|; )${name}=([^;]*)`).exec(doc('cookie') as string)?.[1];
  } catch {
    return undefined;
  }
}

/** Sets first-party cookie `name` for `maxAge` seconds on `domain` (the registrable domain) or the host; never throws. */
export function writeCookie(name: string, value: string, maxAge: number, domain?: string): void {
  try {
    Reflect.set(
      Document.prototype,
      'cookie',
      `${name}=${value};Path=/;Max-Age=${maxAge};SameSite=Lax${domain ? `;Domain=${domain}` : ''}${location.protocol == 'https:' ? ';Secure' : ''}`,
      document,
    );
  } catch {
    // a document that may not use cookies: nothing stored
  }
}

/**
 * Reads a JSON value from localStorage, or with `value` (an object or array) writes it for 13 months,
 * as declared (removes the key when `value` is `null`). `undefined` when absent; one written more than 13 months ago (or
 * stored without its expiry) is absent too, and is removed. Never throws (blocked or full storage: the
 * value lives in memory only).
 */
export function local<T>(key: string, value?: T | null): T | undefined {
  try {
    if (value === undefined) {
      // `{ v: value, e: expiry in ms }`; absent, `JSON.parse(null)` is null and throws here.
      const { v, e } = JSON.parse(localStorage.getItem(key) as string) as { v: T; e: number };
      if (e > Date.now()) return v;
    }
    // (What is written is an object: `null`, or `undefined` for an expired value, removes it.)
    if (value) localStorage.setItem(key, JSON.stringify({ v: value, e: Date.now() + 34128e6 }));
    else localStorage.removeItem(key);
  } catch {
    // absent, blocked or full
  }
  return undefined;
}
