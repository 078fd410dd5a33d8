import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { chromiumArgs, chromiumPath } from '../../cli/src/chromium.js';
import { bundle, serve, type TestServer } from '../../../test-support/browser.js';

/** A request that reached the vendor's host: its path, and whether the learner had gone to the page. */
interface Hit {
  path: string;
  /** `Sec-Purpose` (`prefetch;prerender` for one a page sent while Chromium prerendered it). */
  purpose: string;
  followed: boolean;
}

let server: TestServer;
let script: string;
let hits: Hit[];
/** Pages loaded: `[path, Sec-Purpose]`. */
let loads: [string, string][];
/** Once true, `/from` goes to `/next`, the page Chromium prerenders (the learner follows a link). */
let follow: boolean;

const html = (body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Course</title></head><body>${body}<script>${script}</script></body></html>`;

beforeAll(async () => {
  script = await bundle(fileURLToPath(new URL('./fixtures/prerender-page.ts', import.meta.url)));
  server = await serve([
    (req, res, url) => {
      const headers = { 'cache-control': 'no-store', 'access-control-allow-origin': '*' };
      if (url.hostname == 'vendor.test') {
        hits.push({
          path: url.pathname + url.search,
          purpose: String(req.headers['sec-purpose'] ?? ''),
          followed: follow,
        });
        res.writeHead(200, { ...headers, 'content-type': 'text/javascript' }).end('');
        return true;
      }
      if (url.pathname == '/follow') {
        res.writeHead(200, headers).end(String(follow));
        return true;
      }
      if (url.pathname != '/from' && url.pathname != '/next') return false;
      loads.push([url.pathname, String(req.headers['sec-purpose'] ?? '')]);
      // `/next` has a static tag of the vendor too: it may run only once the learner is on the page.
      const tag = `<script type="text/plain" data-optin-tracker="vendor" src="http://vendor.test:${server.port}/static.js"></script>`;
      res
        .writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8' })
        .end(html(url.pathname == '/next' ? tag : ''));
      return true;
    },
  ]);
});
afterAll(() => server.close());

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Waits until `done()` (or 10 s). */
const until = async (done: () => boolean) => {
  for (let i = 0; i < 200 && !done(); i++) await wait(50);
};

/** `/from<query>` is opened; Chromium prerenders `/next<query>`; the learner goes there when the test says so. */
const scenario = (query: string) => async () => {
  hits = [];
  loads = [];
  follow = false;
  // Chromium prerenders nothing while a DevTools client that does not speak its tab targets (as
  // Playwright's) is attached: this Chromium runs on its own, and the page follows the link when told.
  const profile = await mkdtemp(join(tmpdir(), 'optin-trackers-prerender-'));
  const chromium = spawn(
    chromiumPath(),
    [...chromiumArgs(['MAP vendor.test 127.0.0.1']), `--user-data-dir=${profile}`, `${server.origin()}/from${query}`],
    { stdio: 'ignore' },
  );
  try {
    await until(() => loads.some(([path]) => path == '/next'));
    expect(loads).toEqual([
      ['/from', ''],
      ['/next', 'prefetch;prerender'],
    ]);
    await wait(2000); // its script has run, and would have loaded the tracker
    expect(hits).toEqual([]);

    follow = true; // the learner follows the link
    const views = () => hits.filter((h) => h.path == '/collect?type=page&path=%2Fnext');
    await until(() => views().length > 0 && hits.some((h) => h.path == '/static.js'));
    await wait(1000);
    expect(loads).toHaveLength(2); // the page shown is the prerendered one, activated: not loaded again
    expect(views()).toHaveLength(1);
    expect(hits.map((h) => h.path).sort()).toEqual(['/collect?type=page&path=%2Fnext', '/static.js', '/tag.js']);
    expect(hits.every((h) => h.followed && h.purpose == '')).toBe(true);
  } finally {
    const exited = new Promise((resolve) => chromium.once('exit', resolve));
    chromium.kill();
    await exited;
    await rm(profile, { recursive: true, force: true });
  }
};

test(
  'a page Chromium prerenders loads no tracker until the learner goes to it, then the tracker gets the page view once',
  scenario(''),
);

// Opt-out, and the learner never decides (most do not): the defaults allow the vendor, so the page
// view kept while prerendered goes to it once the learner is on the page.
test('opt-out, no decision: the same, the defaults allowing the tracker', scenario('?optout'));
