// Runnable example: what the platform declares, and the error a malformed declaration gets.
// Run it from the repository root after `pnpm build`: `node packages/trackers/examples/declare-trackers.mjs`.
// In a page, the same trackers go to `createHub` (see the README); here, in Node, only their
// declarations are used: the list of third parties with their cookies and opt-out links.
import { defineTracker, TrackerError } from '@optin/trackers';
import { ga4 } from '@optin/trackers/ga4';
import { meta } from '@optin/trackers/meta';
import { hotjar } from '@optin/trackers/hotjar';

const trackers = [
  ga4({ id: 'G-EDX0001' }),
  ga4({ id: 'G-HX0001', owner: 'HarvardX' }),
  meta({ id: '1234567890' }),
  hotjar({ siteId: 3456789 }),
];

for (const t of trackers.map(defineTracker)) {
  console.log(`${t.id.padEnd(13)} ${t.owner.padEnd(9)} ${t.purposes.join('+').padEnd(10)} ${t.vendor.name}`);
  for (const c of t.cookies) console.log(`    ${String(c.name).padEnd(28)} ${c.lifetime.padEnd(6)} ${c.party}-party`);
  console.log(`    opt out: ${t.vendor.optOutUrl ?? '(the vendor offers none)'}`);
}

try {
  defineTracker({
    ...ga4({ id: 'G-EDX0001' }),
    id: 'ga4-legacy',
    cookies: [{ name: '_gid', purpose: 'analytics', lifetime: '24 hours', party: 'first' }],
  });
} catch (error) {
  if (!(error instanceof TrackerError)) throw error;
  console.log(`\n${error.code}: ${error.issues.map((i) => `${i.path}: ${i.message}`).join('\n')}`);
}
