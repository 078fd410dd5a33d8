import type { Tracker, Vendor } from '@optin/trackers';
import { invalidOption } from './errors.js';

/** The anonymous id cookie (purpose `functionality`). */
export const idCookie = 'optin_id';
/** The session cookie (purpose `functionality`). */
export const sessionCookie = 'optin_ses';
/** The localStorage key of the first touch (purpose `functionality`). */
export const touchKey = 'optin_touch';
/** The localStorage key of the learner's preferences (purpose `functionality`). */
export const prefsKey = 'optin_prefs';
/** The localStorage key of the retry queue (purpose `functionality`). */
export const queueKey = 'optin_queue';

/**
 * Where batches go: `{endpoint}/v1/batch`, resolved against the page (on a server the endpoint must
 * be absolute). Throws an {@link AnalyticsError} (`invalid_option`) for an endpoint that is not a URL.
 */
export function batchUrl(endpoint: string): URL {
  try {
    return new URL(
      'v1/batch',
      new URL(endpoint.replace(/\/?$/, '/'), (globalThis as { location?: Location }).location?.href),
    );
  } catch {
    invalidOption('endpoint', `"${endpoint}" is not a URL.`);
  }
}

/**
 * The first-party trackers as they are declared to learners — `optin-analytics` and
 * `optin-functionality`, with their cookies (and localStorage keys, `storage: 'localStorage'`:
 * `optin_touch`, `optin_prefs`, `optin_queue`) and the collector's host — without their behaviour.
 * `firstParty()` builds on exactly these; use them where a config is read outside a page (the
 * `optin` CLI's `declare` and `audit`, a server rendering the list of third parties).
 *
 * @example
 * defineConfig({ policy: edxPolicy, platform: { trackers: declareFirstParty({ endpoint: 'https://collector.edx.org' }) }, members });
 */
export function declareFirstParty(options: {
  readonly endpoint: string;
  readonly vendor?: Vendor | undefined;
}): readonly Tracker[] {
  const hosts = [batchUrl(options.endpoint).hostname];
  const declare = (purpose: string, names: string[] = []): Tracker => ({
    id: `optin-${purpose}`,
    owner: 'platform',
    purposes: [purpose],
    party: 'first',
    vendor: options.vendor ?? { name: 'edX', privacyUrl: 'https://www.edx.org/edx-privacy-policy' },
    // Its first touch, preferences and retry queue (every name after the two cookies) are localStorage
    // keys, declared as such: the list of third parties must not call them cookies.
    cookies: names.map((name, i) => ({
      name,
      purpose,
      lifetime: name == sessionCookie ? '30min' : '13mo',
      party: 'first',
      ...(i > 1 && { storage: 'localStorage' }),
    })),
    hosts,
    unloadable: true,
  });
  // The attribution, preferences and retry queue it keeps in localStorage are declared with its cookies
  // (auditors check storage against the same list), in this order after them; each goes when functionality does.
  return [declare('analytics'), declare('functionality', [idCookie, sessionCookie, touchKey, prefsKey, queueKey])];
}
