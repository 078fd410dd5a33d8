import type { Declaration, DeclaredCookie, DeclaredTracker } from './declaration.js';
import { visuallyHiddenClass } from './declaration-css.js';
import type { DeclaredEmail } from './declared-email.js';
import type { DeclaredSiteCookie } from './consent-cookie.js';
import { mdCode, mdParagraph, mdText, mdUrl } from './markdown.js';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const httpUrl = (url: string | null) => (url && /^https?:\/\//i.test(url) ? url : null);
const lifetime = (l: string) =>
  l.replace(/^(\d+)(s|min|h|d|w|mo|y)$/, (_, n: string, u: string) => {
    const unit = { s: 'second', min: 'minute', h: 'hour', d: 'day', w: 'week', mo: 'month', y: 'year' }[u] ?? u;
    return `${n} ${unit}${n === '1' ? '' : 's'}`;
  });

/**
 * `localStorage, ` before the lifetime of an item kept elsewhere than in a cookie, so that no
 * localStorage key reads as a cookie; nothing for a cookie (nor in a declaration saved as JSON before
 * items said where they are kept).
 */
const storedIn = (c: DeclaredCookie) =>
  c.storage === 'localStorage' || c.storage === 'sessionStorage' ? `${c.storage}, ` : '';

/** A purpose's section: its trackers and the site's own cookies serving it. */
interface PurposeSection {
  readonly id: string;
  readonly label: string;
  readonly description: string;
  readonly trackers: readonly DeclaredTracker[];
  readonly cookies: readonly DeclaredSiteCookie[];
}

/**
 * The sections a learner reads, in policy order: each purpose with its trackers (a tracker serving
 * two purposes is listed under both) and the site's own cookies; a purpose served by neither only
 * when it is required (always on, so a learner still reads what it is).
 */
/** The site's own cookies; none in a declaration saved (as JSON) before they were declared. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
const siteCookies = (d: Declaration) => d.siteCookies ?? [];

function byPurpose(d: Declaration): PurposeSection[] {
  return d.purposes
    .map((p) => ({
      ...p,
      trackers: d.trackers.filter((t) => t.purposes.includes(p.id)),
      cookies: siteCookies(d).filter((c) => c.purpose === p.id),
    }))
    .filter((p) => p.trackers.length > 0 || p.cookies.length > 0 || p.required);
}

const ownCookies = 'Cookies of the site itself';
const ownCookiesIntro = 'The site sets these for itself, whatever you choose.';
const nothingDeclared = 'No cookie or tracker is declared for this purpose.';
/** The site's own cookies of no purpose of the policy (the consent cookie under a policy without a required one). */
const unsorted = (d: Declaration) => siteCookies(d).filter((c) => c.purpose === null);

/**
 * `, for Marketing` after a cookie listed under another purpose's heading (a tracker serving both is
 * listed under each), so that no cookie reads as serving the heading's purpose when it does not.
 */
function otherPurpose(d: Declaration, cookie: DeclaredCookie, heading: string): string {
  if (cookie.purpose === heading) return '';
  return `, for ${d.purposes.find((p) => p.id === cookie.purpose)?.label ?? cookie.purpose}`;
}

/**
 * The policy's "Neither edX nor any Member is responsible for the effectiveness of any third-party
 * opt-out options", as the banner says it: shown once, before the tables, when a third-party tracker
 * listed links an opt-out (an http(s) one: no other is rendered). A first-party tracker's opt-out is
 * the site's own (edX's or a Member's), which the page does not disown: it alone brings no sentence.
 * It is the page's English, not the policy's words.
 */
const optOutsDisclaimer =
  'Some third parties offer an opt-out of their tracking, linked under Opt out: neither we nor any Member is responsible for how well their opt-outs work.';
const linksOptOut = (sections: readonly PurposeSection[]) =>
  sections.some((p) => p.trackers.some((t) => t.party === 'third' && httpUrl(t.vendor.optOutUrl)));

const purposeLabel = (d: Declaration, id: string) => d.purposes.find((p) => p.id === id)?.label ?? id;
const recorded = (e: DeclaredEmail) => e.records.map((r) => ({ open: 'opens', click: 'clicks' })[r]).join(', ');
const emailIntro =
  "Emails from these senders may carry an invisible image and links that pass through the platform's own server, which record whether you opened an email and which of its links you followed.";

/**
 * How a learner opts out of one sender's email tracking, in words: the consent choice they saved
 * while signed in (the receipt under the id the email was sent for) governs it, as the collector reads it.
 */
function emailOptOut(d: Declaration, e: DeclaredEmail): string {
  const purposes = e.purposes.map((id) => purposeLabel(d, id)).join(' and ');
  const member = e.owner === 'platform' ? '' : ` for ${e.ownerName}`;
  const when =
    e.consentMode === 'opt-out'
      ? `unless the cookie choice you saved while signed in refuses ${purposes}${member}; then only counted`
      : `only when the cookie choice you saved while signed in allows ${purposes}${member}; otherwise only counted`;
  return `Recorded for you ${when}. To opt out, refuse ${purposes} in your cookie preferences${member && `, or on ${e.ownerName} courses${member} alone`}.`;
}

/** The declaration as JSON (stable key order, two-space indent). */
export function declarationToJson(d: Declaration): string {
  return `${JSON.stringify(d, null, 2)}\n`;
}

/** The Markdown table of the site's own cookies: name, who sets it, party, lifetime and what it does. */
const mdCookieTable = (cookies: readonly DeclaredSiteCookie[]) => [
  '| Cookie | Set by | Party | Lifetime | What it does |',
  '| --- | --- | --- | --- | --- |',
  ...cookies.map(
    (c) =>
      `| ${[mdCode(c.name, true), mdText(c.ownerName), mdText(c.party), mdText(lifetime(c.lifetime)), mdText(c.description)].join(' | ')} |`,
  ),
];

/**
 * The declaration as Markdown (GFM): one section a purpose, with a table of the site's own cookies
 * serving it (the consent cookie, under the required purpose) and one row a tracker, links to privacy
 * and opt-out; a required purpose is shown even when nothing serves it. Before them, when a third
 * party's opt-out is linked, that neither the platform nor any Member answers for it. Then, when emails are
 * tracked, an "Email tracking" section, one row a sender, with what is recorded and how to opt out.
 * Every config string is escaped, so that it reads as it is and stays in its cell.
 */
export function declarationToMarkdown(d: Declaration): string {
  const out = [
    `# Third parties and tracking technologies`,
    '',
    `Policy ${mdCode(d.policy.id)} version ${mdText(d.policy.version)}${d.member ? `, courses of ${mdText(d.member)}` : ''}.`,
  ];
  const sections = byPurpose(d);
  if (linksOptOut(sections)) out.push('', optOutsDisclaimer);
  for (const p of sections) {
    out.push('', `## ${mdText(p.label)}`, '', mdParagraph(p.description));
    if (p.cookies.length) out.push('', ...mdCookieTable(p.cookies));
    if (!p.trackers.length) {
      if (!p.cookies.length) out.push('', nothingDeclared);
      continue;
    }
    out.push(
      '',
      '| Tracker | Run by | Party | Cookies and stored data (lifetime) | Hosts | Privacy | Opt out |',
      '| --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const t of p.trackers) {
      const link = (url: string | null, text: string) => {
        const href = httpUrl(url);
        return href ? `[${text}](${mdUrl(href)})` : '—';
      };
      const cookies = t.cookies.map(
        (c) =>
          `${mdCode(c.name, true)} (${mdText(`${storedIn(c)}${lifetime(c.lifetime)}, ${c.party}${otherPurpose(d, c, p.id)}`)})`,
      );
      const cells = [
        mdText(t.vendor.name),
        mdText(t.ownerName),
        mdText(t.party),
        cookies.join(', ') || 'none',
        t.hosts.map((h) => mdCode(h, true)).join(', ') || '—',
        link(t.vendor.privacyUrl, 'privacy'),
        link(t.vendor.optOutUrl, 'opt out'),
      ];
      out.push(`| ${cells.join(' | ')} |`);
    }
  }
  if (unsorted(d).length) out.push('', `## ${ownCookies}`, '', ownCookiesIntro, '', ...mdCookieTable(unsorted(d)));
  if (d.email.length)
    out.push(
      '',
      '## Email tracking',
      '',
      emailIntro,
      '',
      '| Sent by | Purpose | Party | Records | How to opt out |',
      '| --- | --- | --- | --- | --- |',
      ...d.email.map(
        (e) =>
          `| ${[
            mdText(e.ownerName),
            mdText(e.purposes.map((id) => purposeLabel(d, id)).join(', ')),
            mdText(e.party),
            recorded(e),
            mdText(emailOptOut(d, e)),
          ].join(' | ')} |`,
      ),
    );
  return `${out.join('\n')}\n`;
}

const partyText = (party: string) => (party === 'first' ? 'First party' : 'Third party');

/** The accessible HTML table of the site's own cookies, captioned `caption`: the cookie's name as row header. */
// (`caption` is HTML: escaped by the caller.)
const htmlCookieTable = (cookies: readonly DeclaredSiteCookie[], caption: string) =>
  `<table><caption>${caption}</caption><thead><tr><th scope="col">Cookie</th><th scope="col">Set by</th><th scope="col">Party</th><th scope="col">Lifetime</th><th scope="col">What it does</th></tr></thead><tbody>${cookies
    .map(
      (c) =>
        `<tr><th scope="row"><code>${escapeHtml(c.name)}</code></th><td>${escapeHtml(c.ownerName)}</td><td>${partyText(c.party)}</td><td>${escapeHtml(lifetime(c.lifetime))}</td><td>${escapeHtml(c.description)}</td></tr>`,
    )
    .join('')}</tbody></table>`;

/**
 * The declaration as an accessible HTML fragment: a section a purpose (`aria-labelledby` its
 * heading), with a table of the site's own cookies serving it (the consent cookie, under the required
 * purpose) and a table of its trackers, each with a caption and column headers and each cookie's or
 * tracker's name as row header; a required purpose is shown even when nothing serves it. Before them,
 * when a third party's opt-out is linked, a paragraph: neither the platform nor any Member answers for it. Then, when
 * emails are tracked, an "Email tracking" section of the same form, a row a sender. Every
 * config string is escaped; only http(s) links are rendered, opening safely in a new tab. Each
 * link's name ends in words for screen readers only, in `<span class="optin-visually-hidden">`:
 * add `declarationCss` to the page, or they show.
 */
export function declarationToHtml(d: Declaration): string {
  const link = (url: string | null, text: string, vendor: string) => {
    const href = httpUrl(url);
    return href
      ? `<a href="${escapeHtml(href)}" rel="noopener noreferrer" target="_blank">${text}<span class="${visuallyHiddenClass}"> for ${escapeHtml(vendor)} (opens in a new tab)</span></a>`
      : '—';
  };
  // The policy's own words (its purposes' labels and descriptions) in its language, within the English page.
  const lang = d.policy.lang && d.policy.lang !== 'en' ? ` lang="${escapeHtml(d.policy.lang)}"` : '';
  const own = (text: string) => (lang ? `<span${lang}>${escapeHtml(text)}</span>` : escapeHtml(text));
  const listed = byPurpose(d);
  const sections = listed.map((p, i) => {
    const id = `optin-purpose-${i}`;
    const rows = p.trackers
      .map(
        (t) =>
          `<tr><th scope="row">${escapeHtml(t.vendor.name)}</th><td>${escapeHtml(t.ownerName)}</td><td>${partyText(t.party)}</td><td>${
            t.cookies.length
              ? `<ul>${t.cookies.map((c) => `<li><code>${escapeHtml(c.name)}</code>: ${escapeHtml(`${storedIn(c)}${lifetime(c.lifetime)}, ${c.party} party${otherPurpose(d, c, p.id)}`)}</li>`).join('')}</ul>`
              : 'None'
          }</td><td>${t.hosts.map((h) => `<code>${escapeHtml(h)}</code>`).join(', ') || '—'}</td><td>${link(t.vendor.privacyUrl, 'Privacy policy', t.vendor.name)}</td><td>${link(t.vendor.optOutUrl, 'Opt out', t.vendor.name)}</td></tr>`,
      )
      .join('');
    const cookies = p.cookies.length ? htmlCookieTable(p.cookies, `${own(p.label)}: cookies of the site itself`) : '';
    const trackers = p.trackers.length
      ? `<table><caption>${own(p.label)}: trackers and what they store</caption><thead><tr><th scope="col">Tracker</th><th scope="col">Run by</th><th scope="col">Party</th><th scope="col">Cookies and stored data (lifetime)</th><th scope="col">Hosts</th><th scope="col">Privacy</th><th scope="col">Opt out</th></tr></thead><tbody>${rows}</tbody></table>`
      : '';
    return `<section aria-labelledby="${id}"><h2 id="${id}"${lang}>${escapeHtml(p.label)}</h2><p${lang}>${escapeHtml(p.description)}</p>${cookies || trackers ? cookies + trackers : `<p>${nothingDeclared}</p>`}</section>`;
  });
  if (unsorted(d).length)
    sections.push(
      `<section aria-labelledby="optin-site-cookies"><h2 id="optin-site-cookies">${ownCookies}</h2><p>${ownCookiesIntro}</p>${htmlCookieTable(unsorted(d), escapeHtml(ownCookies))}</section>`,
    );
  if (d.email.length) {
    const rows = d.email
      .map(
        (e) =>
          `<tr><th scope="row">${escapeHtml(e.ownerName)}</th><td>${escapeHtml(e.purposes.map((id) => purposeLabel(d, id)).join(', '))}</td><td>${partyText(e.party)}</td><td>${recorded(e).replace(/^./, (c) => c.toUpperCase())}</td><td>${escapeHtml(emailOptOut(d, e))}</td></tr>`,
      )
      .join('');
    sections.push(
      `<section aria-labelledby="optin-email"><h2 id="optin-email">Email tracking</h2><p>${escapeHtml(emailIntro)}</p><table><caption>Email tracking: who tracks, what is recorded and how to opt out</caption><thead><tr><th scope="col">Sent by</th><th scope="col">Purpose</th><th scope="col">Party</th><th scope="col">Records</th><th scope="col">How to opt out</th></tr></thead><tbody>${rows}</tbody></table></section>`,
    );
  }
  const disclaimer = linksOptOut(listed) ? `<p>${escapeHtml(optOutsDisclaimer)}</p>` : '';
  return `<div class="optin-declaration" lang="en">${disclaimer}${sections.join('')}</div>\n`;
}
