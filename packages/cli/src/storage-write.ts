import type { ObservedStorage, StorageArea } from './audit-findings.js';

/** Whether `value`, as a page reported it through a binding, is an {@link ObservedStorage} of an http(s) origin. */
export function isStorageWrite(value: unknown): value is ObservedStorage {
  if (typeof value !== 'object' || value === null) return false;
  const { area, name, origin } = value as Record<string, unknown>;
  return (
    (area === 'localStorage' || area === 'sessionStorage' || area === 'indexedDB') &&
    typeof name === 'string' &&
    typeof origin === 'string' &&
    /^https?:\/\//.test(origin)
  );
}

/**
 * Runs in every frame before its scripts: reports each `localStorage.setItem`, `sessionStorage.setItem`
 * and `indexedDB.open` through the binding named `name`, with the frame's origin (a script-made
 * `about:blank` frame has its creator's), then lets it through unchanged. A key written by property
 * assignment (`localStorage.id = 1`) calls no method: {@link storedNow} finds it.
 */
export function watchStorageWrites(name: string): void {
  const report = (globalThis as unknown as Record<string, ((write: ObservedStorage) => Promise<void>) | undefined>)[
    name
  ];
  if (!report) return;
  const send = (area: StorageArea, key: unknown) => {
    if (/^https?:\/\//.test(globalThis.origin))
      void report({ area, name: String(key), origin: globalThis.origin }).catch(() => undefined);
  };
  // Reading `localStorage` can throw (storage blocked, sandboxed frame): such a frame writes nothing.
  const areaOf = (storage: Storage): StorageArea | null => {
    try {
      if (storage === globalThis.localStorage) return 'localStorage';
      if (storage === globalThis.sessionStorage) return 'sessionStorage';
    } catch {
      // no storage here
    }
    return null;
  };
  // Taken by descriptor, to be called with the storage it is called on.
  const setItem = Object.getOwnPropertyDescriptor(Storage.prototype, 'setItem')?.value as
    ((this: Storage, key: string, value: string) => void) | undefined;
  const open = Object.getOwnPropertyDescriptor(IDBFactory.prototype, 'open')?.value as
    ((this: IDBFactory, database: string, version?: number) => IDBOpenDBRequest) | undefined;
  if (setItem)
    Storage.prototype.setItem = function (this: Storage, key: string, value: string) {
      setItem.call(this, key, value);
      const area = areaOf(this);
      if (area) send(area, key);
    };
  if (open)
    IDBFactory.prototype.open = function (this: IDBFactory, database: string, version?: number) {
      send('indexedDB', database);
      return open.call(this, database, version);
    };
}

/**
 * Runs in a frame: every key its origin holds now in `localStorage` and `sessionStorage`, and every
 * IndexedDB database (workers' included). Areas the frame may not read are skipped; a frame on an
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
  return found;
}
