import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../src/stored-event.js';
import { allGranted, backends, getJson, mid, postJson, tokens, trackMessage, useCollector } from './helpers.js';

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
    // Percent-encoding that is not UTF-8 (a lone surrogate's bytes, a stray byte): our shape, our code.
    for (const [path, headers] of [
      ['/v1/consent/%ED%A0%80', platform],
      ['/v1/consent/a%F0', platform],
      ['/v1/members/%FF/events', member],
    ] as const) {
      const res = await getJson(`${live.url}${path}`, headers);
      expect(res.status, path).toBe(400);
      expect(res.body, path).toEqual({ error: { code: 'invalid_url', message: expect.any(String) } });
    }
  });

  it.skipIf(skip)('reads the strings themselves and names the field: the text "\\u0000" is stored', async () => {
    const literal = trackMessage('HarvardX', { properties: { snippet: 'printf("\\u0000 \\ud800")' } });
    const nul = trackMessage('HarvardX', { properties: { ok: 'fine', note: 'a\u0000b' } });
    const key = trackMessage('HarvardX', { properties: { ['k\ud800']: 1 } });
    const res = await postJson(`${live.url}/v1/batch`, { batch: [literal, nul, key] });
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(1);
    expect(res.body.errors).toEqual([
      { index: 1, path: 'batch[1].properties.note', message: expect.stringContaining('NUL') },
      { index: 2, path: 'batch[2].properties["k\\ud800"]', message: expect.stringContaining('surrogate') },
    ]);
    const single = await postJson(`${live.url}/v1/track`, nul);
    expect(single.status).toBe(400);
    expect(single.body.errors[0].path).toBe('properties.note');
    const shared = await postJson(`${live.url}/v1/batch`, {
      batch: [trackMessage()],
      context: { page: { title: 'x\udc00' } },
    });
    expect(shared.status).toBe(400);
    expect(shared.body.error.message).toMatch(/^context\.page\.title: /);
    const receipt = await postJson(`${live.url}/v1/consent`, {
      subject: 'learner',
      consentId: mid(),
      policy: { id: 'edx', version: '1', hash: 'h' },
      purposes: { analytics: true },
      members: { HarvardX: { 'analytics\u0000': false } },
      source: 'api',
      decidedAt: new Date().toISOString(),
      gpc: false,
    });
    expect(receipt.status).toBe(400);
    expect(receipt.body.error.errors).toEqual([
      { path: 'members.HarvardX["analytics\\u0000"]', message: expect.stringContaining('NUL') },
    ]);
    const stored = await getJson(`${live.url}/v1/members/HarvardX/events?anonymousId=anon-1&limit=1000`, {
      authorization: `Bearer ${tokens.HarvardX}`,
    });
    const mine = (stored.body.events as StoredEvent[]).find((e) => e.messageId === literal.messageId);
    expect(mine?.properties).toEqual({ snippet: 'printf("\\u0000 \\ud800")' });
  });
});

describe.each(backends)('text the collector cuts or decodes ($name)', (backend) => {
  const { skip } = backend;
  const live = useCollector(backend);

  it.skipIf(skip)(
    'stores it whole (never half an emoji, never a NUL) and answers every client 200 meanwhile',
    async () => {
      const emoji = '😀';
      const page = (context: Record<string, unknown>) => ({
        type: 'page',
        messageId: mid('cut'),
        anonymousId: `cut-${process.pid}`,
        context: { consent: allGranted, page: { path: '/x', url: 'https://www.edx.org/x' }, ...context },
      });
      const cut = [
        page({ page: { url: `https://www.edx.org/x?utm_source=${encodeURIComponent('a'.repeat(199) + emoji)}` } }),
        page({ page: { url: `https://www.edx.org/x?gclid=${'g'.repeat(199)}${encodeURIComponent(emoji)}` } }),
        page({ campaign: { name: `${'n'.repeat(199)}${emoji}` } }),
        page({ userAgent: `${'x'.repeat(1000 - 22)} edX/org.edx.mobile/1${emoji}` }),
        page({ page: { url: 'https://www.edx.org/x?utm_medium=a%00b' } }),
      ];
      // Other clients' requests, in flight at the same time (they share transactions with the above).
      const others = Array.from({ length: 15 }, () => page({}));
      const all = [...others.slice(0, 8), ...cut, ...others.slice(8)];
      const answers = await Promise.all(all.map((m) => postJson(`${live.url}/v1/page`, m)));
      expect(answers.map((a) => a.status)).toEqual(all.map(() => 200));
      expect(answers.every((a) => a.body.accepted === 1)).toBe(true);
      const res = await getJson(`${live.url}/v1/events?anonymousId=cut-${process.pid}&limit=100`, {
        authorization: `Bearer ${tokens.platform}`,
      });
      const byId = new Map((res.body.events as StoredEvent[]).map((e) => [e.messageId, e]));
      expect(byId.size).toBe(all.length);
      const stored = cut.map((m) => byId.get(m.messageId)!);
      expect(stored[0]!.campaign).toEqual({ source: 'a'.repeat(199) });
      expect(stored[1]!.campaign).toEqual({ gclid: 'g'.repeat(199) });
      expect(stored[2]!.campaign).toEqual({ campaign: 'n'.repeat(199) });
      expect(stored[3]).toMatchObject({ app: 'edX/org.edx.mobile', appVersion: '1' });
      // `%00` decodes to NUL, which no database stores: replaced, as the URL decoder replaces bad bytes.
      expect(stored[4]!.campaign).toEqual({ medium: 'a\ufffdb' });
    },
  );
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
