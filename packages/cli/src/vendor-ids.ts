import type { Tracker } from '@optin/trackers';
import { hostMatches } from './host-pattern.js';
import { basicUser, formFields, header, jsonFields } from './request-fields.js';

/** Whose id a vendor id is: a GA4 property, GTM container, Meta pixel, LinkedIn partner, Hotjar site or Segment source. */
export type VendorIdKind = 'ga4' | 'gtm' | 'meta' | 'linkedin' | 'hotjar' | 'segment';

/**
 * A vendor's id of one account as a request, a cookie name or a tracker's `vendorId` carries it: a
 * GA4 measurement id (`G-HX1`), a GTM container id (`GTM-HX1`), a Meta pixel id, a LinkedIn partner
 * id, a Hotjar site id (`200`), a Segment write key. Two trackers on the same vendor hosts (the
 * platform's and a Member's) are told apart by it.
 */
export interface VendorId {
  /** What the id names. */
  readonly kind: VendorIdKind;
  /** The id as the vendor shows it: `G-HX1`, `200`. */
  readonly id: string;
}

/** A request as ids are read from it: its URL, and its body (empty for none) and headers. */
interface Sent {
  readonly url: URL;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** What the audit knows of one kind of id: its shape, where requests carry it, how to read it there. */
interface Kind {
  /** The id's shape (GA4 and GTM ids in upper case, as `upper` makes them). */
  readonly shape: RegExp;
  /** Ids compared in upper case (`tid=g-hx1` is `G-HX1`). */
  readonly upper?: true;
  /**
   * The vendor's hosts, where its requests carry the id and which a tracker of this kind declares. None:
   * the id's shape alone tells it, on any host (a server-side tagging endpoint on the site's own too).
   */
  readonly hosts?: readonly string[];
  /** The ids, as written, a request to those hosts carries: in its URL, or in its body or headers. */
  readonly read: (sent: Sent) => readonly string[];
  /** The id as people read it in a finding. */
  readonly show: (id: string) => string;
  /** A tag manager container: its tags carry ids of any other kind. */
  readonly runsTags?: true;
}

const param =
  (...names: string[]) =>
  ({ url }: Sent) =>
    names.flatMap((n) => url.searchParams.getAll(n));
const path =
  (pattern: RegExp) =>
  ({ url }: Sent) =>
    pattern.exec(url.pathname)?.slice(1).filter(Boolean) ?? [];

// Each kind as its vendor's tags request it.
const kinds: Readonly<Record<VendorIdKind, Kind>> = {
  // gtag.js `gtag/js?id=`, its hits `g/collect?tid=`.
  ga4: { shape: /^G-[A-Z0-9]+$/, upper: true, read: param('id', 'tid'), show: (id) => id },
  // The container snippet's `gtm.js?id=` and its no-script `ns.html?id=`.
  gtm: { shape: /^GTM-[A-Z0-9]+$/, upper: true, read: param('id'), show: (id) => id, runsTags: true },
  // The pixel's hits `/tr?id=` and `/tr/?id=`, or `id` in the form they post (a form into a hidden
  // frame, a beacon of `FormData`), and fbevents.js's `/signals/config/<id>`.
  meta: {
    shape: /^\d+$/,
    hosts: ['www.facebook.com', 'connect.facebook.net'],
    read: (sent) =>
      /^\/tr\/?$/.test(sent.url.pathname)
        ? [...param('id')(sent), ...formFields(sent.body, header(sent.headers, 'content-type') ?? '', 'id')]
        : path(/^\/signals\/config\/(\d+)$/)(sent),
    show: (id) => `Meta pixel ${id}`,
  },
  // The Insight Tag's hits `collect?pid=`, every partner id of the page in one (`pid=111,222`).
  linkedin: {
    shape: /^\d+$/,
    hosts: ['px.ads.linkedin.com'],
    read: (sent) => param('pid')(sent).flatMap((p) => p.split(',')),
    show: (id) => `LinkedIn partner ${id}`,
  },
  // Hotjar's script `/c/hotjar-<id>.js` and its API `/api/v2/client/sites/<id>/…`.
  hotjar: {
    shape: /^\d+$/,
    hosts: ['*.hotjar.com', '*.hotjar.io'],
    read: path(/\/hotjar-(\d+)\.js$|\/sites\/(\d+)(?:\/|$)/),
    show: (id) => `Hotjar site ${id}`,
  },
  // Analytics.js `/analytics.js/v1/<key>/analytics.min.js` and its settings `/v1/projects/<key>/settings`;
  // its hits to api.segment.io (`/v1/t`, `/v1/p`, a batch `/v1/b`) carry `writeKey` in the JSON they
  // post (as text/plain), in each event of a batch too; the HTTP Tracking API takes the key as the
  // user of HTTP Basic auth. An EU workspace's hits go to `events.eu1.segmentapis.com` (Regional Segment).
  segment: {
    shape: /^\w+$/,
    hosts: ['*.segment.com', 'api.segment.io', '*.segmentapis.com'],
    read: (sent) => [
      ...path(/^\/analytics\.js\/v1\/(\w+)\/|^\/v1\/projects\/(\w+)\//)(sent),
      ...jsonFields(sent.body, 'writeKey'),
      ...basicUser(header(sent.headers, 'authorization')),
    ],
    show: (id) => `Segment write key ${id}`,
  },
};
const kindNames = Object.keys(kinds) as VendorIdKind[];

const normal = (kind: VendorIdKind, id: string) => (kinds[kind].upper ? id.trim().toUpperCase() : id.trim());
const unique = (ids: readonly VendorId[]) =>
  ids.filter((v, i) => ids.findIndex((o) => o.kind === v.kind && o.id === v.id) === i);

/**
 * The ids a request carries, each of the kind its host and path say: in its URL, and in its body
 * and headers where the vendor puts it there (Segment's write key, a Meta pixel's POSTs).
 */
export function requestVendorIds(url: URL, body = '', headers: Readonly<Record<string, string>> = {}): VendorId[] {
  return unique(
    kindNames.flatMap((kind) => {
      const { hosts, read, shape } = kinds[kind];
      if (hosts && !hosts.some((h) => hostMatches(url.hostname, h))) return [];
      return read({ url, body, headers })
        .map((raw) => ({ kind, id: normal(kind, raw) }))
        .filter((v) => shape.test(v.id));
    }),
  );
}

// GA4's cookies end in the measurement id without `G-` (`_ga_HX1`, `hx_ga_HX1` with a cookie prefix).
const ga4Name = /_ga_([A-Z0-9]+)$/;
// Hotjar's cookies and storage keys of one site end in its id (`_hjSessionUser_200`, `_hjSession_200`).
const hotjarName = /^_hj[A-Za-z]+_(\d+)$/;

/** The id a cookie or storage key name carries: GA4's `_ga_<id>` (any cookie prefix), Hotjar's `_hj…_<site id>`. */
export function nameVendorId(name: string): VendorId | undefined {
  const ga4 = ga4Name.exec(name)?.[1];
  if (ga4) return { kind: 'ga4', id: `G-${ga4}` };
  const hotjar = hotjarName.exec(name)?.[1];
  return hotjar ? { kind: 'hotjar', id: hotjar } : undefined;
}

/**
 * The id a tracker declares as its `vendorId`, of the kind its shape and the tracker's hosts say: a
 * `G-` id is a GA4 property's, a number on Meta's hosts a pixel's, on Hotjar's a site's. None without
 * a `vendorId`, or with one of no kind the audit reads (its requests are judged by host alone).
 */
export function trackerVendorIds(tracker: Tracker): VendorId[] {
  const declared = tracker.vendorId;
  if (declared === undefined) return [];
  // Host patterns overlap when one matches the other (`*.hotjar.com` and `static.hotjar.com`).
  const declares = (hosts: readonly string[]) =>
    hosts.some((h) => tracker.hosts.some((t) => hostMatches(t, h) || hostMatches(h, t)));
  return kindNames
    .filter(
      (kind) => kinds[kind].shape.test(normal(kind, declared)) && (!kinds[kind].hosts || declares(kinds[kind].hosts)),
    )
    .map((kind) => ({ kind, id: normal(kind, declared) }));
}

/** Whether a tracker naming this id is a tag manager container (GTM), whose tags carry ids of other kinds. */
export function runsTags(named: VendorId): boolean {
  return kinds[named.kind].runsTags === true;
}

/** An id as people read it in a finding: `G-HX1`, `Hotjar site 200`. */
export function showVendorId(v: VendorId): string {
  return kinds[v.kind].show(v.id);
}
