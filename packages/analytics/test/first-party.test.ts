// @vitest-environment happy-dom
import { createConsent, edxPolicy } from '@optin/consent';
import { createHub } from '@optin/trackers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AnalyticsError, declareFirstParty, firstParty } from '../src/index.js';

interface Sent {
  type: string;
  event?: string;
  anonymousId: string;
  userId?: string;
  context: Record<string, unknown> & { session: { seq: number } };
}
let sent: Sent[];

beforeEach(() => {
  vi.useFakeTimers();
  sent = [];
  vi.stubGlobal('fetch', (_: string, init: RequestInit) => {
    const { batch, context } = JSON.parse(init.body as string) as { batch: Sent[]; context: object };
    sent.push(...batch.map((m) => ({ ...m, context: { ...context, ...m.context } })));
    return Promise.resolve(new Response('{}'));
  });
  history.replaceState({}, '', '/courses/course-v1:MITx+6.00x+2026/home');
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  for (const pair of document.cookie.split(/; */))
    if (pair) document.cookie = `${pair.split('=')[0]}=;Path=/;Max-Age=0`;
  localStorage.clear();
});

const setup = (mode: 'opt-in' | 'opt-out' = 'opt-in') => {
  const consent = createConsent({ policy: edxPolicy, mode, storage: 'memory' });
  const analytics = firstParty({ endpoint: 'https://collector.test', consent, flushInterval: 100 });
  const hub = createHub({ consent, trackers: analytics.trackers, googleConsentMode: false });
  const stop = analytics.start(hub);
  return { consent, analytics, hub, stop };
};

describe('firstParty', () => {
  it('declares one tracker per purpose, first party, with its cookies', () => {
    const { analytics, stop } = setup();
    expect(analytics.trackers.map((t) => [t.id, t.purposes, t.cookies.map((c) => c.name)])).toEqual([
      ['optin-analytics', ['analytics'], []],
      ['optin-functionality', ['functionality'], ['optin_id', 'optin_ses']],
    ]);
    expect(analytics.trackers.every((t) => t.party === 'first' && t.hosts[0] === 'collector.test')).toBe(true);
    stop();
  });

  it('declares the collector by host name (no port), the way configs must, and Web Vitals go to the same host', async () => {
    const consent = createConsent({ policy: edxPolicy, storage: 'memory' });
    const analytics = firstParty({ endpoint: 'http://collector.edx.localhost:3001/', consent });
    const { webVitals } = await import('../src/vitals.js');
    expect(analytics.trackers.map((t) => t.hosts)).toEqual([['collector.edx.localhost'], ['collector.edx.localhost']]);
    expect(webVitals(analytics).hosts).toEqual(['collector.edx.localhost']);
  });

  it('declares exactly what declareFirstParty declares (configs read outside a page list the same trackers)', () => {
    const { analytics, stop } = setup();
    const declared = declareFirstParty({ endpoint: 'https://collector.test' });
    const live = analytics.trackers.map((t, i) =>
      Object.fromEntries(Object.keys(declared[i] ?? {}).map((k) => [k, t[k as keyof typeof t]])),
    );
    expect(live).toEqual(declared);
    stop();
  });

  it('sends nothing before a decision, then the buffered page view with consent, course and session', async () => {
    const { consent, hub, stop } = setup();
    hub.track('edx.test.early');
    await vi.advanceTimersByTimeAsync(1000);
    expect(sent).toEqual([]);
    consent.decide({ purposes: { analytics: true } });
    await vi.advanceTimersByTimeAsync(100);
    expect(sent.map((m) => m.event ?? m.type)).toEqual(['page', 'edx.test.early']);
    expect(sent[0]!.context).toMatchObject({
      course: { id: 'course-v1:MITx+6.00x+2026', org: 'MITx' },
      consent: {
        policy: { id: 'edx' },
        categoryPreferences: { necessary: true, analytics: true, functionality: false },
      },
      session: { seq: 1 },
      attribution: { first: { class: 'direct' } },
    });
    expect(sent[1]!.context.session.seq).toBe(2);
    stop();
  });

  it('without functionality: no cookie, no localStorage, preferences for this page only', async () => {
    const { consent, analytics, hub, stop } = setup();
    consent.decide({ purposes: { analytics: true } });
    analytics.prefs.set('theme', 'dark');
    hub.identify('learner-1');
    hub.track('edx.test.after');
    await vi.advanceTimersByTimeAsync(100);
    expect(analytics.prefs.get('theme')).toBe('dark');
    expect(document.cookie).toBe('');
    expect(localStorage.length).toBe(0);
    expect(sent.filter((m) => m.type === 'identify')).toEqual([]);
    expect(sent.at(-1)?.userId).toBe('learner-1');
    stop();
  });

  it('with functionality: the anonymous id and preferences are kept, and forgotten on withdrawal', async () => {
    const { consent, analytics, hub, stop } = setup();
    consent.decide({ purposes: { analytics: true, functionality: true } });
    analytics.prefs.set('theme', 'dark');
    await vi.advanceTimersByTimeAsync(100);
    const id = /optin_id=([0-9a-f]{32})/.exec(document.cookie)?.[1];
    expect(sent[0]!.anonymousId).toBe(id);
    expect(JSON.parse(localStorage.getItem('optin_prefs')!)).toEqual({ theme: 'dark' });
    consent.withdraw('functionality');
    expect(document.cookie).not.toMatch(/optin_(id|ses)=[^;]/); // (happy-dom keeps empty deleted cookies)
    expect(localStorage.length).toBe(0);
    hub.track('edx.test.stranger');
    await vi.advanceTimersByTimeAsync(100);
    expect(sent.at(-1)?.anonymousId).not.toBe(id);
    stop();
  });

  it('removes what an earlier visit stored while functionality is refused, so a later grant brings none of it back', async () => {
    const old = { class: 'email', at: '2025-01-01T00:00:00.000Z', utm_source: 'old-newsletter' };
    localStorage.setItem('optin_touch', JSON.stringify({ first: old, last: old }));
    localStorage.setItem('optin_prefs', JSON.stringify({ theme: 'dark' }));
    localStorage.setItem(
      'optin_queue',
      JSON.stringify([{ m: { type: 'track', messageId: 'old' }, p: 'analytics', n: 1 }]),
    );
    const { consent, analytics, stop } = setup(); // e.g. withdrawn on another subdomain, or the decision expired
    expect(localStorage.length).toBe(0);
    consent.decide({ purposes: { analytics: true, functionality: true } });
    await vi.advanceTimersByTimeAsync(100);
    expect(analytics.prefs.get('theme')).toBeUndefined();
    expect(`${localStorage.getItem('optin_touch')} ${localStorage.getItem('optin_prefs')}`).not.toMatch(
      /old-newsletter|dark/,
    );
    expect(JSON.stringify(sent)).not.toMatch(/old-newsletter|"old"/);
    stop();
  });

  it('throws a typed error for an endpoint that is not a URL', () => {
    const consent = createConsent({ policy: edxPolicy, storage: 'memory' });
    const fail = () => firstParty({ endpoint: 'http://[bad', consent });
    expect(fail).toThrow(AnalyticsError);
    expect(fail).toThrow(expect.objectContaining({ code: 'invalid_option', path: 'endpoint' }));
  });
});
