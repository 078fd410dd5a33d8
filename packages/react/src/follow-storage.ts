import type { ConsentOptions, ConsentStorage } from '@optin/consent';

/**
 * `options` with a custom storage replaced by one that reads, writes and clears through whichever
 * storage `current()` returns at the time (the one the provider was given last), so that a storage
 * made anew (another learner's, by the same factory) takes over without a new store. Options with a
 * named storage (`cookie`, `auto`, …), or with one that is no storage (left to `createConsent` to
 * refuse with its typed error), are returned as they are.
 */
export function followStorage(options: ConsentOptions, current: () => ConsentStorage): ConsentOptions {
  const { storage } = options;
  if (
    typeof storage != 'object' ||
    !['read', 'write', 'clear'].every((m) => typeof (storage as unknown as Record<string, unknown>)[m] == 'function')
  )
    return options;
  return {
    ...options,
    storage: {
      kind: storage.kind,
      read: () => current().read(),
      write: (value, expires) => current().write(value, expires),
      clear: () => current().clear(),
    },
  };
}
