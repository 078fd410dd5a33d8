import { adapterIdentity, type AdapterOptions } from './adapter-options.js';
import { gtag } from './gtag.js';
import type { Tracker } from './tracker.js';

/** Options of {@link ga4}. */
export interface Ga4Options extends AdapterOptions {
  /** The measurement id, `G-XXXXXXXXXX`. */
  readonly id: string;
  /**
   * Prefix of GA4's cookies (gtag `cookie_prefix`): `hx` gives `hx_ga` and `hx_ga_<id>`. A Member's
   * GA4 on the platform's domain needs one, so that its cookies never collide with the platform's.
   */
  readonly cookiePrefix?: string;
  /** More `gtag('config')` fields (`send_page_view` stays `false`: the hub sends page views). */
  readonly config?: Readonly<Record<string, unknown>>;
}

/**
 * Google Analytics 4 through gtag.js, for `analytics`. Automatic page views are off
 * (`send_page_view: false`): GA4 sees exactly the pages the hub sends it. Unloads for real: it sets
 * Google's documented `window['ga-disable-<id>']` kill switch, so no hit leaves after a withdrawal.
 *
 * @example createHub({ consent, trackers: [ga4({ id: 'G-XXXXXXX' }), ga4({ id: 'G-HX0001', owner: 'HarvardX', cookiePrefix: 'hx' })] });
 */
export function ga4(options: Ga4Options): Tracker {
  const identity = adapterIdentity('ga4', options, 'id', /^G-[A-Z0-9]+$/);
  // gtag's own `cookie_prefix` in `config` too: the cookies declared (deleted on withdrawal) are the ones it sets.
  const { id, config: extra, cookiePrefix = (extra?.cookie_prefix as string | undefined) ?? '' } = options;
  // A Member's property is on the page-wide dataLayer, whose Consent Mode follows the platform's
  // grants: it declares analytics only, so it never uses ad signals (as a Member's GTM container grants
  // no more than it declares), whatever the platform's marketing grant or the Member's. `t`: the
  // tracker as the hub runs it (a Member's after `defineMember` re-issued it).
  const config = (t: Tracker) => ({
    ...extra,
    ...(cookiePrefix && { cookie_prefix: cookiePrefix }),
    ...(t.owner != 'platform' && { allow_google_signals: false, allow_ad_personalization_signals: false }),
    send_page_view: false,
  });
  const toggle = (off: boolean) => ((window as unknown as Record<string, boolean>)[`ga-disable-${id}`] = off);
  return {
    ...identity,
    purposes: ['analytics'],
    party: 'third',
    vendor: {
      name: 'Google Analytics 4',
      privacyUrl: 'https://policies.google.com/privacy',
      optOutUrl: 'https://tools.google.com/dlpage/gaoptout',
    },
    cookies: [
      { name: `${cookiePrefix}_ga`, purpose: 'analytics', lifetime: '2y', party: 'first' },
      { name: `${cookiePrefix}_ga_${id.slice(2)}`, purpose: 'analytics', lifetime: '2y', party: 'first' },
    ],
    hosts: ['www.googletagmanager.com', '*.google-analytics.com', '*.analytics.google.com'],
    unloadable: true,
    load(ctx) {
      toggle(false);
      gtag('js', new Date());
      gtag('config', id, config(this));
      return ctx.loadScript(`https://www.googletagmanager.com/gtag/js?id=${id}`);
    },
    unload: () => toggle(true),
    page: ({ properties: p }) =>
      gtag('event', 'page_view', { page_location: p.url, page_title: p.title, page_referrer: p.referrer, send_to: id }),
    track: (e) => gtag('event', e.event, { ...e.properties, send_to: id }),
    identify(e) {
      gtag('config', id, { ...config(this), user_id: e.userId });
    },
  };
}
