import type { ObservedCookie } from './audit-findings.js';

const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** The earliest time Chrome's cookie jar keeps (1601-01-01, Windows' epoch): a year before 1601 is read as it. */
const earliest = Date.UTC(1601, 0, 1);

/**
 * The time a cookie's `Expires` attribute names, read as Chromium reads it
 * (net/cookies/cookie_util.cc `ParseCookieExpirationTime`), or `null` for a value that is no
 * cookie date (the attribute is then ignored: the cookie lasts the session). Tokens are split on
 * the delimiters of RFC 6265 §5.1.1 and read in any order: the first starting with the first three
 * letters of a month; the first of digits only with colons, exactly `h:m:s`; the first of one or
 * two digits only, the day; the next of up to five digits only, the year (70-99 is 19xx, 0-69 is
 * 20xx; before 1601, the earliest time, in the past). A token with anything after its digits
 * (`00:00:00GMT`, `1st`, `1970GMT`) is skipped. A day or time out of range, or a day the month does
 * not have, makes it no date. V8's `Date.parse` reads what Chrome refuses (`0` as the year 2000, a
 * deletion) and two-digit years otherwise (`60` as 1960).
 *
 * @example
 * cookieDate('Fri, 01 Jan 60 00:00:00 GMT'); // Date.UTC(2060, 0, 1)
 * cookieDate('Thu, 01 Jan 1970 00:00:00GMT'); // null
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
    if (!/^\d/.test(token)) {
      const mm = months.indexOf(token.slice(0, 3).toLowerCase());
      if (month === undefined && mm >= 0) month = mm;
    } else if (token.includes(':')) {
      const hms = /^(\d+):(\d+):(\d+)$/.exec(token);
      if (!time && hms) time = [Number(hms[1]), Number(hms[2]), Number(hms[3])];
    } else if (/^\d+$/.test(token)) {
      if (day === undefined && token.length <= 2) day = Number(token);
      else if (year === undefined && token.length <= 5) year = Number(token);
    }
  }
  if (!time || day === undefined || month === undefined || year === undefined) return null;
  if (year >= 70 && year <= 99) year += 1900;
  else if (year >= 0 && year <= 69) year += 2000;
  const [hour, minute, second] = time;
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  const at = new Date(0);
  at.setUTCFullYear(year, month, day);
  at.setUTCHours(hour, minute, second, 0);
  // A date that does not exist (31 February) rolls over into the next month.
  if (at.getUTCDate() !== day) return null;
  return year < 1601 ? earliest : at.getTime();
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
