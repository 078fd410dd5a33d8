import { identity, type AdapterOptions } from './adapter-options.js';
import type { CookieDeclaration, Tracker } from './tracker.js';

/** Options of {@link gtm}. A container runs whatever tags it holds: declare what they do. */
export interface GtmOptions extends AdapterOptions {
  /** The container id, `GTM-XXXXXXX`. */
  readonly id: string;
  /** Purposes the container's tags serve. Default `['analytics']`. */
  readonly purposes?: readonly string[];
  /** Cookies the container's tags set (GTM itself sets none). */
  readonly cookies?: readonly CookieDeclaration[];
  /** Hosts the container's tags contact, besides www.googletagmanager.com. */
  readonly hosts?: readonly string[];
}

type DataLayer = { dataLayer?: Record<string, unknown>[] };
const push = (entry: Record<string, unknown>) => ((window as unknown as DataLayer).dataLayer ??= []).push(entry);

/**
 * Google Tag Manager. GTM has no page views of its own; its "All Pages" trigger fires once on load.
 * The hub's page views arrive as `{ event: 'optin.page', page_location, page_path, page_title,
 * page_referrer }`: trigger page tags on that custom event so the hub decides which pages they see.
 * Actions arrive as `{ event: <name>, ...properties }`, identities as `{ event: 'optin.identify', user_id }`.
 * A container cannot be unloaded (withdrawal asks for a reload); Google tags in it also follow
 * Consent Mode, which the hub keeps up to date.
 *
 * @example gtm({ id: 'GTM-XXXXXXX', purposes: ['analytics', 'marketing'] })
 */
export function gtm(options: GtmOptions): Tracker {
  const { id, purposes = ['analytics'], cookies = [], hosts = [] } = options;
  return {
    ...identity('gtm', options),
    purposes,
    party: 'third',
    vendor: { name: 'Google Tag Manager', privacyUrl: 'https://policies.google.com/privacy' },
    cookies,
    hosts: ['www.googletagmanager.com', ...hosts],
    load(ctx) {
      push({ 'gtm.start': Date.now(), event: 'gtm.js' });
      return ctx.loadScript(`https://www.googletagmanager.com/gtm.js?id=${id}`);
    },
    page: ({ properties: p }) =>
      push({ event: 'optin.page', page_location: p.url, page_path: p.path, page_title: p.title, page_referrer: p.referrer }),
    track: (e) => push({ ...e.properties, event: e.event }),
    identify: (e) => push({ event: 'optin.identify', user_id: e.userId }),
  };
}
