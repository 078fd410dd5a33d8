import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { allGranted, backends, mid, postJson, receipt, useCollector } from './helpers.js';

describe.each(backends)('what one unauthenticated request may store ($name)', (backend) => {
  const live = useCollector(backend);
  const skip = backend.skip;

  it.skipIf(skip)('refuses a batch whose context, stored with each message, is over 4 KB', async () => {
    const before = (await live.storage.counts()).events;
    const batch = Array.from({ length: 500 }, () => ({
      type: 'track',
      event: 'e',
      anonymousId: 'a',
      messageId: mid(),
    }));
    const body = gzipSync(JSON.stringify({ batch, context: { consent: allGranted, blob: 'x'.repeat(31_000) } }));
    const res = await fetch(`${live.url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body,
    });
    expect(res.status).toBe(400);
    const answer = (await res.json()) as { error: { code: string; message: string } };
    expect(answer.error.code).toBe('invalid_body');
    expect(answer.error.message).toMatch(/^context: is \d+ bytes; .* at most 4096 bytes/);
    expect((await live.storage.counts()).events).toBe(before);
    // A context of a few fields, as Segment's libraries send, is taken.
    const small = await postJson(`${live.url}/v1/batch`, {
      batch: batch.slice(0, 2).map((m) => ({ ...m, messageId: mid() })),
      context: { consent: allGranted, library: { name: 'analytics-node', version: '2.0.0' } },
    });
    expect(small.body.accepted).toBe(2);
  });

  it.skipIf(skip)('refuses receipts with more than 64 purposes, Members or overrides of a Member', async () => {
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`p${i}`, true]));
    const base = receipt('learner-many', true);
    const cases = [
      { body: { ...base, purposes: { ...base.purposes, ...many } }, path: 'purposes' },
      { body: { ...base, members: Object.fromEntries(Object.keys(many).map((m) => [m, {}])) }, path: 'members' },
      { body: { ...base, members: { HarvardX: many } }, path: 'members.HarvardX' },
    ];
    const before = (await live.storage.counts()).receipts;
    for (const c of cases) {
      const res = await postJson(`${live.url}/v1/consent`, c.body);
      expect(res, c.path).toMatchObject({
        status: 400,
        body: { error: { code: 'invalid_receipt', errors: [{ path: c.path }] } },
      });
    }
    expect((await live.storage.counts()).receipts).toBe(before);
    const sixtyFour = Object.fromEntries(Object.entries(many).slice(0, 64));
    const fits = { ...base, members: { HarvardX: sixtyFour } };
    expect((await postJson(`${live.url}/v1/consent`, fits)).status).toBe(201);
  });
});
