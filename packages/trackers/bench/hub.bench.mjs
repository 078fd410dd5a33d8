/**
 * What a page pays for each call it sends through the hub (`hub.track`), in a DOM (happy-dom) with
 * the decision in the consent cookie, as on a live page: the hub checks consent (and re-reads the
 * stored decision, a choice another tab may have made) before it hands the call to each tracker.
 * Run: pnpm bench (root) or `node bench/hub.bench.mjs` in this package after a build.
 */
import { Window } from 'happy-dom';
import { Bench } from 'tinybench';

// The page the hub and the store run in: the globals they read (a browser's window).
const window = new Window({ url: 'https://www.optin.test/courses/course-v1:HarvardX+CS50+2026/' });
for (const name of [
  'document',
  'location',
  'localStorage',
  'MutationObserver',
  'MessageEvent',
  'EventTarget',
  'Document',
])
  Object.defineProperty(globalThis, name, { value: window[name] });
globalThis.window = globalThis.self = window;
for (const name of ['addEventListener', 'removeEventListener', 'dispatchEvent'])
  globalThis[name] = window[name].bind(window);

const { createConsent, edxPolicy } = await import('@optin/consent');
const { createHub } = await import('@optin/trackers');

/** A tracker that loads nothing and counts what it is sent. */
const counter = (id, purposes, owner = 'platform') => ({
  id,
  owner,
  purposes,
  party: 'first',
  vendor: { name: id, privacyUrl: 'https://example.com/privacy' },
  cookies: [],
  hosts: [],
  unloadable: true,
  track: () => counter.calls++,
});
counter.calls = 0;

const consent = createConsent({ policy: edxPolicy, cookieDomain: 'optin.test', signals: { gpc: false } });
consent.decide({ purposes: { analytics: true, marketing: true }, members: { HarvardX: { marketing: false } } });
const hub = createHub({
  consent,
  trackers: [
    counter('analytics', ['analytics']),
    counter('ads', ['marketing']),
    counter('hx', ['analytics'], 'HarvardX'),
  ],
  onError: (error) => {
    throw error;
  },
});
if (hub.loaded.length != 3 || consent.storageKind != 'cookie') throw new Error('the bench page is not set up');
// Other cookies of the page, as on edx.org: the store finds its own among them.
document.cookie = 'csrftoken=abc123; Path=/';
document.cookie = 'edx-user-info=%7B%22username%22%3A%22learner%22%7D; Path=/';

const bench = new Bench({ time: 500 });
bench
  .add('hub.track (3 trackers allowed, decision in the consent cookie)', () =>
    hub.track('edx.ui.lms.link_clicked', { target_url: '/courses' }),
  )
  .add('consent.refresh() alone (a re-read of the cookie)', () => consent.refresh())
  .add('consent.allows(purpose, member) alone', () => consent.allows('analytics', 'HarvardX'));
await bench.run();
if (!counter.calls || hub.loaded.length != 3) throw new Error('the hub sent nothing');
console.log('\nThroughput (Node, one core, happy-dom)');
// The median call, and the mean (which a machine's pauses, GC and other processes' time slices, stretch).
console.table(
  bench.tasks.map(({ name, result }) => ({
    task: name,
    'median µs': (result.latency.p50 * 1000).toFixed(1),
    'mean µs': (result.latency.mean * 1000).toFixed(1),
    'calls/s (median)': Math.round(1000 / result.latency.p50).toLocaleString('en-US'),
  })),
);
// (The store's BroadcastChannel would keep Node running.)
hub.destroy();
consent.dispose();
await window.happyDOM.close();
