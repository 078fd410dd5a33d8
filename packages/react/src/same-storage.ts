import { decodeDecision, encodeDecision, type ConsentOptions, type ConsentStore } from '@optin/consent';

/** What a storage reads; `undefined` when reading it throws (two that throw read alike). */
function reads(storage: object): unknown {
  try {
    return (storage as { read(): unknown }).read();
  } catch {
    return undefined;
  }
}

/**
 * Whether custom storage `b` can take over from `a` under the same store (`store`, made with `a`):
 * the same object; a storage named by a string (compared as data elsewhere); or another object (one
 * factory's: their functions have the same text, only what they close over tells them apart) that
 * reads what `a` reads, and holds the decision the store holds, if any. A decision the store holds
 * that `b` does not (its storage refused it: held in memory; or another store of the page told it,
 * another app's on its own storage of the same kind) is not `b`'s learner's to inherit: a next learner's storage that
 * reads as empty as the previous learner's copy does not take over a store holding a choice. (So a
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
  // Only a decision this kind of storage was to hold (or one held in memory: its write refused) is
  // looked for in `b`: one told by the page's store of another storage (its cookie) stays the store's.
  const decision = store && (store.storageKind == 'memory' || store.storageKind == b.kind) ? store.decision : null;
  if (!store || !decision) return true;
  const cookie = encodeDecision(decision, store.policy);
  return (
    Array.isArray(read) &&
    read.some((value) => {
      const found = typeof value == 'string' && decodeDecision(value, store.policy);
      return !!found && encodeDecision(found, store.policy) === cookie;
    })
  );
}
