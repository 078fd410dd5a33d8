/**
 * The page's cookies as `document.cookie` gives them: '' in a sandboxed document (an opaque origin),
 * which may use no cookies (reading them throws there).
 */
export function pageCookies(): string {
  try {
    return document.cookie;
  } catch {
    return '';
  }
}
