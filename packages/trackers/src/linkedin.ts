import { adapterIdentity, type AdapterOptions } from './adapter-options.js';
import type { HubEvent, Tracker } from './tracker.js';

/** Options of {@link linkedin}. */
export interface LinkedInOptions extends AdapterOptions {
  /** The Insight Tag partner id. */
  readonly partnerId: string;
}

type Lintrk = ((action: string, data?: Readonly<Record<string, unknown>>) => void) & { q?: unknown[][] };
interface LinkedInWindow {
  lintrk?: Lintrk;
  _linkedin_data_partner_ids?: string[];
  _wait_for_lintrk?: boolean;
}

// The events a LinkedIn tag of the page sent. The Insight Tag is one per page: `lintrk('track')`
// fires for every partner id on it, so the hub's event, handed to each LinkedIn tracker (the
// platform's and a Member's, a replayed one too), is sent once, not once per tracker to every partner.
const sent = new WeakSet<HubEvent>();
const once = (e: HubEvent) => !sent.has(e) && sent.add(e);

/**
 * The LinkedIn Insight Tag, for `marketing`. Its automatic page view on load is off
 * (`window._wait_for_lintrk = true`): the hub's page views are sent with `lintrk('track')` (LinkedIn
 * reads the URL itself), and actions with a `conversion_id` property become conversions. The tag sends
 * to every partner id on the page: with the platform's and a Member's LinkedIn trackers both running,
 * each page view or conversion is sent once (to both partners), not once per tracker. As LinkedIn reads
 * the URL itself, a page view the hub kept until the decision is sent only while the learner is still
 * on its page (`properties.path`); one of a page left since would be counted as the current one. It cannot
 * be unloaded: a withdrawal asks for a reload. `lidc`, `bcookie` and the sync cookies are
 * LinkedIn's own (third-party), listed for learners but out of the page's reach.
 *
 * @example linkedin({ partnerId: '123456' })
 */
export function linkedin(options: LinkedInOptions): Tracker {
  const identity = adapterIdentity('linkedin', options, 'partnerId', /^\d+$/);
  const w = () => window as unknown as LinkedInWindow;
  const cookie = (name: string, lifetime: string, party: 'first' | 'third') => ({
    name,
    purpose: 'marketing',
    lifetime,
    party,
  });
  return {
    ...identity,
    purposes: ['marketing'],
    party: 'third',
    vendor: {
      name: 'LinkedIn Insight Tag',
      privacyUrl: 'https://www.linkedin.com/legal/privacy-policy',
      optOutUrl: 'https://www.linkedin.com/psettings/guest-controls/retargeting-opt-out',
    },
    cookies: [
      cookie('li_fat_id', '30d', 'first'),
      cookie('li_giant', '7d', 'first'),
      cookie('bcookie', '1y', 'third'),
      cookie('lidc', '24h', 'third'),
      cookie('UserMatchHistory', '30d', 'third'),
      cookie('AnalyticsSyncHistory', '30d', 'third'),
      cookie('li_sugr', '90d', 'third'),
    ],
    hosts: ['snap.licdn.com', 'px.ads.linkedin.com', 'www.linkedin.com'],
    load(ctx) {
      const win = w();
      win._wait_for_lintrk = true;
      // Once: a hub taking over after `destroy()` (an app mounted again) loads it a second time.
      const ids = (win._linkedin_data_partner_ids ??= []);
      if (!ids.includes(options.partnerId)) ids.push(options.partnerId);
      if (!win.lintrk) {
        const q: unknown[][] = [];
        win.lintrk = Object.assign(
          (action: string, data?: Readonly<Record<string, unknown>>) => void q.push([action, data]),
          { q },
        );
      }
      return ctx.loadScript('https://snap.licdn.com/li.lms-analytics/insight.min.js');
    },
    // The tag cannot be stopped, but its partner id can come off it: the views `lintrk('track')` sends
    // for the other partners on the page (the platform's) then no longer reach this one. Granted again
    // before the reload, it stays off until then.
    unload() {
      const ids = w()._linkedin_data_partner_ids ?? [];
      ids.splice(ids.indexOf(options.partnerId) >>> 0, 1);
    },
    // The tag reads the page's URL itself: a view replayed after the learner left its page is not sent.
    page: (e) => e.properties.path == location.pathname && once(e) && w().lintrk?.('track'),
    track: (e) => {
      if (e.properties.conversion_id !== undefined && once(e))
        w().lintrk?.('track', { conversion_id: e.properties.conversion_id });
    },
  };
}
