import { clickIds } from './click-ids.js';
import { truncateText } from './truncate-text.js';
import { toStorableText } from './unstorable-text.js';

/** Where a visit came from. */
export type ReferrerClass = 'direct' | 'internal' | 'search' | 'social' | 'email' | 'external';

/** A visit's source: the referrer's class and host, and its campaign parameters. */
export interface TrafficSource {
  /** `direct`, `internal`, `search`, `social`, `email` or `external`. */
  readonly referrerClass: ReferrerClass;
  /** Host of the referrer (the full referrer URL is not stored: it may carry personal data). */
  readonly referrerHost: string | undefined;
  /** `utm_*` values (as `source`, `medium`, `campaign`, `term`, `content`) and click ids (`gclid`, ...). */
  readonly campaign: Readonly<Record<string, string>> | undefined;
}

// The national domains of a site that has one per country: `.com`, `.cat` or a country's own
// (`.de`), or `.co.`/`.com.` under it (`google.co.uk`, `google.com.au`), and nothing after that:
// `docs.google.attacker.net` is not Google's.
const national = '(?:com|cat|[a-z]{2}|co\\.[a-z]{2}|com\\.[a-z]{2})';
const search = new RegExp(
  `(^|\\.)(google\\.${national}|bing\\.com|duckduckgo\\.com|search\\.yahoo\\.com|yahoo\\.co\\.jp|baidu\\.com|yandex\\.${national}|ecosia\\.org|startpage\\.com|naver\\.com|search\\.brave\\.com|qwant\\.com)$`,
);
const social = new RegExp(
  `(^|\\.)(facebook\\.com|fb\\.com|t\\.co|twitter\\.com|x\\.com|linkedin\\.com|lnkd\\.in|instagram\\.com|youtube\\.com|youtu\\.be|reddit\\.com|tiktok\\.com|pinterest\\.${national}|weibo\\.com|vk\\.com|whatsapp\\.com|t\\.me|telegram\\.org|threads\\.net|bsky\\.app|mastodon\\.social)$`,
);
const webmail = new RegExp(
  `(^|\\.)(mail\\.google\\.com|outlook\\.live\\.com|outlook\\.office\\.com|outlook\\.office365\\.com|mail\\.yahoo\\.com|mail\\.proton\\.me|mail\\.aol\\.com|mail\\.yandex\\.${national})$`,
);
const utm = ['source', 'medium', 'campaign', 'term', 'content'];

const hostPattern = /^[a-z][a-z0-9+.-]*:\/\/(?:[^/?#@]*@)?(\[[^\]]*\]|[^/?#:]+)/i;

/** The host of an absolute URL, lower-cased (a regular expression: `new URL` is slow on the hot path). */
function hostOf(url: string | undefined): string | undefined {
  const match = url ? hostPattern.exec(url) : null;
  return match?.[1]?.toLowerCase();
}

/**
 * The parameters of a URL worth reading, its query's first: those of its query, then those of its
 * fragment, read as parameters (`#gclid=…&tab=2`) or, in a hash route, as the route's query
 * (`#/course?gclid=…`), as `withoutClickIds` of `click-ids.ts` reads them.
 */
function parametersOf(url: string | undefined): URLSearchParams[] {
  if (!url) return [];
  const hash = url.indexOf('#');
  const head = hash === -1 ? url : url.slice(0, hash);
  const q = head.indexOf('?');
  const found = q === -1 ? [] : [new URLSearchParams(head.slice(q + 1))];
  if (hash === -1) return found;
  const route = url.indexOf('?', hash);
  found.push(new URLSearchParams(url.slice(route === -1 ? hash + 1 : route + 1)));
  return found;
}

/**
 * A campaign value as stored: at most 200 characters (never half an emoji), and without what a
 * percent-decoded URL parameter may hold but no database stores (`%00` decodes to NUL): replaced by
 * U+FFFD, as the URL decoder already does with bytes that are not UTF-8.
 */
function campaignValue(value: string): string {
  return toStorableText(truncateText(value, 200));
}

/**
 * Second-level labels that countries register sites under (`co.uk`, `com.au`, `ac.uk`, `ne.jp`,
 * `or.jp`, `gov.br`, ...): under a two-letter country domain, part of the suffix, not of a site.
 */
const secondLevel = new Set([
  'co',
  'com',
  'net',
  'org',
  'gov',
  'govt',
  'ac',
  'edu',
  'ne',
  'or',
  'go',
  'gob',
  'mil',
  'nic',
  'ltd',
  'plc',
  'sch',
  'nhs',
]);

/**
 * The site of a host: its last two labels (`edx.org` of `learning.edx.org`), or three under a
 * country's second level (`bbc.co.uk` of `news.bbc.co.uk`), so that every `*.co.uk` is not one site.
 */
export function registrable(host: string): string {
  const labels = host.split('.');
  const n = labels.length;
  const suffix = n >= 3 && /^[a-z]{2}$/.test(labels[n - 1] ?? '') && secondLevel.has(labels[n - 2] ?? '') ? 3 : 2;
  return labels.slice(-suffix).join('.');
}

/**
 * Classifies a visit by its referrer and page URL and extracts its campaign: Segment's
 * `context.campaign` first (its `utm_*` values and ad click ids), then the page URL's `utm_*`
 * parameters and ad click ids, of its query first, then of its fragment or hash route
 * (`#/course?gclid=…`: see `parametersOf`). A referrer on the same registrable domain as the page,
 * or in `internalHosts`, is `internal`; `utm_medium=email` or a webmail referrer is `email`.
 */
export function trafficSource(
  pageUrl: string | undefined,
  referrer: string | undefined,
  contextCampaign: Readonly<Record<string, unknown>> | undefined,
  internalHosts: readonly string[] = [],
): TrafficSource {
  const pageHost = hostOf(pageUrl);
  const campaign: Record<string, string> = {};
  if (contextCampaign) {
    for (const key of utm) {
      const v = contextCampaign[key] ?? contextCampaign[key === 'campaign' ? 'name' : key];
      if (typeof v === 'string' && v) campaign[key] = campaignValue(v);
    }
    for (const key of clickIds) {
      const v = contextCampaign[key];
      if (typeof v === 'string' && v) campaign[key] = campaignValue(v);
    }
  }
  for (const parameters of parametersOf(pageUrl)) {
    for (const key of utm) {
      const v = parameters.get(`utm_${key}`);
      if (v && !(key in campaign)) campaign[key] = campaignValue(v);
    }
    for (const key of clickIds) {
      const v = parameters.get(key);
      if (v && !(key in campaign)) campaign[key] = campaignValue(v);
    }
  }
  const host = hostOf(referrer);
  let referrerClass: ReferrerClass;
  if (campaign.medium?.toLowerCase() === 'email') referrerClass = 'email';
  else if (!host) referrerClass = 'direct';
  else if ((pageHost && registrable(pageHost) === registrable(host)) || internalHosts.includes(host))
    referrerClass = 'internal';
  else if (webmail.test(host)) referrerClass = 'email';
  else if (search.test(host)) referrerClass = 'search';
  else if (social.test(host)) referrerClass = 'social';
  else referrerClass = 'external';
  return { referrerClass, referrerHost: host, campaign: Object.keys(campaign).length ? campaign : undefined };
}
