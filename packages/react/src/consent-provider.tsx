import {
  createConsent,
  type ConsentOptions,
  type ConsentStorage,
  type ConsentStore,
  type Policy,
} from '@optin/consent';
import {
  createContext,
  startTransition,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type ReactElement,
  type ReactNode,
} from 'react';
import { OptinReactError } from './errors.js';
import { followStorage } from './follow-storage.js';
import { same } from './same.js';
import { sameStorage } from './same-storage.js';

// A layout effect in the browser (it runs before any child's effect), none on the server (React 18 warns there).
const useIsomorphicLayoutEffect = typeof document == 'undefined' ? useEffect : useLayoutEffect;

/** A store the provider made, with the options it was made from. */
interface Made {
  readonly store: ConsentStore;
  readonly options: ConsentOptions;
}

/** What the provider shares: the store (once it exists) and the policy. */
export interface ConsentContextValue {
  /** The store, or `null` until it is created on the client. */
  readonly store: ConsentStore | null;
  /** The policy in force (known before the store exists). */
  readonly policy: Policy;
}

/** The context behind `useConsent()`; `null` outside a {@link ConsentProvider}. */
export const ConsentContext = createContext<ConsentContextValue | null>(null);

/** Props of {@link ConsentProvider}: a store, or the options to create one on the client (never both). */
export type ConsentProviderProps = { readonly children?: ReactNode } & (
  | {
      /** The consent store to share (created by you, e.g. with `createConsent`). */
      readonly consent: ConsentStore;
      /** Not with `consent`: the store is yours, options would make a second one. */
      readonly options?: never;
    }
  | {
      /** Options of `createConsent`: the store is created on the client, after hydration. */
      readonly options: ConsentOptions;
      /** Not with `options`: give a store, or have one created, not both. */
      readonly consent?: never;
    }
);

/**
 * Shares a consent store with `useConsent()`, `useAllowed()`, `useTracker()` and `<ConsentBanner/>`.
 * Give it a store, or `options` to create one lazily in the browser (nothing reads cookies or
 * `window` on the server). Server HTML and hydration render the "no store yet" state, so
 * `renderToString` followed by `hydrateRoot` never mismatches. `options` are compared by content:
 * rewritten inline with the same content they keep the store; changed (another policy or version,
 * the mode a region hint gives after the first render, another cookie domain), the store is
 * replaced by one made from them, which reads the learner's choice for them (a new policy version
 * asks again). A store made from `options` is disposed (stops following other tabs) when the
 * provider unmounts or its options change; a store you give stays yours.
 * The types take one or the other; given both anyway (props spread from elsewhere), `options` are
 * ignored: no second store reads cookies or follows other tabs beside the one you gave.
 * Given neither (a `consent` or `options` that is `undefined`), it throws an {@link OptinReactError}
 * with code `missing_store`.
 *
 * @example
 * <ConsentProvider options={{ policy: edxPolicy, cookieDomain: 'edx.org' }}>
 *   <App />
 *   <ConsentBanner />
 * </ConsentProvider>
 */
export function ConsentProvider(props: ConsentProviderProps): ReactElement {
  const given = props.consent ?? null;
  const options = given ? null : (props.options ?? null);
  // Without either there is no policy to render by: say so here, not as a missing provider in a hook.
  if (!given && !options)
    throw new OptinReactError(
      'missing_store',
      '<ConsentProvider> got no `consent` store and no `options` (undefined): pass `consent={store}` with a store from createConsent(), or `options={{ policy }}` to have it create one in the browser.',
    );
  // The options by content: rewritten inline (a new object at every render) they keep the store;
  // changed (another policy or version, the mode a region hint gives after the first render, another
  // cookie domain or storage), the store made from them is replaced by one made from the new ones,
  // which reads the learner's choice for them (a new policy version asks again).
  const [latest, setLatest] = useState(options);
  const once = useRef<Made | null>(null);
  // The store reads and writes through the custom storage given last (see followStorage): one made
  // anew that reads what the store's reads now (the same storage made at each render, or a next
  // learner's with nothing stored, as the previous one, while the store holds no grant it did not keep
  // there) takes over before any child's effect runs; one that reads otherwise, or reads nothing while
  // the store holds such a grant (see sameStorage), replaces the options, and so the store. Compared with
  // the storage in use (of the last commit), not the one the store was made with: that one may read as
  // empty as the next learner's while the learner who took it over has decided; and even when the
  // options are the very object the store was made with (options kept per learner, Ada's again after
  // Grace's). While new options wait for their store (set in this render), theirs is the one in use.
  const storage = useRef<unknown>(options?.storage);
  const committed = useRef(latest);
  const inUse = (latest === committed.current ? storage.current : latest?.storage) as ConsentOptions['storage'];
  if (
    options !== latest &&
    !(same(latest, options) && sameStorage(inUse, options?.storage, once.current?.store))
  )
    setLatest(options);
  else if (options && inUse !== options.storage && !sameStorage(inUse, options.storage, once.current?.store))
    setLatest({ ...options }); // the same options object: a copy makes it new options, and so a new store
  const [created, setCreated] = useState<Made | null>(null);
  // Created in the browser, once for the same options. The ref keeps it across StrictMode's second
  // run of the effect (state is not set yet then), so one provider never makes a second store that
  // would re-write the choice. A store the provider made is disposed when the provider really
  // unmounts or is hidden (<Activity>): the cleanup only schedules that, and a re-run of the effect
  // (StrictMode) cancels it; options changed by content dispose it at once. Disposed, it is also
  // taken from the children: shown again, they render the "no store yet" state (nothing allowed, no
  // banner), never the disposed store's stale choice (the learner may have decided or withdrawn in
  // another tab meanwhile), until the new store, which reads the choice afresh and follows other
  // tabs, is made.
  const disposal = useRef<ReturnType<typeof setTimeout>>(undefined);
  useIsomorphicLayoutEffect(() => {
    storage.current = options?.storage;
    committed.current = latest;
  });
  useEffect(() => {
    if (!latest) return;
    clearTimeout(disposal.current);
    if (once.current && once.current.options !== latest) {
      once.current.store.dispose();
      once.current = null;
    }
    const made = (once.current = {
      store: once.current?.store ?? createConsent(followStorage(latest, () => storage.current as ConsentStorage)),
      options: latest,
    });
    // A transition: under React 18 an urgent update reaching a <Suspense> boundary still hydrating (a
    // lazy chunk on its way) throws its server HTML away and renders it anew on the client.
    startTransition(() => setCreated(made));
    return () => {
      disposal.current = setTimeout(() => {
        made.store.dispose();
        once.current = null;
        setCreated(null);
      });
    };
  }, [latest]);
  // Until the store for the options in force exists, the children get the "no store yet" state, never
  // what a store made for other options allows.
  const store = given ?? (created?.options === latest ? created.store : null);
  const policy = given?.policy ?? latest?.policy;
  const value = useMemo(() => policy && { store, policy }, [store, policy]);
  return <ConsentContext.Provider value={value ?? null}>{props.children}</ConsentContext.Provider>;
}
