// @vitest-environment happy-dom
import { afterEach, expect, test, vi } from 'vitest';
import type { TrackerContext } from '../src/index.js';

type MetaModule = typeof import('../src/meta.js');
/** A copy of the adapter's module of its own, as each bundle of a page (micro-frontends) carries one. */
const copy = async (): Promise<MetaModule> => {
  vi.resetModules();
  return import('../src/meta.js');
};
const ctx = { loadScript: () => Promise.resolve(true) } as unknown as TrackerContext;
/** The commands queued on Meta's stub (fbevents.js is not loaded here). */
const commands = () =>
  (window as unknown as { fbq: { queue: IArguments[] } }).fbq.queue.map((a) => [...a].slice(0, 2).join(' '));

afterEach(() => {
  delete (window as { fbq?: unknown }).fbq;
  delete (window as { _fbq?: unknown })._fbq;
});

/** The platform's pixel and a Member's, both loaded, then the Member's unloaded (which cannot stop it). */
async function twoPixelsMemberUnloaded() {
  const { meta } = await copy();
  const platform = meta({ id: '111' });
  const member = meta({ id: '222', owner: 'HarvardX' });
  await platform.load?.(ctx);
  await member.load?.(ctx);
  expect(member.unload?.(ctx)).toBe('reload');
  return { platform, member };
}

test('a pixel cannot be stopped while another runs (Meta’s consent is page-wide): its unload says so; the last one revokes', async () => {
  const { platform } = await twoPixelsMemberUnloaded();
  expect(commands()).not.toContain('consent revoke');
  expect(platform.unload?.(ctx)).not.toBe('reload');
  expect(commands().at(-1)).toBe('consent revoke');
});

test('resumed by the hub after an unload that could not stop it (granted again), the pixel counts as running again', async () => {
  const { platform, member } = await twoPixelsMemberUnloaded();
  // Granted again: the hub sends to it without loading it again.
  member.track?.({ type: 'track', event: 'enrolled', properties: {}, timestamp: '', context: {} });
  // The platform's pixel refused, HarvardX's granted: Meta's consent stays, the platform's cannot stop.
  expect(platform.unload?.(ctx)).toBe('reload');
  expect(commands()).not.toContain('consent revoke');
});

test('a hub of another bundle (its own copy of this adapter) taking the pixel over revokes when it is withdrawn', async () => {
  const first = (await copy()).meta({ id: '111' });
  await first.load?.(ctx);
  // The other bundle's hub takes the running pixel over: it never loads it.
  const other = (await copy()).meta({ id: '111' });
  expect(other.unload?.(ctx)).not.toBe('reload');
  expect(commands().at(-1)).toBe('consent revoke');
});

test('a pixel refused at load (another set up earlier is stopped) is not counted as set up: the stopped one loads again alone', async () => {
  const { meta } = await copy();
  const harvard = meta({ id: '222', owner: 'HarvardX' });
  const mit = meta({ id: '333', owner: 'MITx' });
  await harvard.load?.(ctx);
  // A single-page app goes on to MITx's course: HarvardX's pixel is stopped (the last: Meta revoked).
  expect(harvard.unload?.(ctx)).not.toBe('reload');
  // MITx's load would grant Meta page-wide, HarvardX's pixel too: refused until the page reloads.
  expect(() => mit.load?.(ctx)).toThrow('pixel 222 is off');
  mit.unload?.(ctx);
  // Back on HarvardX's course: its pixel, the only one Meta ever had, runs again.
  await harvard.load?.(ctx);
  expect(commands().at(-3)).toBe('consent grant');
  expect(commands()).not.toContain('init 333');
});
