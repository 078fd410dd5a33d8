import { toGoogleConsentMode, type GoogleConsentMode } from '@optin/consent';
import { adapterIdentity, type AdapterOptions } from './adapter-options.js';
import type { CookieDeclaration, Tracker } from './tracker.js';

/** Options of {@link gtm}. A container runs whatever tags it holds: declare what they do. */
export interface GtmOptions extends AdapterOptions {
  /** The container id, `GTM-XXXXXXX`. */
  readonly id: string;
  /** Purposes the container's tags serve. Default `['analytics']`. */
  readonly purposes?: readonly string[];
  /** Cookies the container's tags set (GTM itself sets none). */
  readonly cookies?: readonly CookieDeclaration[];
  /** Hosts the container's tags contact, besides www.googletagmanager.com. */
  readonly hosts?: readonly string[];
  /**
   * The container's own data layer (gtm.js `l`), a JavaScript identifier. Default `dataLayer` for
   * the platform's container and `dataLayer_<tracker id>` for a Member's, so that no container sees
   * another's events (a Member's is never on `dataLayer`, the platform's). In the tracker id `/` becomes
   * `_`, `.` `$0`, `_` `$1` and `-` `$2`, so that no two ids share a layer: `HarvardX/gtm` (as
   * `defineMember` names it) is `dataLayer_HarvardX_gtm`, the adapter's own `HarvardX-gtm` is
   * `dataLayer_HarvardX$2gtm`, and Members `Harvard` (tracker `X-gtm`) and `Harvard-X` (tracker `gtm`)
   * get `dataLayer_Harvard_X$2gtm` and `dataLayer_Harvard$2X_gtm`.
   */
  readonly dataLayer?: string;
}

/** Data layers by name: objects pushed by the page, `arguments` of gtag commands. */
/**
 * The page's data layers. One a withdrawn container runs on keeps the Consent Mode it is held to
 * (`optin`), for every copy of this adapter on the page.
 */
type Layers = Record<string, (Record<PropertyKey, unknown>[] & { optin?: GoogleConsentMode }) | undefined>;

/** A gtag command as gtag.js reads it: an `arguments` object, not an array. */
const gtagArguments = function () {
  // eslint-disable-next-line prefer-rest-params -- gtag.js only recognises `arguments` objects
  return arguments;
} as unknown as (...args: unknown[]) => Record<PropertyKey, unknown>;

/**
 * Google Tag Manager. GTM has no page views of its own; its "All Pages" trigger fires once on load.
 * The hub's page views arrive as `{ event: 'optin.page', page_location, page_path, page_title,
 * page_referrer }`: trigger page tags on that custom event so the hub decides which pages they see.
 * Actions arrive as `{ event: <name>, ...properties }`, identities as `{ event: 'optin.identify', user_id }`,
 * each on this container's data layer only. A container cannot be unloaded (withdrawal, or leaving
 * its Member's pages, asks for a reload; meanwhile Consent Mode on its own layer is denied). Google tags in it also follow Consent Mode, which the hub
 * keeps on `dataLayer`: a container on another data layer gets a copy of every consent command there,
 * at load and as each is pushed (a withdrawal too), granting no more than the purposes it declares.
 *
 * @example gtm({ id: 'GTM-XXXXXXX', purposes: ['analytics', 'marketing'] })
 */
export function gtm(options: GtmOptions): Tracker {
  const identity = adapterIdentity('gtm', options, 'id', /^GTM-[A-Z0-9]+$/);
  const { purposes = ['analytics'], cookies = [], hosts = [], dataLayer } = options;
  let name: string;
  // On its own layer, Consent Mode grants no more than the container declares: the hub runs it only
  // while those purposes are allowed for its owner (a Member's overrides included), so a Member's
  // refusal of another purpose stays a refusal for the container's tags too.
  // After `unload` (withdrawn, or out of its Member's scope, until the page reloads) it grants nothing:
  // its layer is marked, so that the copying of another copy of this adapter (a hub made anew from
  // another bundle took the container over) obeys it too.
  const declared = toGoogleConsentMode({ purposes: Object.fromEntries(purposes.map((p) => [p, true])) });
  const layer = () => ((window as unknown as Layers)[name] ??= []);
  const push = (entry: Record<PropertyKey, unknown>) => layer().push(entry);
  // Copies `command` (of `dataLayer`), when it is a consent command, to this container's own layer. (An entry
  // may be null or undefined: GTM skips those.)
  const copy = (command?: Record<PropertyKey, unknown>) => {
    if (command?.[0] == 'consent') {
      const signals = { ...(command[2] as Record<string, string>) };
      // `< 'e'`: 'denied' (shorter, for the size budget).
      for (const key in signals)
        if ((layer().optin ?? declared)[key as keyof GoogleConsentMode] < 'e') signals[key] = 'denied';
      push(gtagArguments('consent', command[1], signals));
    }
  };
  // The layer of the tracker as the hub runs it (`this`: the id and owner it runs under, a Member's
  // too when declared without `owner`), known from any call: a hub made anew takes a running
  // container over without loading it. Never a Member's on the platform's layer: there it would see
  // the platform's events and Consent Mode unnarrowed.
  // A name that is no JavaScript name is made one (the same in the script URL and on the window). The
  // default's tracker id: "/" as "_", "." as "$0", "_" as "$1" and "-" as "$2" ("$" is in no tracker id,
  // and "/" at most once): one id, one name, so that no Member's container reads another's layer
  // (Harvard/X-gtm: dataLayer_Harvard_X$2gtm; Harvard-X/gtm: dataLayer_Harvard$2X_gtm).
  const at = (t: Tracker) =>
    (name = (
      t.owner == 'platform'
        ? (dataLayer ?? 'dataLayer')
        : (dataLayer != 'dataLayer' && dataLayer) ||
          'dataLayer_' + t.id.replace(/_/g, '$$1').replace(/\./g, '$$0').replace(/-/g, '$$2')
    ).replace(/[^\w$]/g, '_'));
  return {
    ...identity,
    purposes,
    party: 'third',
    vendor: { name: 'Google Tag Manager', privacyUrl: 'https://policies.google.com/privacy' },
    cookies,
    hosts: ['www.googletagmanager.com', ...hosts],
    load(ctx) {
      if (at(this) != 'dataLayer') {
        // Consent Mode as the hub keeps it on `dataLayer`: what is there now, then every later command
        // at once (GTM's own triggers, clicks and timers, fire without a message from the hub), even
        // after a withdrawal. GTM, loading on `dataLayer` later, calls the push it finds.
        const platform = ((window as unknown as Layers).dataLayer ??= []);
        const base = platform.push;
        platform.forEach(copy);
        platform.push = (...commands) => (commands.forEach(copy), base.apply(platform, commands));
      }
      push({ 'gtm.start': +new Date(), event: 'gtm.js' });
      return ctx.loadScript(`https://www.googletagmanager.com/gtm.js?id=${identity.vendorId}&l=${name}`);
    },
    page({ properties: p }) {
      at(this);
      push({
        event: 'optin.page',
        page_location: p.url,
        page_path: p.path,
        page_title: p.title,
        page_referrer: p.referrer,
      });
    },
    track(e) {
      at(this);
      push({ ...e.properties, event: e.event });
    },
    identify(e) {
      at(this);
      push({ event: 'optin.identify', user_id: e.userId });
    },
    // A container cannot be stopped, but its Google tags can be told: on its own layer, Consent Mode is
    // denied from now on (the platform's layer already follows the hub). Resumed before the reload, it
    // stays denied: a Member's tags never get back more than the reload would give them. (The command
    // is the mark itself: what `copy` would make of it, all but `security_storage` denied.)
    unload() {
      if (at(this) != 'dataLayer')
        push(gtagArguments('consent', 'update', (layer().optin = toGoogleConsentMode(null))));
    },
  };
}
