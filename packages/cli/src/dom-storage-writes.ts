import type { ObservedStorage } from './audit-findings.js';

/** The origin of a DevTools storage id (`securityOrigin`, else the origin of its `storageKey`), or `null`. */
function originOf(id: { securityOrigin?: unknown; storageKey?: unknown }): string | null {
  if (typeof id.securityOrigin === 'string' && /^https?:\/\//.test(id.securityOrigin)) return id.securityOrigin;
  try {
    const origin = new URL(typeof id.storageKey === 'string' ? id.storageKey : '').origin;
    return /^https?:\/\//.test(origin) ? origin : null;
  } catch {
    return null;
  }
}

/**
 * The localStorage or sessionStorage key a DevTools `DOMStorage.domStorageItemAdded` or
 * `domStorageItemUpdated` event reports written, on its origin (a frame of another site keeps
 * partitioned storage: its own origin's still), or `null` for anything else. DevTools sees a key
 * written by `setItem` or by property assignment alike, also while the document unloads.
 *
 * @example
 * domStorageWrite({ storageId: { securityOrigin: 'https://www.edx.org', isLocalStorage: true }, key: 'id' });
 * // { area: 'localStorage', name: 'id', origin: 'https://www.edx.org' }
 */
export function domStorageWrite(params: Readonly<Record<string, unknown>>): ObservedStorage | null {
  const { storageId, key } = params as {
    storageId?: { securityOrigin?: unknown; storageKey?: unknown; isLocalStorage?: unknown } | null;
    key?: unknown;
  };
  if (!storageId || typeof key !== 'string') return null;
  const origin = originOf(storageId);
  return origin
    ? { area: storageId.isLocalStorage === true ? 'localStorage' : 'sessionStorage', name: key, origin }
    : null;
}
