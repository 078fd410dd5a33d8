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

const search =
  /(^|\.)(google\.[a-z.]+|bing\.com|duckduckgo\.com|search\.yahoo\.com|yahoo\.co\.jp|baidu\.com|yandex\.[a-z.]+|ecosia\.org|startpage\.com|naver\.com|search\.brave\.com|qwant\.com)$/;
const social =
  /(^|\.)(facebook\.com|fb\.com|t\.co|twitter\.com|x\.com|linkedin\.com|lnkd\.in|instagram\.com|youtube\.com|youtu\.be|reddit\.com|tiktok\.com|pinterest\.[a-z.]+|weibo\.com|vk\.com|whatsapp\.com|t\.me|telegram\.org|threads\.net|bsky\.app|mastodon\.social)$/;
const webmail =
  /(^|\.)(mail\.google\.com|outlook\.live\.com|outlook\.office\.com|outlook\.office365\.com|mail\.yahoo\.com|mail\.proton\.me|mail\.aol\.com|mail\.yandex\.[a-z.]+)$/;
const clickIds = ['gclid', 'gbraid', 'wbraid', 'dclid', 'fbclid', 'msclkid', 'li_fat_id', 'ttclid', 'twclid', 'mc_cid'];
const utm = ['source', 'medium', 'campaign', 'term', 'content'];

const hostPattern = /^[a-z][a-z0-9+.-]*:\/\/(?:[^/?#@]*@)?(\[[^\]]*\]|[^/?#:]+)/i;

/** The host of an absolute URL, lower-cased (a regular expression: `new URL` is slow on the hot path). */
function hostOf(url: string | undefined): string | undefined {
  const match = url ? hostPattern.exec(url) : null;
  return match?.[1]?.toLowerCase();
}

/** The query parameters of a URL, or `undefined` when it has none worth reading. */
function queryOf(url: string | undefined): URLSearchParams | undefined {
  if (!url) return undefined;
  const q = url.indexOf('?');
  if (q === -1) return undefined;
  const hash = url.indexOf('#', q);
  return new URLSearchParams(url.slice(q + 1, hash === -1 ? undefined : hash));
}

/**
 * A campaign value as stored: at most 200 characters (never half an emoji), and without what a
 * percent-decoded URL parameter may hold but no database stores (`%00` decodes to NUL): replaced by
 * U+FFFD, as the URL decoder already does with bytes that are not UTF-8.
 */
function campaignValue(value: string): string {
  return toStorableText(truncateText(value, 200));
}

function registrable(host: string): string {
  return host.split('.').slice(-2).join('.');
}

/**
 * Classifies a visit by its referrer and page URL and extracts its campaign: Segment's
 * `context.campaign` first, then the page URL's `utm_*` parameters and ad click ids. A referrer on
 * the same registrable domain as the page, or in `internalHosts`, is `internal`; `utm_medium=email`
 * or a webmail referrer is `email`.
 */
export function trafficSource(
  pageUrl: string | undefined,
  referrer: string | undefined,
  contextCampaign: Readonly<Record<string, unknown>> | undefined,
  internalHosts: readonly string[] = [],
): TrafficSource {
  const pageHost = hostOf(pageUrl);
  const query = queryOf(pageUrl);
  const campaign: Record<string, string> = {};
  if (contextCampaign) {
    for (const key of utm) {
      const v = contextCampaign[key] ?? contextCampaign[key === 'campaign' ? 'name' : key];
      if (typeof v === 'string' && v) campaign[key] = campaignValue(v);
    }
  }
  if (query) {
    for (const key of utm) {
      const v = query.get(`utm_${key}`);
      if (v && !(key in campaign)) campaign[key] = campaignValue(v);
    }
    for (const key of clickIds) {
      const v = query.get(key);
      if (v) campaign[key] = campaignValue(v);
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
