import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCollector, resolveCredentials, SqliteStorage, type MemberStatsAnswer } from '@optin/collector';
import { edxPolicy, fromCookieHeader } from '@optin/consent';
import {
  createEmailSigner,
  createEmailVerifier,
  createSubjectVerifier,
  sealSubject,
  type MessageMeta,
} from '@optin/email';
import { buildDeclaration, declarationToHtml } from '@optin/members';
import { allowsEmailTracking } from './email-consent.js';
import { emailFramePolicy } from './email-frame-policy.js';
import { course, dashboard, email, emailMessage, home, thirdParties, type Layout } from './pages.js';
import { courses, declaredSiteConfig, optOutPath, vendorHosts } from './site.js';

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${String(c.charCodeAt(0))};`);

/** Options of {@link startDemo}. */
export interface DemoOptions {
  /** Port of the site; the collector listens on the next one. 0 (default) picks free ports. */
  readonly port?: number;
  /** Where the collector's SQLite database lives. Default `.optin/` in the working directory. */
  readonly dataDir?: string;
}

/** A running demo. */
export interface Demo {
  /** The site, e.g. `http://www.edx.localhost:3000`. */
  readonly siteUrl: string;
  /** The collector, e.g. `http://collector.edx.localhost:3001`. */
  readonly collectorUrl: string;
  /** API tokens of the platform and each Member (made for this run). */
  readonly tokens: Readonly<Record<'platform' | 'HarvardX' | 'MITx', string>>;
  /** Stops both servers and closes the database. */
  close(): Promise<void>;
}

// The page script is built by tsup into dist/public (this file runs from src/ in tests, dist/ otherwise).
const publicDir = fileURLToPath(new URL('../dist/public/', import.meta.url));
const members = [
  { id: 'HarvardX', orgs: ['HarvardX'], email: { keyId: 'hx-demo' } },
  { id: 'MITx', orgs: ['MITx'] },
];

/**
 * Why a server could not listen, in words a person starting the demo can act on: a port in use
 * names the port and how to pick others. Any other error is returned as it is.
 */
function portError(error: unknown, port: number, what: 'site' | 'collector'): Error {
  if ((error as NodeJS.ErrnoException | null)?.code !== 'EADDRINUSE')
    return error instanceof Error ? error : new Error(String(error));
  return new Error(
    `port ${String(port)} (the ${what}) is already in use: stop what holds it, or start the demo on other ports, e.g. PORT=4000 pnpm demo (the collector takes PORT + 1).`,
    { cause: error },
  );
}

/**
 * Starts the demo: the collector (SQLite, CORS open to the site) and the site, an edX-like catalog
 * with HarvardX and MITx course pages, Member dashboards and a course email (signed for tracking
 * only when the learner's consent allows it). Everything is on `*.localhost` names, which browsers
 * resolve to this machine. A port in use rejects with an error that names it (and leaves nothing open).
 */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const dataDir = options.dataDir ?? join(process.cwd(), '.optin');
  mkdirSync(dataDir, { recursive: true });
  const secret = () => randomBytes(18).toString('base64url');
  const tokens = { platform: secret(), HarvardX: secret(), MITx: secret() };
  const emailKey = randomBytes(32).toString('base64');
  // The platform's subject key: its server proves whose receipts a page posts (the collector takes
  // a receipt's grants as consent only for a proved subject).
  const subjectKeys = { 'edx-demo': randomBytes(32).toString('base64') };
  // The demo's one signed-in learner: receipts are kept under this id and emails are signed for it.
  const learner = 'lms-user-42';
  const learnerProof = sealSubject(learner, { keys: subjectKeys, activeKid: 'edx-demo' });

  const site = createServer();
  await new Promise<void>((resolve, reject) => {
    site.once('error', (error) => reject(portError(error, options.port ?? 0, 'site')));
    site.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const sitePort = (site.address() as AddressInfo).port;
  const siteUrl = `http://www.edx.localhost:${String(sitePort)}`;

  const config = { policy: edxPolicy, members };
  // A collector that cannot start leaves no site behind: the caller gets the reason, with nothing open.
  const closeSite = () => new Promise<void>((resolve) => site.close(() => resolve()));
  const collector = await createCollector({
    config,
    storage: new SqliteStorage(join(dataDir, 'demo.db')),
    credentials: resolveCredentials(config, {
      OPTIN_PLATFORM_TOKEN: tokens.platform,
      OPTIN_TOKEN_HARVARDX: tokens.HarvardX,
      OPTIN_TOKEN_MITX: tokens.MITx,
    }),
    email: createEmailVerifier({ members: { HarvardX: { keys: { 'hx-demo': emailKey } } } }),
    subjectProofs: createSubjectVerifier({ keys: subjectKeys }),
    allowedOrigins: [siteUrl],
    internalHosts: ['www.edx.localhost'],
  });
  const collectorPort = options.port ? options.port + 1 : 0;
  const listening = new URL(
    await collector.listen(collectorPort, '127.0.0.1').catch(async (error: unknown) => {
      await collector.close();
      await closeSite();
      throw portError(error, collectorPort, 'collector');
    }),
  );
  const collectorUrl = `http://collector.edx.localhost:${listening.port}`;

  // The list of third parties and tracked emails of the config the pages run, for the help page.
  const declared = buildDeclaration(declaredSiteConfig(collectorUrl));
  const declaration = declarationToHtml(declared);
  /** A stand-in vendor's opt-out page, by its host: what the vendor's own would say. */
  const optOutPages = new Map<string, string>(
    Object.values(vendorHosts).map((host) => {
      const vendor = declared.trackers.find((t) => t.hosts.includes(host))?.vendor.name ?? host;
      return [
        host,
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Opt-out recorded | ${escapeHtml(vendor)}</title></head>
<body><h1>Opt-out recorded</h1><p id="opt-out">Your opt-out of ${escapeHtml(vendor)} is recorded.</p>
<p>This page stands in for a vendor's own opt-out: the demo keeps nothing. Neither edX nor any Member is responsible for how well a third party's opt-out works; your cookie choices on edX decide what edX's pages load.</p>
<p><a href="${escapeHtml(siteUrl)}/third-parties">Back to edX's third parties</a></p></body></html>`,
      ];
    }),
  );

  const emailMember = 'HarvardX';
  const signer = createEmailSigner({
    memberId: emailMember,
    keys: { 'hx-demo': emailKey },
    activeKid: 'hx-demo',
    baseUrl: collectorUrl,
  });
  const courseEmail = `<p>Week 2 of <a href="${siteUrl}/learning/course/course-v1:HarvardX+CS50+2026_T1/home">CS50</a> is open.</p>`;
  // Sent an hour ago: opens and clicks within seconds of sending are counted as scanners' prefetches.
  const courseEmailMeta: MessageMeta = {
    messageId: `cs50-week2-${secret()}`,
    recipient: 'learner@example.org',
    campaign: 'cs50-week2',
    subject: learner,
    sentAt: Date.now() - 3_600_000,
  };

  site.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void respond(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(error instanceof Error ? error.message : 'error');
    });
  });

  async function respond(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Always a path of the site: `//evil.example/x`, `/\evil.example` (read as `//`) or an absolute
    // `http://evil.example/x` would otherwise be another host, and a redirect below would send the
    // browser there. The leading slashes and backslashes are one, after the site's origin.
    const url = new URL(`${siteUrl}/${(req.url ?? '').replace(/^[/\\]+/, '')}`);
    // A stand-in vendor's opt-out, on its own host (answered there: not sent to the site's name below).
    const optOut = url.pathname === optOutPath && optOutPages.get((req.headers.host ?? '').replace(/:\d+$/, ''));
    if (optOut)
      return void res
        .writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
          'content-security-policy': "default-src 'none'",
        })
        .end(optOut);
    // A browser that opened the site by another name (localhost:3000, 127.0.0.1:3000) is sent to the
    // URL the demo printed: from another origin the collector, which allows the site's only, would
    // refuse the page's receipts and page views, and the dashboards would stay empty.
    if (req.headers['sec-fetch-mode'] === 'navigate' && req.headers.host !== url.host)
      return void res.writeHead(308, { location: url.href, 'cache-control': 'no-store' }).end();
    const nonce = randomBytes(16).toString('base64');
    const layout: Layout = { nonce, collector: collectorUrl, learner, learnerProof };
    const html = (body: string, status = 200): void =>
      void res
        .writeHead(status, {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
          'content-security-policy': `default-src 'self'; script-src 'self' 'nonce-${nonce}'; style-src 'self' 'nonce-${nonce}'; img-src 'self'; connect-src 'self' ${collectorUrl}`,
        })
        .end(body);

    const vendor = /^\/vendor\/(ads|heatmap)\.js$/.exec(url.pathname);
    if (vendor) {
      const cookie = vendor[1] === 'ads' ? '_hxads' : '_mitxhm';
      res
        .writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' })
        .end(`document.cookie = '${cookie}=demo;Path=/;Max-Age=7776000;SameSite=Lax';`);
      return;
    }
    // The site has no icon: answered with nothing rather than a 404 that every page logs as an error.
    if (url.pathname === '/favicon.ico') return void res.writeHead(204, { 'cache-control': 'max-age=86400' }).end();
    if (/^\/[\w-]+\.js$/.test(url.pathname)) {
      const file = await readFile(join(publicDir, url.pathname.slice(1))).catch(() => null);
      if (file) res.writeHead(200, { 'content-type': 'text/javascript' }).end(file);
      else res.writeHead(404).end();
      return;
    }
    if (url.pathname === '/') return html(home(layout));
    const c = courses.find((x) => url.pathname.startsWith(`/learning/course/${x.key}/`));
    if (c) return html(course(layout, c));
    const member = /^\/dashboard\/(HarvardX|MITx)$/.exec(url.pathname)?.[1] as 'HarvardX' | 'MITx' | undefined;
    if (member) {
      const answer = await fetch(`${listening.origin}/v1/members/${member}/stats`, {
        headers: { authorization: `Bearer ${tokens[member]}` },
      });
      return html(dashboard(layout, member, (await answer.json()) as MemberStatsAnswer));
    }
    // The email as this learner receives it: signed pixel and links only if their consent (the
    // cookie the page wrote, read here on the server) allows it; untracked otherwise (`untrackHtml`:
    // an email HTML re-used from a tracked send keeps no other recipient's pixel or links).
    const tracked = () =>
      allowsEmailTracking(
        fromCookieHeader(req.headers.cookie, edxPolicy, { gpc: req.headers['sec-gpc'] === '1' }),
        emailMember,
      );
    if (url.pathname === '/third-parties') return html(thirdParties(layout, declaration));
    if (url.pathname === '/email') return html(email(layout, tracked()));
    if (url.pathname === '/email/message') {
      const message = tracked() ? signer.rewriteHtml(courseEmail, courseEmailMeta) : signer.untrackHtml(courseEmail);
      res
        .writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
          'content-security-policy': emailFramePolicy(message, collectorUrl),
        })
        .end(emailMessage(message));
      return;
    }
    html(`<!doctype html><title>Not found</title><p>Not found. <a href="/">Courses</a>`, 404);
  }

  return {
    siteUrl,
    collectorUrl,
    tokens,
    async close() {
      site.closeAllConnections();
      await new Promise<void>((resolve) => site.close(() => resolve()));
      await collector.close();
    },
  };
}
