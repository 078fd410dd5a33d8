import type { ConsentStore } from '@optin/consent';
import {
  onNavigate,
  type EventBase,
  type Hub,
  type HubEvent,
  type PageEvent,
  type Tracker,
  type TrackEvent,
  type Vendor,
} from '@optin/trackers';
import { attribute, campaignOf, campaignParam, type Attribution } from './attribution.js';
import { autotrack } from './autotrack.js';
import { narrow } from './consent-stamp.js';
import { courseOf, type CourseRef } from './course-ref.js';
import { doc } from './dom.js';
import { AnalyticsError, invalidOption } from './errors.js';
import { batchUrl, declareFirstParty, idCookie, prefsKey, sessionCookie, touchKey } from './first-party-declaration.js';
import { randomId } from './random-id.js';
import { referrerHost } from './referrer-class.js';
import { decodeSession, encodeSession, nextSession, type Session } from './session.js';
import { local, readCookie, writeCookie } from './storage.js';
import { createTransport } from './transport.js';

/** Options of {@link firstParty}. */
export interface FirstPartyOptions {
  /** The collector's base URL (absolute, or relative to the page): batches go to `{endpoint}/v1/batch`. */
  readonly endpoint: string;
  /** The source's Segment write key, sent in each batch's body. */
  readonly writeKey?: string;
  /**
   * The page's consent store: stamped on every message (`context.consent`, again as it leaves, never
   * wider than when it was recorded; `gpc: true` for a decision made under Global Privacy Control),
   * and what may be stored.
   */
  readonly consent: ConsentStore;
  /** Registrable domain (e.g. `edx.org`): cookies are shared by its subdomains, which count as internal. */
  readonly cookieDomain?: string;
  /**
   * Also count changes of the URL's `#hash` as page views (hash-routed apps). Default false: then no
   * `#fragment` (an OAuth or magic-link token) is ever sent.
   */
  readonly hashRoutes?: boolean;
  /**
   * More query parameters whose values are never sent: a RegExp tested against each name (decoded, case as
   * written; a `g` flag changes nothing, a `y` flag anchors it at the name's start): `/^(q|search)$/`. Always
   * redacted: those whose name has one of these whole words (any case; words split at `_`, `-`, `.`, digits and
   * camelCase, each also with an `s`): `email`/`e-mail`, `token`, `code`, `state`, `pass`, `password`, `passwd`,
   * `secret`, `key`, `apikey`, `auth`, `authorization`, `sig`, `signature`, `session`, `sessionid`, `ticket`,
   * `otp`, `nonce`, `mail`, or has anywhere `email`, `token`, `secret`, `password`, `passwd`, `passcode`, `pwd`,
   * `jwt`, `hmac`, `saml` or `apikey` (so `access_token`, `accesstoken`, `useremail`, `pwd`, `X-Amz-Signature`,
   * not `author`, `keywords`, `postcode`, `assignment`), unless a campaign's (`utm_*`, ad click ids); and any
   * whose value, decoded three times, holds an `@` (an email address; a parameter without `=` too) or a
   * parameter that would be redacted (`next=/cb?code=…`, three deep at most). Their values go as `REDACTED`.
   */
  readonly redact?: RegExp;
  /** Messages per batch (a full batch leaves at once): a whole number from 1. Default 20. */
  readonly batchSize?: number;
  /** Milliseconds a message may wait for its batch to fill: a whole number from 0. Default 5000. */
  readonly flushInterval?: number;
  /** At most this many undelivered messages a page keeps for retry: a whole number from 1. Default 200. */
  readonly queueLimit?: number;
  /** Who runs the collector, as listed to learners. Default edX, with its privacy policy. */
  readonly vendor?: Vendor;
  /**
   * Hosts whose referral is no new arrival (the learner coming back from signing in or paying there),
   * each with its subdomains: `['accounts.google.com', 'paypal.com']` (host names, any case; a leading dot is
   * read as the domain's; no `https://` or path). Default none.
   */
  readonly ignoreReferrers?: readonly string[];
  /** Reports batches that were refused or could not be delivered. Default `console.error`. */
  readonly onError?: (error: AnalyticsError) => void;
}

/**
 * Learner preferences (purpose `functionality`): kept in localStorage with consent, shared by the
 * site's tabs (one tab's setting never erases another's), else for this page only.
 */
export interface Prefs {
  /** The value of a preference (as set by any tab, with consent), or `undefined`. */
  get(key: string): unknown;
  /** Sets a preference (any JSON value). */
  set(key: string, value: unknown): void;
}

/** The first-party tracker: its trackers for the hub, and what the page uses directly. */
export interface FirstParty {
  /**
   * The trackers to give the hub: `optin-analytics` (purpose `analytics`: page views, links,
   * controls, attribution) and `optin-functionality` (purpose `functionality`: the anonymous id
   * and session cookies, first touch, preferences and retry queue kept in the browser, `identify`).
   */
  readonly trackers: readonly Tracker[];
  /**
   * Records page views (now, or on a page the browser prerenders when the learner goes to it; after
   * every single-page-app navigation, by `history` or the Navigation API, with the title the page has
   * 500 ms later (routers set it after the URL), or sooner when the learner navigates again, hides or
   * leaves the page, or {@link FirstParty.flush} is called, what the page sends meanwhile waiting behind it;
   * a change of the query alone meanwhile by `replaceState` (a search box's; told by the Navigation API, where the
   * browser has it) updates that view's URL, no new view, while a `pushState` or Back to another query is a view;
   * so does a `replaceState` that only removes parameters that are redacted or a campaign's, or the fragment, at any
   * time (an app cleaning an OAuth callback's `?code=…&state=…`; told by the Navigation API, elsewhere a second
   * view, its secret redacted); views told apart by their URLs as they are (a filter's `?state=open` to
   * `?state=closed` is a view), every URL sent with secret query values redacted (see {@link FirstPartyOptions.redact}),
   * and every URL and path without the username of an Open edX profile (`/u/alice` goes as `/u/:username`, the
   * discussions' `/learners/alice` as `/learners/:username`),
   * once a view, and once each time the browser restores the page from its back/forward cache; coming
   * Back to a page, or reloading it, is no new arrival: no new touch) and links and
   * controls (a link opened with the middle button too, a custom `[role=button]` with Enter or Space; never those of the
   * consent UI: `<optin-banner>`, `[data-optin-consent]`) through `hub`, so
   * consent and every other tracker allowed see them too: links and controls only with `analytics` (those
   * used before the first decision are not recorded); analytics granted later on a page it has no view of, that page's view goes to this tracker alone. Returns a function that stops it; started again, the
   * earlier start stops (one message a click), and on the page of the last view (a remounted
   * component) it records no second one.
   */
  start(hub: Pick<Hub, 'page' | 'track'>): () => void;
  /** Learner preferences. */
  readonly prefs: Prefs;
  /**
   * Sends a `track` message that needs `purpose` straight to the collector (not through the hub),
   * when that purpose is allowed now; `@optin/analytics/vitals` sends Web Vitals this way. Without
   * `analytics` (on a course page, also when refused to any Member) it carries no trail: the page's
   * path and course only (no query, title or referrer), no session, and a fresh `anonymousId` of its
   * own (no `userId`). With the trail it also declares `context.purposes: ['analytics']`, so that the
   * collector keeps it from a Member the learner refuses analytics before it arrives. `'necessary'`
   * (system administration, security, integrity) needs no consent: such a message leaves before any
   * decision, in opt-in mode too, without the trail and with nothing stored; put nothing in it that
   * needs consent.
   */
  send(event: string, properties: Readonly<Record<string, unknown>>, purpose: string): void;
  /** Sends every queued message now (a navigation's page view waiting for its title too). */
  flush(): void;
}

type Fields = Readonly<Record<string, unknown>>;

/**
 * Runs `then` now or, on a page the browser prerenders (speculation rules), once the learner goes to it. (The
 * document's own `prerendering`: a named image shadows the document's.)
 */
const shown = (then: () => void) =>
  // (The document's own addEventListener, which is the window's: a `<form name="addEventListener">` shadows the
  // document's, never the window's. The event is not heard on the window.)
  doc('prerendering') ? addEventListener.call(document, 'prerenderingchange', then) : then();

/** The Navigation API, where the browser has it (not yet in TypeScript's DOM globals). */
type Navigated = {
  navigation?: EventTarget & { activation: NavigationActivation | null; currentEntry: { key: string } | null };
};

/**
 * Optin's first-party tracker. Every message follows the Segment Spec (`type`, `event`,
 * `properties`, `context`, `messageId`, `anonymousId`, `userId`, `timestamp`, `sentAt`) and carries
 * `context.consent`, `context.course` (the hub's, `null` included, else from the course key of the
 * message's own page, replayed ones too: a `course-v1:` or `block-v1:` key, a CCX's `ccx-v1:` or
 * `ccx-block-v1:` one (the CCX, with its org), or an old `Org/Course/Run` one as the LMS's `/courses/`
 * path begins), `context.session` (`{ id, seq }`), `context.page` and, on page views, `context.attribution` (first and last touch). Each kind of data goes only when its own
 * purpose is granted: page views, links and controls with `analytics` (never the consent banner's); without it
 * (on a course page, also when the learner refused it to any Member: the page knows no Member's courses),
 * messages of other purposes carry no trail (no session; Web Vitals their path and course alone and no id
 * of the learner, `identify` no page or course at all), and those still queued with one go when it is
 * withdrawn; a message the hub kept until the first decision carries the page it was made on, not the
 * one the learner is on when it is replayed; what identifies the
 * browser is stored (anonymous id and session cookies, first touch, preferences, retry queue) only
 * with `functionality` (the localStorage keys, like the id cookie, for 13 months from their last
 * write), and otherwise lives in memory for this page only; its withdrawal deletes it (the cookies
 * on this `cookieDomain`, whatever the hub's) and starts the page afresh (new id and session, no
 * touches), and no batch ever carries two anonymous ids. Throws an {@link AnalyticsError} (`invalid_option`, `path` the option)
 * for a missing `consent`, an endpoint that is not a URL, an `ignoreReferrers` that is not a list of host
 * names, a `redact` that is not a RegExp, or a count (`batchSize`, `flushInterval`, `queueLimit`) that is
 * not a whole number in its range (below 2^31), before anything is read or stored.
 *
 * @example
 * const analytics = firstParty({ endpoint: 'https://collector.edx.org', writeKey: 'wk', consent, cookieDomain: 'edx.org' });
 * const hub = createHub({ consent, trackers: [...analytics.trackers, ga4({ id: 'G-EDX0001' })] });
 * analytics.start(hub); // page views, SPA navigations, links and controls
 */
export function firstParty(options: FirstPartyOptions): FirstParty {
  const { consent, cookieDomain, hashRoutes, ignoreReferrers = [], redact } = options;
  // Left out (a script without types): a typed error now, not a TypeError on first use.
  if (!(consent as Partial<ConsentStore> | undefined)?.allows)
    invalidOption('consent', 'use createConsent().');
  // A RegExp: a string would throw a TypeError on the first URL. (It is read by `search`, which a `g`
  // flag's `lastIndex` never changes: with `test`, every other URL would be sent unredacted.)
  if (redact !== undefined && !(redact instanceof RegExp))
    invalidOption('redact', 'use a RegExp.');
  // A host name (`edx.org`): a URL or a port would make the cookies silently fail. (Left out, it reads
  // as `undefined`, which passes.)
  if (!/^[a-z\d.-]*$/.test(cookieDomain as string))
    invalidOption('cookieDomain', `"${cookieDomain}" is not a host name.`);
  // `.edx.org` is `edx.org`, as for cookies.
  const domain = cookieDomain?.replace(/^\./, '');
  // Host names, as a referrer's host is read: lower case, a leading dot the domain's (a URL or a path would
  // silently never match; a string, not a list, would fail every page view).
  if (!Array.isArray(ignoreReferrers))
    invalidOption('ignoreReferrers', 'use a list of host names.');
  const ignored = ignoreReferrers.map((entry: unknown, i) => {
    if (typeof entry != 'string' || !/^\.?[a-z\d.-]+$/i.test(entry))
      invalidOption(`ignoreReferrers[${i}]`, `"${entry as string}" is not a host name.`);
    return entry.toLowerCase().replace(/^\./, '');
  });
  const [analytics, functionality] = declareFirstParty(options) as [Tracker, Tracker];
  const keep = () => consent.allows('functionality');
  // Whether analytics is allowed: for the platform, or for the Member `memberId` (its overrides too).
  const tracks = (memberId?: string) => consent.allows('analytics', memberId);
  // Whether `host` is the page's, or under the cookieDomain or one of `domains` (their subdomains too). (Without a
  // cookieDomain: `.undefined`, which no host name ends with.)
  const own = (host: string, domains: string[] = []) =>
    host == location.hostname || [domain, ...domains].some((d) => `.${host}`.endsWith(`.${d as string}`));
  // A URL without its `#fragment` (where an OAuth or magic-link token lands) unless hash routes are pages:
  // what views are told apart by.
  const cut = (url: string) => url.replace(hashRoutes ? '' : /#.*/, '');
  // `%xx` decoded, as Latin-1: never throws (`decodeURIComponent` does, on a `%` that starts no escape or a
  // byte that is no UTF-8); what is read of it is ASCII (names, `@`, `=`).
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- exactly what is needed, and 9 bytes
  const decode: (s: string) => string = unescape;
  // The values of the parameters in `query` (a URL's query and kept fragment) that may be a secret or the
  // learner's, as `REDACTED`: a name (`%xx` decoded) that has one of these words (any case; `accessToken` is
  // `access token`; or runs one of the longer ones into others: `accesstoken`, `useremail`), or one `redact`
  // matches, unless a campaign's (attribution reads them); a value (decoded three times) that holds an `@` (an
  // email address) or a parameter of its own that would be redacted (a nested URL: `next=/cb?code=…`).
  // (Nested three deep at most: a crafted link of thousands of `?x=` must not overflow the stack.) A parameter
  // without `=` (`/unsubscribe?john%40doe.com`) is read as a value too, and goes as `REDACTED` whole.
  const hide = (query: string, deep = 0): string =>
    query.replace(
      /([?&#])([^=?&#]+)(?:(=)([^&#]*))?/g,
      (all, sep: string, raw: string, is?: string, value?: string) => {
        const name = decode(raw);
        const held = decode(decode(decode(value ?? raw)));
        return (is &&
          !campaignParam.test(name) &&
          (/e.?mail|token|secret|pass(w(or)?d|code)|pwd|jwt|hmac|saml|apikey|\b(code|state|pass|key|auth(orization)?|sig(nature)?|session(id)?|ticket|otp|nonce|mail)s?\b/i.test(
            name.replace(/([a-z])(?=[A-Z])|_|\d/g, '$1 '),
          ) ||
            (redact && name.search(redact) >= 0))) ||
          /@/.test(held) ||
          (deep < 3 && hidden(held, deep + 1))
          ? sep + (is ? raw + '=' : '') + 'REDACTED'
          : all;
      },
    );
  // Whether `hide` changes a parameter (or any in a string of them).
  const hidden = (query: string, deep = 0) => hide('&' + query, deep) != '&' + query;
  // A URL (or a path) as it may be sent: cut, its query (and a kept fragment) hidden; never its path, but for the
  // learner's username where Open edX's profile has it (`/u/alice`: the profile MFE's pages, the user menu's Profile
  // link; `/learners/alice`: the discussions MFE's learner pages, `/discussions/<course>/learners/alice/posts`; under
  // any prefix; in a parameter's value too, a sign-in page's `next=…%2Fu%2Falice`), which goes as `:username` (the
  // prefix as written, the rest of that value with it, up to a `=`, which no username holds). The segment before it
  // is read decoded, in any case, as the MFEs' router (React Router) decodes a path and matches it (`/U/alice`,
  // `/Learners/alice`): any letter of `u` or `learners` also percent-encoded, in either case, once or more
  // (`/%75/alice`, `/%6Cearners/alice`, `/%4C%45arners/alice`; `/%2575/alice` too), between separators as written or
  // encoded however many times (a `next=` nested in others: `%25252Fu%25252Falice`); a segment that decodes to
  // another (`/%75x/`, `/%6Cearner/`) stays. Only in the site's own URLs (a path, or a URL on a host of the
  // site's, as `own` tells): a link out to Google Drive's `/drive/u/0/` keeps its `u/0`, and the enterprise admin
  // portal's reports (`/<slug>/admin/learners/<report>`) theirs. (A lookbehind: `/u/u/alice` loses both.)
  const strip = (url: string, host = referrerHost(url)) =>
    cut(url)
      .replace(/[?#].*/, (query) => hide(query))
      .replace(/(?<=(?<!\/admin)(\/|%(25)*2f)(u|%(25)*[57]5|(l|%(25)*[46]c)(e|%(25)*[46]5)(a|%(25)*[46]1)(r|%(25)*[57]2)(n|%(25)*[46]e)(e|%(25)*[46]5)(r|%(25)*[57]2)(s|%(25)*[57]3))(\/|%(25)*2f))[^=?&#/]+/gi, (name) =>
        !host || own(host.toLowerCase()) ? ':username' : name,
      );
  // First, so that a wrong count (checked below) throws before anything is read or stored.
  // `context.consent` as it is now, never wider than `was` (the one a message was recorded with, which
  // it leaves with narrowed again): the purposes allowed, Member overrides, and `gpc` when the decision
  // in force was made while the browser sent Global Privacy Control (its grants are then explicit).
  const stamp = (was?: unknown) =>
    narrow(
      {
        policy: { id: consent.policy.id, version: consent.policy.version },
        categoryPreferences: consent.grants().purposes,
        members: consent.grants().members,
        gpc: consent.decision?.gpc,
      },
      was,
    );
  const transport = createTransport({
    ...options,
    url: batchUrl(options.endpoint).href,
    keep,
    allows: (p) => consent.allows(p),
    stamp,
  });
  // Any change of consent (performance withdrawn, for which the hub unloads no tracker of this one's; a purpose
  // given to send()): what it no longer allows leaves the queue at once, in memory and in localStorage, where
  // the retry queue of an outage would otherwise keep it until its next retry (minutes later).
  consent.subscribe(transport.save);
  // What it stores, gone: its cookies on the domain it wrote them on (the hub deletes them only on
  // the variants of its own cookieDomain, which may be another), and its first touch and preferences.
  const forget = () => {
    writeCookie(idCookie, '', 0, domain);
    writeCookie(sessionCookie, '', 0, domain);
    local(touchKey, null);
    local(prefsKey, null);
  };
  // Without functionality, what an earlier visit stored goes: a later grant must not bring it back.
  if (!keep()) forget();
  let anonymousId = (keep() && readCookie(idCookie)) || randomId();
  let userId: string | null | undefined;
  let session: Session | undefined;
  let attribution = local<Attribution>(touchKey);
  // This page's preferences (what it set, or found stored when functionality came): without
  // functionality, the only copy.
  let prefs: Fields = {};
  let page: Fields | undefined;
  // The page as it was loaded: the page of what was made before its first view (an LMS page's identify).
  const loaded: Fields = { url: strip(location.href), path: strip(location.pathname) };
  // Prerendered: what is sent before its first view (the hub's replay, Web Vitals, as the learner goes to it)
  // waits for it.
  // (Until a task after the learner goes to it: a page that never starts the tracker has no view to wait for.)
  let prerendered = doc('prerendering');
  shown(() => setTimeout(() => (prerendered = false)));
  // The URL of the last page view: kept across start() calls, so that starting again (a remounted
  // component, React's strict mode) on the same page is no second view of it.
  let last: string | undefined;
  // What start() gave the hub for that view: its URL and referrer; and whether it was the page visited
  // again (Back, Forward, reload): no new arrival.
  let viewed: Fields | undefined;
  let again: boolean | undefined;
  // What the last start() listens with: started again, the earlier one stops (never two messages for one use).
  let started: AbortController | undefined;
  // Only while the id cookie still holds this page's id: functionality withdrawn on another subdomain
  // (whose cookie change this page may not hear of) deleted both, and a session must not come back alone.
  const saveSession = () =>
    session &&
    keep() &&
    readCookie(idCookie) == anonymousId &&
    writeCookie(sessionCookie, encodeSession(session), 1800, domain);
  // What other tabs have set since is in localStorage (with functionality), over this page's copy.
  const stored = (): Fields => (keep() && local<Fields>(prefsKey)) || prefs;
  const remember = (e: { userId: string | null }) => void (userId = e.userId);
  // The page view of a single-page app's navigation waits for the title the app gives the new page
  // (routers set it after the URL: in an effect, a microtask, a task or an animation frame), and what
  // is sent after it waits behind it, in order, each built as it goes (its session `seq`, and the new
  // page, title included, as `context.page`).
  const waiting: (() => void)[] = [];
  // Set while start() records the view of a single-page-app navigation: that view waits.
  let navigated: unknown;
  // The history entry of the last view (the Navigation API's key, which a `replaceState` keeps).
  let entry: string | undefined;
  // (Emptied first: what it runs is sent, not held again.)
  const release = () => waiting.splice(0).map((go) => go());

  // `event`: a hub's event (its `context` and `timestamp` kept), or an action of this page's own (`send()`).
  // Nothing leaves a page the browser prerenders before the learner goes to it: then, in order, after its
  // view. Nor does anything pass a navigation's view waiting for its title: it goes after it.
  const send = (
    purpose: string,
    event: HubEvent | (Omit<TrackEvent, keyof EventBase> & Partial<EventBase>),
    campaign?: string,
  ) => {
    // Not JSON (a circular object, such as a framework's event): refused now, into the hub, which reports
    // it, before it takes a `seq` (or, waiting, holds up what follows).
    JSON.stringify(event);
    (waiting[0]
      ? (then: () => void) => waiting.push(then)
      : prerendered && !last
        ? (then: () => void) => setTimeout(shown, 0, then)
        : shown)(() => {
      const { context = {} } = event;
      if (!consent.allows(purpose)) return;
      // The page it was made on: with analytics, the last view this tracker recorded (the hub replays what it
      // kept before the first decision in order, views included; not the page now, which a single-page app
      // may have left for another Member's course meanwhile), else the page as it was loaded; without, the
      // page now (a Web Vitals measure's: only they tell a path then).
      const at = tracks() ? (page ?? loaded) : { path: strip(location.pathname) };
      // The course of the message's own page, unless the hub gives one, or none.
      const course = ('course' in context ? context.course : courseOf(at.path as string)) as CourseRef | null;
      // The trail of pages (its page, session, the learner's ids) only where analytics is allowed for the
      // page's Member too: on a course, for every Member the learner refused it (this page knows no
      // Member's courses; '' is the platform). Without, a message of another purpose (Web Vitals, identify)
      // carries none: Web Vitals (no id of the learner) their page's path and course, identify no page at all.
      const trail = Object.keys({ '': 0, ...(course && consent.grants().members) }).every(tracks);
      const ids = trail || purpose == 'functionality';
      const shared = trail && keep() && decodeSession(readCookie(sessionCookie));
      transport.add(
        {
          ...event,
          context: {
            page: trail ? at : ids ? undefined : { path: at.path },
            locale: navigator.language,
            ...context,
            course: ((trail || !ids) && course) || undefined,
            consent: stamp(),
            ...(trail && {
              // With the trail, it needs analytics at the collector too, for the Member of its course: refused
              // to that Member before it arrives, it is none of theirs. (A sender can only add purposes.)
              ...(purpose != 'analytics' && { purposes: ['analytics'] }),
              // The tabs of the site share one session, and one sequence, when it may be stored (an
              // older session of this tab must not replace another tab's): the cookie's, unless it is this
              // tab's own session at a lower seq (another tab's write that crossed this tab's): a tab's seq
              // never goes back (two tabs' may tie).
              session:
                ((session = nextSession(
                  (shared && !(session?.id == shared.id && session.seq > shared.seq) && shared) || session,
                  Date.now(),
                  campaign,
                )),
                saveSession(),
                { id: session.id, seq: session.seq }),
            }),
          },
          messageId: randomId(true),
          anonymousId: ids ? anonymousId : randomId(),
          userId: (ids && userId) || undefined,
          timestamp: event.timestamp ?? new Date().toISOString(),
        },
        // With the trail of pages, it needs analytics too: refused before it leaves, it goes.
        trail ? [purpose, 'analytics'] : purpose,
      );
    });
  };

  // Unloaded, a tracker's purpose was withdrawn: what waits behind a view for its title is built now, under the
  // consent in force (its queued messages went as consent changed: see `consent.subscribe` above). (Its last view
  // stays the page of what it sends: granted again on another page, that page gets its view first.)
  const tracker = (declared: Tracker, more: Partial<Tracker>): Tracker => ({
    ...declared,
    unload: release,
    identify: remember,
    ...more,
  });

  const record = (e: PageEvent) => {
    release();
    // As it may be sent: a view the app records itself (`hub.page()`, the URL as it is) is redacted too.
    const url = strip(e.properties.url);
    const referrer = strip(e.properties.referrer);
    const at = new URL(url);
    // A page visited again (reloaded, Back or Forward to it) is no new arrival; nor is a return from a
    // host the site ignores (sign-in, payment), which counts as its own.
    attribution =
      (again && attribution) ||
      attribute(
        attribution,
        at,
        referrer,
        (host) => own(host, ignored),
        e.timestamp,
      );
    if (keep()) local(touchKey, attribution);
    const properties = (page = { ...e.properties, url, referrer, path: strip(e.properties.path), search: at.search });
    // It goes with the title the page has 500 ms later (a bound that holds in a hidden tab too,
    // where animation frames never come), or sooner: at the next page view (its own URL and
    // referrer kept), when the page is hidden or left, on flush(), or as a purpose is withdrawn
    // (analytics: then it is dropped, as what is queued is).
    if (navigated) {
      const titled = () => (properties.title = doc('title') as string);
      waiting.push(titled);
      setTimeout(() => waiting[0] == titled && release(), 500);
    }
    send('analytics', { ...e, properties, context: { ...e.context, attribution } }, campaignOf(at));
  };

  return {
    trackers: [
      tracker(analytics, {
        page: record,
        track: (e) => send('analytics', e),
      }),
      tracker(functionality, {
        load() {
          // (An empty cookie is none.) 13 months, as declared.
          writeCookie(idCookie, (anonymousId = readCookie(idCookie) || anonymousId), 34128e3, domain);
          saveSession();
          local(touchKey, (attribution = local<Attribution>(touchKey) ?? attribution));
          local(prefsKey, (prefs = { ...local(prefsKey), ...prefs }));
        },
        unload() {
          release();
          // From now on this page is a stranger (the hub deletes the cookies): a fresh id, in memory
          // only, and nothing the collector could link it to the old one by: no session, no touches,
          // no userId (until the page calls identify again).
          anonymousId = randomId();
          session = attribution = userId = undefined;
          forget();
        },
        identify(e) {
          remember(e);
          send('functionality', e);
        },
      }),
    ],
    start(hub) {
      started?.abort();
      const listening = (started = new AbortController());
      const { navigation } = self as Navigated;
      // A page restored from the back/forward cache (`pageshow`, `persisted`) is visited again: a view,
      // from the page the learner came back from, which the browser tells for one of the same origin
      // (not `document.referrer`: how the page was first reached, long ago); so is one it loads anew
      // as the learner comes Back or Forward to it (`traverse`) or reloads it. One the browser prerenders is
      // viewed when the learner goes to it, and timed then.
      const view = (e?: Partial<PageTransitionEvent>) =>
        shown(() => {
          // Views are told apart by their URLs unredacted (a filter `?state=open` to `?state=closed` is a view),
          // and sent redacted.
          const href = cut(location.href);
          const sent = strip(href);
          const visited = e?.persisted || (!last && /^(t|rel)/.test(navigation?.activation?.navigationType as string));
          // The URL without its query.
          const bare = (url?: unknown) => (url as string).replace(/\?[^#]*/, '');
          const key = navigation?.currentEntry?.key;
          // Its pieces: the path, each parameter and the fragment.
          const pieces = (url = last as string) => url.split(/[?&#]/);
          // Only the query changed while this page's view waits for its title, in the same history entry
          // (a search box keeping what is typed in the URL, a keystroke a `replaceState`; not a `pushState`
          // or Back, a page of its own; unknown without the Navigation API: a view): that view gets the
          // new URL, no new view.
          // Nor is a URL cleaned in the same entry (a `replaceState` removing an OAuth callback's `code` or a
          // magic link's token right after load): the same path, only parameters gone that are redacted or
          // a campaign's (not a filter cleared), or the fragment.
          if (
            key &&
            key == entry &&
            (waiting[0]
              ? bare(href) == bare(last)
              : href != last &&
                pieces(href).every((p) => pieces().includes(p)) &&
                pieces().every(
                  (p) => pieces(href).includes(p) || hidden(p) || campaignParam.test(p.replace(/=.*/, '')),
                ))
          ) {
            // This view's page (where this tracker has it), and its URL as the next view's referrer. (Without it,
            // `last` stays the URL the hub was given: a view it replays at the first decision is no other page.)
            if (page?.url == viewed?.url) {
              (page as Record<string, unknown>).url = sent;
              (page as Record<string, unknown>).search = new URL(sent).search;
              last = href;
            }
            (viewed as Record<string, unknown>).url = sent;
          } else if (href != last || visited) {
            again = visited;
            // Its URL and referrer (the last view's, else how the page was reached) without a fragment. (The document's
            // own: a named image, `<img name="referrer">`, shadows `document.referrer`.)
            viewed = {
              url: sent,
              referrer: strip(
                again
                  ? (navigation?.activation?.from?.url ?? '')
                  : ((viewed?.url ?? doc('referrer')) as string),
              ),
            };
            last = href;
            entry = key;
            navigated = !again && e;
            hub.page(undefined, viewed);
            navigated = 0;
          }
        });
      view();
      // (An AbortController is an options object: its `signal` removes it. A `#` change is a `popstate`.)
      onNavigate(view, listening);
      // With analytics only: the hub would give them to every tracker allowed (marketing ones too), and
      // replay those made before the first decision to whatever that decision allows (opt-in: not one).
      autotrack(hub.track.bind(hub), strip, own, listening.signal, tracks);
      // (After the hub's own update: it subscribed first.) Analytics granted on a page whose view this
      // tracker did not get (refused then): that view, to it alone, as the hub gave the others theirs.
      listening.signal.onabort = consent.subscribe(
        () =>
          tracks() &&
          page?.url != (last && strip(last)) &&
          page?.url != viewed?.url &&
          record({
            type: 'page',
            properties: { path: location.pathname, title: doc('title') as string, ...viewed },
            timestamp: new Date().toISOString(),
          } as PageEvent),
      );
      addEventListener('pageshow', view, listening);
      // Hidden, where timers may never run again, or left (a hidden tab closed fires `pagehide` alone): a
      // waiting view goes now, by keepalive fetch. (The document's event bubbles to the window.)
      addEventListener('visibilitychange', release, listening);
      addEventListener('pagehide', () => (release(), transport.flush(true)), listening);
      return () => listening.abort();
    },
    prefs: {
      get: (key) => ({ __proto__: null, ...stored() })[key],
      set(key, value) {
        prefs = { ...stored(), [key]: value };
        if (keep()) local(prefsKey, prefs);
      },
    },
    send: (event, properties, purpose) => send(purpose, { type: 'track', event, properties }),
    flush() {
      release();
      transport.flush();
    },
  };
}
