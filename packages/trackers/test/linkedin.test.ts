// @vitest-environment happy-dom
import { afterEach, expect, test } from 'vitest';
import { linkedin } from '../src/linkedin.js';
import type { TrackerContext } from '../src/index.js';

const ctx = { loadScript: () => Promise.resolve(true) } as unknown as TrackerContext;
const partners = () => (window as unknown as { _linkedin_data_partner_ids?: string[] })._linkedin_data_partner_ids;

afterEach(() => {
  delete (window as { _linkedin_data_partner_ids?: unknown })._linkedin_data_partner_ids;
  delete (window as { lintrk?: unknown }).lintrk;
});

test('loaded again (a hub made anew after destroy(), an app mounted again), a partner id is on the tag once, and off it on unload', async () => {
  const platform = linkedin({ partnerId: '555' });
  const member = linkedin({ partnerId: '666', owner: 'HarvardX' });
  for (const tracker of [platform, member, member]) await tracker.load?.(ctx);
  expect(partners()).toEqual(['555', '666']);
  member.unload?.(ctx);
  expect(partners()).toEqual(['555']);
});
