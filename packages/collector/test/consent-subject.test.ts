import { describe, expect, it } from 'vitest';
import type { ConsentReceipt } from '@optin/consent';
import { backends, getJson, mid, postJson, tokens, useCollector } from './helpers.js';

const bearer = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });
const receipt = (subject: string): ConsentReceipt => ({
  subject,
  consentId: mid('c'),
  policy: { id: 'edx', version: '2026-11', hash: 'k3j2' },
  purposes: { necessary: true, analytics: true, marketing: false },
  members: {},
  source: 'banner',
  decidedAt: new Date().toISOString(),
  gpc: false,
});

// Subjects a receipt may have that no URL path carries as they are: dot segments are resolved away
// by every WHATWG client (even written `%2E%2E`), `?` and `#` end the path, `/` splits it.
const awkward = ['.', '..', 'a/b', '/', 'x/../y', 'a?b=1', 'a#b', '%2E', 'a+b c', 'é/ü', '  '];

describe.each(backends)('reading any accepted subject ($name)', (backend) => {
  const { skip } = backend;
  const live = useCollector(backend);

  it.skipIf(skip)('GET /v1/consent?subject= reads every subject POST /v1/consent accepted', async () => {
    for (const subject of awkward) {
      expect((await postJson(`${live.url}/v1/consent`, receipt(subject))).status, subject).toBe(201);
    }
    for (const subject of awkward) {
      for (const query of [
        `subject=${encodeURIComponent(subject)}`,
        new URLSearchParams({ subject }).toString(), // a space as `+`, a `+` as `%2B`
      ]) {
        const res = await getJson(`${live.url}/v1/consent?${query}`, bearer(tokens.platform));
        expect(res.status, query).toBe(200);
        expect(res.body.subject, query).toBe(subject);
      }
    }
    // The path form still reads the subjects a path carries.
    const plain = await getJson(`${live.url}/v1/consent/a%2Bb%20c`, bearer(tokens.platform));
    expect(plain.body.subject).toBe('a+b c');
  });

  it.skipIf(skip)('answers the query form as the path form: platform token only, typed 400s', async () => {
    const url = `${live.url}/v1/consent?subject=..`;
    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect((await getJson(url, bearer(tokens.HarvardX))).status).toBe(403);
    expect((await getJson(`${live.url}/v1/consent?subject=nobody`, bearer(tokens.platform))).status).toBe(404);
    for (const [query, message] of [
      ['', /^subject: /],
      ['subject=', /^subject: /],
      ['subject=a&subject=b', /^subject: given more than once/],
      ['subject=a&who=b', /^who: not a parameter/],
      [`subject=${'x'.repeat(201)}`, /^subject: /],
      ['subject=%00', /^subject: /],
    ] as const) {
      const res = await getJson(`${live.url}/v1/consent?${query}`, bearer(tokens.platform));
      expect(res.status, query).toBe(400);
      expect(res.body.error.code, query).toBe('invalid_query');
      expect(res.body.error.message, query).toMatch(message);
    }
  });

  it.skipIf(skip)('the OpenAPI document describes the query form', async () => {
    const doc = (await getJson(`${live.url}/openapi.json`)).body;
    const get = doc.paths['/v1/consent'].get;
    expect(get.security).toEqual([{ bearer: [] }]);
    expect(get.parameters).toEqual([
      expect.objectContaining({
        name: 'subject',
        in: 'query',
        required: true,
        schema: expect.objectContaining({ type: 'string', maxLength: 200 }),
      }),
    ]);
    expect(Object.keys(get.responses)).toEqual(['200', '400', '401', '403', '404']);
    // Posting: the subject's proof beside the receipt, and what the answer says of it.
    const post = doc.paths['/v1/consent'].post;
    expect(post.requestBody.content['application/json'].schema.allOf[1].properties.subjectProof.type).toBe('string');
    expect(Object.keys(post.responses[201].content['application/json'].schema.properties)).toEqual([
      'stored',
      'subjectProved',
      'reason',
    ]);
  });
});
