// @vitest-environment happy-dom
// @vitest-environment-options {"url":"https://www.optin.test/courses/course-v1:HarvardX+CS50+2026/","settings":{"handleDisabledFileLoadingAsSuccess":true}}
import { createConsent, edxPolicy, encodeDecision, type ConsentStorage, type ConsentStore } from '@optin/consent';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { ga4 } from '../src/ga4.js';
import { gtm } from '../src/gtm.js';
import { hotjar } from '../src/hotjar.js';
import { linkedin } from '../src/linkedin.js';
import { meta } from '../src/meta.js';
import {
  createHub,
  onNavigate,
  TrackerError,
  type HubEvent,
  type HubOptions,
  type PageEvent,
  type Tracker,
} from '../src/index.js';

/** A tracker that records what it receives; `overrides` replaces any part. */
function recorder(id: string, purposes: string[], overrides: Partial<Tracker> = {}) {
  const calls: string[] = [];
  const note = (e: HubEvent) =>
    calls.push(
      e.type === 'page'
        ? `page ${e.name ?? ''}`.trim()
        : e.type === 'track'
          ? `track ${e.event}`
          : `identify ${e.userId}`,
    );
  const tracker: Tracker = {
    id,
    owner: 'platform',
    purposes,
    party: 'third',
    vendor: { name: id, privacyUrl: 'https://example.com/privacy' },
    cookies: [],
    hosts: [`${id}.example.com`],
    unloadable: true,
    load: () => void calls.push('load'),
    unload: () => void calls.push('unload'),
    page: note,
    track: note,
    identify: note,
    ...overrides,
  };
  return { tracker, calls };
}

let consent: ConsentStore;
const errors: TrackerError[] = [];
const hubWith = (trackers: Tracker[], options: Partial<HubOptions> = {}) =>
  createHub({ consent, trackers, onError: (e) => errors.push(e), googleConsentMode: false, ...options });

beforeEach(() => {
  consent = createConsent({ policy: edxPolicy, storage: 'memory' });
  errors.length = 0;
  document.head.innerHTML = '';
  delete (window as { dataLayer?: unknown[] }).dataLayer;
});
afterEach(() => vi.restoreAllMocks());

describe('createHub checks the trackers against the policy', () => {
  test('an unknown purpose names the tracker and the field', () => {
    const a = recorder('a', ['analytics', 'ads']).tracker;
    const b = recorder('b', ['tracking', 'marketing']).tracker;
    const error = (() => {
      try {
        hubWith([a, b]);
      } catch (e) {
        return e as TrackerError;
      }
    })();
    expect(error?.code).toBe('invalid_tracker');
    expect(error?.issues.map((i) => i.path)).toEqual(['trackers.a.purposes[1]', 'trackers.b.purposes[0]']);
    expect(error?.message).toMatch(/"ads" is not in the policy/);
    expect(error?.hint).toMatch(/necessary,analytics,performance,functionality,marketing/);
  });

  test('a tracker with no purpose is refused, so it can never load before consent', () => {
    const none = recorder('gtm', []);
    const error = (() => {
      try {
        hubWith([recorder('ga', ['analytics']).tracker, none.tracker]);
      } catch (e) {
        return e as TrackerError;
      }
    })();
    expect(error).toBeInstanceOf(TrackerError);
    expect(error?.code).toBe('invalid_tracker');
    expect(error?.issues).toEqual([{ path: 'trackers.gtm.purposes', message: 'is empty' }]);
    expect(error?.hint).toMatch(/purposes among: necessary,analytics/);
    expect(none.calls).toEqual([]);
  });

  test('gtm({ purposes: [] }) is refused before its container script is added', () => {
    expect(() => hubWith([gtm({ id: 'GTM-ABC1234', purposes: [] })])).toThrow(/trackers\.gtm\.purposes: is empty/);
    expect(document.querySelectorAll('script')).toHaveLength(0);
  });

  test('a tracker whose purposes are emptied after the hub was created still waits for consent', () => {
    const purposes = ['analytics'];
    const emptied = recorder('gtm', purposes);
    const hub = hubWith([emptied.tracker]);
    purposes.length = 0;
    hub.rescan();
    consent.decide({ purposes: { analytics: false } });
    expect(hub.loaded).toEqual([]);
    expect(emptied.calls).toEqual([]);
  });

  test('no consent store is a typed error naming `consent`, before any tracker loads', () => {
    const ga = recorder('ga', ['analytics']);
    const error = (() => {
      try {
        // A JavaScript caller, or a store not created yet: what the types forbid still happens.
        hubWith([ga.tracker], { consent: undefined as unknown as ConsentStore });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(TrackerError);
    expect((error as TrackerError).code).toBe('invalid_tracker');
    expect((error as TrackerError).issues[0]).toEqual({ path: 'consent', message: 'is missing' });
    expect(ga.calls).toEqual([]);
  });

  test('two trackers with one id are refused', () => {
    expect(() => hubWith([recorder('a', ['analytics']).tracker, recorder('a', ['marketing']).tracker])).toThrow(
      /trackers\.a\.id: is not unique/,
    );
  });
});

describe('loading by consent', () => {
  test('nothing loads before the first decision; only the allowed trackers load after it', () => {
    const ga = recorder('ga', ['analytics']);
    const ads = recorder('ads', ['marketing']);
    const hub = hubWith([ga.tracker, ads.tracker]);
    expect(hub.loaded).toEqual([]);
    consent.decide({ purposes: { analytics: true, marketing: false } });
    expect(hub.loaded).toEqual(['ga']);
    expect(ads.calls).toEqual([]);
    consent.decide({ purposes: { marketing: true } });
    expect(hub.loaded).toEqual(['ga', 'ads']);
    expect(ga.calls).toEqual(['load']);
  });

  test('a tracker with several purposes needs all of them', () => {
    const both = recorder('both', ['analytics', 'marketing']);
    const hub = hubWith([both.tracker]);
    consent.decide({ purposes: { analytics: true } });
    expect(hub.loaded).toEqual([]);
    consent.decide({ purposes: { marketing: true } });
    expect(hub.loaded).toEqual(['both']);
  });

  test('a Member override keeps the Member’s tracker out, not the platform’s', () => {
    const platform = recorder('ga4', ['analytics']);
    const member = recorder('HarvardX-ga4', ['analytics'], { owner: 'HarvardX' });
    const hub = hubWith([platform.tracker, member.tracker]);
    consent.decide({ purposes: { analytics: true }, members: { HarvardX: { analytics: false } } });
    expect(hub.loaded).toEqual(['ga4']);
    consent.decide({ members: { HarvardX: { analytics: true } } });
    expect(hub.loaded).toEqual(['ga4', 'HarvardX-ga4']);
  });

  test('in opt-out mode, calls made while a purpose is refused (GPC) never reach a tracker of it granted later', () => {
    consent = createConsent({ policy: edxPolicy, storage: 'memory', mode: 'opt-out', signals: { gpc: true } });
    const ga = recorder('ga', ['analytics']);
    const ads = recorder('ads', ['marketing']);
    const hub = hubWith([ga.tracker, ads.tracker]);
    expect(consent.needsPrompt).toBe(true);
    hub.page('course');
    hub.track('edx.ui.lms.link_clicked');
    expect(ga.calls).toEqual(['load', 'page course', 'track edx.ui.lms.link_clicked']);
    // Later, on another page, the learner grants marketing explicitly.
    consent.decide({ purposes: { marketing: true } }, 'preferences');
    hub.page('dashboard');
    expect(ads.calls).toEqual(['load', 'page dashboard']);
    expect(ga.calls).toEqual(['load', 'page course', 'track edx.ui.lms.link_clicked', 'page dashboard']);
  });

  test('in opt-out mode trackers load at once, and still get nothing twice when the learner decides', () => {
    consent = createConsent({ policy: edxPolicy, storage: 'memory', mode: 'opt-out' });
    const ga = recorder('ga', ['analytics']);
    const hub = hubWith([ga.tracker]);
    hub.page('landing');
    expect(ga.calls).toEqual(['load', 'page landing']);
    consent.acceptAll();
    expect(ga.calls).toEqual(['load', 'page landing']);
  });
});

describe('the buffer before the first decision', () => {
  test('is replayed in order to the trackers that get consent, and dropped for the rest', () => {
    const ga = recorder('ga', ['analytics']);
    const ads = recorder('ads', ['marketing']);
    const hub = hubWith([ga.tracker, ads.tracker]);
    hub.page('home');
    hub.track('edx.ui.lms.link_clicked', { target_url: '/x' });
    hub.identify('learner-1');
    consent.decide({ purposes: { analytics: true } });
    expect(ga.calls).toEqual(['load', 'page home', 'track edx.ui.lms.link_clicked', 'identify learner-1']);
    consent.decide({ purposes: { marketing: true } });
    expect(ads.calls).toEqual(['load']);
  });

  test('keeps page properties and time of the original call', () => {
    const ga = recorder('ga', ['analytics']);
    const seen: PageEvent[] = [];
    ga.tracker = { ...ga.tracker, page: (e) => void seen.push(e) };
    const hub = hubWith([ga.tracker]);
    document.title = 'CS50';
    hub.page(undefined, { course_id: 'course-v1:HarvardX+CS50+2026' });
    const before = new Date().toISOString();
    history.pushState({}, '', '/dashboard');
    document.title = 'Dashboard';
    consent.acceptAll();
    hub.page();
    expect(seen.map((e) => [e.properties.path, e.properties.title, e.properties.course_id])).toEqual([
      ['/courses/course-v1:HarvardX+CS50+2026/', 'CS50', 'course-v1:HarvardX+CS50+2026'],
      ['/dashboard', 'Dashboard', undefined],
    ]);
    expect(seen[0]!.timestamp <= before).toBe(true);
    expect(seen[1]!.properties).toMatchObject({
      referrer: 'https://www.optin.test/courses/course-v1:HarvardX+CS50+2026/',
    });
  });

  test('is bounded: the first calls are kept', () => {
    const ga = recorder('ga', ['analytics']);
    const hub = hubWith([ga.tracker], { bufferSize: 5 });
    for (let i = 0; i < 20; i++) hub.track(`e${i}`);
    consent.acceptAll();
    expect(ga.calls).toEqual(['load', 'track e0', 'track e1', 'track e2', 'track e3', 'track e4']);
  });

  test('holds 100 calls by default', () => {
    const ga = recorder('ga', ['analytics']);
    const hub = hubWith([ga.tracker]);
    for (let i = 0; i < 150; i++) hub.track(`e${i}`);
    consent.acceptAll();
    expect(ga.calls.filter((c) => c.startsWith('track'))).toHaveLength(100);
  });

  test('is replayed only to the trackers that were in scope when each call was made (not another Member’s, after a single-page app moved to its page)', () => {
    let member = 'HarvardX';
    const platform = recorder('ga', ['analytics']);
    const harvardx = recorder('HarvardX-ga', ['analytics'], { owner: 'HarvardX' });
    const mitx = recorder('MITx-ga', ['analytics'], { owner: 'MITx' });
    const hub = hubWith([platform.tracker, harvardx.tracker, mitx.tracker], {
      inScope: (t) => t.owner == 'platform' || t.owner == member,
    });
    hub.page('harvardx course');
    hub.track('edx.course.enrollment.activated');
    member = 'MITx';
    hub.rescan();
    hub.page('mitx course');
    consent.acceptAll();
    expect(platform.calls).toEqual([
      'load',
      'page harvardx course',
      'track edx.course.enrollment.activated',
      'page mitx course',
    ]);
    expect(mitx.calls).toEqual(['load', 'page mitx course']);
    expect(harvardx.calls).toEqual([]);
  });

  test('is not replayed to a tracker unloaded as it started (its load, or its static tag, changed consent)', () => {
    const ga = recorder('ga', ['analytics'], {
      load: () => {
        ga.calls.push('load');
        consent.withdraw('analytics');
      },
    });
    const hub = hubWith([ga.tracker]);
    hub.page('course');
    consent.acceptAll();
    expect(ga.calls).toEqual(['load', 'unload']);
    expect(hub.loaded).toEqual([]);
  });

  test('is not replayed after a later change, and not kept once decided', () => {
    const ga = recorder('ga', ['analytics']);
    const ads = recorder('ads', ['marketing']);
    const hub = hubWith([ga.tracker, ads.tracker]);
    hub.track('before');
    consent.rejectAll();
    hub.track('after');
    consent.acceptAll();
    expect(ga.calls).toEqual(['load']);
    expect(ads.calls).toEqual(['load']);
  });
});

describe('a page the browser prerenders (speculation rules)', () => {
  let prerendering: boolean;
  /** The learner goes to the page: Chromium activates it. */
  const activate = () => {
    prerendering = false;
    document.dispatchEvent(new Event('prerenderingchange'));
  };
  beforeEach(() => {
    prerendering = true;
    // Document's own, as Chromium's (an element of the page named `prerendering` shadows it on the document).
    Object.defineProperty(Document.prototype, 'prerendering', { configurable: true, get: () => prerendering });
  });
  afterEach(() => {
    delete (Document.prototype as { prerendering?: boolean }).prerendering;
  });

  test('loads nothing until the learner goes to it, then replays the calls in order', () => {
    consent.acceptAll();
    const ga = recorder('ga', ['analytics']);
    const hub = hubWith([ga.tracker]);
    hub.page('home');
    hub.track('edx.ui.lms.link_clicked');
    hub.identify('learner-1');
    // A choice made meanwhile (in another tab), and a rescan, change nothing yet.
    consent.decide({ purposes: { marketing: true } });
    hub.rescan();
    expect(ga.calls).toEqual([]);
    expect(hub.loaded).toEqual([]);
    activate();
    expect(ga.calls).toEqual(['load', 'page home', 'track edx.ui.lms.link_clicked', 'identify learner-1']);
    expect(hub.loaded).toEqual(['ga']);
    hub.track('next');
    expect(ga.calls.slice(4)).toEqual(['track next']);
  });

  test('keeps the first `bufferSize` calls', () => {
    consent.acceptAll();
    const ga = recorder('ga', ['analytics']);
    const hub = hubWith([ga.tracker], { bufferSize: 2 });
    for (let i = 0; i < 5; i++) hub.track(`e${i}`);
    activate();
    expect(ga.calls).toEqual(['load', 'track e0', 'track e1']);
  });

  test('not decided when the learner goes to it: the calls wait for the decision, as on any page', () => {
    const ga = recorder('ga', ['analytics']);
    const hub = hubWith([ga.tracker]);
    hub.page('home');
    activate();
    expect(ga.calls).toEqual([]);
    consent.acceptAll();
    expect(ga.calls).toEqual(['load', 'page home']);
  });

  test('opt-out, not decided: the calls kept go to the trackers the defaults allow when the learner goes to it, and never to one granted later', () => {
    consent = createConsent({ policy: edxPolicy, storage: 'memory', mode: 'opt-out', signals: { gpc: true } });
    const ga = recorder('ga', ['analytics']);
    const ads = recorder('ads', ['marketing']);
    const hub = hubWith([ga.tracker, ads.tracker]);
    hub.page('home');
    expect(ga.calls).toEqual([]);
    activate();
    expect(ga.calls).toEqual(['load', 'page home']);
    hub.page('next');
    consent.decide({ purposes: { marketing: true } }, 'preferences');
    expect(ga.calls).toEqual(['load', 'page home', 'page next']);
    expect(ads.calls).toEqual(['load']);
  });

  test('a hub destroyed before the learner goes to the page does nothing then', () => {
    consent.acceptAll();
    const ga = recorder('ga', ['analytics']);
    const hub = hubWith([ga.tracker]);
    hub.page('home');
    hub.destroy();
    activate();
    expect(ga.calls).toEqual([]);
    expect(hub.loaded).toEqual([]);
  });
});

describe('isolation', () => {
  test('a throwing tracker does not stop the others, and is reported', () => {
    const bad = recorder('bad', ['analytics'], {
      page: () => {
        throw new Error('boom');
      },
    });
    const good = recorder('good', ['analytics']);
    const hub = hubWith([bad.tracker, good.tracker]);
    consent.acceptAll();
    expect(() => hub.page('home')).not.toThrow();
    expect(good.calls).toEqual(['load', 'page home']);
    expect(errors.map((e) => [e.code, e.issues[0]?.path])).toEqual([['tracker_failed', 'trackers.bad.page']]);
    expect(errors[0]!.cause).toEqual(new Error('boom'));
  });

  test('a tracker whose load fails is reported and left out; the others go on', async () => {
    const broken = recorder('broken', ['analytics'], { load: () => Promise.reject(new Error('blocked')) });
    const good = recorder('good', ['analytics']);
    const hub = hubWith([broken.tracker, good.tracker]);
    consent.acceptAll();
    await new Promise((r) => setTimeout(r));
    expect(hub.loaded).toEqual(['good']);
    hub.page('next');
    expect(broken.calls).toEqual([]);
    expect(good.calls).toEqual(['load', 'page next']);
    expect(errors.map((e) => e.issues[0]?.path)).toEqual(['trackers.broken.load']);
  });

  test('an onError that throws does not break the page', () => {
    const bad = recorder('bad', ['analytics'], {
      track: () => {
        throw new Error('boom');
      },
    });
    const hub = createHub({
      consent,
      trackers: [bad.tracker],
      googleConsentMode: false,
      onError: () => {
        throw new Error('reporter down');
      },
    });
    consent.acceptAll();
    expect(() => hub.track('x')).not.toThrow();
  });
});

describe('the CSP nonce', () => {
  const scripted = () =>
    recorder('ga', ['analytics'], { load: (ctx) => ctx.loadScript('data:text/javascript,') }).tracker;

  test('takes document.currentScript?.nonce as the README shows, and adds no nonce when there is none', async () => {
    createHub({ consent, trackers: [scripted()], googleConsentMode: false, nonce: document.currentScript?.nonce });
    consent.acceptAll();
    const script = document.querySelector('script[data-optin-script="ga"]');
    expect(script?.hasAttribute('nonce')).toBe(false);
    await new Promise((r) => setTimeout(r));
  });

  test('gives a nonce it is given to every script a tracker adds', async () => {
    createHub({ consent, trackers: [scripted()], googleConsentMode: false, nonce: 'n0nce' });
    consent.acceptAll();
    expect(document.querySelector<HTMLScriptElement>('script[data-optin-script="ga"]')?.nonce).toBe('n0nce');
    await new Promise((r) => setTimeout(r));
  });
});

describe('withdrawal', () => {
  test('unloads an unloadable tracker and removes the scripts it added', async () => {
    const ga = recorder('ga', ['analytics'], {
      load: (ctx) => ctx.loadScript('data:text/javascript,'),
    });
    const hub = hubWith([ga.tracker]);
    consent.acceptAll();
    expect(document.querySelectorAll('script[data-optin-script="ga"]')).toHaveLength(1);
    consent.withdraw('analytics');
    expect(ga.calls).toEqual(['unload']);
    expect(document.querySelectorAll('script[data-optin-script]')).toHaveLength(0);
    hub.page();
    expect(ga.calls).toEqual(['unload']);
    await new Promise((r) => setTimeout(r));
  });

  test('a tracker that cannot unload is told to stop what it can, reported as reloadRequired, and resumes if granted again', () => {
    const seg = recorder('segment', ['analytics'], { unloadable: false });
    const onReloadRequired = vi.fn();
    const hub = hubWith([seg.tracker], { onReloadRequired });
    consent.acceptAll();
    consent.withdraw('analytics');
    expect(hub.reloadRequired).toEqual(['segment']);
    expect(onReloadRequired).toHaveBeenCalledWith(['segment']);
    hub.track('ignored');
    consent.decide({ purposes: { analytics: true } });
    hub.track('resumed');
    expect(seg.calls).toEqual(['load', 'unload', 'track resumed']);
    expect(hub.reloadRequired).toEqual([]);
  });
  test("one whose unload returns 'reload' (it could not stop: a Meta pixel while another runs) is handled as one that cannot unload", async () => {
    let others = true;
    const pixel = recorder('pixel', ['marketing'], {
      load: (ctx) => ctx.loadScript('data:text/javascript,'),
      unload: () => (others ? 'reload' : undefined),
    });
    const onReloadRequired = vi.fn();
    const hub = hubWith([pixel.tracker], { onReloadRequired });
    consent.acceptAll();
    consent.withdraw('marketing');
    // Still running: its script stays, and only a reload stops it.
    expect(document.querySelectorAll('script[data-optin-script="pixel"]')).toHaveLength(1);
    expect(hub.reloadRequired).toEqual(['pixel']);
    expect(onReloadRequired).toHaveBeenCalledExactlyOnceWith(['pixel']);
    // Granted again before the reload, it resumes as it is.
    consent.decide({ purposes: { marketing: true } });
    hub.track('resumed');
    expect(pixel.calls).toEqual(['track resumed']);
    expect(hub.reloadRequired).toEqual([]);
    // One that could stop (it returns nothing) is unloaded as before.
    others = false;
    consent.withdraw('marketing');
    expect(document.querySelectorAll('script[data-optin-script]')).toHaveLength(0);
    expect(hub.reloadRequired).toEqual([]);
    expect(onReloadRequired).toHaveBeenCalledOnce();
    await new Promise((r) => setTimeout(r));
  });

  test("an unload that returns anything but 'reload' (false of a boolean expression, true, a number) has stopped its tracker", async () => {
    const stats = (id: string, answer: unknown) =>
      recorder(id, ['analytics'], {
        load: (ctx) => ctx.loadScript(`data:text/javascript,${id}`),
        // As one written for `=> void` may be: `unload: () => 'stats' in window && stats.optOut()`.
        unload: () => answer,
      });
    const trackers = [stats('no', false), stats('yes', true), stats('count', 1), stats('text', 'stopped')];
    const onReloadRequired = vi.fn();
    const hub = hubWith(
      trackers.map((t) => t.tracker),
      { onReloadRequired },
    );
    consent.acceptAll();
    consent.withdraw('analytics');
    expect(document.querySelectorAll('script[data-optin-script]')).toHaveLength(0);
    expect(hub.reloadRequired).toEqual([]);
    expect(onReloadRequired).not.toHaveBeenCalled();
    await new Promise((r) => setTimeout(r));
  });

  test('a tracker whose load rejected after adding its script is unloaded on withdrawal, its script taken out', async () => {
    const chat = recorder('chat', ['functionality'], {
      load: (ctx) => {
        void ctx.loadScript('data:text/javascript,');
        return Promise.reject(new Error('chat.start is not a function'));
      },
    });
    const hub = hubWith([chat.tracker]);
    consent.acceptAll();
    await new Promise((r) => setTimeout(r));
    expect(hub.loaded).toEqual([]);
    expect(errors.map((e) => e.issues[0]?.path)).toEqual(['trackers.chat.load']);
    expect(document.querySelectorAll('script[data-optin-script="chat"]')).toHaveLength(1);
    consent.withdraw('functionality');
    expect(chat.calls).toEqual(['unload']);
    expect(document.querySelectorAll('script[data-optin-script="chat"]')).toHaveLength(0);
    expect(hub.reloadRequired).toEqual([]);
  });

  test('one that cannot unload whose load rejected after adding its script is told to stop and listed in reloadRequired on withdrawal', async () => {
    const chat = recorder('chat', ['functionality'], {
      unloadable: false,
      load: (ctx) => {
        void ctx.loadScript('data:text/javascript,');
        return Promise.reject(new Error('chat.start is not a function'));
      },
    });
    const onReloadRequired = vi.fn();
    const hub = hubWith([chat.tracker], { onReloadRequired });
    consent.acceptAll();
    await new Promise((r) => setTimeout(r));
    consent.withdraw('functionality');
    expect(chat.calls).toEqual(['unload']);
    expect(hub.reloadRequired).toEqual(['chat']);
    expect(onReloadRequired).toHaveBeenCalledExactlyOnceWith(['chat']);
  });

  test('an event sent by a consent listener subscribed before the hub skips the tracker just withdrawn', () => {
    consent.decide({ purposes: { analytics: true, marketing: true } });
    const app: { hub?: ReturnType<typeof hubWith> } = {};
    // e.g. a banner or provider that records consent changes, subscribed before the hub exists
    consent.subscribe(() => app.hub?.track('consent_changed'));
    const pixel = recorder('pixel', ['marketing']);
    const ga = recorder('ga', ['analytics']);
    app.hub = hubWith([pixel.tracker, ga.tracker]);
    consent.withdraw('marketing');
    expect(pixel.calls).toEqual(['load', 'unload']);
    expect(ga.calls).toEqual(['load', 'track consent_changed']);
    expect(app.hub.loaded).toEqual(['ga']);
  });
});

describe('the stored decision, read again before each call', () => {
  test('is read again only when the page’s cookies changed since the last call (a read costs ~10 times the call), so a withdrawal another subdomain’s tab writes to the shared cookie still stops trackers at the next call', () => {
    const store = createConsent({ policy: edxPolicy, cookieDomain: 'optin.test' });
    store.decide({ purposes: { analytics: true } });
    const { tracker, calls } = recorder('ga', ['analytics']);
    const hub = createHub({ consent: store, trackers: [tracker], googleConsentMode: false });
    const refresh = vi.spyOn(store, 'refresh');
    hub.track('one');
    hub.track('two');
    hub.page();
    expect(refresh).toHaveBeenCalledTimes(1); // the first call: nothing read since the hub was made
    document.cookie = 'csrftoken=abc;Path=/'; // any change of the page's cookies: read again
    hub.track('three');
    expect(refresh).toHaveBeenCalledTimes(2);
    // A tab of learning.optin.test withdraws: it writes the cookie both share, and tells this tab nothing.
    const withdrawn = createConsent({ policy: edxPolicy, storage: 'memory' }).decide({
      purposes: { analytics: false },
    });
    document.cookie = `optin=${encodeDecision(withdrawn, edxPolicy)};Path=/;Domain=optin.test`;
    hub.track('after');
    expect(calls).toEqual(['load', 'track one', 'track two', 'page', 'track three', 'unload']);
    expect(hub.loaded).toEqual([]);
    hub.destroy();
    store.reset();
    store.dispose();
    document.cookie = 'csrftoken=;Path=/;Max-Age=0';
  });

  // Kept elsewhere than in the cookie, a change leaves the page's cookies as they were: read before every call.
  test('kept in localStorage (cookies refused), a withdrawal a same-origin frame writes and then calls the hub at once stops the tracker at that call', () => {
    const store = createConsent({ policy: edxPolicy, storage: 'localStorage' });
    store.decide({ purposes: { analytics: true } });
    const { tracker, calls } = recorder('ga', ['analytics']);
    const hub = createHub({ consent: store, trackers: [tracker], googleConsentMode: false });
    hub.track('one');
    // Its `storage` event reaches this document only in a later task, after the call.
    const withdrawn = createConsent({ policy: edxPolicy, storage: 'memory' }).decide({
      purposes: { analytics: false },
    });
    localStorage.setItem('optin', encodeDecision(withdrawn, edxPolicy));
    hub.track('after-withdrawal');
    expect(calls).toEqual(['load', 'track one', 'unload']);
    hub.destroy();
    store.dispose();
    localStorage.clear();
  });

  test('kept in localStorage, a grant older than 13 months stops the tracker at the next call (nothing expires it there)', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const store = createConsent({ policy: edxPolicy, storage: 'localStorage', mode: 'opt-in' });
    store.decide({ purposes: { analytics: true } });
    const { tracker, calls } = recorder('ga', ['analytics']);
    const hub = createHub({ consent: store, trackers: [tracker], googleConsentMode: false });
    hub.track('one');
    vi.setSystemTime(new Date('2027-02-15T00:00:00Z'));
    hub.track('after-expiry');
    expect(calls).toEqual(['load', 'track one', 'unload']);
    expect(store.needsPrompt).toBe(true);
    hub.destroy();
    store.dispose();
    localStorage.clear();
    vi.useRealTimers();
  });

  test('kept in a custom storage, a withdrawal written to it outside the page stops the tracker at the next call', () => {
    let value = '';
    const custom: ConsentStorage = {
      kind: 'custom',
      read: () => [value],
      write: (v) => ((value = v), true),
      clear: () => void (value = ''),
    };
    const store = createConsent({ policy: edxPolicy, storage: custom });
    store.decide({ purposes: { analytics: true } });
    const { tracker, calls } = recorder('ga', ['analytics']);
    const hub = createHub({ consent: store, trackers: [tracker], googleConsentMode: false });
    hub.track('one');
    const withdrawn = createConsent({ policy: edxPolicy, storage: 'memory' }).decide({
      purposes: { analytics: false },
    });
    value = encodeDecision(withdrawn, edxPolicy);
    hub.track('after-withdrawal');
    expect(calls).toEqual(['load', 'track one', 'unload']);
    hub.destroy();
    store.dispose();
  });
});

describe('Google Consent Mode v2', () => {
  const commands = () =>
    ((window as { dataLayer?: IArguments[] }).dataLayer ?? []).map((args) => [...args] as unknown[]);

  test('the default (with regions and wait_for_update) comes before any tag, then an update on every change', () => {
    const tag = recorder('ga', ['analytics'], {
      load: () => void (window as { dataLayer?: unknown[] }).dataLayer?.push(['tag loaded']),
    });
    createHub({
      consent,
      trackers: [tag.tracker],
      googleConsentMode: { waitForUpdate: 800, regions: [{ region: ['US-CA'], analytics_storage: 'granted' }] },
    });
    consent.decide({ purposes: { analytics: true } });
    consent.withdraw('analytics');
    const list = commands();
    // Narrowed to what the store allows now: nothing is decided yet (opt-in), so analytics is refused.
    expect(list[0]).toEqual(['consent', 'default', { region: ['US-CA'], analytics_storage: 'denied' }]);
    expect(list[1]).toEqual([
      'consent',
      'default',
      expect.objectContaining({
        analytics_storage: 'denied',
        ad_storage: 'denied',
        security_storage: 'granted',
        wait_for_update: 800,
      }),
    ]);
    expect(list[2]).toEqual([
      'consent',
      'update',
      expect.objectContaining({ analytics_storage: 'granted', ad_storage: 'denied' }),
    ]);
    expect(list[3]).toEqual(['tag loaded']);
    expect(list[4]).toEqual(['consent', 'update', expect.objectContaining({ analytics_storage: 'denied' })]);
  });

  test('a regional default grants no signal the store refuses now (opt-out, GPC, no decision: no update follows)', () => {
    consent = createConsent({ policy: edxPolicy, storage: 'memory', mode: 'opt-out', signals: { gpc: true } });
    const granted = {
      ad_storage: 'granted',
      ad_user_data: 'granted',
      ad_personalization: 'granted',
      analytics_storage: 'granted',
    } as const;
    createHub({ consent, trackers: [], googleConsentMode: { regions: [{ region: ['US'], ...granted }] } });
    const list = commands();
    expect(list[0]).toEqual([
      'consent',
      'default',
      expect.objectContaining({
        region: ['US'],
        ad_storage: 'denied',
        ad_user_data: 'denied',
        ad_personalization: 'denied',
        analytics_storage: 'granted',
      }),
    ]);
    expect(list.map((c) => c[1])).toEqual(['default', 'default']);
  });

  test('a returning learner’s choice is pushed as an update right after the default', () => {
    consent.acceptAll();
    createHub({ consent, trackers: [] });
    expect(commands().map((c) => [c[1], (c[2] as Record<string, unknown>).ad_storage])).toEqual([
      ['default', 'granted'],
      ['update', 'granted'],
    ]);
  });

  test('can be turned off', () => {
    hubWith([]);
    expect((window as { dataLayer?: unknown[] }).dataLayer).toBeUndefined();
  });
});

describe('scope and context (for Member-scoped pages)', () => {
  test('a tracker out of scope gets nothing, is unloaded, keeps its cookies; one that cannot unload asks for a reload', () => {
    let inCourse = true;
    const member = recorder('HarvardX/ga4', ['analytics'], {
      owner: 'HarvardX',
      cookies: [{ name: '_hx', purpose: 'analytics', lifetime: '2y', party: 'first' }],
    });
    const stuck = recorder('HarvardX/pixel', ['analytics'], { owner: 'HarvardX', unloadable: false });
    const onReloadRequired = vi.fn();
    const hub = hubWith([member.tracker, stuck.tracker], { inScope: () => inCourse, onReloadRequired });
    consent.acceptAll();
    document.cookie = '_hx=1; Path=/';
    inCourse = false;
    hub.rescan();
    hub.page('dashboard');
    expect(hub.loaded).toEqual([]);
    expect(member.calls).toEqual(['load', 'unload']);
    expect(stuck.calls).toEqual(['load', 'unload']);
    expect(document.cookie).toContain('_hx=1');
    // Its script would go on recording another Member's pages: only a reload stops it.
    expect(hub.reloadRequired).toEqual(['HarvardX/pixel']);
    expect(onReloadRequired).toHaveBeenCalledExactlyOnceWith(['HarvardX/pixel']);
    hub.rescan();
    expect(onReloadRequired).toHaveBeenCalledOnce();
    // Back in scope before the reload: reused as it is, and no longer listed.
    inCourse = true;
    hub.rescan();
    hub.page('course');
    expect(stuck.calls).toEqual(['load', 'unload', 'page course']);
    expect(member.calls).toEqual(['load', 'unload', 'load', 'page course']);
    expect(hub.reloadRequired).toEqual([]);
    inCourse = false;
    hub.rescan();
    expect(onReloadRequired).toHaveBeenCalledTimes(2);
  });

  test('every event carries the context of the moment it was called', () => {
    let course = 'course-v1:HarvardX+CS50+2026';
    const seen: HubEvent[] = [];
    const ga = recorder('ga', ['analytics'], { track: (e) => void seen.push(e) });
    const hub = hubWith([ga.tracker], { context: () => ({ course: { id: course } }) });
    hub.track('before');
    course = 'course-v1:MITx+6.00x+2026';
    consent.acceptAll();
    hub.track('after');
    expect(seen.map((e) => e.context)).toEqual([
      { course: { id: 'course-v1:HarvardX+CS50+2026' } },
      { course: { id: 'course-v1:MITx+6.00x+2026' } },
    ]);
  });

  test('two live hubs listing one tracker, in scope for one of them alone, leave it running; neither asks for a reload as it is created', () => {
    consent.acceptAll();
    const onReloadRequired = vi.fn();
    const shell = hubWith([ga4({ id: 'G-SHELL01' }), hotjar({ siteId: 1234567 })], { onReloadRequired });
    // A second micro-frontend's hub on the same page, with the same trackers out of its scope (a Member-scoped one).
    const other = hubWith([ga4({ id: 'G-SHELL01' }), hotjar({ siteId: 1234567 })], {
      onReloadRequired,
      inScope: () => false,
    });
    expect((window as unknown as Record<string, unknown>)['ga-disable-G-SHELL01']).toBe(false);
    expect(document.querySelectorAll('script[data-optin-script="ga4"]')).toHaveLength(1);
    expect(shell.loaded).toEqual(['ga4', 'hotjar']);
    expect([shell.reloadRequired, other.reloadRequired]).toEqual([[], []]);
    expect(onReloadRequired).not.toHaveBeenCalled();
    other.rescan();
    expect((window as unknown as Record<string, unknown>)['ga-disable-G-SHELL01']).toBe(false);
    expect(onReloadRequired).not.toHaveBeenCalled();
  });

  test('a hub created after destroy() resumes what the old one left running, and does not stop it though consent or scope no longer allows it (a limit); it is never asked for a reload as it is created', async () => {
    let inCourse = true;
    const tracker = (id: string, overrides: Partial<Tracker> = {}) =>
      recorder(id, ['analytics'], { load: (ctx) => ctx.loadScript(`data:text/javascript,${id}`), ...overrides });
    const ga = tracker('ga');
    const recording = tracker('recording', { unloadable: false });
    const member = tracker('HarvardX-ga', { owner: 'HarvardX' });
    const onReloadRequired = vi.fn();
    const options = { inScope: (t: Tracker) => t.owner == 'platform' || inCourse, onReloadRequired };
    consent.acceptAll();
    hubWith([ga.tracker, recording.tracker, member.tracker], options).destroy();
    // Taken over as it is: nothing loaded a second time.
    const resumed = hubWith([ga.tracker, recording.tracker, member.tracker], options);
    expect(resumed.loaded).toEqual(['ga', 'recording', 'HarvardX-ga']);
    resumed.destroy();
    // Nobody follows consent or scope meanwhile (an app between two mounts, or moving to another Member's page).
    consent.withdraw('analytics', 'platform');
    inCourse = false;
    // `hub` read in onReloadRequired: a call during createHub would throw (it is not assigned yet).
    const hub = hubWith([ga.tracker, recording.tracker, member.tracker], {
      ...options,
      onReloadRequired: (ids) => onReloadRequired(ids, hub.reloadRequired),
    });
    // None told to unload (`load` is theirs, so it is not recorded).
    expect([ga.calls, recording.calls, member.calls]).toEqual([[], [], []]);
    expect(document.querySelectorAll('script[data-optin-script]')).toHaveLength(3);
    expect([hub.loaded, hub.reloadRequired]).toEqual([[], []]);
    hub.rescan();
    expect(onReloadRequired).not.toHaveBeenCalled();
    await new Promise((r) => setTimeout(r));
  });

  test('destroy stops following consent', () => {
    const ga = recorder('ga', ['analytics']);
    const hub = hubWith([ga.tracker]);
    hub.destroy();
    consent.acceptAll();
    expect(ga.calls).toEqual([]);
  });
});

describe('gtm data layers', () => {
  test('the platform’s container uses dataLayer, a Member’s its own, a configured name wins; each gets its events only', async () => {
    const w = window as unknown as Record<string, Record<string, unknown>[] | undefined>;
    const trackers = [
      gtm({ id: 'GTM-EDX1' }),
      gtm({ id: 'GTM-HX1', owner: 'HarvardX' }),
      gtm({ id: 'GTM-MIT1', owner: 'MITx', dataLayer: 'mitLayer' }),
    ];
    const hub = hubWith(trackers);
    consent.acceptAll();
    hub.page();
    expect([...document.querySelectorAll<HTMLScriptElement>('script[data-optin-script]')].map((s) => s.src)).toEqual([
      'https://www.googletagmanager.com/gtm.js?id=GTM-EDX1&l=dataLayer',
      'https://www.googletagmanager.com/gtm.js?id=GTM-HX1&l=dataLayer_HarvardX$2gtm',
      'https://www.googletagmanager.com/gtm.js?id=GTM-MIT1&l=mitLayer',
    ]);
    for (const name of ['dataLayer', 'dataLayer_HarvardX$2gtm', 'mitLayer'])
      expect(w[name]?.map((m) => m.event)).toEqual(['gtm.js', 'optin.page']);
    delete w.dataLayer_HarvardX$2gtm;
    delete w.mitLayer;
    await new Promise((r) => setTimeout(r));
  });

  test('Members whose ids differ only by "-", "/", "." or "_" get layers of their own: none sees another’s events', async () => {
    const w = window as unknown as Record<string, Record<string, unknown>[] | undefined>;
    // As defineMember issues them (`<member>/<tracker>`), and as the adapter names one (`<owner>-gtm`).
    const member = (owner: string, id: string, container: string) => ({ ...gtm({ id: container }), id, owner });
    const trackers = [
      member('Harvard', 'Harvard/X-gtm', 'GTM-HA1'),
      member('Harvard-X', 'Harvard-X/gtm', 'GTM-HX1'),
      gtm({ id: 'GTM-HX2', owner: 'Harvard-X' }),
      member('Harvard_X', 'Harvard_X/gtm', 'GTM-HX3'),
      member('Harvard.X', 'Harvard.X/gtm', 'GTM-HX4'),
    ];
    const hub = hubWith(trackers);
    consent.acceptAll();
    hub.page();
    const layers = [...document.querySelectorAll<HTMLScriptElement>('script[data-optin-script]')].map(
      (s) => new URL(s.src).searchParams.get('l') ?? '',
    );
    expect(new Set(layers).size).toBe(trackers.length);
    for (const name of layers) expect(w[name]?.map((m) => m.event)).toEqual(['gtm.js', 'optin.page']);
    for (const name of layers) Reflect.deleteProperty(w, name);
    await new Promise((r) => setTimeout(r));
  });
});

test('a null or undefined entry on `dataLayer` (GTM skips them) neither throws into the page nor stops a Member’s container', async () => {
  const w = window as unknown as Record<string, unknown[] | undefined>;
  const layer: unknown[] = [null];
  w.dataLayer = layer;
  const hub = hubWith([gtm({ id: 'GTM-HX1', owner: 'HarvardX' })], { onError: (e) => errors.push(e) });
  const errors: unknown[] = [];
  consent.acceptAll();
  expect(document.querySelectorAll('script[data-optin-script]')).toHaveLength(1);
  const before = layer.length;
  expect(() => layer.push(undefined)).not.toThrow();
  expect([layer.length, layer.at(-1)]).toEqual([before + 1, undefined]);
  expect(errors).toEqual([]);
  hub.destroy();
  delete w.dataLayer;
  delete w.dataLayer_HarvardX$2gtm;
  await new Promise((r) => setTimeout(r));
});

test('a Member’s container configured onto `dataLayer` gets a layer of its own: never the platform’s events or Consent Mode', async () => {
  const w = window as unknown as Record<string, unknown[] | undefined>;
  const hub = hubWith([gtm({ id: 'GTM-EDX1' }), gtm({ id: 'GTM-HX1', owner: 'HarvardX', dataLayer: 'dataLayer' })], {
    googleConsentMode: {},
  });
  consent.decide({ purposes: { analytics: true, marketing: true } });
  hub.page();
  expect([...document.querySelectorAll<HTMLScriptElement>('script[data-optin-script]')].map((s) => s.src)).toEqual([
    'https://www.googletagmanager.com/gtm.js?id=GTM-EDX1&l=dataLayer',
    'https://www.googletagmanager.com/gtm.js?id=GTM-HX1&l=dataLayer_HarvardX$2gtm',
  ]);
  // Its layer: Consent Mode narrowed to what it declares (analytics), its own events.
  const own = (w.dataLayer_HarvardX$2gtm ?? []) as Record<PropertyKey, unknown>[];
  expect(own.filter((m) => m[0] === 'consent').map((m) => (m[2] as Record<string, string>).ad_storage)).not.toContain(
    'granted',
  );
  expect(own.filter((m) => m.event === 'optin.page')).toHaveLength(1);
  expect((w.dataLayer ?? []).filter((m) => (m as Record<string, unknown>).event === 'optin.page')).toHaveLength(1);
  delete w.dataLayer_HarvardX$2gtm;
  await new Promise((r) => setTimeout(r));
});

test('a Member’s container taken over by a hub made anew (another bundle, its own tracker objects) stays on its own layer', () => {
  const w = window as unknown as Record<string, Record<PropertyKey, unknown>[] | undefined>;
  const trackers = () => [gtm({ id: 'GTM-EDX1' }), gtm({ id: 'GTM-HX1', owner: 'HarvardX' })];
  consent.decide({ purposes: { analytics: true } });
  hubWith(trackers()).destroy();
  // The containers' scripts are in the page: the new hub takes them over without loading them again.
  const hub = hubWith(trackers());
  hub.page();
  hub.track('edx.course.enrollment.activated');
  const events = (layer: string) => (w[layer] ?? []).map((m) => m.event).filter(Boolean);
  expect(events('dataLayer')).toEqual(['gtm.js', 'optin.page', 'edx.course.enrollment.activated']);
  expect(events('dataLayer_HarvardX$2gtm')).toEqual(['gtm.js', 'optin.page', 'edx.course.enrollment.activated']);
  // Withdrawn, it is denied on its own layer, not on the platform's.
  consent.withdraw('analytics', 'HarvardX');
  expect((w.dataLayer ?? []).filter((m) => m[0] === 'consent')).toEqual([]);
  expect(
    (w.dataLayer_HarvardX$2gtm ?? [])
      .filter((m) => m[0] === 'consent')
      .map((m) => (m[2] as Record<string, string>).analytics_storage),
  ).toEqual(['denied']);
  delete w.dataLayer_HarvardX$2gtm;
});

test('a Member’s container taken over by a hub made anew, withdrawn: the platform’s later Consent Mode commands reach its layer denied', () => {
  const w = window as unknown as Record<string, Record<PropertyKey, unknown>[] | undefined>;
  const trackers = () => [gtm({ id: 'GTM-EDX1' }), gtm({ id: 'GTM-HX1', owner: 'HarvardX' })];
  consent.decide({ purposes: { analytics: true } });
  // The first hub loaded the container: its copy of the platform's commands onto HarvardX's layer stays.
  hubWith(trackers(), { googleConsentMode: {} }).destroy();
  hubWith(trackers(), { googleConsentMode: {} });
  consent.withdraw('analytics', 'HarvardX');
  const seen = (w.dataLayer_HarvardX$2gtm ?? []).length;
  consent.decide({ purposes: { analytics: true, marketing: true } }, 'preferences');
  const later = (w.dataLayer_HarvardX$2gtm ?? []).slice(seen).filter((m) => m[0] === 'consent');
  expect(later.length).toBeGreaterThan(0);
  expect(later.map((m) => (m[2] as Record<string, string>).analytics_storage)).not.toContain('granted');
  delete w.dataLayer_HarvardX$2gtm;
});

describe('onNavigate', () => {
  test('calls back on pushState, replaceState and back/forward to another URL, until stopped', () => {
    const seen: string[] = [];
    const stop = onNavigate(() => seen.push(location.pathname));
    history.pushState({}, '', '/a');
    history.replaceState({}, '', '/b');
    // The state alone: the page is where it was.
    history.replaceState({ scroll: 1 }, '');
    // Back, as the browser does it: the URL changes, then popstate.
    (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL('https://www.optin.test/a');
    dispatchEvent(new PopStateEvent('popstate'));
    dispatchEvent(new PopStateEvent('popstate'));
    stop();
    history.pushState({}, '', '/c');
    expect(seen).toEqual(['/a', '/b', '/a']);
  });

  test('two copies of the module on one page (two bundles) still call back once a navigation', async () => {
    // A second instance of the module, as a second micro-frontend's bundle would carry.
    const second = '../src/on-navigate.js?second-bundle';
    const copy = (await import(/* @vite-ignore */ second)) as typeof import('../src/on-navigate.js');
    const seen: string[] = [];
    const stops = [onNavigate(() => seen.push('first')), copy.onNavigate(() => seen.push('second'))];
    history.pushState({}, '', '/d');
    history.replaceState({}, '', '/e');
    for (const stop of stops) stop();
    expect(seen).toEqual(['first', 'second', 'first', 'second']);
  });
});

describe('a Member’s GA4 on the page-wide dataLayer', () => {
  test('is configured without Google signals or ad personalization (it declares analytics only); the platform’s follows Consent Mode', async () => {
    const configs = () =>
      ((window as { dataLayer?: IArguments[] }).dataLayer ?? [])
        .filter((c) => c[0] === 'config')
        .map((c) => [c[1], c[2]] as [string, Record<string, unknown>]);
    const hub = hubWith([
      ga4({ id: 'G-PLAT' }),
      ga4({ id: 'G-HX', owner: 'HarvardX', cookiePrefix: 'hx', config: { allow_google_signals: true } }),
      // Declared without an owner and re-issued under the Member, as defineMember (@optin/members) does.
      { ...ga4({ id: 'G-MX', cookiePrefix: 'mx' }), id: 'MITx/ga4', owner: 'MITx' },
    ]);
    consent.decide({ purposes: { analytics: true, marketing: true }, members: { HarvardX: { marketing: false } } });
    hub.identify('learner-1');
    const off = { allow_google_signals: false, allow_ad_personalization_signals: false };
    const list = configs();
    expect(list.filter(([id]) => id === 'G-PLAT').map(([, c]) => c)).toEqual([
      { send_page_view: false },
      { send_page_view: false, user_id: 'learner-1' },
    ]);
    for (const id of ['G-HX', 'G-MX']) {
      const own = list.filter(([at]) => at === id).map(([, c]) => c);
      expect(own).toHaveLength(2);
      for (const config of own) expect(config).toMatchObject(off);
    }
    await new Promise((r) => setTimeout(r));
  });
});

describe('replayed page views and pixels that read the URL themselves', () => {
  afterEach(() => {
    for (const name of ['fbq', '_fbq', 'lintrk', '_linkedin_data_partner_ids', '_wait_for_lintrk'])
      Reflect.deleteProperty(window, name);
  });

  test('Meta and LinkedIn get no replayed view of a page the learner has left (they would count the current page); GA4-like trackers do', async () => {
    history.replaceState({}, '', '/courses/course-v1:HarvardX+CS50+2026/about');
    const hub = hubWith([meta({ id: '1234567890' }), linkedin({ partnerId: '555' })]);
    hub.page();
    history.pushState({}, '', '/courses/course-v1:HarvardX+CS50+2026/courseware');
    hub.page();
    consent.acceptAll();
    const w = window as unknown as { fbq: { queue: IArguments[] }; lintrk: { q: unknown[][] } };
    expect(w.fbq.queue.map((a) => [...a]).filter((a) => a[0] === 'trackSingle')).toEqual([
      ['trackSingle', '1234567890', 'PageView'],
    ]);
    expect(w.lintrk.q.filter((a) => a[0] === 'track')).toHaveLength(1);
    hub.page();
    expect(w.fbq.queue.map((a) => [...a]).filter((a) => a[0] === 'trackSingle')).toHaveLength(2);
    expect(w.lintrk.q.filter((a) => a[0] === 'track')).toHaveLength(2);
    // The page it is on, whatever url the view carries: one without its #fragment (as @optin/analytics
    // gives it), or a canonical one the page passes.
    history.replaceState({}, '', '/courses/course-v1:HarvardX+CS50+2026/courseware#unit-2');
    hub.page(undefined, { url: 'https://www.edx.org/courses/course-v1:HarvardX+CS50+2026/courseware' });
    expect(w.fbq.queue.map((a) => [...a]).filter((a) => a[0] === 'trackSingle')).toHaveLength(3);
    expect(w.lintrk.q.filter((a) => a[0] === 'track')).toHaveLength(3);
    await new Promise((r) => setTimeout(r));
  });
});

describe('review fixes', () => {
  test('a third-party tracker declared for a required purpose (always on) is refused: it would load before any decision', () => {
    const error = (() => {
      try {
        hubWith([gtm({ id: 'GTM-NEC1', purposes: ['analytics', 'necessary'] })]);
      } catch (e) {
        return e as TrackerError;
      }
    })();
    expect(error?.code).toBe('invalid_tracker');
    expect(error?.issues.map((i) => i.path)).toEqual(['trackers.gtm.purposes[1]']);
    expect(document.querySelectorAll('script')).toHaveLength(0);
    // A first-party one may (the platform's own, e.g. a CSRF cookie's).
    expect(() => hubWith([recorder('own', ['necessary'], { party: 'first' }).tracker]).destroy()).not.toThrow();
  });

  test('a call a consent listener subscribed before the hub makes right after the first decision reaches the tracker granted by it', () => {
    const { tracker, calls } = recorder('a', ['analytics']);
    const app: { hub?: ReturnType<typeof hubWith> } = {};
    consent.subscribe(() => app.hub?.track('consent_changed'));
    const hub = (app.hub = hubWith([tracker]));
    consent.acceptAll();
    expect(calls).toEqual(['load', 'track consent_changed']);
    hub.destroy();
    // Destroyed, it follows consent no more: a later call loads nothing.
    const other = recorder('b', ['marketing']);
    consent.decide({ purposes: { marketing: false } });
    const destroyed = hubWith([other.tracker]);
    destroyed.destroy();
    consent.decide({ purposes: { marketing: true } });
    destroyed.track('later');
    expect(other.calls).toEqual([]);
  });

  test('a tracker whose load throws at once gets none of the calls kept until the decision', () => {
    const { tracker, calls } = recorder('a', ['analytics'], {
      load: () => {
        throw new Error('config missing');
      },
    });
    const hub = hubWith([tracker]);
    hub.page();
    consent.acceptAll();
    expect(calls).toEqual([]);
    expect(hub.loaded).toEqual([]);
    expect(errors.map((e) => `${e.code} ${e.issues[0]?.path}`)).toEqual(['tracker_failed trackers.a.load']);
    hub.destroy();
  });

  test('ga4 given cookie_prefix in config declares the prefixed cookies (deleted on withdrawal)', () => {
    const names = ga4({ id: 'G-EDX1', config: { cookie_prefix: 'edx' } }).cookies.map((c) => c.name);
    expect(names).toEqual(['edx_ga', 'edx_ga_EDX1']);
  });

  test('two Members whose ids differ by "." and "-" get two GTM data layers', async () => {
    const srcs: string[] = [];
    const ctx = { loadScript: (src: string) => (srcs.push(src), Promise.resolve(true)) };
    for (const owner of ['Harvard.X', 'Harvard-X']) {
      const t = gtm({ id: 'GTM-HX1', owner });
      await t.load?.call(t, ctx);
    }
    const layers = srcs.map((src) => new URL(src).searchParams.get('l'));
    expect(new Set(layers).size).toBe(2);
    for (const l of layers) expect(l).toMatch(/^[A-Za-z_$][\w$]*$/);
  });

  test('a consent re-read that changes nothing (a tab switch) neither pushes a Consent Mode update nor re-syncs the hub', () => {
    const store = createConsent({ policy: edxPolicy }); // the cookie, re-read on focus
    store.acceptAll();
    let member = 'HarvardX';
    const reloads: string[][] = [];
    const { tracker, calls } = recorder('HarvardX/gtm', ['analytics'], { owner: 'HarvardX', unloadable: false });
    const hub = createHub({
      consent: store,
      trackers: [tracker],
      inScope: (t) => t.owner == member,
      onReloadRequired: (ids) => reloads.push([...ids]),
    });
    const updates = () =>
      (window as unknown as { dataLayer: IArguments[] }).dataLayer.filter((a) => a[0] == 'consent' && a[1] == 'update');
    const before = updates().length;
    // The app on another Member's course, relying on the hub's check of each call (no rescan).
    member = 'MITx';
    for (let i = 0; i < 3; i++) {
      window.dispatchEvent(new Event('focus'));
      hub.track('click');
    }
    expect(updates()).toHaveLength(before);
    expect(reloads).toEqual([]);
    expect(calls).toEqual(['load']);
    hub.destroy();
    store.dispose();
  });

  test('a Meta pixel refused at load (it never ran) asks for no reload when out of scope, and loads when back in it', () => {
    consent.acceptAll();
    let member = 'HarvardX';
    const reloads: string[][] = [];
    const hub = hubWith([meta({ id: '222', owner: 'HarvardX' }), meta({ id: '333', owner: 'MITx' })], {
      inScope: (t) => t.owner == member,
      onReloadRequired: (ids) => reloads.push([...ids]),
    });
    member = 'MITx';
    hub.rescan(); // HarvardX's pixel stopped (Meta revoked); MITx's refused: it would turn HarvardX's back on
    expect(errors.map((e) => e.issues[0]?.message)).toEqual(['Error: pixel 222 is off']);
    member = 'HarvardX';
    hub.rescan();
    expect(hub.loaded).toEqual(['HarvardX-meta']);
    expect(reloads).toEqual([]);
    expect(hub.reloadRequired).toEqual([]);
    hub.destroy();
    delete (window as { fbq?: unknown }).fbq;
    delete (window as { _fbq?: unknown })._fbq;
  });

  test('a consent listener subscribed before the hub sends after a refusal that leaves no decision in force (opt-out, an earlier policy version): Consent Mode hears the refusal first', () => {
    localStorage.clear();
    const store = createConsent({ policy: edxPolicy, storage: 'localStorage', mode: 'opt-out' });
    const layer: unknown[] = ((window as unknown as { dataLayer: unknown[] }).dataLayer = []);
    // (Subscribed first: the hub is made after it, and told through it.)
    const app: { hub?: ReturnType<typeof createHub> } = {};
    store.subscribe(() => app.hub?.track('preferences_changed'));
    const hub = (app.hub = createHub({
      consent: store,
      trackers: [gtm({ id: 'GTM-ABC' })],
      onError: (e) => errors.push(e),
    }));
    layer.length = 0;
    // A store of the page still on the earlier policy version refuses marketing: its refusal counts here,
    // though it is no decision in force under this version.
    const old = createConsent({
      policy: { ...edxPolicy, version: '2026-10' },
      storage: 'localStorage',
      mode: 'opt-out',
    });
    old.decide({ purposes: { marketing: false } });
    expect(store.decision).toBeNull();
    expect(store.allows('marketing')).toBe(false);
    const order = layer.map((e) =>
      'event' in (e as object)
        ? `event ${(e as { event: string }).event}`
        : `${[...(e as IArguments)].slice(0, 2).join(' ')} ${String(((e as IArguments)[2] as { ad_storage?: string }).ad_storage)}`,
    );
    expect(order.slice(0, 2)).toEqual(['consent update denied', 'event preferences_changed']);
    hub.destroy();
    store.dispose();
    old.dispose();
    localStorage.clear();
  });
});

// An element named like a property of the document (`<img name="cookie">`, `<form name="scripts">`: the
// document's named properties, which a course's HTML or a learner's forum post may hold) shadows it on `document`.
describe('elements of the page named like document properties', () => {
  test.each(['cookie', 'scripts', 'prerendering', 'querySelectorAll', 'createElement'])(
    '<img name="%s">: the hub is made, starts what is granted (its static tag too), and a withdrawal deletes its cookies, takes its tag out and asks for a reload',
    (name) => {
      const cookies = () => Reflect.get(Document.prototype, 'cookie', document);
      const copies = () => document.body.querySelectorAll('script[type=""]');
      document.body.innerHTML = '<script type="text/plain" data-optin-tracker="seg"></script>';
      const seg = recorder('seg', ['analytics'], {
        unloadable: false,
        cookies: [{ name: 'seg_id', purpose: 'analytics', lifetime: '1y', party: 'first' }],
      });
      const onReloadRequired = vi.fn();
      Object.defineProperty(document, name, { configurable: true, value: document.createElement('img') });
      try {
        const hub = hubWith([seg.tracker], { onReloadRequired });
        consent.acceptAll();
        expect(hub.loaded).toEqual(['seg']);
        expect(copies()).toHaveLength(1);
        // Its cookie (set through Document's own setter: the element may shadow document.cookie).
        Reflect.set(Document.prototype, 'cookie', 'seg_id=1;Path=/', document);
        expect(cookies()).toContain('seg_id=1');
        consent.withdraw('analytics');
        expect(onReloadRequired).toHaveBeenCalledExactlyOnceWith(['seg']);
        expect(copies()).toHaveLength(0);
        // (happy-dom may list a cookie deleted this millisecond, without its value, for that millisecond.)
        expect(cookies()).not.toContain('seg_id=1');
        expect(errors).toEqual([]);
      } finally {
        Reflect.deleteProperty(document, name);
        document.body.innerHTML = '';
      }
    },
  );
});
