import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastParseMessage } from '../src/message-fast-path.js';
import { messageSchemas, type MessageType } from '../src/segment-schema.js';

// The fast path must agree with zod: whenever it vouches for a message, zod accepts it and returns
// the same value, key order, `undefined`s and prototypes included (stored JSON is built from it).
const exact = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => {
    if (v === undefined) return '<undefined>';
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) !== Object.prototype)
      return { '<prototype>': Object.getPrototypeOf(v) as unknown, ...v };
    return v;
  });

const types: MessageType[] = ['track', 'page', 'screen', 'identify'];

/** Wrong values of every kind, now and then, in place of a valid one. */
const wrong = fc.oneof(
  fc.constantFrom(null, 1.5, -1, true, [], {}, '', 'x'.repeat(300), [1, 'a'], { a: { b: [] } }),
  fc.anything({ maxDepth: 2 }),
);
const sometimesWrong = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 60, arbitrary: valid }, { weight: 1, arbitrary: wrong });
/** Strings around each length limit. */
const str = (min: number, max: number) =>
  sometimesWrong(
    fc.oneof(
      { weight: 20, arbitrary: fc.string({ minLength: Math.max(min, 1), maxLength: Math.min(max, 12) }) },
      {
        weight: 1,
        arbitrary: fc.constantFrom('', 'x'.repeat(Math.min(max, 9000)), 'x'.repeat(Math.min(max + 1, 9001))),
      },
    ),
  );
const time = sometimesWrong(
  fc.oneof(
    {
      weight: 20,
      arbitrary: fc
        .date({ noInvalidDate: true, min: new Date('1900-01-01'), max: new Date('2200-01-01') })
        .map((d) => d.toISOString()),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '2026-02-29T00:00:00.000Z',
        '2024-02-29T23:59:59.999Z',
        '2026-04-31T00:00:00.000Z',
        '2026-01-01T00:00:00Z',
        '2026-01-01T00:00:00.000+01:00',
        '2026-13-01T00:00:00.000Z',
        '0000-02-29T00:00:00.000Z',
        '+010000-01-01T00:00:00.000Z',
      ),
    },
  ),
);
const key = fc.oneof(
  { weight: 20, arbitrary: fc.string({ minLength: 1, maxLength: 8 }) },
  { weight: 1, arbitrary: fc.constantFrom('', 'k'.repeat(65), '__proto__', '1') },
);
const record = (values: fc.Arbitrary<unknown>) => sometimesWrong(fc.dictionary(key, values, { maxKeys: 4 }));
const json = fc.jsonValue({ maxDepth: 2 });
/** An object with these declared keys (each present or not) and a few others. */
const loose = (shape: Record<string, fc.Arbitrary<unknown>>, requiredKeys: string[] = []) =>
  sometimesWrong(
    fc
      .tuple(
        fc.record(shape, { requiredKeys: requiredKeys.filter((k) => k in shape) }),
        fc.oneof(
          { weight: 3, arbitrary: fc.constant({}) },
          { weight: 1, arbitrary: fc.dictionary(key, json, { maxKeys: 3 }) },
        ),
      )
      .map(([known, extra]) => ({ ...extra, ...known })),
  );

const bool = sometimesWrong(fc.boolean());
const consent = loose(
  {
    policy: fc.oneof(str(0, 200), loose({ id: str(0, 200), version: str(0, 200), hash: str(0, 200) }, ['id'])),
    categoryPreferences: record(bool),
    members: record(record(bool)),
    gpc: bool,
  },
  ['categoryPreferences'],
);
const context = loose({
  consent,
  course: loose({ id: str(1, 400), org: str(1, 128) }),
  session: loose(
    {
      id: str(1, 200),
      seq: sometimesWrong(fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.constantFrom(-0, 2 ** 53))),
    },
    ['id'],
  ),
  page: loose({
    path: str(0, 4096),
    url: str(0, 8192),
    referrer: str(0, 8192),
    search: str(0, 8192),
    title: str(0, 2000),
  }),
  campaign: record(json),
  userAgent: str(0, 2000),
  ip: str(0, 64),
  locale: str(0, 200),
  app: record(json),
  library: record(json),
  purposes: sometimesWrong(fc.array(str(1, 64), { maxLength: 17 })),
});
const message = fc.constantFrom(...types).chain((type) =>
  fc.tuple(
    fc.constant(type),
    loose(
      {
        type: sometimesWrong(fc.constant(type)),
        messageId: str(1, 200),
        anonymousId: str(1, 200),
        userId: fc.oneof(str(1, 200), fc.integer(), fc.double()),
        timestamp: time,
        originalTimestamp: time,
        sentAt: time,
        context,
        integrations: record(json),
        event: str(1, 200),
        name: str(0, 200),
        category: str(0, 200),
        properties: record(json),
        traits: record(json),
      },
      ['type', 'event', 'anonymousId'],
    ),
  ),
);

describe('the message fast path', () => {
  it('returns exactly what zod returns whenever it vouches for a message', () => {
    let vouched = 0;
    fc.assert(
      fc.property(message, ([type, candidate]) => {
        // Through JSON, as bodies arrive (this also drops what JSON cannot carry).
        const text = JSON.stringify(candidate) as string | undefined;
        const input: unknown = text === undefined ? candidate : JSON.parse(text);
        const fast = fastParseMessage(type, input);
        if (fast === undefined) return;
        vouched++;
        const zod = messageSchemas[type].safeParse(input);
        expect(zod.success).toBe(true);
        expect(exact(fast)).toBe(exact(zod.data));
      }),
      { numRuns: 5_000 },
    );
    expect(vouched).toBeGreaterThan(400);
  });

  it('drops __proto__ keys and keeps undefined values the way zod does', () => {
    const input = JSON.parse(
      '{"type":"track","event":"e","anonymousId":"a","__proto__":{"x":1},"properties":{"a":1},"context":{"z":1,"__proto__":{}}}',
    ) as Record<string, unknown>;
    const withUndefined = { ...input, userId: undefined, context: { ...(input.context as object), locale: undefined } };
    for (const candidate of [input, withUndefined]) {
      const fast = fastParseMessage('track', candidate);
      expect(fast).toBeDefined();
      expect(exact(fast)).toBe(exact(messageSchemas.track.parse(candidate)));
    }
    // In a record it gives up: zod decides.
    const inRecord = JSON.parse('{"type":"track","event":"e","anonymousId":"a","properties":{"__proto__":{"y":2}}}');
    expect(fastParseMessage('track', inRecord)).toBeUndefined();
  });

  it('takes the common message (the benchmark one) without zod', () => {
    const common = {
      type: 'track',
      event: 'edx.ui.lms.link_clicked',
      messageId: 'm-1',
      anonymousId: 'f8c2a7e0',
      timestamp: new Date().toISOString(),
      properties: { current_url: 'https://learning.edx.org/course/x' },
      context: {
        consent: { policy: 'edx', categoryPreferences: { analytics: true, marketing: false } },
        course: { id: 'course-v1:HarvardX+CS50+2026_T1' },
        page: { path: '/x', url: 'https://learning.edx.org/x?utm_source=news', referrer: 'https://www.google.com/' },
        session: { id: 's-1', seq: 1 },
        library: { name: 'analytics-node', version: '3.1.0' },
      },
    };
    const fast = fastParseMessage('track', common);
    expect(fast).toBeDefined();
    expect(exact(fast)).toBe(exact(messageSchemas.track.parse(common)));
  });
});
