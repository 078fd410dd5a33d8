import { definePolicy, edxPolicy } from '@optin/consent';
import { defineTracker } from '@optin/trackers';
import { gtm } from '@optin/trackers/gtm';
import { hotjar } from '@optin/trackers/hotjar';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  createRegistry,
  declarationCss,
  declarationToHtml,
  declarationToJson,
  declarationToMarkdown,
  cookiePattern,
  defineMember,
  type Declaration,
} from '../src/index.js';
import { pixel, sampleConfig } from './fixtures/config.js';

/**
 * The cells of a GFM table row as GFM splits them: at every pipe not escaped by a backslash (code
 * spans do not protect pipes), each cell trimmed and its `\|` read as `|`.
 */
function gfmCells(row: string): string[] {
  const cells: string[] = [];
  let cell = '';
  for (let i = 0; i < row.length; i++) {
    const c = row[i]!;
    if (c === '|') {
      cells.push(cell);
      cell = '';
    } else cell += c === '\\' ? c + (row[++i] ?? '') : c;
  }
  // The row starts and ends with a pipe: what is before the first is no cell.
  return cells.slice(1).map((text) => text.trim().replace(/\\\|/g, '|'));
}

/** The text of each CommonMark code span in `text`: fenced by equal backtick runs, one padding space each side dropped. */
function codeSpans(text: string): string[] {
  return [...text.matchAll(/(?<!`)(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g)].map(([, , code = '']) =>
    /^ .*[^ ].* $/.test(code) ? code.slice(1, -1) : code,
  );
}

/**
 * The rows of the Markdown tables whose header row starts with `header` (the trackers' tables by
 * default), each as its GFM cells (header and delimiter rows left out).
 */
const tableRows = (md: string, header = '| Tracker |') =>
  md
    .split('\n\n')
    .filter((block) => block.startsWith(header))
    .flatMap((block) => block.trim().split('\n').slice(2))
    .map(gfmCells);

describe('declaration', () => {
  it('renders a declaration saved as JSON before the site cookies were declared', () => {
    const d = createRegistry(sampleConfig()).declaration();
    const saved = JSON.parse(declarationToJson(d)) as Record<string, unknown>;
    delete saved['siteCookies'];
    expect(() => declarationToHtml(saved as unknown as Declaration)).not.toThrow();
    expect(declarationToMarkdown(saved as unknown as Declaration)).toContain(d.trackers[0]!.vendor.name);
  });

  const registry = createRegistry(sampleConfig());

  it('lists every tracker with owner, purposes, party, vendor links, cookies and hosts', () => {
    const d = registry.declaration();
    expect(d.policy).toEqual({ id: 'edx', version: edxPolicy.version });
    expect(d.trackers.map((t) => t.id)).toEqual(['ga4', 'meta', 'HarvardX/matomo', 'HarvardX/pixel', 'MITx/matomo']);
    const ga = d.trackers[0]!;
    expect(ga).toMatchObject({ owner: 'platform', ownerName: 'edX', party: 'third', purposes: ['analytics'] });
    expect(ga.vendor.optOutUrl).toBe('https://tools.google.com/dlpage/gaoptout');
    expect(ga.cookies).toContainEqual({
      name: '_ga',
      lifetime: '2y',
      purpose: 'analytics',
      party: 'first',
      storage: 'cookie',
    });
    expect(d.trackers[2]!.cookies[0]!.name).toBe('_pk_id.1.*');
    expect(d.purposes.find((p) => p.id === 'marketing')?.trackers).toEqual(['meta', 'HarvardX/pixel']);
  });

  it("for one Member: the platform's trackers and that Member's own", () => {
    expect(registry.declaration({ member: 'MITx' }).trackers.map((t) => t.id)).toEqual(['ga4', 'meta', 'MITx/matomo']);
    // A misspelt Member would silently lose its own third parties: a typed error instead.
    for (const member of ['harvardx', 'Nobody', ''])
      expect(() => registry.declaration({ member })).toThrow(
        expect.objectContaining({
          name: 'MembersError',
          code: 'unknown_member',
          issues: [{ path: 'member', code: 'unknown_member', message: `"${member}" is not a Member of the config` }],
        }),
      );
  });

  it('takes member: null, as the JSON writes the whole platform’s, for the whole platform', () => {
    expect(registry.declaration({ member: null })).toEqual(registry.declaration());
    expect(createRegistry(sampleConfig()).declaration({ member: null })).toEqual(
      createRegistry(sampleConfig()).declaration({}),
    );
    expect(registry.declaration({ member: null }).member).toBeNull();
  });

  it('takes scope.member?.id as is: the whole platform off courses, a Member’s own list on its courses', () => {
    const forPage = (url: string) => registry.declaration({ member: registry.scopeFor(url).member?.id });
    expect(forPage('https://www.edx.org/dashboard')).toEqual(registry.declaration());
    expect(
      forPage('https://learning.edx.org/learning/course/course-v1:MITx+6.00x+2026/home').trackers.map((t) => t.id),
    ).toEqual(['ga4', 'meta', 'MITx/matomo']);
  });

  it('lists the consent cookie under the required purpose, even where no tracker serves it', () => {
    // A learner who refuses everything still gets the consent store's cookie: the list must name it.
    const consentCookie = {
      name: 'optin',
      lifetime: '13mo',
      purpose: 'necessary',
      party: 'first',
      owner: 'platform',
      ownerName: 'edX',
      description: expect.stringMatching(/^Keeps your cookie choice: .*refusing everything included/) as unknown,
    };
    const d = registry.declaration();
    expect(d.purposes.find((p) => p.id === 'necessary')?.trackers).toEqual([]);
    expect(d.siteCookies).toEqual([consentCookie]);
    expect(registry.declaration({ member: 'MITx' }).siteCookies).toEqual([consentCookie]);
    expect(JSON.parse(declarationToJson(d)).siteCookies).toEqual(d.siteCookies);
    // Markdown: the required purpose's section, first, with the cookie in a table of the site's own.
    const md = declarationToMarkdown(d);
    expect(md.match(/^## .*$/gm)).toEqual([
      '## Strictly necessary',
      '## Analytics',
      '## Marketing',
      '## Email tracking',
    ]);
    expect(tableRows(md, '| Cookie |')).toEqual([
      ['`optin`', 'edX', 'first', '13 months', d.siteCookies[0]!.description],
    ]);
    // HTML: an accessible table of its own in the section, named by its caption.
    const html = declarationToHtml(d);
    expect(html).toContain(
      '<section aria-labelledby="optin-purpose-0"><h2 id="optin-purpose-0">Strictly necessary</h2><p>System administration, security and integrity, so that the edX Site works properly for you. Always on.</p><table><caption>Strictly necessary: cookies of the site itself</caption><thead><tr><th scope="col">Cookie</th><th scope="col">Set by</th><th scope="col">Party</th><th scope="col">Lifetime</th><th scope="col">What it does</th></tr></thead>',
    );
    expect(html).toContain(
      `<tbody><tr><th scope="row"><code>optin</code></th><td>edX</td><td>First party</td><td>13 months</td><td>${d.siteCookies[0]!.description}</td></tr></tbody></table></section>`,
    );
    // A policy written in another language: its labels and descriptions are marked with it in the English page
    // (screen readers read them in that language), and the JSON says which.
    const fr = definePolicy({ ...edxPolicy, lang: 'fr' });
    const french = createRegistry({ policy: fr, platform: { trackers: [] }, members: [] }).declaration();
    expect(french.policy.lang).toBe('fr');
    expect(declarationToHtml(french)).toContain(
      '<h2 id="optin-purpose-0" lang="fr">Strictly necessary</h2><p lang="fr">System administration',
    );
    expect(declarationToHtml(french)).toContain(
      '<caption><span lang="fr">Strictly necessary</span>: cookies of the site itself</caption>',
    );
    // A config of no tracker at all still lists it.
    const bare = createRegistry({ policy: edxPolicy, platform: { trackers: [] }, members: [] }).declaration();
    expect(declarationToMarkdown(bare).match(/^## .*$/gm)).toEqual(['## Strictly necessary']);
    expect(tableRows(declarationToMarkdown(bare), '| Cookie |').map((row) => row[0])).toEqual(['`optin`']);
  });

  it('renders every required purpose, and lists the consent cookie under a policy that has none', () => {
    const purpose = (id: string, required = false) => ({
      id,
      label: `${id} label`,
      description: `${id} text`,
      required,
    });
    const withTwo = createRegistry({
      policy: definePolicy({
        id: 'acme',
        version: '1',
        purposes: [purpose('security', true), purpose('essential', true), purpose('analytics')],
      }),
      platform: { trackers: [] },
      members: [],
    }).declaration();
    expect(withTwo.siteCookies.map((c) => [c.name, c.purpose])).toEqual([['optin', 'security']]);
    const md = declarationToMarkdown(withTwo);
    expect(md.match(/^## .*$/gm)).toEqual(['## security label', '## essential label']);
    expect(md).toContain(
      '\n## essential label\n\nessential text\n\nNo cookie or tracker is declared for this purpose.\n',
    );
    expect(declarationToHtml(withTwo)).toContain(
      '<h2 id="optin-purpose-1">essential label</h2><p>essential text</p><p>No cookie or tracker is declared for this purpose.</p></section>',
    );
    // No required purpose: the consent cookie is still set, so still listed, under a heading of its own.
    const withNone = createRegistry({
      policy: definePolicy({ id: 'acme', version: '1', purposes: [purpose('analytics')] }),
      platform: { trackers: [] },
      members: [],
    }).declaration();
    expect(withNone.siteCookies.map((c) => [c.name, c.purpose])).toEqual([['optin', null]]);
    const none = declarationToMarkdown(withNone);
    expect(none.match(/^## .*$/gm)).toEqual(['## Cookies of the site itself']);
    expect(tableRows(none, '| Cookie |').map((row) => row.slice(0, 4))).toEqual([
      ['`optin`', 'edX', 'first', '13 months'],
    ]);
    expect(declarationToHtml(withNone)).toContain(
      '<section aria-labelledby="optin-site-cookies"><h2 id="optin-site-cookies">Cookies of the site itself</h2>',
    );
  });

  it("lists email tracking: the platform's (collector.email) and each Member's with email keys, for analytics", () => {
    // HarvardX signs its emails (email: { keyId }); the platform does not, MITx neither.
    expect(registry.declaration().email).toEqual([
      {
        owner: 'HarvardX',
        ownerName: 'Harvard University',
        purposes: ['analytics'],
        party: 'first',
        records: ['open', 'click'],
        consentMode: 'opt-in',
      },
    ]);
    // The platform's keys are the collector's `email`; its mode says whether a recipient without a
    // receipt is recorded. A Member's list has the platform's and its own, no other Member's.
    const config = sampleConfig();
    const withPlatform = createRegistry({
      ...config,
      collector: { mode: 'opt-out', email: { keys: { 'edx-2026': 'env:EDX_EMAIL_KEY' } } },
    });
    const owners = (member?: string) =>
      withPlatform.declaration({ member }).email.map((e) => [e.owner, e.ownerName, e.consentMode]);
    expect(owners()).toEqual([
      ['platform', 'edX', 'opt-out'],
      ['HarvardX', 'Harvard University', 'opt-out'],
    ]);
    expect(owners('MITx')).toEqual([['platform', 'edX', 'opt-out']]);
    expect(owners('HarvardX')).toEqual(owners());
    // Email naming no key signs nothing the collector verifies: nothing to declare.
    const keyless = createRegistry({
      ...config,
      collector: { email: {} },
      members: [defineMember({ id: 'MITx', name: 'MIT', orgs: ['MITx'], trackers: [], email: { keys: {} } })],
    });
    expect(keyless.declaration().email).toEqual([]);
  });

  it('renders email tracking in Markdown and HTML: who, purpose, what is recorded and how to opt out', () => {
    const d = createRegistry({ ...sampleConfig(), collector: { email: { keyId: 'edx-2026' } } }).declaration();
    expect(JSON.parse(declarationToJson(d)).email).toEqual(d.email);
    const md = declarationToMarkdown(d);
    expect(md).toMatch(/^## Email tracking$/m);
    expect(tableRows(md, '| Sent by |')).toEqual([
      [
        'edX',
        'Analytics',
        'first',
        'opens, clicks',
        'Recorded for you only when the cookie choice you saved while signed in allows Analytics; otherwise only counted. To opt out, refuse Analytics in your cookie preferences.',
      ],
      [
        'Harvard University',
        'Analytics',
        'first',
        'opens, clicks',
        'Recorded for you only when the cookie choice you saved while signed in allows Analytics for Harvard University; otherwise only counted. To opt out, refuse Analytics in your cookie preferences, or on Harvard University courses for Harvard University alone.',
      ],
    ]);
    const html = declarationToHtml(d);
    expect(html).toContain('<section aria-labelledby="optin-email"><h2 id="optin-email">Email tracking</h2>');
    expect(html).toContain(
      '<tr><th scope="row">Harvard University</th><td>Analytics</td><td>First party</td><td>Opens, clicks</td><td>Recorded for you only when the cookie choice you saved while signed in allows Analytics for Harvard University; otherwise only counted. To opt out, refuse Analytics in your cookie preferences, or on Harvard University courses for Harvard University alone.</td></tr>',
    );
    expect(html).toContain('<th scope="col">How to opt out</th>');
    // Opt-out mode: recorded unless refused.
    const optOut = createRegistry({ ...sampleConfig(), collector: { mode: 'opt-out' } }).declaration();
    expect(declarationToMarkdown(optOut)).toContain(
      '| Recorded for you unless the cookie choice you saved while signed in refuses Analytics for Harvard University; then only counted.',
    );
    // Without email tracking, no section.
    const none = createRegistry({ ...sampleConfig(), members: [] }).declaration();
    expect(declarationToMarkdown(none)).not.toContain('Email');
    expect(declarationToHtml(none)).not.toContain('Email');
  });

  it('renders JSON, Markdown and an accessible HTML table grouped by purpose', () => {
    const d = registry.declaration();
    expect(JSON.parse(declarationToJson(d))).toEqual(d);
    const md = declarationToMarkdown(d);
    expect(md).toMatch(/^## Analytics$/m);
    expect(md).toContain('[opt out](<https://tools.google.com/dlpage/gaoptout>)');
    const html = declarationToHtml(d);
    expect(html.match(/<section aria-labelledby="optin-purpose-\d+">/g)).toHaveLength(3);
    expect(html).toContain('<th scope="col">Opt out</th>');
    expect(html).toContain('<th scope="row">Google Analytics 4</th>');
    expect(html).toContain('rel="noopener noreferrer"');
  });

  it("says, where a third party's opt-out is linked, that neither edX nor any Member answers for how well it works", () => {
    const disclaimer =
      'Some third parties offer an opt-out of their tracking, linked under Opt out: neither we nor any Member is responsible for how well their opt-outs work.';
    const linked = registry.declaration();
    expect(linked.trackers.some((t) => t.vendor.optOutUrl)).toBe(true);
    const md = declarationToMarkdown(linked);
    // Once, before the tables, as its own paragraph.
    expect(md.split(disclaimer)).toHaveLength(2);
    expect(md).toContain(`\n\n${disclaimer}\n\n## `);
    const html = declarationToHtml(linked);
    expect(html.split(disclaimer)).toHaveLength(2);
    expect(html).toMatch(new RegExp(`^<div class="optin-declaration" lang="en"><p>${disclaimer}</p><section `));
    // In the policy's language too, the sentence is the page's English (not marked with the policy's lang).
    const fr = createRegistry({ ...sampleConfig(), policy: definePolicy({ ...edxPolicy, lang: 'fr' }) }).declaration();
    expect(declarationToHtml(fr)).toContain(`lang="en"><p>${disclaimer}</p>`);
    // No opt-out linked (none given, or none an http(s) link): nothing to answer for, no sentence.
    const unlinked = (optOutUrl: string | null): Declaration => ({
      ...linked,
      trackers: linked.trackers.map((t) => ({ ...t, vendor: { ...t.vendor, optOutUrl } })),
    });
    for (const d of [unlinked(null), unlinked('javascript:alert(1)')]) {
      expect(declarationToMarkdown(d)).not.toContain('opt-out');
      expect(declarationToHtml(d)).not.toContain('opt-out');
    }
    // Nor where no third party is listed at all.
    const empty = createRegistry({ policy: edxPolicy, platform: { trackers: [] }, members: [] }).declaration();
    expect(declarationToMarkdown(empty)).not.toContain(disclaimer);
    // Nor where only a first-party tracker (the site's own, run by edX or a Member) links an opt-out:
    // that opt-out is the site's own, which the page must not disown. Its link is still shown.
    const own = createRegistry({
      policy: edxPolicy,
      platform: {
        trackers: [
          defineTracker({
            id: 'own',
            owner: 'platform',
            purposes: ['analytics'],
            party: 'first',
            vendor: { name: 'edX analytics', privacyUrl: 'https://www.edx.org/privacy', optOutUrl: 'https://www.edx.org/opt-out' },
            // Even where it lists a cookie another site sets, the tracker and its opt-out are the site's.
            cookies: [{ name: '_edxa', purpose: 'analytics', lifetime: '90d', party: 'third' }],
            hosts: ['www.edx.org'],
            load: () => {},
          }),
        ],
      },
      members: [],
    }).declaration();
    for (const text of [declarationToMarkdown(own), declarationToHtml(own)]) {
      expect(text).toContain('https://www.edx.org/opt-out');
      expect(text).not.toContain(disclaimer);
    }
    // A third party's opt-out listed beside it still gets the sentence, once.
    const both: Declaration = { ...linked, trackers: [...own.trackers, ...linked.trackers] };
    expect(declarationToMarkdown(both).split(disclaimer)).toHaveLength(2);
    expect(declarationToHtml(both).split(disclaimer)).toHaveLength(2);
    // And a first-party tracker's only: none, whatever else is declared without a link.
    const firstOnly: Declaration = {
      ...linked,
      trackers: [...own.trackers, ...unlinked(null).trackers],
    };
    expect(declarationToMarkdown(firstOnly)).not.toContain(disclaimer);
    expect(declarationToHtml(firstOnly)).not.toContain(disclaimer);
  });

  it('ships, and the README shows, the CSS of every class the HTML needs styled', () => {
    const html = declarationToHtml(createRegistry(sampleConfig()).declaration());
    const hidden = [...html.matchAll(/<span class="([^"]+)">/g)].map(([, name]) => name);
    expect(new Set(hidden)).toEqual(new Set(['optin-visually-hidden']));
    expect(declarationCss).toMatch(/^\.optin-visually-hidden \{[^}]*clip: rect\(0, 0, 0, 0\)/);
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(`\`\`\`css\n${declarationCss}\`\`\``);
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
          email: { keyId: 'ev-1' },
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
    // The Member's name in the email section, too.
    expect(d.email.map((e) => e.ownerName)).toEqual([`${evil} U`]);
    expect(md).toContain('| &#60;img src=x onerror=alert(1)&#62; U | Analytics |');
  });

  it('keeps each Markdown row at seven cells with the real Hotjar adapter', () => {
    const d = createRegistry({
      policy: edxPolicy,
      platform: { trackers: [hotjar({ siteId: 1234 })] },
      members: [],
    }).declaration();
    const rows = tableRows(declarationToMarkdown(d));
    expect(rows).toHaveLength(1);
    const [name, owner, party, cookies, hosts, privacy, optOut] = rows[0]!;
    const { vendor, cookies: declared, hosts: declaredHosts } = d.trackers[0]!;
    expect(rows[0]).toHaveLength(7);
    expect([name, owner, party]).toEqual(['Hotjar', 'edX', 'third']);
    expect(codeSpans(cookies!)).toEqual(declared.map((c) => c.name));
    expect(codeSpans(hosts!)).toEqual(declaredHosts);
    expect(privacy).toBe(`[privacy](<${vendor.privacyUrl}>)`);
    expect(optOut).toBe(`[opt out](<${vendor.optOutUrl}>)`);
  });

  it('escapes every string of a Markdown row: pipes, backticks in code, line endings, Markdown and URLs', () => {
    const names = ['a|b', 'x`y', '`start', 'a``b|c', 'two\nlines', '/^a\\\\|b$/', '/^a\\|b$/'];
    const d: Declaration = {
      policy: { id: 'edx', version: '1' },
      member: null,
      purposes: [
        { id: 'analytics', label: 'Ana|lytics', description: '1. line\n| two', required: false, trackers: ['t'] },
      ],
      trackers: [
        {
          id: 't',
          owner: 'EvilX',
          ownerName: 'Evil|X\r\nU',
          purposes: ['analytics'],
          party: 'third',
          vendor: {
            name: 'Ads | *x* `y`',
            privacyUrl: 'https://ads.example/p|q>r s',
            optOutUrl: 'https://ads.example/o\n',
          },
          cookies: names.map((name) => ({
            name,
            lifetime: '2y',
            purpose: 'analytics',
            party: 'first',
            storage: 'cookie',
          })),
          hosts: ['ads|1.example', 'www.ads.example'],
        },
      ],
      email: [],
      siteCookies: [],
    };
    const md = declarationToMarkdown(d);
    expect(md).toContain('\n## Ana\\|lytics\n\n1\\. line \\| two\n');
    const rows = tableRows(md);
    expect(rows).toEqual([
      [
        'Ads | \\*x\\* \\`y\\`',
        'Evil|X U',
        'third',
        [
          '`a|b`',
          '``x`y``',
          '`` `start ``',
          '```a``b|c```',
          '`two lines`',
          '`/^a\\\\|b$/`',
          // No code span shows "\|" in a table: an HTML <code> of escaped text does.
          '<code>/^a\\\\|b$/</code>',
        ]
          .map((cookie) => `${cookie} (2 years, first)`)
          .join(', '),
        '`ads|1.example`, `www.ads.example`',
        '[privacy](<https://ads.example/p|q\\>r%20s>)',
        '[opt out](<https://ads.example/o%0A>)',
      ],
    ]);
    expect(codeSpans(rows[0]![3]!)).toEqual(['a|b', 'x`y', '`start', 'a``b|c', 'two lines', '/^a\\\\|b$/']);
  });

  it("says a cookie's own purpose where a tracker serving several is listed under another", () => {
    const container = gtm({
      id: 'GTM-EDX0001',
      purposes: ['analytics', 'marketing'],
      cookies: [
        { name: '_ga', purpose: 'analytics', lifetime: '2y', party: 'first' },
        { name: '_gcl_au', purpose: 'marketing', lifetime: '90d', party: 'first' },
      ],
    });
    const d = createRegistry({ policy: edxPolicy, platform: { trackers: [container] }, members: [] }).declaration();
    const md = declarationToMarkdown(d);
    const [analytics, marketing] = tableRows(md).map((row) => row[3]);
    expect(analytics).toBe('`_ga` (2 years, first), `_gcl_au` (90 days, first, for Marketing)');
    expect(marketing).toBe('`_ga` (2 years, first, for Analytics), `_gcl_au` (90 days, first)');
    const html = declarationToHtml(d);
    const cells = [...html.matchAll(/<td><ul>(.*?)<\/ul><\/td>/g)].map(([, cell]) => cell);
    expect(cells).toEqual([
      '<li><code>_ga</code>: 2 years, first party</li><li><code>_gcl_au</code>: 90 days, first party, for Marketing</li>',
      '<li><code>_ga</code>: 2 years, first party, for Analytics</li><li><code>_gcl_au</code>: 90 days, first party</li>',
    ]);
  });

  it('names what a tracker stores as cookies and stored data, since its declaration lists localStorage keys with its cookies', () => {
    // As @optin/analytics declares its first-party tracker: cookies and localStorage keys in one list.
    const own = defineTracker({
      id: 'optin-functionality',
      owner: 'platform',
      purposes: ['functionality'],
      party: 'first',
      vendor: { name: 'edX', privacyUrl: 'https://www.edx.org/edx-privacy-policy' },
      cookies: ['optin_id', 'optin_touch'].map((name) => ({
        name,
        purpose: 'functionality',
        lifetime: '13mo',
        party: 'first' as const,
      })),
      hosts: ['collector.edx.org'],
    });
    const d = createRegistry({ policy: edxPolicy, platform: { trackers: [own] }, members: [] }).declaration();
    const md = declarationToMarkdown(d);
    expect(md).toContain(
      '| Tracker | Run by | Party | Cookies and stored data (lifetime) | Hosts | Privacy | Opt out |',
    );
    expect(md).not.toMatch(/\| Cookies \(lifetime\)/);
    const html = declarationToHtml(d);
    expect(html).toContain('<caption>Functionality: trackers and what they store</caption>');
    expect(html).toContain('<th scope="col">Cookies and stored data (lifetime)</th>');
    expect(html).not.toMatch(/their cookies|Cookies and lifetime/);
  });

  it('lists a localStorage or sessionStorage key as what it is, never as a cookie, in Markdown, HTML and JSON', () => {
    const entry = (name: string, storage?: 'cookie' | 'localStorage' | 'sessionStorage') => ({
      name,
      purpose: 'functionality',
      lifetime: name === 'optin_tab' ? 'session' : '13mo',
      party: 'first' as const,
      ...(storage && { storage }),
    });
    const own = defineTracker({
      id: 'optin-functionality',
      owner: 'platform',
      purposes: ['functionality'],
      party: 'first',
      vendor: { name: 'edX', privacyUrl: 'https://www.edx.org/edx-privacy-policy' },
      cookies: [
        entry('optin_id'),
        entry('optin_ses', 'cookie'),
        entry('optin_touch', 'localStorage'),
        entry('optin_tab', 'sessionStorage'),
      ],
      hosts: ['collector.edx.org'],
    });
    const d = createRegistry({ policy: edxPolicy, platform: { trackers: [own] }, members: [] }).declaration();
    expect(tableRows(declarationToMarkdown(d)).map((row) => row[3])).toEqual([
      '`optin_id` (13 months, first), `optin_ses` (13 months, first), `optin_touch` (localStorage, 13 months, first), `optin_tab` (sessionStorage, session, first)',
    ]);
    expect([...declarationToHtml(d).matchAll(/<td><ul>(.*?)<\/ul><\/td>/g)].map(([, cell]) => cell)).toEqual([
      '<li><code>optin_id</code>: 13 months, first party</li><li><code>optin_ses</code>: 13 months, first party</li><li><code>optin_touch</code>: localStorage, 13 months, first party</li><li><code>optin_tab</code>: sessionStorage, session, first party</li>',
    ]);
    const saved = JSON.parse(declarationToJson(d)) as Declaration;
    expect(saved.trackers[0]!.cookies.map((c) => `${c.name} ${c.storage}`)).toEqual([
      'optin_id cookie',
      'optin_ses cookie',
      'optin_touch localStorage',
      'optin_tab sessionStorage',
    ]);
    // A declaration saved as JSON before entries said where they are kept: each reads as a cookie.
    for (const c of saved.trackers[0]!.cookies) delete (c as { storage?: string }).storage;
    expect(declarationToMarkdown(saved)).toContain('`optin_touch` (13 months, first)');
    expect(declarationToHtml(saved)).toContain('<li><code>optin_touch</code>: 13 months, first party</li>');
  });

  it('lists a family of cookies by the names learners find in their browser, never as a regular expression', () => {
    const config = { policy: edxPolicy, platform: { trackers: [hotjar({ siteId: 123 })] }, members: [] };
    const d = createRegistry(config).declaration();
    expect(d.trackers[0]!.cookies.map((c) => [c.name, c.lifetime])).toEqual([
      ['_hjSessionUser_123', '365d'],
      ['_hjSession_123', '30min'],
      ['_hjid', '365d'],
      ['_hjClosedSurveyInvites', '365d'],
      ['_hjDonePolls', '365d'],
      ['_hjMinimizedPolls', '365d'],
      ['_hjShownFeedbackMessage', '365d'],
      ['_hjIncludedInSessionSample*', '30min'],
      ['_hjIncludedInPageviewSample*', '30min'],
      ['_hjAbsoluteSessionInProgress', '30min'],
      ['_hjFirstSeen', '30min'],
      ['_hjSessionTooLarge', 'session'],
      ['_hjSessionRejected', 'session'],
      ['_hjSessionResumed', 'session'],
      ['_hj*UserAttributes*', 'session'],
      ['_hj*Test', 'session'],
    ]);
    const md = declarationToMarkdown(d);
    expect(md).not.toContain('/^');
    expect(md).toContain('`_hjDonePolls` (365 days, first)');
    // An optional part is a name with it and one without (DESIGN.md's GA4 family).
    const ga = { ...pixel('GA', 'ga.example', 'x'), cookies: [{ ...d.trackers[0]!.cookies[0]!, name: /^_ga(_.*)?$/ }] };
    const family = createRegistry({ ...config, platform: { trackers: [ga] } }).declaration();
    expect(family.trackers[0]!.cookies.map((c) => c.name)).toEqual(['_ga_*', '_ga']);
    // A `|` outside a group splits the whole pattern (`^_ga`, or `_gid$` anywhere: `tracker_gid`):
    // no list of names says that, so the pattern is shown as it is.
    const loose = { ...ga, cookies: [{ ...ga.cookies[0]!, name: /^_ga|_gid$/ }] };
    const shown = createRegistry({ ...config, platform: { trackers: [loose] } }).declaration();
    expect(shown.trackers[0]!.cookies.map((c) => c.name)).toEqual(['/^_ga|_gid$/']);
  });

  it('shows cookie name patterns the way people read them', () => {
    expect(cookiePattern(/^_ga_/)).toBe('_ga_*');
    expect(cookiePattern(/^_ga$/)).toBe('_ga');
    expect(cookiePattern(/^_gid.*$/)).toBe('_gid*');
    expect(cookiePattern(/^_hjSession_\d+$/)).toBe('_hjSession_*');
    expect(cookiePattern(/^(_ga|_gid)$/)).toBe('/^(_ga|_gid)$/');
    // A `|` outside a group splits the whole pattern (`^_ga` or `_gid$`, anywhere): shown as it is.
    expect(cookiePattern(/^_ga|_gid$/)).toBe('/^_ga|_gid$/');
    expect(cookiePattern(/^_hj|_fbp/)).toBe('/^_hj|_fbp/');
    expect(cookiePattern(/^_x(?=y)/)).toBe('/^_x(?=y)/');
    expect(cookiePattern(/^_pk_id\.1\./)).toBe('_pk_id.1.*');
    expect(cookiePattern(/^ajs/i)).toBe('/^ajs/i');
    expect(cookiePattern(/^_x\d$/)).toBe('/^_x\\d$/');
    expect(cookiePattern('ajs_user_id')).toBe('ajs_user_id');
    // Whatever the pattern, a name or the pattern itself, never an exception.
    fc.assert(
      fc.property(fc.stringMatching(/^\^[\w|()?:*+.\\$[\]{}]{0,20}$/), (source) => {
        let pattern: RegExp;
        try {
          pattern = new RegExp(source);
        } catch {
          return;
        }
        expect(typeof cookiePattern(pattern)).toBe('string');
      }),
    );
  });
});
