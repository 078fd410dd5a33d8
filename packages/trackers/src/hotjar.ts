import { adapterIdentity, type AdapterOptions } from './adapter-options.js';
import type { HubEvent, Tracker } from './tracker.js';

/** Options of {@link hotjar}. */
export interface HotjarOptions extends AdapterOptions {
  /** The Hotjar site id. */
  readonly siteId: number;
}

// `optin`: the snippet's stub this adapter made, in `window.hj` until Hotjar's code takes it over.
type Hj = ((...args: unknown[]) => void) & { q?: unknown[]; optin?: 1 };
interface HotjarWindow {
  hj?: Hj;
  _hjSettings?: { hjid: number; hjsv: number };
  /** The URL Hotjar was last told of. */
  optinHjUrl?: string;
  /** The event (page view, action, identity) Hotjar was last told of. */
  optinHj?: HubEvent;
}

/**
 * Hotjar, for `analytics`. Hotjar has no page-view API to switch off: it records the page it starts
 * on by itself, so page views made before its code has started are not sent (the page it starts on
 * would count twice, and a state change to a page left by then would file the next page's recording
 * under it). Set "URL changes" to manual in Hotjar's site settings: the hub's later page views are
 * then sent with `hj('stateChange', url)`, one a page, so Hotjar follows only the pages the hub sends.
 * Actions become `hj('event')`, identities `hj('identify')`, each once however many Hotjar trackers
 * run (the platform's and a Member's share the page's one Hotjar). It cannot be unloaded: a withdrawal
 * asks for a reload.
 *
 * @example hotjar({ siteId: 1234567 })
 */
export function hotjar(options: HotjarOptions): Tracker {
  const identity = adapterIdentity('hotjar', options, 'siteId', /^[1-9]\d*$/);
  const { siteId } = options;
  // Each event once, however many Hotjar trackers run (the platform's and a Member's share one Hotjar,
  // and the hub hands each of them the same event), and whatever copies of this module the page has.
  // (The window: globalThis, which a server rendering the page has too.)
  const w = globalThis as unknown as HotjarWindow;
  const hj = (e: HubEvent, ...args: unknown[]) => w.optinHj != (w.optinHj = e) && w.hj?.(...args);
  const cookie = (name: string | RegExp, lifetime: string) => ({
    lifetime,
    name,
    party: 'first' as const,
    purpose: 'analytics',
  });
  return {
    ...identity,
    purposes: ['analytics'],
    party: 'third',
    vendor: {
      name: 'Hotjar',
      privacyUrl: 'https://www.hotjar.com/legal/policies/privacy/',
      optOutUrl: 'https://www.hotjar.com/policies/do-not-track/',
    },
    cookies: [
      cookie(`_hjSessionUser_${siteId}`, '365d'),
      cookie(`_hjSession_${siteId}`, '30min'),
      cookie(/^_hj(id|ClosedSurveyInvites|DonePolls|MinimizedPolls|ShownFeedbackMessage)$/, '365d'),
      cookie(/^_hj(IncludedIn(Session|Pageview)Sample.*|AbsoluteSessionInProgress|FirstSeen)$/, '30min'),
      cookie(/^_hj(Session(TooLarge|Rejected|Resumed)|\w*UserAttributes\w*|\w+Test)$/, 'session'),
    ],
    hosts: ['*.hotjar.com', '*.hotjar.io'],
    load(ctx) {
      // Hotjar's snippet stub: queues calls until Hotjar's code takes over.
      const q: unknown[] = [];
      w.hj ??= Object.assign((...args: unknown[]) => q.push(args), { q, optin: 1 as const });
      // Hotjar is one per page, with one site: the first loaded (the platform's, listed first) keeps it;
      // another only tells it of what the hub sends (the last one's site got every call, and a Member's,
      // refused, kept recording).
      return (
        w._hjSettings ||
        ((w._hjSettings = { hjid: siteId, hjsv: 6 }),
        ctx.loadScript(`https://static.hotjar.com/c/hotjar-${siteId}.js?sv=6`))
      );
    },
    // While the stub is in place Hotjar has recorded nothing: it records the page it starts on itself.
    // Hotjar runs once a page (its loader disables itself), whatever the site ids of the platform's and
    // a Member's trackers, and however many copies of this module the page's bundles carry: what it was
    // told is kept on the window.
    page: (e) =>
      w.optinHjUrl != (w.optinHjUrl = e.properties.url) && !w.hj?.optin && hj(e, 'stateChange', w.optinHjUrl),
    track: (e) => hj(e, 'event', e.event),
    identify: (e) => hj(e, 'identify', e.userId, e.traits),
  };
}
