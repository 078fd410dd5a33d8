import { adapterIdentity, type AdapterOptions } from './adapter-options.js';
import type { Tracker } from './tracker.js';

/** Options of {@link hotjar}. */
export interface HotjarOptions extends AdapterOptions {
  /** The Hotjar site id. */
  readonly siteId: number;
}

type Hj = ((...args: unknown[]) => void) & { q?: unknown[] };
interface HotjarWindow {
  hj?: Hj;
  _hjSettings?: { hjid: number; hjsv: number };
}

/**
 * Hotjar, for `analytics`. Hotjar has no page-view API to switch off: it records the page it loads
 * on by itself. Set "URL changes" to manual in Hotjar's site settings: the hub's later page views are
 * then sent with `hj('stateChange', url)`, so Hotjar follows only the pages the hub sends. Actions
 * become `hj('event')`, identities `hj('identify')`. It cannot be unloaded: a withdrawal asks for a reload.
 *
 * @example hotjar({ siteId: 1234567 })
 */
export function hotjar(options: HotjarOptions): Tracker {
  const identity = adapterIdentity('hotjar', options, 'siteId', /^[1-9]\d*$/);
  const { siteId } = options;
  const hj = (...args: unknown[]) => (window as unknown as HotjarWindow).hj?.(...args);
  const cookie = (name: string | RegExp, lifetime: string) => ({ name, purpose: 'analytics', lifetime, party: 'first' as const });
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
      cookie(/^_hj(ClosedSurveyInvites|DonePolls|MinimizedPolls|ShownFeedbackMessage)$/, '365d'),
      cookie(/^_hj(IncludedIn(Session|Pageview)Sample.*|AbsoluteSessionInProgress)$/, '30min'),
      cookie(/^_hj(SessionTooLarge|SessionRejected|SessionResumed|UserAttributesHash|\w+Test)$/, 'session'),
    ],
    hosts: ['static.hotjar.com', 'script.hotjar.com', '*.hotjar.com', '*.hotjar.io'],
    load(ctx) {
      const w = window as unknown as HotjarWindow;
      if (!w.hj) {
        // Hotjar's snippet stub: queues calls until the script takes over.
        const q: unknown[] = [];
        w.hj = Object.assign((...args: unknown[]) => void q.push(args), { q });
      }
      w._hjSettings = { hjid: siteId, hjsv: 6 };
      return ctx.loadScript(`https://static.hotjar.com/c/hotjar-${siteId}.js?sv=6`);
    },
    page: (e) => hj('stateChange', e.properties.url),
    track: (e) => hj('event', e.event),
    identify: (e) => hj('identify', e.userId, e.traits),
  };
}
