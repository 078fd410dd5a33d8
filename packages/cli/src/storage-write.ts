import type { ObservedStorage } from './audit-findings.js';

/** Whether `value`, as a page reported it (from {@link storedNow} or an observer), is an {@link ObservedStorage} of an http(s) origin. */
export function isStorageWrite(value: unknown): value is ObservedStorage {
  if (typeof value !== 'object' || value === null) return false;
  const { area, name, origin } = value as Record<string, unknown>;
  return (
    (area === 'localStorage' ||
      area === 'sessionStorage' ||
      area === 'indexedDB' ||
      area === 'cacheStorage' ||
      area === 'fileSystem' ||
      area === 'storageBucket') &&
    typeof name === 'string' &&
    typeof origin === 'string' &&
    /^https?:\/\//.test(origin)
  );
}

/**
 * Runs in a frame: every key its origin holds now in `localStorage` and `sessionStorage`, and every
 * IndexedDB database, Cache Storage cache, entry at the root of its origin private file system and
 * storage bucket (workers' included). Areas the frame may not read are skipped; a frame on an
 * opaque origin (sandboxed) holds nothing.
 */
export async function storedNow(): Promise<ObservedStorage[]> {
  const origin = globalThis.origin;
  if (!/^https?:\/\//.test(origin)) return [];
  const found: ObservedStorage[] = [];
  for (const area of ['localStorage', 'sessionStorage'] as const) {
    try {
      const storage = globalThis[area];
      for (let i = 0; i < storage.length; i++) {
        const key = storage.key(i);
        if (key !== null) found.push({ area, name: key, origin });
      }
    } catch {
      // this area is blocked here
    }
  }
  try {
    for (const database of await indexedDB.databases())
      if (database.name !== undefined) found.push({ area: 'indexedDB', name: database.name, origin });
  } catch {
    // IndexedDB is blocked here
  }
  try {
    // Only in secure contexts (https, localhost): elsewhere `caches` is not defined.
    for (const name of await caches.keys()) found.push({ area: 'cacheStorage', name, origin });
  } catch {
    // Cache Storage is missing or blocked here
  }
  try {
    const root = (await navigator.storage.getDirectory()) as FileSystemDirectoryHandle & {
      keys(): AsyncIterable<string>;
    };
    for await (const name of root.keys()) found.push({ area: 'fileSystem', name, origin });
  } catch {
    // no origin private file system here
  }
  try {
    // Only in secure contexts, and in Chromium: elsewhere `storageBuckets` is not defined.
    const buckets = (navigator as Navigator & { storageBuckets: { keys(): Promise<string[]> } }).storageBuckets;
    for (const name of await buckets.keys()) found.push({ area: 'storageBucket', name, origin });
  } catch {
    // no storage buckets here
  }
  return found;
}
