/**
 * `sendReceipts` in real Chromium: a subject's proof travels beside the receipt, cross-origin (CORS
 * preflight) and with `keepalive`, to a collector on another host, and the page hears when the
 * collector does not take it; a learner who signs in after deciding has the decision in force posted
 * under their user id too; a decision made through a second copy of the package on the page (another
 * bundle) is posted by the copy that sends receipts.
 */
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bundle, file, launchChromium, serve, type TestServer } from '../../../test-support/browser.js';
import type { ProvedSubject } from '../src/index.js';

const DOMAIN = 'optin.test';

let browser: Browser;
let server: TestServer;
let context: BrowserContext;
/** Bodies POSTed to the stand-in collector's `/v1/consent`. */
let bodies: Record<string, unknown>[];
/** The `receipt_failed` errors the pages wrote with `console.error` (where `sendReceipts` reports by default). */
let consoleErrors: string[];

beforeAll(async () => {
  const script = await bundle(fileURLToPath(new URL('./fixtures/consent-page.ts', import.meta.url)));
  // Built on its own: its own copy of every module of the package, as another bundle of the page has.
  const secondCopy = await bundle(fileURLToPath(new URL('./fixtures/second-copy.ts', import.meta.url)));
  server = await serve([
    // A collector on its own host that proves only the subject proof "valid-proof", as the real one answers.
    (req, res, url) => {
      if (url.pathname !== '/v1/consent' || !url.host.startsWith('collector.')) return false;
      const cors = { 'access-control-allow-origin': req.headers.origin ?? '*' };
      if (req.method === 'OPTIONS') {
        res
          .writeHead(204, {
            ...cors,
            'access-control-allow-methods': 'POST',
            'access-control-allow-headers': 'content-type',
          })
          .end();
        return true;
      }
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        const body = JSON.parse(text) as Record<string, unknown>;
        bodies.push(body);
        const answer =
          body.subjectProof === 'valid-proof'
            ? { stored: true, subjectProved: true }
            : {
                stored: true,
                subjectProved: false,
                reason: body.subjectProof === undefined ? 'missing' : 'unknown_kid',
              };
        res.writeHead(201, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify(answer));
      });
      return true;
    },
    file('/', '<!doctype html><meta charset="utf-8"><title>Optin</title><script src="/consent-page.js"></script>'),
    file('/consent-page.js', script, 'text/javascript; charset=utf-8'),
    // The page's bundle and a micro-frontend's, each with its own copy of @optin/consent.
    file(
      '/two-bundles',
      '<!doctype html><meta charset="utf-8"><title>Optin</title><script src="/consent-page.js"></script><script src="/second-copy.js"></script>',
    ),
    file('/second-copy.js', secondCopy, 'text/javascript; charset=utf-8'),
  ]);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser.close();
  await server.close();
});

beforeEach(async () => {
  bodies = [];
  consoleErrors = [];
  context = await browser.newContext();
});

afterEach(() => context.close());

/** A page of www that sends its receipts to the collector's host as `subject`. */
async function pageSending(subject: string | ProvedSubject): Promise<Page> {
  const page = await context.newPage();
  page.on(
    'console',
    (m) => m.type() === 'error' && m.text().includes('receipt_failed') && consoleErrors.push(m.text()),
  );
  await page.goto(`${server.origin(`www.${DOMAIN}`)}/`);
  await page.evaluate(() => window.optin.create());
  await page.evaluate(
    // The fixture hands `subject` to sendReceipts as it is.
    ([endpoint, s]) => window.optin.sendReceipts(endpoint, s as string),
    [server.origin(`collector.${DOMAIN}`), subject] as const,
  );
  return page;
}

/**
 * Loads `path` of `host` in `page` (a new page load: nothing of the last page's scripts is left),
 * creates the store (on `cookieDomain` when given) and sends its receipts as `subject`.
 */
async function load(
  page: Page,
  subject: string,
  { host = 'www', path = '/', live = false, cookieDomain }: { host?: string; path?: string; live?: boolean; cookieDomain?: string } = {},
): Promise<void> {
  await page.goto(`${server.origin(`${host}.${DOMAIN}`)}${path}`);
  await page.evaluate((d) => window.optin.create(d ? { cookieDomain: d } : {}), cookieDomain);
  await page.evaluate(
    ([endpoint, s, l, d]) => window.optin.sendReceipts(endpoint, s, { live: l, ...(d && { cookieDomain: d }) }),
    [server.origin(`collector.${DOMAIN}`), subject, live, cookieDomain] as const,
  );
}

/** What the collector got, as `[subject, consentId, decidedAt]`. */
const received = () => bodies.map((b) => [b.subject, b.consentId, b.decidedAt]);
/** Long enough for a receipt that was going to be posted to have arrived. */
const settle = () => new Promise((r) => setTimeout(r, 400));

describe('sendReceipts in Chromium', () => {
  it("posts the signed-in learner's subject proof beside the receipt, cross-origin", async () => {
    const page = await pageSending({ id: 'user-42', proof: 'valid-proof' });
    await page.evaluate(() => window.optin.acceptAll());
    await expect.poll(() => bodies.length).toBe(1);
    expect(bodies[0]).toMatchObject({ subject: 'user-42', subjectProof: 'valid-proof', purposes: { analytics: true } });
    await new Promise((r) => setTimeout(r, 300));
    expect(consoleErrors).toEqual([]);
  });

  it('posts no proof for a bare subject, and reports a proof the collector did not take', async () => {
    const anonymous = await pageSending('anon-7');
    await anonymous.evaluate(() => window.optin.rejectAll());
    await expect.poll(() => bodies.length).toBe(1);
    expect(bodies[0]).toMatchObject({ subject: 'anon-7' });
    expect(bodies[0]).not.toHaveProperty('subjectProof');
    await new Promise((r) => setTimeout(r, 300));
    expect(consoleErrors).toEqual([]);

    await context.clearCookies();
    const stale = await pageSending({ id: 'user-42', proof: 'proof-of-a-dropped-key' });
    await stale.evaluate(() => window.optin.acceptAll());
    await expect.poll(() => consoleErrors.join('\n')).toMatch(/did not take the subject proof \(unknown_kid\)/);
    expect(bodies[1]).toMatchObject({ subject: 'user-42', subjectProof: 'proof-of-a-dropped-key' });
  });
});

describe('sendReceipts when the learner signs in after deciding', () => {
  it('posts the decision in force again under the user id on the next page, once, with the same consentId', async () => {
    const page = await context.newPage();
    await load(page, 'anon-7f3a');
    await page.evaluate(() => window.optin.rejectAll('preferences'));
    await expect.poll(() => bodies.length).toBe(1);
    const [, consentId, decidedAt] = received()[0] ?? [];
    // Signs in: the next page of the site knows the user id.
    await load(page, 'lms-user-42');
    await expect.poll(() => bodies.length).toBe(2);
    expect(received()).toEqual([
      ['anon-7f3a', consentId, decidedAt],
      ['lms-user-42', consentId, decidedAt],
    ]);
    expect(bodies[1]).toMatchObject({ source: 'preferences', purposes: { analytics: false } });
    // Further pages, as the same learner or signed out again, post nothing: the collector has both.
    await load(page, 'lms-user-42');
    await load(page, 'anon-7f3a');
    await settle();
    expect(received()).toHaveLength(2);
  });

  it('posts it from another subdomain of the shared cookie when sendReceipts is given its cookieDomain', async () => {
    const page = await context.newPage();
    await load(page, 'anon-1', { cookieDomain: DOMAIN });
    await page.evaluate(() => window.optin.acceptAll());
    await expect.poll(() => bodies.length).toBe(1);
    // Signs in on the sign-in service and lands on the learning subdomain.
    await load(page, 'user-1', { host: 'learning', cookieDomain: DOMAIN });
    await expect.poll(() => bodies.length).toBe(2);
    expect(received()[1]).toEqual(['user-1', ...received()[0]!.slice(1)]);
  });

  it('posts it when the page signs the learner in without a load: on focus, when shown, or when told', async () => {
    const page = await context.newPage();
    await load(page, 'anon-2', { live: true });
    await page.evaluate(() => window.optin.rejectAll());
    await expect.poll(() => bodies.length).toBe(1);
    await page.evaluate(() => window.optin.signIn('user-2'));
    await page.evaluate(() => dispatchEvent(new Event('focus')));
    await expect.poll(() => bodies.length).toBe(2);
    await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    await page.evaluate(() => window.optin.signIn('user-3'));
    await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    await expect.poll(() => bodies.length).toBe(3);
    await page.evaluate(() => window.optin.signIn('user-4'));
    await page.evaluate(() => window.optin.subjectChanged());
    await expect.poll(() => bodies.length).toBe(4);
    await page.evaluate(() => window.optin.subjectChanged());
    await settle();
    expect(received().map(([subject]) => subject)).toEqual(['anon-2', 'user-2', 'user-3', 'user-4']);
    expect(new Set(received().map(([, id, at]) => `${String(id)} ${String(at)}`)).size).toBe(1);
  });

  it('does not post, under its own subject, a decision another tab made, nor one found stored that no page posted', async () => {
    const maker = await context.newPage();
    await load(maker, 'anon-3');
    const follower = await context.newPage();
    await load(follower, 'user-3', { live: true });
    await maker.evaluate(() => window.optin.acceptAll());
    await expect.poll(async () => (await follower.evaluate(() => window.optin.state())).allows.marketing).toBe(true);
    await follower.evaluate(() => dispatchEvent(new Event('focus')));
    await settle();
    expect(received().map(([subject]) => subject)).toEqual(['anon-3']);

    // A decision stored by a page that sent no receipt: no page posted it, so none posts it.
    await context.clearCookies();
    await maker.goto(`${server.origin(`www.${DOMAIN}`)}/`);
    await maker.evaluate(() => window.optin.create());
    await maker.evaluate(() => window.optin.withdraw('marketing'));
    await load(maker, 'user-5');
    await settle();
    expect(received().map(([subject]) => subject)).toEqual(['anon-3']);
  });
});

describe('sendReceipts with two copies of @optin/consent on the page', () => {
  it("posts a decision made through the other copy's store, and never one another tab made", async () => {
    const page = await context.newPage();
    await load(page, 'learner-two', { path: '/two-bundles' });
    await page.evaluate(() => window.secondCopy.create());
    const decidedAt = await page.evaluate(() => window.secondCopy.rejectAll());
    await expect.poll(() => bodies.length).toBe(1);
    expect(bodies[0]).toMatchObject({ subject: 'learner-two', decidedAt, purposes: { analytics: false } });

    // Another tab, with the same two bundles, decides through the second copy: its own receipt is
    // its own business (it sends none here); the first tab only follows the decision.
    const other = await context.newPage();
    await other.goto(`${server.origin(`www.${DOMAIN}`)}/two-bundles`);
    await other.evaluate(() => window.secondCopy.create());
    const elsewhere = await other.evaluate(() => window.secondCopy.acceptAll());
    await expect.poll(async () => (await page.evaluate(() => window.optin.state())).decision?.decidedAt).toBe(elsewhere);
    await settle();
    expect(bodies).toHaveLength(1);
  });
});
