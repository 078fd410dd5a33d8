import { describe, expect, test } from 'vitest';
import { audit, type AuditOptions, type AuditReport } from '../src/index.js';
import { findingLines } from './fixtures/audit-run.js';
import { fixture, hostRules, standInSite } from './stand-in-site.js';

// A learner who granted marketing but refused it for HarvardX (`members: { HarvardX: { marketing:
// false } }` in the decision), played by the real audit code in Debian's Chromium on a HarvardX
// course page. The platform's marketing pixel and HarvardX's are served by local stand-ins. The
// careful page runs both through consent and the scoped hub, which honours the Member refusal; the
// careless one loads HarvardX's pixel itself whenever marketing is granted at all.
const course = '/learning/course/course-v1:HarvardX+CS50+2026_T1';
const site = standInSite({
  page: 'page-members.ts',
  config: 'members.config.mjs',
  answer: ({ url, host, js, html }) => {
    if (url.pathname === '/pixel.js') js(`document.cookie = '_edxads=1;Path=/;Max-Age=3600';`);
    else if (url.pathname === '/ads.js')
      js(
        `document.cookie = '_hxads=1;Path=/;Max-Age=3600'; navigator.sendBeacon('${site.origin(host)}/hit', 'uid=1');`,
      );
    else if (decodeURIComponent(url.pathname).startsWith(course)) html('<script src="/page.js"></script>');
    else return false;
    return true;
  },
});

const run = async (path: string, options: Partial<AuditOptions>) => {
  site.hits.length = 0;
  const report = await audit(`${site.origin('www.optin.test')}${course}/${path}`, {
    config: site.config,
    hostRules,
    waitMs: 300,
    ...options,
  });
  return { report, hosts: [...new Set(site.hits.map((h) => h.host))].filter((h) => h.startsWith('ads.')).sort() };
};

describe('optin audit of a learner who refused a purpose for one Member', () => {
  test("a page whose hub honours the refusal passes: the platform's marketing pixel runs, HarvardX's never loads", async () => {
    const { report, hosts } = await run('careful', { consent: 'all', refused: { HarvardX: ['marketing'] } });
    expect(report.member).toBe('HarvardX');
    expect(report.refused).toEqual({ HarvardX: ['marketing'] });
    expect(hosts).toEqual(['ads.platform.optin.test']);
    expect(report.cookies.map((c) => c.name)).toContain('_edxads');
    expect(report.cookies.map((c) => c.name)).not.toContain('_hxads');
    expect(report.findings).toEqual([]);
  });

  test("a page that loads HarvardX's pixel anyway is reported: its script, beacon and cookie, not the platform's", async () => {
    // Without the refusal the same page is clean: HarvardX's marketing is granted with everyone's.
    const granted = await run('careless', { consent: 'all' });
    expect(granted.hosts).toEqual(['ads.harvardx.optin.test', 'ads.platform.optin.test']);
    expect(granted.report.findings).toEqual([]);

    const { report, hosts } = await run('careless', { consent: ['marketing'], refused: { HarvardX: ['marketing'] } });
    expect(hosts).toEqual(['ads.harvardx.optin.test', 'ads.platform.optin.test']);
    expect(findingLines(report)).toEqual([
      'cookie_without_consent _hxads@www.optin.test',
      'request_without_consent http://ads.harvardx.optin.test/ads.js',
      'request_without_consent http://ads.harvardx.optin.test/hit',
    ]);
    expect(report.findings.every((f) => f.trackers.join() === 'HarvardX/ads')).toBe(true);
    expect(report.findings[0]?.message).toContain('HarvardX');
  });
});

describe('the optin binary', () => {
  const optin = async (path: string, ...args: string[]) =>
    site.optin(
      'audit',
      `${site.origin('www.optin.test')}${course}/${path}`,
      '--config',
      fixture('members.config.mjs'),
      ...hostRules.flatMap((r) => ['--resolve', r]),
      '--wait',
      '300',
      ...args,
    );

  test('--refuse HarvardX:marketing: exit 1 on the page that ignores it, 0 on the one that honours it, the refusal in the report', async () => {
    const bad = await optin('careless', '--consent', 'all', '--refuse', 'HarvardX:marketing');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('consent: all; refused for HarvardX: marketing;');
    expect(bad.stdout).toContain('✗ request_without_consent http://ads.harvardx.optin.test');
    expect(bad.stdout).toContain('3 finding(s)');

    const good = await optin('careful', '--consent', 'all', '--refuse', 'HarvardX:marketing', '--json');
    expect(good.code).toBe(0);
    const report = JSON.parse(good.stdout) as AuditReport;
    expect(report).toMatchObject({ consent: 'all', refused: { HarvardX: ['marketing'] }, findings: [] });
  });
});
