import { cookieDomains } from './domains.js';

/**
 * Where a decision is kept. `read` returns every copy found (a cookie may exist on several
 * domains); `write` returns false when the store silently refused the value. Any method may throw
 * (blocked storage): the consent store then falls back to the next storage, then to memory.
 */
export interface ConsentStorage {
  /** Where the decision is kept: `cookie`, `localStorage` or a custom name. */
  readonly kind: string;
  /** Every stored copy. */
  read(): string[];
  /** Stores the value until `expires`; returns false when the store refused it. */
  write(value: string, expires: Date): boolean;
  /** Removes every copy. */
  clear(): void;
}

/**
 * Keeps the decision in one first-party cookie: `Path=/`, `SameSite=Lax`, `Secure` on https, on
 * `domain` (the registrable domain, e.g. `edx.org`) when given so that every subdomain shares it.
 * Writing removes copies left on other domain variants (an older host-only cookie, say). It goes
 * through the document's own `cookie` accessor, which a page's `<img name="cookie">` cannot shadow.
 */
export function cookieStorage(name: string, cookieDomain?: string): ConsentStorage {
  // `.edx.org` and `edx.org` are one Domain attribute to a browser; none (or '') is host-only.
  const domain = cookieDomain?.replace(/^\./, '') ?? '';
  // The document's own cookie accessor: a page's `<img name="cookie">` or `<form name="cookie">` (course
  // authors' HTML) makes `document.cookie` the element, whose reading and writing threw (no cookie read).
  const set = (value: string, expires: Date, at?: string, path = '/') =>
    Reflect.set(
      Document.prototype,
      'cookie',
      `${name}=${value};Path=${path};Expires=${expires.toUTCString()};SameSite=Lax${at ? `;Domain=${at}` : ''}${
        location.protocol == 'https:' ? ';Secure' : ''
      }`,
      document,
    );
  const read = () =>
    Reflect.get(Document.prototype, 'cookie', document)
      .split(/; */)
      .filter((pair) => pair.startsWith(`${name}=`))
      .map((pair) => pair.slice(name.length + 1));
  // Every variant goes, the host-only copy included (the one written when no domain is given), on
  // every path this page sees: `/learning/x`, `/learning/`, `/learning` and `/` for `/learning/x`
  // (a copy another script or the server scoped to a path would outlive a reset, and be read again).
  // With `keep` (the domain, empty for host-only, then the path), all but that copy, the one a write
  // overwrites: deleted first, the browser would report the choice gone (cookieStore `deleted`) to
  // every tab, which would then read no decision until it is set again.
  const clear = (keep?: string) => {
    for (const at of cookieDomains(location.hostname, domain))
      for (let path = location.pathname; path; path = path.replace(/\/$|[^/]+$/, ''))
        if (keep != (at ?? '') + path) set('', new Date(0), at, path);
  };
  return {
    kind: 'cookie',
    read,
    write(value, expires) {
      clear(domain + '/');
      set(value, expires, domain);
      return read().includes(value);
    },
    clear,
  };
}

/** Keeps the decision in `localStorage` under `key` (it expires with the decision's age). */
export function localStorageStorage(key: string): ConsentStorage {
  return {
    kind: 'localStorage',
    read: () => [localStorage.getItem(key) ?? ''],
    write: (value) => (localStorage.setItem(key, value), localStorage.getItem(key) == value),
    clear: () => localStorage.removeItem(key),
  };
}
