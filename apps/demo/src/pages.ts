import type { MemberStatsAnswer } from '@optin/collector';
import { createRegistry, declarationCss } from '@optin/members';
import { courses, courseUrl, siteConfig, type DemoCourse } from './site.js';

/** Escapes text for HTML. */
const esc = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${String(c.charCodeAt(0))};`);

/** What every page needs: the CSP nonce and the collector's URL (read by the page script). */
export interface Layout {
  readonly nonce: string;
  readonly collector: string;
  /** The signed-in learner's id (the subject of their consent receipts). */
  readonly learner: string;
  /** The proof of `learner` the server made (`sealSubject` of `@optin/email`), posted with their receipts. */
  readonly learnerProof: string;
}

/** Which Member owns a course (the config's Members, without their trackers running). */
const registry = createRegistry(siteConfig([], ''));

/**
 * The page frame: header, main, footer with the cookie settings button, and the page script. On a
 * page outside a Member's courses (`memberPage` false), where the banner shows no Member's switches,
 * the footer links to the choices per course provider.
 */
export function page(layout: Layout, title: string, main: string, memberPage = false): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="optin-collector" content="${esc(layout.collector)}"><meta name="csp-nonce" content="${esc(layout.nonce)}">
<meta name="optin-learner" content="${esc(layout.learner)}"><meta name="optin-learner-proof" content="${esc(layout.learnerProof)}">
<title>${esc(title)} | edX (Optin demo)</title>
<style nonce="${esc(layout.nonce)}">body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#111}header,main,footer{padding:1rem 2rem}
header{background:#00262b;color:#fff}header a{color:#fff}a{color:#00688d}code{background:#eee;padding:0 .3em}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .6rem;text-align:left}
iframe{width:100%;max-width:40rem;height:6rem;border:1px solid #ccc}</style></head>
<body><header><a href="/">edX</a> · <a href="/dashboard/HarvardX">HarvardX dashboard</a> · <a href="/dashboard/MITx">MITx dashboard</a> · <a href="/email">Email</a> · <a href="/third-parties">Third parties</a> · signed in as <code>${esc(layout.learner)}</code></header>
<main><h1>${esc(title)}</h1>${main}
<p>Consent in force: <code id="consent-state">(loading)</code></p></main>
<footer><button id="cookie-settings" type="button" data-optin-consent>Cookie settings</button>${
    memberPage ? '' : ' · <a href="/third-parties#member-choices">Choices per course provider</a>'
  }</footer>
<script type="module" src="/app.js" nonce="${esc(layout.nonce)}"></script></body></html>`;
}

/** The catalog. */
export function home(layout: Layout): string {
  const list = courses.map(
    (c) => `<li><a href="${esc(courseUrl(c.key))}">${esc(c.title)}</a> <code>${esc(c.key)}</code></li>`,
  );
  return page(
    layout,
    'Courses',
    `<p>Platform pages run only the platform's trackers; a course page also runs its Member's, never another Member's.</p><ul>${list.join('')}</ul>`,
  );
}

/** A course page with single-page unit navigation and a share link. */
export function course(layout: Layout, c: DemoCourse): string {
  const units = c.units.map((u, i) => `<li><a data-spa href="${esc(courseUrl(c.key, i))}">${esc(u)}</a></li>`);
  const share = `https://twitter.com/intent/tweet?url=${encodeURIComponent(`https://www.edx.org${courseUrl(c.key)}`)}`;
  return page(
    layout,
    c.title,
    `<p><code>${esc(c.key)}</code></p><nav><ul>${units.join('')}</ul></nav><p id="unit">Course home</p>
<p><button type="button" data-track="enroll">Enroll</button> <a href="${esc(share)}" target="_blank" rel="noopener">Share on X</a></p>`,
    !!registry.memberFor({ courseId: c.key }),
  );
}

/** A Member's dashboard, from the collector's Member-scoped stats. */
export function dashboard(layout: Layout, member: string, stats: MemberStatsAnswer): string {
  const rows = (pairs: [string, string | number][]) =>
    pairs.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(String(v))}</td></tr>`).join('');
  return page(
    layout,
    `${member} dashboard`,
    `<p>Read with ${esc(member)}'s token: its own courses, nobody else's.</p>
<table id="stats">${rows([
      ['page views', stats.pageViewsPerDay.reduce((n, d) => n + d.views, 0)],
      ['clicks', stats.clicks],
      ['email opens', stats.emailOpens],
      ['email clicks', stats.emailClicks],
      ...stats.topPages.map((p): [string, number] => [`views of ${p.path}`, p.views]),
      ...(stats.consentRates
        ? Object.entries(stats.consentRates).map(([p, r]): [string, string] => [
            `consent: ${p}`,
            `${String(r.granted)}/${String(r.total)}`,
          ])
        : [
            [
              'consent rates',
              `withheld until the period has ${String(stats.consentRatesWithheld?.minLearners)} learners (no one learner's choice is shown)`,
            ] as [string, string],
          ]),
    ])}</table>`,
  );
}

/**
 * The help page's list of third parties and tracked emails, which the policy promises learners: the
 * declaration (HTML of `@optin/members`) of the config that runs, with its CSS under the page's nonce;
 * then the choices per course provider (their switches are the page script's, which holds the consent).
 */
export function thirdParties(layout: Layout, declarationHtml: string): string {
  return page(
    layout,
    'Third parties and email tracking',
    `<style nonce="${esc(layout.nonce)}">${declarationCss}#member-choices fieldset{margin:1rem 0}#member-choices .d{margin:0 0 .5rem 1.6rem;color:#555}</style>${declarationHtml}
<section id="member-choices" aria-labelledby="member-choices-h" data-optin-consent><h2 id="member-choices-h">Choices per course provider</h2>
<p>Each course provider's trackers run only on its own courses. Refuse them here before you open one; what you allow for all of edX (Cookie settings) still applies.</p></section>`,
  );
}

/**
 * The page showing a Member email as the learner receives it (`/email/message`, in a sandboxed
 * frame: the email's inline styles stay out of the site's strict CSP). `tracked`: the email is
 * rewritten with a signed open pixel and click links; otherwise unrewritten, because the learner's
 * consent does not allow it.
 */
export function email(layout: Layout, tracked: boolean): string {
  const note = tracked
    ? "Your consent allows analytics for HarvardX: links and the pixel below are signed by HarvardX's key and verified by the collector."
    : 'Your consent does not allow analytics for HarvardX: the email is sent unrewritten, with no pixel and links straight to the course.';
  return page(
    layout,
    'A HarvardX course email',
    `<p id="email-tracking">${esc(note)}</p>
<iframe id="email" title="The HarvardX course email" src="/email/message" sandbox="allow-top-navigation-by-user-activation"></iframe>`,
  );
}

/** The email itself, as its own document (framed by {@link email}); its links open in the tab. */
export function emailMessage(html: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><base target="_top">
<title>Week 2 of CS50 is open</title></head><body>${html}</body></html>`;
}
