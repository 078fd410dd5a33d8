import { describe, expect, it } from 'vitest';
import { loadDbIpGeo, type GeoProvider } from '../src/geo.js';
import { anonymizeIp, createClientIpResolver, trustedProxyList } from '../src/ip-address.js';
import { trafficSource } from '../src/referrer.js';
import type { StoredEvent } from '../src/stored-event.js';
import { createUserAgentParser } from '../src/user-agent.js';
import { backends, getJson, postJson, tokens, trackMessage, useCollector } from './helpers.js';

// Real user agents of the edX apps, as edx-platform's mobile_api tests quote them.
const iosApi = 'edX/org.edx.mobile (5.1.2; OS Version 17.0 (Build 21A329))';
const androidApi = 'Dalvik/2.1.0 (Linux; U; Android 9; MI 6 MIUI/V11.0.3.0.PCAMIXM) edX/org.edx.mobile/2.17.1';
const iosWebView =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 9_2 like Mac OS X) AppleWebKit/601.1.46 (KHTML, like Gecko) Mobile/13C75 edX/org.edx.mobile/2.2.1';
const chrome =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';
const googlebot = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

describe('user agents', () => {
  const parse = createUserAgentParser();
  it('recognises the edX native apps with their version and platform', () => {
    expect(parse(iosApi)).toMatchObject({
      app: 'edX/org.edx.mobile',
      appVersion: '5.1.2',
      os: 'iOS',
      osVersion: '17.0',
      deviceType: 'mobile',
      isBot: false,
    });
    expect(parse(androidApi)).toMatchObject({
      app: 'edX/org.edx.mobile',
      appVersion: '2.17.1',
      os: 'Android',
      osVersion: '9',
      deviceType: 'mobile',
    });
    expect(parse(iosWebView)).toMatchObject({
      app: 'edX/org.edx.mobile',
      appVersion: '2.2.1',
      os: 'iOS',
      deviceType: 'mobile',
    });
  });
  it('parses browsers and flags bots', () => {
    expect(parse(chrome)).toMatchObject({
      browser: 'Chrome',
      os: 'Windows',
      deviceType: 'desktop',
      app: undefined,
      isBot: false,
    });
    expect(parse(googlebot)).toMatchObject({ isBot: true, deviceType: 'bot' });
    expect(parse(undefined)).toBeUndefined();
  });
  it('caches: the same string gives the same object', () => {
    expect(parse(chrome)).toBe(parse(chrome));
  });
});

describe('IP addresses', () => {
  it('anonymises IPv4 to /24 and IPv6 to /48', () => {
    expect(anonymizeIp('203.0.113.77')).toBe('203.0.113.0');
    expect(anonymizeIp('::ffff:203.0.113.77')).toBe('203.0.113.0');
    expect(anonymizeIp('2001:db8:85a3:1234:5678:8a2e:370:7334')).toBe('2001:db8:85a3::');
    expect(anonymizeIp('2001:db8::1')).toBe('2001:db8::');
    // 6to4 carries the client's IPv4 address (203.0.113.77): no more of it is kept than of IPv4.
    expect(anonymizeIp('2002:cb00:714d::1')).toBe('2002:cb00:7100::');
    expect(anonymizeIp('2002:cb00:714d:1::1', 8)).toBe('2002:cb00::');
    expect(anonymizeIp('not an ip')).toBeUndefined();
  });
  it('honours X-Forwarded-For only from trusted proxies', () => {
    const clientIp = createClientIpResolver(trustedProxyList(['loopback', '10.0.0.0/8']));
    expect(clientIp('127.0.0.1', '198.51.100.7')).toBe('198.51.100.7');
    expect(clientIp('127.0.0.1', '198.51.100.7, 10.1.2.3')).toBe('198.51.100.7');
    expect(clientIp('198.51.100.9', '1.2.3.4')).toBe('198.51.100.9');
    expect(clientIp('::ffff:127.0.0.1', 'garbage')).toBe('127.0.0.1');
  });
});

describe('traffic source', () => {
  it('classifies referrers and reads campaigns', () => {
    const page = 'https://www.edx.org/course/cs50?utm_source=newsletter&utm_medium=email&gclid=abc';
    expect(trafficSource(page, 'https://mail.google.com/', undefined)).toMatchObject({
      referrerClass: 'email',
      campaign: { source: 'newsletter', medium: 'email', gclid: 'abc' },
    });
    expect(trafficSource('https://www.edx.org/', 'https://www.google.com/search?q=x', undefined).referrerClass).toBe(
      'search',
    );
    expect(trafficSource('https://www.edx.org/', 'https://t.co/abc', undefined).referrerClass).toBe('social');
    expect(trafficSource('https://www.edx.org/', 'https://learning.edx.org/x', undefined).referrerClass).toBe(
      'internal',
    );
    expect(trafficSource('https://www.edx.org/', 'https://blog.example.com/', undefined)).toMatchObject({
      referrerClass: 'external',
      referrerHost: 'blog.example.com',
    });
    expect(trafficSource('https://www.edx.org/', undefined, { name: 'fall', source: 'x' }).campaign).toEqual({
      campaign: 'fall',
      source: 'x',
    });
    expect(trafficSource(undefined, 'not a url', undefined).referrerClass).toBe('direct');
  });

  it("reads a page URL's fragment or hash route for its campaign after its query, whose values win", () => {
    const page = 'https://www.edx.org/?utm_source=news&gclid=A#/course?utm_source=ad&gclid=B&utm_medium=cpc&fbclid=F';
    expect(trafficSource(page, undefined, undefined).campaign).toEqual({
      source: 'news',
      medium: 'cpc',
      gclid: 'A',
      fbclid: 'F',
    });
    expect(trafficSource('https://www.edx.org/course#gclid=G&tab=2', undefined, undefined).campaign).toEqual({
      gclid: 'G',
    });
  });

  it("classes only Google's own domains as search, and sites under a country's second level apart", () => {
    const classOf = (page: string, referrer: string) => trafficSource(page, referrer, undefined).referrerClass;
    const page = 'https://www.edx.org/';
    for (const google of [
      'https://www.google.com/search?q=x',
      'https://google.de/',
      'https://www.google.co.uk/',
      'https://www.google.com.au/',
      'https://news.google.co.jp/',
      'https://scholar.google.com/',
      'https://yandex.com.tr/',
    ])
      expect(classOf(page, google), google).toBe('search');
    for (const lookalike of [
      'https://docs.google.attacker.net/',
      'https://google.evil-seo.example/landing',
      'https://www.google.com.attacker.net/',
      'https://google.co.uk.evil.example/',
      'https://notgoogle.com/',
      'https://google.example.co.uk/',
      'https://yandex.attacker.net/',
      'https://www.pinterest.evil.example/',
    ])
      expect(classOf(page, lookalike), lookalike).toBe('external');
    // One site under a second-level suffix of a country (co.uk, com.au, ac.uk, ne.jp ...), others apart.
    const shop = 'https://shop.example.co.uk/';
    expect(classOf(shop, 'https://www.example.co.uk/basket')).toBe('internal');
    expect(classOf(shop, 'https://news.bbc.co.uk/')).toBe('external');
    expect(classOf('https://www.uni.ac.uk/', 'https://www.other.ac.uk/')).toBe('external');
    expect(classOf('https://www.shop.com.au/', 'https://blog.shop.com.au/')).toBe('internal');
    expect(classOf('https://www.shop.com.au/', 'https://www.rival.com.au/')).toBe('external');
    expect(classOf('https://a.example.ne.jp/', 'https://b.other.ne.jp/')).toBe('external');
    // A plain second-level domain is still one site, whatever its subdomains.
    expect(classOf('https://www.edx.org/', 'https://courses.edx.org/')).toBe('internal');
    expect(classOf('https://www.example.co/', 'https://blog.example.co/')).toBe('internal');
  });
});

const geo: GeoProvider | undefined = loadDbIpGeo();

describe('offline geo and ASN (DB-IP Lite, RouteViews)', () => {
  it.skipIf(!geo)('finds country, region, city, ASN and ISP', () => {
    expect(geo!.lookup('8.8.8.8')).toMatchObject({ country: 'US', asn: 15169, isp: 'Google LLC' });
    expect(geo!.lookup('2001:4860:4860::8888')).toMatchObject({ asn: 15169 });
    expect(geo!.lookup('18.9.22.69')).toMatchObject({ country: 'US', region: 'Massachusetts', asn: 3 });
    expect(geo!.lookup('nope')).toBeUndefined();
  });
});

describe.each(backends)('enriched events land ($name)', (backend) => {
  const { skip } = backend;
  const live = useCollector(backend, { trustedProxies: ['loopback'], geo });

  it.skipIf(skip)('stores the parsed agent, anonymised IP, geo, source and Member — and never the raw IP', async () => {
    const clientAddress = '8.8.4.4';
    const message = trackMessage('HarvardX', {
      context: {
        consent: { categoryPreferences: { analytics: true } },
        course: { id: 'course-v1:HarvardX+CS50+2026_T1' },
        page: {
          path: '/course',
          url: 'https://www.edx.org/course?utm_source=fb&utm_campaign=fall',
          referrer: 'https://www.facebook.com/',
        },
        session: { id: 's1', seq: 4 },
        ip: clientAddress,
      },
    });
    const res = await postJson(`${live.url}/v1/track`, message, {
      'user-agent': androidApi,
      'x-forwarded-for': clientAddress,
    });
    expect(res.status).toBe(200);
    const page = await getJson(`${live.url}/v1/members/HarvardX/events`, {
      authorization: `Bearer ${tokens.HarvardX}`,
    });
    const stored = (page.body.events as StoredEvent[]).find((e) => e.messageId === message.messageId)!;
    expect(stored).toMatchObject({
      memberId: 'HarvardX',
      org: 'HarvardX',
      courseId: 'course-v1:HarvardX+CS50+2026_T1',
      app: 'edX/org.edx.mobile',
      appVersion: '2.17.1',
      os: 'Android',
      deviceType: 'mobile',
      isBot: false,
      ip: '8.8.4.0',
      referrerClass: 'social',
      referrerHost: 'www.facebook.com',
      campaign: { source: 'fb', campaign: 'fall' },
      // A Member is given no session (it spans the learner's events elsewhere too).
      sessionId: null,
      sessionSeq: null,
      purposes: ['analytics'],
    });
    const platform = await getJson(`${live.url}/v1/events?anonymousId=${String(message.anonymousId)}`, {
      authorization: `Bearer ${tokens.platform}`,
    });
    expect((platform.body.events as StoredEvent[]).find((e) => e.messageId === message.messageId)?.sessionSeq).toBe(4);
    if (geo) expect(stored).toMatchObject({ country: 'US', asn: 15169 });
    expect(JSON.stringify(stored)).not.toContain(clientAddress);
    expect(stored.context).not.toHaveProperty('ip');
  });
});

/** Every stored row of events and receipts, as text. */
async function dump(storage: unknown): Promise<string> {
  const raw = storage as { query(sql: string): Promise<Record<string, unknown>[]> };
  return JSON.stringify([
    ...(await raw.query('SELECT * FROM events')),
    ...(await raw.query('SELECT * FROM consent_receipts')),
  ]);
}

describe.each(backends)('which address is stored ($name)', (backend) => {
  const { skip } = backend;
  const clientAddress = '198.51.100.231';
  // No trusted proxy: whoever sends X-Forwarded-For is the client.
  const untrusting = useCollector(backend);
  const raw = useCollector(backend, { trustedProxies: ['loopback'], storeRawIp: true });

  it.skipIf(skip)(
    "an untrusted peer's X-Forwarded-For is ignored: the peer's own address is stored, anonymised",
    async () => {
      const message = trackMessage('HarvardX');
      const res = await postJson(`${untrusting.url}/v1/track`, message, { 'x-forwarded-for': clientAddress });
      expect(res.status).toBe(200);
      const page = await getJson(`${untrusting.url}/v1/members/HarvardX/events`, {
        authorization: `Bearer ${tokens.HarvardX}`,
      });
      const stored = (page.body.events as StoredEvent[]).find((e) => e.messageId === message.messageId);
      expect(stored?.ip).toBe('127.0.0.0');
      expect(await dump(untrusting.storage)).not.toContain('198.51.100');
    },
  );

  it.skipIf(skip)(
    "reads a trusted proxy's X-Forwarded-For entries that carry a port (Azure Application Gateway's)",
    async () => {
      const ipOf = async (forwardedFor: string) => {
        const message = trackMessage('HarvardX');
        expect((await postJson(`${raw.url}/v1/track`, message, { 'x-forwarded-for': forwardedFor })).status).toBe(200);
        const page = await getJson(`${raw.url}/v1/members/HarvardX/events?limit=1000`, {
          authorization: `Bearer ${tokens.HarvardX}`,
        });
        return (page.body.events as StoredEvent[]).find((e) => e.messageId === message.messageId)?.ip;
      };
      expect(await ipOf(`${clientAddress}:54321`)).toBe(clientAddress);
      expect(await ipOf('[2001:db8:85a3::7334]:443')).toBe('2001:db8:85a3::7334');
      expect(await ipOf(`${clientAddress}:54321, 127.0.0.1:80`)).toBe(clientAddress);
      // Not an address with a port: the chain stops there, as before (the proxy's own address).
      expect(await ipOf(`${clientAddress}:99999`)).toBe('127.0.0.1');
      expect(await ipOf('2001:db8::1:443')).toBe('2001:db8::1:443');
    },
  );

  it.skipIf(skip)('stores the raw address only when storeRawIp is configured', async () => {
    const message = trackMessage('HarvardX');
    expect((await postJson(`${raw.url}/v1/track`, message, { 'x-forwarded-for': clientAddress })).status).toBe(200);
    const page = await getJson(`${raw.url}/v1/members/HarvardX/events`, { authorization: `Bearer ${tokens.HarvardX}` });
    expect((page.body.events as StoredEvent[]).find((e) => e.messageId === message.messageId)?.ip).toBe(clientAddress);
    expect(await dump(raw.storage)).toContain(clientAddress);
  });
});
