import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ingestResponseSchema } from '../src/query-schemas.js';
import { allGranted, backends, mid, postJson, useCollector } from './helpers.js';

/** A message whose `categoryPreferences` hold `n` values that are no booleans: `n` errors. */
const manyErrors = (n: number): Record<string, unknown> => {
  const categoryPreferences: Record<string, number> = {};
  for (let i = 0; i < n; i++) categoryPreferences[`k${i}`] = 1;
  return { type: 'page', anonymousId: 'a', context: { consent: { categoryPreferences } } };
};

const post = async (url: string, body: unknown, gzip = false) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(gzip && { 'content-encoding': 'gzip' }) },
    body: gzip ? gzipSync(JSON.stringify(body)) : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, bytes: text.length, body: JSON.parse(text) as Record<string, unknown> };
};

interface Answered {
  index?: number;
  path: string;
  code?: string;
  message: string;
}

describe.each(backends)('errors answered are capped ($name)', (backend) => {
  const { skip } = backend;
  const live = useCollector(backend);

  it.skipIf(skip)('at 10 per message and 100 in all, each cut saying how many more were left out', async () => {
    // 18 messages of 2900 errors each (a 16 KB gzipped body): answered whole, 7 MB.
    const batch = Array.from({ length: 18 }, () => manyErrors(2900));
    const valid = { type: 'page', anonymousId: 'a', messageId: mid('ok'), context: { consent: allGranted } };
    const res = await post(`${live.url}/v1/batch`, { batch: [...batch, valid] }, true);
    // The valid message after the cap is still accepted.
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, accepted: 1 });
    const errors = res.body.errors as Answered[];
    // As /openapi.json describes it (a client generated from it reads the new code).
    expect(ingestResponseSchema.safeParse(res.body).success).toBe(true);
    expect(res.bytes).toBeLessThan(30_000);
    expect(errors).toHaveLength(101);
    expect(errors.slice(0, 10)).toEqual(
      Array.from({ length: 10 }, (_, k) => ({
        index: 0,
        path: `batch[0].context.consent.categoryPreferences.k${k}`,
        message: expect.any(String),
      })),
    );
    expect(errors[10]).toEqual({
      index: 0,
      path: 'batch[0]',
      code: 'too_many_errors',
      message: expect.stringMatching(/^…and 2890 more errors in this message/),
    });
    // 9 messages of 11 entries, then room for one: the 10th message's summary alone.
    expect(errors[99]).toEqual({
      index: 9,
      path: 'batch[9]',
      code: 'too_many_errors',
      message: expect.stringMatching(/^…and 2900 more errors in this message/),
    });
    expect(errors[100]).toEqual({
      index: 10,
      path: 'batch[10]',
      code: 'too_many_errors',
      message: expect.stringMatching(/^…and 23200 more errors, in 8 more messages,/),
    });
  });

  it.skipIf(skip)('on a single-message endpoint: the summary has the path of the message', async () => {
    const res = await post(`${live.url}/v1/page`, manyErrors(2900));
    expect(res.status).toBe(400);
    const errors = res.body.errors as Answered[];
    expect(errors).toHaveLength(11);
    expect(errors[10]).toEqual({
      index: 0,
      path: '',
      code: 'too_many_errors',
      message: expect.stringMatching(/^…and 2890 more errors in this message/),
    });
  });

  it.skipIf(skip)('on POST /v1/consent: 10 errors of a receipt, then how many more', async () => {
    const members: Record<string, Record<string, number>> = {};
    for (let m = 0; m < 64; m++) {
      const o: Record<string, number> = {};
      for (let k = 0; k < 64; k++) o[`k${k}`] = 0;
      members[`m${m}`] = o;
    }
    const receipt = {
      consentId: 'c',
      subject: 's',
      policy: { id: 'edx', version: '1', hash: 'h' },
      purposes: {},
      members,
      source: 'banner',
      decidedAt: new Date().toISOString(),
      gpc: false,
    };
    const res = await post(`${live.url}/v1/consent`, receipt, true);
    expect(res.status).toBe(400);
    expect(res.bytes).toBeLessThan(3_000);
    const { errors, code } = res.body.error as { code: string; errors: Answered[] };
    expect(code).toBe('invalid_receipt');
    expect(errors).toHaveLength(11);
    expect(errors[0]).toEqual({ path: 'members.m0.k0', message: expect.any(String) });
    expect(errors[10]).toEqual({
      path: '',
      code: 'too_many_errors',
      message: expect.stringMatching(/^…and 4086 more errors in this receipt/),
    });
  });
});

describe.each(backends)('a message nesting too deep ($name)', (backend) => {
  const { skip } = backend;
  const live = useCollector(backend);
  const deep = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

  it.skipIf(skip)('is refused with the path of the field that nests too deep', async () => {
    const single = await postJson(`${live.url}/v1/page`, `{"anonymousId":"x","properties":${deep(5000)}}`);
    expect(single.status).toBe(400);
    const path = `properties${'.a'.repeat(32)}`;
    expect(single.body.errors).toEqual([{ index: 0, path, message: 'nests objects or arrays deeper than 32 levels' }]);
    const inBatch = await postJson(
      `${live.url}/v1/batch`,
      `{"batch":[{"type":"page","anonymousId":"x","properties":{"list":[${deep(40)}]}}]}`,
    );
    expect(inBatch.body.errors).toEqual([
      {
        index: 0,
        path: `batch[0].properties.list[0]${'.a'.repeat(30)}`,
        message: 'nests objects or arrays deeper than 32 levels',
      },
    ]);
    const sharedContext = await postJson(`${live.url}/v1/batch`, `{"batch":[],"context":{"x":${deep(40)}}}`);
    expect(sharedContext.body.error).toEqual({
      code: 'invalid_body',
      message: `context.x${'.a'.repeat(32)}: nests deeper than 32 levels`,
    });
  });

  it.skipIf(skip)('a long path is cut', async () => {
    const key = 'k'.repeat(100);
    const body = `{"anonymousId":"x","properties":${`{"${key}":`.repeat(40)}1${'}'.repeat(40)}}`;
    const res = await postJson(`${live.url}/v1/page`, body);
    const [error] = res.body.errors as Answered[];
    expect(error!.path.startsWith(`properties.${key}.kkk`)).toBe(true);
    expect(error!.path.length).toBeLessThanOrEqual(201);
    expect(error!.path.endsWith('…')).toBe(true);
  });
});
