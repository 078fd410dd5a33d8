/** How a visitor came: from a search engine, a social network, an email, the site itself, another site, or directly. */
export type ReferrerClass = 'search' | 'social' | 'email' | 'internal' | 'referral' | 'direct';

// Tested in this order against `utm_medium`, then the referrer's host, then click ids (social before
// search: a `paid_social` medium is social, not a search ad). A network or engine is known by its own
// domain (`google.com`, `google.co.uk`, `www.google.com.au`), never as part of another's
// (`docs.google.attacker.net`); an engine only as its search host (`www.`, `search.`, a country's, `m.`,
// or a light, WAP, image or news search's `html.`, `lite.`, `wap.`, `images.`, `news.` before those), never
// another service of the same company (`accounts.google.com`, `docs.`, `sites.`).
const rules: readonly (readonly [ReferrerClass, RegExp, RegExp, RegExp])[] = [
  ['email', /e-?mail|newsletter/i, /^(mail|webmail|outlook)\./, /mc_cid/],
  [
    'social',
    /social/i,
    /(^|\.)(facebook|linkedin|t|twitter|x|reddit|pinterest|whatsapp|fb|instagram|lnkd|youtube|tiktok|threads|quora|bsky)\.(com?\.)?[a-z]+$/,
    /fbclid|ttclid|twclid|li_fat_id/,
  ],
  [
    'search',
    /cpc|ppc|paid|search/i,
    /^(([a-z]{1,2}|html|lite|wap|images|news)\.)?(www\.|search\.)?(google|bing|yahoo|duckduckgo|baidu|yandex|ecosia|naver|qwant|brave)\.(com?\.)?[a-z]+$/,
    /gclid|[gw]braid|dclid|msclkid|yclid/,
  ],
];

/** The host of an http(s) referrer, `''` for none. */
export function referrerHost(referrer: string): string {
  return /^https?:\/\/([^/:?#]+)/.exec(referrer)?.[1] ?? '';
}

/**
 * Classifies an arrival from its referrer and the landing page's query: `utm_medium` first (`email`,
 * `social`, `cpc`/`paid`...), then the referrer's host (`internal` when `own` says it is the site's,
 * webmail, search engines, social networks, else `referral`), then click ids (`gclid`, `msclkid`...
 * are search ads; `fbclid`, `ttclid`... social); `direct` when nothing says (`referral` when there are
 * only other campaign parameters).
 *
 * @example classifyReferrer('https://www.google.com/', new URLSearchParams(), (h) => h.endsWith('edx.org')) // 'search'
 */
export function classifyReferrer(
  referrer: string,
  params: URLSearchParams,
  own: (host: string) => boolean,
): ReferrerClass {
  const host = referrerHost(referrer);
  const query = [...params.keys()].join();
  const by = (at: 1 | 2 | 3, value: string) => rules.find((r) => r[at].test(value))?.[0];
  return (
    by(1, params.get('utm_medium') ?? '') ??
    (host
      ? own(host)
        ? 'internal'
        : (by(2, host) ?? 'referral')
      : (by(3, query) ?? (/utm_/.test(query) ? 'referral' : 'direct')))
  );
}
