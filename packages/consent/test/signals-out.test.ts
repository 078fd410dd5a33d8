import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ConsentError,
  createConsent,
  definePolicy,
  edxPolicy,
  encodeDecision,
  fromCookieHeader,
  receiptSchema,
  toGoogleConsentMode,
  toReceipt,
  type ConsentOptions,
} from '../src/index.js';

describe('toGoogleConsentMode', () => {
  it('maps purposes to the seven v2 signals', () => {
    const store = createConsent({ policy: edxPolicy, storage: 'memory', signals: { gpc: false } });
    expect(toGoogleConsentMode(store.grants())).toEqual({
      ad_storage: 'denied',
      ad_user_data: 'denied',
      ad_personalization: 'denied',
      analytics_storage: 'denied',
      functionality_storage: 'denied',
      personalization_storage: 'denied',
      security_storage: 'granted',
    });
    store.decide({ purposes: { analytics: true, functionality: true } });
    expect(toGoogleConsentMode(store.grants())).toMatchObject({
      analytics_storage: 'granted',
      functionality_storage: 'granted',
      personalization_storage: 'granted',
      ad_storage: 'denied',
    });
    store.acceptAll();
    expect(Object.values(toGoogleConsentMode(store.grants()))).toEqual(Array(7).fill('granted'));
    expect(toGoogleConsentMode(null).security_storage).toBe('granted');
  });

  describe('under a GPC signal sent after the decision', () => {
    afterEach(() => void vi.unstubAllGlobals());

    it('store.grants() denies the advertising signals until the learner explicitly grants marketing', () => {
      const storage = {
        kind: 'test',
        values: [] as string[],
        read: () => storage.values,
        write: (v: string) => ((storage.values = [v]), true),
        clear: () => void (storage.values = []),
      };
      const decision = createConsent({ policy: edxPolicy, storage, signals: { gpc: false } }).acceptAll();
      vi.stubGlobal('navigator', { globalPrivacyControl: true });
      const store = createConsent({ policy: edxPolicy, storage });
      expect(store.allows('marketing')).toBe(false);
      expect(toGoogleConsentMode(store.grants())).toMatchObject({
        ad_storage: 'denied',
        ad_user_data: 'denied',
        ad_personalization: 'denied',
        analytics_storage: 'granted',
      });
      // The stored decision alone does not know of the signal: that is why grants() is the input.
      expect(decision.purposes.marketing).toBe(true);
      // An explicit grant made while GPC is on stands.
      store.decide({ purposes: { marketing: true } }, 'preferences');
      expect(toGoogleConsentMode(store.grants()).ad_storage).toBe('granted');
    });
  });
});

describe('toReceipt', () => {
  it('produces a receipt the collector schema accepts, with no personal data but the subject', () => {
    const store = createConsent({ policy: edxPolicy, storage: 'memory', signals: { gpc: true } });
    const decision = store.decide(
      { purposes: { analytics: true }, members: { HarvardX: { analytics: false } } },
      'preferences',
    );
    const receipt = toReceipt(decision, 'anon-7f3a');
    expect(receiptSchema.parse(receipt)).toEqual(receipt);
    expect(receipt).toMatchObject({
      subject: 'anon-7f3a',
      consentId: decision.consentId,
      source: 'preferences',
      gpc: true,
      members: { HarvardX: { analytics: false } },
    });
    expect(receiptSchema.safeParse({ ...receipt, source: 'cookie-wall' }).success).toBe(false);
    expect(receiptSchema.safeParse({ ...receipt, decidedAt: 'yesterday' }).success).toBe(false);
  });
});

describe('fromCookieHeader (server-side rendering)', () => {
  it('reads the decision from a Cookie header, and nothing from garbage', () => {
    const decision = createConsent({ policy: edxPolicy, storage: 'memory' }).decide({
      purposes: { performance: true },
    });
    const value = encodeDecision(decision, edxPolicy);
    expect(fromCookieHeader(`session=abc; optin=${value}; theme=dark`, edxPolicy)).toEqual(decision);
    expect(fromCookieHeader(`edx_consent=${value}`, edxPolicy, { cookieName: 'edx_consent' })).toEqual(decision);
    // Its purposes' digits (after their fingerprints) edited into grants: no decision at all.
    expect(value.split('/')[1]).toBe('10100');
    expect(fromCookieHeader(`optin=${value.replace('/10100/', '/11111/')}`, edxPolicy)).toBeNull();
    expect(fromCookieHeader(undefined, edxPolicy)).toBeNull();
    expect(fromCookieHeader(`optin=${value}`, { ...edxPolicy, version: 'next' })).toBeNull();
  });

  it('with Sec-GPC, reads marketing as refused unless it was granted while GPC was on', () => {
    const before = createConsent({ policy: edxPolicy, storage: 'memory', signals: { gpc: false } }).acceptAll();
    const header = `optin=${encodeDecision(before, edxPolicy)}`;
    expect(fromCookieHeader(header, edxPolicy)?.purposes.marketing).toBe(true);
    const underGpc = fromCookieHeader(header, edxPolicy, { gpc: true });
    expect(underGpc?.purposes).toEqual({ ...before.purposes, marketing: false });
    const store = createConsent({ policy: edxPolicy, storage: 'memory', signals: { gpc: true } });
    const explicit = store.decide({ purposes: { marketing: true } }, 'preferences');
    expect(fromCookieHeader(`optin=${encodeDecision(explicit, edxPolicy)}`, edxPolicy, { gpc: true })).toEqual(
      explicit,
    );
  });

  it('reads a decision made under an earlier policy version as the browser does: none under opt-in, its refusals under opt-out', () => {
    const earlier = definePolicy({ ...edxPolicy, version: '2026-01' });
    const refusal = createConsent({ policy: earlier, storage: 'memory', signals: { gpc: false } }).rejectAll();
    const grant = createConsent({ policy: edxPolicy, storage: 'memory', signals: { gpc: false } }).acceptAll();
    // Two copies (host-only and on the domain): the newer one, an earlier version's refusal, wins.
    const older = encodeDecision({ ...grant, decidedAt: new Date(Date.now() - 6e4).toISOString() }, edxPolicy);
    const header = `optin=${older}; optin=${encodeDecision(refusal, earlier)}`;
    expect(fromCookieHeader(header, edxPolicy)).toBeNull();
    const optOut = fromCookieHeader(header, edxPolicy, { mode: 'opt-out' });
    expect(optOut?.policy.hash).toBe('');
    expect(optOut?.purposes).toEqual({ analytics: false, performance: false, functionality: false, marketing: false });
    // One that refused only analytics: under GPC, marketing reads as refused too.
    const partial = createConsent({
      policy: earlier,
      storage: 'memory',
      mode: 'opt-out',
      signals: { gpc: false },
    }).withdraw('analytics');
    expect(
      fromCookieHeader(`optin=${encodeDecision(partial, earlier)}`, edxPolicy, { mode: 'opt-out', gpc: true })
        ?.purposes,
    ).toEqual({ analytics: false, marketing: false });
  });

  it('a copy dated in the future neither outranks a newer refusal nor grants anything, but keeps its refusals', () => {
    const grant = createConsent({ policy: edxPolicy, storage: 'memory', signals: { gpc: false } }).acceptAll();
    const refusal = createConsent({ policy: edxPolicy, storage: 'memory', signals: { gpc: false } }).rejectAll();
    const ahead = (d: typeof grant) =>
      encodeDecision({ ...d, decidedAt: new Date(Date.now() + 864e5 * 300).toISOString() }, edxPolicy);
    const future = ahead(grant);
    expect(fromCookieHeader(`optin=${future}; optin=${encodeDecision(refusal, edxPolicy)}`, edxPolicy)).toEqual(
      refusal,
    );
    expect(fromCookieHeader(`optin=${future}`, edxPolicy)).toBeNull();
    expect(fromCookieHeader(`optin=${future}`, edxPolicy, { mode: 'opt-out' })?.purposes).toEqual({});
    expect(fromCookieHeader(`optin=${ahead(refusal)}`, edxPolicy, { mode: 'opt-out' })?.purposes).toEqual({
      analytics: false,
      performance: false,
      functionality: false,
      marketing: false,
    });
  });

  it('a refusal made on a clock running ahead stays refused on the server, and in the browser once its clock is right', () => {
    // A learner whose laptop runs ten minutes fast refuses marketing on an opt-out page.
    const cookies: string[] = [];
    const storage = {
      kind: 'cookie',
      read: () => [...cookies],
      write: (value: string) => (cookies.splice(0, 9, value), true),
      clear: () => void cookies.splice(0),
    };
    vi.useFakeTimers({ now: Date.now() + 6e5, toFake: ['Date'] });
    try {
      createConsent({ policy: edxPolicy, mode: 'opt-out', storage, signals: { gpc: false } }).withdraw('marketing');
    } finally {
      vi.useRealTimers();
    }
    // The server renders the next page with the right time: no marketing.
    const header = `optin=${cookies[0]}`;
    expect(fromCookieHeader(header, edxPolicy, { mode: 'opt-out' })?.purposes.marketing).toBe(false);
    expect(fromCookieHeader(header, edxPolicy)).toBeNull();
    // The same browser once its clock is corrected: still refused (and asked to confirm).
    const corrected = createConsent({ policy: edxPolicy, mode: 'opt-out', storage, signals: { gpc: false } });
    expect(corrected.allows('marketing')).toBe(false);
    expect(corrected.allows('analytics')).toBe(true);
    expect(corrected.needsPrompt).toBe(true);
  });

  it('under opt-out with Sec-GPC, an earlier version’s decision made while GPC was on still reads marketing as refused', () => {
    // The browser refuses marketing here (GPC, and no decision in force to grant it explicitly).
    const earlier = definePolicy({ ...edxPolicy, version: '2026-01' });
    const made = createConsent({ policy: earlier, storage: 'memory', mode: 'opt-out', signals: { gpc: true } }).decide(
      { purposes: { marketing: true, analytics: false } },
      'preferences',
    );
    const header = `optin=${encodeDecision(made, earlier)}`;
    const browser = createConsent({
      policy: edxPolicy,
      mode: 'opt-out',
      signals: { gpc: true },
      storage: { kind: 'header', read: () => [encodeDecision(made, earlier)], write: () => false, clear: () => {} },
    });
    expect(browser.allows('marketing')).toBe(false);
    expect(fromCookieHeader(header, edxPolicy, { mode: 'opt-out', gpc: true })?.purposes).toEqual({
      analytics: false,
      marketing: false,
    });
  });

  it('a decision whose grants opt-out mode implied is none on an opt-in page (the default), as it is in the browser', () => {
    const implied = createConsent({
      policy: edxPolicy,
      storage: 'memory',
      mode: 'opt-out',
      signals: { gpc: false },
    }).withdraw('marketing');
    expect(implied.implied).toBe(true);
    const header = `optin=${encodeDecision(implied, edxPolicy)}`;
    expect(fromCookieHeader(header, edxPolicy)).toBeNull();
    expect(fromCookieHeader(header, edxPolicy, { mode: 'opt-out' })).toEqual(implied);
    expect(toReceipt(implied, 'learner-1').implied).toBe(true);
  });

  it('refuses the options createConsent refuses, with the same error, instead of reading them the other way', () => {
    // A US learner refused analytics only: marketing is a grant opt-out mode implied, no consent.
    const implied = createConsent({ policy: edxPolicy, storage: 'memory', mode: 'opt-out', signals: { gpc: false } });
    const header = `optin=${encodeDecision(implied.withdraw('analytics'), edxPolicy)}`;
    const thrown = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return error as ConsentError;
      }
    };
    type Options = Parameters<typeof fromCookieHeader>[2];
    for (const options of [
      { mode: 'OPT-IN' },
      { mode: 'opt_in' },
      { mode: null },
      { maxAgeDays: Number.NaN },
      { maxAgeDays: 0 },
      { mode: 'optout', maxAgeDays: -1 },
      { cookieName: 'my consent' },
    ]) {
      const browser = thrown(() =>
        createConsent({ policy: edxPolicy, storage: 'memory', ...options } as ConsentOptions),
      );
      const server = thrown(() => fromCookieHeader(header, edxPolicy, options as Options));
      expect(server, JSON.stringify(options)).toBeInstanceOf(ConsentError);
      expect([server?.code, server?.issues]).toEqual([browser?.code, browser?.issues]);
      expect(server?.issues.map((i) => i.path)).toEqual(Object.keys(options));
    }
    // Exactly the modes createConsent takes still read as before.
    expect(fromCookieHeader(header, edxPolicy, { mode: 'opt-in' })).toBeNull();
    expect(fromCookieHeader(header, edxPolicy, { mode: 'opt-out', maxAgeDays: 1 })?.purposes.marketing).toBe(true);
  });
});
