import { describe, expect, it } from 'vitest';
import { backends, getJson, mid, postJson, tokens, trackMessage, useCollector } from './helpers.js';

describe.each(backends)('strings no database can store ($name)', (backend) => {
  const { skip } = backend;
  const live = useCollector(backend);

  it.skipIf(skip)(
    'refuses NUL characters and unpaired surrogates per message (400 or per-message error, never 5xx)',
    async () => {
      const good = trackMessage();
      const nul = JSON.stringify(trackMessage('HarvardX', { event: 'a\u0000b' }));
      const lone = JSON.stringify(trackMessage('HarvardX', { properties: { x: 'a\ud800b' } }));
      const pair = trackMessage('HarvardX', { properties: { emoji: '😀' } });
      const body = `{"batch":[${JSON.stringify(good)},${nul},${lone},${JSON.stringify(pair)}]}`;
      const res = await postJson(`${live.url}/v1/batch`, body);
      expect(res.status).toBe(200);
      expect(res.body.accepted).toBe(2);
      expect((res.body.errors as { index: number }[]).map((e) => e.index)).toEqual([1, 2]);
      const single = await postJson(`${live.url}/v1/track`, nul);
      expect(single.status).toBe(400);
      const receipt = await postJson(`${live.url}/v1/consent`, {
        subject: 'x\u0000y',
        consentId: mid(),
        policy: { id: 'edx', version: '1', hash: 'h' },
        purposes: {},
        members: {},
        source: 'api',
        decidedAt: new Date().toISOString(),
        gpc: false,
      });
      expect(receipt.status).toBe(400);
    },
  );

  it.skipIf(skip)('refuses them in query strings and paths too: 400, never 5xx', async () => {
    const member = { authorization: `Bearer ${tokens.HarvardX}` };
    const platform = { authorization: `Bearer ${tokens.platform}` };
    for (const query of ['anonymousId=%00', 'event=a%00b', 'userId=%00x', 'courseId=x%00'])
      expect((await getJson(`${live.url}/v1/members/HarvardX/events?${query}`, member)).status, query).toBe(400);
    const subject = await getJson(`${live.url}/v1/consent/a%00b`, platform);
    expect(subject.status).toBe(400);
    expect(subject.body.error.code).toBe('invalid_query');
  });
});

describe.each(backends)('deeply nested properties ($name)', (backend) => {
  const { skip } = backend;
  const live = useCollector(backend);

  it.skipIf(skip)('never answers 5xx for nesting a database cannot parse', async () => {
    for (const depth of [100, 1000, 20_000]) {
      const nested = `${'['.repeat(depth)}${']'.repeat(depth)}`;
      const message = JSON.stringify(trackMessage()).replace('"properties":{', `"properties":{"deep":${nested},`);
      const res = await live.collector.app.inject({
        method: 'POST',
        url: '/v1/track',
        headers: { 'content-type': 'application/json' },
        payload: message,
      });
      expect(res.statusCode, `depth ${depth}: ${res.body.slice(0, 200)}`).toBeLessThan(500);
    }
  });
});
