import { createEmailSigner, createEmailVerifier } from '@optin/email';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { backends, emailRequest, getJson, postJson, receipt, tokens, useCollector } from './helpers.js';

const keys = {
  hx: { 'hx-2026': 'harvard-secret-2026-0123456789abcdef-0123' },
  mit: { 'mit-1': 'mit-secret-0123456789abcdef-xyz-0123456' },
};
const verifier = createEmailVerifier({ members: { HarvardX: { keys: keys.hx }, MITx: { keys: keys.mit } } });
const harvard = createEmailSigner({
  memberId: 'HarvardX',
  keys: keys.hx,
  activeKid: 'hx-2026',
  baseUrl: 'http://127.0.0.1',
});
const mit = createEmailSigner({ memberId: 'MITx', keys: keys.mit, activeKid: 'mit-1', baseUrl: 'http://127.0.0.1' });
const human = {
  'user-agent':
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
};
const email = `<!doctype html><html><body><p>Week 3 of CS50 is open.</p>
<a href="https://learning.edx.org/course/week3?utm_source=email&amp;x=1">Start week 3</a>
<a href="https://www.edx.org/about">About</a> <a href="mailto:help@edx.org">Help</a>
</body></html>`;

describe.each(backends)('email pixels and redirects over real HTTP ($name)', (backend) => {
  const { skip } = backend;
  const live = useCollector(backend, { email: verifier });
  const at = (signed: string) => signed.replace('http://127.0.0.1', live.url);
  // Opens a signed pixel or link and waits for its recording, which may go on behind the answer.
  const request = (signed: string, init: RequestInit) => emailRequest(live.url, at(signed), init);
  const events = async () =>
    (await getJson(`${live.url}/v1/members/HarvardX/events?limit=500`, { authorization: `Bearer ${tokens.HarvardX}` }))
      .body.events as { event: string; isBot: boolean; anonymousId: string; properties: Record<string, unknown> }[];
  // The opens and clicks recorded of one email (its message id).
  const eventsOf = async (messageId: string) =>
    (await events()).filter((e) => e.properties.email_message_id === messageId);
  // Whether any open or click of one email was recorded.
  const recorded = async (messageId: string) => (await eventsOf(messageId)).length > 0;

  beforeAll(async () => {
    if (skip) return;
    await postJson(`${live.url}/v1/consent`, receipt('learner-yes', true));
    await postJson(`${live.url}/v1/consent`, receipt('learner-no', false));
  });

  it.skipIf(skip)("a rewritten email's links all redirect to their targets, each click recorded once", async () => {
    const html = harvard.rewriteHtml(email, {
      messageId: 'm-week3',
      sentAt: Date.now() - 600_000,
      recipient: 'ada@example.org',
      campaign: 'week3',
      subject: 'learner-yes',
    });
    const links = [...html.matchAll(/href="([^"]+)"/g)]
      .map((m) => m[1]!.replace(/&amp;/g, '&'))
      .filter((h) => h.includes('/e/c/'));
    expect(links).toHaveLength(2);
    const targets = [];
    for (const link of links) {
      const res = await request(link, { redirect: 'manual', headers: human });
      expect(res.status).toBe(302);
      targets.push(res.headers.get('location'));
    }
    expect(targets).toEqual([
      'https://learning.edx.org/course/week3?utm_source=email&x=1',
      'https://www.edx.org/about',
    ]);
    const pixel = /<img[^>]+src="([^"]+)"/.exec(html)![1]!.replace(/&amp;/g, '&');
    const gif = await request(pixel, { headers: human });
    expect(gif.headers.get('content-type')).toBe('image/gif');
    expect(gif.headers.get('cache-control')).toMatch(/no-store/);
    expect(
      Buffer.from(await gif.arrayBuffer())
        .subarray(0, 6)
        .toString(),
    ).toBe('GIF89a');
    const stored = await eventsOf('m-week3');
    expect(stored.map((e) => e.event).sort()).toEqual([
      'optin.email.clicked',
      'optin.email.clicked',
      'optin.email.opened',
    ]);
    expect(stored.every((e) => !e.isBot)).toBe(true);
    expect(JSON.stringify(stored)).not.toContain('ada@example.org');
    const stats = (
      await getJson(`${live.url}/v1/members/HarvardX/stats`, { authorization: `Bearer ${tokens.HarvardX}` })
    ).body;
    expect(stats.emailClicks).toBeGreaterThanOrEqual(2);
    expect(stats.emailOpens).toBeGreaterThanOrEqual(1);
  });

  it.skipIf(skip)('answers 404 to an email path written otherwise (percent-encoded), recording nothing', async () => {
    const meta = { messageId: 'm-encoded', recipient: 'ada@example.org', subject: 'learner-yes', sentAt: 0 };
    const link = at(harvard.clickUrl('https://www.edx.org/course/cs50', { ...meta, sentAt: Date.now() - 600_000 }));
    const pixel = at(harvard.pixelUrl({ ...meta, sentAt: Date.now() - 600_000 }));
    for (const url of [
      link.replace('/e/c/', '/e/%63/'),
      link.replace('/e/c/', '/%65/c/'),
      link.replace('/e/c/', '/e/%43/'),
      pixel.replace('/e/o/', '/e/%6F/'),
      pixel.replace('/e/o/', '/%65/o/'),
    ]) {
      const res = await fetch(url, { redirect: 'manual', headers: human });
      expect({ url, status: res.status, location: res.headers.get('location') }).toEqual({
        url,
        status: 404,
        location: null,
      });
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
    }
    // The same link as the signer wrote it still redirects (a token percent-encoded after `/e/c/` too).
    const encoded = link.replace(/\/e\/c\/(.)/, (_, c: string) => `/e/c/%${c.charCodeAt(0).toString(16)}`);
    for (const url of [link, encoded]) {
      const res = await emailRequest(live.url, url, { redirect: 'manual', headers: human });
      expect(res.headers.get('location')).toBe('https://www.edx.org/course/cs50');
    }
    const stored = await eventsOf('m-encoded');
    expect(stored.map((e) => e.event)).toEqual(['optin.email.clicked', 'optin.email.clicked']);
  });

  it.skipIf(skip)('1,000 forged links never redirect', async () => {
    const good = harvard.clickUrl('https://www.edx.org/course/cs50', {
      messageId: 'm-forge',
      recipient: 'ada@example.org',
      subject: 'learner-yes',
    });
    const token = good.slice(good.lastIndexOf('/') + 1);
    const expired = harvard.clickUrl('https://www.edx.org/', {
      messageId: 'm-old',
      recipient: 'ada@example.org',
      sentAt: Date.now() - 7200_000,
      expiresAt: Date.now() - 3600_000,
    });
    const otherKey = createEmailSigner({
      memberId: 'HarvardX',
      keys: { 'hx-2026': 'not-harvards-secret-0123456789abcd-01234' },
      activeKid: 'hx-2026',
      baseUrl: 'http://127.0.0.1',
    });
    const asMit = createEmailSigner({
      memberId: 'HarvardX',
      keys: keys.mit,
      activeKid: 'mit-1',
      baseUrl: 'http://127.0.0.1',
    });
    const forged = fc.sample(
      fc.oneof(
        fc
          .tuple(
            fc.nat(token.length - 1),
            fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('')),
          )
          .map(([i, c]) => token.slice(0, i) + c + token.slice(i + 1))
          .filter((t) => t !== token),
        fc.nat(token.length - 2).map((n) => token.slice(0, n + 1)),
        fc.constant(expired.slice(expired.lastIndexOf('/') + 1)),
        fc.webUrl().map((u) => {
          const s = otherKey.clickUrl(u, { messageId: 'x', recipient: 'a@b.c' });
          return s.slice(s.lastIndexOf('/') + 1);
        }),
        fc.webUrl().map((u) => {
          const s = asMit.clickUrl(u, { messageId: 'x', recipient: 'a@b.c' });
          return s.slice(s.lastIndexOf('/') + 1);
        }),
        fc.webUrl().map((u) => {
          const s = mit.clickUrl(u, { messageId: 'x', recipient: 'a@b.c' });
          const m = good.slice(good.lastIndexOf('/') + 1);
          return s.slice(s.lastIndexOf('/') + 1, s.lastIndexOf('/') + 20) + m.slice(19);
        }),
      ),
      1000,
    );
    const before = (await events()).length;
    let redirected = 0;
    for (let i = 0; i < forged.length; i += 50)
      await Promise.all(
        forged.slice(i, i + 50).map(async (t) => {
          const res = await fetch(`${live.url}/e/c/${encodeURIComponent(t)}`, { redirect: 'manual', headers: human });
          if (res.status !== 400 || res.headers.get('location')) redirected++;
          await res.arrayBuffer();
        }),
      );
    expect(redirected).toBe(0);
    expect((await events()).length).toBe(before);
    expect((await request(good, { redirect: 'manual', headers: human })).status).toBe(302);
  });

  it.skipIf(skip)('the longest link the signer takes (4,096 bytes) still redirects', async () => {
    const prefix = 'https://www.edx.org/course/cs50?q=';
    const target = prefix + 'x'.repeat(4096 - prefix.length);
    const link = harvard.clickUrl(target, {
      messageId: 'm-long',
      recipient: 'dee@example.org',
      subject: 'learner-yes',
    });
    expect(link.length).toBeGreaterThan(5000);
    const res = await request(link, { redirect: 'manual', headers: human });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(target);
  });

  it.skipIf(skip)(
    'a recipient who refused analytics still gets redirected, and only an aggregate count is kept',
    async () => {
      const link = harvard.clickUrl('https://www.edx.org/refused', {
        messageId: 'm-refused',
        recipient: 'bob@example.org',
        subject: 'learner-no',
      });
      const res = await request(link, { redirect: 'manual', headers: human });
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('https://www.edx.org/refused');
      expect(await recorded('m-refused')).toBe(false);
      expect(live.collector.metrics.render()).toMatch(/optin_email_total\{kind="click",outcome="aggregate"\} [1-9]/);
    },
  );

  it.skipIf(skip)(
    'records nothing per recipient who refused analytics to the Member, its id in any letter case',
    async () => {
      const refused = { ...receipt('learner-no-hx', true), members: { harvardx: { analytics: false } } };
      expect((await postJson(`${live.url}/v1/consent`, refused)).status).toBe(201);
      const link = harvard.clickUrl('https://www.edx.org/no-hx', {
        messageId: 'm-no-hx',
        recipient: 'fay@example.org',
        subject: 'learner-no-hx',
      });
      const res = await request(link, { redirect: 'manual', headers: human });
      expect(res.headers.get('location')).toBe('https://www.edx.org/no-hx');
      expect(await recorded('m-no-hx')).toBe(false);
    },
  );

  it.skipIf(skip)(
    'reads the purposes of a Member override as events do: a refusal in any letter case or alias wins',
    async () => {
      const cases: { subject: string; members: Record<string, Record<string, boolean>>; recorded: boolean }[] = [
        { subject: 'hx-capital', members: { HarvardX: { Analytics: false } }, recorded: false },
        { subject: 'hx-upper', members: { harvardx: { ANALYTICS: false } }, recorded: false },
        { subject: 'hx-alias', members: { HARVARDX: { Statistics: false } }, recorded: false },
        { subject: 'hx-disagree', members: { HarvardX: { analytics: true, statistics: false } }, recorded: false },
        // Refusals of other purposes, or to another Member, leave analytics granted.
        { subject: 'hx-marketing', members: { HarvardX: { Analytics: true, Advertising: false } }, recorded: true },
        { subject: 'hx-other', members: { MITx: { Analytics: false } }, recorded: true },
      ];
      for (const c of cases) {
        const decided = { ...receipt(c.subject, true), members: c.members };
        expect((await postJson(`${live.url}/v1/consent`, decided)).status).toBe(201);
        // The event path, given the same overrides, keeps an analytics event of HarvardX's course from
        // HarvardX (stored for the platform alone).
        const pageId = `page-${c.subject}-${Date.now()}`;
        const ingest = await postJson(`${live.url}/v1/batch`, {
          batch: [
            {
              type: 'page',
              messageId: pageId,
              anonymousId: c.subject,
              context: {
                consent: { policy: 'edx', categoryPreferences: { analytics: true }, members: c.members },
                course: { id: 'course-v1:HarvardX+CS50+2026_T1' },
              },
            },
          ],
        });
        expect(ingest.body, c.subject).toMatchObject({ accepted: 1, dropped: [] });
        const harvardXPage = await getJson(
          `${live.url}/v1/members/HarvardX/events?type=page&anonymousId=${c.subject}`,
          { authorization: `Bearer ${tokens.HarvardX}` },
        );
        expect(
          (harvardXPage.body.events as { messageId: string }[]).some((e) => e.messageId === pageId),
          c.subject,
        ).toBe(c.recorded);
        const messageId = `m-${c.subject}`;
        const signed = { messageId, recipient: `${c.subject}@example.org`, subject: c.subject };
        const click = await request(harvard.clickUrl(`https://www.edx.org/${c.subject}`, signed), {
          redirect: 'manual',
          headers: human,
        });
        expect(click.headers.get('location')).toBe(`https://www.edx.org/${c.subject}`);
        expect((await request(harvard.pixelUrl(signed), { headers: human })).status).toBe(200);
        const stored = await eventsOf(messageId);
        expect(stored.length, c.subject).toBe(c.recorded ? 2 : 0);
      }
    },
  );

  it.skipIf(skip)(
    "reads a receipt's own purposes as its overrides and events' choices: any letter case or alias, a refusal winning",
    async () => {
      const cases: { subject: string; purposes: Record<string, boolean>; recorded: boolean }[] = [
        { subject: 'top-capital', purposes: { Analytics: true }, recorded: true },
        { subject: 'top-alias', purposes: { Statistics: true }, recorded: true },
        { subject: 'top-disagree', purposes: { analytics: true, Analytics: false }, recorded: false },
        { subject: 'top-alias-refusal', purposes: { analytics: true, statistics: false }, recorded: false },
        { subject: 'top-other', purposes: { analytics: true, Advertising: false }, recorded: true },
      ];
      for (const c of cases) {
        const decided = { ...receipt(c.subject, true), purposes: { necessary: true, ...c.purposes } };
        expect((await postJson(`${live.url}/v1/consent`, decided)).status).toBe(201);
        // The event path, given the same choices, stores (or drops) an analytics event of HarvardX's course.
        const ingest = await postJson(`${live.url}/v1/batch`, {
          batch: [
            {
              type: 'page',
              messageId: `page-${c.subject}-${Date.now()}`,
              anonymousId: c.subject,
              context: {
                consent: { policy: 'edx', categoryPreferences: decided.purposes },
                course: { id: 'course-v1:HarvardX+CS50+2026_T1' },
              },
            },
          ],
        });
        expect(ingest.body.accepted, c.subject).toBe(c.recorded ? 1 : 0);
        const messageId = `m-${c.subject}`;
        const signed = { messageId, recipient: `${c.subject}@example.org`, subject: c.subject };
        expect((await request(harvard.pixelUrl(signed), { headers: human })).status).toBe(200);
        const stored = await eventsOf(messageId);
        expect(stored.length, c.subject).toBe(c.recorded ? 1 : 0);
      }
    },
  );

  it.skipIf(skip)('takes a receipt decided ahead of the server at its arrival, so it never pins consent', async () => {
    const future = { ...receipt('learner-future', true), decidedAt: '2099-01-01T00:00:00.000Z' };
    expect((await postJson(`${live.url}/v1/consent`, future)).status).toBe(201);
    const soon = { ...receipt('learner-future', false), decidedAt: new Date(Date.now() + 60_000).toISOString() };
    expect((await postJson(`${live.url}/v1/consent`, soon)).status).toBe(201); // a client clock a minute fast
    const latest = await getJson(`${live.url}/v1/consent/learner-future`, {
      authorization: `Bearer ${tokens.platform}`,
    });
    expect(latest.body).toMatchObject({ consentId: soon.consentId, purposes: { analytics: false } });
  });

  it.skipIf(skip)('follows the latest decision, not the last receipt to arrive', async () => {
    const refusal = { ...receipt('learner-late', false), decidedAt: '2026-11-20T12:00:00Z' };
    const grant = { ...receipt('learner-late', true), decidedAt: '2026-11-20T11:00:00.000Z' };
    expect((await postJson(`${live.url}/v1/consent`, refusal)).status).toBe(201);
    expect((await postJson(`${live.url}/v1/consent`, grant)).status).toBe(201); // older, posted later
    const latest = await getJson(`${live.url}/v1/consent/learner-late`, { authorization: `Bearer ${tokens.platform}` });
    expect(latest.body).toMatchObject({
      consentId: refusal.consentId,
      purposes: { analytics: false },
      decidedAt: '2026-11-20T12:00:00.000Z',
    });
    const link = harvard.clickUrl('https://www.edx.org/late', {
      messageId: 'm-late',
      recipient: 'dee@example.org',
      subject: 'learner-late',
    });
    const res = await request(link, { redirect: 'manual', headers: human });
    expect(res.headers.get('location')).toBe('https://www.edx.org/late');
    expect(await recorded('m-late')).toBe(false);
  });

  it.skipIf(skip)('records nothing per recipient on an implied grant (opt-out defaults) under opt-in', async () => {
    const implied = { ...receipt('learner-implied', true), implied: true };
    expect((await postJson(`${live.url}/v1/consent`, implied)).status).toBe(201);
    const link = harvard.clickUrl('https://www.edx.org/implied', {
      messageId: 'm-implied',
      recipient: 'eve@example.org',
      subject: 'learner-implied',
    });
    const res = await request(link, { redirect: 'manual', headers: human });
    expect(res.headers.get('location')).toBe('https://www.edx.org/implied');
    const pixel = harvard.pixelUrl({
      messageId: 'm-implied',
      recipient: 'eve@example.org',
      subject: 'learner-implied',
    });
    expect((await request(pixel, { headers: human })).status).toBe(200);
    expect(await recorded('m-implied')).toBe(false);
    // The same grant chosen by the learner is consent.
    expect((await postJson(`${live.url}/v1/consent`, receipt('learner-implied', true))).status).toBe(201);
    await request(link, { redirect: 'manual', headers: human });
    expect(await recorded('m-implied')).toBe(true);
  });

  it.skipIf(skip)('machine opens are stored flagged and not counted as human opens', async () => {
    const pixel = harvard.pixelUrl({ messageId: 'm-mpp', recipient: 'cy@example.org', subject: 'learner-yes' });
    const before = (
      await getJson(`${live.url}/v1/members/HarvardX/stats`, { authorization: `Bearer ${tokens.HarvardX}` })
    ).body.emailOpens as number;
    await request(pixel, { headers: { 'user-agent': 'Mozilla/5.0' } });
    const stored = (await eventsOf('m-mpp'))[0];
    expect(stored?.isBot).toBe(true);
    expect(stored?.properties.machine).toBeTruthy();
    const after = (
      await getJson(`${live.url}/v1/members/HarvardX/stats`, { authorization: `Bearer ${tokens.HarvardX}` })
    ).body.emailOpens;
    expect(after).toBe(before);
  });
});

describe('email keys from the config', () => {
  it('builds the verifier from members[].email and the environment, and names a missing key', async () => {
    const { emailVerifierFromConfig, emailKeyEnv } = await import('../src/email-keys.js');
    const { parseCollectorConfig } = await import('../src/collector-config.js');
    const { edxPolicy } = await import('@optin/consent');
    const config = parseCollectorConfig({
      policy: edxPolicy,
      members: [
        { id: 'HarvardX', orgs: ['HarvardX'], email: { keyId: 'hx-2026' } },
        { id: 'MITx', orgs: ['MITx'] },
      ],
    });
    expect(emailKeyEnv('HarvardX', 'hx-2026')).toBe('OPTIN_EMAIL_HARVARDX_HX_2026');
    const built = emailVerifierFromConfig(config, { OPTIN_EMAIL_HARVARDX_HX_2026: keys.hx['hx-2026'] });
    const token = harvard.clickUrl('https://www.edx.org/', { messageId: 'm', recipient: 'a@b.c' });
    expect(built?.verify(token.slice(token.lastIndexOf('/') + 1), 'click').ok).toBe(true);
    expect(() => emailVerifierFromConfig(config, {})).toThrow(/members\[0\]\.email\.keys\.hx-2026/);
    expect(emailVerifierFromConfig(parseCollectorConfig({ policy: edxPolicy, members: [] }), {})).toBeUndefined();
    // An email block of the wrong shape is an error, not email routes silently off.
    const wrong = parseCollectorConfig({
      policy: edxPolicy,
      members: [{ id: 'HarvardX', orgs: ['HarvardX'], email: { keyId: '' } }],
    });
    expect(() => emailVerifierFromConfig(wrong, {})).toThrow(/invalid_config: members\[0\]\.email\.keyId/);
  });

  it('refuses a short secret, a malformed key id or one secret of two Members at their config paths', async () => {
    const { emailVerifierFromConfig } = await import('../src/email-keys.js');
    const { parseCollectorConfig } = await import('../src/collector-config.js');
    const { edxPolicy } = await import('@optin/consent');
    const members = (hx: object, mit: object = {}) =>
      parseCollectorConfig({
        policy: edxPolicy,
        members: [
          { id: 'HarvardX', orgs: ['HarvardX'], email: hx },
          { id: 'MITx', orgs: ['MITx'], email: mit },
        ],
      });
    const refusal = (build: () => unknown) => {
      try {
        build();
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const short = refusal(() =>
      emailVerifierFromConfig(members({ keyId: 'hx-2026' }), { OPTIN_EMAIL_HARVARDX_HX_2026: 'short' }),
    );
    expect(short).toMatchObject({
      name: 'CollectorError',
      code: 'invalid_config',
      issues: [
        { path: 'members[0].email.keys.hx-2026', message: expect.stringContaining('env:OPTIN_EMAIL_HARVARDX_HX_2026') },
      ],
    });
    expect(String(short)).not.toContain('short');
    const secret = keys.hx['hx-2026'];
    expect(
      refusal(() => emailVerifierFromConfig(members({ keys: { 'hx 2026': 'env:HX' } }), { HX: secret })),
    ).toMatchObject({ code: 'invalid_config', issues: [{ path: 'members[0].email.keys[0]' }] });
    // A key map written the wrong way round, a secret (`openssl rand -base64 32`) as the key id: never repeated.
    const base64 = 'q8Vx0Jt3+Yb/2Lk9mWnR4sPz7cD1eF6gH5iJ0kL2mNo=';
    const swapped = refusal(() =>
      emailVerifierFromConfig(members({ keys: { 'hx-1': 'env:HX', [base64]: 'env:HX' } }), { HX: secret }),
    );
    expect(swapped).toMatchObject({
      code: 'invalid_config',
      issues: [{ path: 'members[0].email.keys[1]', message: expect.stringContaining('env:HX') }],
    });
    expect(String(swapped)).not.toContain(base64);
    expect(JSON.stringify(swapped)).not.toContain(base64);
    expect(
      refusal(() =>
        emailVerifierFromConfig(members({ keys: { 'hx-1': 'env:HX' } }, { keys: { 'mit-1': 'env:MIT' } }), {
          HX: secret,
          MIT: secret,
        }),
      ),
    ).toMatchObject({ code: 'invalid_config', issues: [{ path: 'members[1].email.keys.mit-1' }] });
  });

  it('never prints a secret written as a key id: a reference not set, or a key id as the value', async () => {
    const { emailVerifierFromConfig } = await import('../src/email-keys.js');
    const { subjectVerifierFromConfig } = await import('../src/subject-keys.js');
    const { parseCollectorConfig } = await import('../src/collector-config.js');
    const { edxPolicy } = await import('@optin/consent');
    const hex = 'ab12'.repeat(16); // `openssl rand -hex 32`: a well-formed key id too
    const config = (email: object, collector: object = {}) =>
      parseCollectorConfig({
        policy: edxPolicy,
        members: [{ id: 'HarvardX', orgs: ['HarvardX'], email: { keys: { 'hx-1': 'env:HX' } } }],
        collector: { email, ...collector },
      });
    const refusal = (build: () => unknown) => {
      try {
        build();
      } catch (error) {
        return error as Error & { code: string; issues: { path: string; message: string }[] };
      }
      throw new Error('not refused');
    };
    const env = { HX: keys.hx['hx-2026'] };
    for (const [email, code, path] of [
      [{ keys: { [hex]: 'env:EDX_EMAIL_KEY' } }, 'missing_secret', 'collector.email.keys[0]'],
      [{ keys: { 'edx-1': 'env:HX', [hex]: 'edx-2026' } }, 'invalid_config', 'collector.email.keys[1]'],
      [{ keys: { [hex]: 'edx-2026' } }, 'invalid_config', 'collector.email.keys[0]'],
    ] as const) {
      const error = refusal(() => emailVerifierFromConfig(config(email), env));
      expect(error).toMatchObject({ code, issues: [{ path }] });
      expect(JSON.stringify(error.issues)).not.toContain(hex);
      expect(String(error)).not.toContain(hex);
    }
    // A key id (even a long one) with a reference is named.
    expect(
      refusal(() => emailVerifierFromConfig(config({ keys: { 'edx-email-2026-rotation-b': 'env:EDX' } }), env)),
    ).toMatchObject({ code: 'missing_secret', issues: [{ path: 'collector.email.keys.edx-email-2026-rotation-b' }] });
    // Subject-proof keys the same way.
    for (const subjectKeys of [{ [hex]: 'env:EDX_SUBJECT_KEY' }, { [hex]: 'edx-2026' }]) {
      const error = refusal(() =>
        subjectVerifierFromConfig(config({ keys: { 'edx-1': 'env:HX' } }, { subjectKeys }), env),
      );
      expect(error.issues[0]!.path).toBe('collector.subjectKeys[0]');
      expect(JSON.stringify(error.issues)).not.toContain(hex);
      expect(String(error)).not.toContain(hex);
    }
  });

  it('names two Members (or a Member and the platform) whose key ids make one environment variable name', async () => {
    const { emailVerifierFromConfig } = await import('../src/email-keys.js');
    const { parseCollectorConfig } = await import('../src/collector-config.js');
    const { edxPolicy } = await import('@optin/consent');
    const refusal = (build: () => unknown) => {
      try {
        build();
      } catch (error) {
        return error;
      }
      return undefined;
    };
    // `Harvard` + `x-2026` and `Harvard.X` + `2026` both read OPTIN_EMAIL_HARVARD_X_2026: one key for two Members.
    const config = parseCollectorConfig({
      policy: edxPolicy,
      members: [
        { id: 'Harvard', orgs: ['Harvard'], email: { keyId: 'x-2026' } },
        { id: 'Harvard.X', orgs: ['HX2'], email: { keyId: '2026' } },
      ],
    });
    const shared = {
      name: 'CollectorError',
      code: 'invalid_config',
      issues: [
        {
          path: 'members[1].email.keys.2026',
          message: expect.stringMatching(/OPTIN_EMAIL_HARVARD_X_2026.*members\[0\]\.email\.keys\.x-2026/),
        },
      ],
      hint: expect.stringMatching(/email\.keys/),
    };
    // Reported as such whether the variable is set or not.
    expect(refusal(() => emailVerifierFromConfig(config, {}))).toMatchObject(shared);
    expect(
      refusal(() => emailVerifierFromConfig(config, { OPTIN_EMAIL_HARVARD_X_2026: keys.hx['hx-2026'] })),
    ).toMatchObject(shared);
    // The platform's `collector.email` too: `platform` + `a-1` and Member `platform_a` + `1`.
    const platform = parseCollectorConfig({
      policy: edxPolicy,
      members: [{ id: 'platform_a', orgs: ['PA'], email: { keyId: '1' } }],
      collector: { email: { keyId: 'a-1' } },
    });
    expect(refusal(() => emailVerifierFromConfig(platform, {}))).toMatchObject({
      code: 'invalid_config',
      issues: [
        {
          path: 'collector.email.keys.a-1',
          message: expect.stringMatching(/OPTIN_EMAIL_PLATFORM_A_1.*members\[0\]\.email\.keys\.1/),
        },
      ],
    });
  });

  it('never prints a secret written as email.keyId, nor the variable name made from it', async () => {
    const { emailVerifierFromConfig, emailKeyEnv } = await import('../src/email-keys.js');
    const { parseCollectorConfig } = await import('../src/collector-config.js');
    const { edxPolicy } = await import('@optin/consent');
    const hex = 'ab12cd34'.repeat(8); // `openssl rand -hex 32`
    const base64 = 'q8Vx0Jt3+Yb/2Lk9mWnR4sPz7cD1eF6gH5iJ0kL2mNo='; // `openssl rand -base64 32`
    for (const secret of [hex, base64])
      for (const [config, path, owner] of [
        [
          parseCollectorConfig({
            policy: edxPolicy,
            members: [{ id: 'HarvardX', orgs: ['HarvardX'], email: { keyId: secret } }],
          }),
          'members[0].email.keys[0]',
          'HarvardX',
        ],
        [
          parseCollectorConfig({ policy: edxPolicy, members: [], collector: { email: { keyId: secret } } }),
          'collector.email.keys[0]',
          'platform',
        ],
      ] as const)
        for (const [env, code, message] of [
          [{}, 'missing_secret', /the environment variable for the 1st key id is not set/],
          [{ [emailKeyEnv(owner, secret)]: 'short' }, 'invalid_config', /the environment variable for the 1st key id/],
        ] as const) {
          let error: (Error & { issues: { path: string; message: string }[] }) | undefined;
          try {
            emailVerifierFromConfig(config, env);
          } catch (thrown) {
            error = thrown as typeof error;
          }
          expect(error).toMatchObject({ code, issues: [{ path, message: expect.stringMatching(message) }] });
          const printed = `${JSON.stringify(error!.issues)} ${String(error)}`.toUpperCase();
          expect(printed).not.toContain(secret.toUpperCase());
          expect(printed).not.toContain(secret.toUpperCase().replace(/[^A-Z0-9]/g, '_'));
          expect(printed).not.toContain(emailKeyEnv(owner, secret));
        }
  });
});
