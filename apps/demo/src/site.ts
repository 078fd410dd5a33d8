import { declareFirstParty } from '@optin/analytics';
import { webVitals } from '@optin/analytics/vitals';
import { edxPolicy } from '@optin/consent';
import { defineConfig, defineMember, type OptinConfig } from '@optin/members';
import { defineTracker, type Tracker } from '@optin/trackers';

/** A course of the demo catalog. */
export interface DemoCourse {
  readonly key: string;
  readonly title: string;
  readonly units: readonly string[];
}

/** The catalog: two Members' courses and one the platform runs itself. */
export const courses: readonly DemoCourse[] = [
  {
    key: 'course-v1:HarvardX+CS50+2026_T1',
    title: 'CS50: Introduction to Computer Science',
    units: ['Scratch', 'C', 'Arrays'],
  },
  {
    key: 'course-v1:MITx+6.00.1x+2026_T1',
    title: 'Introduction to Computer Science and Programming Using Python',
    units: ['Core elements', 'Simple programs', 'Functions'],
  },
  {
    key: 'course-v1:edX+DemoX+Demo_Course',
    title: 'edX Demonstration Course',
    units: ['Introduction', 'Example week'],
  },
];

/**
 * The site's registrable domain: the consent cookie and the first-party analytics' cookies are set
 * on it, so that `www.`, `learning.` and `courses.` share one choice and one anonymous id, as on
 * `edx.org` (browsers take `Domain=edx.localhost`; `localhost` itself is refused).
 */
export const cookieDomain = 'edx.localhost';

/** Where a course's home page is, the way the learning MFE writes it. */
export const courseUrl = (key: string, unit?: number): string =>
  `/learning/course/${key}/${unit === undefined ? 'home' : `unit-${String(unit + 1)}`}`;

/** The stand-in vendor hosts (every `*.localhost` name is this machine). */
export const vendorHosts = { harvardx: 'ads.harvardx.localhost', mitx: 'heatmap.mitx.localhost' } as const;

/**
 * Where a stand-in vendor's opt-out is, on its own host (the demo server answers it there): `https:`,
 * as `defineTracker` takes vendor links, so that the banner and the third-parties page link it and
 * say that neither edX nor any Member answers for how well it works.
 */
export const optOutPath = '/opt-out';

const standIn = (member: string, id: string, purpose: string, host: string, cookie: string, port: string): Tracker =>
  defineTracker({
    id,
    owner: member,
    purposes: [purpose],
    party: 'third',
    vendor: {
      name: `${member} ${purpose} (demo stand-in)`,
      privacyUrl: `https://${host}/privacy`,
      optOutUrl: `https://${host}${optOutPath}`,
    },
    cookies: [{ name: cookie, purpose, lifetime: '90d', party: 'first' }],
    hosts: [host],
    unloadable: false,
    load: (ctx) => ctx.loadScript(`http://${host}:${port}/vendor/${id}.js`),
  });

/**
 * The one config of the demo site: the edX policy, the platform's trackers (given: the first-party
 * analytics is built in the page, bound to its consent store), and two Members with a tracker each —
 * stand-ins served by the demo itself, so nothing leaves this machine.
 */
export function siteConfig(platformTrackers: readonly Tracker[], port: string): OptinConfig {
  return defineConfig({
    policy: edxPolicy,
    platform: { trackers: platformTrackers },
    members: [
      defineMember({
        id: 'HarvardX',
        name: 'Harvard University',
        orgs: ['HarvardX'],
        trackers: [standIn('HarvardX', 'ads', 'marketing', vendorHosts.harvardx, '_hxads', port)],
        email: { keyId: 'hx-demo' },
      }),
      defineMember({
        id: 'MITx',
        name: 'Massachusetts Institute of Technology',
        orgs: ['MITx'],
        trackers: [standIn('MITx', 'heatmap', 'analytics', vendorHosts.mitx, '_mitxhm', port)],
      }),
    ],
  });
}

/**
 * The same config read outside a page (by `optin declare` and `optin audit`): the first-party
 * trackers as declared, for the collector at `collectorUrl`, and the Members' trackers.
 */
export function declaredSiteConfig(collectorUrl: string): OptinConfig {
  const trackers = declareFirstParty({ endpoint: collectorUrl });
  // Web Vitals send through the analytics tracker; outside a page they are only declared, never sent.
  return siteConfig([...trackers, webVitals({ trackers, send: () => undefined })], '');
}
