import { BlockList, isIP } from 'node:net';
import { EmailError } from './errors.js';

/** One request to the pixel or the click endpoint, as the collector sees it. */
export interface EmailRequest {
  /** The `User-Agent` header (empty or missing counts as a machine). */
  userAgent: string | undefined;
  /** The client address (after your trusted-proxy handling); IPv4, IPv6 or IPv4-mapped IPv6. */
  ip?: string | undefined;
  /** The HTTP method; `HEAD` never fetches what a person would see. */
  method?: string | undefined;
  /**
   * Request headers: by name, in any letter case (`node:http` gives them lowercase, AWS Lambda as
   * sent), or a Fetch `Headers` (Hono, Next.js route handlers, Workers, Deno, Bun), read with `get()`.
   */
  headers?: Readonly<Record<string, string | readonly string[] | undefined>> | HeaderReader | undefined;
  /** Milliseconds between the token's `sentAt` and this request. */
  msSinceSend?: number | undefined;
}

/** Headers read by name, case-insensitively, such as a Fetch `Headers`. */
export interface HeaderReader {
  /** The values of the header `name` (lowercase), comma-joined, or null when it was not sent. */
  get(name: string): string | null;
}

/** Options of {@link isMachineOpen} and {@link isMachineClick}. */
export interface MachineTrafficOptions {
  /** A request this soon after send is a delivery-time scan. Default 10 000 ms. */
  prefetchWindowMs?: number;
}

/** Why a request was judged to be a machine's. */
export type MachineReason =
  /** Apple Mail Privacy Protection prefetched the images (UA exactly `Mozilla/5.0`, or Apple's network). */
  | 'apple_mpp'
  /** A mail-security scanner or link checker named itself in the user agent, or came from a gateway network. */
  | 'security_scanner'
  /** A generic HTTP client, crawler or headless browser. */
  | 'bot_user_agent'
  /** No user agent at all. */
  | 'no_user_agent'
  /** A `HEAD` request, or a prefetch/preview declared in headers. */
  | 'prefetch'
  /** Within `prefetchWindowMs` of send: what delivery-time scanners do. */
  | 'too_soon_after_send';

/** A proxy that fetches on a person's behalf: the event is human but its IP and UA are the proxy's. */
export type HumanProxy = 'google_image_proxy' | 'yahoo_mail_proxy';

/** The verdict on one request. */
export type MachineVerdict = { machine: true; reason: MachineReason } | { machine: false; proxy: HumanProxy | null };

const defaultPrefetchWindowMs = 10_000;

// Apple's own networks (AS714): 17.0.0.0/8 and its IPv6 allocations.
const appleNetworks = new BlockList();
appleNetworks.addSubnet('17.0.0.0', 8, 'ipv4');
appleNetworks.addSubnet('2620:149::', 32, 'ipv6');
appleNetworks.addSubnet('2a01:b740::', 32, 'ipv6');
appleNetworks.addSubnet('2403:300::', 32, 'ipv6');

// Exchange Online Protection (Microsoft Defender Safe Links detonation, as published for mail flow).
const gatewayNetworks = new BlockList();
gatewayNetworks.addSubnet('40.92.0.0', 15, 'ipv4');
gatewayNetworks.addSubnet('40.107.0.0', 16, 'ipv4');
gatewayNetworks.addSubnet('52.100.0.0', 14, 'ipv4');
gatewayNetworks.addSubnet('104.47.0.0', 17, 'ipv4');

const scannerAgents =
  /barracuda|mimecast|proofpoint|ppops|messagelabs|symantec|forcepoint|sophos|trend ?micro|fortinet|fortiguard|cisco ?ironport|zscaler|checkpoint|avanan|abnormal ?security|microsoft office (?:existence|protocol) discovery|safelinks|bingpreview|skypeuripreview/i;
// Office's link prefetch names itself `ms-office`; so do Outlook 2013-2019 for Windows loading
// images, after `Microsoft Outlook <version>`: those are a person.
const officePrefetch = /ms-office/i;
const outlookDesktop = /microsoft outlook \d/i;
const botAgents =
  /(?<!cu)bot\b|\b(?:crawler|spider|headlesschrome|phantomjs|python-requests|python-urllib|aiohttp|httpx|curl|wget|go-http-client|java\/|okhttp|apache-httpclient|libwww-perl|node-fetch|undici|axios|scrapy)\b/i;

// The request is read as `unknown`: the collector answers the pixel and the redirect whatever
// arrives, so a missing or odd field (from JavaScript, another framework; one whose getter throws)
// is read as absent, never a TypeError. The options are the caller's own code: a mistake there is
// an EmailError.

/** `value` if it is a string, else undefined: anything else is a field that was not given. */
function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The field `name` of `request`, or undefined when reading it throws (a getter, a Proxy). */
function field(request: object, name: string): unknown {
  try {
    return (request as Record<string, unknown>)[name];
  } catch {
    return undefined;
  }
}

/** The values of the header `name` (lowercase) in `headers`: through its `get()` if it has one, else by own property. */
function headerValues(headers: object, name: string): unknown[] {
  const { get } = headers as { get?: unknown };
  if (typeof get === 'function') return [get.call(headers, name)];
  return Object.entries(headers)
    .filter(([key]) => key.toLowerCase() === name)
    .flatMap(([, value]: [string, unknown]) => (Array.isArray(value) ? (value as unknown[]) : [value]));
}

/**
 * Every value of the header `name` (lowercase), whatever the letter case of the names in `headers`,
 * joined and lowercased; none when reading them throws.
 */
function header(headers: unknown, name: string): string {
  if (typeof headers !== 'object' || headers === null) return '';
  try {
    return headerValues(headers, name)
      .filter((v): v is string => typeof v === 'string')
      .join(',')
      .toLowerCase();
  } catch {
    return '';
  }
}

function inNetwork(list: BlockList, ip: string | undefined): boolean {
  if (!ip) return false;
  const plain = ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  const family = isIP(plain);
  return family !== 0 && list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
}

/** The prefetch window of `options`, checked: a typed error at its path, never a TypeError. */
function prefetchWindow(options: unknown): number {
  if (options === undefined) return defaultPrefetchWindowMs;
  if (typeof options !== 'object' || options === null)
    throw new EmailError('invalid_option', 'options', 'must be an object', 'Pass `{ prefetchWindowMs }`, or omit it.');
  const { prefetchWindowMs } = options as { prefetchWindowMs?: unknown };
  if (prefetchWindowMs === undefined) return defaultPrefetchWindowMs;
  if (typeof prefetchWindowMs !== 'number' || !Number.isFinite(prefetchWindowMs) || prefetchWindowMs < 0)
    throw new EmailError(
      'invalid_option',
      'prefetchWindowMs',
      'must be a finite number of milliseconds, 0 or more',
      `Pass a number such as ${defaultPrefetchWindowMs}, or omit it for the default.`,
    );
  return prefetchWindowMs;
}

function verdict(kind: 'open' | 'click', given: unknown, options: unknown): MachineVerdict {
  const windowMs = prefetchWindow(options);
  const request = typeof given === 'object' && given !== null ? given : {};
  const ua = (text(field(request, 'userAgent')) ?? '').trim();
  const ip = text(field(request, 'ip'));
  const machine = (reason: MachineReason): MachineVerdict => ({ machine: true, reason });
  if (ua === '') return machine('no_user_agent');
  if (text(field(request, 'method'))?.toUpperCase() === 'HEAD') return machine('prefetch');
  const headers = field(request, 'headers');
  const purpose = `${header(headers, 'purpose')} ${header(headers, 'sec-purpose')} ${header(headers, 'x-moz')} ${header(headers, 'x-purpose')}`;
  if (/prefetch|preview/.test(purpose)) return machine('prefetch');
  if (ua === 'Mozilla/5.0' || inNetwork(appleNetworks, ip)) return machine('apple_mpp');
  if (
    scannerAgents.test(ua) ||
    (officePrefetch.test(ua) && !(kind === 'open' && outlookDesktop.test(ua))) ||
    inNetwork(gatewayNetworks, ip)
  )
    return machine('security_scanner');
  // Image proxies fetch only images: at the click endpoint they are not a person's browser.
  const proxy: HumanProxy | null = ua.includes('GoogleImageProxy')
    ? 'google_image_proxy'
    : ua.includes('YahooMailProxy')
      ? 'yahoo_mail_proxy'
      : null;
  if (proxy && kind === 'click') return machine('bot_user_agent');
  if (!proxy && botAgents.test(ua)) return machine('bot_user_agent');
  const msSinceSend = field(request, 'msSinceSend');
  if (typeof msSinceSend === 'number' && msSinceSend < windowMs) return machine('too_soon_after_send');
  return { machine: false, proxy };
}

/**
 * Whether a pixel fetch was a machine's rather than a person opening the email, and why. Apple
 * Mail Privacy Protection, security scanners, bots, HEAD and declared prefetches, and fetches within
 * seconds of send are machines. Gmail's and Yahoo's image proxies are *not*: they fetch when the
 * person opens the message (Gmail then caches, so later opens of the same message are not seen);
 * the verdict names the proxy because its IP and user agent say nothing about the person.
 *
 * Never throws on the request: a field missing or not of its type (a `userAgent` that is not a
 * string, no request at all), or one whose getter throws, is read as not given, so no user agent
 * is `no_user_agent`. Options the types rule out throw `EmailError` `invalid_option` (`options`,
 * `prefetchWindowMs`).
 *
 * @example
 * const verdict = isMachineOpen({ userAgent: req.headers['user-agent'], ip, method: req.method,
 *   headers: req.headers, msSinceSend: Date.now() - result.sentAt.getTime() });
 * if (verdict.machine) recordMachineOpen(verdict.reason); else recordOpen();
 */
export function isMachineOpen(request: EmailRequest, options: MachineTrafficOptions = {}): MachineVerdict {
  return verdict('open', request, options);
}

/**
 * Whether a click-redirect request was a machine's (a scanner following every link at delivery, a
 * link preview, an image proxy) rather than a person's click, and why. The redirect is answered
 * the same either way; only what is recorded differs. Reads the request and checks the options as
 * {@link isMachineOpen} does: never throws on the request.
 */
export function isMachineClick(request: EmailRequest, options: MachineTrafficOptions = {}): MachineVerdict {
  return verdict('click', request, options);
}
