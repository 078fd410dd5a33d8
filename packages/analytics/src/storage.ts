/** The value of first-party cookie `name`, or `undefined`. */
export function readCookie(name: string): string | undefined {
  return new RegExp(`(?:^|; )${name}=([^;]*)`).exec(document.cookie)?.[1];
}

/** Sets first-party cookie `name` for `maxAge` seconds on `domain` (the registrable domain) or the host. */
export function writeCookie(name: string, value: string, maxAge: number, domain?: string): void {
  document.cookie = `${name}=${value};Path=/;Max-Age=${maxAge};SameSite=Lax${domain ? `;Domain=${domain}` : ''}${location.protocol === 'https:' ? ';Secure' : ''}`;
}

/**
 * Reads a JSON value from localStorage, or with `value` writes it (removes the key when `value` is
 * `null`). `undefined` when absent; never throws (blocked or full storage: the value lives in memory only).
 */
export function local<T>(key: string, value?: T | null): T | undefined {
  try {
    if (value === undefined) return (JSON.parse(localStorage.getItem(key) ?? 'null') as T | null) ?? undefined;
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // blocked or full
  }
  return undefined;
}
