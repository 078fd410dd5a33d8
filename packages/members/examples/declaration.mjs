// Runnable example: one config for the platform and two Members, validated, scoped and declared.
// Run it with `node packages/members/examples/declaration.mjs` after `pnpm build`.
import { edxPolicy } from '@optin/consent';
import { ga4 } from '@optin/trackers/ga4';
import { meta } from '@optin/trackers/meta';
import { createRegistry, declarationToMarkdown, defineConfig, defineMember, validateConfig } from '@optin/members';

const config = defineConfig({
  policy: edxPolicy,
  platform: { trackers: [ga4({ id: 'G-EDX0001' }), meta({ id: '1234567890' })] },
  members: [
    defineMember({ id: 'HarvardX', name: 'Harvard University', orgs: ['HarvardX'], trackers: [ga4({ id: 'G-HX0001', cookiePrefix: 'hx' })] }),
    defineMember({ id: 'MITx', name: 'Massachusetts Institute of Technology', orgs: ['MITx'], trackers: [] }),
  ],
});

const registry = createRegistry(config);
const course = 'https://learning.edx.org/learning/course/course-v1:HarvardX+CS50+2026_T1/home';
console.log(`On ${course}\n  trackers: ${registry.scopeFor(course).trackers.map((t) => t.id).join(', ')}`);
console.log(`On an MITx course\n  trackers: ${registry.trackersFor({ courseId: 'course-v1:MITx+6.00x+2026' }).map((t) => t.id).join(', ')}\n`);

// A mistake is a list of every problem with its path, never a crash.
const broken = { ...config, members: [...config.members, defineMember({ id: 'Copy', name: 'Copy', orgs: ['harvardx'], trackers: [ga4({ id: 'G-CP0001' })] })] };
for (const issue of validateConfig(broken)) console.log(`  ${issue.path}: ${issue.message}`);

console.log(`\n${declarationToMarkdown(registry.declaration({ member: 'HarvardX' }))}`);
