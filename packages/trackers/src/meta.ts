import { adapterIdentity, type AdapterOptions } from './adapter-options.js';
import type { Tracker } from './tracker.js';

/** Options of {@link meta}. */
export interface MetaOptions extends AdapterOptions {
  /** The pixel id. */
  readonly id: string;
}

interface Fbq {
  (...args: unknown[]): void;
  callMethod?: (...args: unknown[]) => void;
  queue: unknown[];
  push: Fbq;
  loaded: boolean;
  version: string;
  disablePushState?: boolean;
  /**
   * The ids of the pixels running on the page: Meta's consent is page-wide, so a revoke waits for the
   * last of them (a Member's pixel left behind, or withdrawn for that Member alone, must not silence the
   * platform's). Kept on Meta's `fbq`, which every copy of this adapter shares (a hub of another bundle
   * taking over after `destroy()` too).
   */
  optin?: Set<string>;
  /**
   * The ids of every pixel set up on the page (`fbq('init')`), running or not: fbevents.js keeps a
   * pixel set up once revoked, and Meta's `grant` is page-wide, so it would turn them all on again.
   */
  optins?: Set<string>;
}

/**
 * The Meta (Facebook) Pixel, for `marketing`. `fbq('init')` sends nothing by itself; automatic
 * events (`autoConfig`) and the automatic PageView on history changes (`disablePushState`) are off,
 * so the pixel sees only the hub's page views (`PageView`) and actions (custom events), each sent to
 * this pixel alone. Unloads with Meta's `fbq('consent', 'revoke')`, after which no pixel sends
 * anything: as that is page-wide, it waits until no other pixel of the page runs. Until then this one
 * cannot be stopped (what the other's code sends, `fbq('track')` of the page or of a static tag, reaches
 * it too): its `unload` returns `'reload'`, and the hub asks for a reload. The pixel reads the URL of
 * the page itself: a page view the hub kept until the decision is sent only while the learner is still
 * on its page (`properties.path`); one of a page left since would be counted as the current one.
 * Once revoked, every pixel set up stays so in fbevents.js, and a grant would turn them all on: a pixel
 * that loads while one set up before is stopped fails (`tracker_failed`) and stays off until the reload.
 *
 * @example meta({ id: '1234567890' })
 */
export function meta(options: MetaOptions): Tracker {
  const identity = adapterIdentity('meta', options, 'id', /^\d+$/);
  const { id } = options;
  const w = () => window as unknown as { fbq?: Fbq; _fbq?: Fbq };
  const fbq = (...args: unknown[]) => w().fbq?.(...args);
  // Sent to by the hub, it runs: again too, when resumed (granted again before the reload) after an
  // unload that could not stop it.
  const send = (...args: unknown[]) => (w().fbq?.optin?.add(id), fbq(...args));
  return {
    ...identity,
    purposes: ['marketing'],
    party: 'third',
    vendor: {
      name: 'Meta Pixel',
      privacyUrl: 'https://www.facebook.com/privacy/policy/',
      optOutUrl: 'https://www.facebook.com/adpreferences/ad_settings',
    },
    cookies: [
      { name: '_fbp', purpose: 'marketing', lifetime: '90d', party: 'first' },
      { name: '_fbc', purpose: 'marketing', lifetime: '90d', party: 'first' },
      { name: 'fr', purpose: 'marketing', lifetime: '90d', party: 'third' },
    ],
    hosts: ['connect.facebook.net', 'www.facebook.com'],
    unloadable: true,
    load(ctx) {
      const win = w();
      if (!win.fbq) {
        // Meta's own base-code stub: queues calls until fbevents.js takes over.
        const n = function () {
          // eslint-disable-next-line prefer-rest-params -- fbevents.js replays `arguments` objects
          if (n.callMethod) n.callMethod(...arguments);
          // eslint-disable-next-line prefer-rest-params -- as above
          else n.queue.push(arguments);
        } as Fbq;
        n.queue = [];
        n.loaded = true;
        n.version = '2.0';
        n.push = n;
        win.fbq = win._fbq ??= n;
      }
      const f = win.fbq;
      const running = (f.optin ??= new Set());
      // A pixel set up before and stopped since (revoked: a Member's left for another Member's page, or
      // refused) would be turned on again by this grant, page-wide: this one stays off until the reload
      // (and is not set up: it stops no other pixel from loading again).
      for (const p of (f.optins ??= new Set())) if (p != id && !running.has(p)) throw Error(`pixel ${p} is off`);
      f.optins.add(id);
      f.disablePushState = true;
      running.add(id);
      fbq('consent', 'grant');
      fbq('set', 'autoConfig', false, id);
      fbq('init', id);
      return ctx.loadScript('https://connect.facebook.net/en_US/fbevents.js');
    },
    unload() {
      const f = w().fbq;
      const running = f?.optin;
      running?.delete(id);
      // Never set up (its load refused): nothing to stop. Another pixel runs: this one cannot be stopped
      // without it (the hub asks for a reload).
      return f?.optins?.has(id) && (running?.size ? 'reload' : fbq('consent', 'revoke'));
    },
    // The pixel reads the page's URL itself: a view replayed after the learner left its page is not sent.
    page: (e) => e.properties.path == location.pathname && send('trackSingle', id, 'PageView'),
    track: (e) => send('trackSingleCustom', id, e.event, e.properties),
  };
}
