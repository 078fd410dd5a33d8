import { describe, expect, it } from 'vitest';
import { backends, getJson, postJson, tokens, trackMessage, useCollector } from './helpers.js';

const bearer = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });

describe.each(backends)('who reads /metrics ($name)', (backend) => {
  const { skip } = backend;
  const live = useCollector(backend);

  it.skipIf(skip)(
    'without a valid bearer token: 401 in the JSON error shape with a Bearer challenge, and no counter',
    async () => {
      expect((await postJson(`${live.url}/v1/batch`, { batch: [trackMessage()] })).body.accepted).toBe(1);
      for (const headers of [
        {},
        bearer('not-a-token'),
        { authorization: `Basic ${Buffer.from(`${tokens.metrics}:`).toString('base64')}` },
        { authorization: tokens.metrics },
      ]) {
        for (const method of ['GET', 'HEAD']) {
          const res = await fetch(`${live.url}/metrics`, { method, headers });
          const what = `${method} ${JSON.stringify(headers)}`;
          expect(res.status, what).toBe(401);
          expect(res.headers.get('www-authenticate'), what).toMatch(/^Bearer realm="optin-collector"/);
          const text = await res.text();
          expect(text, what).not.toContain('optin_');
          if (method === 'GET') {
            expect(JSON.parse(text), what).toEqual({
              error: { code: 'unauthorized', message: expect.stringContaining('OPTIN_METRICS_TOKEN') },
            });
          }
        }
      }
    },
  );

  it.skipIf(skip)("a Member's token is the wrong scope: 403, no counter", async () => {
    for (const token of [tokens.HarvardX, tokens.MITx]) {
      const res = await getJson(`${live.url}/metrics`, bearer(token));
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: { code: 'forbidden', message: expect.stringContaining('metrics token') } });
    }
  });

  it.skipIf(skip)('the metrics token and the platform token read the Prometheus text', async () => {
    for (const token of [tokens.metrics, tokens.platform]) {
      const res = await fetch(`${live.url}/metrics`, { headers: bearer(token) });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(await res.text()).toMatch(/^optin_messages_accepted_total [1-9]\d*$/m);
    }
    // As Prometheus sends it (`authorization: { type: Bearer }`), and in any letter case of the scheme.
    expect(
      (await fetch(`${live.url}/metrics`, { headers: { authorization: `bearer ${tokens.metrics}` } })).status,
    ).toBe(200);
  });

  it.skipIf(skip)('the metrics token reads nothing else: no event, statistic or receipt (403)', async () => {
    for (const path of [
      '/v1/events',
      '/v1/stats',
      '/v1/members/HarvardX/events',
      '/v1/members/HarvardX/stats',
      '/v1/members/NoSuchMember/events',
      '/v1/consent/learner-1',
    ]) {
      const res = await getJson(`${live.url}${path}`, bearer(tokens.metrics));
      expect(res.status, path).toBe(403);
      expect(Object.keys(res.body as object), path).toEqual(['error']);
      expect(res.body.error.code, path).toBe('forbidden');
    }
  });

  it.skipIf(skip)('every 401 of a read endpoint carries the Bearer challenge (RFC 9110 §11.6.1)', async () => {
    for (const path of ['/v1/events', '/v1/stats', '/v1/members/HarvardX/events', '/v1/consent/learner-1']) {
      const res = await fetch(`${live.url}${path}`);
      expect(res.status, path).toBe(401);
      expect(res.headers.get('www-authenticate'), path).toMatch(/^Bearer realm="optin-collector"/);
    }
  });
});
