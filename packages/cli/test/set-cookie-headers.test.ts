import { describe, expect, test } from 'vitest';
import { setCookieHeaders } from '../src/set-cookie-headers.js';

describe('setCookieHeaders', () => {
  test('pairs each answer with the URL of the same hop, whichever arrives first, across redirects', () => {
    const found: string[] = [];
    const headers = setCookieHeaders((header, url) => found.push(`${header} ${url}`));
    // The answer to the first hop arrives before its request is known; the redirect hop after.
    headers.answered('7.2', { 'Set-Cookie': 'vid=1; Path=/' });
    headers.requested('7.2', 'http://cdn.vendor.test/sync');
    headers.requested('7.2', 'http://pixel.other.test/hop');
    headers.answered('7.2', { 'set-cookie': 'pid=1\nsid=2', 'content-type': 'text/plain' });
    headers.requested('7.2', 'http://cdn.vendor.test/synced');
    headers.answered('7.2', {});
    expect(found).toEqual([
      'vid=1; Path=/ http://cdn.vendor.test/sync',
      'pid=1 http://pixel.other.test/hop',
      'sid=2 http://pixel.other.test/hop',
    ]);
  });

  test('requests are kept apart by id; an answer to no known request waits', () => {
    const found: string[] = [];
    const headers = setCookieHeaders((header, url) => found.push(`${header} ${url}`));
    headers.requested('a', 'https://a.test/');
    headers.answered('b', { 'set-cookie': 'b=1' });
    expect(found).toEqual([]);
    headers.answered('a', { 'set-cookie': 'a=1' });
    expect(found).toEqual(['a=1 https://a.test/']);
  });
});
