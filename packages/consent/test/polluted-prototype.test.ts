/**
 * A polluted `Object.prototype` (what `?__proto__[marketing]=on` does to a page whose query parser
 * merges into plain objects, or a JSON deep merge of `{"__proto__": {...}}`) never makes anything a
 * grant, nor keeps a refusal from applying: every choice, flag and option is read as an own property.
 * Each test pollutes the prototype by assignment, as such a parser does, and restores it before it
 * asserts anything.
 */
import { describe, expect, it, vi } from 'vitest';
import {
  createConsent,
  decodeDecision,
  definePolicy,
  edxPolicy,
  encodeDecision,
  fromCookieHeader,
  toGoogleConsentMode,
  toReceipt,
  type ConsentOptions,
  type ConsentStorage,
  type ConsentStore,
  type Decision,
} from '../src/index.js';

/** Runs `fn` with `pollution` set on Object.prototype (by assignment, as a query parser does), then restores it. */
function polluted<T>(pollution: Record<string, unknown>, fn: () => T): T {
  const proto = Object.prototype as Record<string, unknown>;
  for (const [key, value] of Object.entries(pollution)) proto[key] = value;
  try {
    return fn();
  } finally {
    for (const key of Object.keys(pollution)) Reflect.deleteProperty(proto, key);
  }
}

/** A storage kept in a plain array, shared by the stores given it (two page loads, say). */
function arrayStorage(): ConsentStorage {
  const values: string[] = [];
  return {
    kind: 'test',
    read: () => [...values],
    write: (value) => (values.splice(0, values.length, value), true),
    clear: () => void values.splice(0),
  };
}

const allowed = (store: ConsentStore) => edxPolicy.purposes.map((p) => p.id).filter((id) => store.allows(id));

describe('a polluted Object.prototype', () => {
  it('Object.prototype.marketing="on": saving other choices does not grant marketing (with GPC or not)', () => {
    for (const gpc of [false, true]) {
      const got = polluted({ marketing: 'on', analytics: true }, () => {
        const store = createConsent({ policy: edxPolicy, storage: 'memory', signals: { gpc } });
        const decision = store.decide({ purposes: { performance: true } }, 'banner');
        return [decision.purposes.marketing, decision.purposes.analytics, allowed(store)];
      });
      expect(got).toEqual([false, false, ['necessary', 'performance']]);
    }
  });

  it('Object.prototype.<purpose>=true under opt-out: the default grants a choice carries are marked implied, so an opt-in page asks again', () => {
    const storage = arrayStorage();
    const implied = polluted({ performance: true, functionality: true, marketing: true }, () => {
      const store = createConsent({ policy: edxPolicy, mode: 'opt-out', storage });
      return store.decide({ purposes: { analytics: false } }).implied;
    });
    expect(implied).toBe(true);
    const optIn = createConsent({ policy: edxPolicy, storage });
    expect([optIn.needsPrompt, allowed(optIn)]).toEqual([true, ['necessary']]);
  });

  it('Object.prototype.required: nothing but the required purpose is allowed, and Reject all and a withdrawal refuse', () => {
    const got = polluted({ required: true }, () => {
      const store = createConsent({ policy: edxPolicy, storage: 'memory' });
      const before = allowed(store);
      const rejected = store.rejectAll().purposes;
      store.acceptAll();
      let withdrew: string;
      try {
        store.withdraw('marketing');
        withdrew = allowed(store).join();
      } catch (error) {
        withdrew = String(error);
      }
      return [before, rejected, withdrew];
    });
    expect(got).toEqual([
      ['necessary'],
      { necessary: true, analytics: false, performance: false, functionality: false, marketing: false },
      'necessary,analytics,performance,functionality',
    ]);
  });

  it('Object.prototype.required: a stored refusal is read as a refusal', () => {
    const storage = arrayStorage();
    createConsent({ policy: edxPolicy, storage }).rejectAll();
    const got = polluted({ required: 'on' }, () => {
      const store = createConsent({ policy: edxPolicy, storage, mode: 'opt-out' });
      return [allowed(store), store.decision?.purposes.marketing];
    });
    expect(got).toEqual([['necessary'], false]);
  });

  it('Object.prototype.gpc: under GPC, a decision made without it does not keep marketing, nor is one stored marked as made under GPC', () => {
    const storage = arrayStorage();
    createConsent({ policy: edxPolicy, storage }).acceptAll();
    const [underGpc, value] = polluted({ gpc: true }, () => {
      const store = createConsent({ policy: edxPolicy, storage, signals: { gpc: true } });
      const granted = store.allows('marketing');
      // A decision made now, without GPC in force, stored while the prototype is polluted. (An
      // inherited `signals.gpc` would only add the signal: the decision would then refuse marketing.)
      createConsent({ policy: edxPolicy, storage, signals: { gpc: false } }).decide({ purposes: { analytics: false } });
      return [granted, storage.read()[0] ?? ''];
    });
    expect(underGpc).toBe(false);
    expect(decodeDecision(value, edxPolicy)?.gpc).toBeUndefined();
    expect(createConsent({ policy: edxPolicy, storage, signals: { gpc: true } }).allows('marketing')).toBe(false);
  });

  it('Object.prototype.purposes (a JSON merge): a choice of Member overrides grants no purpose', () => {
    const got = polluted({ purposes: { marketing: true, analytics: true } }, () => {
      const store = createConsent({ policy: edxPolicy, storage: 'memory' });
      store.rejectAll();
      store.decide({ members: { HarvardX: { functionality: false } } });
      return allowed(store);
    });
    expect(got).toEqual(['necessary']);
  });

  it('polluted options: mode, storage, cookieName and maxAgeDays never replace the defaults (a stored refusal still applies)', () => {
    // A refusal of marketing stored in localStorage under the default name, read on an opt-in page.
    const stored = new Map<string, string>();
    const localStorage = {
      getItem: (key: string) => stored.get(key) ?? null,
      setItem: (key: string, value: string) => void stored.set(key, value),
      removeItem: (key: string) => void stored.delete(key),
    };
    const page = globalThis as { localStorage?: unknown };
    page.localStorage = localStorage;
    try {
      createConsent({ policy: edxPolicy, storage: 'localStorage' }).decide({ purposes: { analytics: true } });
      const options: ConsentOptions = { policy: edxPolicy };
      const got = [
        { mode: 'opt-out' },
        { storage: 'memory' },
        { cookieName: 'other' },
        { maxAgeDays: 1e-9 },
        { mode: 'opt-out', storage: 'memory' },
      ].map((pollution) =>
        polluted(pollution, () => {
          const store = createConsent(options);
          return [store.mode, store.storageKind, allowed(store).join()].join(' ');
        }),
      );
      expect(got).toEqual(Array(5).fill('opt-in localStorage necessary,analytics'));
    } finally {
      delete page.localStorage;
    }
  });

  it('Object.prototype.marketing: the cookie value of a Member override does not record a choice never made', () => {
    const decision: Decision = {
      consentId: 'c1',
      policy: { id: 'edx', version: edxPolicy.version, hash: '' },
      purposes: { necessary: true, analytics: true, performance: false, functionality: false, marketing: false },
      members: { HarvardX: { analytics: false } },
      source: 'preferences',
      decidedAt: new Date().toISOString(),
    };
    const value = polluted({ marketing: true }, () => encodeDecision(decision, edxPolicy));
    expect(decodeDecision(value, edxPolicy)?.members).toEqual({ HarvardX: { analytics: false } });
  });

  it('Object.prototype.marketing: a policy without marketing grants no Google Consent Mode ad signal', () => {
    const policy = definePolicy({
      id: 'acme',
      version: '1',
      purposes: [{ id: 'analytics', label: 'Analytics', description: 'How the site is used.' }],
    });
    const got = polluted({ marketing: 'on' }, () => {
      const store = createConsent({ policy, storage: 'memory' });
      store.acceptAll();
      return toGoogleConsentMode(store.grants()).ad_storage;
    });
    expect(got).toBe('denied');
  });

  it('a server (fromCookieHeader) under Object.prototype.mode/gpc: implied grants are no consent, GPC still refuses marketing', () => {
    const storage = arrayStorage();
    const optOut = createConsent({ policy: edxPolicy, mode: 'opt-out', storage });
    optOut.decide({ purposes: { analytics: false } });
    const implied = `optin=${storage.read()[0] ?? ''}`;
    createConsent({ policy: edxPolicy, storage }).acceptAll();
    const accepted = `optin=${storage.read()[0] ?? ''}`;
    const got = polluted({ mode: 'opt-out', gpc: true }, () => [
      fromCookieHeader(implied, edxPolicy),
      fromCookieHeader(accepted, edxPolicy, { gpc: true })?.purposes.marketing,
      toReceipt(createConsent({ policy: edxPolicy, storage }).decision as Decision, 's').gpc,
    ]);
    expect(got).toEqual([null, false, false]);
  });

  it("Object.prototype.reportError (not a function, or one that throws): a listener's error goes to the console, every listener hears, deciding does not throw", () => {
    const console = vi.spyOn(globalThis.console, 'error').mockImplementation(() => undefined);
    try {
      const got = [
        'on',
        () => {
          throw new TypeError('not a reporter');
        },
      ].map((reportError) =>
        polluted({ reportError }, () => {
          const store = createConsent({ policy: edxPolicy, storage: 'memory' });
          const heard: string[] = [];
          store.subscribe(() => {
            throw new ReferenceError('gtag is not defined');
          });
          store.subscribe(() => heard.push('second'));
          let threw = '';
          try {
            store.acceptAll();
          } catch (error) {
            threw = String(error);
          }
          return [threw, heard.join(), store.allows('analytics')];
        }),
      );
      expect(got).toEqual(Array(2).fill(['', 'second', true]));
      expect(console.mock.calls).toEqual(Array(2).fill([new ReferenceError('gtag is not defined')]));
    } finally {
      console.mockRestore();
    }
  });

  it('Object.prototype.document on a server: createConsent works and leaves no BroadcastChannel open (which keeps Node running)', () => {
    const open = new Set<object>();
    vi.stubGlobal(
      'BroadcastChannel',
      class extends BroadcastChannel {
        constructor(name: string) {
          super(name);
          open.add(this);
        }
        override close() {
          open.delete(this);
          super.close();
        }
      },
    );
    try {
      const got = polluted({ document: {} }, () => {
        const store = createConsent({ policy: edxPolicy });
        store.acceptAll();
        return [store.storageKind, allowed(store).length];
      });
      expect(got).toEqual(['memory', 5]);
      expect(open.size).toBe(0);
      // A stand-in document without the window's event methods (a test setup's): whether or not the
      // store can follow other tabs there, no channel outlives a store that failed to construct.
      vi.stubGlobal('document', {});
      try {
        createConsent({ policy: edxPolicy }).dispose();
      } catch {
        // (what it throws is that environment's: no addEventListener)
      }
      expect(open.size).toBe(0);
    } finally {
      for (const channel of open) (channel as BroadcastChannel).close();
      vi.unstubAllGlobals();
    }
  });
});
