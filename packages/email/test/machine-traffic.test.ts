import { describe, expect, it } from 'vitest';
import {
  EmailError,
  isMachineClick,
  isMachineOpen,
  type EmailRequest,
  type MachineTrafficOptions,
} from '../src/index.js';

const chrome =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const iphoneMail =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148';
const outlook = 'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)';
const gmail = 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)';
const yahoo = 'YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html';

describe('isMachineOpen', () => {
  it.each([
    ['Apple MPP user agent', { userAgent: 'Mozilla/5.0', ip: '203.0.113.7' }, 'apple_mpp'],
    ['Apple network (IPv4)', { userAgent: iphoneMail, ip: '17.58.101.4' }, 'apple_mpp'],
    ['Apple network (IPv4-mapped IPv6)', { userAgent: iphoneMail, ip: '::ffff:17.58.101.4' }, 'apple_mpp'],
    ['Apple network (IPv6)', { userAgent: iphoneMail, ip: '2620:149:a:b::1' }, 'apple_mpp'],
    ['Barracuda', { userAgent: 'Barracuda Sentinel (EE)' }, 'security_scanner'],
    ['Mimecast', { userAgent: 'Mozilla/5.0 Mimecast URL Protect' }, 'security_scanner'],
    ['Proofpoint', { userAgent: 'Proofpoint URL Defense' }, 'security_scanner'],
    ['Office link check', { userAgent: 'Microsoft Office Existence Discovery' }, 'security_scanner'],
    ['Office protocol check', { userAgent: 'Microsoft Office Protocol Discovery' }, 'security_scanner'],
    [
      'Outlook desktop from an Exchange Online Protection network',
      { userAgent: 'Mozilla/4.0 (compatible; Microsoft Outlook 16.0.9126; ms-office; MSOffice 16)', ip: '40.107.1.2' },
      'security_scanner',
    ],
    [
      'Office prefetch',
      { userAgent: 'Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 10.0; ms-office; MSOffice 16)' },
      'security_scanner',
    ],
    ['Exchange Online Protection network', { userAgent: chrome, ip: '40.107.218.12' }, 'security_scanner'],
    ['HEAD request', { userAgent: chrome, method: 'HEAD' }, 'prefetch'],
    ['declared prefetch', { userAgent: chrome, headers: { 'sec-purpose': 'prefetch;prerender' } }, 'prefetch'],
    // Headers as AWS Lambda / API Gateway and some frameworks hand them over: names as the client sent them.
    [
      'declared prefetch, header names in any case',
      { userAgent: chrome, headers: { 'Sec-Purpose': 'prefetch' } },
      'prefetch',
    ],
    ['Firefox prefetch, header names in any case', { userAgent: chrome, headers: { 'X-Moz': 'prefetch' } }, 'prefetch'],
    ['no user agent', { userAgent: undefined }, 'no_user_agent'],
    ['curl', { userAgent: 'curl/8.5.0' }, 'bot_user_agent'],
    [
      'crawler',
      { userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' },
      'bot_user_agent',
    ],
    [
      'headless browser',
      {
        userAgent:
          'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36',
      },
      'bot_user_agent',
    ],
    ['seconds after send', { userAgent: chrome, msSinceSend: 2500 }, 'too_soon_after_send'],
  ] as const)('flags %s', (_name, request, reason) => {
    expect(isMachineOpen(request)).toEqual({ machine: true, reason });
  });

  it.each([
    ['a browser, an hour after send', { userAgent: chrome, ip: '198.51.100.4', msSinceSend: 3_600_000 }],
    ['Apple Mail without MPP', { userAgent: iphoneMail, ip: '198.51.100.4' }],
    ['Outlook desktop loading images', { userAgent: outlook, ip: '198.51.100.4' }],
    // Outlook 2013-2019 for Windows name `ms-office` too, after `Microsoft Outlook <version>`.
    [
      'Outlook 2013 desktop loading images',
      {
        userAgent:
          'Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.2; Win64; x64; Trident/6.0; .NET4.0E; .NET4.0C; Microsoft Outlook 15.0.4763; ms-office; MSOffice 15)',
      },
    ],
    [
      'Outlook 2016 desktop loading images',
      {
        userAgent:
          'Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 10.0; WOW64; Trident/7.0; .NET4.0C; .NET4.0E; Microsoft Outlook 16.0.9126; Microsoft Outlook 16.0.9126; ms-office; MSOffice 16)',
      },
    ],
    [
      'a Cubot phone',
      { userAgent: 'Mozilla/5.0 (Linux; Android 9; CUBOT P30) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36' },
    ],
  ] as const)('counts %s as a person', (_name, request) => {
    expect(isMachineOpen(request)).toEqual({ machine: false, proxy: null });
  });

  it('counts Gmail and Yahoo image proxies as a person, naming the proxy', () => {
    expect(isMachineOpen({ userAgent: gmail, ip: '66.102.8.1', msSinceSend: 60_000 })).toEqual({
      machine: false,
      proxy: 'google_image_proxy',
    });
    expect(isMachineOpen({ userAgent: yahoo })).toEqual({ machine: false, proxy: 'yahoo_mail_proxy' });
    // ...but not when they fetch within seconds of send: that is delivery-time prefetch.
    expect(isMachineOpen({ userAgent: gmail, msSinceSend: 1000 })).toEqual({
      machine: true,
      reason: 'too_soon_after_send',
    });
  });

  it('takes the prefetch window as an option', () => {
    expect(isMachineOpen({ userAgent: chrome, msSinceSend: 20_000 }, { prefetchWindowMs: 30_000 }).machine).toBe(true);
    expect(isMachineOpen({ userAgent: chrome, msSinceSend: 20_000 }).machine).toBe(false);
  });
});

describe('isMachineClick', () => {
  it('flags image proxies and scanners at the click endpoint, and lets a person through', () => {
    expect(isMachineClick({ userAgent: gmail })).toEqual({ machine: true, reason: 'bot_user_agent' });
    expect(isMachineClick({ userAgent: chrome, msSinceSend: 900 })).toEqual({
      machine: true,
      reason: 'too_soon_after_send',
    });
    expect(isMachineClick({ userAgent: chrome, ip: '104.47.1.9' })).toEqual({
      machine: true,
      reason: 'security_scanner',
    });
    expect(isMachineClick({ userAgent: chrome, msSinceSend: 120_000 })).toEqual({ machine: false, proxy: null });
    // Outlook 2013-2019 load images as `Microsoft Outlook …; ms-office`: a person opening, but no
    // browser follows a link so, only Office's link prefetch.
    const outlook2016 =
      'Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 10.0; WOW64; Trident/7.0; Microsoft Outlook 16.0.9126; ms-office; MSOffice 16)';
    expect(isMachineOpen({ userAgent: outlook2016 })).toEqual({ machine: false, proxy: null });
    expect(isMachineClick({ userAgent: outlook2016 })).toEqual({ machine: true, reason: 'security_scanner' });
  });
});

describe('a request the types rule out (JavaScript, another framework)', () => {
  // The collector calls these while answering the pixel and the redirect: a missing or odd header
  // must give a verdict, never a TypeError (a 500 instead of the image or the redirect).
  const odd = (request: unknown): EmailRequest => request as EmailRequest;

  it.each([
    ['no request at all', undefined],
    ['null', null],
    ['a string', 'Mozilla/5.0'],
    ['a numeric user agent', { userAgent: 5 }],
    ['a user agent that is a list', { userAgent: [chrome] }],
    ['a user agent that is an object', { userAgent: { toString: () => chrome } }],
  ])('reads %s as no user agent', (_name, request) => {
    expect(isMachineOpen(odd(request))).toEqual({ machine: true, reason: 'no_user_agent' });
    expect(isMachineClick(odd(request))).toEqual({ machine: true, reason: 'no_user_agent' });
  });

  it.each([
    ['a numeric method', { method: 5 }],
    ['a method that is a list', { method: ['HEAD'] }],
    ['a numeric ip', { ip: 17 }],
    ['an ip that is a list', { ip: ['17.58.101.4'] }],
    ['headers that are a string', { headers: 'purpose: prefetch' }],
    ['a numeric header', { headers: { purpose: 5, 'sec-purpose': [7, null] } }],
    ['a msSinceSend that is a string', { msSinceSend: '500' }],
    ['a msSinceSend that is a BigInt', { msSinceSend: 500n }],
    ['a msSinceSend that is a Symbol', { msSinceSend: Symbol('ms') }],
    ['a msSinceSend that is NaN', { msSinceSend: Number.NaN }],
  ])('ignores %s and judges by the rest', (_name, fields) => {
    expect(isMachineOpen(odd({ userAgent: chrome, ...fields }))).toEqual({ machine: false, proxy: null });
    expect(isMachineClick(odd({ userAgent: chrome, ...fields }))).toEqual({ machine: false, proxy: null });
  });

  it('still reads the fields that are well-formed next to odd ones', () => {
    expect(isMachineOpen(odd({ userAgent: chrome, method: 5, ip: '17.58.101.4' }))).toEqual({
      machine: true,
      reason: 'apple_mpp',
    });
    expect(
      isMachineOpen(odd({ userAgent: chrome, ip: 5, headers: { purpose: 5, 'sec-purpose': 'prefetch' } })),
    ).toEqual({ machine: true, reason: 'prefetch' });
  });

  it('reads a Fetch `Headers` object (Hono, Next.js route handlers, Workers, Deno, Bun) through its get()', () => {
    const headers = new Headers({ 'Sec-Purpose': 'prefetch' });
    expect(isMachineOpen({ userAgent: chrome, headers })).toEqual({ machine: true, reason: 'prefetch' });
    expect(isMachineClick({ userAgent: chrome, headers })).toEqual({ machine: true, reason: 'prefetch' });
    expect(isMachineOpen({ userAgent: chrome, headers: new Headers({ accept: 'image/*' }) })).toEqual({
      machine: false,
      proxy: null,
    });
    expect(isMachineOpen(odd({ userAgent: chrome, headers: new Map([['purpose', 'prefetch']]) }))).toEqual({
      machine: true,
      reason: 'prefetch',
    });
  });

  it.each([
    [
      'a header getter that throws',
      {
        headers: {
          get purpose(): string {
            throw new Error('getter');
          },
        },
      },
    ],
    [
      'a get() that throws',
      {
        headers: {
          get: (): string => {
            throw new Error('get');
          },
        },
      },
    ],
    [
      'headers that are a throwing Proxy',
      {
        headers: new Proxy(
          {},
          {
            ownKeys: () => {
              throw new Error('trap');
            },
          },
        ),
      },
    ],
    [
      'fields whose getters throw',
      {
        userAgent: chrome,
        get ip(): string {
          throw new Error('ip');
        },
        get msSinceSend(): number {
          throw new Error('ms');
        },
      },
    ],
  ])('never throws on %s: it is read as not given', (_name, fields) => {
    // Not spread into a new object: that would call the getters here.
    const request = 'userAgent' in fields ? fields : { userAgent: chrome, ...fields };
    expect(isMachineOpen(odd(request))).toEqual({ machine: false, proxy: null });
    expect(isMachineClick(odd(request))).toEqual({ machine: false, proxy: null });
  });

  it('never throws on a request that is a throwing Proxy', () => {
    const request = new Proxy(
      {},
      {
        get: () => {
          throw new Error('trap');
        },
      },
    );
    expect(isMachineOpen(odd(request))).toEqual({ machine: true, reason: 'no_user_agent' });
    expect(isMachineClick(odd(request))).toEqual({ machine: true, reason: 'no_user_agent' });
  });

  it('refuses options the types rule out with a typed error at their path, never a TypeError', () => {
    const expectError = (options: unknown, path: string): void => {
      let error: unknown;
      try {
        isMachineOpen({ userAgent: chrome }, options as MachineTrafficOptions);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(EmailError);
      const { code, path: at, hint } = error as EmailError;
      expect({ code, path: at }).toEqual({ code: 'invalid_option', path });
      expect(hint).not.toBe('');
    };
    expectError(null, 'options');
    expectError('fast', 'options');
    for (const prefetchWindowMs of ['10000', -1, Number.NaN, Number.POSITIVE_INFINITY, 10n])
      expectError({ prefetchWindowMs }, 'prefetchWindowMs');
    expect(isMachineOpen({ userAgent: chrome, msSinceSend: 5 }, { prefetchWindowMs: 0 })).toEqual({
      machine: false,
      proxy: null,
    });
  });
});
