import { useCallback, useContext, useMemo, useSyncExternalStore } from 'react';
import { ConsentContext, type ConsentContextValue } from './consent-provider.js';
import { consentState, pendingState, type ConsentState } from './consent-state.js';
import { OptinReactError } from './errors.js';

/**
 * The learner's choice, re-rendering whenever what is allowed changes (a decision in the banner,
 * another tab, the page's own code). On the server and during hydration it is the "no store yet"
 * state (`store: null`, only required purposes allowed).
 *
 * @example
 * const { store, needsPrompt, allows } = useConsent();
 * return <button onClick={() => store?.rejectAll()} disabled={!store}>Reject all</button>;
 */
export function useConsent(): ConsentState {
  return useStateOf(useProvider());
}

/** What the nearest provider shares; throws `missing_provider` outside one. */
function useProvider(): ConsentContextValue {
  const context = useContext(ConsentContext);
  if (!context)
    throw new OptinReactError(
      'missing_provider',
      'useConsent() was called outside <ConsentProvider>: wrap your app in one.',
    );
  return context;
}

/** The consent state of a provider's store, re-rendering on change (see {@link useConsent}). */
function useStateOf({ store, policy }: ConsentContextValue): ConsentState {
  const pending = useMemo(() => pendingState(policy), [policy]);
  const subscribe = useCallback((onChange: () => void) => store?.subscribe(onChange) ?? (() => {}), [store]);
  return useSyncExternalStore(
    subscribe,
    () => (store ? consentState(store) : pending),
    () => pending,
  );
}

/**
 * Whether `purpose` is allowed now (for `memberId`'s trackers when given); re-renders on change. It
 * answers for the purpose wherever the page is: gate a Member's tracker with {@link useTracker}, which
 * also asks the page's scope.
 */
export function useAllowed(purpose: string, memberId?: string): boolean {
  return useConsent().allows(purpose, memberId);
}

/** A tracker as the hub judges it: a `Tracker` of `@optin/trackers` or a declared tracker fits. */
export interface TrackerLike {
  /** `platform` (the default) or the id of the Member it belongs to, whose overrides apply. */
  readonly owner?: string;
  /** `first` (the site's own) or `third` (a third party's): a third party never runs as a required purpose. */
  readonly party?: string;
  /** The purposes it serves: it may run only when every one is allowed. */
  readonly purposes: readonly string[];
}

/**
 * Whether a tracker may run now, by the rules the Member-scoped hub of `@optin/members` loads it by:
 * every purpose it declares allowed for its owner; a Member's tracker only on that Member's pages
 * (the provider's `member`: without one, a platform page or a scope not known, never); never a
 * Member's or a third party's in a required purpose (`necessary`), which the hub refuses. Or any
 * predicate of the consent state. Re-renders on change.
 *
 * @example
 * // In <ConsentProvider consent={consent} member={scope.member?.id}>: true on HarvardX's courses only.
 * const videoAnalytics = useTracker({ owner: 'HarvardX', purposes: ['analytics'] });
 * const personalised = useTracker((c) => c.allows('functionality') && !c.needsPrompt);
 */
export function useTracker(tracker: TrackerLike | ((state: ConsentState) => boolean)): boolean {
  const context = useProvider();
  const state = useStateOf(context);
  if (typeof tracker === 'function') return tracker(state);
  const { owner = 'platform', party, purposes } = tracker;
  const member = owner === 'platform' ? undefined : owner;
  // Required purposes are always on: only the platform's own trackers may serve them.
  const required = (purpose: string) =>
    (member !== undefined || party === 'third') && context.policy.purposes.some((p) => p.id === purpose && p.required);
  return (
    // Never for no purpose at all (`[].every` is true), as the hub refuses such a tracker.
    purposes.length > 0 &&
    // A Member's tracker only on that Member's pages, as the scoped hub loads it.
    (member === undefined || (member !== '' && member === context.member)) &&
    purposes.every((purpose) => !required(purpose) && state.allows(purpose, member))
  );
}
