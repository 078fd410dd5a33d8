import { createRegistry, type OptinConfig } from '@optin/members';
import { chromium, type Frame } from 'playwright-core';
import { findViolations, type Finding, type ObservedCookie, type ObservedStorage } from './audit-findings.js';
import { checkCookieName, checkHostRules, checkRefusedMembers, checkSite } from './audit-options.js';
import { chromiumArgs, chromiumPath, sendGlobalPrivacyControl } from './chromium.js';
import { consentState, type AuditConsent, type MemberRefusals } from './consent-state.js';
import { CliError } from './errors.js';
import { sameSite, siteOf } from './host-pattern.js';
import { interact as interactWith, type Interaction } from './interact.js';
import { leave } from './leave-page.js';
import { answerMs, recordActivity } from './record-activity.js';

/** Options of {@link audit}. */
export interface AuditOptions {
  /** The config the page is held to (`loadConfig`). */
  readonly config: OptinConfig;
  /** The learner played: `none` (default: has not decided), `all`, or the purposes granted. */
  readonly consent?: AuditConsent;
  /**
   * Purposes the learner refused for one Member only, by Member id: `{ HarvardX: ['marketing'] }` is a
   * learner who granted marketing (in `consent`) but refused it for HarvardX. The planted decision
   * carries them (`members: { HarvardX: { marketing: false } }`), and each Member's trackers are judged
   * by that Member's grants. A Member the config does not have, an unknown or required purpose, or
   * refusals with `consent: 'none'` are a {@link CliError} `invalid_argument`. Default none.
   */
  readonly refused?: MemberRefusals;
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
  /** How long to watch after the `load` event, in ms, for late trackers, and again after the interactions. Default 2,000. */
  readonly waitMs?: number;
  /**
   * Play a learner who reads the page once it has settled: move the mouse, scroll to the end, press
   * Tab (never a click, Enter or Space), then watch `waitMs` more, so that trackers started on
   * interaction or lazily below the fold are seen. Default true.
   */
  readonly interact?: boolean;
  /**
   * How long to wait, at most, in ms, for the requests in flight to be answered (their `Set-Cookie`
   * read) after each watch and after leaving. One still unanswered then is an `unsettled_request`.
   * Default 10,000.
   */
  readonly settleMs?: number;
  /** Chromium to drive. Default `CHROMIUM_PATH`, else `/usr/bin/chromium`. */
  readonly chromiumPath?: string;
  /**
   * Chromium host resolver rules, e.g. `MAP *.edx.org 127.0.0.1` (to audit a staging server under
   * real names): each `MAP <pattern> <address>` or `EXCLUDE <pattern>`, else `invalid_argument`.
   */
  readonly hostRules?: readonly string[];
  /** Accept self-signed certificates (staging). Default false. */
  readonly ignoreHttpsErrors?: boolean;
}

/** What {@link audit} saw and found on one page. */
export interface AuditReport {
  /** The page audited: where the browser was when the audit left it, after any redirect (one in script too). */
  readonly url: string;
  /** The learner played. */
  readonly consent: AuditConsent;
  /** The purposes the learner refused for one Member only, by Member id (`{}` when none). */
  readonly refused: MemberRefusals;
  /** The site's consent mode the audit held the page to. */
  readonly mode: 'opt-in' | 'opt-out';
  /** Whether the browser sent Global Privacy Control. */
  readonly gpc: boolean;
  /** The Member that owns the page's course, or `null`. */
  readonly member: string | null;
  /**
   * The pages the audit was on, in order: where the browser landed, and each URL the page went on to
   * in script (`location`, `history.pushState`) whose Member differs from the one before. More than
   * one: the Member changed during the audit, and all was judged as the last's.
   */
  readonly visited: readonly { readonly url: string; readonly member: string | null }[];
  /** How long the page was watched after `load`, in ms, and again after the interactions done (none: watched once). */
  readonly watch: { readonly waitMs: number; readonly interactions: readonly Interaction[] };
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
  const {
    config,
    consent = 'none',
    refused: asked = {},
    cookieName = 'optin',
    waitMs = 2000,
    mode = 'opt-in',
    gpc = false,
    interact = true,
    settleMs = 10_000,
  } = options;
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
  checkHostRules(options.hostRules ?? []);
  // A caller in plain JavaScript may pass anything.
  if (!/^opt-(in|out)$/.test(mode))
    throw new CliError(
      'invalid_argument',
      [{ path: 'mode', message: `"${mode}" is not a consent mode` }],
      'Use opt-in or opt-out, as the site creates its consent store.',
    );
  const refused = checkRefusedMembers(
    Object.fromEntries(Object.entries(asked).filter(([, purposes]) => purposes.length)),
    config.members.map((m) => m.id),
  );
  const state = consentState(config.policy, consent, { mode, gpc, refused });
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
      // A page may send the learner on in script (a course's "resume" page, a single-page app): the
      // page audited is where the browser is when the audit leaves, each change of Member noted.
      const navigated: string[] = [];
      const went = (frame: Frame) => {
        if (frame === tab.mainFrame() && /^https?:/.test(frame.url())) navigated.push(frame.url());
      };
      tab.on('framenavigated', went);
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
      // A learner who stays: the wait, and the answers still due (their `Set-Cookie`); then one who reads.
      await tab.waitForTimeout(waitMs);
      const unsettled = await activity.settle(settleMs);
      // What is still unanswered is reported already: only what the learner's moves start is waited for.
      const moved = activity.mark();
      const interactions = interact ? await interactWith(tab) : [];
      if (interact) {
        await tab.waitForTimeout(waitMs);
        unsettled.push(...(await activity.settle(settleMs, moved)));
      }
      const unanswered = await activity.readStorage(tab);
      tab.off('framenavigated', went);
      const visited: { url: string; member: string | null }[] = [];
      for (const url of [answer.url(), ...navigated]) {
        const member = registry.scopeFor(new URL(url)).member?.id ?? null;
        if (!visited.length || member !== visited.at(-1)?.member) visited.push({ url, member });
      }
      // The page audited is where the browser ended up (`edx.org` → `www.edx.org`, a short link to a
      // course, a page that sends the learner on): its origin is first party, its course decides the Member.
      const landed = new URL(navigated.at(-1) ?? answer.url());
      const site = given ?? siteOf(landed.hostname);
      const scope = registry.scopeFor(landed);
      const leaving = activity.mark();
      await leave(tab);
      unsettled.push(...(await activity.settle(settleMs, leaving, true)));
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
          refused,
          mode,
          gpc,
          member: scope.member?.id ?? null,
          visited,
          watch: { waitMs, interactions },
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
              allows: (purpose, owner) => state.allows(purpose, owner),
              consentCookie: cookieName,
            }),
            ...[...new Set(unsettled)].map((request) => ({
              kind: 'unsettled_request' as const,
              subject: request,
              trackers: [],
              message: `This request was not answered within ${String(settleMs / 1000)} s of the watch: a cookie its answer sets was not seen, so the audit is not a pass. Find why it hangs (a long poll, a slow vendor), or audit with a longer --settle.`,
            })),
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
