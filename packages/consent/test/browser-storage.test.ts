// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cookieDomains, createConsent, edxPolicy, encodeDecision, type Decision } from '../src/index.js';

const encodeDecisionFor = (d: Decision): string => encodeDecision(d, edxPolicy);

afterEach(() => {
  for (const pair of document.cookie.split(/; */))
    if (pair) document.cookie = `${pair.split('=')[0]}=;Path=/;Max-Age=0`;
  localStorage.clear();
});

describe('cookieDomains', () => {
  it('lists host-only, the host and each parent down to the registrable domain', () => {
    expect(cookieDomains('learning.courses.edx.org', 'edx.org')).toEqual([
      undefined,
      'learning.courses.edx.org',
      'courses.edx.org',
      'edx.org',
    ]);
    expect(cookieDomains('www.edx.org')).toEqual([undefined, 'www.edx.org']);
    expect(cookieDomains('www.notedx.org', 'edx.org')).toEqual([undefined]);
  });
});

describe('default storage in a page', () => {
  it('keeps the decision in one first-party cookie and re-reads it', () => {
    const store = createConsent({ policy: edxPolicy });
    store.decide({ purposes: { analytics: true } });
    expect(store.storageKind).toBe('cookie');
    expect(document.cookie).toMatch(/(^|; )optin=[^;]+/);
    expect(localStorage.getItem('optin')).toBeNull();
    const again = createConsent({ policy: edxPolicy });
    expect(again.decision).toEqual(store.decision);
  });

  it('uses a cookie name of your choice', () => {
    createConsent({ policy: edxPolicy, cookieName: 'edx_consent' }).acceptAll();
    expect(document.cookie).toMatch(/edx_consent=/);
    expect(createConsent({ policy: edxPolicy }).needsPrompt).toBe(true);
  });

  it('keeps the decision in localStorage when asked to', () => {
    const store = createConsent({ policy: edxPolicy, storage: 'localStorage' });
    store.rejectAll();
    expect(store.storageKind).toBe('localStorage');
    expect(createConsent({ policy: edxPolicy, storage: 'localStorage' }).needsPrompt).toBe(false);
  });
});

describe('a stored copy dated in the future (a clock set ahead, an edited value)', () => {
  it('is no decision: it neither grants nor hides the newer choice of another tab', async () => {
    const grant = createConsent({ policy: edxPolicy, storage: 'memory' }).acceptAll();
    const future = { ...grant, decidedAt: new Date(Date.now() + 864e5 * 200).toISOString() };
    document.cookie = `optin=${encodeDecisionFor(future)};Path=/`;
    const here = createConsent({ policy: edxPolicy });
    expect(here.needsPrompt).toBe(true);
    expect(here.allows('analytics')).toBe(false);
    // Another tab's refusal reaches this one, and a future-dated broadcast does not undo it.
    createConsent({ policy: edxPolicy }).rejectAll();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(here.needsPrompt).toBe(false);
    new BroadcastChannel('optin').postMessage([encodeDecisionFor(future), 'cookie']);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(here.allows('analytics')).toBe(false);
  });
});

describe('another tab deciding', () => {
  const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

  it('is followed without a call to refresh: its broadcast, a localStorage write, the page shown or focused again', async () => {
    const other = createConsent({ policy: edxPolicy });
    const here = createConsent({ policy: edxPolicy });
    const seen: boolean[] = [];
    here.subscribe((s) => seen.push(s.allows('analytics')));

    // A tab of this origin decides: it says so on a BroadcastChannel.
    other.decide({ purposes: { analytics: true } });
    await tick();
    expect(here.allows('analytics')).toBe(true);
    other.withdraw('analytics');
    await tick();
    expect(here.allows('analytics')).toBe(false);
    expect(seen).toEqual([true, false]);

    // A tab on another subdomain changes the shared cookie (no event reaches this page): read again
    // when the page is shown.
    const decided = createConsent({ policy: edxPolicy, storage: 'memory' }).acceptAll();
    document.cookie = `optin=${encodeDecisionFor(decided)};Path=/`;
    expect(here.allows('marketing')).toBe(false);
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
    expect(here.allows('marketing')).toBe(true);
    expect(seen).toEqual([true, false, true]);

    // Or, in a window side by side with the other (shown all along), when the learner comes back to it.
    const later = { ...decided, decidedAt: new Date(Date.parse(decided.decidedAt) + 1000).toISOString() };
    document.cookie = `optin=${encodeDecisionFor({ ...later, purposes: { ...later.purposes, marketing: false } })};Path=/`;
    dispatchEvent(new Event('focus'));
    expect(here.allows('marketing')).toBe(false);
    expect(seen).toHaveLength(4); // told once
  });

  it('is no longer followed once the store is disposed; the store still answers and decides', async () => {
    const other = createConsent({ policy: edxPolicy });
    const here = createConsent({ policy: edxPolicy });
    const seen: boolean[] = [];
    here.subscribe((s) => seen.push(s.allows('analytics')));
    here.dispose();

    other.decide({ purposes: { analytics: true } });
    await tick();
    dispatchEvent(new Event('storage'));
    dispatchEvent(new Event('focus'));
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
    expect(here.allows('analytics')).toBe(false);
    expect(seen).toEqual([]);

    // What it decides itself is stored and told as before.
    here.rejectAll();
    expect(seen).toEqual([false]); // its own decision is told (the learner has decided now)
    here.decide({ purposes: { marketing: true } });
    expect(createConsent({ policy: edxPolicy }).allows('marketing')).toBe(true);
    here.refresh();
    expect(here.allows('marketing')).toBe(true);
  });

  it('a forget in another tab reaches a tab that opened before any decision', async () => {
    const here = createConsent({ policy: edxPolicy });
    const other = createConsent({ policy: edxPolicy });
    other.acceptAll();
    await tick();
    expect(here.allows('analytics')).toBe(true);
    other.reset();
    await tick();
    expect(here.needsPrompt).toBe(true);
    expect(here.allows('analytics')).toBe(false);
  });

  it('reaches the page’s other stores at once (same task), and no longer a disposed one', () => {
    const banner = createConsent({ policy: edxPolicy });
    const app = createConsent({ policy: edxPolicy });
    const heard: boolean[] = [];
    app.subscribe((s) => heard.push(s.allows('analytics')));
    banner.acceptAll();
    expect(app.allows('analytics')).toBe(true);
    banner.rejectAll();
    expect(app.allows('analytics')).toBe(false);
    app.acceptAll();
    expect(banner.allows('analytics')).toBe(true);
    app.reset();
    expect(banner.needsPrompt).toBe(true);
    expect(heard).toEqual([true, false, true, false]);
    app.dispose();
    banner.acceptAll();
    expect(app.needsPrompt).toBe(true);
    expect(heard).toHaveLength(4);
  });

  it("tells the page's other stores nothing once disposed (a replaced provider's store that code still holds)", async () => {
    // Each learner's storage of its own (server-backed), as a React app signing learners in gives.
    const storageOf = (jar = new Map<string, string>()) => ({
      kind: 'server',
      read: () => [...jar.values()],
      write: (value: string) => (jar.set('consent', value), true),
      clear: () => void jar.delete('consent'),
    });
    const ada = createConsent({ policy: edxPolicy, storage: storageOf() });
    ada.dispose();
    const bob = createConsent({ policy: edxPolicy, storage: storageOf() });
    ada.acceptAll(); // code still holding Ada's store decides on it
    await tick();
    expect(bob.needsPrompt).toBe(true);
    expect(bob.allows('analytics')).toBe(false);
    bob.dispose();
  });

  it("takes the last of decisions made in the same millisecond, and keeps it after the channel's copies come", async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2026-12-01T10:00:00.000Z'));
      const banner = createConsent({ policy: edxPolicy });
      const app = createConsent({ policy: edxPolicy });
      banner.acceptAll();
      app.rejectAll(); // the same millisecond
      expect([banner.allows('analytics'), app.allows('analytics')]).toEqual([false, false]);
      banner.acceptAll();
      expect([banner.allows('analytics'), app.allows('analytics')]).toEqual([true, true]);
      app.rejectAll();
      app.acceptAll();
      app.withdraw('marketing'); // still the same millisecond: each later than the one it builds on
      // The channel's copies of each (a task later, as other tabs hear them) change nothing.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect([banner.allows('analytics'), app.allows('analytics')]).toEqual([true, true]);
      expect([banner.allows('marketing'), app.allows('marketing')]).toEqual([false, false]);
      banner.dispose();
      app.dispose();
    } finally {
      vi.useRealTimers();
    }
  });

  it('is neither told nor heard by a store kept in memory only', async () => {
    const isolated = createConsent({ policy: edxPolicy, storage: 'memory' });
    const shared = createConsent({ policy: edxPolicy });
    shared.acceptAll();
    await tick();
    expect(isolated.needsPrompt).toBe(true);
    isolated.rejectAll();
    await tick();
    expect(shared.allows('analytics')).toBe(true);
  });

  it('is followed when kept in localStorage (the storage event of another tab)', () => {
    const here = createConsent({ policy: edxPolicy, storage: 'localStorage' });
    const elsewhere = createConsent({ policy: edxPolicy, storage: 'memory' }).acceptAll();
    localStorage.setItem('optin', encodeDecisionFor(elsewhere));
    expect(here.needsPrompt).toBe(true);
    dispatchEvent(new Event('storage'));
    expect(here.needsPrompt).toBe(false);
    expect(here.allows('analytics')).toBe(true);
  });
});
