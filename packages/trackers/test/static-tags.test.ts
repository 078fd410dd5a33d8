// @vitest-environment happy-dom
// @vitest-environment-options {"url":"https://www.optin.test/courses/course-v1:HarvardX+CS50+2026/"}
// A file of its own: no hub of another test observes the document (each would take these tags for unknown ones).
import { createConsent, edxPolicy } from '@optin/consent';
import { afterEach, describe, expect, test } from 'vitest';
import { createHub, type Tracker } from '../src/index.js';
import { applyStaticTags } from '../src/static-tags.js';

const hubspot = (unloadable: boolean): Tracker => ({
  id: 'hubspot',
  owner: 'platform',
  purposes: ['marketing'],
  party: 'third',
  vendor: { name: 'HubSpot', privacyUrl: 'https://legal.hubspot.com/privacy-policy' },
  cookies: [],
  hosts: ['js.hs-scripts.com', 'track.hubspot.com'],
  unloadable,
});

const addTag = () => {
  const tag = document.createElement('script');
  tag.type = 'text/plain';
  tag.dataset.optinTracker = 'hubspot';
  tag.text = 'window.__runs = (window.__runs || 0) + 1;';
  document.body.append(tag);
  return tag;
};
/** The copies of static tags in the page: each one inserted is one run of the tag (happy-dom runs no script). */
const copies = () => [...document.querySelectorAll('script[data-optin-tracker]:not([type="text/plain"])')];

afterEach(() => {
  document.body.innerHTML = '';
});

describe('static tags', () => {
  test('of a tracker that unloads: its copy is taken out on withdrawal, and a new one runs when granted again', async () => {
    const consent = createConsent({ policy: edxPolicy, storage: 'memory' });
    addTag();
    const hub = createHub({ consent, trackers: [hubspot(true)], googleConsentMode: false });
    consent.acceptAll();
    const [copy] = copies();
    consent.withdraw('marketing');
    expect(copies()).toEqual([]);
    consent.acceptAll();
    await new Promise((r) => setTimeout(r));
    expect(copies()).toHaveLength(1);
    expect(copies()[0]).not.toBe(copy);
    hub.destroy();
  });

  test('an iframe of a tracker that cannot unload is still emptied on withdrawal', () => {
    const consent = createConsent({ policy: edxPolicy, storage: 'memory' });
    const frame = document.createElement('iframe');
    frame.dataset.optinTracker = 'hubspot';
    frame.dataset.src = 'https://track.hubspot.com/frame.html';
    document.body.append(frame);
    const hub = createHub({ consent, trackers: [hubspot(false)], googleConsentMode: false });
    consent.acceptAll();
    expect(frame.getAttribute('src')).toBe('https://track.hubspot.com/frame.html');
    consent.withdraw('marketing');
    expect(frame.getAttribute('src')).toBe('about:blank');
    hub.destroy();
  });

  test('two bundles, each with its own copy of the module, agree on the tags that ran', async () => {
    const second = '../src/static-tags.js?second-bundle';
    const other = (await import(/* @vite-ignore */ second)) as typeof import('../src/static-tags.js');
    addTag();
    applyStaticTags(() => true);
    const [copy] = copies();
    expect(copy).toBeDefined();
    other.applyStaticTags(() => true);
    expect(copies()).toEqual([copy]);
    // And the other copy takes out what the first inserted.
    other.applyStaticTags(() => false);
    expect(copies()).toEqual([]);
  });

  test("two hubs on a page (two apps): one leaves alone a tag of a tracker it does not have, the other's runs once", async () => {
    const consent = createConsent({ policy: edxPolicy, storage: 'memory' });
    addTag();
    const errors: unknown[] = [];
    const owner = createHub({ consent, trackers: [hubspot(true)], googleConsentMode: false });
    const other = createHub({ consent, trackers: [], googleConsentMode: false, onError: (e) => errors.push(e) });
    consent.acceptAll();
    // Each hub's MutationObserver answers the other's changes: before, they took the copy out and put a
    // new one in, in turn, for ever.
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r));
    expect(copies()).toHaveLength(1);
    const [copy] = copies();
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r));
    expect(copies()).toEqual([copy]);
    owner.destroy();
    other.destroy();
  });

  test('two live hubs that disagree on a tag (one has its tracker on, the other out of scope) leave the one copy alone: no endless take-out and put-back', async () => {
    const consent = createConsent({ policy: edxPolicy, storage: 'memory' });
    addTag();
    const on = createHub({ consent, trackers: [hubspot(true)], googleConsentMode: false });
    const off = createHub({ consent, trackers: [hubspot(true)], googleConsentMode: false, inScope: () => false });
    // Each copy inserted; past 20 the test breaks the loop (else the page, and this test, froze).
    const { after } = Element.prototype as { after: (this: Element, ...nodes: (Node | string)[]) => void };
    let inserted = 0;
    Element.prototype.after = function (this: Element, ...nodes) {
      if (++inserted > 20) throw new Error('endless');
      after.apply(this, nodes);
    };
    try {
      consent.acceptAll();
      for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r));
    } finally {
      Element.prototype.after = after;
    }
    expect(inserted).toBe(1);
    expect(copies()).toHaveLength(1);
    // The hub that inserted it, destroyed: a hub made since (an app mounted again) takes it out on withdrawal.
    on.destroy();
    off.destroy();
    const next = createHub({ consent, trackers: [hubspot(true)], googleConsentMode: false });
    consent.withdraw('marketing');
    expect(copies()).toEqual([]);
    next.destroy();
  });
});
