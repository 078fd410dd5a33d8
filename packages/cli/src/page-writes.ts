import type { ObservedCookie, ObservedRequest, ObservedStorage } from './audit-findings.js';
import { cookieWritten } from './cookie-write.js';
import { isStorageWrite } from './storage-write.js';

/** A write a document or worker reported through {@link observeWrites}: a cookie it set, or a storage key or database. */
export type PageWrite =
  { readonly cookie: ObservedCookie } | { readonly storage: ObservedStorage } | { readonly request: ObservedRequest };

/**
 * Runs in every document before its scripts (DevTools `Page.addScriptToEvaluateOnNewDocument`), and
 * in dedicated, shared and service workers before theirs (`Runtime.evaluate` while they wait to start), with
 * `binding` a DevTools binding (`Runtime.addBinding`): reports each `document.cookie` write,
 * `cookieStore.set`, `localStorage`/`sessionStorage` `setItem`, `indexedDB.open`, `caches.open` and each
 * file or folder created in the origin private file system (`getFileHandle`/`getDirectoryHandle` with `create`), and each
 * STUN or TURN server handed to an `RTCPeerConnection` (its constructor, under any name, and
 * `setConfiguration`: the browser contacts them, with no request DevTools sees) through the
 * binding, then lets it through unchanged. A write by property (`localStorage.id = 1`) calls no
 * method: DevTools' DOMStorage events see it.
 *
 * The page cannot hide a write from it, nor break it: it takes the binding off the global object
 * before any page script runs (no page script can call it, replace it or see it), holds on to every
 * built-in it uses (a page that replaces `JSON`, `Reflect.apply`, `Function.prototype.call` or the
 * array iterator changes nothing here), and reads a written value once, handing the browser the string it read (a value
 * naming another cookie on its second reading is reported as the browser set it). A window the page
 * opens has a document before anything can be injected into it: `window.open` installs the same
 * observer in it. Frames get it from DevTools like any document.
 *
 * A report is `kind`, origin and what was written (an ICE server's URL for `request`), one a line
 * (see {@link readWrite}).
 */
export function observeWrites(binding: string): void {
  const report: unknown = Reflect.get(globalThis, binding);
  if (typeof report !== 'function') return;
  Reflect.deleteProperty(globalThis, binding);
  const { apply, construct, defineProperty, getOwnPropertyDescriptor, ownKeys, get: read } = Reflect;
  const { create } = Object;
  const Wrap = Proxy;
  const iteratorSymbol = Symbol.iterator;
  const NotIterable = TypeError;
  // Held now, applied later: a page may replace them once its scripts run.
  const has = Reflect.get<object, 'has'>(WeakSet.prototype, 'has') as (this: WeakSet<object>, value: object) => boolean;
  const add = Reflect.get<object, 'add'>(WeakSet.prototype, 'add') as (
    this: WeakSet<object>,
    value: object,
  ) => WeakSet<object>;
  const now = Date.now;
  const floor = Math.floor;
  const installed = new WeakSet();
  // As the browser reads a string argument (ToString): once, and a symbol throws, as it does there.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-template-expression -- the cast only quiets the types
  const text = (value: unknown) => `${value as string}`;
  const send = (kind: string, origin: string, written: string) => {
    apply(report as (payload: string) => void, undefined, [`${kind}\n${origin}\n${written}`]);
  };

  // A window, or a worker's global scope (no documents, no Web Storage).
  interface Realm {
    readonly Document?: { readonly prototype: Document };
    readonly Storage?: { readonly prototype: Storage };
    readonly IDBFactory?: { readonly prototype: IDBFactory };
    readonly CookieStore?: { readonly prototype: object };
    readonly CacheStorage?: { readonly prototype: CacheStorage };
    readonly FileSystemDirectoryHandle?: { readonly prototype: FileSystemDirectoryHandle };
  }
  const install = (realm: Realm, inherited: string): void => {
    if (apply(has, installed, [realm])) return;
    apply(add, installed, [realm]);
    // A document's origin: its URL's, or the one it inherited (about:blank, srcdoc); none without a
    // browsing context (its cookie writes do nothing). A window's `document`, a document's `location`
    // and its `origin` cannot be redefined; a worker has no document: its own origin.
    const documentOf = getOwnPropertyDescriptor(realm, 'document')?.get;
    const originOf = (document: Document | null): string | null => {
      if (!document) return inherited;
      const location = document.location as Location | null;
      if (!location) return null;
      return location.origin === 'null' ? inherited : location.origin;
    };
    const realmOrigin = () => originOf(documentOf ? (apply(documentOf, realm, []) as Document) : null);

    const cookie = realm.Document && getOwnPropertyDescriptor(realm.Document.prototype, 'cookie');
    const setCookie = cookie?.set;
    if (realm.Document && cookie && setCookie)
      defineProperty(realm.Document.prototype, 'cookie', {
        configurable: true,
        enumerable: cookie.enumerable ?? true,
        ...(cookie.get ? { get: cookie.get } : {}),
        set(this: Document, value: unknown) {
          const written = text(value);
          apply(setCookie, this, [written]);
          const origin = originOf(this);
          if (origin !== null) send('cookie', origin, written);
        },
      });

    const store = realm.CookieStore?.prototype;
    const nativeSet: unknown = store && getOwnPropertyDescriptor(store, 'set')?.value;
    if (store && typeof nativeSet === 'function')
      defineProperty(store, 'set', {
        configurable: true,
        enumerable: true,
        writable: true,
        value: function set(this: unknown, ...args: unknown[]): unknown {
          // Indexed, not destructured: a page may replace the array iterator.
          const first = args[0];
          const second = args[1];
          // What the browser is handed: each argument, or each member of the options, read once (in
          // the order the browser reads them) and handed over as read.
          let given: unknown[];
          let name: string;
          let domain: string | null | undefined;
          let expires: number | null | undefined;
          if (args.length >= 2) {
            name = text(first);
            given = [name, text(second)];
          } else if (typeof first === 'object' && first !== null) {
            const options = first as Record<string, unknown>;
            const init: Record<string, unknown> = {};
            const { domain: d, expires: e, name: n, partitioned, path, sameSite, value } = options;
            if (d !== undefined) init.domain = domain = d === null ? null : text(d);
            // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion -- ToNumber, as the browser converts it
            if (e !== undefined) init.expires = expires = e === null ? null : +(e as number);
            name = n === undefined ? '' : text(n);
            if (n !== undefined) init.name = name;
            if (partitioned !== undefined) init.partitioned = !!partitioned;
            if (path !== undefined) init.path = text(path);
            if (sameSite !== undefined) init.sameSite = text(sameSite);
            if (value !== undefined) init.value = text(value);
            given = [init];
          } else return apply(nativeSet, this, args);
          const result: unknown = apply(nativeSet, this, given);
          const origin = realmOrigin();
          if (origin !== null)
            send(
              'cookie',
              origin,
              `${name}=${domain ? `; Domain=${domain}` : ''}${
                typeof expires === 'number' ? `; Max-Age=${floor((expires - apply(now, Date, [])) / 1000)}` : ''
              }`,
            );
          return result;
        },
      });

    const areaGetters = {
      localStorage: getOwnPropertyDescriptor(realm, 'localStorage')?.get,
      sessionStorage: getOwnPropertyDescriptor(realm, 'sessionStorage')?.get,
    };
    // Reading an area can throw (storage blocked): such a realm writes nothing there.
    const isArea = (storage: Storage, area: keyof typeof areaGetters) => {
      try {
        const get = areaGetters[area];
        return !!get && storage === apply(get, realm, []);
      } catch {
        return false;
      }
    };
    const nativeSetItem: unknown = realm.Storage && getOwnPropertyDescriptor(realm.Storage.prototype, 'setItem')?.value;
    if (realm.Storage && typeof nativeSetItem === 'function')
      defineProperty(realm.Storage.prototype, 'setItem', {
        configurable: true,
        enumerable: true,
        writable: true,
        value: function setItem(this: Storage, ...args: unknown[]): void {
          if (args.length < 2) {
            apply(nativeSetItem, this, args);
            return;
          }
          const key = text(args[0]);
          apply(nativeSetItem, this, [key, text(args[1])]);
          const area = isArea(this, 'localStorage')
            ? 'localStorage'
            : isArea(this, 'sessionStorage')
              ? 'sessionStorage'
              : null;
          const origin = area && realmOrigin();
          if (area && origin !== null) send(area, origin, key);
        },
      });

    // A database, a cache and a storage bucket are each made by opening them by name
    // (`indexedDB.open`, `caches.open`, `navigator.storageBuckets.open`; `put` and `add` write only
    // into an opened cache; a bucket's databases, caches and files are reported as any others).
    const wrapOpen = (prototype: object | undefined, area: string): void => {
      const nativeOpen: unknown = prototype && getOwnPropertyDescriptor(prototype, 'open')?.value;
      if (prototype && typeof nativeOpen === 'function')
        defineProperty(prototype, 'open', {
          configurable: true,
          enumerable: true,
          writable: true,
          value: function open(this: object, ...args: unknown[]): unknown {
            if (args.length < 1) return apply(nativeOpen, this, args);
            const name = text(args[0]);
            const opened: unknown = apply(nativeOpen, this, args.length > 1 ? [name, args[1]] : [name]);
            const origin = realmOrigin();
            if (origin !== null) send(area, origin, name);
            return opened;
          },
        });
    };
    wrapOpen(realm.IDBFactory?.prototype, 'indexedDB');
    wrapOpen(realm.CacheStorage?.prototype, 'cacheStorage');
    wrapOpen(
      (realm as { StorageBucketManager?: { prototype: object } }).StorageBucketManager?.prototype,
      'storageBucket',
    );

    // A file or folder of the origin private file system (`navigator.storage.getDirectory()`) is
    // made by asking for it with `create` (at any depth; reported by its own name).
    const directory = realm.FileSystemDirectoryHandle?.prototype;
    for (const method of ['getFileHandle', 'getDirectoryHandle'] as const) {
      const nativeGet: unknown = directory && getOwnPropertyDescriptor(directory, method)?.value;
      if (directory && typeof nativeGet === 'function')
        defineProperty(directory, method, {
          configurable: true,
          enumerable: true,
          writable: true,
          value: function get(this: FileSystemDirectoryHandle, ...args: unknown[]): unknown {
            const options = args[1];
            if (args.length < 1 || typeof options !== 'object' || options === null) return apply(nativeGet, this, args);
            const name = text(args[0]);
            const create = !!(options as { create?: unknown }).create;
            const handle: unknown = apply(nativeGet, this, [name, { create }]);
            const origin = create && realmOrigin();
            if (origin) send('fileSystem', origin, name);
            return handle;
          },
        });
    }

    // A peer connection contacts its STUN and TURN servers (ICE servers) as it gathers candidates:
    // no request DevTools sees. Those it is given (`new RTCPeerConnection(configuration)`, by any
    // of its names, a subclass's too, and `setConfiguration`) are reported, each URL a request. The
    // browser reads the configuration through a stand-in that reads each member from the page's own
    // configuration as the browser asks for it, once; `iceServers` is handed as read (a sequence
    // through its own iterator, each server's `urls` or legacy `url` too), and reported.
    // A data property's descriptor, without a prototype a page could give `get` or `set`.
    const field = (value: unknown, writable = true): PropertyDescriptor => {
      const descriptor = create(null) as {
        value?: unknown;
        writable?: boolean;
        enumerable?: boolean;
        configurable?: boolean;
      };
      descriptor.value = value;
      descriptor.writable = writable;
      descriptor.enumerable = true;
      descriptor.configurable = true;
      return descriptor;
    };
    const append = (list: unknown[], value: unknown) => {
      defineProperty(list, list.length, field(value));
    };
    // A WebIDL sequence, read through the iterator it has now.
    const sequence = (value: object): unknown[] => {
      const method: unknown = (value as Record<symbol, unknown>)[iteratorSymbol];
      if (typeof method !== 'function') throw new NotIterable('The value provided is not iterable.');
      const iterator: unknown = apply(method, value, []);
      if (typeof iterator !== 'object' || iterator === null) throw new NotIterable('The iterator is not an object.');
      const next: unknown = (iterator as { next?: unknown }).next;
      const items: unknown[] = [];
      for (;;) {
        const step: unknown = apply(next as () => unknown, iterator, []);
        if (typeof step !== 'object' || step === null) throw new NotIterable('The iterator result is not an object.');
        if ((step as { done?: unknown }).done) return items;
        append(items, (step as { value?: unknown }).value);
      }
    };
    // What the browser reads as a sequence: these items, through an iterator of our own.
    const iterable = (items: readonly unknown[]) => {
      const made = {};
      defineProperty(
        made,
        iteratorSymbol,
        field(() => {
          let i = 0;
          return {
            next: () => (i < items.length ? { done: false, value: items[i++] } : { done: true, value: undefined }),
          };
        }),
      );
      return made;
    };
    // What to hand the browser for an object it reads as a dictionary: each member it reads given
    // by `member`, read from the page's own object (its getters run once, as the browser runs them,
    // on that object: one reading a #private field works). Not a proxy of that object itself: a
    // frozen one's members could not be given as read.
    const reading = (member: (key: PropertyKey) => unknown): unknown => {
      const handler = create(null) as ProxyHandler<object>;
      handler.get = (_target, key) => member(key);
      return new Wrap(create(null) as object, handler);
    };
    // The configuration to hand the browser, and the URLs of its ICE servers as the browser reads
    // them: each server's `urls`, or else its legacy single `url` (`{ url: 'stun:…' }`).
    const iceConfiguration = (configuration: unknown): { configuration: unknown; urls: () => string[] } => {
      if (typeof configuration !== 'object' || configuration === null) return { configuration, urls: () => [] };
      const servers: { urls: string[] | undefined; url: string | undefined }[] = [];
      const server = (given: object) => {
        const named = { urls: undefined as string[] | undefined, url: undefined as string | undefined };
        append(servers, named);
        return reading((key) => {
          const value: unknown = read(given, key, given);
          if (key === 'url' && value !== undefined) return (named.url = text(value));
          if (key !== 'urls' || value === undefined) return value;
          if ((typeof value !== 'object' && typeof value !== 'function') || value === null) {
            named.urls = [text(value)];
            return named.urls[0];
          }
          const list = sequence(value);
          const texts: string[] = [];
          for (let j = 0; j < list.length; j++) append(texts, text(list[j]));
          named.urls = texts;
          return iterable(texts);
        });
      };
      const handed = reading((key) => {
        const given: unknown = read(configuration, key, configuration);
        if (key !== 'iceServers' || (typeof given !== 'object' && typeof given !== 'function') || given === null)
          return given;
        const list = sequence(given);
        const items: unknown[] = [];
        for (let i = 0; i < list.length; i++) {
          const item = list[i];
          append(
            items,
            (typeof item === 'object' || typeof item === 'function') && item !== null ? server(item) : item,
          );
        }
        return iterable(items);
      });
      // Read as the browser reads the configuration, which it does before it returns.
      const urls = (): string[] => {
        const named: string[] = [];
        for (let i = 0; i < servers.length; i++) {
          const given = servers[i]?.urls ?? (servers[i]?.url === undefined ? [] : [servers[i]?.url ?? '']);
          for (let j = 0; j < given.length; j++) append(named, given[j]);
        }
        return named;
      };
      return { configuration: handed, urls };
    };
    // The arguments, the first replaced (none given stays none: the browser's default).
    const withFirst = (args: readonly unknown[], first: unknown): unknown[] => {
      const given: unknown[] = [];
      for (let i = 0; i < args.length; i++) append(given, i === 0 ? first : args[i]);
      return given;
    };
    const reportServers = (urls: readonly string[]) => {
      const origin = realmOrigin();
      if (origin !== null) for (let i = 0; i < urls.length; i++) send('request', origin, urls[i] ?? '');
    };
    const NativePeer: unknown = getOwnPropertyDescriptor(realm, 'RTCPeerConnection')?.value;
    if (typeof NativePeer === 'function') {
      const Peer = function RTCPeerConnection(this: unknown, ...args: unknown[]): unknown {
        // Called without `new`, as a page may: the browser's own answer (a TypeError).
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- undefined without `new`, whatever the types say
        if (new.target === undefined) return apply(NativePeer, this, args);
        const { configuration, urls } = iceConfiguration(args[0]);
        const given = withFirst(args, configuration);
        const made: unknown = construct(NativePeer, given, new.target === Peer ? NativePeer : new.target);
        reportServers(urls());
        return made;
      };
      // Statics (`generateCertificate`), the prototype its instances and subclasses share, its name
      // and length: the constructor's own. The prototype's `constructor` is this one.
      const keys = ownKeys(NativePeer);
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as PropertyKey;
        const descriptor = getOwnPropertyDescriptor(NativePeer, key);
        if (descriptor && key !== 'arguments' && key !== 'caller') defineProperty(Peer, key, descriptor);
      }
      const prototype = (NativePeer as { prototype: object }).prototype;
      const constructor = getOwnPropertyDescriptor(prototype, 'constructor');
      if (constructor) defineProperty(prototype, 'constructor', { ...constructor, value: Peer });
      const names = ['RTCPeerConnection', 'webkitRTCPeerConnection'];
      for (let i = 0; i < names.length; i++) {
        const name = names[i] ?? '';
        const global = getOwnPropertyDescriptor(realm, name);
        if (global?.value === NativePeer) defineProperty(realm, name, { ...global, value: Peer });
      }
      const setConfiguration = getOwnPropertyDescriptor(prototype, 'setConfiguration');
      const nativeSetConfiguration: unknown = setConfiguration?.value;
      if (setConfiguration && typeof nativeSetConfiguration === 'function')
        defineProperty(prototype, 'setConfiguration', {
          ...setConfiguration,
          value: function setConfiguration(this: unknown, ...args: unknown[]): unknown {
            if (args.length < 1) return apply(nativeSetConfiguration, this, args);
            const { configuration, urls } = iceConfiguration(args[0]);
            const result: unknown = apply(nativeSetConfiguration, this, withFirst(args, configuration));
            reportServers(urls());
            return result;
          },
        });
    }

    const openWindow = getOwnPropertyDescriptor(realm, 'open');
    const nativeOpen: unknown = openWindow?.value;
    if (openWindow && typeof nativeOpen === 'function')
      defineProperty(realm, 'open', {
        configurable: openWindow.configurable ?? true,
        enumerable: openWindow.enumerable ?? true,
        writable: openWindow.writable ?? true,
        value: function open(this: unknown, ...args: unknown[]): unknown {
          const opened: unknown = apply(nativeOpen, this, args);
          try {
            // Its first document inherits this one's origin; another origin's window throws here.
            if (opened) install(opened, realmOrigin() ?? inherited);
          } catch {
            // a window of another origin: its own documents get the observer from DevTools
          }
          return opened;
        },
      });
  };
  install(globalThis, globalThis.origin);
}

/** The script that runs {@link observeWrites} with the binding `binding`, for `Page.addScriptToEvaluateOnNewDocument`. */
export function observerScript(binding: string): string {
  return `(${observeWrites.toString()})(${JSON.stringify(binding)});`;
}

/**
 * What a report of {@link observeWrites} says: the cookie it set, named as the browser's jar names it
 * (`null` for a deletion), the storage key or database, or the ICE server (a `stun:`, `turn:` or
 * `turns:` URL) a peer connection was given, on an http(s) origin; `null` for anything else. Values are dropped here: an audit reports names only.
 *
 * @example
 * readWrite('cookie\nhttps://www.edx.org\n_ga=GA1.2; Domain=edx.org'); // { cookie: { name: '_ga', domain: '.edx.org' } }
 */
export function readWrite(payload: unknown, now: number = Date.now()): PageWrite | null {
  if (typeof payload !== 'string') return null;
  const first = payload.indexOf('\n');
  const second = payload.indexOf('\n', first + 1);
  if (first < 0 || second < 0) return null;
  const kind = payload.slice(0, first);
  const origin = payload.slice(first + 1, second);
  const written = payload.slice(second + 1);
  let host: string;
  try {
    const url = new URL(origin);
    if (!/^https?:$/.test(url.protocol)) return null;
    host = url.hostname;
  } catch {
    return null;
  }
  if (kind === 'cookie') {
    const cookie = cookieWritten(written, host, now);
    return cookie && { cookie };
  }
  if (kind === 'request') return /^(stun|turns?):/i.test(written) ? { request: { url: written } } : null;
  const storage = { area: kind, name: written, origin: new URL(origin).origin };
  return isStorageWrite(storage) ? { storage } : null;
}
