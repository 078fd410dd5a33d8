import { useCallback, useContext, useMemo, useSyncExternalStore } from 'react';
import { ConsentContext } from './consent-provider.js';
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
  const context = useContext(ConsentContext);
  if (!context)
    throw new OptinReactError(
      'missing_provider',
      'useConsent() was called outside <ConsentProvider>: wrap your app in one.',
    );
  const { store, policy } = context;
  const pending = useMemo(() => pendingState(policy), [policy]);
  const subscribe = useCallback((onChange: () => void) => store?.subscribe(onChange) ?? (() => {}), [store]);
  return useSyncExternalStore(
    subscribe,
    () => (store ? consentState(store) : pending),
    () => pending,
  );
}

/** Whether `purpose` is allowed now (for `memberId`'s trackers when given); re-renders on change. */
export function useAllowed(purpose: string, memberId?: string): boolean {
  return useConsent().allows(purpose, memberId);
}

/** A tracker as the hub judges it: a `Tracker` of `@optin/trackers` or a declared tracker fits. */
export interface TrackerLike {
  /** `platform` or the Member id whose overrides apply. */
  readonly owner?: string;
  /** The purposes it serves: it may run only when every one is allowed. */
  readonly purposes: readonly string[];
}

/**
 * Whether a tracker may run now: every purpose it declares allowed for its owner (the rule the
 * hub loads it by), or any predicate of the consent state. Re-renders on change.
 *
 * @example
 * const videoAnalytics = useTracker({ owner: 'HarvardX', purposes: ['analytics'] });
 * const personalised = useTracker((c) => c.allows('functionality') && !c.needsPrompt);
 */
export function useTracker(tracker: TrackerLike | ((state: ConsentState) => boolean)): boolean {
  const state = useConsent();
  if (typeof tracker === 'function') return tracker(state);
  const member = tracker.owner === 'platform' ? undefined : tracker.owner;
  // Never for no purpose at all (`[].every` is true), as the hub refuses such a tracker.
  return tracker.purposes.length > 0 && tracker.purposes.every((purpose) => state.allows(purpose, member));
}
