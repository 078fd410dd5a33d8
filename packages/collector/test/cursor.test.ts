import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { resolveCredentials } from '../src/credentials.js';
import { createCursorCodec } from '../src/cursor.js';
import {
  backends,
  getJson,
  postJson,
  startCollector,
  testConfig,
  testCredentials,
  tokens,
  trackMessage,
  useCollector,
} from './helpers.js';

describe('event cursors', () => {
  const codec = createCursorCodec(testCredentials.cursorSecret);

  it('give back their position, and only to the secret that made them', () => {
    for (const seq of [0, 1, 41, 2 ** 40, Number.MAX_SAFE_INTEGER])
      expect(codec.decode(codec.encode(seq, 'HarvardX'), 'HarvardX')).toBe(seq);
    const cursor = codec.encode(12_345, 'HarvardX');
    const other = createCursorCodec(Buffer.from('another set of tokens'));
    expect(other.decode(cursor, 'HarvardX')).toBeUndefined();
    const flipped = Buffer.from(cursor, 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(codec.decode(flipped.toString('base64url'), 'HarvardX')).toBeUndefined();
    for (const forged of ['czEyMzQ1', Buffer.from('s12345').toString('base64url'), `${cursor}A`, 'A'.repeat(22)])
      expect(codec.decode(forged, 'HarvardX'), forged).toBeUndefined();
  });

  it('give back their position only in the scope they were made for', () => {
    const cursor = codec.encode(12_345, 'HarvardX');
    expect(codec.decode(cursor, 'MITx')).toBeUndefined();
    expect(codec.decode(cursor, 'harvardx')).toBeUndefined();
    expect(codec.decode(cursor, null)).toBeUndefined();
    expect(codec.decode(codec.encode(12_345, null), null)).toBe(12_345);
    expect(codec.decode(codec.encode(12_345, null), 'HarvardX')).toBeUndefined();
  });
});

describe.each(backends)("a Member's cursor over HTTP ($name)", (backend) => {
  const live = useCollector(backend);
  const harvard = { authorization: `Bearer ${tokens.HarvardX}` };

  it.skipIf(backend.skip)("tells nothing of other Members' events, and still works after a restart", async () => {
    const own = (n: number) => Array.from({ length: n }, () => trackMessage('HarvardX'));
    const first = own(2);
    const later = own(2);
    const batch = [...first, ...Array.from({ length: 40 }, () => trackMessage('MITx')), ...later];
    expect((await postJson(`${live.url}/v1/batch`, { batch })).body.accepted).toBe(44);
    const page = await getJson(`${live.url}/v1/members/HarvardX/events?limit=2`, harvard);
    const cursor = page.body.nextCursor as string;
    // The position is the table's (every Member's events count): it must not be readable.
    const position = (await live.storage.memberEvents('HarvardX', { limit: 2 })).last ?? -1;
    expect(position).toBeGreaterThan(0);
    const bytes = Buffer.from(cursor, 'base64url');
    expect(bytes.toString('latin1')).not.toContain(String(position));
    expect([...bytes]).not.toContain(position);
    // The same tokens make the same cursors in another process (cluster workers, a restart).
    const again = await startCollector(live.storage);
    try {
      const next = await getJson(`${again.url}/v1/members/HarvardX/events?limit=10&cursor=${cursor}`, harvard);
      expect(next.status).toBe(200);
      expect((next.body.events as { messageId: string }[]).map((e) => e.messageId).slice(0, 2)).toEqual(
        later.map((m) => m.messageId),
      );
    } finally {
      await again.collector.app.close();
    }
  });
});

describe.each(backends)("a cursor of another Member's or the platform's pages ($name)", (backend) => {
  const live = useCollector(backend);
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const cursorOf = async (path: string, token: string): Promise<string> => {
    const page = await getJson(`${live.url}${path}?limit=1`, bearer(token));
    expect(page.status, path).toBe(200);
    expect(typeof page.body.nextCursor, path).toBe('string');
    return page.body.nextCursor as string;
  };

  it.skipIf(backend.skip)('is refused: a position of their events is none of this Member', async () => {
    const batch = [
      ...Array.from({ length: 3 }, () => trackMessage('MITx')),
      trackMessage('HarvardX'),
      trackMessage('HarvardX'),
    ];
    expect((await postJson(`${live.url}/v1/batch`, { batch })).body.accepted).toBe(5);
    const mitx = await cursorOf('/v1/members/MITx/events', tokens.MITx);
    const platform = await cursorOf('/v1/events', tokens.platform);
    const harvard = await cursorOf('/v1/members/HarvardX/events', tokens.HarvardX);
    for (const [path, token, cursor] of [
      ['/v1/members/HarvardX/events', tokens.HarvardX, mitx],
      ['/v1/members/HarvardX/events', tokens.HarvardX, platform],
      ['/v1/members/HarvardX/events', tokens.platform, mitx],
      ['/v1/events', tokens.platform, harvard],
    ] as const) {
      const res = await getJson(`${live.url}${path}?cursor=${cursor}`, bearer(token));
      expect(res.status, path).toBe(400);
      expect(res.body.error, path).toEqual({
        code: 'invalid_query',
        message: 'cursor: not a cursor from a previous page',
      });
    }
    // A Member's cursor is its Member's, whoever reads that Member and however its id is written.
    for (const [path, token] of [
      ['/v1/members/HarvardX/events', tokens.HarvardX],
      ['/v1/members/harvardx/events', tokens.HarvardX],
      ['/v1/members/HarvardX/events', tokens.platform],
    ] as const) {
      const res = await getJson(`${live.url}${path}?cursor=${harvard}`, bearer(token));
      expect(res.status, path).toBe(200);
      expect((res.body.events as { memberId: string }[]).map((e) => e.memberId)).toEqual(['HarvardX']);
    }
  });
});

describe.each(backends)("a Member's cursor where its token is the only one that reads events ($name)", (backend) => {
  // No platform token, one Member token: every token that reads events is that Member's.
  const live = useCollector(backend, () => ({
    credentials: resolveCredentials(testConfig, { OPTIN_TOKEN_MITX: tokens.MITx }),
  }));
  const mitx = { authorization: `Bearer ${tokens.MITx}` };

  it.skipIf(backend.skip)('cannot be deciphered by that Member from its own token', async () => {
    const batch = [
      trackMessage('MITx'),
      ...Array.from({ length: 5 }, () => trackMessage('HarvardX')),
      trackMessage('MITx'),
    ];
    expect((await postJson(`${live.url}/v1/batch`, { batch })).body.accepted).toBe(7);
    const page = await getJson(`${live.url}/v1/members/MITx/events?limit=1`, mitx);
    const cursor = page.body.nextCursor as string;
    // The key the collector would derive from the tokens' digests alone, which this Member can compute.
    const digest = createHash('sha256').update(tokens.MITx, 'utf8').digest();
    const derivable = createCursorCodec(createHash('sha256').update(digest).digest());
    expect(derivable.decode(cursor, 'MITx')).toBeUndefined();
    // The cursor still continues the Member's pages.
    const next = await getJson(`${live.url}/v1/members/MITx/events?cursor=${cursor}`, mitx);
    expect(next.status).toBe(200);
    expect((next.body.events as { messageId: string }[]).map((e) => e.messageId)).toEqual([batch[6]?.messageId]);
  });
});

describe.each(backends)('exporting incrementally: the last page has a cursor too ($name)', (backend) => {
  const live = useCollector(backend);
  const harvard = { authorization: `Bearer ${tokens.HarvardX}` };
  const ids = (page: { body: { events: { messageId: string }[] } }) => page.body.events.map((e) => e.messageId);
  const read = (cursor?: string) =>
    getJson(`${live.url}/v1/members/HarvardX/events?limit=2${cursor ? `&cursor=${cursor}` : ''}`, harvard);

  it.skipIf(backend.skip)('following the last cursor later returns only the events that came since', async () => {
    const none = await read();
    expect(none.body).toMatchObject({ events: [], nextCursor: null, hasMore: false });

    const first = Array.from({ length: 3 }, () => trackMessage('HarvardX'));
    expect((await postJson(`${live.url}/v1/batch`, { batch: first })).body.accepted).toBe(3);
    const one = await read();
    expect(one.body.hasMore).toBe(true);
    expect(ids(one)).toEqual(first.slice(0, 2).map((m) => m.messageId));
    const two = await read(one.body.nextCursor as string);
    expect(ids(two)).toEqual([first[2]!.messageId]);
    expect(two.body.hasMore).toBe(false);
    expect(typeof two.body.nextCursor).toBe('string');
    // Nothing new yet: an empty page, no cursor (a loop on `nextCursor` still ends); the one sent keeps the place.
    const empty = await read(two.body.nextCursor as string);
    expect(empty.body).toMatchObject({ events: [], hasMore: false, nextCursor: null });

    const later = Array.from({ length: 2 }, () => trackMessage('HarvardX'));
    const others = [trackMessage('MITx')];
    expect((await postJson(`${live.url}/v1/batch`, { batch: [...others, ...later] })).body.accepted).toBe(3);
    const next = await read(two.body.nextCursor as string);
    expect(ids(next)).toEqual(later.map((m) => m.messageId));
    expect(next.body.hasMore).toBe(false);
  });
});

describe("a sole Member's cursors with OPTIN_CURSOR_SECRET", () => {
  // No platform token, one Member token (see above): the cursor secret is the tokens' and this one.
  const sole = (secret?: string) =>
    resolveCredentials(testConfig, { OPTIN_TOKEN_MITX: tokens.MITx, OPTIN_CURSOR_SECRET: secret }).cursorSecret;

  it('are the same in every process given the same secret (the workers of one serve), and random without', () => {
    expect(sole('s3cret-of-the-deployment')).toEqual(sole('s3cret-of-the-deployment'));
    expect(sole('s3cret-of-the-deployment')).not.toEqual(sole('another'));
    expect(sole()).not.toEqual(sole());
  });

  it('are left to the tokens where one is unknown to every Member (the platform token set)', () => {
    const withPlatform = (secret?: string) =>
      resolveCredentials(testConfig, {
        OPTIN_TOKEN_MITX: tokens.MITx,
        OPTIN_PLATFORM_TOKEN: tokens.platform,
        OPTIN_CURSOR_SECRET: secret,
      }).cursorSecret;
    expect(withPlatform('one')).toEqual(withPlatform('two'));
  });
});
