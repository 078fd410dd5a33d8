/**
 * `sendReceipts` in real Chromium: a subject's proof travels beside the receipt, cross-origin (CORS
 * preflight) and with `keepalive`, to a collector on another host, and the page hears when the
 * collector does not take it; a decision made through a second copy of the package on the page
 * (another bundle) is posted by the copy that sends receipts.
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

/** Loads `path` of the site in `page`, creates the store and sends its receipts as `subject`. */
async function load(page: Page, subject: string, path = '/'): Promise<void> {
  await page.goto(`${server.origin(`www.${DOMAIN}`)}${path}`);
  await page.evaluate(() => window.optin.create());
  await page.evaluate(([endpoint, s]) => window.optin.sendReceipts(endpoint, s), [
    server.origin(`collector.${DOMAIN}`),
    subject,
  ] as const);
}

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

describe('sendReceipts with two copies of @optin/consent on the page', () => {
  it("posts a decision made through the other copy's store, and never one another tab made", async () => {
    const page = await context.newPage();
    await load(page, 'learner-two', '/two-bundles');
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
    await expect
      .poll(async () => (await page.evaluate(() => window.optin.state())).decision?.decidedAt)
      .toBe(elsewhere);
    await settle();
    expect(bodies).toHaveLength(1);
  });
});
