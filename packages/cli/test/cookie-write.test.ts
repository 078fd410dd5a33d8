import { describe, expect, test } from 'vitest';
import { cookieWritten } from '../src/cookie-write.js';

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
    expect(cookieWritten('uid=1; expires=Thu, 01 Jan 1600 00:00:00 GMT', 'edx.org', now)).not.toBeNull();
    expect(cookieWritten('uid=1; expires=Sat, 31 Feb 2025 00:00:00 GMT', 'edx.org', now)).not.toBeNull();
    expect(cookieWritten('uid=1; expires=Sat, 01 Feb 2025 24:00:00 GMT', 'edx.org', now)).not.toBeNull();
    expect(cookieWritten('uid=1; expires=Sat, 01 Feb 2025', 'edx.org', now)).not.toBeNull();
  });
});
