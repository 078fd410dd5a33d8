import { describe, expect, test } from 'vitest';
import { audit, formatReport } from '../src/index.js';
import { hostRules, standInSite } from './stand-in-site.js';

// An audit that starts on one URL and lands on another, as `edx.org` lands on `www.edx.org`: the
// learner played must still be the one the landing page sees, and its course must decide the Member.
const course = '/learning/course/course-v1:HarvardX+CS50+2026_T1/home';
const mitx = '/learning/course/course-v1:MITx+6.001+2026_T1/home';
const site = standInSite({
  page: 'page.ts',
  config: 'optin.config.mjs',
  answer: ({ url, res, js, html }) => {
    if (url.pathname === '/go') res.writeHead(302, { location: `${site.origin('www.optin.test')}${course}` }).end();
    else if (url.pathname === course) html('<script src="/page.js"></script>');
    else if (url.pathname === '/learning/course/course-v1:HarvardX+CS50+2026_T1/resume')
      // A HarvardX course page that sends the learner on, in script, to an MITx course, which loads
      // HarvardX's ad tag.
      html(`<script>location.replace('${mitx}');</script>`);
    else if (url.pathname === mitx) html(`<script src="${site.origin('ads.harvardx.optin.test')}/ads.js"></script>`);
    else if (url.pathname === '/v.js') js(`document.cookie = '_vendor=1;Path=/;Max-Age=3600';`);
    else if (url.pathname === '/ads.js') js(`document.cookie = '_hxads=1;Path=/;Max-Age=3600';`);
    else return false;
    return true;
  },
});
const hits = () => site.hits.map((h) => h.at);

describe('optin audit after a redirect', () => {
  test("the apex redirecting to www: the landing page reads the learner's choice and its course decides the Member", async () => {
    site.hits.length = 0;
    const report = await audit(`${site.origin('optin.test')}/go`, {
      config: site.config,
      consent: 'all',
      hostRules,
      waitMs: 300,
    });
    expect(report.url).toBe(`${site.origin('www.optin.test')}${course}`);
    expect(report.member).toBe('HarvardX');
    // Everything accepted, on HarvardX's course: the platform's and HarvardX's trackers ran.
    expect(hits()).toContain('cdn.vendor.optin.test/v.js');
    expect(hits()).toContain('ads.harvardx.optin.test/ads.js');
    expect(report.findings).toEqual([]);
  });

  test('refused, the same redirect loads nothing and is clean', async () => {
    site.hits.length = 0;
    const report = await audit(`${site.origin('optin.test')}/go`, {
      config: site.config,
      consent: ['performance'],
      hostRules,
      waitMs: 300,
    });
    expect(report.member).toBe('HarvardX');
    expect(hits().filter((h) => h.endsWith('.js') && !h.endsWith('/page.js'))).toEqual([]);
    expect(report.findings).toEqual([]);
  });

  test("a page that sends the learner on in script is judged as the page it ends on, and the Member's change is reported", async () => {
    const start = `${site.origin('www.optin.test')}/learning/course/course-v1:HarvardX+CS50+2026_T1/resume`;
    const report = await audit(start, {
      config: site.config,
      consent: 'all',
      hostRules,
      waitMs: 300,
      interact: false,
    });
    expect(report.url).toBe(`${site.origin('www.optin.test')}${mitx}`);
    expect(report.member).toBe('MITx');
    expect(report.visited).toEqual([
      { url: start, member: 'HarvardX' },
      { url: `${site.origin('www.optin.test')}${mitx}`, member: 'MITx' },
    ]);
    expect(report.findings.map((f) => `${f.kind} ${f.subject.replace(/:\d+/, '')}`)).toEqual([
      'out_of_scope_request http://ads.harvardx.optin.test/ads.js',
      'out_of_scope_cookie _hxads@www.optin.test',
    ]);
    expect(formatReport(report)).toContain(
      `Member changed as the page went on: HarvardX (${start}) → MITx (${site.origin('www.optin.test')}${mitx}); judged as the last`,
    );
  });
});
