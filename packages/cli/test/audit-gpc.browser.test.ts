import { describe, expect, test } from 'vitest';
import { audit, type AuditOptions, type AuditReport } from '../src/index.js';
import { findingLines } from './fixtures/audit-run.js';
import { fixture, hostRules, standInSite } from './stand-in-site.js';

// A site in opt-out mode, audited as a learner whose browser sends Global Privacy Control and as one
// whose browser does not, in Debian's Chromium by the real audit code. The careful page runs its
// trackers through consent (which reads GPC); the careless one loads HarvardX's ad script whatever
// the browser says. Both are HarvardX course pages, where the ads tracker (marketing) is in scope.
const course = '/learning/course/course-v1:HarvardX+CS50+2024';
// What each worker of the workers page read as `navigator.globalPrivacyControl`, by kind of worker.
const heard = new Map<string, string>();
const site = standInSite({
  page: 'page-opt-out.ts',
  config: 'optin.config.mjs',
  answer: ({ url, js, html }) => {
    // A page that starts a dedicated worker (which starts one of its own), a shared and a service
    // worker (on localhost, a secure context), each of which says, as its first statement, what
    // `navigator.globalPrivacyControl` is there.
    const worker = /^\/gpc-(dedicated|nested|shared|service)\.js$/.exec(url.pathname)?.[1];
    if (url.pathname === '/gpc-heard') heard.set(url.searchParams.get('from') ?? '', url.searchParams.get('gpc') ?? '');
    if (url.pathname === '/gpc-workers')
      html(`<script>
          new Worker('/gpc-dedicated.js');
          new SharedWorker('/gpc-shared.js');
          navigator.serviceWorker.register('/gpc-service.js');
        </script>`);
    else if (worker)
      js(
        `fetch('/gpc-heard?from=${worker}&gpc=' + navigator.globalPrivacyControl);${worker === 'dedicated' ? "new Worker('/gpc-nested.js');" : ''}`,
      );
    else if (url.pathname === '/v.js') js(`document.cookie = '_vendor=1;Path=/;Max-Age=3600';`);
    else if (url.pathname === '/ads.js') js(`document.cookie = '_hxads=1;Path=/;Max-Age=3600';`);
    else if (decodeURIComponent(url.pathname) === `${course}/careful`) html('<script src="/page.js"></script>');
    else if (decodeURIComponent(url.pathname) === `${course}/careless`)
      html(`<script src="${site.origin('ads.harvardx.optin.test')}/ads.js"></script>`);
    else return false;
    return true;
  },
});
// Every request the stand-in answered: host and path, and the Sec-GPC header it came with.
const hits = () => site.hits.map((h) => ({ path: h.at, gpc: h.headers['sec-gpc'] as string | undefined }));

const run = async (path: string, options: Partial<AuditOptions>): Promise<{ report: AuditReport; ads: boolean }> => {
  site.hits.length = 0;
  const report = await audit(`${site.origin('www.optin.test')}${course}/${path}`, {
    config: site.config,
    mode: 'opt-out',
    hostRules,
    waitMs: 300,
    ...options,
  });
  return { report, ads: hits().some((h) => h.path === 'ads.harvardx.optin.test/ads.js') };
};

describe('optin audit of an opt-out site, with and without Global Privacy Control', () => {
  test('without GPC, opt-out grants marketing: the ads load and nothing is found', async () => {
    const { report, ads } = await run('careful', {});
    expect(ads).toBe(true);
    expect(findingLines(report)).toEqual([]);
    expect(report).toMatchObject({ mode: 'opt-out', gpc: false, member: 'HarvardX' });
    expect(hits().every((h) => h.gpc === undefined)).toBe(true);
  });

  test('with GPC, the browser says so on every request and in the page: a page that honours it loads no ads', async () => {
    const { report, ads } = await run('careful', { gpc: true });
    expect(ads).toBe(false);
    expect(findingLines(report)).toEqual([]);
    expect(report).toMatchObject({ mode: 'opt-out', gpc: true });
    expect(hits().length).toBeGreaterThan(2);
    expect(hits().every((h) => h.gpc === '1')).toBe(true);
  });

  test('with GPC, a page that loads its ads anyway is caught', async () => {
    const careless = await run('careless', { gpc: true });
    expect(careless.ads).toBe(true);
    expect(findingLines(careless.report)).toEqual([
      'cookie_without_consent _hxads@www.optin.test',
      'request_without_consent http://ads.harvardx.optin.test/ads.js',
    ]);
    // The same page, for a browser without GPC on an opt-out site, does nothing wrong.
    expect(findingLines((await run('careless', {})).report)).toEqual([]);
  });

  test("with GPC, only the learner's own grant of marketing lets the ads load: accepting all does not", async () => {
    const all = await run('careful', { gpc: true, consent: 'all' });
    expect(all.ads).toBe(false);
    expect(findingLines(all.report)).toEqual([]);
    const granted = await run('careful', { gpc: true, consent: ['analytics', 'marketing'] });
    expect(granted.ads).toBe(true);
    expect(findingLines(granted.report)).toEqual([]);
  });

  test('with GPC, every worker sees navigator.globalPrivacyControl true, from its first statement; without, none does', async () => {
    const workers = async (gpc: boolean) => {
      heard.clear();
      // A service worker starts well after its page on a busy machine: a longer wait.
      await audit(`${site.origin('localhost')}/gpc-workers`, {
        config: site.config,
        mode: 'opt-out',
        gpc,
        waitMs: 4000,
      });
      return Object.fromEntries([...heard].sort());
    };
    expect(await workers(true)).toEqual({ dedicated: 'true', nested: 'true', service: 'true', shared: 'true' });
    // As in Chrome, which sends no GPC: the property is false, or not there at all.
    const without = await workers(false);
    expect(Object.keys(without)).toEqual(['dedicated', 'nested', 'service', 'shared']);
    for (const read of Object.values(without)) expect(['false', 'undefined']).toContain(read);
  });

  test('the CLI plays the same learner and says which in its report', async () => {
    const result = await site.optin(
      'audit',
      `${site.origin('www.optin.test')}${course}/careless`,
      '--config',
      fixture('optin.config.mjs'),
      '--mode',
      'opt-out',
      '--gpc',
      '--wait',
      '300',
      ...hostRules.flatMap((r) => ['--resolve', r]),
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('consent: none; opt-out, GPC sent; Member: HarvardX');
    expect(result.stdout).toContain('✗ request_without_consent http://ads.harvardx.optin.test:');
  });
});
