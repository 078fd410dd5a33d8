import { edxPolicy } from '@optin/consent';
import { describe, expect, it } from 'vitest';
import {
  createRegistry,
  declarationToHtml,
  declarationToJson,
  declarationToMarkdown,
  cookiePattern,
  defineMember,
} from '../src/index.js';
import { pixel, sampleConfig } from './fixtures/config.js';

describe('declaration', () => {
  const registry = createRegistry(sampleConfig());

  it('lists every tracker with owner, purposes, party, vendor links, cookies and hosts', () => {
    const d = registry.declaration();
    expect(d.policy).toEqual({ id: 'edx', version: edxPolicy.version });
    expect(d.trackers.map((t) => t.id)).toEqual(['ga4', 'meta', 'HarvardX/matomo', 'HarvardX/pixel', 'MITx/matomo']);
    const ga = d.trackers[0]!;
    expect(ga).toMatchObject({ owner: 'platform', ownerName: 'edX', party: 'third', purposes: ['analytics'] });
    expect(ga.vendor.optOutUrl).toBe('https://tools.google.com/dlpage/gaoptout');
    expect(ga.cookies).toContainEqual({ name: '_ga', lifetime: '2y', purpose: 'analytics', party: 'first' });
    expect(d.trackers[2]!.cookies[0]!.name).toBe('_pk_id.1.*');
    expect(d.purposes.find((p) => p.id === 'marketing')?.trackers).toEqual(['meta', 'HarvardX/pixel']);
  });

  it("for one Member: the platform's trackers and that Member's own", () => {
    expect(registry.declaration({ member: 'MITx' }).trackers.map((t) => t.id)).toEqual(['ga4', 'meta', 'MITx/matomo']);
  });

  it('takes scope.member?.id as is: the whole platform off courses, a Member’s own list on its courses', () => {
    const forPage = (url: string) => registry.declaration({ member: registry.scopeFor(url).member?.id });
    expect(forPage('https://www.edx.org/dashboard')).toEqual(registry.declaration());
    expect(
      forPage('https://learning.edx.org/learning/course/course-v1:MITx+6.00x+2026/home').trackers.map((t) => t.id),
    ).toEqual(['ga4', 'meta', 'MITx/matomo']);
  });

  it('renders JSON, Markdown and an accessible HTML table grouped by purpose', () => {
    const d = registry.declaration();
    expect(JSON.parse(declarationToJson(d))).toEqual(d);
    const md = declarationToMarkdown(d);
    expect(md).toMatch(/^## Analytics$/m);
    expect(md).toContain('[opt out](<https://tools.google.com/dlpage/gaoptout>)');
    const html = declarationToHtml(d);
    expect(html.match(/<section aria-labelledby="optin-purpose-\d+">/g)).toHaveLength(2);
    expect(html).toContain('<th scope="col">Opt out</th>');
    expect(html).toContain('<th scope="row">Google Analytics 4</th>');
    expect(html).toContain('rel="noopener noreferrer"');
  });

  it('keeps every config string inert and renders only http(s) links', () => {
    const evil = '<img src=x onerror=alert(1)>';
    const config = sampleConfig();
    const hostile = {
      ...config,
      members: [
        defineMember({
          id: 'EvilX',
          name: `${evil} U`,
          orgs: ['EvilX'],
          trackers: [
            {
              ...pixel(`Ads ${evil}`, 'ads.evil.example', 'ev'),
              vendor: { name: `Ads ${evil}`, privacyUrl: 'javascript:alert(1)', optOutUrl: 'data:text/html,x' },
            },
          ],
        }),
      ],
    };
    const d = createRegistry(hostile).declaration();
    const html = declarationToHtml(d);
    expect(html).not.toContain('<img');
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(html).not.toMatch(/javascript:|data:text/);
    const md = declarationToMarkdown(d);
    expect(md).not.toContain('<img');
    expect(md).not.toMatch(/\]\(<?javascript:/);
  });

  it('shows cookie name patterns the way people read them', () => {
    expect(cookiePattern(/^_ga_/)).toBe('_ga_*');
    expect(cookiePattern(/^_ga$/)).toBe('_ga');
    expect(cookiePattern(/^_gid.*$/)).toBe('_gid*');
    expect(cookiePattern(/^_hjSession_\d+$/)).toBe('/^_hjSession_\\d+$/');
    expect(cookiePattern(/^_pk_id\.1\./)).toBe('_pk_id.1.*');
    expect(cookiePattern(/^ajs/i)).toBe('/^ajs/i');
    expect(cookiePattern(/^_x\d$/)).toBe('/^_x\\d$/');
    expect(cookiePattern('ajs_user_id')).toBe('ajs_user_id');
  });
});
