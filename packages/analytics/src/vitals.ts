import type { Tracker } from '@optin/trackers';
import type { FirstParty } from './first-party.js';
import { doc } from './dom.js';

/** A Web Vitals metric, as sent in the `optin.web_vitals` event. */
export type VitalName = 'LCP' | 'CLS' | 'INP' | 'FCP' | 'TTFB';

// Good / poor thresholds (web.dev): at or under the first is good, over the second poor.
const thresholds: Readonly<Record<VitalName, readonly [number, number]>> = {
  LCP: [2500, 4000],
  CLS: [0.1, 0.25],
  INP: [200, 500],
  FCP: [1800, 3000],
  TTFB: [800, 1800],
};

type Entry = PerformanceEntry & {
  hadRecentInput?: boolean;
  value?: number;
  interactionId?: number;
  responseStart?: number;
  activationStart?: number;
};

/**
 * Web Vitals (purpose `performance`): LCP, CLS, INP, FCP and TTFB measured with the browser's own
 * `PerformanceObserver` (on a page the browser prerendered, FCP, LCP and TTFB from when the learner
 * went to it, as web-vitals measures them), sent through `analytics` as `optin.web_vitals { name, value, rating }`
 * (`rating`: `good`, `needs-improvement` or `poor`). FCP and TTFB are sent once known; LCP at the
 * first input or when the page is hidden; CLS (largest 5 s session window) and INP (worst
 * interaction, or the 98th percentile from 50 on) whenever the page is hidden and they changed.
 * Give the tracker to the hub beside `analytics.trackers`: nothing is observed before `performance`
 * is granted, and a withdrawal stops it.
 *
 * @example
 * import { webVitals } from '@optin/analytics/vitals';
 * const hub = createHub({ consent, trackers: [...analytics.trackers, webVitals(analytics)] });
 */
export function webVitals(analytics: Pick<FirstParty, 'send' | 'trackers'>): Tracker {
  let stop: (() => void)[] = [];
  const sent: Partial<Record<VitalName, number>> = {};
  const nav = performance.getEntriesByType('navigation')[0] as Entry | undefined;
  const report = (name: VitalName, value: number, final?: boolean) => {
    // A time (LCP, FCP, TTFB: the final ones) on a page the browser prerendered: from when the learner went
    // to it (as web-vitals measures), at least 0.
    if (final) value = Math.max(value - (nav?.activationStart ?? 0), 0);
    if (sent[name] === value || (final && name in sent)) return;
    sent[name] = value;
    const [good, poor] = thresholds[name];
    analytics.send(
      'optin.web_vitals',
      {
        name,
        value: Math.round(value * 1e4) / 1e4,
        rating: value > poor ? 'poor' : value > good ? 'needs-improvement' : 'good',
      },
      'performance',
    );
  };
  const observe = (type: string, each: (entry: Entry) => void, options?: object) => {
    try {
      const observer = new PerformanceObserver((list) => list.getEntries().forEach(each));
      observer.observe({ type, buffered: true, ...options });
      stop.push(() => observer.disconnect());
    } catch {
      // an entry type this browser does not know
    }
  };
  const on = (target: EventTarget, type: string, listener: () => void) => {
    target.addEventListener(type, listener, true);
    stop.push(() => target.removeEventListener(type, listener, true));
  };

  return {
    id: 'optin-performance',
    owner: 'platform',
    purposes: ['performance'],
    party: 'first',
    vendor: { name: 'edX', privacyUrl: 'https://www.edx.org/edx-privacy-policy' },
    cookies: [],
    // Its messages go where the analytics tracker sends them.
    hosts: analytics.trackers[0]?.hosts ?? [],
    unloadable: true,
    load() {
      let lcp = 0;
      let cls = 0;
      let windowValue = 0;
      let windowStart = 0;
      let windowEnd = 0;
      const interactions = new Map<number, number>();
      // After the hub's replay of what it kept before the first decision: `seq` follows time.
      queueMicrotask(() => nav?.responseStart && report('TTFB', nav.responseStart, true));
      observe('paint', (e) => e.name == 'first-contentful-paint' && report('FCP', e.startTime, true));
      observe('largest-contentful-paint', (e) => (lcp = e.startTime));
      observe('layout-shift', (e) => {
        if (e.hadRecentInput) return;
        // A new session window after 1 s without shifts or 5 s in all.
        if (e.startTime - windowEnd > 1e3 || e.startTime - windowStart > 5e3)
          [windowValue, windowStart] = [0, e.startTime];
        windowEnd = e.startTime;
        cls = Math.max(cls, (windowValue += e.value ?? 0));
      });
      const interaction = (e: Entry) => {
        if (e.interactionId)
          interactions.set(e.interactionId, Math.max(interactions.get(e.interactionId) ?? 0, e.duration));
      };
      observe('event', interaction, { durationThreshold: 40 });
      observe('first-input', interaction);
      const finalLcp = () => lcp && report('LCP', lcp, true);
      // (The document's events, heard on the window: a named form shadows the document's own `addEventListener`.)
      on(self, 'keydown', finalLcp);
      on(self, 'pointerdown', finalLcp);
      on(self, 'visibilitychange', () => {
        if (!doc('hidden')) return; // (`<img name="hidden">` shadows document.hidden)
        finalLcp();
        report('CLS', cls);
        const worst = [...interactions.values()].sort((a, b) => b - a);
        const inp = worst[Math.min(worst.length - 1, Math.floor(worst.length / 50))];
        if (inp !== undefined) report('INP', inp);
      });
    },
    unload() {
      for (const s of stop) s();
      stop = [];
    },
  };
}
