import { describe, expect, test } from 'vitest';
import { cookieDate, cookieWritten } from '../src/cookie-write.js';

describe('cookieWritten', () => {
  test('names a cookie as the jar does: on the host that set it, or on .domain for a Domain attribute', () => {
    expect(cookieWritten('_ga=GA1.2; Path=/', 'WWW.edx.org')).toEqual({ name: '_ga', domain: 'www.edx.org' });
    expect(cookieWritten(' _ga = 1; domain=.EDX.org; Max-Age=60', 'www.edx.org')).toEqual({
      name: '_ga',
      domain: '.edx.org',
    });
  });

  test('a deletion or a nameless write sets nothing; Max-Age wins over Expires', () => {
    const now = Date.parse('2026-11-29T00:00:00Z');
    expect(cookieWritten('a=; Max-Age=0', 'edx.org', now)).toBeNull();
    expect(cookieWritten('a=; Expires=Thu, 01 Jan 1970 00:00:00 GMT', 'edx.org', now)).toBeNull();
    expect(cookieWritten('a=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=5', 'edx.org', now)).not.toBeNull();
    expect(cookieWritten('a=1; Expires=Fri, 01 Jan 2027 00:00:00 GMT', 'edx.org', now)).not.toBeNull();
    expect(cookieWritten('=', 'edx.org', now)).toBeNull();
    expect(cookieWritten(' ; Path=/', 'edx.org', now)).toBeNull();
  });

  test('a nameless write sets a cookie with an empty name, as Chrome stores it', () => {
    // document.cookie = 'abc123uid' and '=abc123uid' both set a cookie named '' whose value is the id.
    expect(cookieWritten('abc123uid; path=/', 'www.edx.org')).toEqual({ name: '', domain: 'www.edx.org' });
    expect(cookieWritten('=abc123uid', 'www.edx.org')).toEqual({ name: '', domain: 'www.edx.org' });
    expect(cookieWritten('x; path=/; max-age=0', 'www.edx.org')).toBeNull();
  });

  test('Expires is read by the cookie-date algorithm of RFC 6265 §5.1.1, as Chrome reads it', () => {
    const now = Date.parse('2026-11-29T00:00:00Z');
    // Not a cookie date: the attribute is ignored and the cookie kept for the session (V8's
    // Date.parse read '0' as the year 2000, a deletion).
    expect(cookieWritten('uid=1; path=/; expires=0', 'edx.org', now)).toEqual({ name: 'uid', domain: 'edx.org' });
    expect(cookieWritten('uid=1; expires=yesterday', 'edx.org', now)).not.toBeNull();
    expect(cookieWritten('uid=1; expires=2020-01-01', 'edx.org', now)).not.toBeNull();
    // A two-digit year: 70-99 is 19xx, 0-69 is 20xx (V8 read 60 as 1960, a deletion).
    expect(cookieWritten('uid=1; expires=Fri, 01 Jan 60 00:00:00 GMT', 'edx.org', now)).not.toBeNull();
    expect(cookieWritten('uid=1; expires=Thu, 01 Jan 70 00:00:00 GMT', 'edx.org', now)).toBeNull();
    expect(cookieWritten('uid=1; expires=Wed, 01-Jan-25 00:00:00 GMT', 'edx.org', now)).toBeNull();
    // Any order, any delimiters, the month by its first three letters, the day before the year.
    expect(cookieWritten('uid=1; expires=2025 january 1 00:00:00', 'edx.org', now)).toBeNull();
    expect(cookieWritten('uid=1; expires=00:00:00 1 DECEMBER 2030', 'edx.org', now)).not.toBeNull();
    // Out of range or a date that does not exist: ignored (a session cookie), not a deletion.
    expect(cookieWritten('uid=1; expires=Sat, 31 Feb 2025 00:00:00 GMT', 'edx.org', now)).not.toBeNull();
    expect(cookieWritten('uid=1; expires=Sat, 01 Feb 2025 24:00:00 GMT', 'edx.org', now)).not.toBeNull();
    expect(cookieWritten('uid=1; expires=Sat, 01 Feb 2025', 'edx.org', now)).not.toBeNull();
  });

  // Each as Chromium 13x's cookie jar answered for `document.cookie = 'c=2; expires=<date>'` over a
  // kept `c=1` (net/cookies/cookie_util.cc ParseCookieExpirationTime): 'session' keeps the cookie
  // with no expiry (the date is ignored), 'deleted' removes it, 'kept' keeps it with the date.
  test.each([
    // A token with anything after its digits is no time, day or year.
    ['Thu, 01 Jan 1970 00:00:00GMT', 'session'],
    ['Thu, 01 Jan 1970 12:00:00pm', 'session'],
    ['Thu, 01 Jan 1970 00:00:00xyz', 'session'],
    ['Thu, 01 Jan 1970 00:00:00:00', 'session'],
    ['Thu, 01 Jan 1970 00:00:00Z', 'session'],
    ['Thu, 01 Jan 1970 00:00:0x', 'session'],
    ['Thu, 01 Jan 1970 00::00', 'session'],
    ['Thu, 1st Jan 1970 00:00:00', 'session'],
    ['Thu, 01x Jan 2100 00:00:00', 'session'],
    ['Thu, 01 Jan 1970GMT 00:00:00', 'session'],
    ['Thu, 01Jan 1970 00:00:00', 'session'],
    ['01 Jan 2100x 00:00:00', 'session'],
    ['01 xJan 2100 00:00:00', 'session'],
    ['01 Jan 100000 00:00:00', 'session'],
    // ... it is skipped: a later well-formed one counts.
    ['01 Jan 1970 00:00:00x 00:00:00', 'deleted'],
    ['01 Jan 1970x 2100 00:00:00', 'kept'],
    ['01 1st Jan 2100 00:00:00', 'kept'],
    ['01 Janx 2100 00:00:00', 'kept'],
    // A well-formed time out of range is no date, even with a later one.
    ['01 Jan 2100 24:00:00 00:00:00', 'session'],
    ['01 Jan 2100 23:59:60', 'session'],
    ['0 1 Jan 2100 00:00:00', 'session'],
    ['01 Jan 2100 12:00:00 pm', 'kept'],
    ['01 Jan 1970 0:0:0', 'deleted'],
    ['01 Jan 1970 000:00:000', 'deleted'],
    // The first number of one or two digits is the day, the next of up to five the year.
    ['1 9 Jan 2100 00:00:00', 'deleted'],
    ['Jan 2100 01 00:00:00', 'kept'],
    ['01 Jan 00069 00:00:00', 'kept'],
    ['01 Jan 0 2100 00:00:00', 'deleted'],
    // A year of one digit is 200x; one before 1601 is the earliest time (a deletion), if the day exists.
    ['Thu, 01 Jan 9 00:00:00 GMT', 'deleted'],
    ['Thu, 01 Jan 100 00:00:00 GMT', 'deleted'],
    ['Thu, 01 Jan 1000 00:00:00 GMT', 'deleted'],
    ['Thu, 01 Jan 1600 00:00:00 GMT', 'deleted'],
    ['29 Feb 1600 00:00:00', 'deleted'],
    ['29 Feb 1500 00:00:00', 'session'],
    ['31 Feb 1000 00:00:00', 'session'],
    ['01 Jan 99999 00:00:00', 'kept'],
    ['Thu, 01 Jan 1970 00:00:00 GMT', 'deleted'],
    ['01 Jan 1970 00:00:00 GMT', 'deleted'],
  ])('Expires=%s is %s, as Chromium reads it', (date, chrome) => {
    const now = Date.parse('2026-11-29T00:00:00Z');
    const written = cookieWritten(`c=2; path=/; expires=${date}`, 'edx.org', now);
    const ours = written === null ? 'deleted' : cookieDate(date) === null ? 'session' : 'kept';
    expect(ours).toBe(chrome);
  });
});
