import type { ObservedCookie } from './audit-findings.js';

const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * The time a cookie's `Expires` attribute names, read by the cookie-date algorithm of RFC 6265
 * §5.1.1 as Chrome reads it, or `null` for a value that is no cookie date (the attribute is then
 * ignored: the cookie lasts the session). Tokens are split on the delimiters, in any order: the
 * first `hh:mm:ss`, the first day of one or two digits, the first month by its first three
 * letters, the first year of two to four digits (70-99 is 19xx, 0-69 is 20xx); each may be
 * followed by a non-digit and anything. V8's `Date.parse` reads what Chrome refuses (`0` as the
 * year 2000, a deletion) and two-digit years otherwise (`60` as 1960).
 *
 * @example
 * cookieDate('Fri, 01 Jan 60 00:00:00 GMT'); // Date.UTC(2060, 0, 1)
 * cookieDate('0'); // null
 */
export function cookieDate(value: string): number | null {
  let time: [number, number, number] | undefined;
  let day: number | undefined;
  let month: number | undefined;
  let year: number | undefined;
  // delimiter = %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E
  for (const token of value.split(/[\t\x20-\x2f\x3b-\x40\x5b-\x60\x7b-\x7e]+/)) {
    if (!token) continue;
    const hms = time ? null : /^(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\D|$)/.exec(token);
    if (hms) {
      time = [Number(hms[1]), Number(hms[2]), Number(hms[3])];
      continue;
    }
    const dd = day === undefined ? /^(\d{1,2})(?:\D|$)/.exec(token) : null;
    if (dd) {
      day = Number(dd[1]);
      continue;
    }
    const mm = month === undefined ? months.indexOf(token.slice(0, 3).toLowerCase()) : -1;
    if (mm >= 0) {
      month = mm;
      continue;
    }
    const yy = year === undefined ? /^(\d{2,4})(?:\D|$)/.exec(token) : null;
    if (yy) year = Number(yy[1]);
  }
  if (!time || day === undefined || month === undefined || year === undefined) return null;
  if (year >= 70 && year <= 99) year += 1900;
  else if (year >= 0 && year <= 69) year += 2000;
  const [hour, minute, second] = time;
  if (day < 1 || day > 31 || year < 1601 || hour > 23 || minute > 59 || second > 59) return null;
  const at = new Date(0);
  at.setUTCFullYear(year, month, day);
  at.setUTCHours(hour, minute, second, 0);
  // A date that does not exist (31 February) rolls over into the next month.
  return at.getUTCDate() === day ? at.getTime() : null;
}

/**
 * The cookie a `Set-Cookie` header or a `document.cookie` write sets, named as the browser's jar
 * names it: on the host that set it (`www.edx.org`), or on `.edx.org` for a `Domain=edx.org`
 * attribute. A write without `=` (`abc123uid`) or before it (`=abc123uid`) sets a cookie named `''`,
 * as Chrome stores it. `null` for a write that deletes (`Max-Age` ≤ 0, or an `Expires` cookie date in
 * the past: {@link cookieDate}) or has neither name nor value. A write the browser then refuses (a
 * foreign `Domain`) still counts: the page tried to set it.
 *
 * @example
 * cookieWritten('_ga=GA1.2; Domain=edx.org; Max-Age=63072000', 'www.edx.org'); // { name: '_ga', domain: '.edx.org' }
 */
export function cookieWritten(header: string, host: string, now: number = Date.now()): ObservedCookie | null {
  const [pair = '', ...attributes] = header.split(';');
  const eq = pair.indexOf('=');
  const name = (eq < 0 ? '' : pair.slice(0, eq)).trim();
  const value = (eq < 0 ? pair : pair.slice(eq + 1)).trim();
  if (!name && !value) return null;
  let domain = host.toLowerCase();
  let maxAge: number | undefined;
  let expires: number | undefined;
  for (const attribute of attributes) {
    const at = attribute.indexOf('=');
    const key = (at < 0 ? attribute : attribute.slice(0, at)).trim().toLowerCase();
    const value = at < 0 ? '' : attribute.slice(at + 1).trim();
    if (key === 'max-age' && /^-?\d+$/.test(value)) maxAge = Number(value);
    if (key === 'expires') expires = cookieDate(value) ?? expires;
    if (key === 'domain' && value.replace(/^\./, '')) domain = `.${value.replace(/^\./, '').toLowerCase()}`;
  }
  // Max-Age wins over Expires (RFC 6265 §5.3).
  const deletes = maxAge !== undefined ? maxAge <= 0 : expires !== undefined && expires <= now;
  return deletes ? null : { name, domain };
}
