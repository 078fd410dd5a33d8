// @vitest-environment happy-dom
import { createConsent, edxPolicy } from '@optin/consent';
import { createHub } from '@optin/trackers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AnalyticsError, declareFirstParty, firstParty, type FirstPartyOptions } from '../src/index.js';
import { local } from '../src/storage.js';

interface Sent {
  type: string;
  messageId?: string;
  event?: string;
  anonymousId: string;
  userId?: string;
  context: Record<string, unknown> & { session: { id: string; seq: number } };
}
let sent: Sent[];
/** The anonymous ids of each batch sent. */
let batches: string[][];

beforeEach(() => {
  vi.useFakeTimers();
  sent = [];
  batches = [];
  vi.stubGlobal('fetch', (_: string, init: RequestInit) => {
    const { batch, context } = JSON.parse(init.body as string) as { batch: Sent[]; context: object };
    sent.push(...batch.map((m) => ({ ...m, context: { ...context, ...m.context } })));
    batches.push(batch.map((m) => m.anonymousId));
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
  it('declares one tracker per purpose, first party, with its cookies and localStorage keys', () => {
    const { analytics, stop } = setup();
    expect(analytics.trackers.map((t) => [t.id, t.purposes, t.cookies.map((c) => c.name)])).toEqual([
      ['optin-analytics', ['analytics'], []],
      [
        'optin-functionality',
        ['functionality'],
        ['optin_id', 'optin_ses', 'optin_touch', 'optin_prefs', 'optin_queue'],
      ],
    ]);
    expect(analytics.trackers.every((t) => t.party === 'first' && t.hosts[0] === 'collector.test')).toBe(true);
    stop();
  });

  it('a view waiting for its title goes when a hidden tab is closed (pagehide only), with what follows it', async () => {
    const { consent, hub, stop } = setup();
    consent.decide({ purposes: { analytics: true } });
    await vi.advanceTimersByTimeAsync(300);
    // The learner switched to another tab; in the background the app's router moves on, then tracks.
    vi.spyOn(document, 'hidden', 'get').mockReturnValue(true);
    vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
    history.pushState({}, '', '/dashboard');
    hub.track('edx.test.after');
    // The learner closes the tab within 500 ms: only pagehide fires (the page is hidden already).
    dispatchEvent(new Event('pagehide'));
    expect(
      sent.map((m) => m.event ?? `page ${(m as unknown as { properties: { path: string } }).properties.path}`),
    ).toEqual(['page /courses/course-v1:MITx+6.00x+2026/home', 'page /dashboard', 'edx.test.after']);
    stop();
    vi.restoreAllMocks();
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

  it('a message recorded while a Member’s analytics was refused leaves with that refusal, though the learner granted it before it was sent', async () => {
    const { consent, hub, stop } = setup();
    consent.decide({ purposes: { analytics: true }, members: { HarvardX: { analytics: false } } });
    hub.track('edx.test.refused');
    consent.decide({ members: { HarvardX: { analytics: true } } });
    await vi.advanceTimersByTimeAsync(1000);
    stop();
    expect(sent.find((m) => m.event === 'edx.test.refused')?.context.consent).toMatchObject({
      members: { HarvardX: { analytics: false } },
    });
  });

  it('Object.prototype.marketing=true: a damaged stored stamp does not leave with a Member’s marketing granted', async () => {
    const consent = createConsent({ policy: edxPolicy, storage: 'memory' });
    consent.decide({ purposes: { analytics: true, functionality: true }, members: { HarvardX: { analytics: true } } });
    // A message another tab queued, its stamp damaged in storage.
    local('optin_queue', [
      {
        m: {
          type: 'track',
          event: 'edx.test.stored',
          messageId: 'm1',
          context: { consent: { members: { HarvardX: { marketing: 1 } } } },
        },
        p: 'analytics',
        n: 1,
      },
    ]);
    const proto = Object.prototype as Record<string, unknown>;
    proto.marketing = true;
    try {
      const analytics = firstParty({ endpoint: 'https://collector.test', consent, flushInterval: 100 });
      const hub = createHub({ consent, trackers: analytics.trackers, googleConsentMode: false });
      const stop = analytics.start(hub);
      await vi.advanceTimersByTimeAsync(1000);
      stop();
    } finally {
      delete proto.marketing;
    }
    expect(sent.find((m) => m.messageId === 'm1')?.context.consent).toMatchObject({
      categoryPreferences: { marketing: false },
      members: { HarvardX: { analytics: true } },
    });
    expect(JSON.stringify(sent.find((m) => m.messageId === 'm1')?.context.consent)).not.toContain('"marketing":true');
  });

  it('with a plain hub, messages on a course with an old-style Org/Course/Run key carry it, and ordinary paths none', async () => {
    history.replaceState({}, '', '/courses/HarvardX/CS50/2012/courseware/week1');
    const { consent, hub, stop } = setup();
    consent.decide({ purposes: { analytics: true } });
    hub.track('edx.test.unit');
    history.pushState({}, '', '/blog/2024/11');
    hub.track('edx.test.blog');
    await vi.advanceTimersByTimeAsync(600); // the view waits up to 500 ms for its title
    stop();
    const course = { id: 'HarvardX/CS50/2012', org: 'HarvardX' };
    expect(sent.map((m) => [m.event ?? m.type, m.context.course])).toEqual([
      ['page', course],
      ['edx.test.unit', course],
      ['page', undefined],
      ['edx.test.blog', undefined],
    ]);
  });

  it("takes the hub's word for the course, none included, over the page's course key", async () => {
    const consent = createConsent({ policy: edxPolicy, storage: 'memory' });
    const analytics = firstParty({ endpoint: 'https://collector.test', consent, flushInterval: 100 });
    // As a scoped hub does for a page its registry places outside any course.
    const hub = createHub({
      consent,
      trackers: analytics.trackers,
      googleConsentMode: false,
      context: () => ({ course: null }),
    });
    const stop = analytics.start(hub);
    consent.decide({ purposes: { analytics: true } });
    await vi.advanceTimersByTimeAsync(100);
    expect(sent.map((m) => [m.type, m.context.course])).toEqual([['page', undefined]]);
    stop();
  });

  it('after analytics is withdrawn and granted again on another page, that page gets its view, and a click is placed on it', async () => {
    const { consent, hub, stop } = setup();
    consent.decide({ purposes: { analytics: true } });
    await vi.advanceTimersByTimeAsync(100);
    consent.withdraw('analytics');
    history.pushState({}, '', '/courses/course-v1:HarvardX+CS50+2026/courseware?unit=2'); // not recorded
    consent.decide({ purposes: { analytics: true } });
    hub.track('edx.test.click');
    await vi.advanceTimersByTimeAsync(100);
    const home = 'http://localhost:3000/courses/course-v1:MITx+6.00x+2026/home';
    const unit = { path: '/courses/course-v1:HarvardX+CS50+2026/courseware', url: location.href, referrer: home };
    expect(sent.map((m) => [m.event ?? m.type, m.context.page, m.context.course])).toEqual([
      [
        'page',
        expect.objectContaining({ path: '/courses/course-v1:MITx+6.00x+2026/home' }),
        { id: 'course-v1:MITx+6.00x+2026', org: 'MITx' },
      ],
      ['page', expect.objectContaining(unit), { id: 'course-v1:HarvardX+CS50+2026', org: 'HarvardX' }],
      ['edx.test.click', expect.objectContaining(unit), { id: 'course-v1:HarvardX+CS50+2026', org: 'HarvardX' }],
    ]);
    expect(sent.map((m) => m.context.session.seq)).toEqual([1, 2, 3]);
    // Granted again on the page whose view it recorded: no second view of it, and that view is the page.
    consent.withdraw('analytics');
    consent.decide({ purposes: { analytics: true } });
    hub.track('edx.test.again');
    await vi.advanceTimersByTimeAsync(100);
    expect(sent.slice(3).map((m) => [m.event ?? m.type, m.context.page])).toEqual([
      ['edx.test.again', expect.objectContaining(unit)],
    ]);
    stop();
  });

  it('a message of another purpose queued with the trail of pages goes when analytics is refused before it leaves', async () => {
    // Opt-out: everything runs until the learner refuses analytics at the banner, seconds after load.
    const { consent, analytics, hub, stop } = setup('opt-out');
    consent.decide({ purposes: { analytics: true, performance: true, functionality: true } });
    await vi.advanceTimersByTimeAsync(100);
    analytics.send('optin.web_vitals', { name: 'FCP', value: 80 }, 'performance'); // with session and page
    hub.identify('learner-1');
    consent.withdraw('analytics');
    analytics.send('optin.web_vitals', { name: 'LCP', value: 90 }, 'performance'); // without: path only
    await vi.advanceTimersByTimeAsync(100);
    expect(sent.map((m) => [m.event ?? m.type, m.context.session])).toEqual([
      ['page', expect.objectContaining({ seq: 1 })],
      ['optin.web_vitals', undefined],
    ]);
    expect((sent[1] as unknown as { properties: object }).properties).toMatchObject({ name: 'LCP' });
    stop();
  });

  it('started again on the same page (a remounted component, React strict mode) records no second view of it', async () => {
    const { consent, analytics, hub, stop } = setup('opt-out');
    consent.decide({ purposes: { analytics: true } });
    stop();
    const again = analytics.start(hub); // same URL: the same view
    again();
    history.pushState({}, '', '/dashboard'); // while stopped: not seen
    const third = analytics.start(hub); // a new page since: its view
    await vi.advanceTimersByTimeAsync(100);
    expect(sent.filter((m) => m.type === 'page').map((m) => m.context.page)).toEqual([
      expect.objectContaining({ path: '/courses/course-v1:MITx+6.00x+2026/home' }),
      expect.objectContaining({ path: '/dashboard' }),
    ]);
    third();
  });

  it('started again while still running (two components mount it), the earlier start stops: one message a click, one view a navigation', async () => {
    const { consent, analytics, hub, stop } = setup('opt-out');
    consent.decide({ purposes: { analytics: true } });
    const second = analytics.start(hub);
    document.body.innerHTML = '<button id="b">Enroll</button>';
    document.querySelector<HTMLButtonElement>('#b')!.click();
    history.pushState({}, '', '/dashboard');
    stop(); // the first component unmounts: the second still records
    history.pushState({}, '', '/progress');
    await vi.advanceTimersByTimeAsync(600); // the view waits up to 500 ms for its title
    second();
    expect(sent.map((m) => m.event ?? `${m.type} ${(m.context.page as { path: string }).path}`)).toEqual([
      'page /courses/course-v1:MITx+6.00x+2026/home',
      'optin.ui.control_used',
      'page /dashboard',
      'page /progress',
    ]);
  });

  it('a message whose properties are not JSON is refused when tracked and reported; the others all go, as they were when tracked', async () => {
    const consent = createConsent({ policy: edxPolicy, storage: 'memory' });
    consent.decide({ purposes: { analytics: true } });
    const analytics = firstParty({ endpoint: 'https://collector.test', consent, flushInterval: 100 });
    const errors: Error[] = [];
    const hub = createHub({
      consent,
      trackers: analytics.trackers,
      googleConsentMode: false,
      onError: (e) => errors.push(e),
    });
    const stop = analytics.start(hub);
    const loop: Record<string, unknown> = {};
    loop.self = loop; // e.g. a framework's event object
    const props = { step: 1 };
    hub.track('edx.test.before', props);
    props.step = 2; // changed after the call: not what was tracked
    hub.track('edx.test.circular', { loop });
    hub.track('edx.test.after');
    await vi.advanceTimersByTimeAsync(100);
    expect(sent.map((m) => m.event ?? m.type)).toEqual(['page', 'edx.test.before', 'edx.test.after']);
    expect((sent[1] as unknown as { properties: object }).properties).toEqual({ step: 1 });
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/optin-analytics\.track.*circular/)]);
    // The refused message took no place in the session: no gap in seq.
    expect(sent.map((m) => m.context.session.seq)).toEqual([1, 2, 3]);
    // Made while a navigation's view waits for its title: refused at once all the same, and the
    // view and what waits behind it go.
    history.pushState({}, '', '/next');
    hub.track('edx.test.circular', { loop });
    hub.track('edx.test.next');
    await vi.advanceTimersByTimeAsync(600);
    expect(sent.slice(3).map((m) => [m.event ?? m.type, m.context.session.seq])).toEqual([
      ['page', 4],
      ['edx.test.next', 5],
    ]);
    expect(errors).toHaveLength(2);
    stop();
  });

  it('preferences set in another tab are kept when this one sets its own, and read here', () => {
    const tab = () => {
      const consent = createConsent({ policy: edxPolicy, storage: 'memory' });
      consent.decide({ purposes: { functionality: true } });
      const analytics = firstParty({ endpoint: 'https://collector.test', consent });
      createHub({ consent, trackers: analytics.trackers, googleConsentMode: false });
      return analytics;
    };
    const [a, b] = [tab(), tab()];
    a.prefs.set('transcriptLanguage', 'es');
    b.prefs.set('playbackSpeed', 1.5);
    expect(b.prefs.get('transcriptLanguage')).toBe('es');
    expect(local('optin_prefs')).toEqual({ transcriptLanguage: 'es', playbackSpeed: 1.5 });
    expect(tab().prefs.get('transcriptLanguage')).toBe('es');
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
    expect(local('optin_prefs')).toEqual({ theme: 'dark' });
    consent.withdraw('functionality');
    expect(document.cookie).not.toMatch(/optin_(id|ses)=[^;]/); // (happy-dom keeps empty deleted cookies)
    expect(localStorage.length).toBe(0);
    hub.track('edx.test.stranger');
    await vi.advanceTimersByTimeAsync(100);
    expect(sent.at(-1)?.anonymousId).not.toBe(id);
    stop();
  });

  it('after a withdrawal of functionality nothing links the fresh id to the old one: session, seq, touches, batches', async () => {
    history.replaceState({}, '', '/welcome?utm_source=newsletter&utm_medium=email');
    const { consent, hub, stop } = setup();
    consent.decide({ purposes: { analytics: true, functionality: true } });
    hub.identify('learner-42'); // a signed-in learner
    history.pushState({}, '', '/courses');
    await vi.advanceTimersByTimeAsync(600); // the view waits up to 500 ms for its title
    hub.track('edx.test.queued'); // still queued when functionality goes
    consent.withdraw('functionality');
    history.pushState({}, '', '/next');
    hub.track('edx.test.after');
    await vi.advanceTimersByTimeAsync(600);

    const oldId = sent[0]!.anonymousId;
    const old = sent.filter((m) => m.anonymousId === oldId);
    const fresh = sent.filter((m) => m.anonymousId !== oldId);
    expect(old.map((m) => [m.event ?? m.type, m.userId])).toEqual([
      ['page', undefined],
      ['identify', 'learner-42'],
      ['page', 'learner-42'],
      ['edx.test.queued', 'learner-42'],
    ]);
    // Nor the learner's userId: the page calls identify again for that (and then only with functionality).
    expect(fresh.map((m) => [m.event ?? m.type, m.userId])).toEqual([
      ['page', undefined],
      ['edx.test.after', undefined],
    ]);
    // A new session, counted from 1, and no first or last touch carried over.
    expect(fresh.map((m) => m.context.session.seq)).toEqual([1, 2]);
    expect(fresh[0]!.context.session.id).not.toBe(old[0]!.context.session.id);
    expect(fresh[0]!.context.attribution).toBeUndefined();
    const before = JSON.stringify(old[0]!.context.attribution);
    expect(before).toMatch(/newsletter/);
    for (const mark of [oldId, 'learner-42', old[0]!.context.session.id, JSON.parse(before).first.at as string])
      expect(JSON.stringify(fresh), `mark ${mark}`).not.toContain(mark);
    // The old id's last message and the new id's first were queued together: they leave apart.
    expect(batches.map((ids) => new Set(ids).size)).toEqual(batches.map(() => 1));
    stop();
  });

  it('takes an empty id cookie for none: a fresh id, never an empty one shared by every such browser', async () => {
    document.cookie = 'optin_id=;Path=/';
    const { consent, stop } = setup();
    consent.decide({ purposes: { analytics: true, functionality: true } });
    await vi.advanceTimersByTimeAsync(100);
    expect(sent[0]!.anonymousId).toMatch(/^[0-9a-f]{32}$/);
    expect(document.cookie).toContain(`optin_id=${sent[0]!.anonymousId}`);
    stop();
  });

  it('removes what an earlier visit stored while functionality is refused, so a later grant brings none of it back', async () => {
    const old = { class: 'email', at: '2025-01-01T00:00:00.000Z', utm_source: 'old-newsletter' };
    local('optin_touch', { first: old, last: old });
    local('optin_prefs', { theme: 'dark' });
    local('optin_queue', [{ m: { type: 'track', messageId: 'old' }, p: 'analytics', n: 1 }]);
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

  it.each([
    ['batchSize', 0], // would never advance through the queue: the page would hang
    ['batchSize', -1],
    ['batchSize', 1.5],
    ['batchSize', Number.NaN],
    ['batchSize', '20'],
    ['flushInterval', -1],
    ['flushInterval', 2 ** 31], // longer than setTimeout keeps: it would fire at once
    ['flushInterval', Infinity],
    ['queueLimit', 0], // would drop every message
    ['queueLimit', 2 ** 40],
  ])('throws a typed error naming %s for %s, before anything is stored or sent', async (key, value) => {
    localStorage.setItem('optin_touch', '{}');
    const consent = createConsent({ policy: edxPolicy, storage: 'memory' });
    consent.acceptAll();
    const make = () => firstParty({ endpoint: 'https://collector.test', consent, [key]: value });
    expect(make).toThrow(AnalyticsError);
    expect(make).toThrow(expect.objectContaining({ code: 'invalid_option', path: key }));
    expect(make).toThrow(/is not an integer in \[[01], 2\^31\)\./);
    expect(localStorage.getItem('optin_touch')).toBe('{}');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sent).toEqual([]);
  });

  it.each([['q'], [{ test: () => true }], [null]])(
    'throws a typed error naming redact for %j (not a RegExp)',
    (value) => {
      const consent = createConsent({ policy: edxPolicy, storage: 'memory' });
      const make = () =>
        firstParty({ endpoint: 'https://collector.test', consent, redact: value as unknown as RegExp });
      expect(make).toThrow(expect.objectContaining({ code: 'invalid_option', path: 'redact' }));
    },
  );

  it('takes counts at their bounds, and sends with a batch of 1', async () => {
    const consent = createConsent({ policy: edxPolicy, storage: 'memory' });
    const bounds = { batchSize: 2 ** 31 - 1, flushInterval: 0, queueLimit: 1 };
    expect(() => firstParty({ endpoint: 'https://collector.test', consent, ...bounds })).not.toThrow();
    const analytics = firstParty({
      endpoint: 'https://collector.test',
      consent,
      batchSize: 1,
      flushInterval: 2 ** 31 - 1,
    });
    const stop = analytics.start(createHub({ consent, trackers: analytics.trackers, googleConsentMode: false }));
    consent.decide({ purposes: { analytics: true } });
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.map((m) => m.type)).toEqual(['page']);
    stop();
  });

  it('throws a typed error naming consent when it is left out, before anything is stored or sent', async () => {
    localStorage.setItem('optin_queue', '[]');
    const fail = () => firstParty({ endpoint: 'https://collector.test' } as FirstPartyOptions);
    expect(fail).toThrow(AnalyticsError);
    expect(fail).toThrow(expect.objectContaining({ code: 'invalid_option', path: 'consent' }));
    expect(fail).toThrow(/createConsent/);
    expect(localStorage.getItem('optin_queue')).toBe('[]');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sent).toEqual([]);
  });

  it('throws a typed error naming cookieDomain when it is not a host name', () => {
    const consent = createConsent({ policy: edxPolicy, storage: 'memory' });
    for (const cookieDomain of ['https://edx.org', 'edx.org:443', 'edx.org/'])
      expect(() => firstParty({ endpoint: 'https://collector.test', consent, cookieDomain })).toThrow(
        expect.objectContaining({ code: 'invalid_option', path: 'cookieDomain' }),
      );
    expect(() => firstParty({ endpoint: 'https://collector.test', consent, cookieDomain: 'edx.org' })).not.toThrow();
    // Capitals, which createConsent refuses too (no host name would ever match them).
    expect(() => firstParty({ endpoint: 'https://collector.test', consent, cookieDomain: 'Edx.org' })).toThrow(
      expect.objectContaining({ code: 'invalid_option', path: 'cookieDomain' }),
    );
  });

  it('reads a cookieDomain with a leading dot as the domain: a link to another subdomain is not outbound', async () => {
    const consent = createConsent({ policy: edxPolicy, storage: 'memory' });
    consent.acceptAll();
    const analytics = firstParty({
      endpoint: 'https://collector.test',
      consent,
      flushInterval: 100,
      cookieDomain: '.localhost',
    });
    const stop = analytics.start(createHub({ consent, trackers: analytics.trackers, googleConsentMode: false }));
    const link = document.createElement('a');
    link.href = 'https://learning.localhost/course';
    link.addEventListener('click', (e) => e.preventDefault());
    document.body.append(link);
    link.click();
    await vi.advanceTimersByTimeAsync(1000);
    expect(sent.find((m) => m.event === 'edx.ui.lms.link_clicked')).toMatchObject({ properties: { outbound: false } });
    link.remove();
    stop();
  });

  it('a link whose href is not a URL (an empty template value) is no click and throws nothing into the page', async () => {
    const consent = createConsent({ policy: edxPolicy, storage: 'memory' });
    consent.acceptAll();
    const analytics = firstParty({ endpoint: 'https://collector.test', consent, flushInterval: 100 });
    const stop = analytics.start(createHub({ consent, trackers: analytics.trackers, googleConsentMode: false }));
    const errors: unknown[] = [];
    const onError = (e: ErrorEvent) => errors.push(e.error ?? e.message);
    window.addEventListener('error', onError);
    for (const href of ['http://', 'https://[::1/', 'http://localhost:99999/']) {
      const link = document.createElement('a');
      link.setAttribute('href', href);
      link.addEventListener('click', (e) => e.preventDefault());
      document.body.append(link);
      link.click();
      link.remove();
    }
    await vi.advanceTimersByTimeAsync(1000);
    window.removeEventListener('error', onError);
    expect(errors).toEqual([]);
    expect(sent.filter((m) => m.event === 'edx.ui.lms.link_clicked')).toEqual([]);
    stop();
  });

  it('in a document that may not use cookies (a sandboxed frame, CSP sandbox) it is made and sends, storing nothing', async () => {
    const security = () => {
      throw new DOMException('The document is sandboxed', 'SecurityError');
    };
    Object.defineProperty(document, 'cookie', { get: security, set: security, configurable: true });
    try {
      const consent = createConsent({ policy: edxPolicy, storage: 'memory' });
      consent.acceptAll();
      const analytics = firstParty({ endpoint: 'https://collector.test', consent, flushInterval: 100 });
      analytics.prefs.set('speed', 2);
      analytics.send('edx.video.played', {}, 'analytics');
      await vi.advanceTimersByTimeAsync(1000);
      expect(sent.map((m) => m.event)).toEqual(['edx.video.played']);
      expect(analytics.prefs.get('speed')).toBe(2);
    } finally {
      // The document's own accessor again.
      Reflect.deleteProperty(document, 'cookie');
    }
  });

  it('prefs.get answers only what was set: no inherited property (constructor, toString)', () => {
    const { analytics, consent, stop } = setup();
    consent.acceptAll();
    analytics.prefs.set('speed', 2);
    expect([analytics.prefs.get('constructor'), analytics.prefs.get('toString'), analytics.prefs.get('speed')]).toEqual(
      [undefined, undefined, 2],
    );
    stop();
  });

  it("a tab's seq never goes backwards though another tab of the session writes an older seq to the cookie", async () => {
    const { consent, hub, stop } = setup('opt-out');
    consent.decide({ purposes: { analytics: true, functionality: true } });
    hub.track('a');
    await vi.advanceTimersByTimeAsync(200);
    const { id, seq } = sent.at(-1)!.context.session;
    expect(seq).toBe(2);
    const other = (session: string, n: number) => (document.cookie = `optin_ses=${session}.${n}.${Date.now()}.;Path=/`);
    other(id, 1); // another tab that read the cookie before this tab's last message
    hub.track('b');
    other(id, 9); // another tab ahead of this one: its seq is taken
    hub.track('c');
    other('f'.repeat(32), 1); // another tab started a new session (a new campaign there): it is this tab's too
    hub.track('d');
    await vi.advanceTimersByTimeAsync(200);
    expect(sent.slice(-3).map((m) => [m.event, m.context.session.id, m.context.session.seq])).toEqual([
      ['b', id, 3],
      ['c', id, 10],
      ['d', 'f'.repeat(32), 2],
    ]);
    stop();
  });

  /** The last touch of each page view after `pages` (path, referrer) with `ignoreReferrers`. */
  async function lastTouches(ignoreReferrers: string[], pages: [string, string][]) {
    const consent = createConsent({ policy: edxPolicy, mode: 'opt-out', storage: 'memory' });
    const analytics = firstParty({ endpoint: 'https://collector.test', consent, flushInterval: 100, ignoreReferrers });
    const hub = createHub({ consent, trackers: analytics.trackers, googleConsentMode: false });
    const stop = analytics.start(hub);
    for (const [path, referrer] of pages) hub.page(undefined, { url: `${location.origin}${path}`, referrer });
    await vi.advanceTimersByTimeAsync(200);
    stop();
    const last = (m: Sent) => (m.context.attribution as { last: { class: string; referrer?: string } }).last;
    return sent.filter((m) => m.type === 'page').map((m) => [last(m).class, last(m).referrer]);
  }

  it('a return from a host in ignoreReferrers (sign-in, payment) or its subdomains is no new touch', async () => {
    expect(
      await lastTouches(
        ['accounts.google.com', 'paypal.com'],
        [
          ['/landing', 'https://www.bing.com/'],
          ['/dashboard', 'https://accounts.google.com/'],
          ['/receipt', 'https://www.paypal.com/'],
          ['/other', 'https://notpaypal.com/'],
        ],
      ),
    ).toEqual([
      ['direct', undefined],
      ['search', 'www.bing.com'],
      ['search', 'www.bing.com'],
      ['search', 'www.bing.com'],
      ['referral', 'notpaypal.com'],
    ]);
  });

  it("ignoreReferrers entries are read as host names: any case, a leading dot as the domain's", async () => {
    expect(
      (
        await lastTouches(
          ['Accounts.Google.com', '.paypal.com'],
          [
            ['/landing', 'https://www.bing.com/'],
            ['/dashboard', 'https://accounts.google.com/'],
            ['/receipt', 'https://www.paypal.com/'],
            ['/paid', 'https://paypal.com/'],
          ],
        )
      ).map(([, referrer]) => referrer),
    ).toEqual([undefined, 'www.bing.com', 'www.bing.com', 'www.bing.com', 'www.bing.com']);
  });

  it('throws a typed error naming ignoreReferrers when it is not a list of host names, before anything is stored', () => {
    const consent = createConsent({ policy: edxPolicy, storage: 'memory' });
    localStorage.setItem('optin_queue', '[]');
    const make = (ignoreReferrers: unknown) => () =>
      firstParty({ endpoint: 'https://collector.test', consent, ignoreReferrers: ignoreReferrers as string[] });
    expect(make('paypal.com')).toThrow(expect.objectContaining({ code: 'invalid_option', path: 'ignoreReferrers' }));
    expect(make('paypal.com')).toThrow(/list of host names/);
    for (const [list, path] of [
      [['paypal.com', 'https://accounts.google.com/'], 'ignoreReferrers[1]'],
      [['paypal.com/checkout'], 'ignoreReferrers[0]'],
      [['paypal.com', 7], 'ignoreReferrers[1]'],
      [[''], 'ignoreReferrers[0]'],
    ] as const) {
      expect(make(list), JSON.stringify(list)).toThrow(AnalyticsError);
      expect(make(list), JSON.stringify(list)).toThrow(expect.objectContaining({ code: 'invalid_option', path }));
      expect(make(list)).toThrow(/host name/);
    }
    expect(localStorage.getItem('optin_queue')).toBe('[]');
    expect(make(['accounts.google.com', '.PayPal.com'])).not.toThrow();
    expect(make(undefined)).not.toThrow();
  });

  it('never reads the name of a control clicked while analytics is refused (a large card costs nothing)', () => {
    const { consent, stop } = setup();
    consent.decide({ purposes: { analytics: false } });
    document.body.innerHTML = '<button id="card" aria-labelledby="t"><b id="t">Unit 1</b></button>';
    // Its name is read through its aria-labelledby (by the document's own method, which a named image can't shadow).
    const read = vi.spyOn(Document.prototype, 'getElementById');
    document.querySelector<HTMLElement>('#card')!.click();
    expect(read).not.toHaveBeenCalled();
    consent.decide({ purposes: { analytics: true } });
    document.querySelector<HTMLElement>('#card')!.click();
    expect(read).toHaveBeenCalledWith('t');
    read.mockRestore();
    stop();
  });

  it("sends no Open edX profile's username that is percent-encoded (/%75/alice, /%6Cearners/alice, /u/%61lice, a next= encoded twice or three times), and keeps ordinary URLs as they are", async () => {
    history.replaceState({}, '', '/%75/alice-secret1');
    const { consent, stop } = setup();
    consent.decide({ purposes: { analytics: true } });
    for (const path of [
      // React Router (the profile and discussions MFEs) decodes a path's segments and matches them in any case.
      '/profile/%55/bob-secret2',
      '/discussions/c/Learners/carol-secret3/posts',
      // A sign-in page's next=, itself in a next= (encoded twice, three times), or the prefix encoded there too.
      '/login?next=%25252Fu%25252Fdave-secret4',
      '/login?next=%252F%2575%252Feve-secret5&x=1',
      '/login?next=%2Fu/frank-secret6',
      // Ordinary URLs: a segment that only decodes to something else, an encoded `/` of a query, an admin report.
      '/menu/%75x/%2575%2575/y/u%20/z?q=%2Fusers%2Fx%20y&r=%2Fu',
      '/acme/admin/%6Cearners/report',
      // `learners` or `u` with letters of it percent-encoded (any case, once or more), as the router decodes a path.
      '/discussions/c/%6Cearners/grace-secret7/posts',
      '/%4c%45arner%2573/heidi-secret8',
      '/login?next=%252Fc%252F%2555%252Fivan-secret9',
      '/u/%61lice-secret10',
      // Segments that decode to something else stay as they are.
      '/%6Cearner/x/%6Cearnersx/y/%2575%2575/z',
    ]) {
      history.pushState({}, '', path);
      await vi.advanceTimersByTimeAsync(600); // the view waits up to 500 ms for its title
    }
    stop();
    const views = sent.filter((m) => m.type === 'page') as unknown as { properties: { url: string; path: string } }[];
    expect(views.map((m) => m.properties.url.slice(location.origin.length))).toEqual([
      '/%75/:username',
      '/profile/%55/:username',
      '/discussions/c/Learners/:username/posts',
      '/login?next=%25252Fu%25252F:username',
      '/login?next=%252F%2575%252F:username&x=1',
      '/login?next=%2Fu/:username',
      '/menu/%75x/%2575%2575/y/u%20/z?q=%2Fusers%2Fx%20y&r=%2Fu',
      '/acme/admin/%6Cearners/report',
      '/discussions/c/%6Cearners/:username/posts',
      '/%4c%45arner%2573/:username',
      '/login?next=%252Fc%252F%2555%252F:username',
      '/u/:username',
      '/%6Cearner/x/%6Cearnersx/y/%2575%2575/z',
    ]);
    expect(views[0]!.properties.path).toBe('/%75/:username');
    expect(JSON.stringify(sent)).not.toMatch(/secret/);
  });

  it('throws a typed error for an endpoint that is not a URL', () => {
    const consent = createConsent({ policy: edxPolicy, storage: 'memory' });
    const fail = () => firstParty({ endpoint: 'http://[bad', consent });
    expect(fail).toThrow(AnalyticsError);
    expect(fail).toThrow(expect.objectContaining({ code: 'invalid_option', path: 'endpoint' }));
  });
});
