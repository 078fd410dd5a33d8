/**
 * The URL as an absolute `http:`/`https:` address, a relative one (`/cookie-policy`) resolved against
 * the page's base URL, or `null` for anything else (`javascript:`, `data:`, junk, none or empty).
 */
export function safeUrl(url: string | null | undefined): string | null {
  try {
    // Empty or missing is no link (resolved, it would be the page itself): `x:` is no http(s) URL.
    const parsed = new URL(url || 'x:', document.baseURI);
    return /^https?:$/.test(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}
