import { decodeDecision, encodeDecision, type ConsentOptions, type ConsentStore, type Decision } from '@optin/consent';

/** What a storage reads; `undefined` when reading it throws (two that throw read alike). */
function reads(storage: object): unknown {
  try {
    return (storage as { read(): unknown }).read();
  } catch {
    return undefined;
  }
}

/** What a decision grants: its purposes, and the Members it narrows them for. */
type Grants = Pick<Decision, 'purposes' | 'members'>;

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
 * reads what `a` reads, and holds the decision the store holds, if any. A decision the store holds
 * that `b` does not (its storage refused it: held in memory; or another store of the page told it)
 * is not `b`'s learner's to inherit: a next learner's storage that reads as empty as the previous
 * learner's copy does not take over a store holding a choice. Only a decision told by the page's store
 * of another kind of storage (the cookie banner's) that allows nothing `b`'s own decision does not (a
 * refusal made there) stays with `b` without it. (So a
 * storage that refuses every write, given anew at each render, loses such a choice at the next
 * render: give it once.) A next learner's storage that holds another choice than the previous
 * learner's, or none where theirs held one, is not either: the store is replaced, and reads it afresh.
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
  const own = (Array.isArray(read) ? read : []).flatMap((value) => {
    const found = typeof value == 'string' && decodeDecision(value, store.policy);
    return found ? [found] : [];
  });
  const cookie = encodeDecision(decision, store.policy);
  if (own.some((d) => encodeDecision(d, store.policy) === cookie)) return true;
  // One told by the page's store of another storage (its cookie banner) stays when it allows nothing
  // `b`'s own decision does not, or, when `b` holds none, nothing a store made on `b` would allow (a
  // refusal made there): it is no grant to inherit, and the store made anew would lose it.
  const fresh: Grants = {
    purposes: Object.fromEntries(
      store.policy.purposes.map((p) => [
        p.id,
        !!p.required || (store.mode == 'opt-out' && !(store.privacySignal && p.gpc)),
      ]),
    ),
    members: {},
  };
  return (
    store.storageKind != 'memory' &&
    store.storageKind != b.kind &&
    (own.length ? own : [fresh]).some((d) => within(decision, d))
  );
}
