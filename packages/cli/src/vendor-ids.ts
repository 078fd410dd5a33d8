import type { Tracker } from '@optin/trackers';
import { hostMatches } from './host-pattern.js';

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
  /** The ids, as written, a request URL to those hosts carries. */
  readonly read: (url: URL) => readonly string[];
  /** The id as people read it in a finding. */
  readonly show: (id: string) => string;
  /** A tag manager container: its tags carry ids of any other kind. */
  readonly runsTags?: true;
}

const param =
  (...names: string[]) =>
  (url: URL) =>
    names.flatMap((n) => url.searchParams.getAll(n));
const path = (pattern: RegExp) => (url: URL) => pattern.exec(url.pathname)?.slice(1).filter(Boolean) ?? [];

// Each kind as its vendor's tags request it.
const kinds: Readonly<Record<VendorIdKind, Kind>> = {
  // gtag.js `gtag/js?id=`, its hits `g/collect?tid=`.
  ga4: { shape: /^G-[A-Z0-9]+$/, upper: true, read: param('id', 'tid'), show: (id) => id },
  // The container snippet's `gtm.js?id=` and its no-script `ns.html?id=`.
  gtm: { shape: /^GTM-[A-Z0-9]+$/, upper: true, read: param('id'), show: (id) => id, runsTags: true },
  // The pixel's hits `/tr?id=` and `/tr/?id=`, and fbevents.js's `/signals/config/<id>`.
  meta: {
    shape: /^\d+$/,
    hosts: ['www.facebook.com', 'connect.facebook.net'],
    read: (url) => (/^\/tr\/?$/.test(url.pathname) ? param('id')(url) : path(/^\/signals\/config\/(\d+)$/)(url)),
    show: (id) => `Meta pixel ${id}`,
  },
  // The Insight Tag's hits `collect?pid=`, every partner id of the page in one (`pid=111,222`).
  linkedin: {
    shape: /^\d+$/,
    hosts: ['px.ads.linkedin.com'],
    read: (url) => param('pid')(url).flatMap((p) => p.split(',')),
    show: (id) => `LinkedIn partner ${id}`,
  },
  // Hotjar's script `/c/hotjar-<id>.js` and its API `/api/v2/client/sites/<id>/…`.
  hotjar: {
    shape: /^\d+$/,
    hosts: ['*.hotjar.com', '*.hotjar.io'],
    read: path(/\/hotjar-(\d+)\.js$|\/sites\/(\d+)(?:\/|$)/),
    show: (id) => `Hotjar site ${id}`,
  },
  // Analytics.js `/analytics.js/v1/<key>/analytics.min.js` and its settings `/v1/projects/<key>/settings`.
  // Its hits to api.segment.io carry the key in their body, which the audit does not record.
  segment: {
    shape: /^\w+$/,
    hosts: ['*.segment.com'],
    read: path(/^\/analytics\.js\/v1\/(\w+)\/|^\/v1\/projects\/(\w+)\//),
    show: (id) => `Segment write key ${id}`,
  },
};
const kindNames = Object.keys(kinds) as VendorIdKind[];

const normal = (kind: VendorIdKind, id: string) => (kinds[kind].upper ? id.trim().toUpperCase() : id.trim());
const unique = (ids: readonly VendorId[]) =>
  ids.filter((v, i) => ids.findIndex((o) => o.kind === v.kind && o.id === v.id) === i);

/** The ids a request URL carries, each of the kind its host and path say. */
export function requestVendorIds(url: URL): VendorId[] {
  return unique(
    kindNames.flatMap((kind) => {
      const { hosts, read, shape } = kinds[kind];
      if (hosts && !hosts.some((h) => hostMatches(url.hostname, h))) return [];
      return read(url)
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
