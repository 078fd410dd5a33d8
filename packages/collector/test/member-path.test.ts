import { describe, expect, it } from 'vitest';
import { backends, getJson, postJson, tokens, trackMessage, useCollector } from './helpers.js';

const bearer = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });

describe.each(backends)('the Member of a read path ($name)', (backend) => {
  const { skip } = backend;
  const live = useCollector(backend);

  it.skipIf(skip)(
    "is found in any letter case, as orgs are: a Member's own token reads it, answered under its config id",
    async () => {
      const sent = trackMessage('HarvardX');
      expect((await postJson(`${live.url}/v1/batch`, { batch: [sent] })).body.accepted).toBe(1);
      for (const member of ['HarvardX', 'harvardx', 'HARVARDX', 'hArVaRdX']) {
        for (const token of [tokens.HarvardX, tokens.platform]) {
          const events = await getJson(`${live.url}/v1/members/${member}/events`, bearer(token));
          expect(events.status, member).toBe(200);
          expect(events.body.member, member).toBe('HarvardX');
          expect(
            events.body.events.map((e: { messageId: string }) => e.messageId),
            member,
          ).toContain(sent.messageId);
          const stats = await getJson(`${live.url}/v1/members/${member}/stats`, bearer(token));
          expect(stats.status, member).toBe(200);
          expect(stats.body.member, member).toBe('HarvardX');
        }
      }
    },
  );

  it.skipIf(skip)("never opens another Member's data by a letter-case or encoding trick", async () => {
    for (const member of ['MITx', 'mitx', 'MITX', 'MIT%78', '%4d%49%54%58', 'NoSuchMember', 'nosuchmember'])
      for (const endpoint of ['events', 'stats']) {
        const res = await getJson(`${live.url}/v1/members/${member}/${endpoint}`, bearer(tokens.HarvardX));
        expect(res.status, member).toBe(403);
        expect(Object.keys(res.body as object), member).toEqual(['error']);
      }
    expect((await getJson(`${live.url}/v1/members/nosuchmember/events`, bearer(tokens.platform))).status).toBe(404);
    // Only the letter case is forgiven: the id's punctuation is part of it.
    expect((await getJson(`${live.url}/v1/members/Harvard-X/events`, bearer(tokens.HarvardX))).status).toBe(403);
  });

  it.skipIf(skip)('names a query parameter given twice instead of a confusing type error (400)', async () => {
    for (const name of ['limit', 'courseId', 'event', 'from', 'cursor']) {
      const value = name === 'limit' ? '5' : name === 'from' ? '2026-01-01T00:00:00Z' : 'x';
      const res = await getJson(
        `${live.url}/v1/members/HarvardX/events?${name}=${value}&${name}=${value}`,
        bearer(tokens.HarvardX),
      );
      expect(res.status, name).toBe(400);
      expect(res.body, name).toEqual({
        error: { code: 'invalid_query', message: `${name}: given more than once; give it once` },
      });
    }
    const stats = await getJson(
      `${live.url}/v1/stats?from=2026-01-01T00:00:00Z&from=2026-02-01T00:00:00Z`,
      bearer(tokens.platform),
    );
    expect(stats.body).toEqual({
      error: { code: 'invalid_query', message: 'from: given more than once; give it once' },
    });
  });
});
