import type { ObservedCookie } from './audit-findings.js';

/**
 * The cookie a `Set-Cookie` header or a `document.cookie` write sets, named as the browser's jar
 * names it: on the host that set it (`www.edx.org`), or on `.edx.org` for a `Domain=edx.org`
 * attribute. `null` for a write that deletes (`Max-Age` ≤ 0, or `Expires` in the past) or has no
 * name. A write the browser then refuses (a foreign `Domain`) still counts: the page tried to set it.
 *
 * @example
 * cookieWritten('_ga=GA1.2; Domain=edx.org; Max-Age=63072000', 'www.edx.org'); // { name: '_ga', domain: '.edx.org' }
 */
export function cookieWritten(header: string, host: string, now: number = Date.now()): ObservedCookie | null {
  const [pair = '', ...attributes] = header.split(';');
  const eq = pair.indexOf('=');
  const name = (eq < 0 ? '' : pair.slice(0, eq)).trim();
  if (!name) return null;
  let domain = host.toLowerCase();
  let maxAge: number | undefined;
  let expires: number | undefined;
  for (const attribute of attributes) {
    const at = attribute.indexOf('=');
    const key = (at < 0 ? attribute : attribute.slice(0, at)).trim().toLowerCase();
    const value = at < 0 ? '' : attribute.slice(at + 1).trim();
    if (key === 'max-age' && /^-?\d+$/.test(value)) maxAge = Number(value);
    if (key === 'expires' && !Number.isNaN(Date.parse(value))) expires = Date.parse(value);
    if (key === 'domain' && value.replace(/^\./, '')) domain = `.${value.replace(/^\./, '').toLowerCase()}`;
  }
  // Max-Age wins over Expires (RFC 6265 §5.3).
  const deletes = maxAge !== undefined ? maxAge <= 0 : expires !== undefined && expires <= now;
  return deletes ? null : { name, domain };
}
