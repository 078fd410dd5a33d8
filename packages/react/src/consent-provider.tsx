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
import { useIsomorphicLayoutEffect } from './use-isomorphic-layout-effect.js';

/** A store the provider made, with the options it was made from. */
interface Made {
  readonly store: ConsentStore;
  readonly options: ConsentOptions;
}

/** What the provider shares: the store (once it exists), the policy and the page's Member. */
export interface ConsentContextValue {
  /** The store, or `null` until it is created on the client. */
  readonly store: ConsentStore | null;
  /** The policy in force (known before the store exists). */
  readonly policy: Policy;
  /** The id of the Member whose course the page is, or `null` (a platform page, or not known). */
  readonly member: string | null;
}

/** The context behind `useConsent()`; `null` outside a {@link ConsentProvider}. */
export const ConsentContext = createContext<ConsentContextValue | null>(null);

/** Props of {@link ConsentProvider}: a store, or the options to create one on the client (never both). */
export type ConsentProviderProps = {
  readonly children?: ReactNode;
  /**
   * The id of the Member whose course the page is (`scope.member?.id` of `@optin/members`' registry or
   * scoped hub), kept up to date by the app as the page's Member changes (`usePageMember(hub)?.id`). A
   * Member's tracker is allowed by `useTracker` only on that Member's pages, as the scoped hub loads
   * it: `null` or left out (a platform page, or a scope the app does not know) allows no Member's.
   */
  readonly member?: string | null | undefined;
} & (
  | {
      /** The consent store to share (created by you, e.g. with `createConsent`). */
      readonly consent: ConsentStore;
      /** Not with `consent`: the store is yours, options would make a second one. */
      readonly options?: never;
      /** Not with `consent`: the store is yours, and so is whose it is. */
      readonly learner?: never;
    }
  | {
      /** Options of `createConsent`: the store is created on the client, after hydration. */
      readonly options: ConsentOptions;
      /** Not with `options`: give a store, or have one created, not both. */
      readonly consent?: never;
      /**
       * Who the learner is: their user id, or any stable key of theirs (`user?.id`). A different
       * learner (to or from none too) gets a store of their own, made afresh from their storage and
       * asking as a store made on it would ask; the same learner keeps their store whatever storage
       * object is passed, so a choice the page's cookie banner told it, or one their storage refused
       * to keep, stays. Only options that change by content replace it. An app where learners sign in
       * or out without a page load must pass it (or `key={user}`): without it, a custom storage made
       * anew is taken for the same learner's or another's by what it reads, which cannot tell every
       * case apart (see the README's Limits). It separates learners only where each has a storage of
       * their own: with the default consent cookie the choice is the browser's, and the next learner
       * reads it (call `store.reset()` before signing one out to forget it). Pass it once the session is
       * known: `undefined` while it loads is no one, and a choice made then is not kept for the learner
       * who then appears.
       */
      readonly learner?: string | undefined;
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
 * with code `missing_store`. A store given is the children's from just after the first commit (in a
 * transition), as one made from `options`: hydration renders the "no store yet" state the server
 * rendered, and a `<Suspense>` boundary still hydrating keeps its server HTML.
 *
 * Pass `member`, the id of the Member whose course the page is, kept up to date from the registry's
 * scope: `useTracker` allows a Member's tracker only there, as the scoped hub loads it. Without it,
 * no Member's tracker is allowed (the scope is not known: it fails closed).
 *
 * **Learners who sign in or out without a page load: pass `learner`** (their user id), or
 * `key={user}`. With it, each learner gets a store of their own, made afresh from their storage, and
 * keeps it while signed in. Without it, a custom storage given anew is taken for the same learner's or
 * another's by what it reads, which cannot tell every case apart: a next learner may be shown, and
 * have loaded, the previous one's choice (see the README's Limits). `learner` separates learners only
 * with a storage per learner: with the default consent cookie the choice is the browser's.
 *
 * @example
 * <ConsentProvider options={{ policy: edxPolicy, cookieDomain: 'edx.org' }}>
 *   <App />
 *   <ConsentBanner />
 * </ConsentProvider>
 *
 * @example
 * // A single-page app across Members' courses: the page's Member from the scoped hub.
 * const member = usePageMember(hub);
 * <ConsentProvider consent={consent} member={member?.id}><Course /></ConsentProvider>
 *
 * @example
 * // Learners sign in and out in the app; their choice is kept on the server.
 * <ConsentProvider options={{ policy: edxPolicy, storage: storageFor(user) }} learner={user?.id}>
 *   <App />
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
  // Whose the store is, when the app says (`learner`): another learner (to or from none too) gets
  // new options, and so a store of their own made afresh from their storage, even when the options
  // are the very object the store was made with; the same learner keeps the store for options of the
  // same content, whatever storage object they hold and whatever it reads.
  const learner = options ? props.learner : undefined;
  const [whose, setWhose] = useState(learner);
  const once = useRef<Made | null>(null);
  // The store reads and writes through the custom storage given last (see followStorage). With
  // `learner`, any the same learner's options hold takes over. Without, a storage made
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
  // Another learner always gets a copy: options no store was made with, so no store made for another
  // learner with that object (one options object for the page), still set in a transition that waits
  // (a child suspended), is ever taken for theirs.
  if (learner !== whose) {
    setWhose(learner);
    setLatest(options && { ...options });
  } else if (learner !== undefined) {
    if (options !== latest && !same(latest, options)) setLatest(options);
  } else if (
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
  // The storage each replaced options' store followed last (a next learner's it took over, not the one
  // it was made with), which it keeps to from then on.
  const left = useRef(new WeakMap<ConsentOptions, unknown>());
  useIsomorphicLayoutEffect(() => {
    if (committed.current && committed.current !== latest) left.current.set(committed.current, storage.current);
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
    // A store follows the storage given last only while its options are in force: replaced (another
    // learner signed in), it keeps to the one it followed last (the learner's whose it was) until it is
    // disposed, and after, so that nothing still holding it (a hub made with it) reads or writes in the
    // next learner's, nor in an earlier learner's it was made with.
    const made = (once.current = {
      store:
        once.current?.store ??
        createConsent(
          followStorage(
            latest,
            () =>
              (committed.current === latest
                ? storage.current
                : (left.current.get(latest) ?? latest.storage)) as ConsentStorage,
          ),
        ),
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
  // A store given, like one made, is the children's only after the first commit, in a transition: given
  // at once, the hooks' first client render would differ from the server's, and React 18 and 19 throw
  // away the server HTML of a <Suspense> boundary still hydrating (its fallback flashes).
  const [mounted, setMounted] = useState(false);
  useEffect(() => {
    startTransition(() => setMounted(true));
  }, []);
  // Until the store for the options in force exists, the children get the "no store yet" state, never
  // what a store made for other options allows.
  const store = given ? (mounted ? given : null) : created?.options === latest ? created.store : null;
  const policy = given?.policy ?? latest?.policy;
  const member = props.member ?? null;
  const value = useMemo(() => policy && { store, policy, member }, [store, policy, member]);
  return <ConsentContext.Provider value={value ?? null}>{props.children}</ConsentContext.Provider>;
}
