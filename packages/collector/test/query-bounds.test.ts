import { describe, expect, it } from 'vitest';
import { backends, getJson, tokens, useCollector } from './helpers.js';

const harvard = { authorization: `Bearer ${tokens.HarvardX}` };
const platform = { authorization: `Bearer ${tokens.platform}` };

describe.each(backends)('from and to of /events and /stats ($name)', (backend) => {
  const live = useCollector(backend);
  const paths = ['/v1/members/HarvardX/events', '/v1/members/HarvardX/stats', '/v1/events', '/v1/stats'];
  const read = (path: string, query: string) =>
    getJson(`${live.url}${path}?${query}`, path.startsWith('/v1/members') ? harvard : platform);

  it.skipIf(backend.skip)('a period that ends before it starts, or as it starts, is refused', async () => {
    for (const path of paths)
      for (const query of [
        'from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z',
        'from=2026-11-01T00:00:00Z&to=2026-11-01T00:00:00Z',
        // The same instant written with another offset.
        'from=2026-11-01T01:00:00%2B01:00&to=2026-11-01T00:00:00Z',
      ]) {
        const res = await read(path, query);
        expect(res.status, `${path}?${query}`).toBe(400);
        expect(res.body.error, `${path}?${query}`).toEqual({
          code: 'invalid_query',
          message: 'to: not after from; give a period whose end (to) comes after its start (from)',
        });
      }
  });

  it.skipIf(backend.skip)('stats from a time still to come, with no to (now by default), are refused', async () => {
    const from = new Date(Date.now() + 86_400_000).toISOString();
    for (const path of ['/v1/members/HarvardX/stats', '/v1/stats']) {
      const res = await read(path, `from=${from}`);
      expect(res.status, path).toBe(400);
      expect(res.body.error, path).toEqual({
        code: 'invalid_query',
        message: 'from: not before to (now, when to is not given); give a from in the past, or a to after it',
      });
      // Events from a time still to come are a query that later events answer.
      expect((await read(path.replace('stats', 'events'), `from=${from}`)).status).toBe(200);
    }
  });

  it.skipIf(backend.skip)('a time outside the UTC years 0000-9999 is refused, not a silent miss', async () => {
    for (const path of paths)
      for (const [query, message] of [
        [
          'to=9999-12-31T23:30:00-01:00',
          'to: past 9999-12-31T23:59:59.999Z in UTC; give a time from year 0000 to 9999',
        ],
        [
          'from=0000-01-01T00:30:00%2B01:00',
          'from: before 0000-01-01T00:00:00.000Z in UTC; give a time from year 0000 to 9999',
        ],
      ] as const) {
        const res = await read(path, query);
        expect(res.status, `${path}?${query}`).toBe(400);
        expect(res.body.error, `${path}?${query}`).toEqual({ code: 'invalid_query', message });
      }
  });

  it.skipIf(backend.skip)('a time that is not one says what one looks like', async () => {
    for (const path of paths)
      for (const query of ['from=2026-11-30', 'to=30/11/2026', 'from=2026-11-30T00:00:00']) {
        const res = await read(path, query);
        expect(res.status, `${path}?${query}`).toBe(400);
        expect(res.body.error.code).toBe('invalid_query');
        expect(res.body.error.message, `${path}?${query}`).toMatch(/^(from|to): .*e\.g\. 2026-11-30T00:00:00Z/);
      }
  });

  it.skipIf(backend.skip)('the edges that are times are taken', async () => {
    for (const path of paths)
      for (const query of [
        'from=2026-11-01T00:00:00Z&to=2026-11-01T00:00:00.001Z',
        'to=9999-12-31T23:59:59.999Z',
        'from=0000-01-01T00:00:00Z',
        'from=2026-11-30T00:00:00%2B01:00',
      ])
        expect((await read(path, query)).status, `${path}?${query}`).toBe(200);
  });
});
