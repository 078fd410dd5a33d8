import {
  createConsent,
  definePolicy,
  edxPolicy,
  encodeDecision,
  type ConsentOptions,
  type ConsentStorage,
  type ConsentStore,
} from '@optin/consent';
import type { OptinBannerElement } from '@optin/banner';
import { locales } from '@optin/banner/locales';
import {
  act,
  Activity,
  createRef,
  lazy,
  StrictMode,
  Suspense,
  useEffect,
  useLayoutEffect,
  useState,
  version,
  type ReactNode,
} from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it } from 'vitest';
import { ConsentBanner, ConsentProvider, useAllowed, useConsent, useTracker, type ConsentState } from '../src/index.js';
import { later, renderInAct } from './render-in-act.js';

// This file also runs on React 18 (the `react-18` project, `react` and `react-dom` aliased to 18.3.1).
// `<Activity>` exists from React 19.2: its tests are skipped on earlier versions, with that reason.
const [major = 0, minor = 0] = version.split('.').map(Number);
const withActivity = major > 19 || (major === 19 && minor >= 2);
const noActivity = `<Activity> exists from React 19.2; this is React ${version}`;
// React 19 runs the clean-up a DOM element's callback ref returns; React 18 ignores it (calls the ref with null).
const domRefCleanups = major >= 19;

// A test's consent cookie (a page's banner store keeps its choice there) is not the next test's. Registered
// before the root's clean-up, so that it runs after it, as it did in one hook with it.
afterEach(() => {
  document.cookie = 'optin=; Max-Age=0; Path=/';
});
const { render, rerender, unmount, mount } = renderInAct();

const store = () => createConsent({ policy: edxPolicy, storage: 'memory' });

/**
 * A child showing whether the learner is asked and whether analytics is allowed (`ask analytics=false`),
 * which keeps the store it was last given (`current()`) and every store it was given (`stores`).
 */
function statusProbe() {
  let current: ConsentStore | null = null;
  const stores = new Set<ConsentStore>();
  function Probe() {
    const { store, needsPrompt } = useConsent();
    current = store;
    if (store) stores.add(store);
    return <p>{`${needsPrompt ? 'ask' : 'decided'} analytics=${String(useAllowed('analytics'))}`}</p>;
  }
  return { Probe, stores, current: () => current };
}

/**
 * The app's storage for each learner, kept on a server (a `Map` here): `storageFor(user)` makes a new
 * storage object at each call, as an app writing it inline at each render does, all over one server.
 * `kind` is the name the app gives it; `server`, the `Map` behind it (given, a test reads what it holds).
 */
function serverStorage(kind = 'server', server = new Map<string, string>()) {
  return (user: string) => ({
    kind,
    read: () => (server.has(user) ? [server.get(user)!] : []),
    write: (value: string) => (server.set(user, value), true),
    clear: () => void server.delete(user),
  });
}

/**
 * A page where learners sign in (Ada first), each with storage of their own made by one factory: the
 * functions of two learners' storages have the same text, and only what they close over tells them
 * apart. `readOnly` names a learner whose storage refuses every write; `children` renders for the
 * learner signed in. `kept`: the page keeps one options object a learner (made at their first sign-in),
 * rather than writing them inline. `learner`: the page tells the provider who is signed in (`learner={user}`).
 * `storageFor`: the page's own factory instead (`readOnly` is then its business). `outside`: code that
 * holds a store outside the provider's children (a hub made with it), run in a layout effect of each
 * commit where a learner signs in, so before anything tells it of their store.
 */
function signInPage(
  children: (user: string) => ReactNode,
  options: {
    readOnly?: string;
    kept?: boolean;
    learner?: boolean;
    storageFor?: (user: string) => ConsentStorage;
    outside?: (user: string) => void;
  } = {},
) {
  const { readOnly, kept = false, learner = false, outside } = options;
  const jars = new Map<string, string>();
  const storageFor =
    options.storageFor ??
    ((user: string) => ({
      kind: 'per-learner',
      read: () => [jars.get(user) ?? ''],
      write: (value: string) => user !== readOnly && (jars.set(user, value), true),
      clear: () => void jars.delete(user),
    }));
  const optionsOf = new Map<string, ConsentOptions>();
  const optionsFor = (user: string): ConsentOptions => {
    const options = optionsOf.get(user) ?? { policy: edxPolicy, storage: storageFor(user) };
    if (kept) optionsOf.set(user, options);
    return options;
  };
  function Outside({ user, run }: { user: string; run: (user: string) => void }) {
    useLayoutEffect(() => run(user), [user, run]);
    return null;
  }
  let signIn: (user: string) => void = () => {};
  function Page() {
    const [user, setUser] = useState('ada');
    signIn = setUser;
    return (
      <>
        <ConsentProvider options={optionsFor(user)} learner={learner ? user : undefined}>
          {children(user)}
        </ConsentProvider>
        {outside && <Outside user={user} run={outside} />}
      </>
    );
  }
  return { jars, Page, signIn: (user: string) => signIn(user) };
}

/** The app's storage for each learner where reading throws (a backend down), a new object at each call. */
const throwingStorage = (user: string): ConsentStorage => ({
  kind: 'server',
  read: () => {
    throw new Error(`no storage for ${user}`);
  },
  write: () => false,
  clear: () => {},
});

/**
 * An app where learners sign in (Ada first), its provider given `storageFor(user)` made anew at each
 * render, in `mode`. `text()` is what the learner sees (`ask analytics=false`, see statusProbe),
 * `seen` what the app's effects saw, by learner (`bob: analytics=false`), `store()` the store its
 * children have and `stores` every store they had; `signIn(user)` and `render()` (any render of the app) run in act.
 * `learner`: the app tells the provider who is signed in (`learner={user}`); `strict`: under StrictMode.
 */
function learnerApp(
  mode: 'opt-in' | 'opt-out',
  storageFor: (user: string) => ConsentStorage,
  { learner = false, strict = false } = {},
) {
  const probe = statusProbe();
  const seen: string[] = [];
  let signIn: (user: string) => void = () => {};
  let bump = () => {};
  function Effects({ user }: { user: string }) {
    const analytics = useAllowed('analytics');
    useEffect(() => void seen.push(`${user}: analytics=${String(analytics)}`), [user, analytics]);
    return null;
  }
  function App() {
    const [user, setUser] = useState('ada');
    const [, setRenders] = useState(0);
    signIn = setUser;
    bump = () => setRenders((n) => n + 1);
    return (
      <ConsentProvider
        options={{ policy: edxPolicy, mode, storage: storageFor(user) }}
        learner={learner ? user : undefined}
      >
        <probe.Probe />
        <Effects user={user} />
      </ConsentProvider>
    );
  }
  const container = render(
    strict ? (
      <StrictMode>
        <App />
      </StrictMode>
    ) : (
      <App />
    ),
  );
  return {
    text: () => container.textContent,
    store: probe.current,
    stores: probe.stores,
    seen,
    signIn: (user: string) => act(() => signIn(user)),
    render: () => act(() => bump()),
  };
}

/**
 * Options whose storage is one cookie jar (in memory), shared by every store made with them: the
 * provider's, and another tab's made with `createConsent(options)`. No Global Privacy Control signal.
 */
function sharedJarOptions() {
  let cookie: string[] = [];
  const storage = {
    kind: 'jar',
    read: () => [...cookie],
    write: (value: string) => ((cookie = [value]), true),
    clear: () => void (cookie = []),
  };
  return { policy: edxPolicy, storage, signals: { gpc: false } };
}

const banners: ConsentStore[] = [];
afterEach(() => banners.splice(0).forEach((banner) => banner.dispose()));

/** The page's cookie banner: a store of its own on the consent cookie, disposed after the test. */
function cookieBanner(mode: 'opt-in' | 'opt-out') {
  const banner = createConsent({ policy: edxPolicy, mode });
  banners.push(banner);
  return banner;
}

describe('useConsent', () => {
  it('re-renders on every change of what is allowed, and only then', () => {
    const consent = store();
    let renders = 0;
    function Probe() {
      const { needsPrompt, allows } = useConsent();
      renders++;
      return <p>{`${needsPrompt ? 'ask' : 'decided'} analytics=${allows('analytics')}`}</p>;
    }
    const container = render(
      <ConsentProvider consent={consent}>
        <Probe />
      </ConsentProvider>,
    );
    expect(container.textContent).toBe('ask analytics=false');
    act(() => void consent.acceptAll());
    expect(container.textContent).toBe('decided analytics=true');
    act(() => void consent.withdraw('analytics'));
    expect(container.textContent).toBe('decided analytics=false');
    const before = renders;
    act(() => void consent.withdraw('analytics')); // nothing changes
    expect(renders).toBe(before);
  });

  it('re-renders when what is allowed changes without a decision in force (an earlier version’s refusal read under opt-out)', () => {
    const earlier = definePolicy({ ...edxPolicy, version: '2026-01' });
    const refusal = createConsent({ policy: earlier, storage: 'memory', signals: { gpc: false } }).withdraw(
      'analytics',
    );
    const stored: string[] = [];
    const consent = createConsent({
      policy: edxPolicy,
      mode: 'opt-out',
      signals: { gpc: false },
      storage: { kind: 'test', read: () => [...stored], write: () => false, clear: () => void stored.splice(0) },
    });
    function Probe() {
      return <p>{`analytics=${useAllowed('analytics')}`}</p>;
    }
    const container = render(
      <ConsentProvider consent={consent}>
        <Probe />
      </ConsentProvider>,
    );
    expect(container.textContent).toBe('analytics=true');
    // A tab still running the earlier policy stored its refusal: it does not bind, but it refuses.
    stored.push(encodeDecision(refusal, earlier));
    act(() => consent.refresh());
    expect(consent.decision).toBeNull();
    expect(consent.allows('analytics')).toBe(false);
    expect(container.textContent).toBe('analytics=false');
    act(() => consent.reset());
    expect(container.textContent).toBe('analytics=true');
  });

  it('keeps the same state when the page re-reads an unchanged decision (the tab shown again), so effects on it do not re-run', () => {
    const stored: string[] = [];
    const consent = createConsent({
      policy: edxPolicy,
      signals: { gpc: false },
      storage: {
        kind: 'test',
        read: () => [...stored],
        write: (v) => (stored.splice(0, stored.length, v), true),
        clear: () => void stored.splice(0),
      },
    });
    const updates: string[] = [];
    function Probe({ page }: { page: number }) {
      const { decision } = useConsent();
      // What an integrator does on each new decision: tell Google Consent Mode, post it somewhere.
      useEffect(() => void updates.push(decision?.source ?? 'none'), [decision]);
      return <p>{`page ${String(page)}`}</p>;
    }
    const at = (page: number) => (
      <ConsentProvider consent={consent}>
        <Probe page={page} />
      </ConsentProvider>
    );
    render(at(1));
    act(() => void consent.acceptAll());
    expect(updates).toEqual(['none', 'banner']);
    // The tab is shown again (the store re-reads the cookie), then the page renders for its own reasons.
    act(() => consent.refresh());
    rerender(at(2));
    act(() => void document.dispatchEvent(new Event('visibilitychange')));
    rerender(at(3));
    expect(updates).toEqual(['none', 'banner']);
    act(() => void consent.withdraw('analytics'));
    expect(updates).toEqual(['none', 'banner', 'preferences']);
  });

  it('creates the store from options after mount, in the browser only', () => {
    const seen: (ConsentStore | null)[] = [];
    function Probe() {
      seen.push(useConsent().store);
      return null;
    }
    render(
      <ConsentProvider options={{ policy: edxPolicy, storage: 'memory' }}>
        <Probe />
      </ConsentProvider>,
    );
    expect(seen[0]).toBe(null);
    expect(seen.at(-1)?.policy).toBe(edxPolicy);
  });

  it('creates one store under StrictMode, which runs effects twice', () => {
    let reads = 0;
    let writes = 0;
    const storage = {
      kind: 'counted',
      read: () => (reads++, []),
      write: () => (writes++, true),
      clear: () => {},
    };
    const seen = new Set<ConsentStore>();
    function Probe() {
      const { store } = useConsent();
      if (store) seen.add(store);
      return null;
    }
    const options = { policy: edxPolicy, storage };
    render(
      <StrictMode>
        <ConsentProvider options={options}>
          <Probe />
        </ConsentProvider>
      </StrictMode>,
    );
    expect(seen.size).toBe(1);
    expect(reads).toBe(1); // createConsent reads the stored choice once
    const [only] = seen;
    act(() => void only?.acceptAll());
    expect(writes).toBe(1);
    const readsAfterChoice = reads; // a choice re-reads what another tab may have stored meanwhile
    rerender(
      <StrictMode>
        <ConsentProvider options={{ ...options }}>
          <Probe />
        </ConsentProvider>
      </StrictMode>,
    );
    expect(seen.size).toBe(1); // new options do not recreate the learner's store
    expect(reads).toBe(readsAfterChoice);
  });

  it('disposes the store it made when it unmounts (not before, not under StrictMode), never a store it was given', async () => {
    let reads = 0;
    let givenReads = 0;
    const storage = { kind: 'counted', read: () => (reads++, []), write: () => true, clear: () => {} };
    const given = createConsent({ policy: edxPolicy, storage: { ...storage, read: () => (givenReads++, []) } });
    render(
      <StrictMode>
        <ConsentProvider options={{ policy: edxPolicy, storage }} />
        <ConsentProvider consent={given} />
      </StrictMode>,
    );
    await later();
    // Still following other tabs after StrictMode's extra cleanup: a storage event re-reads.
    dispatchEvent(new Event('storage'));
    expect(reads).toBe(2);
    unmount();
    await later();
    dispatchEvent(new Event('storage'));
    expect(reads).toBe(2); // disposed: no longer re-reads
    expect(givenReads).toBe(3); // the store it was given still follows: created, then both events
  });

  it('follows other tabs again when shown after being hidden (Activity), with a store that is not disposed', async ({
    skip,
  }) => {
    skip(!withActivity, noActivity);
    let reads = 0;
    const storage = { kind: 'counted', read: () => (reads++, []), write: () => true, clear: () => {} };
    const options = { policy: edxPolicy, storage };
    const seen = new Set<ConsentStore>();
    function Probe() {
      const { store } = useConsent();
      if (store) seen.add(store);
      return null;
    }
    const at = (mode: 'visible' | 'hidden') => (
      <Activity mode={mode}>
        <ConsentProvider options={options}>
          <Probe />
        </ConsentProvider>
      </Activity>
    );
    render(at('visible'));
    rerender(at('hidden'));
    await later(); // hidden long enough for the provider's cleanup to dispose its store
    rerender(at('visible'));
    await later();
    const before = reads;
    dispatchEvent(new Event('storage'));
    expect(reads).toBe(before + 1);
    const current = [...seen].at(-1);
    act(() => void current?.rejectAll());
    expect(current?.needsPrompt).toBe(false);
  });

  it('shows no choice of the disposed store when shown again: a withdrawal made in another tab meanwhile holds', async ({
    skip,
  }) => {
    skip(!withActivity, noActivity);
    // One cookie jar, shared by the provider's store and another tab's.
    const options = sharedJarOptions();
    const loads: string[] = [];
    function Analytics() {
      const allowed = useTracker({ owner: 'platform', purposes: ['analytics'] });
      useEffect(() => void loads.push(allowed ? 'load analytics' : 'no analytics'), [allowed]);
      return null;
    }
    const at = (mode: 'visible' | 'hidden') => (
      <Activity mode={mode}>
        <ConsentProvider options={options}>
          <Analytics />
        </ConsentProvider>
      </Activity>
    );
    createConsent(options).acceptAll();
    render(at('visible'));
    await later();
    expect(loads).toEqual(['no analytics', 'load analytics']);
    rerender(at('hidden'));
    await later(); // hidden long enough for the provider's store to be disposed
    createConsent(options).withdraw('analytics'); // in another tab
    loads.length = 0;
    rerender(at('visible'));
    await later();
    expect(loads).toEqual(['no analytics']);
  });

  it('follows options that change by content: the mode a region hint gives later, a new policy version that asks again', async () => {
    // One cookie jar: what the learner decided stays stored across stores.
    let cookie: string[] = [];
    let reads = 0;
    const storage = {
      kind: 'jar',
      read: () => (reads++, [...cookie]),
      write: (value: string) => ((cookie = [value]), true),
      clear: () => void (cookie = []),
    };
    const v2 = definePolicy({ ...edxPolicy, version: '2027-01' });
    let set: (next: { mode: 'opt-in' | 'opt-out'; policy: typeof edxPolicy }) => void = () => {};
    let rerender = () => {};
    const stores = new Set<ConsentStore>();
    function Probe() {
      const { store, needsPrompt } = useConsent();
      if (store) stores.add(store);
      const analytics = useTracker({ owner: 'platform', purposes: ['analytics'] });
      return <p>{`${needsPrompt ? 'ask' : 'no banner'} analytics=${String(analytics)}`}</p>;
    }
    function Page() {
      const [options, setOptions] = useState({ mode: 'opt-out' as 'opt-in' | 'opt-out', policy: edxPolicy });
      const [, setRenders] = useState(0);
      set = setOptions;
      rerender = () => setRenders((n) => n + 1);
      // Written inline, as pages do: a new object at every render.
      return (
        <ConsentProvider options={{ ...options, storage, signals: { gpc: false } }}>
          <Probe />
          <ConsentBanner />
        </ConsentProvider>
      );
    }
    const container = render(
      <StrictMode>
        <Page />
      </StrictMode>,
    );
    await later();
    expect(container.textContent).toBe('ask analytics=true'); // opt-out: granted until refused
    act(() => rerender());
    expect(stores.size).toBe(1); // the same options rewritten inline keep the store
    // The region hint arrives: an opt-in region. Nothing but necessary until the learner chooses.
    act(() => set({ mode: 'opt-in', policy: edxPolicy }));
    await later();
    expect(container.textContent).toBe('ask analytics=false');
    act(() => void [...stores].at(-1)?.acceptAll());
    expect(container.textContent).toBe('no banner analytics=true');
    // A new version of the policy: the choice made under the earlier one does not bind, the learner is asked again.
    act(() => set({ mode: 'opt-in', policy: v2 }));
    await later();
    expect(container.textContent).toBe('ask analytics=false');
    expect([...stores].at(-1)?.policy).toBe(v2);
    expect(stores.size).toBe(3);
    // The stores replaced were disposed: only the one in force follows other tabs.
    const before = reads;
    dispatchEvent(new Event('storage'));
    expect(reads - before).toBe(1);
    const banners = document.querySelectorAll('optin-banner');
    expect(banners).toHaveLength(1);
    await banners[0]?.ready;
    expect(banners[0]?.layer).toBe('notice');
  });

  for (const learner of [false, true])
    it(`reads the next learner's choice from a storage made anew by the same factory (another learner signs in), and writes theirs there${learner ? ' (learner given)' : ''}`, async () => {
      const probe = statusProbe();
      const { jars, Page, signIn } = signInPage(() => <probe.Probe />, { learner });
      const container = render(
        <StrictMode>
          <Page />
        </StrictMode>,
      );
      await later();
      act(() => void probe.current()?.acceptAll());
      expect(container.textContent).toBe('decided analytics=true');
      act(() => signIn('grace'));
      await later();
      // Grace has decided nothing: she is asked, and nothing Ada granted is hers.
      expect(container.textContent).toBe('ask analytics=false');
      act(() => void probe.current()?.rejectAll());
      expect([...jars.keys()].sort()).toEqual(['ada', 'grace']);
      act(() => signIn('ada'));
      await later();
      expect(container.textContent).toBe('decided analytics=true');
    });

  for (const learner of [false, true])
    it(`gives a child's effect in the commit where another learner signs in the new learner's choice, and keeps what it decides in theirs${learner ? ' (learner given)' : ''}`, async () => {
      let current: ConsentStore | null = null;
      const seen: string[] = [];
      function Child({ user }: { user: string }) {
        const { store } = useConsent();
        current = store;
        useEffect(() => {
          if (!store) return;
          seen.push(`${user}: analytics=${String(store.allows('analytics'))}`);
          // The app applies the choice Grace saved on the server once she signs in.
          if (user === 'grace') store.rejectAll();
        }, [user, store]);
        return null;
      }
      const { jars, Page, signIn } = signInPage((user) => <Child user={user} />, { learner });
      render(<Page />);
      await later();
      act(() => void current?.acceptAll());
      const ada = jars.get('ada');
      act(() => signIn('grace'));
      await later();
      expect(seen).not.toContain('grace: analytics=true');
      expect(seen.at(-1)).toBe('grace: analytics=false');
      expect(jars.get('ada')).toBe(ada);
      expect(jars.has('grace')).toBe(true);
    });

  it("gives a third learner none of the second learner's grants when the first learner's storage read as empty as the third's", async () => {
    const probe = statusProbe();
    const { jars, Page, signIn } = signInPage(() => <probe.Probe />);
    const container = render(<Page />);
    await later();
    // Ada decides nothing; Grace, with nothing stored either, takes over Ada's store and accepts all.
    act(() => signIn('grace'));
    await later();
    act(() => void probe.current()?.acceptAll());
    expect(container.textContent).toBe('decided analytics=true');
    expect([...jars.keys()]).toEqual(['grace']);
    // Bob has nothing stored, as Ada had: he is asked, and nothing Grace granted is his.
    act(() => signIn('bob'));
    await later();
    expect(container.textContent).toBe('ask analytics=false');
    // Nor Ada's, signed in again with nothing stored.
    act(() => signIn('ada'));
    await later();
    expect(container.textContent).toBe('ask analytics=false');
    act(() => signIn('grace'));
    await later();
    expect(container.textContent).toBe('decided analytics=true');
    expect([...jars.keys()]).toEqual(['grace']);
  });

  it("writes nothing in the first learner's storage when code holding the store the second learner took over decides as a third signs in", async () => {
    const probe = statusProbe();
    const jars = new Map<string, string>();
    let held: ConsentStore | null = null;
    // Code that holds the store outside the provider's children (a hub made with it) and changes the
    // choice as the page signs Carol in, before anything tells it of her store.
    const { Page, signIn } = signInPage(() => <probe.Probe />, {
      storageFor: serverStorage('server', jars),
      outside: (user) => {
        if (user === 'carol') held?.withdraw('marketing');
      },
    });
    const container = render(<Page />);
    await later();
    const ada = probe.current();
    // Bob, with nothing stored as Ada, takes over her store and accepts all: stored as his.
    act(() => signIn('bob'));
    await later();
    expect(probe.current()).toBe(ada);
    act(() => void (held = probe.current())?.acceptAll());
    await later();
    act(() => signIn('carol'));
    await later();
    expect(container.textContent).toBe('ask analytics=false');
    expect([...jars.keys()]).toEqual(['bob']);
  });

  it("gives a learner none of the next learner's grants when the page keeps one options object a learner (the first learner's given again)", async () => {
    const probe = statusProbe();
    const { Page, signIn } = signInPage(() => <probe.Probe />, { kept: true });
    const container = render(
      <StrictMode>
        <Page />
      </StrictMode>,
    );
    await later();
    act(() => signIn('grace'));
    await later();
    act(() => void probe.current()?.acceptAll());
    expect(container.textContent).toBe('decided analytics=true');
    // Ada's options, the very object her store was made with, again: her storage holds nothing.
    act(() => signIn('ada'));
    await later();
    expect(container.textContent).toBe('ask analytics=false');
    act(() => signIn('grace'));
    await later();
    expect(container.textContent).toBe('decided analytics=true');
    expect(probe.stores.size).toBe(3); // Ada's and Grace's; Ada's again; Grace's again
  });

  it("gives the next learner none of a choice the previous learner's storage refused (held in memory)", async () => {
    let current = null as ConsentStore | null;
    function Probe() {
      current = useConsent().store;
      return null;
    }
    // Ada's storage refuses to write (her profile is read-only); Grace's keeps what she decides.
    const { Page, signIn } = signInPage(() => <Probe />, { readOnly: 'ada' });
    render(<Page />);
    await later();
    act(() => void current?.acceptAll());
    expect(current?.allows('analytics')).toBe(true);
    act(() => signIn('grace'));
    await later();
    expect(current?.needsPrompt).toBe(true);
    expect(current?.allows('analytics')).toBe(false);
  });

  it("gives the next learner none of a choice another app's store told, which this app's storage never held (two roots, one per app)", async () => {
    // What the server holds a learner; each app's storage is its own copy of it, read when made.
    const server = new Map<string, string>();
    const storageFor = (user: string) => {
      let copy = server.get(user);
      return {
        kind: 'server',
        read: () => (copy ? [copy] : []),
        write: (value: string) => ((copy = value), server.set(user, value), true),
        clear: () => void ((copy = undefined), server.delete(user)),
      };
    };
    const signIns: ((user: string) => void)[] = [];
    const stores: Record<string, ConsentStore | null> = {};
    const granted: string[] = [];
    function Probe({ app, user }: { app: string; user: string }) {
      const { store, needsPrompt } = useConsent();
      const analytics = useAllowed('analytics');
      stores[app] = store;
      // What a child's effect sees in every commit (an app identifying the learner to its analytics).
      useEffect(() => {
        if (analytics) granted.push(`${app}: ${user}`);
      }, [app, user, analytics]);
      return <p>{`${app}: ${needsPrompt ? 'ask' : 'decided'} analytics=${String(analytics)}`}</p>;
    }
    function App({ app }: { app: string }) {
      const [user, setUser] = useState('ada');
      signIns.push(setUser);
      return (
        <ConsentProvider options={{ policy: edxPolicy, storage: storageFor(user) }}>
          <Probe app={app} user={user} />
        </ConsentProvider>
      );
    }
    const roots: Root[] = [];
    const containers = ['header', 'main'].map((app) => {
      const container = document.body.appendChild(document.createElement('div'));
      const r = createRoot(container);
      roots.push(r);
      act(() => r.render(<App app={app} />));
      return container;
    });
    const text = () => containers.map((c) => c.textContent).join(' | ');
    try {
      await later();
      // Ada accepts in the main app; the header's store hears it (its own storage is never written).
      act(() => void stores.main?.acceptAll());
      await later();
      expect(text()).toBe('header: decided analytics=true | main: decided analytics=true');
      // Both apps sign Grace in, who has nothing stored, as the header's copy of Ada's storage.
      act(() => signIns.forEach((signIn) => signIn('grace')));
      await later();
      expect(text()).toBe('header: ask analytics=false | main: ask analytics=false');
      expect(granted.filter((g) => g.endsWith('grace'))).toEqual([]);
      expect([...server.keys()]).toEqual(['ada']);
    } finally {
      act(() => roots.forEach((r) => r.unmount()));
    }
  });

  it("keeps a refusal the page's cookie banner told the app at its next render, the same learner's storage made anew", async () => {
    const app = learnerApp('opt-in', serverStorage());
    await later();
    act(() => void app.store()?.acceptAll()); // Ada grants in the app: kept in her server storage
    await later();
    // Later she withdraws in the page's banner, whose store keeps the choice in the cookie.
    act(() => void cookieBanner('opt-in').withdraw('analytics'));
    await later();
    expect(app.text()).toBe('decided analytics=false');
    app.render(); // any render of the app
    await later();
    expect(app.text()).toBe('decided analytics=false');
    expect(app.seen).toEqual(['ada: analytics=false', 'ada: analytics=true', 'ada: analytics=false']);
  });

  for (const mode of ['opt-out', 'opt-in'] as const)
    it(`${mode}: keeps a refusal the page's cookie banner told the app when the learner's storage, made anew at each render, holds nothing`, async () => {
      const app = learnerApp(mode, serverStorage());
      await later();
      act(() => void cookieBanner(mode).withdraw('analytics'));
      await later();
      app.render();
      await later();
      app.render();
      await later();
      expect(app.text()).toBe('decided analytics=false');
      expect(app.stores.size).toBe(1);
    });

  // What Bob is shown, and what the app's effects see for him: opt-out's default grant comes with the
  // new store, after the "no store yet" state, never Ada's acceptance in the commit of the sign-in.
  for (const [mode, shown, effects] of [
    ['opt-in', 'ask analytics=false', ['bob: analytics=false']],
    ['opt-out', 'ask analytics=true', ['bob: analytics=false', 'bob: analytics=true']],
  ] as const)
    it(`${mode}: asks a next learner with nothing stored, rather than giving them the acceptance the page's cookie banner told the previous learner's store`, async () => {
      const app = learnerApp(mode, serverStorage());
      await later();
      act(() => void cookieBanner(mode).acceptAll()); // Ada accepts all in the page's banner
      await later();
      expect(app.text()).toBe('decided analytics=true');
      app.signIn('bob'); // Bob has nothing stored: he is asked (with the mode's defaults meanwhile)
      await later();
      expect(app.text()).toBe(shown);
      expect(app.seen.filter((s) => s.startsWith('bob'))).toEqual(effects);
    });

  // Ada accepts all, or refuses only marketing (the rest granted), in the page's banner.
  for (const choice of ['acceptAll', 'refuse marketing'] as const)
    it(`opt-out, the app's storage throwing on read: a next learner gets none of what the page's cookie banner told (${choice})`, async () => {
      const app = learnerApp('opt-out', throwingStorage);
      await later();
      // Opt-out grants no default where storage throws on read: a refusal may be stored there unseen.
      expect(app.text()).toBe('ask analytics=false');
      const banner = cookieBanner('opt-out');
      act(() => {
        if (choice == 'acceptAll') banner.acceptAll();
        else banner.withdraw('marketing');
      });
      await later();
      expect(app.text()).toBe('decided analytics=true');
      app.signIn('bob');
      await later();
      expect(app.text()).toBe('ask analytics=false');
      expect(app.seen.filter((s) => s.startsWith('bob'))).toEqual(['bob: analytics=false']);
    });

  for (const mode of ['opt-in', 'opt-out'] as const)
    it(`${mode}: keeps a refusal the page's cookie banner told the app at its next render, when the learner's own storage holds an earlier choice the refusal does not narrow`, async () => {
      // Ada's cookie, from an earlier visit: she accepted all in the page's banner.
      const visit = createConsent({ policy: edxPolicy, mode, storage: 'memory' }).acceptAll();
      const earlier = { ...visit, decidedAt: new Date(Date.now() - 60_000).toISOString() };
      document.cookie = `optin=${encodeDecision(earlier, edxPolicy)}; Path=/`;
      const app = learnerApp(mode, serverStorage());
      await later();
      // In the app she grants analytics and refuses marketing: kept in her server storage.
      act(() => void app.store()?.decide({ purposes: { analytics: true, marketing: false } }));
      await later();
      expect(app.text()).toBe('decided analytics=true');
      // Then she withdraws analytics in the page's banner (which still shows her earlier acceptance).
      act(() => void cookieBanner(mode).withdraw('analytics'));
      await later();
      expect(app.text()).toBe('decided analytics=false');
      app.render(); // any render of the app: her storage made anew
      await later();
      expect(app.text()).toBe('decided analytics=false');
      expect(app.seen).toEqual(['ada: analytics=false', 'ada: analytics=true', 'ada: analytics=false']);
    });

  it("keeps a refusal the page's cookie banner told the app at its next render when the app's own storage is named kind 'cookie' too", async () => {
    const app = learnerApp('opt-out', serverStorage('cookie'));
    await later();
    act(() => void cookieBanner('opt-out').withdraw('analytics'));
    await later();
    expect(app.text()).toBe('decided analytics=false');
    app.render();
    await later();
    expect(app.text()).toBe('decided analytics=false');
  });

  it('keeps one store for a storage written inline (new functions at every render), undecided or decided, with an app that lifts the grants into its state', async () => {
    const jar = new Map<string, string>();
    const stores = new Set<ConsentStore>();
    let current = null as ConsentStore | null;
    let bump = () => {};
    function Probe() {
      const { store } = useConsent();
      current = store;
      if (store) stores.add(store);
      return null;
    }
    function Page() {
      const [, setRenders] = useState(0);
      const [, setGrants] = useState<unknown>(null);
      bump = () => setRenders((n) => n + 1);
      return (
        <ConsentProvider
          options={{
            policy: edxPolicy,
            storage: {
              kind: 'server-profile',
              read: () => [jar.get('choice') ?? ''],
              write: (value: string) => (jar.set('choice', value), true),
              clear: () => void jar.delete('choice'),
            },
          }}
        >
          <Probe />
          <Lift onGrants={setGrants} />
        </ConsentProvider>
      );
    }
    // The app keeps what is allowed in its own state: a render of the page at each new store.
    function Lift({ onGrants }: { onGrants: (grants: unknown) => void }) {
      const { store } = useConsent();
      useEffect(() => {
        if (store) onGrants(store.grants());
      }, [store, onGrants]);
      return null;
    }
    render(<Page />);
    await later();
    for (let i = 0; i < 3; i++) {
      act(() => bump());
      await later();
    }
    expect(stores.size).toBe(1); // undecided: the same store across the page's renders
    act(() => void current?.acceptAll());
    for (let i = 0; i < 3; i++) {
      act(() => bump());
      await later();
    }
    expect(stores.size).toBe(1);
    expect(current?.allows('analytics')).toBe(true);
  });

  it('shares only the store it is given: options given as well are a type error and ignored (no second store reads cookies or follows other tabs)', () => {
    let optionReads = 0;
    const storage = { kind: 'counted', read: () => (optionReads++, []), write: () => true, clear: () => {} };
    const given = store();
    // A team's shared options for its micro-frontends, spread next to the store it made.
    const shared = { options: { policy: edxPolicy, storage } };
    const seen = new Set<ConsentStore | null>();
    function Probe() {
      seen.add(useConsent().store);
      return null;
    }
    render(
      <>
        {/* @ts-expect-error -- a store or options, not both */}
        <ConsentProvider consent={given} options={{ policy: edxPolicy, storage }}>
          <Probe />
        </ConsentProvider>
        {/* @ts-expect-error -- the same through a spread */}
        <ConsentProvider consent={given} {...shared}>
          <Probe />
        </ConsentProvider>
      </>,
    );
    dispatchEvent(new Event('storage'));
    expect(optionReads).toBe(0);
    // The "no store yet" state of the first render (as on the server), then the store given, never another.
    expect([...seen]).toEqual([null, given]);
  });

  it('throws a coded error outside a provider', () => {
    function Lonely() {
      useConsent();
      return null;
    }
    expect(() => renderToString(<Lonely />)).toThrow(
      expect.objectContaining({ name: 'OptinReactError', code: 'missing_provider' }),
    );
  });

  it('throws missing_store at a provider given neither a store nor options, not missing_provider in its hooks', () => {
    function Inside() {
      useConsent();
      return null;
    }
    const notYet: ConsentStore | undefined = undefined; // e.g. a store an effect has not created yet
    for (const provider of [
      <ConsentProvider consent={notYet as unknown as ConsentStore}>
        <Inside />
      </ConsentProvider>,
      <ConsentProvider options={undefined as unknown as ConsentOptions}>
        <Inside />
      </ConsentProvider>,
    ])
      expect(() => renderToString(provider)).toThrow(
        expect.objectContaining({
          name: 'OptinReactError',
          code: 'missing_store',
          message: expect.stringContaining('pass `consent={store}`'),
        }),
      );
  });
});

/** A refusal of all made an hour ago, encoded once: the same bytes for whoever's storage holds it. */
function encodedRefusal() {
  const made = createConsent({ policy: edxPolicy, mode: 'opt-in', storage: 'memory' }).rejectAll();
  return encodeDecision({ ...made, decidedAt: new Date(Date.now() - 3_600_000).toISOString() }, edxPolicy);
}

/** What a store made on `storage` in `mode` shows, as statusProbe does (`ask analytics=true`). */
function freshText(mode: 'opt-in' | 'opt-out', storage: ConsentStorage) {
  const fresh = createConsent({ policy: edxPolicy, mode, storage });
  const text = `${fresh.needsPrompt ? 'ask' : 'decided'} analytics=${String(fresh.allows('analytics'))}`;
  fresh.dispose();
  return text;
}

// With `learner`, the provider keeps the store for the same learner and makes another learner's
// afresh from their storage, whatever the storages read: the cases the inference above cannot tell
// apart (README, Limits) hold both ways.
describe('<ConsentProvider learner>', () => {
  for (const strict of [false, true])
    for (const how of ["the page's cookie banner", 'the app, the storage refusing to keep it'] as const)
      it(`opt-in: gives a next learner none of an acceptance made in ${how} when both learners' storages read the same server default${strict ? ' (StrictMode)' : ''}`, async () => {
        // The LMS answers one org-wide default refusal for every learner who has not chosen.
        const orgDefault = encodedRefusal();
        const server = new Map<string, string>();
        const refuses = how.includes('refusing');
        const storageFor = (user: string): ConsentStorage => ({
          kind: 'server',
          read: () => [server.get(user) ?? orgDefault],
          write: (value) => !refuses && (server.set(user, value), true),
          clear: () => void server.delete(user),
        });
        const app = learnerApp('opt-in', storageFor, { learner: true, strict });
        await later();
        expect(app.text()).toBe('decided analytics=false');
        act(() => {
          if (refuses) app.store()?.acceptAll();
          else cookieBanner('opt-in').acceptAll();
        });
        await later();
        expect(app.text()).toBe('decided analytics=true');
        app.signIn('bob');
        await later();
        expect(app.text()).toBe(freshText('opt-in', storageFor('bob')));
        expect(app.text()).toBe('decided analytics=false');
        expect(app.seen.filter((s) => s.startsWith('bob'))).toEqual(['bob: analytics=false']);
        // Ada again: her store made afresh, from her storage, which never held the acceptance.
        app.signIn('ada');
        await later();
        expect(app.text()).toBe('decided analytics=false');
      });

  it("opt-out: asks a next learner with nothing stored rather than giving them the preferences the previous one saved in the page's cookie banner, and stores their own choice", async () => {
    const storageFor = serverStorage();
    const app = learnerApp('opt-out', storageFor, { learner: true });
    await later();
    // Ada saves preferences with marketing off: analytics explicitly granted.
    const choice = { purposes: { analytics: true, performance: true, functionality: true, marketing: false } };
    act(() => void cookieBanner('opt-out').decide(choice, 'preferences'));
    await later();
    const ada = app.store()?.decision?.consentId;
    expect(ada).toBeDefined();
    app.signIn('bob');
    await later();
    expect(app.text()).toBe(freshText('opt-out', storageFor('bob')));
    expect(app.text()).toBe('ask analytics=true');
    expect(app.store()?.decision).toBeNull();
    // Bob refuses performance: what is stored for him grants analytics by opt-out's default only,
    // which an opt-in page does not take for his consent.
    act(() => void app.store()?.withdraw('performance'));
    await later();
    const optIn = createConsent({ policy: edxPolicy, mode: 'opt-in', storage: storageFor('bob') });
    expect(optIn.allows('analytics')).toBe(false);
    expect(optIn.decision).toBeNull();
    optIn.dispose();
    expect(app.store()?.decision?.consentId).not.toBe(ada);
  });

  it("opt-out: asks a next learner with nothing stored rather than giving them the acceptance the previous one narrowed for one Member in the page's cookie banner", async () => {
    const app = learnerApp('opt-out', serverStorage(), { learner: true });
    await later();
    const banner = cookieBanner('opt-out');
    act(() => void banner.acceptAll());
    act(() => void banner.withdraw('analytics', 'MITx'));
    await later();
    expect(app.store()?.allows('analytics', 'MITx')).toBe(false);
    app.signIn('bob');
    await later();
    expect(app.text()).toBe('ask analytics=true');
    expect(app.store()?.allows('analytics', 'MITx')).toBe(true);
    expect(app.store()?.decision).toBeNull();
  });

  it("opt-out: gives a next learner none of opt-out's defaults when their storage throws on read (the backend went down after the previous learner's sign-in)", async () => {
    let down = false;
    const storageFor = (user: string): ConsentStorage => ({
      kind: 'server',
      read: () => {
        if (down) throw new Error(`no storage for ${user}`);
        return [];
      },
      write: () => !down,
      clear: () => {},
    });
    const app = learnerApp('opt-out', storageFor, { learner: true });
    await later();
    expect(app.text()).toBe('ask analytics=true');
    down = true;
    app.signIn('bob');
    await later();
    expect(app.text()).toBe(freshText('opt-out', storageFor('bob')));
    expect(app.text()).toBe('ask analytics=false');
    expect(app.seen.filter((s) => s.startsWith('bob'))).toEqual(['bob: analytics=false']);
  });

  for (const mode of ['opt-in', 'opt-out'] as const)
    it(`${mode}, the learner's storage throwing on read: keeps a refusal the page's cookie banner told the app at its next render`, async () => {
      const app = learnerApp(mode, throwingStorage, { learner: true });
      await later();
      act(() => void cookieBanner(mode).withdraw('analytics'));
      await later();
      expect(app.text()).toBe('decided analytics=false');
      app.render();
      await later();
      expect(app.text()).toBe('decided analytics=false');
      expect(app.stores.size).toBe(1);
    });

  // With the case above where both learners' storages read the same value: no rule over what
  // storages read keeps this refusal and gives the next learner none of that acceptance.
  for (const mode of ['opt-in', 'opt-out'] as const)
    it(`${mode}: keeps a refusal the page's cookie banner told the app at its next render, when the learner's own storage holds an earlier choice`, async () => {
      const visit = createConsent({ policy: edxPolicy, mode, storage: 'memory' }).acceptAll();
      const earlier = { ...visit, decidedAt: new Date(Date.now() - 60_000).toISOString() };
      document.cookie = `optin=${encodeDecision(earlier, edxPolicy)}; Path=/`;
      const app = learnerApp(mode, serverStorage(), { learner: true });
      await later();
      act(() => void app.store()?.decide({ purposes: { analytics: true, marketing: false } }));
      await later();
      act(() => void cookieBanner(mode).withdraw('analytics'));
      await later();
      expect(app.text()).toBe('decided analytics=false');
      app.render();
      await later();
      expect(app.text()).toBe('decided analytics=false');
      expect(app.seen).toEqual(['ada: analytics=false', 'ada: analytics=true', 'ada: analytics=false']);
    });

  for (const mode of ['opt-out', 'opt-in'] as const)
    it(`${mode}: keeps a refusal the page's cookie banner told the app at its next render, the learner's storage holding nothing`, async () => {
      const app = learnerApp(mode, serverStorage(), { learner: true });
      await later();
      act(() => void cookieBanner(mode).withdraw('analytics'));
      await later();
      app.render();
      await later();
      expect(app.text()).toBe('decided analytics=false');
      expect(app.stores.size).toBe(1);
    });

  for (const [mode, shown, effects] of [
    ['opt-in', 'ask analytics=false', ['bob: analytics=false']],
    ['opt-out', 'ask analytics=true', ['bob: analytics=false', 'bob: analytics=true']],
  ] as const)
    for (const storageFor of [serverStorage(), throwingStorage])
      it(`${mode}: asks a next learner (storage ${storageFor === throwingStorage ? 'throwing' : 'empty'}) rather than giving them the acceptance the page's cookie banner told the previous learner's store`, async () => {
        const app = learnerApp(mode, storageFor, { learner: true });
        await later();
        act(() => void cookieBanner(mode).acceptAll());
        await later();
        expect(app.text()).toBe('decided analytics=true');
        app.signIn('bob');
        await later();
        expect(app.text()).toBe(freshText(mode, storageFor('bob')));
        if (storageFor !== throwingStorage) {
          expect(app.text()).toBe(shown);
          expect(app.seen.filter((s) => s.startsWith('bob'))).toEqual(effects);
        } else expect(app.seen.filter((s) => s.startsWith('bob'))).toEqual(['bob: analytics=false']);
      });

  for (const kept of [false, true])
    it(`gives every learner a store of their own, even when their storages read alike (nothing stored)${kept ? ', with one options object a learner' : ''}`, async () => {
      const probe = statusProbe();
      const { jars, Page, signIn } = signInPage(() => <probe.Probe />, { kept, learner: true });
      const container = render(<Page />);
      await later();
      act(() => signIn('grace'));
      await later();
      act(() => void probe.current()?.acceptAll());
      expect(container.textContent).toBe('decided analytics=true');
      for (const user of ['bob', 'ada']) {
        act(() => signIn(user));
        await later();
        expect(container.textContent).toBe('ask analytics=false');
      }
      act(() => signIn('grace'));
      await later();
      expect(container.textContent).toBe('decided analytics=true');
      expect([...jars.keys()]).toEqual(['grace']);
      expect(probe.stores.size).toBe(5); // Ada's, Grace's, Bob's, Ada's again, Grace's again
    });

  it("gives the next learner none of a choice the previous learner's storage refused (held in memory), and keeps it for that learner", async () => {
    const probe = statusProbe();
    const { Page, signIn } = signInPage(() => <probe.Probe />, { readOnly: 'ada', learner: true });
    const container = render(<Page />);
    await later();
    act(() => void probe.current()?.acceptAll());
    act(() => signIn('ada')); // the same learner again: her store stays
    await later();
    expect(container.textContent).toBe('decided analytics=true');
    act(() => signIn('grace'));
    await later();
    expect(container.textContent).toBe('ask analytics=false');
  });

  it("makes another learner's store even when the app gives one options object, its storage reading whoever is signed in", async () => {
    // One storage object for the page, reading the server for the learner signed in now: no read tells
    // one learner's from another's, as nothing of the options changes.
    const server = new Map<string, string>();
    let user = 'ada';
    const options: ConsentOptions = {
      policy: edxPolicy,
      storage: {
        kind: 'server',
        read: () => (server.has(user) ? [server.get(user)!] : []),
        write: (value) => (server.set(user, value), true),
        clear: () => void server.delete(user),
      },
    };
    const probe = statusProbe();
    let signIn: (next: string) => void = () => {};
    function Page() {
      const [signedIn, setSignedIn] = useState('ada');
      signIn = (next) => ((user = next), setSignedIn(next));
      return (
        <ConsentProvider options={options} learner={signedIn}>
          <probe.Probe />
        </ConsentProvider>
      );
    }
    const container = render(<Page />);
    await later();
    // Ada accepts in the page's banner, whose cookie Bob's storage never holds.
    act(() => void cookieBanner('opt-in').acceptAll());
    await later();
    expect(container.textContent).toBe('decided analytics=true');
    act(() => signIn('bob'));
    await later();
    expect(container.textContent).toBe('ask analytics=false');
    expect(server.size).toBe(0);
  });

  for (const next of ['carol', undefined])
    it(`gives ${next ?? 'a signed-out page'} none of the first learner's grants when the app gives one options object and the second learner's store waits in a suspended transition`, async () => {
      // One storage object for the page, reading the server for the learner signed in now.
      const server = new Map<string, string>();
      let user: string | undefined = 'ada';
      const options: ConsentOptions = {
        policy: edxPolicy,
        storage: {
          kind: 'server',
          read: () => (user && server.has(user) ? [server.get(user)!] : []),
          write: (value) => (user ? (server.set(user, value), true) : false),
          clear: () => {
            if (user) server.delete(user);
          },
        },
      };
      // Bob's page renders a code-split chunk still on its way: the transition that gives his store waits.
      let arrive = () => {};
      const chunk = new Promise<{ default: () => null }>(
        (resolve) => (arrive = () => resolve({ default: () => null })),
      );
      const Chunk = lazy(() => chunk);
      const seen: string[] = [];
      let current = null as ConsentStore | null;
      function Child({ who }: { who: string | undefined }) {
        current = useConsent().store;
        const analytics = useAllowed('analytics');
        useEffect(() => void seen.push(`${who}: analytics=${String(analytics)}`), [who, analytics]);
        return current && who === 'bob' ? <Chunk /> : null;
      }
      let signIn: (next: string | undefined) => void = () => {};
      function Page() {
        const [signedIn, setSignedIn] = useState<string | undefined>('ada');
        signIn = (next) => ((user = next), setSignedIn(next));
        return (
          <ConsentProvider options={options} learner={signedIn}>
            <Suspense fallback={null}>
              <Child who={signedIn} />
            </Suspense>
          </ConsentProvider>
        );
      }
      render(<Page />);
      await later();
      const ada = current;
      act(() => void ada?.acceptAll());
      await later();
      act(() => signIn('bob'));
      await later();
      act(() => signIn(next));
      await later();
      arrive();
      await later();
      expect(seen.filter((s) => !/^(ada|bob):/.test(s))).toEqual([`${next}: analytics=false`]);
      expect(current).not.toBe(ada);
    });

  for (const learner of [true, false])
    it(`writes nothing of the previous learner's store in the next learner's storage, even when code outside React decides on it in the commit of the sign-in${learner ? '' : ' (no learner given)'}`, async () => {
      const probe = statusProbe();
      const jars = new Map<string, string>();
      let ada: ConsentStore | null = null;
      // Code that holds Ada's store outside the provider's children (a hub made with it) and changes her
      // choice as the page signs Bob in, before anything tells it of his store.
      const { Page, signIn } = signInPage(() => <probe.Probe />, {
        learner,
        storageFor: serverStorage('server', jars),
        outside: (user) => {
          if (user === 'bob') ada?.withdraw('marketing');
        },
      });
      const container = render(<Page />);
      await later();
      act(() => void (ada = probe.current())?.acceptAll());
      act(() => signIn('bob'));
      await later();
      expect(container.textContent).toBe('ask analytics=false');
      expect([...jars.keys()]).toEqual(['ada']);
    });

  it('replaces the store when the learner signs out (no learner), and for options changed by content', async () => {
    const probe = statusProbe();
    let set: (next: { user?: string; mode: 'opt-in' | 'opt-out' }) => void = () => {};
    const storageFor = serverStorage();
    function Page() {
      const [{ user, mode }, setState] = useState<{ user?: string; mode: 'opt-in' | 'opt-out' }>({
        user: 'ada',
        mode: 'opt-in',
      });
      set = setState;
      return (
        <ConsentProvider options={{ policy: edxPolicy, mode, storage: storageFor(user ?? 'anonymous') }} learner={user}>
          <probe.Probe />
        </ConsentProvider>
      );
    }
    const container = render(<Page />);
    await later();
    act(() => void cookieBanner('opt-in').acceptAll());
    await later();
    expect(container.textContent).toBe('decided analytics=true');
    act(() => set({ mode: 'opt-in' })); // signed out
    await later();
    expect(container.textContent).toBe('ask analytics=false');
    act(() => set({ user: 'ada', mode: 'opt-in' }));
    await later();
    expect(container.textContent).toBe('ask analytics=false'); // the banner's choice was never stored in hers
    act(() => void probe.current()?.acceptAll());
    act(() => set({ user: 'ada', mode: 'opt-out' })); // the region hint: her choice read for it
    await later();
    expect(container.textContent).toBe('decided analytics=true');
    expect(probe.stores.size).toBe(4);
  });
});

describe('useAllowed and useTracker', () => {
  it("follow purposes and a Member's own refusals, as the hub loads trackers", () => {
    const consent = store();
    const results: Record<string, boolean>[] = [];
    function Probe() {
      results.push({
        analytics: useAllowed('analytics'),
        harvardMarketing: useAllowed('marketing', 'HarvardX'),
        platformTracker: useTracker({ owner: 'platform', purposes: ['analytics', 'marketing'] }),
        harvardTracker: useTracker({ owner: 'HarvardX', purposes: ['analytics', 'marketing'] }),
        noPurpose: useTracker({ owner: 'platform', purposes: [] }),
        predicate: useTracker((c: ConsentState) => !c.needsPrompt && c.grants.purposes.functionality === true),
      });
      return null;
    }
    render(
      // A HarvardX course page: HarvardX's trackers are in scope.
      <ConsentProvider consent={consent} member="HarvardX">
        <Probe />
      </ConsentProvider>,
    );
    expect(results.at(-1)).toEqual({
      analytics: false,
      harvardMarketing: false,
      platformTracker: false,
      harvardTracker: false,
      noPurpose: false,
      predicate: false,
    });
    act(() => {
      consent.acceptAll();
      consent.decide({ members: { HarvardX: { marketing: false } } });
    });
    expect(results.at(-1)).toEqual({
      analytics: true,
      harvardMarketing: false,
      platformTracker: true,
      harvardTracker: false,
      noPurpose: false, // a tracker declaring no purpose never runs, as the hub never loads it
      predicate: true,
    });
  });
});

describe('<ConsentBanner/>', () => {
  it('mounts <optin-banner> on document.body for the store, and removes it on unmount', async () => {
    const consent = store();
    const ref = createRef<OptinBannerElement>();
    render(
      <ConsentProvider consent={consent}>
        <div style={{ transform: 'scale(1)' }}>
          <ConsentBanner ref={ref} policyUrl="https://www.edx.org/cookie-policy" />
        </div>
      </ConsentProvider>,
    );
    const banner = document.querySelector('optin-banner');
    expect(banner?.parentElement).toBe(document.body);
    await banner?.ready;
    expect(banner?.layer).toBe('notice');
    expect(banner?.policyUrl).toBe('https://www.edx.org/cookie-policy');
    expect(ref.current).toBe(banner);
    act(() => void consent.rejectAll());
    await ref.current?.open('preferences');
    expect(banner?.layer).toBe('preferences');
    unmount();
    expect(document.querySelector('optin-banner')).toBe(null);
    expect(ref.current).toBe(null);
  });

  it('shows no notice when shown again (Activity) to a learner who decided in another tab while it was hidden', async ({
    skip,
  }) => {
    skip(!withActivity, noActivity);
    const options = sharedJarOptions();
    const at = (mode: 'visible' | 'hidden') => (
      <Activity mode={mode}>
        <ConsentProvider options={options}>
          <ConsentBanner />
        </ConsentProvider>
      </Activity>
    );
    // As in the browser: React commits on its own schedule, and the page is looked at in between.
    globalThis.IS_REACT_ACT_ENVIRONMENT = false;
    try {
      const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      const root = mount();
      root.render(at('visible'));
      await wait(50);
      const first = document.querySelector('optin-banner');
      await first?.ready;
      expect(first?.layer).toBe('notice');
      root.render(at('hidden'));
      await wait(30); // hidden long enough for the provider's store to be disposed
      createConsent(options).acceptAll(); // in another tab
      const layers = new Set<string | null>();
      root.render(at('visible'));
      for (let tick = 0; tick < 50; tick++) {
        await (tick % 5 === 0 ? wait(0) : Promise.resolve());
        for (const banner of document.querySelectorAll('optin-banner')) layers.add(banner.layer);
      }
      expect([...layers]).not.toContain('notice');
    } finally {
      globalThis.IS_REACT_ACT_ENVIRONMENT = true;
    }
  });

  it('two micro-frontends, each with its provider and banner (under StrictMode), show one banner; when the first unmounts the other takes over', async () => {
    const consent = store();
    const frontends = [0, 1].map(() => {
      const mfe = createRoot(document.body.appendChild(document.createElement('div')));
      act(() =>
        mfe.render(
          <StrictMode>
            <ConsentProvider consent={consent}>
              <ConsentBanner />
            </ConsentProvider>
          </StrictMode>,
        ),
      );
      return mfe;
    });
    await new Promise((resolve) => setTimeout(resolve));
    const banners = [...document.querySelectorAll('optin-banner')];
    const dialogs = () =>
      [...document.querySelectorAll('optin-banner')].filter((b) => b.shadowRoot?.querySelector('[role=dialog]'));
    expect(banners).toHaveLength(2);
    expect(banners.map((b) => b.layer)).toEqual(['notice', null]);
    expect(dialogs()).toEqual([banners[0]]);
    act(() => frontends[0]?.unmount());
    await new Promise((resolve) => setTimeout(resolve));
    expect(document.querySelectorAll('optin-banner')).toHaveLength(1);
    expect(banners[1]?.layer).toBe('notice');
    expect(dialogs()).toEqual([banners[1]]);
    act(() => frontends[1]?.unmount());
  });

  it("keeps the learner's unsaved switches and focus when the page re-renders with inline props (new objects, same content)", async () => {
    const consent = store();
    consent.rejectAll();
    let rename: (name: string) => void = () => {};
    let rerender = () => {};
    function Page() {
      const [name, setName] = useState('Harvard University');
      const [, setRenders] = useState(0);
      rename = setName;
      rerender = () => setRenders((n) => n + 1);
      return (
        <ConsentBanner
          declaration={{
            trackers: [
              {
                id: 'HarvardX/ga4',
                owner: 'HarvardX',
                ownerName: name,
                purposes: ['analytics'],
                vendor: { name: 'Google Analytics 4', privacyUrl: 'https://policies.google.com/privacy' },
              },
            ],
          }}
          member={{ id: 'HarvardX', name }}
          messages={{ save: 'Save my choices' }}
          locales={{ ...locales }}
        />
      );
    }
    render(
      <ConsentProvider consent={consent}>
        <Page />
      </ConsentProvider>,
    );
    const banner = document.querySelector('optin-banner')!;
    await banner.open('preferences');
    const analytics = () => banner.shadowRoot!.querySelector<HTMLInputElement>('input:not(:disabled)')!;
    analytics().click(); // turned on, not saved yet
    analytics().focus();
    act(() => rerender()); // the page re-renders for a reason of its own
    await banner.ready;
    expect(analytics().checked).toBe(true);
    expect(banner.shadowRoot!.activeElement).toBe(analytics());
    expect(consent.allows('analytics')).toBe(false);

    // A prop whose content changes still applies at once.
    act(() => rename('HarvardX'));
    await banner.ready;
    expect(banner.member).toEqual({ id: 'HarvardX', name: 'HarvardX' });
    expect([...banner.shadowRoot!.querySelectorAll('legend')].at(-1)?.textContent).toBe('On HarvardX courses');
  });

  it('keeps open preferences as they are when the page re-renders with locales written inline (a loader of its own)', async () => {
    const consent = store();
    consent.rejectAll();
    let rerender = () => {};
    let reword = () => {};
    function Page() {
      const [, setRenders] = useState(0);
      const [formal, setFormal] = useState(false);
      rerender = () => setRenders((n) => n + 1);
      reword = () => setFormal(true);
      // As a page writes it: a new map and a new loader function at every render.
      return (
        <ConsentBanner
          locales={{
            ...locales,
            de: formal
              ? () => Promise.resolve({ messages: { acceptAll: 'Allem zustimmen' } })
              : () => Promise.resolve({ messages: { acceptAll: 'Alle akzeptieren' } }),
          }}
          member={{ id: 'HarvardX', name: 'Harvard University' }}
        />
      );
    }
    render(
      <ConsentProvider consent={consent}>
        <Page />
      </ConsentProvider>,
    );
    const banner = document.querySelector('optin-banner')!;
    await banner.open('preferences');
    const analytics = () => banner.shadowRoot!.querySelector<HTMLInputElement>('input:not(:disabled)')!;
    const drawn = analytics();
    analytics().click(); // turned on, not saved yet
    analytics().focus();
    for (let i = 0; i < 3; i++) {
      act(() => rerender()); // a video's progress, say
      await banner.ready;
    }
    expect(analytics()).toBe(drawn); // not even redrawn
    expect(analytics().checked).toBe(true);
    expect(banner.shadowRoot!.activeElement).toBe(analytics());
    expect(banner.layer).toBe('preferences');
    expect(consent.allows('analytics')).toBe(false);

    // A loader of another text is another loader: set on the banner, which keeps the learner's
    // unsaved switches and focus as it starts again with it.
    const before = banner.locales;
    act(() => reword());
    await banner.ready;
    expect(banner.locales).not.toBe(before);
    expect(String(banner.locales.de)).toContain('Allem zustimmen');
    expect(analytics().checked).toBe(true);
    expect(banner.shadowRoot!.activeElement).toBe(analytics());
    expect(banner.layer).toBe('preferences');
  });

  it('keeps one banner while the page re-renders with new props (inline ref, new objects): open preferences stay open', async () => {
    const consent = store();
    const refs: (OptinBannerElement | null)[] = [];
    function Page() {
      const { allows } = useConsent(); // the page re-renders on every change
      return (
        <ConsentBanner
          ref={(el) => void refs.push(el)}
          declaration={{ trackers: [] }}
          policyUrl={allows('analytics') ? 'https://www.edx.org/a' : 'https://www.edx.org/b'}
        />
      );
    }
    render(
      <ConsentProvider consent={consent}>
        <Page />
      </ConsentProvider>,
    );
    const banner = document.querySelector('optin-banner')!;
    await banner.ready;
    act(() => void consent.rejectAll());
    await banner.open('preferences');
    act(() => void consent.decide({ purposes: { analytics: true } }));
    await banner.ready;
    expect(document.querySelectorAll('optin-banner')).toHaveLength(1);
    expect(document.querySelector('optin-banner')).toBe(banner);
    expect(banner.isConnected).toBe(true);
    expect(banner.layer).toBe('preferences');
    expect(banner.policyUrl).toBe('https://www.edx.org/a');
    expect(refs.filter((el) => el && el !== banner)).toEqual([]);
    expect(refs.at(-1)).toBe(banner);
  });

  it('hands an inline callback ref the element only once it exists and runs the clean-up it returns, as React 19 does for a DOM element (on React 18 too)', () => {
    const consent = store();
    const calls: string[] = [];
    const keys = { banner: 0, div: 0 };
    // A React 19 callback ref, written inline: it listens, and returns the clean-up that stops.
    const listen = (name: 'banner' | 'div') => (el: HTMLElement | null) => {
      calls.push(`${name} ${el ? 'element' : 'null'}`);
      const onKey = () => {
        keys[name]++;
      };
      el?.addEventListener('keydown', onKey);
      return () => {
        calls.push(el?.isConnected ? `${name} clean-up` : `${name} clean-up of a removed element`);
        el?.removeEventListener('keydown', onKey);
      };
    };
    let rerender = () => {};
    function Page() {
      const [n, setN] = useState(0);
      rerender = () => setN((x) => x + 1);
      return (
        <>
          <ConsentBanner ref={listen('banner')} policyUrl="https://www.edx.org/cookie-policy" />
          <div data-n={n} ref={listen('div')} />
        </>
      );
    }
    render(
      <ConsentProvider consent={consent}>
        <Page />
      </ConsentProvider>,
    );
    for (let i = 0; i < 3; i++) act(() => rerender());
    const banner = document.querySelector('optin-banner')!;
    const div = document.querySelector('div[data-n]')!;
    const press = () => {
      for (const el of [banner, div]) el.dispatchEvent(new KeyboardEvent('keydown', { key: 'x' }));
    };
    press();
    expect(keys.banner).toBe(1); // one listener: every earlier one was cleaned up
    unmount();
    press();
    expect(keys.banner).toBe(1); // none left after unmount
    expect(calls).not.toContain('banner null');
    expect(calls).not.toContain('banner clean-up of a removed element'); // cleaned up while still in the page
    const count = (call: string) => calls.filter((c) => c === call).length;
    expect(count('banner element')).toBe(4); // the first render's ref and the three re-renders'
    expect(count('banner clean-up')).toBe(4);
    // Exactly what React 19 does for the <div>. React 18 calls a DOM element's ref with null and ignores
    // the clean-up it returns (its <div> piles up listeners); the banner runs it there as well.
    const of = (name: string) => calls.filter((c) => c.startsWith(name)).map((c) => c.slice(name.length));
    if (domRefCleanups) {
      expect(keys.div).toBe(1);
      expect(of('div')).toEqual(of('banner'));
    }
  });

  it('calls a callback ref that returns no clean-up with the element once it exists, and with null only when it goes', () => {
    const consent = store();
    const calls: (string | null)[] = [];
    const ref = (el: OptinBannerElement | null) => void calls.push(el && el.localName);
    let rerender = () => {};
    function Page() {
      const [n, setN] = useState(0);
      rerender = () => setN((x) => x + 1);
      return <ConsentBanner ref={ref} policyUrl={`https://www.edx.org/p${String(n)}`} />;
    }
    render(
      <ConsentProvider consent={consent}>
        <Page />
      </ConsentProvider>,
    );
    for (let i = 0; i < 3; i++) act(() => rerender());
    expect(calls).toEqual(['optin-banner']);
    unmount();
    expect(calls).toEqual(['optin-banner', null]);
  });
});
