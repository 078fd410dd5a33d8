// @vitest-environment happy-dom
import { afterEach, expect, test, vi } from 'vitest';
import type { IdentifyEvent, PageEvent, TrackEvent, TrackerContext } from '../src/index.js';

type HotjarModule = typeof import('../src/hotjar.js');
/** A copy of the adapter's module of its own, as the platform's and a Member's bundles each carry one. */
const copy = async (): Promise<HotjarModule> => {
  vi.resetModules();
  return import('../src/hotjar.js');
};
const view = (url: string) =>
  ({ type: 'page', properties: { url, path: new URL(url).pathname } }) as unknown as PageEvent;
const ctx = { loadScript: () => Promise.resolve() } as unknown as TrackerContext;
const hj = () => (window as unknown as { hj: ((...args: unknown[]) => void) & { q?: unknown[][] } }).hj;

afterEach(() => {
  delete (window as { hj?: unknown }).hj;
  delete (window as { optinHjUrl?: unknown }).optinHjUrl;
  delete (window as { optinHj?: unknown }).optinHj;
  delete (window as { _hjSettings?: unknown })._hjSettings;
});

test('two copies of the adapter (the platform’s and a Member’s bundles): the page Hotjar starts on is not queued for it, each later page is told once', async () => {
  const platform = (await copy()).hotjar({ siteId: 111 });
  const member = (await copy()).hotjar({ siteId: 222 });
  await platform.load?.(ctx);
  await member.load?.(ctx);
  const course = 'https://learning.edx.org/course';
  platform.page?.(view(course));
  member.page?.(view(course));
  // Hotjar records the page it starts on by itself: nothing queued for it.
  expect(hj().q).toEqual([]);
  // Hotjar's code takes `window.hj` over; each later page is one state change.
  const told: unknown[][] = [];
  (window as unknown as { hj: unknown }).hj = (...args: unknown[]) => told.push(args);
  const dates = 'https://learning.edx.org/course/dates';
  platform.page?.(view(dates));
  member.page?.(view(dates));
  expect(told).toEqual([['stateChange', dates]]);
});

test('two copies of the adapter running: each action and identity the hub hands both reaches Hotjar once', async () => {
  const platform = (await copy()).hotjar({ siteId: 111 });
  const member = (await copy()).hotjar({ siteId: 222 });
  await platform.load?.(ctx);
  await member.load?.(ctx);
  const told: unknown[][] = [];
  (window as unknown as { hj: unknown }).hj = (...args: unknown[]) => told.push(args);
  // The hub hands every tracker the same event object.
  const click = { type: 'track', event: 'clicked', properties: {} } as unknown as TrackEvent;
  const who = { type: 'identify', userId: 'learner-1', traits: {} } as unknown as IdentifyEvent;
  const again = { ...click } as TrackEvent;
  for (const e of [click, who, again]) for (const t of [platform, member]) t[e.type]?.(e as never);
  expect(told).toEqual([
    ['event', 'clicked'],
    ['identify', 'learner-1', {}],
    ['event', 'clicked'],
  ]);
});

test('Hotjar’s documented cookies are all declared (the hub deletes them at a withdrawal), with their lifetimes', async () => {
  const { cookies } = (await copy()).hotjar({ siteId: 111 });
  const lifetime = (name: string) =>
    cookies.find(
      (c) => (c.storage ?? 'cookie') == 'cookie' && (typeof c.name == 'string' ? c.name == name : c.name.test(name)),
    )?.lifetime;
  expect(
    ['_hjHasCachedUserAttributes', '_hjid', '_hjFirstSeen', '_hjSessionUser_111', '_hjAbsoluteSessionInProgress'].map(
      lifetime,
    ),
  ).toEqual(['session', '365d', '30min', '365d', '30min']);
});
