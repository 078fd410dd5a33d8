import { classifyReferrer, referrerHost, type ReferrerClass } from './referrer-class.js';

/** One arrival on the site: how (`class`), when (`at`), from where (`referrer` host) and its campaign parameters (`utm_*`, click ids). */
export interface Touch extends Readonly<Record<string, string>> {
  /** The referrer class. */
  readonly class: ReferrerClass;
  /** ISO time of the arrival. */
  readonly at: string;
}

/** First touch (the first arrival known: ever with `functionality`, else on this page) and last touch (the latest non-direct one). */
export interface Attribution {
  /** The first arrival known: ever, with `functionality`; else on this page. */
  readonly first: Touch;
  /** The latest arrival that was not direct (the first one while there is no other). */
  readonly last: Touch;
}

/** Query parameters that carry a campaign: `utm_*` and ad click ids. */
export const campaignParam = /^(utm_\w+|mc_cid|fbclid|ttclid|twclid|li_fat_id|gclid|[gw]braid|dclid|msclkid|yclid)$/;

/**
 * The campaign parameters of `url`, as a query string in the URL's order (`''` for none), its values
 * encoded (`AI & ML` stays one value): a session's campaign.
 */
export function campaignOf(url: URL): string {
  return String(new URLSearchParams([...url.searchParams].filter(([k]) => campaignParam.test(k))));
}

/**
 * The attribution after a page view at `url` reached from `referrer` at time `at`: unchanged for an
 * internal navigation without campaign parameters; otherwise the first touch stays (or is this one)
 * and the last touch becomes this one, unless this one is direct.
 *
 * @example attribute(undefined, new URL('https://www.edx.org/?utm_source=nl&utm_medium=email'), '', own, now)
 * // { first: { class: 'email', at: now, utm_source: 'nl', utm_medium: 'email' }, last: (the same) }
 */
export function attribute(
  previous: Attribution | undefined,
  url: URL,
  referrer: string,
  own: (host: string) => boolean,
  at: string,
): Attribution | undefined {
  const campaign = campaignOf(url);
  const cls = classifyReferrer(referrer, url.searchParams, own);
  const touch: Touch = {
    ...Object.fromEntries(new URLSearchParams(campaign)),
    // (None when internal or unknown: `undefined` is left out of JSON.)
    referrer: ((cls != 'internal' && referrerHost(referrer)) || undefined) as string,
    class: cls,
    at,
  };
  return cls == 'internal' && !campaign
    ? previous
    : { first: previous?.first ?? touch, last: cls == 'direct' && previous ? previous.last : touch };
}
