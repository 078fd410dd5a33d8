import { h } from './dom.js';

/**
 * The URL as an absolute `http:`/`https:` address, a relative one (`/cookie-policy`) resolved against
 * the page's base URL, or `null` for anything else (`javascript:`, `data:`, junk, none or empty).
 * Resolved as a link of the page resolves it (never by `document.baseURI`, which an element of the
 * page named so replaces); junk has the protocol `:`.
 */
export function safeUrl(url: string | null | undefined): string | null {
  // Empty or missing is no link (resolved, it would be the page itself): `x:` is no http(s) URL.
  const link = h('a', { href: url || 'x:' });
  return /^https?:$/.test(link.protocol) ? link.href : null;
}
