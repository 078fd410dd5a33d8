import { describe, expect, it } from 'vitest';
import { CollectorError } from '../src/errors.js';
import { allowedOriginList } from '../src/routes/cors.js';
import { backends, startCollector } from './helpers.js';

describe('CORS for pages on another origin', () => {
  const [sqlite] = backends;
  it('answers preflights and allows configured origins on browser routes only', async () => {
    const store = sqlite!.open();
    const { collector, url } = await startCollector(store.storage, { allowedOrigins: ['https://www.edx.org'] });
    try {
      const preflight = await fetch(`${url}/v1/batch`, {
        method: 'OPTIONS',
        headers: { origin: 'https://www.edx.org', 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://www.edx.org');
      expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
      const post = await fetch(`${url}/v1/batch`, {
        method: 'POST',
        headers: { origin: 'https://www.edx.org', 'content-type': 'text/plain' },
        body: '{"batch":[]}',
      });
      expect(post.headers.get('access-control-allow-origin')).toBe('https://www.edx.org');
      // analytics.js posts to the one-letter paths.
      for (const path of ['/v1/t', '/v1/p', '/v1/i', '/v1/b']) {
        const short = await fetch(`${url}${path}`, {
          method: 'OPTIONS',
          headers: { origin: 'https://www.edx.org', 'access-control-request-method': 'POST' },
        });
        expect(short.headers.get('access-control-allow-origin'), path).toBe('https://www.edx.org');
      }
      const other = await fetch(`${url}/v1/batch`, {
        method: 'POST',
        headers: { origin: 'https://evil.example', 'content-type': 'text/plain' },
        body: '{"batch":[]}',
      });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      const api = await fetch(`${url}/v1/members/HarvardX/events`, { headers: { origin: 'https://www.edx.org' } });
      expect(api.headers.get('access-control-allow-origin')).toBeNull();
      // Receipts are posted by browsers; the latest one is read by servers, with the platform token.
      for (const path of ['/v1/consent?subject=learner-1', '/v1/consent', '/v1/consent/learner-1']) {
        const read = await fetch(`${url}${path}`, { headers: { origin: 'https://www.edx.org' } });
        expect(read.headers.get('access-control-allow-origin'), path).toBeNull();
        const preflight = await fetch(`${url}${path}`, {
          method: 'OPTIONS',
          headers: { origin: 'https://www.edx.org', 'access-control-request-method': 'GET' },
        });
        expect(preflight.headers.get('access-control-allow-origin'), path).toBeNull();
      }
      const receiptPreflight = await fetch(`${url}/v1/consent`, {
        method: 'OPTIONS',
        headers: { origin: 'https://www.edx.org', 'access-control-request-method': 'POST' },
      });
      expect(receiptPreflight.headers.get('access-control-allow-origin')).toBe('https://www.edx.org');
    } finally {
      await collector.close();
      await store.dispose();
    }
  });
});

describe('allowed origins, checked at start', () => {
  /** The CollectorError `origins` are refused with, read as `path`. */
  const refusal = (origins: string[], path?: string): unknown => {
    try {
      allowedOriginList(origins, path);
    } catch (error) {
      return error;
    }
    return undefined;
  };

  it('refuses an origin no browser sends, naming its place and the origin to write', () => {
    const cases: [string, string][] = [
      ['https://www.edx.org/', 'https://www.edx.org'],
      ['HTTPS://Learning.edx.org', 'https://learning.edx.org'],
      ['https://www.edx.org:443', 'https://www.edx.org'],
      ['https://www.edx.org/learn?x=1', 'https://www.edx.org'],
    ];
    for (const [origin, written] of cases) {
      const error = refusal(['https://www.edx.org', origin], 'OPTIN_ALLOWED_ORIGINS');
      expect(error, origin).toBeInstanceOf(CollectorError);
      expect(error, origin).toMatchObject({
        code: 'invalid_option',
        issues: [{ path: 'OPTIN_ALLOWED_ORIGINS[1]' }],
      });
      expect((error as CollectorError).hint, origin).toContain(`"${written}"`);
    }
    expect(refusal(['www.edx.org'])).toMatchObject({ code: 'invalid_option', issues: [{ path: 'allowedOrigins[0]' }] });
    expect(refusal(['https://www.edx.org', 'http://localhost:3000', '*'])).toBeUndefined();
  });

  it('stops createCollector before it opens the storage', async () => {
    const store = backends[0]!.open();
    try {
      await expect(startCollector(store.storage, { allowedOrigins: ['https://www.edx.org/'] })).rejects.toMatchObject({
        code: 'invalid_option',
        issues: [{ path: 'allowedOrigins[0]' }],
      });
    } finally {
      await store.dispose();
    }
  });
});
