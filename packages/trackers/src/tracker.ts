/** Who a tracker belongs to: the platform, or a Member (by id) whose overrides then apply. */
export type TrackerOwner = 'platform' | (string & {});

/** Whether a tracker or cookie is the site's own (`first`) or a third party's (`third`). */
export type Party = 'first' | 'third';

/** The vendor behind a tracker, as listed to learners with its privacy and opt-out links. */
export interface Vendor {
  /** Name a learner recognises, e.g. "Google Analytics 4". */
  readonly name: string;
  /** The vendor's privacy policy. */
  readonly privacyUrl: string;
  /** Where a learner can opt out of the vendor's tracking, when the vendor offers one. */
  readonly optOutUrl?: string;
}

/**
 * A cookie a tracker may set. `name` is exact, or a RegExp for families (`/^_ga_/`); `lifetime` is
 * `session` or a number and unit: `30min`, `24h`, `90d`, `13mo`, `2y`.
 */
export interface CookieDeclaration {
  /** The cookie's exact name, or a pattern matching every cookie of a family. */
  readonly name: string | RegExp;
  /** The purpose it serves (a purpose id of the policy). */
  readonly purpose: string;
  /** How long it lives: `session`, or `<n>s|min|h|d|w|mo|y`. */
  readonly lifetime: string;
  /** Set on the site's domain (`first`) or the vendor's (`third`, which the hub cannot delete). */
  readonly party: Party;
  /**
   * Where it is kept: a cookie (`cookie`, the default), or a key of the page's `localStorage` or
   * `sessionStorage`. The declaration lists each as what it is ("optin_touch (localStorage, 13
   * months)"); the hub deletes cookies only: a tracker removes what it keeps in Web Storage itself.
   */
  readonly storage?: CookieStorage | undefined;
}

/** Where a declared item is kept: a cookie, or a key of `localStorage` or `sessionStorage`. */
export type CookieStorage = 'cookie' | 'localStorage' | 'sessionStorage';

/** What a page view carries: where the learner is, captured when `hub.page()` was called. */
export interface PageProperties extends Readonly<Record<string, unknown>> {
  /** The full URL of the page (`location.href`). */
  readonly url: string;
  /** The path of the page (`location.pathname`), e.g. `/courses/course-v1:HarvardX+CS50+2026/`. */
  readonly path: string;
  /** The page's title (`document.title`). */
  readonly title: string;
  /** The page before: `document.referrer` for the first page view, then the previous page's URL; `''` when none. */
  readonly referrer: string;
}

/** What every event carries. */
export interface EventBase {
  /** ISO 8601 time of the call (kept when replayed after the first decision). */
  readonly timestamp: string;
  /** Segment Spec `context` given by the hub's `context` option (e.g. `course: { id, org }`); `{}` without. */
  readonly context: Readonly<Record<string, unknown>>;
}

/** A page view (Segment Spec `page`). */
export interface PageEvent extends EventBase {
  /** Always `'page'`. */
  readonly type: 'page';
  /** Name of the page, when the app gives one. */
  readonly name?: string | undefined;
  /** Where the learner is, plus any properties given to `hub.page()`. */
  readonly properties: PageProperties;
}

/** An action (Segment Spec `track`), named as Open edX names events: `edx.ui.lms.link_clicked`. */
export interface TrackEvent extends EventBase {
  /** Always `'track'`. */
  readonly type: 'track';
  /** Name of the action, e.g. `edx.ui.lms.link_clicked`. */
  readonly event: string;
  /** Details of the action given to `hub.track()` (e.g. `target_url`); `{}` without. */
  readonly properties: Readonly<Record<string, unknown>>;
}

/** Who the learner is (Segment Spec `identify`); `userId` is `null` after sign-out. */
export interface IdentifyEvent extends EventBase {
  /** Always `'identify'`. */
  readonly type: 'identify';
  /** The learner's id, or `null` after sign-out. */
  readonly userId: string | null;
  /** What is known about the learner, given to `hub.identify()`; `{}` without. */
  readonly traits: Readonly<Record<string, unknown>>;
}

/** Any event the hub fans out. */
export type HubEvent = PageEvent | TrackEvent | IdentifyEvent;

/** Options of {@link TrackerContext.loadScript}. */
export interface ScriptOptions {
  /** Subresource Integrity hash (`sha384-...`); sets `crossorigin="anonymous"` too. */
  readonly integrity?: string;
  /** Extra attributes of the script element. */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** What the hub hands a tracker when loading or unloading it. */
export interface TrackerContext {
  /**
   * Adds `<script async src>` once (idempotent), with the hub's CSP nonce, tagged with the tracker's
   * id so the hub removes it on withdrawal. Resolves `false` when it failed to load (the hub has
   * already reported it through `onError`), and when the tracker no longer runs (withdrawn, or out of
   * scope, while an async `load` awaited): then no script is added and nothing is reported. Never
   * rejects.
   */
  loadScript(src: string, options?: ScriptOptions): Promise<boolean>;
}

/** A tracker: what it is (declared, listed to learners) and what it does (behaviour). */
export interface Tracker {
  /** Unique id on the page, e.g. `ga4` or `harvardx-ga4`. Static tags name it: `data-optin-tracker="ga4"`. */
  readonly id: string;
  /** `platform`, or the id of the Member it belongs to (its overrides then apply). */
  readonly owner: TrackerOwner;
  /** Every purpose it serves (at least one); it loads only when all of them are allowed for its owner. */
  readonly purposes: readonly string[];
  /** Whether the tracker itself is the site's own or a third party's. */
  readonly party: Party;
  /** Who is behind it, with privacy and opt-out links. */
  readonly vendor: Vendor;
  /** Every cookie it may set: the hub deletes them on withdrawal. */
  readonly cookies: readonly CookieDeclaration[];
  /** Every host it contacts (`*.example.com` for all subdomains). */
  readonly hosts: readonly string[];
  /**
   * The id the vendor knows this tag by, when it has one (a GA4 measurement id, GTM container id, Meta
   * pixel id, LinkedIn partner id, Hotjar site id, Segment write key): `optin audit` attributes a
   * request carrying it to this tracker, where several trackers share the vendor's hosts.
   */
  readonly vendorId?: string;
  /**
   * True when `unload` really stops it (withdrawn, or out of scope), unless that returns `'reload'`. When
   * false (the default) a withdrawal still stops the hub sending to it and deletes its cookies, and it is
   * listed in `hub.reloadRequired`, as it is when out of scope.
   */
  readonly unloadable?: boolean;
  /**
   * Starts it: typically queues its configuration and calls `ctx.loadScript`. A returned promise that
   * rejects is reported. One that awaits (a remote configuration) before `ctx.loadScript` gets `false`
   * and no script if consent was withdrawn, or the tracker left the scope, meanwhile. Called as a method of the tracker the hub was given: `this` has the id and
   * owner the tracker runs under (a Member's after `defineMember` re-issued it).
   */
  readonly load?: ((this: Tracker, ctx: TrackerContext) => unknown) | undefined;
  /**
   * Stops it after a withdrawal or when it leaves the scope. Called whether `unloadable` or not: one
   * that cannot stop entirely stops what it can (e.g. denies Consent Mode) until the page reloads.
   * Returns `'reload'` when, though `unloadable`, it could not stop this time (a Meta pixel while another
   * pixel of the page runs: Meta's consent is page-wide): the hub then handles it as a tracker that
   * cannot unload (its scripts stay, it is listed in `hub.reloadRequired` and reported to
   * `onReloadRequired`). Any other value (none, `false`, `true`: an `unload` written as a boolean
   * expression, `() => ready && stats.optOut()`, may return one by accident): stopped. The return type is
   * `unknown` so that such an `unload` still compiles.
   */
  readonly unload?: ((ctx: TrackerContext) => unknown) | undefined;
  /** A page view. */
  readonly page?: ((event: PageEvent) => void) | undefined;
  /** An action. */
  readonly track?: ((event: TrackEvent) => void) | undefined;
  /** Who the learner is. */
  readonly identify?: ((event: IdentifyEvent) => void) | undefined;
}
