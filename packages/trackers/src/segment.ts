import { pageCookies } from './page-cookies.js';
import { adapterIdentity, type AdapterOptions } from './adapter-options.js';
import type { EventBase, Tracker } from './tracker.js';

/** Options of {@link segment}. */
export interface SegmentOptions extends AdapterOptions {
  /** The source's write key. */
  readonly writeKey: string;
  /**
   * Where analytics.js sends events, as Segment writes it: `events.eu1.segmentapis.com/v1` for a
   * workspace in the EU (Regional Segment). Passed to analytics.js and declared among the tracker's
   * hosts, so the third-party list and `optin audit` know it. Default `api.segment.io/v1`.
   */
  readonly apiHost?: string;
  /** Options of `analytics.load` (integrations, cdnURL, ...). */
  readonly loadOptions?: Readonly<Record<string, unknown>>;
}

type Call = (...args: unknown[]) => void;
type Analytics = unknown[] & {
  page?: Call;
  track?: Call;
  identify?: Call;
  reset?: Call;
  _writeKey?: string;
  _loadOptions?: unknown;
};

/**
 * Segment Analytics.js, for `analytics`. Segment's snippet calls `analytics.page()` itself; this
 * adapter does not, so Segment sees only the hub's page views (with their original timestamps). Every
 * call carries the hub's `context` (give the hub a `context` option that returns
 * `{ consent: { categoryPreferences } }`, as Segment's consent tools stamp it, for Segment's Consent
 * Management to enforce the learner's choice on its destinations).
 * `hub.identify(null)` (sign-out) is `analytics.reset()`, so what follows is not the previous
 * learner's. Analytics.js has no teardown: a withdrawal asks for a reload.
 *
 * @example segment({ writeKey: 'YOUR_WRITE_KEY' })
 */
export function segment(options: SegmentOptions): Tracker {
  const identity = adapterIdentity('segment', options, 'writeKey', /^\w+$/);
  const { writeKey, loadOptions } = options;
  // As Segment writes it, without a scheme: analytics.js adds `https://` (one given too would be doubled).
  const apiHost = (options.apiHost ?? 'api.segment.io/v1').replace(/^\w+:\/\//, '');
  // (The window: globalThis, which a server rendering the page has too.)
  const w = globalThis as unknown as { analytics?: Analytics; optinSegment?: string };
  // Calls analytics.js of the page when it runs this source (else nothing is sent, see `load`; `load`
  // made every method), with the call's options: its original time, and the hub's `context` (course,
  // and the `consent.categoryPreferences` by which Segment's Consent Management filters destinations:
  // an event without them goes to every destination). analytics.js tells its arguments by their types:
  // `page(undefined, properties, options)` is a page view without a name.
  const call = (e: EventBase, method: 'page' | 'track' | 'identify' | 'reset', ...args: unknown[]) =>
    w.optinSegment == writeKey &&
    (w.analytics as unknown as Record<typeof method, Call>)[method](...args, {
      timestamp: e.timestamp,
      context: e.context,
    });
  const cookie = (name: string | RegExp, storage?: 'localStorage') => ({
    name,
    purpose: 'analytics',
    lifetime: '1y',
    party: 'first' as const,
    storage,
  });
  // What analytics.js keeps in localStorage: its ids and traits (ajs_anonymous_id, ajs_user_id,
  // ajs_user_traits, ajs_group_id, ajs_group_properties), from which it copies an id back into a new
  // cookie.
  const stored = /^ajs_/;
  return {
    ...identity,
    purposes: ['analytics'],
    party: 'third',
    vendor: { name: 'Segment (Twilio)', privacyUrl: 'https://www.twilio.com/legal/privacy' },
    cookies: [
      cookie('ajs_anonymous_id'),
      cookie('ajs_user_id'),
      cookie('ajs_group_id'),
      cookie(stored, 'localStorage'),
    ],
    hosts: ['cdn.segment.com', apiHost.split('/')[0] as string],
    load(ctx) {
      // analytics.js is one per window, with one source: the first loaded (the platform's, listed first)
      // keeps it; another is reported and sent nothing (else every call went twice, to the last source).
      // (The error names the source that runs.)
      if ((w.optinSegment ??= writeKey) != writeKey) throw Error(`Segment ${w.optinSegment} runs`);
      // No ajs_anonymous_id cookie (the hub deleted it at a withdrawal, on this or another subdomain of
      // the cookie domain, or it expired): what analytics.js left in localStorage goes too, else it would
      // copy those ids back into new cookies and a grant after a withdrawal would carry on the same
      // learner's trail. A learner who never withdrew keeps theirs (the cookie is there). (The page's cookies
      // as Document gives them: an element of the page named `cookie` shadows document.cookie.)
      try {
        if (!pageCookies().includes('ajs_anonymous_id='))
          for (const key in localStorage) if (stored.test(key)) localStorage.removeItem(key);
      } catch {
        // Blocked storage, a sandboxed document: nothing stored to remove (and the load goes on).
      }
      // Segment's snippet stub: analytics.min.js replays the queued `[method, ...args]` calls.
      const stub = (w.analytics ??= []);
      for (const method of ['page', 'track', 'identify', 'reset'] as const)
        stub[method] ??= (...args) => stub.push([method, ...args]);
      stub._writeKey = writeKey;
      // Segment's own option for its ingestion host: `integrations['Segment.io'].apiHost`, beside the
      // page's other settings of it (deliveryStrategy, ...).
      const integrations = loadOptions?.integrations as Record<string, object | undefined> | undefined;
      stub._loadOptions = options.apiHost
        ? {
            ...loadOptions,
            integrations: { ...integrations, 'Segment.io': { ...integrations?.['Segment.io'], apiHost } },
          }
        : loadOptions;
      return ctx.loadScript(`https://cdn.segment.com/analytics.js/v1/${writeKey}/analytics.min.js`);
    },
    page: (e) => call(e, 'page', e.name, e.properties),
    track: (e) => call(e, 'track', e.event, e.properties),
    // analytics.js ignores identify(null): the signed-out learner's id would stay on what follows.
    identify: (e) => call(e, e.userId == null ? 'reset' : 'identify', e.userId, e.traits), // (reset reads no argument)
  };
}
