// @vitest-environment happy-dom
// A file of its own: a fresh cookie jar (happy-dom can show cookies other tests deleted while their clock stood still).
import { createConsent, edxPolicy } from '@optin/consent';
import { createHub } from '@optin/trackers';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { firstParty } from '../src/index.js';

interface Sent {
  type: string;
  event?: string;
  context: { session: { id: string; seq: number } };
}
let sent: Sent[];

beforeEach(() => {
  vi.useFakeTimers();
  sent = [];
  vi.stubGlobal('fetch', (_: string, init: RequestInit) => {
    sent.push(...(JSON.parse(init.body as string) as { batch: Sent[] }).batch);
    return Promise.resolve(new Response('{}'));
  });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

it('starts a fresh session over a damaged session cookie, and every message is still sent', async () => {
  // A returning learner: every purpose was granted on an earlier visit, so the cookie is read at once.
  const consent = createConsent({ policy: edxPolicy, storage: 'memory' });
  consent.decide({ purposes: { analytics: true, functionality: true, performance: true } });
  document.cookie = 'optin_ses=abc.7.1700000000000.%E0;Path=/';
  const analytics = firstParty({ endpoint: 'https://collector.test', consent, flushInterval: 100 });
  const hub = createHub({ consent, trackers: analytics.trackers, googleConsentMode: false });
  const stop = analytics.start(hub);
  hub.track('edx.test.after');
  // What `@optin/analytics/vitals` does from its page event listeners.
  analytics.send('optin.web_vitals', { name: 'TTFB', value: 80, rating: 'good' }, 'performance');
  await vi.advanceTimersByTimeAsync(100);
  expect(sent.map((m) => [m.event ?? m.type, m.context.session.seq])).toEqual([
    ['page', 1],
    ['edx.test.after', 2],
    ['optin.web_vitals', 3],
  ]);
  const { id } = sent[0]!.context.session;
  expect(id).toMatch(/^[0-9a-f]{32}$/);
  expect(document.cookie).toMatch(new RegExp(`(^|; )optin_ses=${id}\\.3\\.\\d+\\.(;|$)`));
  stop();
});
