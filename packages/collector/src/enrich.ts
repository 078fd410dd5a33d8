import { isIP } from 'node:net';
import type { CollectorMember } from './collector-config.js';
import { courseIdOfMessage, createMemberResolver, orgOfMessage } from './course-owner.js';
import { eventTime } from './event-time.js';
import type { GeoInfo, GeoProvider } from './geo.js';
import { anonymizeIp } from './ip-address.js';
import { trafficSource, type TrafficSource } from './referrer.js';
import { userIdOf, type SegmentMessage } from './segment-schema.js';
import type { StoredEvent } from './stored-event.js';
import { createUserAgentParser, deviceUserAgent } from './user-agent.js';

/** What the HTTP request says about the message's sender. */
export interface RequestFacts {
  /** The client's address (after trusted-proxy handling), raw; used in memory only. */
  readonly ip: string | undefined;
  /** The request's `User-Agent` header. */
  readonly userAgent: string | undefined;
  /** Receive time, ISO 8601. */
  readonly receivedAt: string;
  /** The batch's `sentAt` (the device's clock when the batch left), for its messages without their own. */
  readonly sentAt?: string | undefined;
  /**
   * The request carried a valid Segment write key and no `Origin` header (a server-side source, not
   * a browser, whose write key is public): its `context.ip` is the end user's address and is used
   * instead of the request's.
   */
  readonly trustedSource: boolean;
}

/** Options of {@link createEnricher}. */
export interface EnricherOptions {
  /** Members, to find who owns an event's course run (or, without a course id, its org). */
  readonly members: readonly CollectorMember[];
  /** Offline geo/ASN lookups; without one, geo fields stay empty. */
  readonly geo?: GeoProvider | undefined;
  /** Store the raw IP address (off by default; only with a legal basis). */
  readonly storeRawIp?: boolean | undefined;
  /** Hosts whose referrers count as `internal` (besides the page's own domain). */
  readonly internalHosts?: readonly string[] | undefined;
}

/** Turns a validated message and its request into the row that is stored. */
export type Enricher = (
  message: SegmentMessage,
  messageId: string,
  purposes: readonly string[],
  request: RequestFacts,
) => StoredEvent;

const canonicalUtc = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/** An ISO 8601 time in UTC (`…Z`), or `undefined` when absent or not a real time. */
function utc(time: string | undefined): string | undefined {
  if (time !== undefined && canonicalUtc.test(time)) return time;
  const ms = time === undefined ? NaN : Date.parse(time);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

// Context fields that enrichment turns into columns (or, for `ip`, must never be stored raw).
const extracted = new Set(['ip', 'userAgent', 'consent', 'course', 'session', 'campaign', 'page']);

/** What is left of `context` once enrichment has taken its part: `library`, `locale`, `app`, page title... */
function residualContext(context: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const key in context) if (!extracted.has(key)) kept[key] = context[key];
  const page = context.page as { title?: unknown; search?: unknown } | undefined;
  if (page?.title !== undefined) kept.page = { title: page.title };
  return kept;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value ? value : null;
}

/**
 * Builds the enricher: user agent (cached parse: browser, OS, device, native app, bot), client IP
 * (anonymised: IPv4 /24, IPv6 /48), geo and ISP/ASN (looked up on the raw address in memory,
 * cached), traffic source (referrer class, campaign) and the owning Member (of the course run, as
 * `registry.memberFor` of `@optin/members` finds it).
 */
export function createEnricher(options: EnricherOptions): Enricher {
  const parseUa = createUserAgentParser();
  const memberOf = createMemberResolver(options.members);
  // Pages and referrers repeat: their traffic source is cached by page, then referrer (campaign-less
  // messages only), at most 10,000 pairs of at most 1,000 characters (a few MB whatever senders send).
  const sourceCache = new Map<string, Map<string, TrafficSource>>();
  let cachedSources = 0;
  const sourceOf = (url: string | undefined, referrer: string | undefined): TrafficSource => {
    if ((url?.length ?? 0) + (referrer?.length ?? 0) > 1000)
      return trafficSource(url, referrer, undefined, options.internalHosts);
    let byReferrer = sourceCache.get(url ?? '');
    let found = byReferrer?.get(referrer ?? '');
    if (!found) {
      found = trafficSource(url, referrer, undefined, options.internalHosts);
      if (cachedSources >= 10_000) {
        sourceCache.clear();
        cachedSources = 0;
        byReferrer = undefined;
      }
      if (!byReferrer) sourceCache.set(url ?? '', (byReferrer = new Map<string, TrafficSource>()));
      byReferrer.set(referrer ?? '', found);
      cachedSources++;
    }
    return found;
  };
  // What an address gives (the stored form, anonymised unless configured otherwise, and geo): one
  // client sends many events, so both are computed once per address (bounded).
  const addressCache = new Map<string, { stored: string | null; geo: GeoInfo | undefined }>();
  const addressFacts = (ip: string): { stored: string | null; geo: GeoInfo | undefined } => {
    let found = addressCache.get(ip);
    if (!found) {
      found = { stored: (options.storeRawIp ? ip : anonymizeIp(ip)) ?? null, geo: options.geo?.lookup(ip) };
      if (addressCache.size >= 10_000) addressCache.clear();
      addressCache.set(ip, found);
    }
    return found;
  };
  return (message, messageId, purposes, request) => {
    const context = message.context ?? {};
    const contextIp = context.ip;
    // The message's own user agent, else the request's unless it is the sending library's.
    const ua = parseUa(context.userAgent ?? deviceUserAgent(request.userAgent));
    const ip = request.trustedSource && contextIp && isIP(contextIp) ? contextIp : request.ip;
    const address = ip ? addressFacts(ip) : undefined;
    const geo = address?.geo;
    const page = context.page;
    const source = context.campaign
      ? trafficSource(page?.url, page?.referrer, context.campaign, options.internalHosts)
      : sourceOf(page?.url, page?.referrer);
    const courseId = courseIdOfMessage(message);
    const org = orgOfMessage(message) ?? null;
    const properties = message.type === 'identify' ? message.traits : message.properties;
    const name = message.type === 'track' ? message.event : message.type === 'identify' ? null : str(message.name);
    const clientTimestamp = utc(message.timestamp ?? message.originalTimestamp) ?? null;
    return {
      messageId,
      clientTimestamp,
      type: message.type,
      event: name,
      memberId: memberOf(message) ?? null,
      keptFrom: null,
      anonymousId: message.anonymousId ?? null,
      userId: userIdOf(message),
      timestamp: eventTime(
        message.timestamp ?? message.originalTimestamp,
        message.sentAt ?? request.sentAt,
        request.receivedAt,
      ),
      receivedAt: request.receivedAt,
      courseId,
      org,
      sessionId: context.session?.id ?? null,
      sessionSeq: context.session?.seq ?? null,
      path: page?.path ?? null,
      url: page?.url ?? null,
      referrerClass: source.referrerClass,
      referrerHost: source.referrerHost ?? null,
      campaign: source.campaign ?? null,
      browser: ua?.browser ?? null,
      browserVersion: ua?.browserVersion ?? null,
      os: ua?.os ?? null,
      osVersion: ua?.osVersion ?? null,
      deviceType: ua?.deviceType ?? null,
      app: ua?.app ?? null,
      appVersion: ua?.appVersion ?? null,
      isBot: ua?.isBot ?? false,
      ip: address ? address.stored : null,
      country: geo?.country ?? null,
      region: geo?.region ?? null,
      city: geo?.city ?? null,
      asn: geo?.asn ?? null,
      isp: geo?.isp ?? null,
      purposes,
      properties: properties ?? {},
      context: residualContext(context),
    };
  };
}
