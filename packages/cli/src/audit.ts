import { createRegistry, type OptinConfig } from '@optin/members';
import { chromium } from 'playwright-core';
import { findViolations, type Finding, type ObservedCookie, type ObservedStorage } from './audit-findings.js';
import { checkCookieName, checkSite } from './audit-options.js';
import { chromiumArgs, chromiumPath, sendGlobalPrivacyControl } from './chromium.js';
import { consentState, type AuditConsent } from './consent-state.js';
import { CliError } from './errors.js';
import { sameSite, siteOf } from './host-pattern.js';
import { leave } from './leave-page.js';
import { answerMs, recordActivity } from './record-activity.js';

/** Options of {@link audit}. */
export interface AuditOptions {
  /** The config the page is held to (`loadConfig`). */
  readonly config: OptinConfig;
  /** The learner played: `none` (default: has not decided), `all`, or the purposes granted. */
  readonly consent?: AuditConsent;
  /** The site's consent mode, as its pages create their consent store: `opt-in` (default) or `opt-out`. */
  readonly mode?: 'opt-in' | 'opt-out';
  /**
   * Play a learner whose browser sends Global Privacy Control, as Chromium implements it: `Sec-GPC: 1`
   * on every request and `navigator.globalPrivacyControl` true in every document and worker. What GPC
   * refuses (`marketing`) is then refused unless `consent` names it. Default false.
   */
  readonly gpc?: boolean;
  /** Name of the consent cookie the page reads (a cookie name, else `invalid_argument`). Default `optin`. */
  readonly cookieName?: string;
  /**
   * Registrable domain of the page (`edx.org`); default: the page host's, by the Public Suffix List.
   * A public suffix (`com`) or anything but a host name is a {@link CliError} `invalid_argument`.
   */
  readonly site?: string;
  /** How long to watch after the `load` event, in ms, for late trackers. Default 2,000. */
  readonly waitMs?: number;
  /** Chromium to drive. Default `CHROMIUM_PATH`, else `/usr/bin/chromium`. */
  readonly chromiumPath?: string;
  /** Chromium host resolver rules, e.g. `MAP *.edx.org 127.0.0.1` (to audit a staging server under real names). */
  readonly hostRules?: readonly string[];
  /** Accept self-signed certificates (staging). Default false. */
  readonly ignoreHttpsErrors?: boolean;
}

/** What {@link audit} saw and found on one page. */
export interface AuditReport {
  /** The page audited: where the browser landed, after any redirect. */
  readonly url: string;
  /** The learner played. */
  readonly consent: AuditConsent;
  /** The site's consent mode the audit held the page to. */
  readonly mode: 'opt-in' | 'opt-out';
  /** Whether the browser sent Global Privacy Control. */
  readonly gpc: boolean;
  /** The Member that owns the page's course, or `null`. */
  readonly member: string | null;
  /** How many requests the page made, WebSocket connections and requests sent on leaving included. */
  readonly requests: number;
  /** Every cookie the page set, as it set it (even if deleted or expired since) or as the browser held it at the end. */
  readonly cookies: readonly ObservedCookie[];
  /** Every localStorage and sessionStorage key written (even if removed since) or held when the page had settled, and every IndexedDB database, Cache Storage cache and origin private file system entry, per origin. */
  readonly storage: readonly ObservedStorage[];
  /** Everything that ran or was set without consent, without a declaration, or outside its Member's scope. */
  readonly findings: readonly Finding[];
}

/**
 * The consent cookie as the page's consent store keeps it: on the site's registrable domain (DESIGN:
 * one cookie shared by `www.`, `courses.` and `learning.`), so that a redirect to another host of the
 * site (`edx.org` → `www.edx.org`) and frames on sibling hosts read the learner played. An IP
 * address or a single-label host (`localhost`) takes no domain cookie: host-only there.
 */
function consentCookie(name: string, value: string, page: URL, site = siteOf(page.hostname)) {
  const domain = site.replace(/^\./, '');
  return /^[\d.]+$|^\[|^[^.]+$/.test(domain) || !sameSite(page.hostname, domain)
    ? { name, value, url: page.origin }
    : { name, value, domain: `.${domain}`, path: '/' };
}

/** The first line of what was thrown, for an issue's message. */
const firstLine = (cause: unknown) => (cause instanceof Error ? (cause.message.split('\n')[0] ?? '') : String(cause));

/**
 * Opens `url` in headless Chromium as a learner with the given consent (the consent cookie planted
 * on the site's registrable domain before the first request), records every request, WebSocket
 * connection, cookie write and storage write until the page has settled, then leaves the page (to
 * `about:blank`: the browser fires `beforeunload`, `pagehide`, `visibilitychange` and `unload` in
 * every frame) and records what it sends on its way out. Judges all of it, with the cookies left in
 * the browser, against the config's trackers in scope for that page ({@link findViolations}): the
 * page the browser landed on, after any redirect, whose origin is the page's own and whose course
 * decides the Member. A page that does not load, or answers an HTTP error (404, 502), is a
 * {@link CliError} `browser_failed`: its error page is not the page.
 *
 * @example
 * const report = await audit('https://www.edx.org/', { config, consent: 'none' });
 * if (report.findings.length) process.exitCode = 1;
 */
export async function audit(url: string, options: AuditOptions): Promise<AuditReport> {
  const { config, consent = 'none', cookieName = 'optin', waitMs = 2000, mode = 'opt-in', gpc = false } = options;
  let page: URL;
  try {
    page = new URL(url);
    if (!/^https?:$/.test(page.protocol)) throw new TypeError('not http(s)');
  } catch (cause) {
    throw new CliError(
      'invalid_argument',
      [{ path: 'url', message: `"${url}" is not an http(s) URL` }],
      'Give the full address of the page, e.g. https://www.edx.org/.',
      { cause },
    );
  }
  const given = options.site === undefined ? undefined : checkSite(options.site);
  checkCookieName(cookieName);
  // A caller in plain JavaScript may pass anything.
  if (!/^opt-(in|out)$/.test(mode))
    throw new CliError(
      'invalid_argument',
      [{ path: 'mode', message: `"${mode}" is not a consent mode` }],
      'Use opt-in or opt-out, as the site creates its consent store.',
    );
  const state = consentState(config.policy, consent, { mode, gpc });
  const registry = createRegistry(config);
  const all = [...config.platform.trackers, ...config.members.flatMap((m) => m.trackers)];

  // A worker that ran before it was watched (now and then, on a busy machine) did what the audit
  // could not see: the page is audited again, in a new browser; still so the third time, it is a finding.
  const attempt = async (): Promise<{ report: AuditReport; unwatched: string[] }> => {
    const executablePath = options.chromiumPath ?? chromiumPath();
    const browser = await chromium
      .launch({ executablePath, args: chromiumArgs(options.hostRules, { gpc }) })
      .catch((cause: unknown) => {
        throw new CliError(
          'browser_failed',
          [{ path: executablePath, message: firstLine(cause) }],
          'Install Chromium (apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium executable.',
          { cause },
        );
      });
    try {
      if (gpc)
        await sendGlobalPrivacyControl(browser).catch((cause: unknown) => {
          throw new CliError(
            'browser_failed',
            [{ path: executablePath, message: firstLine(cause) }],
            "Use a Chromium that implements Global Privacy Control (DevTools' Browser.setGlobalPrivacyControl), such as Debian's chromium.",
            { cause },
          );
        });
      const context = await browser.newContext({ ignoreHTTPSErrors: options.ignoreHttpsErrors ?? false });
      if (state.cookie) await context.addCookies([consentCookie(cookieName, state.cookie, page, given)]);
      const activity = await recordActivity(browser, context).catch((cause: unknown) => {
        throw new CliError(
          'browser_failed',
          [{ path: executablePath, message: firstLine(cause) }],
          "Use a Chromium whose DevTools protocol intercepts requests (Fetch domain), such as Debian's chromium.",
          { cause },
        );
      });
      const tab = await context.newPage();
      // A page held until it is watched takes no navigation well.
      await activity.ready();
      const answer = await tab.goto(page.href, { waitUntil: 'load', timeout: 30_000 }).catch((cause: unknown) => {
        throw new CliError(
          'browser_failed',
          [{ path: 'url', message: firstLine(cause) }],
          'Check that the page is reachable from this machine (see --resolve for staging hosts).',
          { cause },
        );
      });
      if (!answer || answer.status() >= 400)
        throw new CliError(
          'browser_failed',
          [{ path: 'url', message: answer ? `answered ${answer.status()}` : 'answered nothing' }],
          'Audit a page that loads: check its address, and that the server behind it is up (see --resolve for staging hosts).',
        );
      // The page audited is the one the browser landed on (`edx.org` → `www.edx.org`, a short link to
      // a course): its origin is first party, and its course decides the Member scope.
      const landed = new URL(answer.url());
      const site = given ?? siteOf(landed.hostname);
      const scope = registry.scopeFor(landed);
      await tab.waitForTimeout(waitMs);
      const unanswered = await activity.readStorage(tab);
      await leave(tab);
      const jar = (await context.cookies()).map((c) => ({ name: c.name, domain: c.domain }));
      const cookies = [...activity.cookies, ...jar].filter(
        (c, i, all) => all.findIndex((o) => o.name === c.name && o.domain === c.domain) === i,
      );
      const requests = [...activity.requests];
      const storage = [...activity.storage];
      return {
        unwatched: activity.unwatched(),
        report: {
          url: landed.href,
          consent,
          mode,
          gpc,
          member: scope.member?.id ?? null,
          requests: requests.length,
          cookies,
          storage,
          findings: [
            ...findViolations({
              site,
              page: landed.href,
              requests,
              cookies,
              storage,
              inScope: scope.trackers,
              all,
              allows: (purpose) => state.allows(purpose),
              consentCookie: cookieName,
            }),
            ...[...new Set(unanswered)].map((frame) => ({
              kind: 'unresponsive_frame' as const,
              subject: frame,
              trackers: [],
              message: `This frame did not answer the audit within ${String(answerMs / 1000)} s: its storage was not read, so what it keeps there was not judged (it keeps its thread busy). Find what runs in it, and audit again.`,
            })),
          ],
        },
      };
    } finally {
      await browser.close();
    }
  };
  for (let tries = 1; ; tries++) {
    const { report, unwatched } = await attempt();
    if (!unwatched.length) return report;
    if (tries === 3)
      return {
        ...report,
        findings: [
          ...report.findings,
          ...unwatched.map((script) => ({
            kind: 'unwatched_worker' as const,
            subject: script,
            trackers: [],
            message:
              'This worker ran its first script before the audit could watch it, three times: what it did then was not judged. Audit the page again, on a less busy machine.',
          })),
        ],
      };
  }
}
