import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ConsentError,
  cookieHeaderStorage,
  createConsent,
  edxPolicy,
  encodeDecision,
  type ConsentStorage,
  type ConsentStore,
} from '../src/index.js';

/** A storage kept in a plain array, to see what the store writes. */
function arrayStorage(): ConsentStorage & { values: string[] } {
  const values: string[] = [];
  return {
    kind: 'test',
    values,
    read: () => [...values],
    write: (value) => (values.splice(0, values.length, value), true),
    clear: () => void values.splice(0),
  };
}

const nonRequired = ['analytics', 'performance', 'functionality', 'marketing'];
const allowed = (store: ConsentStore) => edxPolicy.purposes.map((p) => p.id).filter((id) => store.allows(id));

describe('createConsent in opt-in mode', () => {
  it('allows nothing but necessary until the learner decides, and asks', () => {
    const store = createConsent({ policy: edxPolicy, storage: 'memory' });
    expect(store.needsPrompt).toBe(true);
    expect(store.decision).toBeNull();
    expect(allowed(store)).toEqual(['necessary']);
    expect(store.allows('unknown-purpose')).toBe(false);
  });

  it('acceptAll, rejectAll, decide and withdraw change what is allowed', () => {
    const store = createConsent({ policy: edxPolicy, storage: 'memory', signals: { gpc: false } });
    store.acceptAll();
    expect(allowed(store)).toEqual(['necessary', ...nonRequired]);
    expect(store.decision?.source).toBe('banner');
    expect(store.needsPrompt).toBe(false);
    store.rejectAll();
    expect(allowed(store)).toEqual(['necessary']);
    store.decide({ purposes: { analytics: true, performance: true } }, 'preferences');
    expect(allowed(store)).toEqual(['necessary', 'analytics', 'performance']);
    store.decide({ purposes: { marketing: true } });
    expect(allowed(store)).toEqual(['necessary', 'analytics', 'performance', 'marketing']);
    expect(store.decision?.source).toBe('api');
    store.withdraw('analytics');
    expect(allowed(store)).toEqual(['necessary', 'performance', 'marketing']);
  });

  it('keeps one consentId across changes of mind and records the policy it was made under', () => {
    const store = createConsent({ policy: edxPolicy, storage: 'memory' });
    const first = store.acceptAll();
    const second = store.rejectAll();
    expect(second.consentId).toBe(first.consentId);
    expect(second.policy).toEqual({
      id: 'edx',
      version: edxPolicy.version,
      hash: expect.stringMatching(/^[0-9a-z]+$/),
    });
    expect(Date.parse(second.decidedAt)).toBeGreaterThanOrEqual(Date.parse(first.decidedAt));
  });

  it('rejects a choice naming an unknown purpose or refusing a required one, with its path, and keeps the decision', () => {
    const store = createConsent({ policy: edxPolicy, storage: 'memory' });
    const before = store.acceptAll();
    const error = (() => {
      try {
        store.decide({ members: { HarvardX: { ads: false } } });
      } catch (e) {
        return e as ConsentError;
      }
    })();
    expect(error).toBeInstanceOf(ConsentError);
    expect(error?.code).toBe('invalid_choice');
    expect(error?.issues[0]?.path).toBe('members.HarvardX.ads');
    expect(error?.message).toMatch(/Choose among analytics, performance, functionality, marketing/);
    expect(() => store.decide({ purposes: { necessary: false } })).toThrow(/purposes\.necessary: is required/);
    expect(store.decision).toBe(before);
  });

  it('never reads a choice that is not exactly true or false as a grant: a coded error with its path, and the decision kept', () => {
    const store = createConsent({ policy: edxPolicy, storage: 'memory' });
    const before = store.rejectAll();
    const codeAndPath = (choice: unknown) => {
      try {
        store.decide(choice as Parameters<typeof store.decide>[0]);
      } catch (e) {
        return e instanceof ConsentError
          ? `${e.code} ${e.issues[0]?.path ?? ''}: ${e.issues[0]?.message ?? ''}`
          : String(e);
      }
      return 'accepted';
    };
    expect(codeAndPath({ purposes: { analytics: 'false' } })).toBe(
      'invalid_choice purposes.analytics: must be true or false',
    );
    expect(codeAndPath({ purposes: { marketing: 1 } })).toBe(
      'invalid_choice purposes.marketing: must be true or false',
    );
    expect(codeAndPath({ members: { HarvardX: { marketing: 'false' } } })).toBe(
      'invalid_choice members.HarvardX.marketing: must be true or false',
    );
    expect(codeAndPath({ members: { HarvardX: null } })).toBe('invalid_choice members.HarvardX: must be an object');
    expect(codeAndPath(null)).toBe('invalid_choice choice: must be an object');
    expect(store.decision).toBe(before);
    expect(store.allows('analytics')).toBe(false);
    expect(store.allows('marketing', 'HarvardX')).toBe(false);
  });
});

describe('options', () => {
  it('rejects options out of range, naming each, instead of silently prompting on every page', () => {
    const options = { policy: edxPolicy, mode: 'optout', storage: 'localstorage', maxAgeDays: 0 };
    const error = (() => {
      try {
        createConsent(options as unknown as Parameters<typeof createConsent>[0]);
      } catch (e) {
        return e as ConsentError;
      }
    })();
    expect(error).toBeInstanceOf(ConsentError);
    expect(error?.code).toBe('invalid_option');
    expect(error?.issues.map((i) => i.path)).toEqual(['mode', 'storage', 'maxAgeDays']);
    expect(error?.hint).toMatch(/opt-in\|opt-out/);
    expect(() => createConsent({ policy: edxPolicy, maxAgeDays: Number.NaN })).toThrow(
      /maxAgeDays: NaN is not allowed/,
    );
    expect(createConsent({ policy: edxPolicy, storage: 'localStorage', maxAgeDays: 1 }).needsPrompt).toBe(true);
  });

  it('rejects a missing policy, a cookie name that is no cookie token and a cookie domain that is no host name, with their paths', () => {
    const wrong = (options: unknown) => () => createConsent(options as Parameters<typeof createConsent>[0]);
    expect(wrong({})).toThrow(
      expect.objectContaining({ code: 'invalid_option', issues: [expect.objectContaining({ path: 'policy' })] }),
    );
    for (const cookieName of ['my consent;x', '', 'a=b', 'caf\u00e9'])
      expect(wrong({ policy: edxPolicy, cookieName })).toThrow(
        expect.objectContaining({ code: 'invalid_option', issues: [expect.objectContaining({ path: 'cookieName' })] }),
      );
    expect(createConsent({ policy: edxPolicy, storage: 'memory', cookieName: 'edx_consent-v2' }).needsPrompt).toBe(
      true,
    );
    for (const cookieDomain of ['https://edx.org', 'edx.org:443', 'edx.org/', 'ed x.org'])
      expect(wrong({ policy: edxPolicy, cookieDomain })).toThrow(
        expect.objectContaining({
          code: 'invalid_option',
          issues: [expect.objectContaining({ path: 'cookieDomain' })],
        }),
      );
    for (const cookieDomain of ['edx.org', '.edx.org', 'localhost', 'learning.edx.org', 'edx-2.org'])
      expect(createConsent({ policy: edxPolicy, storage: 'memory', cookieDomain }).needsPrompt).toBe(true);
  });

  it('rejects a cookie domain with capitals, which reset() and the removal of stale copies could not match', () => {
    // The browser stores `EDX.org` as `.edx.org`, but the page's host (always lowercase) was compared
    // with `EDX.org` as given: reset() left the cookie, and the forgotten choice came back.
    for (const cookieDomain of ['EDX.org', '.Edx.org', 'Learning.edx.org'])
      expect(() => createConsent({ policy: edxPolicy, storage: 'memory', cookieDomain })).toThrow(
        expect.objectContaining({
          code: 'invalid_option',
          issues: [{ path: 'cookieDomain', message: `${cookieDomain} is not allowed` }],
        }),
      );
  });

  it('rejects a custom storage that is not one (null, or without read, write and clear) instead of silently keeping choices in memory', () => {
    for (const storage of [null, {}, { kind: 'half', read: () => [] }])
      expect(() =>
        createConsent({ policy: edxPolicy, storage } as unknown as Parameters<typeof createConsent>[0]),
      ).toThrow(
        expect.objectContaining({ code: 'invalid_option', issues: [expect.objectContaining({ path: 'storage' })] }),
      );
  });

  it('deciding what is already decided changes nothing: same decision, same cookie, no notification', () => {
    const storage = arrayStorage();
    const store = createConsent({ policy: edxPolicy, storage, signals: { gpc: false } });
    const first = store.decide({ purposes: { analytics: true } }, 'banner');
    const stored = [...storage.values];
    const listener = vi.fn();
    store.subscribe(listener);
    expect(store.decide({ purposes: { analytics: true, marketing: false } }, 'preferences')).toBe(first);
    expect(storage.values).toEqual(stored);
    expect(listener).not.toHaveBeenCalled();
    expect(store.rejectAll()).not.toBe(first);
    expect(listener).toHaveBeenCalledOnce();
  });
});

describe('Member overrides', () => {
  it('refuse a purpose for one Member only', () => {
    const store = createConsent({ policy: edxPolicy, storage: 'memory', signals: { gpc: false } });
    store.acceptAll();
    store.withdraw('marketing', 'HarvardX');
    expect(store.allows('marketing')).toBe(true);
    expect(store.allows('marketing', 'MITx')).toBe(true);
    expect(store.allows('marketing', 'HarvardX')).toBe(false);
    expect(store.allows('analytics', 'HarvardX')).toBe(true);
  });

  it('a Member id that cannot be stored (a lone surrogate) is refused, and the store keeps deciding', () => {
    const storage = arrayStorage();
    const store = createConsent({ policy: edxPolicy, storage, signals: { gpc: false } });
    store.acceptAll();
    expect(() => store.withdraw('marketing', 'Harvard\uD800X')).toThrow(URIError);
    expect(store.decision?.members).toEqual({});
    store.withdraw('analytics');
    expect(store.allows('analytics')).toBe(false);
    expect(createConsent({ policy: edxPolicy, storage, signals: { gpc: false } }).allows('analytics')).toBe(false);
  });

  it('gives Member overrides as the plain object a reload reads back from the cookie (code calling hasOwnProperty or checking instanceof Object reads them)', () => {
    const store = createConsent({ policy: edxPolicy, storage: 'memory' });
    store.decide({ purposes: { analytics: true }, members: { HarvardX: { analytics: false } } });
    for (const members of [store.decision?.members, store.grants().members]) {
      expect(members instanceof Object).toBe(true);
      // eslint-disable-next-line no-prototype-builtins -- what code reading the decision calls
      expect(members?.hasOwnProperty('HarvardX')).toBe(true);
    }
  });

  it('a Member id "__proto__" is kept like any other: its override is stored and still refuses after a reload', () => {
    // Set on the overrides as a plain object, it set their prototype: in force nowhere (the choice
    // was "already decided"), never stored, and the reload allowed what the learner had refused.
    const storage = arrayStorage();
    const store = createConsent({ policy: edxPolicy, storage, signals: { gpc: false } });
    store.acceptAll();
    store.withdraw('marketing', '__proto__');
    // As a JSON body (a preferences form posted as JSON) gives it: an own `__proto__` key.
    store.decide(JSON.parse('{"members":{"__proto__":{"analytics":false},"HarvardX":{"performance":false}}}'));
    // What each Member (then the platform) is allowed.
    const asks = (s: ConsentStore) =>
      ['__proto__', 'HarvardX', 'MITx', undefined].map((m) =>
        edxPolicy.purposes.map((p) => p.id).filter((id) => s.allows(id, m)),
      );
    const expected = [
      ['necessary', 'performance', 'functionality'],
      ['necessary', 'analytics', 'functionality', 'marketing'],
      ['necessary', ...nonRequired],
      ['necessary', ...nonRequired],
    ];
    expect(asks(store)).toEqual(expected);
    const reloaded = createConsent({ policy: edxPolicy, storage, signals: { gpc: false } });
    expect(asks(reloaded)).toEqual(expected);
  });

  it('never widen what a purpose grants', () => {
    const choice = fc.dictionary(fc.constantFrom(...nonRequired), fc.boolean());
    fc.assert(
      fc.property(
        choice,
        fc.dictionary(fc.constantFrom('HarvardX', 'MITx', 'UC_BerkeleyX'), choice),
        fc.constantFrom('HarvardX', 'MITx', 'UC_BerkeleyX'),
        (purposes, members, member) => {
          const store = createConsent({ policy: edxPolicy, storage: 'memory', signals: { gpc: false } });
          store.decide({ purposes, members });
          for (const id of nonRequired) if (!store.allows(id)) expect(store.allows(id, member)).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('opt-out mode and GPC', () => {
  it('grants every purpose until refused', () => {
    const store = createConsent({ policy: edxPolicy, mode: 'opt-out', storage: 'memory', signals: { gpc: false } });
    expect(store.needsPrompt).toBe(true);
    expect(allowed(store)).toEqual(['necessary', ...nonRequired]);
    store.withdraw('marketing');
    expect(allowed(store)).toEqual(['necessary', 'analytics', 'performance', 'functionality']);
  });

  it('storage that throws on every read is no "no decision": nothing but required purposes until a choice', () => {
    const blind: ConsentStorage = {
      kind: 'blocked',
      read: () => {
        throw new Error('SecurityError');
      },
      write: () => false,
      clear: () => undefined,
    };
    const store = createConsent({ policy: edxPolicy, mode: 'opt-out', storage: blind, signals: { gpc: false } });
    expect(store.needsPrompt).toBe(true);
    expect(allowed(store)).toEqual(['necessary']);
    store.withdraw('marketing');
    expect(allowed(store)).toEqual(['necessary']);
    store.decide({ purposes: { analytics: true } });
    expect(allowed(store)).toEqual(['necessary', 'analytics']);
    // Storage that reads (even nothing) keeps opt-out's defaults.
    const empty = createConsent({
      policy: edxPolicy,
      mode: 'opt-out',
      storage: { ...blind, read: () => [] },
      signals: { gpc: false },
    });
    expect(allowed(empty)).toEqual(['necessary', ...nonRequired]);
  });

  it('GPC refuses marketing; acceptAll keeps it refused; only an explicit choice grants it', () => {
    const store = createConsent({ policy: edxPolicy, mode: 'opt-out', storage: 'memory', signals: { gpc: true } });
    expect(store.privacySignal).toBe('gpc');
    expect(store.allows('marketing')).toBe(false);
    expect(store.allows('analytics')).toBe(true);
    store.acceptAll();
    expect(store.allows('marketing')).toBe(false);
    store.decide({ purposes: { marketing: true } }, 'preferences');
    expect(store.allows('marketing')).toBe(true);
  });

  it('under GPC, acceptAll keeps an explicit marketing grant instead of clearing it', () => {
    const store = createConsent({ policy: edxPolicy, storage: 'memory', signals: { gpc: true } });
    store.decide({ purposes: { marketing: true } }, 'preferences');
    store.acceptAll();
    expect(store.allows('marketing')).toBe(true);
    store.rejectAll();
    store.acceptAll();
    expect(store.allows('marketing')).toBe(false);
  });

  it('a decision made before GPC was turned on does not grant marketing under GPC', () => {
    const storage = arrayStorage();
    createConsent({ policy: edxPolicy, storage, signals: { gpc: false } }).acceptAll();
    const store = createConsent({ policy: edxPolicy, storage, signals: { gpc: true } });
    expect(store.needsPrompt).toBe(false);
    expect(store.allows('analytics')).toBe(true);
    expect(store.allows('marketing')).toBe(false);
  });

  it('no default or signal-sourced decision ever grants what GPC refuses', () => {
    const step = fc.oneof(
      fc.record({
        op: fc.constant('decide' as const),
        purposes: fc.dictionary(fc.constantFrom(...nonRequired), fc.boolean()),
        source: fc.constantFrom('default' as const, 'gpc' as const),
      }),
      fc.record({
        op: fc.constantFrom('acceptAll' as const, 'rejectAll' as const),
        source: fc.constantFrom('default' as const, 'gpc' as const, 'banner' as const),
      }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom('opt-in' as const, 'opt-out' as const),
        fc.array(step, { maxLength: 8 }),
        (mode, steps) => {
          const store = createConsent({ policy: edxPolicy, mode, storage: 'memory', signals: { gpc: true } });
          for (const s of steps) {
            if (s.op === 'decide') store.decide({ purposes: s.purposes }, s.source);
            else store[s.op](s.source);
            expect(store.allows('marketing')).toBe(false);
            expect(store.allows('marketing', 'HarvardX')).toBe(false);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('honours DNT only when configured', () => {
    vi.stubGlobal('navigator', { doNotTrack: '1' });
    try {
      expect(createConsent({ policy: edxPolicy, mode: 'opt-out', storage: 'memory' }).allows('marketing')).toBe(true);
      expect(
        createConsent({ policy: edxPolicy, mode: 'opt-out', storage: 'memory', signals: { dnt: true } }).allows(
          'marketing',
        ),
      ).toBe(false);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("never lets signals.gpc false switch off the GPC the browser sends (a page passing on its server's Sec-GPC hint)", () => {
    vi.stubGlobal('navigator', { globalPrivacyControl: true });
    try {
      // E.g. `gpc: req.headers['sec-gpc'] === '1'` rendered into a page a CDN cached without the header.
      const store = createConsent({ policy: edxPolicy, mode: 'opt-out', storage: 'memory', signals: { gpc: false } });
      expect(store.privacySignal).toBe('gpc');
      expect(store.allows('marketing')).toBe(false);
      store.acceptAll();
      expect(store.allows('marketing')).toBe(false);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('honours the Do Not Track a server passes on from the request (`dnt: "1"`), as the browser store honours it', () => {
    const opts = { policy: edxPolicy, mode: 'opt-out', storage: 'memory' } as const;
    vi.stubGlobal('navigator', { doNotTrack: '1' });
    try {
      const browser = createConsent({ ...opts, signals: { dnt: true } });
      expect(browser.privacySignal).toBe('dnt');
      expect(browser.allows('marketing')).toBe(false);
      // The hint adds a refusal, never removes the browser's.
      expect(createConsent({ ...opts, signals: { dnt: '0' } }).privacySignal).toBe('dnt');
      // A request without the header (a page a CDN cached: `honourDnt && headers.get('dnt')` is null
      // or ''): the browser's DNT is still honoured.
      for (const dnt of [null, ''])
        expect(createConsent({ ...opts, signals: { dnt } }).privacySignal, String(dnt)).toBe('dnt');
      vi.stubGlobal('navigator', undefined); // a server (Node 20: no navigator)
      const server = createConsent({ ...opts, storage: cookieHeaderStorage(''), signals: { dnt: '1' } });
      expect(server.privacySignal).toBe('dnt');
      expect(server.allows('marketing')).toBe(browser.allows('marketing'));
      // `true` honours the browser's signal, which a server has not: the request's value is what counts.
      for (const dnt of [true, false, '0', ''])
        expect(createConsent({ ...opts, signals: { dnt } }).allows('marketing'), String(dnt)).toBe(true);
      vi.stubGlobal('navigator', { doNotTrack: null }); // a browser that sends no DNT
      expect(createConsent({ ...opts, signals: { dnt: true } }).privacySignal).toBe(false);
      // Sec-GPC as well: GPC is the signal in force.
      expect(createConsent({ ...opts, signals: { dnt: '1', gpc: true } }).privacySignal).toBe('gpc');
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('reads navigator.globalPrivacyControl by default', () => {
    vi.stubGlobal('navigator', { globalPrivacyControl: true });
    try {
      expect(createConsent({ policy: edxPolicy, mode: 'opt-out', storage: 'memory' }).allows('marketing')).toBe(false);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('subscribe', () => {
  it('is called only when what is allowed really changes', () => {
    const store = createConsent({ policy: edxPolicy, storage: 'memory', signals: { gpc: false } });
    const listener = vi.fn();
    const unsubscribe = store.subscribe(listener);
    store.rejectAll();
    expect(listener).toHaveBeenCalledTimes(1); // needsPrompt changed
    store.rejectAll();
    store.withdraw('analytics');
    expect(listener).toHaveBeenCalledTimes(1);
    store.decide({ purposes: { analytics: true } });
    expect(listener).toHaveBeenCalledTimes(2);
    store.withdraw('analytics', 'HarvardX');
    expect(listener).toHaveBeenCalledTimes(3);
    unsubscribe();
    store.acceptAll();
    expect(listener).toHaveBeenCalledTimes(3);
  });

  it('is not called when storage is re-read and holds the same decision, Member choices in any order', () => {
    const storage = arrayStorage();
    const store = createConsent({ policy: edxPolicy, storage, signals: { gpc: false } });
    const listener = vi.fn();
    store.subscribe(listener);
    store.decide({ members: { HarvardX: { marketing: false, analytics: false } } });
    expect(listener).toHaveBeenCalledOnce();
    store.refresh();
    store.refresh();
    expect(listener).toHaveBeenCalledOnce();
  });

  it('is not called on re-reading a value dated in the future (a fast clock), nor an opt-out decision an opt-in page does not take', () => {
    vi.useFakeTimers({ now: Date.parse('2026-11-30T10:00:00Z') });
    try {
      const maker = createConsent({ policy: edxPolicy, mode: 'opt-out', storage: 'memory', signals: { gpc: false } });
      const future = { ...maker.decide({ purposes: { marketing: false } }), decidedAt: '2026-11-30T11:00:00.000Z' };
      for (const [value, mode] of [
        [encodeDecision(future, edxPolicy), 'opt-out'],
        [encodeDecision(maker.decision!, edxPolicy), 'opt-in'],
      ] as const) {
        const store = createConsent({
          policy: edxPolicy,
          mode,
          storage: { kind: 'custom', read: () => [value], write: () => true, clear() {} },
          signals: { gpc: false },
        });
        const listener = vi.fn();
        store.subscribe(listener);
        for (let i = 0; i < 3; i++) {
          vi.advanceTimersByTime(1000);
          store.refresh();
        }
        expect(listener).not.toHaveBeenCalled();
        expect(store.allows('marketing')).toBe(false);
      }
    } finally {
      vi.useRealTimers();
    }
  });

  it('is called for a new decision that GPC keeps from changing what is allowed (its receipt must be sent)', () => {
    const storage = arrayStorage();
    createConsent({ policy: edxPolicy, storage, signals: { gpc: false } }).acceptAll();
    const underGpc = createConsent({ policy: edxPolicy, storage, signals: { gpc: true } });
    const listener = vi.fn();
    underGpc.subscribe(listener);
    const before = underGpc.grants();
    underGpc.withdraw('marketing');
    expect(underGpc.grants()).toEqual(before);
    expect(listener).toHaveBeenCalledOnce();
    expect(underGpc.decision?.purposes.marketing).toBe(false);
  });

  it('a throwing listener does not stop the others or the decision', () => {
    const store = createConsent({ policy: edxPolicy, storage: 'memory' });
    const second = vi.fn();
    store.subscribe(() => {
      throw new Error('listener bug');
    });
    store.subscribe(second);
    expect(() => store.acceptAll()).not.toThrow();
    expect(second).toHaveBeenCalledOnce();
  });

  it("reports a listener's error (reportError in a browser, the console on a server), after telling the others", () => {
    const reported: unknown[] = [];
    const reportError = (error: unknown) => reported.push(error);
    const console = vi.spyOn(globalThis.console, 'error').mockImplementation(() => undefined);
    try {
      const store = createConsent({ policy: edxPolicy, storage: 'memory', signals: { gpc: false } });
      const second = vi.fn();
      store.subscribe(() => {
        throw new ReferenceError('gtag is not defined'); // e.g. a listener calling a script not loaded yet
      });
      store.subscribe(second);
      // A server (Node 20 has no reportError): the console, never an uncaught exception.
      store.acceptAll();
      expect(second).toHaveBeenCalledOnce();
      expect(store.allows('analytics')).toBe(true);
      expect(console).toHaveBeenCalledWith(new ReferenceError('gtag is not defined'));
      // A browser: reportError (window.onerror, error trackers).
      vi.stubGlobal('reportError', reportError);
      store.rejectAll();
      expect(second).toHaveBeenCalledTimes(2);
      expect(reported).toEqual([new ReferenceError('gtag is not defined')]);
      expect(console).toHaveBeenCalledOnce();
    } finally {
      vi.unstubAllGlobals();
      console.mockRestore();
    }
  });
});

describe('storage', () => {
  it('stores, re-reads and forgets a decision', () => {
    const storage = arrayStorage();
    const first = createConsent({ policy: edxPolicy, storage });
    const decision = first.decide(
      { purposes: { analytics: true }, members: { MITx: { analytics: false } } },
      'preferences',
    );
    expect(storage.values).toHaveLength(1);
    const again = createConsent({ policy: edxPolicy, storage });
    expect(again.decision).toEqual(decision);
    expect(again.storageKind).toBe('test');
    again.reset();
    expect(storage.values).toEqual([]);
    expect(createConsent({ policy: edxPolicy, storage }).needsPrompt).toBe(true);
  });

  it('re-prompts when the policy changes', () => {
    const storage = arrayStorage();
    createConsent({ policy: edxPolicy, storage }).acceptAll();
    const next = createConsent({ policy: { ...edxPolicy, version: '2027-05' }, storage });
    expect(next.needsPrompt).toBe(true);
    expect(next.allows('analytics')).toBe(false);
  });

  it("re-prompts when only a purpose's label changes (the learner consented to the text they read), refusals kept", () => {
    const storage = arrayStorage();
    createConsent({ policy: edxPolicy, storage, signals: { gpc: false } }).decide(
      { purposes: { functionality: true, marketing: false } },
      'preferences',
    );
    const purposes = edxPolicy.purposes.map((p) =>
      p.id === 'functionality' ? { ...p, label: 'Functionality and sharing with partners' } : p,
    );
    const relabelled = createConsent({ policy: { ...edxPolicy, purposes }, storage, signals: { gpc: false } });
    expect(relabelled.needsPrompt).toBe(true);
    expect(relabelled.decision).toBeNull();
    expect(relabelled.allows('functionality')).toBe(false); // the grant was for the earlier text
    const optOut = createConsent({
      policy: { ...edxPolicy, purposes },
      mode: 'opt-out',
      storage,
      signals: { gpc: false },
    });
    expect(optOut.needsPrompt).toBe(true);
    expect(optOut.allows('marketing')).toBe(false); // the refusal stays
    expect(optOut.allows('functionality')).toBe(true); // the mode's default, until asked
  });

  it('under opt-out, a refusal outlives a policy edit that adds or reorders purposes (and so do Member refusals)', () => {
    const storage = arrayStorage();
    createConsent({ policy: edxPolicy, mode: 'opt-out', storage, signals: { gpc: false } }).decide(
      { purposes: { marketing: false }, members: { HarvardX: { analytics: false } } },
      'preferences',
    );
    const [necessary, analytics, performance, functionality, marketing] = edxPolicy.purposes;
    const surveys = { id: 'surveys', label: 'Surveys', description: 'Asking what you think of a course.' };
    for (const purposes of [
      [necessary!, analytics!, performance!, functionality!, surveys, marketing!],
      [necessary!, marketing!, analytics!, performance!, functionality!],
      [necessary!, analytics!, marketing!],
    ]) {
      const edited = createConsent({
        policy: { ...edxPolicy, version: '2027-05', purposes },
        mode: 'opt-out',
        storage,
        signals: { gpc: false },
      });
      expect(edited.needsPrompt).toBe(true);
      expect(edited.allows('marketing')).toBe(false);
      expect(edited.allows('analytics')).toBe(true);
      expect(edited.allows('analytics', 'HarvardX')).toBe(false);
      expect(edited.allows('surveys')).toBe(purposes.includes(surveys));
    }
  });

  it('treats a decision older than its maximum age as none', () => {
    const storage = arrayStorage();
    const store = createConsent({ policy: edxPolicy, storage, signals: { gpc: false } });
    const old = store.acceptAll();
    storage.values[0] = encodeDecision(
      { ...old, decidedAt: new Date(Date.now() - 396 * 864e5).toISOString() },
      edxPolicy,
    );
    expect(createConsent({ policy: edxPolicy, storage }).needsPrompt).toBe(true);
    storage.values[0] = encodeDecision(
      { ...old, decidedAt: new Date(Date.now() - 40 * 864e5).toISOString() },
      edxPolicy,
    );
    expect(createConsent({ policy: edxPolicy, storage }).needsPrompt).toBe(false);
    expect(createConsent({ policy: edxPolicy, storage, maxAgeDays: 30 }).needsPrompt).toBe(true);
  });

  it('never throws into the page when storage throws: the choice lives in memory', () => {
    const broken: ConsentStorage = {
      kind: 'broken',
      read: () => {
        throw new Error('SecurityError');
      },
      write: () => {
        throw new Error('QuotaExceededError');
      },
      clear: () => {
        throw new Error('SecurityError');
      },
    };
    const store = createConsent({ policy: edxPolicy, storage: broken });
    expect(store.needsPrompt).toBe(true);
    expect(() => store.decide({ purposes: { analytics: true } })).not.toThrow();
    expect(store.storageKind).toBe('memory');
    expect(store.allows('analytics')).toBe(true);
    expect(() => store.refresh()).not.toThrow();
  });

  it('reads the newest valid copy and ignores garbage', () => {
    const storage = arrayStorage();
    const store = createConsent({ policy: edxPolicy, storage, signals: { gpc: false } });
    const older = encodeDecision(
      { ...store.acceptAll(), decidedAt: new Date(Date.now() - 864e5).toISOString() },
      edxPolicy,
    );
    const newer = encodeDecision(store.rejectAll(), edxPolicy);
    storage.values.splice(0, 1, 'garbage', older, newer, `${newer}x`);
    const again = createConsent({ policy: edxPolicy, storage });
    expect(allowed(again)).toEqual(['necessary']);
    expect(storage.values).toEqual([newer]);
  });

  it('refresh keeps a choice that only memory holds', () => {
    const store = createConsent({ policy: edxPolicy, storage: 'memory' });
    store.decide({ purposes: { analytics: true } });
    store.refresh();
    expect(store.needsPrompt).toBe(false);
    expect(store.allows('analytics')).toBe(true);
  });

  describe('a change of mind builds on the newest stored decision, not on an older one a tab unaware of it still holds', () => {
    // Two subdomains' tabs sharing one cookie, neither told of the other's choices (no cookieStore);
    // each step a second after the last, as a learner's clicks are.
    const later = () => vi.setSystemTime(Date.now() + 1000);
    const tabs = (gpc = false) => {
      const storage = arrayStorage();
      const open = () => createConsent({ policy: edxPolicy, storage, signals: { gpc } });
      return { www: open(), learning: open(), next: open };
    };
    beforeEach(() => vi.useFakeTimers({ toFake: ['Date'] }));
    afterEach(() => vi.useRealTimers());

    it('decide and withdraw keep what the other tab refused, and listeners hear the outcome once', () => {
      const { www, learning, next } = tabs();
      www.acceptAll();
      later();
      learning.refresh();
      learning.withdraw('marketing');
      later();
      const heard: string[][] = [];
      www.subscribe((s) => heard.push(allowed(s)));
      www.decide({ purposes: { analytics: false } }, 'preferences');
      const refusedBoth = ['necessary', 'performance', 'functionality'];
      expect(allowed(www)).toEqual(refusedBoth);
      expect(allowed(next())).toEqual(refusedBoth);
      expect(heard).toEqual([refusedBoth]);
      later();
      learning.decide({ purposes: { analytics: true } }, 'preferences');
      later();
      www.withdraw('performance');
      expect(allowed(next())).toEqual(['necessary', 'analytics', 'functionality']);
    });

    it('"accept all" keeps a Member override set in the other tab', () => {
      const { www, learning, next } = tabs();
      www.rejectAll();
      later();
      learning.decide({ members: { HarvardX: { analytics: false } } }, 'preferences');
      later();
      www.acceptAll();
      expect(allowed(next())).toEqual(['necessary', ...nonRequired]);
      expect(next().allows('analytics', 'HarvardX')).toBe(false);
    });

    it('under GPC, "accept all" does not restore an explicit marketing grant withdrawn in the other tab', () => {
      const { www, learning, next } = tabs(true);
      www.decide({ purposes: { marketing: true } }, 'preferences');
      later();
      learning.refresh();
      learning.withdraw('marketing');
      later();
      www.acceptAll();
      expect(www.allows('marketing')).toBe(false);
      expect(next().allows('marketing')).toBe(false);
    });
  });

  it('refresh picks up a decision another tab stored', () => {
    const storage = arrayStorage();
    const tab1 = createConsent({ policy: edxPolicy, storage });
    const tab2 = createConsent({ policy: edxPolicy, storage });
    const listener = vi.fn();
    tab2.subscribe(listener);
    tab1.decide({ purposes: { analytics: true } });
    tab2.refresh();
    expect(tab2.allows('analytics')).toBe(true);
    expect(listener).toHaveBeenCalledOnce();
  });
});
