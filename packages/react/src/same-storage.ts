import type { ConsentOptions, ConsentStore } from '@optin/consent';

/** What a storage reads, as one string; `undefined` when reading it throws. */
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
 * `b` cannot have it). A next learner's storage that holds another choice than the previous
 * learner's, or none where theirs held one, is not: the store is replaced, and reads it afresh.
 */
export function sameStorage(
  a: ConsentOptions['storage'],
  b: ConsentOptions['storage'],
  store: ConsentStore | undefined,
): boolean {
  if (a === b || typeof a != 'object' || typeof b != 'object') return true;
  const before = reads(a);
  return before !== undefined && before === reads(b) && store?.storageKind != 'memory';
}
