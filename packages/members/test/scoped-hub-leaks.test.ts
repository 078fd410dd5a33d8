// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { createConsent, edxPolicy } from '@optin/consent';
import { defineTracker, type HubEvent } from '@optin/trackers';
import { createRegistry, createScopedHub, defineConfig, defineMember } from '../src/index.js';

// The red-team's repros: what HarvardX's tracker is given on a HarvardX course page.
const got: HubEvent[] = [];
const recorder = defineTracker({
  id: 'rec',
  owner: 'platform',
  purposes: ['analytics'],
  party: 'first',
  vendor: { name: 'Rec', privacyUrl: 'https://rec.example/p' },
  cookies: [],
  hosts: [],
  page: (e) => void got.push(e),
  track: (e) => void got.push(e),
});
const config = defineConfig({
  policy: edxPolicy,
  platform: { trackers: [] },
  members: [
    defineMember({ id: 'HarvardX', name: 'Harvard', orgs: ['HarvardX'], trackers: [recorder] }),
    defineMember({ id: 'MITx', name: 'MIT', orgs: ['MITx'], trackers: [] }),
  ],
});
const from =
  'https://learning.edx.org/learning/course/course-v1:MITx+6.00.1x+2T2026/home?utm_source=mitx-newsletter&email=ada%40example.org';
const consent = createConsent({ policy: edxPolicy, storage: 'memory' });
consent.acceptAll();
const hub = createScopedHub({
  consent,
  registry: createRegistry(config),
  googleConsentMode: false,
  onReloadRequired: () => {},
  url: () => 'https://learning.edx.org/learning/course/course-v1:HarvardX+CS50+2026_T1/home',
  context: () => ({
    page: { referrer: from, title: 'CS50 (from course-v1:MITx+6.00.1x+2T2026)', url: from },
    campaign: { source: 'mitx-newsletter' },
    traits: { email: 'ada@example.org' },
    locale: 'en-US',
    library: { name: 'optin', version: '1.0.0' },
  }),
});

describe("HarvardX's tracker on a HarvardX course page", () => {
  it("is given none of MITx's courses in properties, however written", () => {
    expect(hub.loaded).toContain('HarvardX/rec');
    hub.track('edx.bi.course.recommendation.clicked', {
      course_id: 'MITx/6.002x/2012_Fall',
      course_key: 'MITx+6.00.1x',
      image: 'https://courses.edx.org/asset-v1:MITx+6.00.1x+2T2026+type@asset+block@card.jpg',
      asset: '/c4x/MITx/6.002x/asset/intro.png',
      card: { org: 'MITx', number: '6.00.1x', run: '2T2026' },
      control: 'course-v1:MITx+6.00.1x+2T2026',
      own: 'kept',
    });
    const last = got.at(-1);
    const properties: Readonly<Record<string, unknown>> = last && 'properties' in last ? last.properties : {};
    expect(JSON.stringify(properties)).not.toContain('MITx');
    expect(properties.own).toBe('kept');
  });

  it("is given only the context the collector gives a Member, and the page's course", () => {
    hub.page(undefined, { referrer: from });
    const context = got.at(-1)?.context;
    expect(JSON.stringify(context)).not.toContain('MITx');
    expect(JSON.stringify(context)).not.toContain('ada');
    expect(context).toEqual({
      locale: 'en-US',
      library: { name: 'optin', version: '1.0.0' },
      course: { id: 'course-v1:HarvardX+CS50+2026_T1', org: 'HarvardX' },
    });
  });
});
