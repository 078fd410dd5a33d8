import { encodeDecision, type ConsentStore, type Decision, type Grants, type Policy } from '@optin/consent';

/** What `useConsent()` returns: the learner's choice as the page should render it now. */
export interface ConsentState {
  /** The store, or `null` until it exists on the client (server rendering, hydration, lazy creation). */
  readonly store: ConsentStore | null;
  /** The learner's decision, or `null` (undecided, or no store yet). */
  readonly decision: Decision | null;
  /** True while the learner has not decided; `false` until the store exists (no banner on the server). */
  readonly needsPrompt: boolean;
  /** The purposes allowed now and the Member overrides. Without a store: the required purposes only. */
  readonly grants: Grants;
  /** Whether `purpose` is allowed now (for `memberId` when given). Without a store: required purposes only. */
  readonly allows: (purpose: string, memberId?: string) => boolean;
}

const states = new WeakMap<ConsentStore, { state: ConsentState; key: string }>();

/**
 * The state of a store, the same object for as long as its decision, `needsPrompt` and what it
 * allows stay the same, as `useSyncExternalStore` requires. What it allows can change with no
 * decision in force (under opt-out, an earlier policy version's refusal read from storage, or
 * forgotten), so the decision alone does not say. The decision is compared by what it is (its
 * cookie value), not by object: the store re-reads storage whenever the tab is shown again, which
 * gives a new object for the same decision, and an effect on `decision` must not run again for it.
 */
export function consentState(store: ConsentStore): ConsentState {
  const cached = states.get(store);
  const grants = store.grants();
  const { decision } = store;
  const key = JSON.stringify([store.needsPrompt, grants, decision && encodeDecision(decision, store.policy)]);
  if (cached?.key === key) return cached.state;
  const state: ConsentState = {
    store,
    decision,
    needsPrompt: store.needsPrompt,
    grants,
    allows: (purpose, memberId) => store.allows(purpose, memberId),
  };
  states.set(store, { state, key });
  return state;
}

/**
 * The state before a store exists, identical on the server and during hydration: only the
 * policy's required purposes are allowed and nothing asks for a prompt, so nothing that depends on
 * consent is rendered into server HTML.
 */
export function pendingState(policy: Policy): ConsentState {
  const required = new Set(policy.purposes.filter((p) => p.required).map((p) => p.id));
  return {
    store: null,
    decision: null,
    needsPrompt: false,
    grants: { purposes: Object.fromEntries(policy.purposes.map((p) => [p.id, required.has(p.id)])), members: {} },
    allows: (purpose) => required.has(purpose),
  };
}
