import type { ConsentOptions, ConsentStore } from '@optin/consent';

/** What a storage reads, as one string; `undefined` when reading it throws (two that throw read alike). */
function reads(storage: object): string | undefined {
  try {
    return JSON.stringify((storage as { read(): unknown }).read());
  } catch {
    return undefined;
  }
}

/**
 * Whether custom storage `b` can take over from `a` under the same store (`store`, made with `a`):
 * the same object; a storage named by a string (compared as data elsewhere); or another object (one
 * factory's: their functions have the same text, only what they close over tells them apart) that
 * reads what `a` reads, while the store holds no decision in memory only (its storage refused it:
 * `b` cannot have it; so a storage that refuses every write, given anew at each render, loses such a
 * choice at the next render: give it once). A next learner's storage that holds another choice than the previous
 * learner's, or none where theirs held one, is not: the store is replaced, and reads it afresh.
 */
export function sameStorage(
  a: ConsentOptions['storage'],
  b: ConsentOptions['storage'],
  store: ConsentStore | undefined,
): boolean {
  // (`memory` is also the kind of a store that holds no decision yet: then nothing can be inherited.)
  return (
    a === b ||
    typeof a != 'object' ||
    typeof b != 'object' ||
    (reads(a) === reads(b) && !(store?.storageKind == 'memory' && store.decision))
  );
}
