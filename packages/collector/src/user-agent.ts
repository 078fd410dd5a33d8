import { isbot } from 'isbot';
import UAParser from 'ua-parser-js';
import { truncateText } from './truncate-text.js';
import { toStorableText } from './unstorable-text.js';

/** What a user agent string tells: browser, OS, device type, native app and whether it is a bot. */
export interface UserAgentInfo {
  /** Browser name, e.g. `Chrome`; `undefined` for native app API clients. */
  readonly browser: string | undefined;
  /** Browser version, e.g. `130.0.0.0`. */
  readonly browserVersion: string | undefined;
  /** Operating system, e.g. `iOS`, `Android`, `Windows`. */
  readonly os: string | undefined;
  /** Operating system version, e.g. `17.0`. */
  readonly osVersion: string | undefined;
  /** `desktop`, `mobile`, `tablet`, `smarttv`, `console`, `wearable`, `embedded` or `bot`. */
  readonly deviceType: string;
  /** Native app id for Open edX mobile apps, e.g. `edX/org.edx.mobile`. */
  readonly app: string | undefined;
  /** Native app version, e.g. `5.2.1`. */
  readonly appVersion: string | undefined;
  /** Flagged as a bot, crawler or monitoring agent (isbot). */
  readonly isBot: boolean;
}

// The Open edX mobile apps name themselves in their user agents (edx-platform's mobile_api tests
// quote them): the iOS API client sends `edX/org.edx.mobile (3.3.3; OS Version 9.2 (Build 13C75))`,
// the Android client appends `edX/org.edx.mobile/2.17.1` to Dalvik's, and both apps' web views
// append `edX/org.edx.mobile/2.2.1`. White-label builds use their own `{name}/{bundle}.mobile`.
const iosApiClient = /(?:^|\s)([\w-]+\/[\w.-]+\.mobile) \(([^;()\s]+);\s*OS Version ([\d.]+)/;
const appSuffix = /(?:^|\s)([\w-]+\/[\w.-]+\.mobile)\/([^\s;()]+)/;

/** Parses the native-app part of an Open edX mobile user agent, if there is one. */
function parseNativeApp(ua: string): { app: string; version: string; os?: string; osVersion?: string } | undefined {
  const ios = iosApiClient.exec(ua);
  if (ios?.[1] && ios[2] && ios[3]) return { app: ios[1], version: ios[2], os: 'iOS', osVersion: ios[3] };
  const suffix = appSuffix.exec(ua);
  if (suffix?.[1] && suffix[2]) return { app: suffix[1], version: suffix[2] };
  return undefined;
}

// Segment's libraries name themselves in the User-Agent of the requests they send:
// `analytics-node-next/latest`, `analytics-kotlin/1.16.3`, `analytics-ios/1.5.0` (analytics-swift too),
// `analytics-android/4.11.3`, `analytics-python/2.3.2`, `analytics-go (version: 3.3.0)`.
const segmentLibraryAgent = /^analytics-[a-z]+(?:-[a-z]+)*(?:\/|\s\(|$)/i;

/**
 * The learner's device as a request's `User-Agent` tells it: the header, unless it names one of
 * Segment's libraries (a server-side source such as analytics-node, or a native app's analytics-kotlin
 * or analytics-swift), which is the sender and says nothing of the device (isbot would flag it a bot,
 * and its events would count in no statistic); then `undefined`.
 */
export function deviceUserAgent(header: string | undefined): string | undefined {
  return header !== undefined && segmentLibraryAgent.test(header) ? undefined : header;
}

/** A parsed part as stored: ua-parser-js cuts long agents itself (maybe between two halves of an emoji). */
function part(value: string | undefined): string | undefined {
  return value === undefined ? undefined : toStorableText(value);
}

function parse(ua: string): UserAgentInfo {
  const result = new UAParser(ua).getResult();
  const app = parseNativeApp(ua);
  const bot = isbot(ua);
  const os = result.os.name ?? app?.os ?? (app && /Android/.test(ua) ? 'Android' : undefined);
  const osVersion = result.os.name ? result.os.version : app?.osVersion;
  const appDevice = /iPad|Tablet/i.test(ua) ? 'tablet' : 'mobile';
  return {
    browser: part(result.browser.name),
    browserVersion: part(result.browser.version),
    os: part(os),
    osVersion: part(osVersion),
    deviceType: bot ? 'bot' : (part(result.device.type) ?? (app ? appDevice : 'desktop')),
    app: part(app?.app),
    appVersion: part(app?.version),
    isBot: bot,
  };
}

/**
 * Parses user agents with an LRU cache (real traffic has few distinct user agents, and parsing is
 * the most expensive step of enrichment). `maxEntries` bounds memory.
 */
export function createUserAgentParser(maxEntries = 5000): (ua: string | undefined) => UserAgentInfo | undefined {
  const cache = new Map<string, UserAgentInfo>();
  return (full) => {
    if (!full) return undefined;
    // Parsed (and cached) by its first 1,000 characters: a few MB at most, whatever senders send.
    const ua = truncateText(full, 1000);
    const hit = cache.get(ua);
    if (hit) {
      cache.delete(ua);
      cache.set(ua, hit);
      return hit;
    }
    const info = parse(ua);
    if (cache.size >= maxEntries) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
    cache.set(ua, info);
    return info;
  };
}
