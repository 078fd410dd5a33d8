import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { deleteCookies } from '../src/index.js';

/**
 * A cookie jar that follows RFC 6265 where deletion depends on it: a cookie is identified by name,
 * domain (host-only or not) and path, and a write replaces (or, expired, removes) only that one; a
 * `__Secure-` write needs `Secure`, a `__Host-` one `Secure`, `Path=/` and no `Domain`, and a
 * `Secure` one an https page (RFC 6265bis).
 */
function jar(host: string, pathname: string, protocol: string) {
  const cookies = new Map<string, { name: string; domain: string; hostOnly: boolean; path: string }>();
  const key = (c: { name: string; domain: string; hostOnly: boolean; path: string }) =>
    `${c.name}|${c.domain}|${c.hostOnly}|${c.path}`;
  const visible = (c: { domain: string; hostOnly: boolean; path: string }) =>
    (c.hostOnly ? c.domain === host : host === c.domain || host.endsWith(`.${c.domain}`)) &&
    (c.path === '/' || pathname === c.path || pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`));
  const set = (text: string) => {
    const [pair = '', ...attributes] = text.split(';');
    const name = pair.split('=')[0]!.trim();
    const attr = (n: string) =>
      attributes
        .find((a) => a.trim().toLowerCase().startsWith(`${n}=`))
        ?.split('=')[1]
        ?.trim();
    const domain = attr('domain')?.replace(/^\./, '');
    if (domain && host !== domain && !host.endsWith(`.${domain}`)) return; // a browser ignores it
    const secure = attributes.some((a) => a.trim().toLowerCase() === 'secure');
    if (secure && protocol !== 'https:') return;
    if (/^__(secure|host)-/i.test(name) && !secure) return;
    if (/^__host-/i.test(name) && (domain !== undefined || attr('path') !== '/')) return;
    const cookie = { name, domain: domain ?? host, hostOnly: !domain, path: attr('path') ?? '/' };
    if (attr('max-age') === '0') cookies.delete(key(cookie));
    else cookies.set(key(cookie), cookie);
  };
  return {
    set,
    get cookie() {
      return [...cookies.values()]
        .filter(visible)
        .map((c) => `${c.name}=v`)
        .join('; ');
    },
    all: () => [...cookies.values()].map((c) => `${c.name}@${c.hostOnly ? '' : '.'}${c.domain}${c.path}`).sort(),
  };
}

/**
 * A page's `Document` whose `cookie` accessor (on its prototype, as a browser's is, which an element
 * named `cookie` shadows on the document) reads `read()` and gives every write to `write`.
 */
function documentOf(read: () => string, write: (text: string) => void) {
  class PageDocument {
    get cookie() {
      return read();
    }
    set cookie(text: string) {
      write(text);
    }
  }
  vi.stubGlobal('Document', PageDocument);
  vi.stubGlobal('document', new PageDocument());
}

let cookies: ReturnType<typeof jar>;
/** Points `location` and `document.cookie` at a fresh jar, on an https page unless told. */
function page(protocol = 'https:') {
  cookies = jar('learning.courses.optin.test', '/course/run/unit', protocol);
  vi.stubGlobal('location', { protocol, hostname: 'learning.courses.optin.test', pathname: '/course/run/unit' });
  documentOf(
    () => cookies.cookie,
    (text) => cookies.set(text),
  );
}
beforeEach(() => page());
afterEach(() => vi.unstubAllGlobals());

describe('deleteCookies', () => {
  test('removes declared cookies on every domain variant and path, and nothing else', () => {
    for (const text of [
      '_ga=1; Path=/; Domain=optin.test',
      '_ga=2; Path=/; Domain=courses.optin.test',
      '_ga=3; Path=/',
      '_ga=4; Path=/course; Domain=learning.courses.optin.test',
      '_ga_ABC=5; Path=/course/run/',
      '_ga_ABC=6; Path=/; Domain=optin.test',
      'csrftoken=7; Path=/',
      'optin=8; Path=/; Domain=optin.test',
    ])
      cookies.set(text);
    deleteCookies(
      [
        { name: '_ga', purpose: 'analytics', lifetime: '2y', party: 'first' },
        { name: /^_ga_/, purpose: 'analytics', lifetime: '2y', party: 'first' },
      ],
      'optin.test',
    );
    expect(cookies.all()).toEqual(['csrftoken@learning.courses.optin.test/', 'optin@.optin.test/']);
  });

  test('without the registrable domain every parent domain is reached (vendors set theirs on the registrable one)', () => {
    cookies.set('_fbp=1; Path=/; Domain=optin.test');
    cookies.set('_fbp=2; Path=/');
    cookies.set('_fbp=3; Path=/; Domain=courses.optin.test');
    cookies.set('_ga=4; Path=/; Domain=optin.test');
    cookies.set('optin=5; Path=/; Domain=optin.test');
    deleteCookies([
      { name: '_fbp', purpose: 'marketing', lifetime: '90d', party: 'first' },
      { name: '_ga', purpose: 'analytics', lifetime: '2y', party: 'first' },
    ]);
    expect(cookies.all()).toEqual(['optin@.optin.test/']);
  });

  test('keeps cookies another tracker still declares, and never touches third-party names', () => {
    cookies.set('_ga=1; Path=/; Domain=optin.test');
    cookies.set('_ga_HX=1; Path=/; Domain=optin.test');
    cookies.set('fr=en; Path=/');
    deleteCookies(
      [
        { name: /^_ga/, purpose: 'analytics', lifetime: '2y', party: 'first' },
        { name: 'fr', purpose: 'marketing', lifetime: '90d', party: 'third' },
      ],
      'optin.test',
      [{ name: '_ga', purpose: 'analytics', lifetime: '2y', party: 'first' }],
    );
    expect(cookies.all()).toEqual(['_ga@.optin.test/', 'fr@learning.courses.optin.test/']);
  });

  test('removes __Secure- and __Host- cookies too (with Secure, as browsers require)', () => {
    cookies.set('__Secure-vid=1; Path=/; Secure; Domain=optin.test');
    cookies.set('__Host-vs=1; Path=/; Secure');
    cookies.set('__Host-other=1; Path=/; Secure');
    deleteCookies(
      [
        { name: '__Secure-vid', purpose: 'analytics', lifetime: '1y', party: 'first' },
        { name: '__Host-vs', purpose: 'analytics', lifetime: '1y', party: 'first' },
      ],
      'optin.test',
    );
    expect(cookies.all()).toEqual(['__Host-other@learning.courses.optin.test/']);
  });

  test('on an http page the deletions carry no Secure, which the browser would refuse', () => {
    page('http:');
    cookies.set('_ga=1; Path=/; Domain=optin.test');
    deleteCookies([{ name: '_ga', purpose: 'analytics', lifetime: '2y', party: 'first' }], 'optin.test');
    expect(cookies.all()).toEqual([]);
  });

  test('a cookie declared without its party (a JavaScript or JSON config) is a first-party one: deleted', () => {
    cookies.set('_gcl_au=1; Path=/; Domain=optin.test');
    deleteCookies([{ name: '_gcl_au', purpose: 'marketing', lifetime: '90d' } as never], 'optin.test');
    expect(cookies.all()).toEqual([]);
  });

  test('an element of the page named `cookie` (<img name="cookie">, which shadows document.cookie) keeps nothing from being deleted', () => {
    cookies.set('_ga=1; Path=/; Domain=optin.test');
    cookies.set('csrftoken=2; Path=/');
    Object.defineProperty(document, 'cookie', { value: { tagName: 'IMG' } });
    deleteCookies([{ name: '_ga', purpose: 'analytics', lifetime: '2y', party: 'first' }], 'optin.test');
    expect(cookies.all()).toEqual(['csrftoken@learning.courses.optin.test/']);
  });

  test('on https each deletion is written Partitioned too (CHIPS cookies: an embedded frame, gtag with cookie_flags Partitioned)', () => {
    const written: string[] = [];
    documentOf(
      () => '_ga=1',
      (text) => written.push(text),
    );
    deleteCookies([{ name: '_ga', purpose: 'analytics', lifetime: '2y', party: 'first' }], 'optin.test');
    expect(written.filter((w) => w.endsWith(';Secure;Partitioned'))).toHaveLength(written.length / 2);
  });
});
