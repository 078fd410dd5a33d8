// @vitest-environment happy-dom
import { afterEach, expect, test } from 'vitest';
import type { TrackerContext } from '../src/index.js';
import { segment } from '../src/segment.js';

const ctx = { loadScript: () => Promise.resolve(true) } as unknown as TrackerContext;
// What analytics.js keeps in localStorage besides its cookies (Segment's "Client-side persistence").
const stored = {
  ajs_anonymous_id: '"anon-1"',
  ajs_user_id: '"learner-42"',
  ajs_user_traits: '{"email":"a@b.c"}',
  ajs_group_id: '"g-1"',
  ajs_group_properties: '{}',
};
const store = () => {
  for (const [k, v] of Object.entries(stored)) localStorage.setItem(k, v);
  localStorage.setItem('other', 'kept');
};
const keys = () => Object.keys(localStorage).sort();

afterEach(() => {
  localStorage.clear();
  // (A date long past: happy-dom keeps a Max-Age=0 cookie until the clock has moved on by a millisecond.)
  document.cookie = 'ajs_anonymous_id=;Expires=Thu, 01 Jan 1970 00:00:00 GMT;Path=/';
  delete (window as { analytics?: unknown }).analytics;
  delete (window as { optinSegment?: unknown }).optinSegment;
});

test('a grant after a withdrawal (the hub deleted the ajs_anonymous_id cookie) starts analytics.js with new ids: its localStorage copies are removed before it loads', async () => {
  store();
  await segment({ writeKey: 'wk1' }).load?.(ctx);
  expect(keys()).toEqual(['other']);
});

test('a learner who never withdrew (the cookie is there) keeps the ids analytics.js stored', async () => {
  store();
  document.cookie = 'ajs_anonymous_id=%22anon-1%22;Path=/';
  await segment({ writeKey: 'wk1' }).load?.(ctx);
  expect(keys()).toEqual([...Object.keys(stored), 'other'].sort());
});

test('an element of the page named `cookie` (<img name="cookie">, which shadows document.cookie) does not keep the old ids after a withdrawal', async () => {
  store();
  Object.defineProperty(document, 'cookie', { configurable: true, value: document.createElement('img') });
  try {
    await segment({ writeKey: 'wk1' }).load?.(ctx);
  } finally {
    delete (document as { cookie?: unknown }).cookie;
  }
  expect(keys()).toEqual(['other']);
});

test('blocked storage (localStorage throws) does not break the load', async () => {
  const desc = Object.getOwnPropertyDescriptor(window, 'localStorage');
  Object.defineProperty(window, 'localStorage', {
    configurable: true,
    get() {
      throw new DOMException('denied', 'SecurityError');
    },
  });
  try {
    await expect(segment({ writeKey: 'wk1' }).load?.(ctx)).resolves.toBe(true);
  } finally {
    if (desc) Object.defineProperty(window, 'localStorage', desc);
  }
});

test('the localStorage keys analytics.js keeps the ids in are declared as such', () => {
  const declared = segment({ writeKey: 'wk1' }).cookies.map((c) => `${String(c.name)} ${c.storage ?? 'cookie'}`);
  expect(declared).toEqual([
    'ajs_anonymous_id cookie',
    'ajs_user_id cookie',
    'ajs_group_id cookie',
    '/^ajs_/ localStorage',
  ]);
});
