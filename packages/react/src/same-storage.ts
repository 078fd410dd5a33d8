import { decodeDecision, type ConsentOptions, type ConsentStore, type Grants } from '@optin/consent';

/** What a storage reads; `undefined` when reading it throws (two that throw read alike). */
function reads(storage: object): unknown {
  try {
    return (storage as { read(): unknown }).read();
  } catch {
    return undefined;
  }
}

/** Whether `d` allows nothing `own` does not: no purpose, for the platform or any Member either names. */
function within(d: Grants, own: Grants): boolean {
  const allows = (x: Grants, purpose: string, member: string) =>
    x.purposes[purpose] === true && x.members[member]?.[purpose] !== false;
  const members = ['', ...Object.keys(d.members), ...Object.keys(own.members)];
  return Object.keys(d.purposes).every((p) => members.every((m) => !allows(d, p, m) || allows(own, p, m)));
}

/**
 * Whether custom storage `b` can take over from `a` under the same store (`store`, made with `a`):
 * the same object; a storage named by a string (compared as data elsewhere); or another object (one
 * factory's: their functions have the same text, only what they close over tells them apart) that
 * reads what `a` reads, when what they read holds a decision (its id and time tell one learner's
 * storage from any other's) or the store holds none. Storages that read alike and hold no decision
 * (empty, or throwing) may be a next learner's: a decision the store holds without them (another store
 * of the page told it, or they refused to keep it) stays only when it is a refusal, one that allows
 * nothing a store made on `b` would not, and less than it, or nothing but the required purposes; a grant
 * would be the previous learner's, and the store is replaced, which reads `b` afresh (none: asked).
 * Used only when the app does not say who the learner is (`learner`): see the README's Limits.
 */
export function sameStorage(
  a: ConsentOptions['storage'],
  b: ConsentOptions['storage'],
  store: ConsentStore | undefined,
): boolean {
  if (a === b || typeof a != 'object' || typeof b != 'object') return true;
  const read = reads(b);
  if (JSON.stringify(reads(a)) !== JSON.stringify(read)) return false;
  const decision = store?.decision;
  if (!store || !decision) return true;
  if (
    Array.isArray(read) &&
    read.some((value) => typeof value == 'string' && decodeDecision(value, store.policy, true))
  )
    return true;
  // What a store made on `b` would allow (opt-out's defaults only where `b` could be read), and nothing
  // but the required purposes.
  const grants = (optional: (gpc?: boolean) => boolean): Grants => ({
    purposes: Object.fromEntries(store.policy.purposes.map((p) => [p.id, !!p.required || optional(p.gpc)])),
    members: {},
  });
  const fresh = grants((gpc) => store.mode == 'opt-out' && read !== undefined && !(store.privacySignal && gpc));
  const none = grants(() => false);
  return within(decision, fresh) && (within(decision, none) || !within(fresh, decision));
}
