import { encodeDecision, decodeDecision } from './cookie-codec.js';
import type { Decision, DecisionSource, Grants, MemberChoices } from './decision.js';
import { ConsentError } from './errors.js';
import { madeHere, type MadeHereHolder } from './made-here.js';
import { own } from './own.js';
import { isGpc, isRequired, policyHash, type Policy } from './policy.js';
import { privacySignal, type PrivacySignal, type SignalOptions } from './signals.js';
import { cookieStorage, localStorageStorage, type ConsentStorage } from './storage.js';

/**
 * Where decisions are kept: `auto` (a cookie, else localStorage, else memory), one built-in kind
 * (falling back to memory), `memory` only, or your own storage (falling back to memory).
 */
export type StorageOption = 'auto' | 'cookie' | 'localStorage' | 'memory' | ConsentStorage;

/** Options of {@link createConsent}. */
export interface ConsentOptions {
  /** The policy whose purposes are decided (e.g. `edxPolicy`). */
  policy: Policy;
  /**
   * `opt-in` (default): nothing but required purposes until a choice. `opt-out`: granted until refused,
   * except where every storage throws on read (a sandboxed frame): a refusal may be stored there
   * unseen, so nothing but required purposes until a choice is made in the document.
   */
  mode?: 'opt-in' | 'opt-out';
  /** Where the decision is kept. Default `auto`. */
  storage?: StorageOption;
  /** Cookie (and localStorage key) name. Default `optin`. */
  cookieName?: string;
  /** Registrable domain, in lowercase (e.g. `edx.org`), so that `www.`, `courses.` and `learning.` share one choice. */
  cookieDomain?: string;
  /** Days a decision lasts before the learner is asked again: at most 395 (13 months), the default. */
  maxAgeDays?: number;
  /** Privacy signals to honour (GPC always is), and those a server passes on from the request. */
  signals?: SignalOptions;
}

/** A choice: purposes (and optionally Member overrides) to set; the rest keep their current value. */
export interface ConsentChoice {
  /** Purposes to grant (`true`) or refuse (`false`). */
  purposes?: Readonly<Record<string, boolean>>;
  /** Member overrides to set, e.g. `{ HarvardX: { marketing: false } }`. They only ever narrow. */
  members?: MemberChoices;
}

/** The consent store: what is allowed now, and the ways to change it. */
export interface ConsentStore {
  /** The policy in force. */
  readonly policy: Policy;
  /** The jurisdiction mode in force. */
  readonly mode: 'opt-in' | 'opt-out';
  /**
   * The learner's decision in force, or `null` when there is none for this policy (or only one made
   * under an earlier version of it, or made under opt-out with implied grants while the mode is
   * opt-in: their refusals still count).
   */
  readonly decision: Decision | null;
  /** True while the learner has not decided under this policy (show the banner). */
  readonly needsPrompt: boolean;
  /** Where the decision is kept now: `cookie`, `localStorage`, `memory`, or a custom storage's kind. */
  readonly storageKind: string;
  /**
   * The privacy signal in force, which refuses the purposes marked `gpc`: `'gpc'` for Global Privacy
   * Control (from the browser, or `signals.gpc`), `'dnt'` for Do Not Track where honoured and GPC is
   * not sent, else `false` (test it for truth to know whether any signal is in force).
   */
  readonly privacySignal: PrivacySignal;
  /** Whether `purpose` is allowed now, for `memberId` when given (Member overrides only narrow). */
  allows(purpose: string, memberId?: string): boolean;
  /** The purposes (as allowed now) and Member overrides in force: the decision, or the mode's defaults. */
  grants(): Grants;
  /** Grants every purpose, except those GPC refuses while it is on (unless the learner explicitly granted them). */
  acceptAll(source?: DecisionSource): Decision;
  /** Refuses every purpose but the required ones. */
  rejectAll(source?: DecisionSource): Decision;
  /**
   * Sets the purposes and Member overrides given; others keep their value (as stored now: a newer
   * decision another tab stored, even one that did not tell this one, is what the others keep).
   * Source defaults to `api`. When that grants exactly what is in force already, the decision in
   * force is returned unchanged. `acceptAll`, `rejectAll` and `withdraw` build on the same.
   */
  decide(choice: ConsentChoice, source?: DecisionSource): Decision;
  /** Refuses one purpose, for everyone or for one Member. */
  withdraw(purpose: string, memberId?: string): Decision;
  /** Forgets the decision everywhere it is stored. */
  reset(): void;
  /**
   * Re-reads storage. In a page this happens by itself when another tab of the origin decides or
   * writes localStorage, when a cookie changes (where the browser reports it), and when the page is
   * shown or its window focused again; call it after changing storage yourself.
   */
  refresh(): void;
  /**
   * Calls `listener` whenever what is allowed (or `needsPrompt`) really changes. Returns an
   * unsubscribe. A listener that throws keeps neither the change nor the other listeners from going
   * on; its error goes to the page's error reporting (`reportError`: `window.onerror`), or the console
   * where there is none (a server).
   */
  subscribe(listener: (store: ConsentStore) => void): () => void;
  /**
   * Stops following other tabs and the page's other stores (their decisions, storage and cookie
   * changes): call it when the store is no longer used, e.g. when a provider unmounts. The decision stays stored and the store still
   * answers and decides, but changes made elsewhere no longer reach it (until it decides: a decision
   * builds on the newest one stored); the other tabs learn of its decisions from storage (their focus,
   * a cookie change), no longer by message. Its page stays fit for the back/forward cache.
   */
  dispose(): void;
}

/**
 * Creates the consent store for a page (or, with `storage: 'memory'`, for a server request).
 * Storage that is blocked or throws falls back to the next one, then to memory: it never throws
 * into the page (under opt-out, storage that throws on every read grants no default: see `mode`).
 * A decision (or reset) reaches the page's other stores at once, in the same task (whatever copy of
 * the package made them), and other tabs of the origin by BroadcastChannel. A stored value that does not parse is no decision, never a grant. Options out of
 * range throw a `ConsentError` (`invalid_option`) naming each one. Options, choices, a policy's
 * `required` and `gpc` flags and a decision's grants are read as own properties only: a polluted
 * `Object.prototype` (`?__proto__[marketing]=on` through a query parser) grants nothing, keeps no
 * refusal from applying, and throws nothing (`?__proto__[cookieStore]=x`). A Member id is any string,
 * `__proto__` included: its overrides are stored and honoured after a reload like any other's.
 *
 * @example
 * const consent = createConsent({ policy: edxPolicy, cookieDomain: 'edx.org' });
 * if (consent.needsPrompt) showBanner();
 * consent.decide({ purposes: { analytics: true } }, 'preferences');
 * consent.allows('analytics'); // true
 */
export function createConsent(options: ConsentOptions): ConsentStore {
  // Own options only: one inherited from a polluted Object.prototype (`mode: 'opt-out'`) is none.
  const {
    policy,
    mode = 'opt-in',
    storage = 'auto',
    cookieName = 'optin',
    cookieDomain,
    maxAgeDays = 395,
    signals,
  } = { __proto__: null, ...options } as ConsentOptions;
  const custom = typeof storage == 'object';
  const wrong = (
    [
      ['policy', 'a policy without purposes', Array.isArray((policy as Partial<Policy> | undefined)?.purposes)],
      ['mode', mode, /^opt-(in|out)$/.test(mode)],
      // A cookie name is an RFC 6265 token: anything else makes the cookie silently fail.
      ['cookieName', cookieName, /^[\w!#$%&'*+.^`|~-]+$/.test(cookieName)],
      // A host name (`edx.org`, `.edx.org`): a URL or a port makes the cookie silently fail, and
      // capitals (`EDX.org`) keep reset() and the clean-up of stale copies from matching the host.
      ['cookieDomain', cookieDomain, /^[a-z\d.-]*$/.test(cookieDomain ?? '')],
      [
        'storage',
        custom ? 'a storage without read/write/clear' : storage,
        custom
          ? (['read', 'write', 'clear'] as const).every(
              (m) => typeof (storage as Partial<ConsentStorage> | null)?.[m] == 'function',
            )
          : /^(auto|cookie|localStorage|memory)$/.test(storage),
      ],
      ['maxAgeDays', maxAgeDays, maxAgeDays > 0],
    ] as const
  ).filter(([, , ok]) => !ok);
  if (wrong.length)
    throw new ConsentError(
      'invalid_option',
      wrong.map(([path, value]) => ({ path, message: `${value} is not allowed` })),
      'See ConsentOptions: mode opt-in|opt-out, storage auto|cookie|localStorage|memory.',
    );
  const maxAge = Math.min(maxAgeDays, 395) * 864e5;
  const purposes = policy.purposes;
  const purposeOf = (id: string) => purposes.find((x) => x.id === id);
  const listeners = new Set<(store: ConsentStore) => void>();
  const chain: ConsentStorage[] = custom
    ? [storage]
    : [cookieStorage(cookieName, cookieDomain), localStorageStorage(cookieName)].filter((s) =>
        ['auto', s.kind].includes(storage),
      );
  const signal = privacySignal(signals);
  let kind = 'memory';
  // The newest decision stored, in force when it binds: one made under an earlier policy version, or
  // with grants implied by opt-out while the mode is opt-in, does not (only its refusals count).
  let held: Decision | null = null;
  // Whether a storage could be read (even when empty) in this document, or none is used (memory by
  // choice): one where each read threw (a sandboxed frame: document.cookie and localStorage throw)
  // may hold a refusal there, which must never be read as a grant.
  let seen: string[] | boolean = !chain[0];
  const decisionInForce = () => (held?.policy.hash && !(held.implied && mode == 'opt-in') ? held : null);
  let channel: BroadcastChannel | undefined;
  // Tells the page's other stores at once (a synchronous event on the window: every copy of the
  // package on the page hears it, in the same task), then the other tabs (the channel, a later task).
  let tell: ((data: [string, string]) => void) | undefined;
  const stop = new AbortController();

  const attempt = <T>(fn: () => T) => {
    try {
      return fn();
    } catch {
      return null;
    }
  };
  // Holds the decision and keeps it in the first storage that takes it, removing it from the others;
  // when none does, it lives in memory for the life of the page; and tells the other tabs of the
  // origin, unless `quiet` (nothing changed for them). One that cannot be encoded (a Member id with a
  // lone surrogate) throws before it is held: the store keeps working.
  const persist = (d: Decision, quiet?: 1) => {
    const value = encodeDecision(d, policy);
    held = d;
    kind = 'memory';
    for (const s of chain)
      if (kind == 'memory' && attempt(() => s.write(value, new Date(Date.parse(d.decidedAt) + maxAge)))) kind = s.kind;
      else attempt(() => s.clear());
    // Known as made in this page, by every copy of the package on it, before any store's listeners
    // hear it (its receipt is sent from here, not from the tabs that hear of it).
    if (!quiet) {
      (globalThis as MadeHereHolder)[madeHere]?.add(d);
      tell?.([value, kind]);
    }
  };
  // With `newer`, only a newer decision than the one held is taken (one stored by a tab that did not
  // tell this one); otherwise what storage holds is what counts (a forget elsewhere is followed).
  const read = (newer?: 1, now = Date.now()) => {
    // A choice held only in memory (every storage refused it) lasts for the life of the page.
    if (!newer && kind != 'memory') held = null;
    for (const s of chain)
      for (const value of attempt(() => (seen = s.read())) ?? []) {
        const found = decodeDecision(value, policy, true, now);
        // The newest wins; of two as new, one made under this policy version, or with `newer` the one
        // held. (Of two ISO times, `a + 1 > b` is `a >= b`.)
        if (
          found &&
          Date.parse(found.decidedAt) + maxAge > now &&
          !(held && held.decidedAt + (newer || !found.policy.hash ? '1' : '') > found.decidedAt)
        ) {
          // Found in storage (another tab's choice, say): it goes when that copy goes.
          held = found;
          kind = s.kind;
        }
      }
  };

  // Without a decision in force, the mode's default (opt-out's only where storage could be read),
  // narrowed by what a decision not in force refused.
  const allows = (purpose: string, memberId?: string) => {
    const p = purposeOf(purpose);
    const d = decisionInForce();
    return (
      !!p &&
      (isRequired(p) ||
        (!(signal && isGpc(p) && !(d && own(d, 'gpc'))) &&
          (d ? own(d.purposes, purpose) === true : mode == 'opt-out' && seen && held?.purposes[purpose] !== false) &&
          held?.members[memberId ?? '']?.[purpose] !== false))
    );
  };
  // Runs a change and tells the listeners when what is allowed, needsPrompt or the decision in force
  // (a new one, even granting the same) really changed, even when `fn` throws; returns what it returns.
  const change = <T>(fn: () => T): T => {
    // What is allowed follows from the decision held (the mode and the signal do not change): the
    // decision in force as its cookie (one value for one decision, whatever the order of its fields),
    // else what the one held refuses (not its date: one dated in the future is read as made 5 minutes
    // ago, a new time at every reading).
    const state = () =>
      JSON.stringify(decisionInForce() ? encodeDecision(held as Decision, policy) : [held?.purposes, held?.members]);
    const before = state();
    try {
      return fn();
    } finally {
      // A listener's error reaches the page's error reporting (window.onerror, the console) without
      // keeping the other listeners from hearing.
      if (state() != before)
        for (const listener of [...listeners])
          try {
            listener(store);
          } catch (error) {
            // `reportError` where the global has its own (a browser: `window.onerror`, error trackers), the
            // console elsewhere (a server: never an uncaught exception that stops the process). One inherited
            // from a polluted Object.prototype (not a function, or one that throws) is none: the caller
            // never gets an error and the next listeners still hear.
            try {
              (own(globalThis, 'reportError') as typeof reportError)(error);
            } catch {
              console.error(error);
            }
          }
    }
  };

  // A choice is an object of known purposes, each exactly true or false: `'false'` is no refusal
  // to guess at, and never a grant.
  const fail = (path: string, message: string): never => {
    throw new ConsentError(
      'invalid_choice',
      [{ path, message }],
      `Choose among ${purposes
        .filter((x) => !isRequired(x))
        .map((x) => x.id)
        .join(', ')}, each true or false.`,
    );
  };
  const check = (choices: unknown, at: string) => {
    for (const [id, granted] of Object.entries(choices ?? fail(at, 'must be an object'))) {
      const p = purposeOf(id);
      if (!p || granted !== !!granted || (!granted && isRequired(p)))
        fail(
          `${at}.${id}`,
          !p
            ? `is not a purpose of policy ${policy.id}`
            : granted === false
              ? 'is required: always on'
              : 'must be true or false',
        );
    }
    return choices as Readonly<Record<string, boolean>>;
  };

  // Decides `choice`, or with `true`/`false` "accept all"/"reject all" (under GPC, "accept all" grants
  // what GPC refuses only where the learner already granted it explicitly). A change of mind builds
  // on the newest decision stored, not on an older one held since: a tab of another subdomain shares
  // the cookie but tells nothing where the browser has no cookieStore. Listeners hear once.
  const decide = (choice: ConsentChoice | boolean, source: DecisionSource = 'api') =>
    change(() => {
      read(1);
      if (choice === !!choice)
        choice = {
          purposes: Object.fromEntries(
            purposes.map((p) => [
              p.id,
              isRequired(p) || ((choice as boolean) && (!(signal && isGpc(p)) || allows(p.id))),
            ]),
          ),
        };
      // Own fields only: a `purposes` inherited from a polluted Object.prototype is no choice.
      const { purposes: chosen = {}, members: memberChoices } = {
        __proto__: null,
        ...((choice as ConsentChoice | null) ?? fail('choice', 'must be an object')),
      } as ConsentChoice;
      check(chosen, 'purposes');
      // Built without a prototype, a Member id `__proto__` is a key like any other: stored, and honoured
      // after a reload (set on a plain object, it set the object's prototype, which is never stored).
      // The decision gets a plain copy (`{ ...members }`): code reading it (`instanceof Object`,
      // `hasOwnProperty`) sees the object a cookie gives back.
      const members: Record<string, MemberChoices[string]> = { __proto__: null as never, ...held?.members };
      for (const [member, choices] of Object.entries(memberChoices ?? {}))
        members[member] = { ...members[member], ...check(choices, `members.${member}`) };
      const next: Decision = {
        consentId: held?.consentId ?? Date.now().toString(36) + Math.random().toString(36).slice(2),
        policy: { id: policy.id, version: policy.version, hash: policyHash(policy) },
        // A default or a signal never grants what GPC refuses; only the learner's explicit choice can.
        purposes: Object.fromEntries(
          purposes.map((p) => [
            p.id,
            isRequired(p) ||
              ((own(chosen, p.id) ?? allows(p.id)) && !(signal && isGpc(p) && /default|gpc/.test(source))),
          ]),
        ),
        members: { ...members },
        source,
        // Later than the decision it builds on, even in the same millisecond (acceptAll then
        // rejectAll, a listener's withdraw): the page's other stores and tabs take the newest.
        decidedAt: new Date(Math.max(Date.now(), Date.parse(held?.decidedAt as string) + 1 || 0)).toISOString(),
        ...(signal && { gpc: true }),
        // Under opt-out, a purpose the learner did not choose now keeps its default (or an earlier
        // implied) grant: the decision says so, and an opt-in page will not take it for consent.
        ...(mode == 'opt-out' &&
          (!decisionInForce() || held?.implied) &&
          purposes.some((p) => !isRequired(p) && own(chosen, p.id) == null && allows(p.id)) && {
            implied: true,
          }),
      };
      // Deciding what is already decided changes nothing: same cookie, same receipt, no notification.
      const same = (d: Decision | null) => JSON.stringify(d && [d.purposes, d.members, d.gpc, d.implied]);
      const current = decisionInForce();
      if (same(current) == same(next)) return current ?? next;
      persist(next);
      return next;
    });

  const refresh = () => change(read);
  const store: ConsentStore = {
    policy,
    mode,
    get decision() {
      return decisionInForce();
    },
    get needsPrompt() {
      return !decisionInForce();
    },
    get storageKind() {
      return kind;
    },
    privacySignal: signal,
    allows,
    grants: () => ({
      purposes: Object.fromEntries(purposes.map((p) => [p.id, allows(p.id)])),
      members: held?.members ?? {},
    }),
    decide,
    acceptAll: (source = 'banner') => decide(true, source),
    rejectAll: (source = 'banner') => decide(false, source),
    withdraw: (purpose, memberId) =>
      decide(
        memberId == null ? { purposes: { [purpose]: false } } : { members: { [memberId]: { [purpose]: false } } },
        'preferences',
      ),
    reset: () =>
      change(() => {
        for (const s of chain) attempt(() => s.clear());
        held = null;
        tell?.(['', kind]);
      }),
    refresh,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    // The channel closes too: left open, it would keep the page out of the back/forward cache each
    // time another tab decides. A decision made later still reaches the other tabs through storage,
    // and tells the page's other stores nothing (a replaced React provider's store, which code may
    // still hold, is the previous learner's: the next learner's store must not take it).
    dispose: () => (stop.abort(), channel?.close(), (tell = undefined)),
  };
  // Another tab may decide at any time. Re-read when one of this origin's says so or writes
  // localStorage, when a cookie changes (where the browser tells: cookieStore), and whenever the page
  // is shown or focused again (a cookie shared with other subdomains may have changed meanwhile).
  // Re-reading writes nothing, so tabs never wake each other in a loop. (Heard on the window as they are captured:
  // a page's listener that stops `visibilitychange` at the document, or a `<form name="addEventListener">` that
  // shadows the document's method, cannot keep the store from reading again; a focus inside the page reads too.)
  // (A document the global has as its own: on a server, one inherited from a polluted Object.prototype
  // is none, and the window's methods are not there.)
  if (own(globalThis, 'document')) {
    const off = { signal: stop.signal, capture: true };
    const type = '@' + cookieName; // no DOM event's name
    // A tab of this origin (or another store of the page) says what it stored (or '' when it forgot):
    // taken as said, since another process's cookie write may not be visible here yet, unless it is
    // not newer than the decision held (this tab decided meanwhile, or this is the same decision
    // again: the store's own, or one heard before). A value made under another policy is none.
    const hear = ({ data }: MessageEvent<[string, string]>) =>
      change(() => {
        const found = attempt(() => decodeDecision(data[0], policy, true));
        if (found && held && found.decidedAt <= held.decidedAt) return;
        held = found;
        kind = data[1];
      });
    addEventListener('storage', refresh, off);
    // Two windows side by side: the learner comes back to this one (before a click in it decides).
    addEventListener('focus', refresh, off);
    addEventListener('visibilitychange', refresh, off);
    // Where the browser has none (http, Firefox), the name reads through to Object.prototype, which a query
    // parser may have polluted (`?__proto__[cookieStore]=x`): that is no cookie store, and never throws into the page.
    attempt(() => cookieStore.addEventListener('change', refresh, off));
    // A store kept in memory only shares nothing: it neither tells nor hears other stores or tabs. The
    // channel opens last, once nothing can throw: a store that fails to construct leaves none open.
    if (chain[0]) {
      addEventListener(type, hear as EventListener, off);
      // (Its listener goes when dispose() closes it.)
      attempt(() => ((channel = new BroadcastChannel(cookieName)).onmessage = hear));
      tell = (data) => (channel?.postMessage(data), dispatchEvent(new MessageEvent(type, { data })));
    }
  }
  // Storing what was found again removes stale copies on other domains and moves it to the best store
  // (a decision that does not bind stays as it is: storing it would make it bind). Other tabs are not
  // told: nothing changed for them, and a message would evict this origin's pages from the browser's
  // back/forward cache (Chromium's `broadcastchannel-message`), so that Back would load them anew.
  read();
  const found = decisionInForce();
  if (found) persist(found, 1);
  return store;
}
