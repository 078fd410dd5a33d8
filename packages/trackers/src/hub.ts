import type { ConsentStore } from '@optin/consent';
import { deleteCookies } from './delete-cookies.js';
import { pageCookies } from './page-cookies.js';
import { documentProperty } from './document-property.js';
import { addScript, stopScript, type AddedScript } from './load-script.js';
import { applyStaticTags, type TagOwner } from './static-tags.js';
import { startConsentMode, type GoogleConsentModeOptions } from './google-consent-mode.js';
import { TrackerError, type TrackerErrorCode, type TrackerIssue } from './errors.js';
import type { HubEvent, Tracker, TrackerContext } from './tracker.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Cookies = Tracker['cookies'][number][];

/** Options of {@link createHub}. */
export interface HubOptions {
  /** The consent store of the page (`createConsent`). */
  readonly consent: ConsentStore;
  /** The trackers in scope for this page (platform ones and those of the page's Member). */
  readonly trackers: readonly Tracker[];
  /** Reports what went wrong in a tracker, a script or a static tag; nothing is thrown into the page. Default `console.error`. */
  readonly onError?: (error: TrackerError) => void;
  /**
   * Called with every tracker still running that should not (`unloadable: false`, or whose `unload`
   * returned `'reload'`: a Meta pixel while another pixel runs): consent was withdrawn, or a single-page
   * app left its scope (another Member's page). Reload the page to stop them. Never called while
   * `createHub` runs. Its scripts still on their way are taken out of the page at once (they never run,
   * even back on before the reload). A pass that calls it starts no tracker.
   */
  readonly onReloadRequired?: (trackerIds: readonly string[]) => void;
  /**
   * Registrable domain (e.g. `edx.org`): cookies are deleted on every domain from the host down to it.
   * Without it, on every parent of the host (down to its top-level domain).
   */
  readonly cookieDomain?: string;
  /** CSP nonce given to every script the hub adds (`document.currentScript?.nonce`); none when undefined or empty. */
  readonly nonce?: string | undefined;
  /**
   * How many calls are kept before the first decision (opt-in mode: in opt-out mode the defaults apply
   * at once), and while the browser prerenders the page (the first ones win). Default 100.
   */
  readonly bufferSize?: number;
  /** Google Consent Mode v2 (on by default): `false` to leave `window.dataLayer` alone. */
  readonly googleConsentMode?: false | GoogleConsentModeOptions;
  /**
   * Whether a tracker belongs on the page now, besides consent (e.g. a Member's trackers only on its
   * courses). One out of scope gets nothing and is unloaded where it can be, else it is listed in
   * `reloadRequired`; its cookies stay, as consent still allows them. Re-evaluated on `hub.rescan()`,
   * and for each tracker an event is sent to.
   */
  readonly inScope?: (tracker: Tracker) => boolean;
  /** Extra `context` stamped on every event when it is called (Segment Spec `context`: course, session, ...). */
  readonly context?: () => Readonly<Record<string, unknown>>;
}

/** The hub: one place the page sends page views, actions and identities through, by consent. */
export interface Hub {
  /** A page view; url, path, title and referrer are captured now (and kept if buffered). */
  page(name?: string, properties?: Readonly<Record<string, unknown>>): void;
  /** An action, e.g. `hub.track('edx.ui.lms.link_clicked', { target_url })`. */
  track(event: string, properties?: Readonly<Record<string, unknown>>): void;
  /** Who the learner is; `null` after sign-out. */
  identify(userId: string | null, traits?: Readonly<Record<string, unknown>>): void;
  /** Ids of the trackers that receive calls now. */
  readonly loaded: readonly string[];
  /** Ids of trackers that cannot unload, withdrawn or out of scope: they stop only when the page reloads. */
  readonly reloadRequired: readonly string[];
  /**
   * Re-evaluates which trackers run (after what `inScope` answers has changed); on a page the browser
   * prerenders, once the learner goes to it.
   */
  rescan(): void;
  /**
   * Stops following consent and inserted tags (trackers stay as they are). A hub created on the page
   * afterwards (an app mounted again) takes over the trackers this one left running (their scripts,
   * added with `ctx.loadScript`, are in the page) rather than start them a second time (GTM would
   * fire its page tags again). It does not stop those that consent or scope no longer allows (withdrawn,
   * or another Member's page, while no hub followed them): they run until the page reloads. Destroyed
   * while the browser prerenders the page, it does nothing when the learner goes to it.
   */
  destroy(): void;
}

/**
 * Creates the hub for a page: loads each tracker only when every purpose it declares is allowed for
 * its owner, buffers calls until the first decision (opt-in mode), fans calls out with each tracker isolated, and
 * on withdrawal unloads a tracker, removes its scripts and deletes its cookies. On a page the browser
 * prerenders (speculation rules), which the learner may never see, it loads no tracker and runs no
 * static tag, keeping calls as before a decision, until the learner goes to the page. Throws a
 * {@link TrackerError} (`invalid_tracker`) when a tracker declares no purpose, names a purpose the policy does
 * not have, is a third party's (`party: 'third'`) and names a required purpose (always on: it would load
 * before any decision), or two share an id, and when `consent` is missing (path `consent`).
 *
 * @example
 * const consent = createConsent({ policy: edxPolicy, cookieDomain: 'edx.org' });
 * const hub = createHub({ consent, cookieDomain: 'edx.org', trackers: [ga4({ id: 'G-XXXXXXX' })] });
 * hub.page(); // opt-in: kept until the learner decides, then sent only to the trackers they allowed
 */
export function createHub(options: HubOptions): Hub {
  const {
    consent,
    trackers,
    nonce,
    bufferSize = 100,
    googleConsentMode = {},
    inScope = () => true,
    onError = console.error,
  } = options;
  // A JavaScript caller may pass no store (or one not made yet): a typed error, not a TypeError.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
  const policy = consent?.policy.purposes ?? [];
  const byId = new Map<string, Tracker | undefined>();
  const issues: TrackerIssue[] = [];
  const issue = (path: string, message: string) => issues.push({ path, message });
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
  if (!consent) issue('consent', 'is missing');
  for (const t of trackers) {
    if (byId.has(t.id)) issue(`trackers.${t.id}.id`, 'is not unique');
    byId.set(t.id, t);
    if (!t.purposes.length) issue(`trackers.${t.id}.purposes`, 'is empty');
    // A third party's tracker never serves a required purpose (always on): it would load before any decision.
    t.purposes.forEach(
      (p, i, _, q = policy.find((q) => q.id == p)) =>
        (!q || (q.required && t.party > 'g')) /* 'third' (shorter, for the size budget) */ &&
        issue(`trackers.${t.id}.purposes[${i}]`, `"${p}" is ${q ? 'always on' : 'not in the policy'}`),
    );
  }
  if (issues.length)
    throw new TrackerError(
      'invalid_tracker',
      issues,
      // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- ids joined by commas (shorter)
      `Use purposes among: ${policy.map((p) => p.id)}.`,
    );

  const report = (at: string, cause: unknown, code: TrackerErrorCode = 'tracker_failed') => {
    try {
      onError(new TrackerError(code, [{ path: `trackers.${at}`, message: String(cause) }], 'Others run.', cause));
    } catch {
      // a failing onError must not break the page either
    }
  };
  const loaded = new Set<Tracker>();
  // This hub, as the static tags' copies it inserted name it (`on`: not destroyed).
  const me: TagOwner = { on: 1 };
  const stale = new Set<Tracker>();
  // Trackers whose load failed: left out until withdrawn (then stopped as any other: an unloadable one
  // is tried again when back on, another resumed as it is).
  const broken = new Set<Tracker>();
  const context = (t: Tracker): TrackerContext => ({
    // A tracker no longer loaded (withdrawn, or out of scope, while an async `load` awaited) gets no
    // script: `false`, nothing reported. A script that failed: `false` too (report returns nothing).
    loadScript: async (src, o, s = loaded.has(t) && addScript(src, { ...o, nonce })) =>
      s &&
      // Named on it (after any tracker that asked for it first: one script for two Meta pixels).
      ((s.dataset.optinScript = [...users(s), t.id].join(' ')),
      !!((await s.optin) || report(`${t.id}.load`, src, 'script_failed'))),
  });
  const guard = (t: Tracker, at: 'unload' | HubEvent['type'], arg: unknown) => {
    try {
      return (t[at] as ((arg: unknown) => unknown) | undefined)?.(arg);
    } catch (error) {
      report(`${t.id}.${at}`, error);
    }
  };
  const ids = (list: Iterable<Tracker>) => [...list].map((t) => t.id);
  // The ids of the trackers that asked for a script (ctx.loadScript names them on it), and a tracker's scripts.
  const users = (s: HTMLScriptElement) => s.dataset.optinScript?.split(' ') ?? [];
  const scripts = (t: Tracker) =>
    [...documentProperty('scripts')].filter((s) => users(s).includes(t.id)) as AddedScript[];
  // Never for no purpose at all (0): `[].every` is true, and such a tracker would load before any consent.
  // The platform's own (owner `platform`, which names no Member): its choices alone.
  const allows = (t: Tracker) => t.purposes.length && t.purposes.every((p) => consent.allows(p, t.owner));
  // Each call kept, with the trackers in scope when it was made: it is replayed to those only (a call made
  // on a Member's course never reaches another Member's trackers because a single-page app went on to
  // that Member's course before the decision).
  let buffer: [HubEvent, Tracker[]][] = [];
  let referrer = documentProperty('referrer');
  // What the last sync followed: the grants in force, as text (the store reads a new copy of the decision
  // on every focus and tab switch, with nothing changed; and a refusal under an earlier policy version
  // changes the grants while no decision is in force).
  let seen: string;
  // The page's cookies when the hub last had the stored decision read again (see send).
  let jar: string | undefined;
  // Only opt-in mode waits for a first decision: nothing is allowed until then. In opt-out mode the
  // defaults (narrowed by GPC and by what an earlier decision refused) apply at once: a call made
  // while a purpose is refused is never kept for a tracker of it that consent allows later.
  const waiting = () => consent.needsPrompt && consent.mode < 'opt-o'; // 'opt-in' (shorter, for the size budget)
  // Kept (the first `bufferSize`) while waiting for the first decision, and while the browser prerenders the page.
  const send = (fields: DistributiveOmit<HubEvent, 'timestamp' | 'context'>) => {
    // Consent changed since the last sync (a consent listener subscribed before the hub runs before it,
    // and may send right after the first decision): synced first, or a tracker it grants missed the call.
    // Not once destroyed: it follows consent no more.
    // The decision stored is read again first, when the page's cookies changed since the last call (a read
    // costs ~10 times the rest of the call): one made in a tab of another subdomain (the cookie they share)
    // tells this tab nothing where the browser has no Cookie Store API, until it is focused again. Kept
    // elsewhere than in the cookie, it is read again before every call: a withdrawal written to localStorage
    // by a same-origin frame that then calls the hub at once (its `storage` event comes later), a decision
    // expired there (nothing expires it), a custom storage changed outside the page.
    const event = { ...fields, timestamp: new Date().toISOString(), context: options.context?.() ?? {} } as HubEvent;
    if (consent.storageKind != 'cookie' || jar != (jar = pageCookies())) consent.refresh();
    if (me.on && seen != JSON.stringify(consent.grants())) changed();
    if ((waiting() || documentProperty('prerendering')) && buffer.length < bufferSize)
      buffer.push([event, trackers.filter(inScope)]);
    // Consent and scope are checked now, not as of the last sync: a consent listener subscribed before the
    // hub runs before it, and may send right after a withdrawal while `loaded` still holds the tracker.
    for (const t of loaded) if (allows(t) && inScope(t)) guard(t, event.type, event);
  };
  const tags = () =>
    applyStaticTags(
      (id) => {
        const t = byId.get(id);
        // An unknown id is reported once (its tag left as another hub on the page may have it): then
        // kept in byId, naming no tracker (report returns nothing).
        if (!byId.has(id)) byId.set(id, report(id, 'is missing', 'unknown_tracker') as undefined);
        return t && loaded.has(t);
      },
      me,
      nonce,
    );

  const sync = () => {
    // A page the browser prerenders (speculation rules), which the learner may never see: nothing
    // loads and no static tag runs until they go to it (`prerenderingchange`; the listener is added once).
    seen = JSON.stringify(consent.grants());
    // (Heard on the window, capturing: an event at the document goes through the window first. A
    // `<form name="addEventListener">` shadows the document's own addEventListener.)
    if (documentProperty('prerendering')) return addEventListener('prerenderingchange', sync, true);
    const keep: Cookies = [];
    const drop: Cookies = [];
    const starting: Tracker[] = [];
    let reload: Set<Tracker> | undefined;
    for (const t of trackers) {
      const allowed = allows(t);
      (allowed ? keep : drop).push(...t.cookies);
      // On: started below, unless already running or its load failed (left out until withdrawn or out of scope).
      if (allowed && inScope(t)) {
        if (!loaded.has(t) && !broken.has(t)) starting.push(t);
      }
      // Off, and running: loaded; or its load failed, but it may have started (its script added, say),
      // so it is stopped as any other. Only this hub's: one another hub of the page runs (or a destroyed
      // one left running) is not this hub's to stop.
      else if (loaded.delete(t) || broken.delete(t)) {
        // It cannot unload, or could not this time (`'reload'`: a Meta pixel while another pixel runs).
        const stays = guard(t, 'unload', context(t)) == 'reload' || !t.unloadable;
        // Each of its scripts is kept when it ran, if the tracker cannot unload; else no longer this one's,
        // but kept while another tracker uses it (one script for two Meta pixels); else taken out of the
        // page for good: one still on its way never runs (see stopScript). Loaded again, it gets new ones.
        for (const s of scripts(t))
          if (
            !(stays && s.ran) &&
            !(s.dataset.optinScript = users(s)
              .filter((id) => id != t.id)
              .join(' '))
          )
            stopScript(s);
        // Still running though withdrawn or out of scope (left on another Member's page, it would record
        // that page), or set up by its load (its queues, its ids), whether its scripts ran or not: only a
        // reload stops it. Reused as it is if back on before the reload (its scripts not yet run stay out).
        if (stays) reload = stale.add(t);
      }
    }
    // Nothing starts in a pass that asks for a reload: it would start on the page left behind, then again after the reload.
    if (!reload)
      for (const t of starting) {
        loaded.add(t);
        // Resumed: withdrawn but still running, or started by a hub destroyed since (its scripts are in
        // the page: an app mounted again), it is not started a second time.
        if (stale.delete(t) || scripts(t).length) continue;
        // A throw (at once: before the calls kept are replayed to it) or a rejection alike: the tracker
        // is left out for the life of the page.
        const fail = (error: unknown) => {
          loaded.delete(t);
          broken.add(t);
          report(`${t.id}.load`, error);
        };
        try {
          Promise.resolve(t.load?.(context(t))).catch(fail);
        } catch (error) {
          fail(error);
        }
      }
    deleteCookies(drop, options.cookieDomain, keep);
    tags();
    // The calls kept until the decision (or while prerendered), taken out of the buffer, in order, to the
    // trackers started now that were in scope when each was made: after the static tags ran, one of which
    // may set up the queue its tracker's calls go to (Matomo's `_paq`).
    if (!waiting()) {
      buffer.forEach(([event, scoped]) =>
        starting.forEach((t) => scoped.includes(t) && loaded.has(t) && guard(t, event.type, event)),
      );
      buffer = [];
    }
    if (reload) options.onReloadRequired?.(ids(stale));
  };

  const update = googleConsentMode && startConsentMode(consent, googleConsentMode);
  const changed = () => {
    if (update) update();
    sync();
  };
  sync();
  const unsubscribe = consent.subscribe(changed);
  // Tags inserted later (single-page apps): one pass over the document per batch of DOM changes.
  const observer = new MutationObserver(tags);
  observer.observe(document, { childList: true, subtree: true });
  return {
    page(name, properties) {
      send({
        type: 'page',
        name,
        properties: {
          url: location.href,
          path: location.pathname,
          title: documentProperty('title'),
          referrer,
          ...properties,
        },
      });
      referrer = location.href;
    },
    track: (event, properties = {}) => send({ type: 'track', event, properties }),
    identify: (userId, traits = {}) => send({ type: 'identify', userId, traits }),
    get loaded() {
      return ids(loaded);
    },
    get reloadRequired() {
      return ids(stale);
    },
    rescan: sync,
    destroy() {
      removeEventListener('prerenderingchange', sync, true);
      me.on = 0;
      unsubscribe();
      observer.disconnect();
    },
  } satisfies Hub;
}
