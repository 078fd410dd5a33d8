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
    expect(cookieWritten('novalue', 'edx.org', now)).toBeNull();
  });
});
