import { createHub, onNavigate, type Hub, type HubEvent, type HubOptions, type Tracker } from '@optin/trackers';
import type { Member } from './config.js';
import { invalidInput } from './assert-config.js';
import { memberFacing } from './member-facing.js';
import type { Registry, Scope } from './registry.js';

/** Options of {@link createScopedHub}: those of `createHub`, with the registry in place of a tracker list. */
export interface ScopedHubOptions extends Omit<HubOptions, 'trackers' | 'inScope'> {
  /** The registry of the config: its platform trackers run everywhere, each Member's only on its courses. */
  readonly registry: Registry;
  /** The page's URL now. Default `location.href`. */
  readonly url?: () => string;
  /**
   * Called with the trackers still running that should not: a Member's tracker that cannot unload
   * (a session recorder such as Hotjar) once a single-page app leaves that Member's courses, or any
   * tracker that cannot unload once consent is withdrawn. Default: reloads the page
   * (`location.reload()`), which stops them, so that no Member's tracker records another Member's
   * pages. Pass your own to show a notice first; one that does not reload leaves them running.
   */
  readonly onReloadRequired?: (trackerIds: readonly string[]) => void;
}

/** A hub that follows the page's Member scope. */
export interface ScopedHub extends Hub {
  /** Where the page is now: its course, the Member that owns it, and the trackers that may run. */
  readonly scope: Scope;
  /**
   * Re-reads the scope from the URL now. The hub does so on every navigation, before each tracker
   * loads and before each event it gives one; call it when a custom `url` changes without a
   * navigation, to load and unload trackers at once.
   */
  rescope(): void;
  /**
   * Calls `listener` with the new scope each time the page's Member changes (a single-page app goes
   * from a HarvardX course to an MITx course, or to a platform page: `member` is then `null`); not
   * when it goes to a unit or another course of the same Member, and not at once for the scope of
   * now (read `scope`). Whatever shows the page's Member follows it: the banner's `member` and
   * `declaration`, so that the learner's choices on the MITx page are MITx's. A listener that throws
   * is reported (`reportError`), and the others and the hub go on.
   *
   * @returns Stops calling `listener`.
   * @example
   * hub.onScopeChange(({ member }) => {
   *   Object.assign(banner, { member, declaration: registry.declaration({ member: member?.id }) });
   * });
   */
  onScopeChange(listener: (scope: Scope) => void): () => void;
}

/**
 * Creates the hub of a page from the registry. Platform trackers run wherever consent allows. A
 * Member's trackers load only on that Member's courses (with its per-Member consent); every event
 * carries `context.course`, and a Member's tracker is given an event only when the event's course
 * belongs to that Member. When a single-page app leaves the Member's course, the Member's trackers
 * receive nothing more and are unloaded where they can be (their cookies stay, as consent still allows them);
 * one that cannot unload is listed in `reloadRequired` and reported to `onReloadRequired`, whose
 * default reloads the page rather than leave it running on another Member's pages. Without a
 * registry it throws an `invalid_config` `MembersError` (issue path `registry`).
 *
 * @example
 * const hub = createScopedHub({ consent, registry: createRegistry(config), cookieDomain: 'edx.org' });
 * hub.page(); // on a HarvardX course page: platform trackers and HarvardX's, never MITx's
 */
export function createScopedHub(options: ScopedHubOptions): ScopedHub {
  const { registry, url = () => location.href, context, onReloadRequired = () => location.reload(), ...rest } = options;
  if (typeof (registry as Registry | undefined)?.scopeFor !== 'function')
    throw invalidInput('createScopedHub', 'registry', 'required', 'give the registry createRegistry(config) returns');
  let at = url();
  let scope = registry.scopeFor(at);
  // The scope as the URL is now, read again whenever the URL has changed, whatever told the hub of it
  // (or nothing yet: a router draws and reports a page before the browser reports its navigation done).
  const read = () => {
    if (url() !== at) {
      at = url();
      const next = registry.scopeFor(at);
      if (next.course?.id !== scope.course?.id) scope = next;
    }
    return scope;
  };
  // The scope trackers were last loaded and unloaded for. A rescan when it is no longer the scope; one
  // read during a rescan (consent changed) was applied by it, and a second rescan finds nothing to do.
  let applied = scope;
  // The Member listeners were last told of, and the listeners.
  let told = scope.member;
  const listeners = new Set<(scope: Scope) => void>();
  const rescope = () => {
    if (read() !== applied) {
      applied = scope;
      hub.rescan();
    }
    const now = scope;
    if (now.member !== told) {
      told = now.member;
      for (const listener of [...listeners]) {
        // A listener that navigated on has had the newer Member told to every listener: none is told this one after it.
        if (told !== now.member) break;
        try {
          listener(now);
        } catch (error) {
          reportError(error);
        }
      }
    }
    return scope;
  };
  // The event's course is the Member's, and so is the page's now.
  const ownedBy = (member: Member, event: HubEvent) => {
    const course = (event.context as { course?: { id?: string; org?: string } | null } | undefined)?.course;
    return (
      read().member === member &&
      !!course &&
      registry.memberFor({ courseId: course.id ?? null, orgId: course.org ?? null }) === member
    );
  };
  // What a Member's tracker is given of an event: nothing naming another's course, referrers and
  // previous pages by origin and path only (a query carries campaign parameters, search terms,
  // tokens), and of `context` only what the collector gives a Member (the page's title, language,
  // library, device…) and the page's course, as the collector gives a Member's events (`memberFacing`).
  const confine = (member: Member, t: Tracker): Tracker => {
    const facing = memberFacing(registry, member);
    // (`course` is the page's, which `ownedBy` found the Member's.)
    const contextOf = (e: HubEvent) => ({ ...facing.context(e.context), course: e.context.course });
    return {
      ...t,
      page:
        t.page &&
        ((e) =>
          ownedBy(member, e) &&
          t.page?.({
            ...e,
            context: contextOf(e),
            name: e.name && facing.name(e.name),
            properties: facing.properties(e.properties),
          })),
      track:
        t.track &&
        ((e) =>
          ownedBy(member, e) &&
          t.track?.({
            ...e,
            context: contextOf(e),
            event: facing.name(e.event),
            properties: facing.properties(e.properties),
          })),
      identify:
        t.identify &&
        ((e) =>
          ownedBy(member, e) && t.identify?.({ ...e, context: contextOf(e), traits: facing.properties(e.traits) })),
    };
  };
  const hub = createHub({
    ...rest,
    onReloadRequired,
    trackers: [
      ...registry.config.platform.trackers,
      ...registry.config.members.flatMap((m) => m.trackers.map((t) => confine(m, t))),
    ],
    // Asked for each tracker during a rescan, and before each event is given to one (after context()).
    inScope: (t) => t.owner === 'platform' || t.owner === read().member?.id,
    context: () => {
      const { course } = rescope();
      return { ...context?.(), course: course && { id: course.id, org: course.org } };
    },
  });
  const stop = onNavigate(rescope);
  return {
    ...hub,
    get loaded() {
      return hub.loaded;
    },
    get reloadRequired() {
      return hub.reloadRequired;
    },
    get scope() {
      return rescope();
    },
    rescope,
    onScopeChange(listener) {
      const own = (scope: Scope) => listener(scope);
      listeners.add(own);
      return () => void listeners.delete(own);
    },
    destroy() {
      stop();
      listeners.clear();
      hub.destroy();
    },
  };
}
