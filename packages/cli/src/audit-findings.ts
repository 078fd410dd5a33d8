import { declares, type CookieDeclaration, type Tracker } from '@optin/trackers';
import { attributeByVendorId } from './attribute-by-vendor-id.js';
import { hostMatches, sameSite } from './host-pattern.js';
import { nameVendorId, requestVendorIds, showVendorId, trackerVendorIds, type VendorId } from './vendor-ids.js';

/** What kind of problem an audit found. */
export type FindingKind =
  /** A request to a host only trackers without consent declare. */
  | 'request_without_consent'
  /** A request to a third-party host no tracker declares. */
  | 'undeclared_request'
  /** A request to a host only another Member's trackers declare (not allowed on this page). */
  | 'out_of_scope_request'
  /** A cookie only trackers or purposes without consent declare. */
  | 'cookie_without_consent'
  /** A cookie no tracker declares. */
  | 'undeclared_cookie'
  /** A cookie only another Member's trackers declare. */
  | 'out_of_scope_cookie'
  /** A localStorage or sessionStorage key, an IndexedDB database, a Cache Storage cache or a file of the origin private file system, only trackers or purposes without consent declare. */
  | 'storage_without_consent'
  /** A localStorage or sessionStorage key, an IndexedDB database, a Cache Storage cache or a file of the origin private file system, no tracker declares. */
  | 'undeclared_storage'
  /** A localStorage or sessionStorage key, an IndexedDB database, a Cache Storage cache or a file of the origin private file system, only another Member's trackers declare. */
  | 'out_of_scope_storage'
  /** A shared or service worker (its script URL) that ran before the audit could watch it, in three tries: what it did was not judged. */
  | 'unwatched_worker'
  /** A frame (its URL), the page's own too, that did not answer when the audit read its storage (it kept its thread busy): what it held was not judged. */
  | 'unresponsive_frame'
  /** A request (its URL) not answered within the audit's cap after a watch or after leaving: a cookie its answer sets was not seen. */
  | 'unsettled_request';

/** One problem an audit found. */
export interface Finding {
  /** What kind of problem. */
  readonly kind: FindingKind;
  /** The request URL, the cookie as `name@domain`, or stored data as `area.name@origin` (`localStorage.ajs_anonymous_id@https://www.edx.org`). */
  readonly subject: string;
  /**
   * Ids of the trackers it is attributed to: those that declare it (narrowed to the one naming the
   * vendor id it carries, when it carries one), or, out of scope, the tracker whose id it carries.
   * Empty when none does.
   */
  readonly trackers: readonly string[];
  /** What is wrong, in words, and what to do. */
  readonly message: string;
}

/** A cookie as the browser holds it. */
export interface ObservedCookie {
  /** The cookie's name. */
  readonly name: string;
  /** The domain it was set on, as the browser reports it (`.edx.org` for a domain cookie). */
  readonly domain: string;
}

/**
 * A request as the browser sent it: its URL and, where DevTools handed them over, its body and
 * headers, which carry the vendor id of some hits (Segment's write key, a Meta pixel's POSTs).
 */
export interface ObservedRequest {
  /**
   * The request URL: a WebSocket's `ws:` or `wss:` URL and a WebTransport session's too, and the
   * `stun:`, `turn:` or `turns:` URL of an ICE server a peer connection was given.
   */
  readonly url: string;
  /** Its body as text: none for a request without one, or whose body DevTools does not hand over (a stream). */
  readonly body?: string;
  /** Its headers as sent (`Authorization`, `Content-Type`), by name in any case. */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Where a page stores data besides cookies: Web Storage, an IndexedDB database, a Cache Storage cache
 * (`caches.open`), a file or folder of the origin private file system (`navigator.storage.getDirectory()`),
 * a storage bucket (`navigator.storageBuckets.open`: its name is kept as surely as a database's).
 */
export type StorageArea =
  'localStorage' | 'sessionStorage' | 'indexedDB' | 'cacheStorage' | 'fileSystem' | 'storageBucket';

/**
 * A key a page wrote to `localStorage` or `sessionStorage`, an IndexedDB database or Cache Storage
 * cache it opened, or a file or folder it made in its origin private file system, on one origin. Tracker declarations name them as they name cookies (`CookieDeclaration.name`): a
 * `first`-party declaration covers the site's own origins, a `third`-party one any other origin.
 */
export interface ObservedStorage {
  /** Where it was stored. */
  readonly area: StorageArea;
  /** The storage key, the IndexedDB database's, the cache's or the storage bucket's name, or the file's or folder's own name. */
  readonly name: string;
  /** The origin it belongs to (`https://www.edx.org`): a frame's storage is its own origin's. */
  readonly origin: string;
}

/** What an audit saw on a page, and against what it is judged. */
export interface Observation {
  /** Its registrable domain (`edx.org`): requests and cookies there are first-party. */
  readonly site: string;
  /**
   * The audited page's URL. Its document is never a finding, and requests to its origin are never
   * attributed to a tracker by host (see {@link findViolations}). Without it every request is judged by host.
   */
  readonly page?: string;
  /**
   * Every request the page made, WebSocket connections included (deduplicated or not): its URL, or
   * the request with its body and headers (where Segment's and Meta's POSTs carry their ids).
   */
  readonly requests: readonly (string | ObservedRequest)[];
  /** Every cookie the page set or the browser held. */
  readonly cookies: readonly ObservedCookie[];
  /** Every storage key written, IndexedDB database or cache opened and file made, on any origin (none when absent). */
  readonly storage?: readonly ObservedStorage[];
  /** The trackers that may run on this page (the platform's and its Member's). */
  readonly inScope: readonly Tracker[];
  /** Every tracker of the config (to tell another Member's from undeclared ones). */
  readonly all: readonly Tracker[];
  /**
   * Whether a purpose is allowed for the learner played, for the trackers of `owner` (`platform` or a
   * Member id), as the hub asks: a learner may refuse a purpose for one Member only.
   */
  allows(purpose: string, owner?: string): boolean;
  /** The consent cookie's name (always allowed: it holds the choice), also its localStorage key on the site. */
  readonly consentCookie: string;
}

/**
 * Judges what a page did: every request host, cookie and stored item (storage key, IndexedDB
 * database, Cache Storage cache, file) must be declared by a tracker that may run on the page, and that tracker (and, for a
 * cookie or stored item, its declared purpose) must have consent. Cookie declarations name stored
 * items too: the same name, on the same side (first or third party). First-party requests nobody
 * declares (the page itself, its assets) are fine; first-party cookies and stored items are not:
 * each must be declared, necessary ones too. Each URL, cookie and stored item is reported once.
 *
 * Where a request or a name carries a vendor id (a GA4 measurement id in `id=` or `tid=`, a GTM
 * container id in `gtm.js?id=` or `ns.html?id=`, a Meta pixel, LinkedIn partner, Hotjar site id or
 * Segment write key in its vendor's URLs, a Segment write key in the body or Basic auth of its hits
 * to api.segment.io, a Meta pixel id in the form a pixel posts; `_ga_<id>`, `_hjSession_<id>`), it
 * is attributed by that id rather than by host or name alone, each id of a request that carries several. A tracker names its
 * id as its `vendorId`, so a Member's GA4 or GTM container on hosts the platform's declares too is
 * out of scope off that Member's courses, an id no tracker names is undeclared even on a declared
 * host, and an id carried to a host (or in a name) its own tracker does not declare is reported, on
 * the site's own hosts too. A GTM container's tags may carry ids of any other kind; a tracker without
 * `vendorId` is judged by host and name. Requests to one URL that carry different ids in their bodies
 * (Segment's hits of two sources, all to `api.segment.io/v1/t`) are reported once an id.
 *
 * The page's own document and requests to its own origin are never findings. A declaration names
 * hosts only (no scheme, port or path), so nothing in it tells a first-party collector declared on
 * the page's own host (`declareFirstParty({ endpoint: 'https://www.edx.org/' })`) from the page's
 * document, assets and API calls: attributing same-origin requests by host would report all of them.
 * Such a collector is judged by its cookies, which must be declared; give it a host of its own
 * (`collector.edx.org`) to have its requests judged too.
 */
export function findViolations(seen: Observation): Finding[] {
  // As the hub decides, for the tracker's owner: a tracker with no purpose is never allowed (`[].every`
  // would be true), and a Member's tracker needs each purpose granted for that Member too.
  const granted = (t: Tracker) => t.purposes.length > 0 && t.purposes.every((p) => seen.allows(p, t.owner));
  // Why trackers that are not granted are not, where their purposes are allowed but the learner refused
  // them for the trackers' Member: ` (refused for Member HarvardX)`.
  const refusedFor = (ts: readonly Tracker[]) => {
    const members = [
      ...new Set(
        ts.filter((t) => t.owner !== 'platform' && t.purposes.every((p) => seen.allows(p))).map((t) => t.owner),
      ),
    ];
    return members.length ? ` (refused for Member ${members.join(', Member ')})` : '';
  };
  const ids = (ts: readonly Tracker[]) => ts.map((t) => t.id);
  const whose = (ts: readonly Tracker[]) =>
    ts.map((t) => `${t.id} (${t.owner === 'platform' ? 'the platform' : `Member ${t.owner}`})`).join(', ');
  const findings: Finding[] = [];
  const reported = new Set<string>();
  const origin = (url: URL) => `${url.protocol.replace(/^ws/, 'http')}//${url.host}`;
  const page = seen.page === undefined ? undefined : new URL(seen.page);
  // Reported once a subject, or a `key` of its own (a URL and the ids its body carries).
  const report = (kind: FindingKind, subject: string, trackers: readonly Tracker[], message: string, key = subject) => {
    if (!reported.has(key)) findings.push({ kind, subject, trackers: ids(trackers), message });
    reported.add(key);
  };
  const pool = [...new Set([...seen.inScope, ...seen.all])];
  const inScope = new Set(seen.inScope);
  const named = new Map(pool.map((t) => [t, trackerVendorIds(t)]));
  const attribute = (declaring: readonly Tracker[], carried: VendorId | undefined) =>
    attributeByVendorId(declaring, carried, pool, (t) => named.get(t) ?? []);

  // A request to `host`, declared by `onHost`, judged by `id` (one of the ids it carries), or by host
  // without; reported once a `key`.
  const judgeRequest = (
    url: string,
    key: string,
    host: string,
    onHost: readonly Tracker[],
    id: VendorId | undefined,
  ) => {
    const { declaring, owners, unclaimed } = attribute(onHost, id);
    const here = declaring.filter((t) => inScope.has(t));
    const withId = id ? ` with ${showVendorId(id)}` : '';
    if (here.length) {
      if (!here.some(granted))
        report(
          'request_without_consent',
          url,
          here,
          `${host} is declared by ${ids(here).join(', ')}, whose purposes (${[...new Set(here.flatMap((t) => t.purposes))].join(', ')}) are not all allowed${refusedFor(here)}: load it only through the hub.`,
          key,
        );
    } else if (declaring.length)
      report(
        'out_of_scope_request',
        url,
        declaring,
        `${host}${withId} belongs to ${whose(declaring)}, which may not run on this page: scope it to its Member's courses.`,
        key,
      );
    else if (owners.length && !owners.some((t) => inScope.has(t)))
      report(
        'out_of_scope_request',
        url,
        owners,
        `${host} is contacted${withId}, the id of ${whose(owners)}, which may not run on this page: scope it to its Member's courses.`,
        key,
      );
    else if (owners.length)
      report(
        'undeclared_request',
        url,
        [],
        `${host} is contacted${withId}, the id of ${ids(owners).join(', ')}, which does not declare ${host}: add it to that tracker's hosts.`,
        key,
      );
    else if (unclaimed)
      report(
        'undeclared_request',
        url,
        [],
        `${host} is contacted${withId}, which no tracker declares (those declaring ${host} name other ids): declare the tracker that sends it, with its id as \`vendorId\`.`,
        key,
      );
    else if (!sameSite(host, seen.site))
      report(
        'undeclared_request',
        url,
        [],
        `${host} is contacted but no tracker declares it: add it to the hosts of the tracker that loads it.`,
        key,
      );
  };

  for (const request of seen.requests) {
    const { url, body, headers } = typeof request === 'string' ? { url: request } : request;
    let parsed: URL;
    let host: string;
    // An ICE server (`stun:host:3478`, `turn:host?transport=tcp`) is contacted at its host; it
    // carries no vendor id.
    let ice: boolean;
    try {
      parsed = new URL(url);
      ice = /^(stun|turns?):$/.test(parsed.protocol);
      if (ice) host = new URL(`http://${parsed.pathname}`).hostname;
      else {
        if (!/^(https?|wss?):$/.test(parsed.protocol)) continue;
        if (page && origin(parsed) === origin(page)) continue;
        host = parsed.hostname;
      }
      if (!host) continue;
    } catch {
      continue;
    }
    const onHost = pool.filter((t) => t.hosts.some((h) => hostMatches(host, h)));
    const carried = ice ? [] : requestVendorIds(parsed, body, headers);
    // Each id it carries is judged (LinkedIn's `pid=111,222` is two partners'); the first problem is
    // reported. A URL carries the same ids each time; a body may not.
    const key = [url, ...carried.map(showVendorId)].join('\n');
    for (const id of carried.length ? carried : [undefined]) judgeRequest(url, key, host, onHost, id);
  }

  // A declaration covers a cookie or stored item of its name on its side: the site's own for
  // `first`, any other for `third` (a `sessionid` on an ad network is not the site's session cookie).
  // A name that carries a vendor id (`_ga_HX1`) is the tracker's whose `vendorId` it is.
  const judgeStored = (
    item: {
      readonly name: string;
      readonly host: string;
      readonly subject: string;
      readonly what: string;
      readonly declareIn?: string;
    },
    kinds: { readonly denied: FindingKind; readonly undeclared: FindingKind; readonly elsewhere: FindingKind },
  ) => {
    const own = sameSite(item.host, seen.site);
    const covers = (c: CookieDeclaration) => declares(c, item.name) && (c.party === 'first') === own;
    const carried = nameVendorId(item.name);
    const { declaring, owners, unclaimed } = attribute(
      pool.filter((t) => t.cookies.some(covers)),
      carried,
    );
    const here = declaring.filter((t) => inScope.has(t));
    const of = carried ? ` (of ${showVendorId(carried)})` : '';
    if (here.length) {
      const allowed = here.some(
        (t) => granted(t) && t.cookies.some((c) => covers(c) && seen.allows(c.purpose, t.owner)),
      );
      if (!allowed)
        report(
          kinds.denied,
          item.subject,
          here,
          `${item.what} is declared by ${ids(here).join(', ')}, but its purpose is not allowed${refusedFor(here)}: it must not be set before consent.`,
        );
    } else if (declaring.length)
      report(
        kinds.elsewhere,
        item.subject,
        declaring,
        `${item.what}${of} belongs to ${whose(declaring)}, which may not run on this page.`,
      );
    else if (owners.length && !owners.some((t) => inScope.has(t)))
      report(
        kinds.elsewhere,
        item.subject,
        owners,
        `${item.what}${of} belongs to ${whose(owners)}, which may not run on this page.`,
      );
    else if (owners.length)
      report(
        kinds.undeclared,
        item.subject,
        [],
        `${item.what}${of} is ${ids(owners).join(', ')}'s, which does not declare it: declare it${item.declareIn ?? ''} with its purpose and lifetime (or give the tracker the names it declares).`,
      );
    else
      report(
        kinds.undeclared,
        item.subject,
        [],
        `${item.what}${of} is set but no tracker declares it${unclaimed ? ' (those declaring its name name other ids)' : ''}: declare it${item.declareIn ?? ''} with its purpose and lifetime.`,
      );
  };

  for (const cookie of seen.cookies) {
    if (cookie.name === seen.consentCookie && sameSite(cookie.domain, seen.site)) continue;
    judgeStored(
      {
        name: cookie.name,
        host: cookie.domain,
        subject: `${cookie.name}@${cookie.domain}`,
        what: cookie.name
          ? `The cookie ${cookie.name} (on ${cookie.domain})`
          : `A cookie without a name (on ${cookie.domain}, its value alone: document.cookie = 'id')`,
      },
      { denied: 'cookie_without_consent', undeclared: 'undeclared_cookie', elsewhere: 'out_of_scope_cookie' },
    );
  }

  for (const stored of seen.storage ?? []) {
    let host: string;
    try {
      host = new URL(stored.origin).hostname;
    } catch {
      continue;
    }
    // The consent store keeps the choice in localStorage, under the cookie's name, when cookies are refused.
    if (stored.area === 'localStorage' && stored.name === seen.consentCookie && sameSite(host, seen.site)) continue;
    judgeStored(
      {
        name: stored.name,
        host,
        subject: `${stored.area}.${stored.name}@${stored.origin}`,
        what: `${
          stored.area === 'indexedDB'
            ? 'The IndexedDB database'
            : stored.area === 'cacheStorage'
              ? 'The Cache Storage cache'
              : stored.area === 'fileSystem'
                ? 'The origin private file system entry'
                : stored.area === 'storageBucket'
                  ? 'The storage bucket'
                  : `The ${stored.area} key`
        } ${stored.name} (of ${stored.origin})`,
        declareIn:
          " among its tracker's cookies (a cookie declaration names storage keys, databases, caches and files too)",
      },
      { denied: 'storage_without_consent', undeclared: 'undeclared_storage', elsewhere: 'out_of_scope_storage' },
    );
  }
  return findings;
}
