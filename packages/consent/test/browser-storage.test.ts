// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { cookieDomains, createConsent, edxPolicy } from '../src/index.js';

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
