// The demo's page script: consent, the banner, the Member-scoped hub and the first-party analytics,
// configured from <meta> tags the server writes. Nothing that needs consent runs before it.
import { firstParty } from '@optin/analytics';
import { webVitals } from '@optin/analytics/vitals';
import { mountBanner } from '@optin/banner';
import { locales } from '@optin/banner/locales';
import { createConsent, edxPolicy, sendReceipts } from '@optin/consent';
import { createRegistry, createScopedHub } from '@optin/members';
import { cookieDomain, siteConfig } from '../site.js';
import { mountMemberChoices } from './member-choices.js';

const meta = (name: string) => document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content ?? '';

const consent = createConsent({ policy: edxPolicy, cookieDomain });
const analytics = firstParty({ endpoint: meta('optin-collector'), consent, cookieDomain });
const registry = createRegistry(siteConfig([...analytics.trackers, webVitals(analytics)], location.port));
// A Member's tracker that cannot unload (its script keeps running) stops only with a reload: after a
// withdrawal, or when a single-page navigation leaves its Member's courses.
const hub = createScopedHub({
  consent,
  registry,
  cookieDomain,
  nonce: meta('csp-nonce'),
  onReloadRequired: () => location.reload(),
});
// The signed-in learner, as the LMS knows them: their messages carry this `userId` (with consent),
// which is also the subject of their consent receipts, so each Member's consent rates count them.
hub.identify(meta('optin-learner') || null);
analytics.start(hub);

const banner = mountBanner({
  consent,
  locales,
  declaration: registry.declaration({ member: hub.scope.member?.id }),
  member: hub.scope.member,
  policyUrl: 'https://www.edx.org/edx-privacy-policy',
});
document.getElementById('cookie-settings')?.addEventListener('click', () => void banner.open('preferences'));
// A single-page navigation to another Member's course (or off the courses): the banner shows that
// Member's switches and third parties, so that a choice made there is for the Member whose trackers run.
hub.onScopeChange(({ member }) => {
  Object.assign(banner, { member, declaration: registry.declaration({ member: member?.id }) });
});

// On the third-parties page, the choices per course provider: refused there, a Member's trackers
// never run on its courses (the banner shows a Member's switches only there, once they run).
const memberChoices = document.getElementById('member-choices');
if (memberChoices) mountMemberChoices(memberChoices, consent, registry);

// Every decision is proved: its receipt goes to the collector (append-only), under the signed-in
// learner's id, which is also the subject the Member's emails are signed for, with the server's
// proof that the id is theirs (without it, the collector would take no grant of the receipt).
sendReceipts(consent, {
  endpoint: meta('optin-collector'),
  subject: { id: meta('optin-learner'), proof: meta('optin-learner-proof') },
});

// What consent allows now, shown on the page and kept current.
const shown = document.getElementById('consent-state');
const show = () => {
  if (shown)
    shown.textContent = consent.needsPrompt
      ? 'no choice yet: only strictly necessary'
      : Object.entries(consent.grants().purposes)
          .map(([purpose, on]) => `${purpose} ${on ? 'on' : 'off'}`)
          .join(' · ');
};
consent.subscribe(show);
show();

// Course units are single-page navigations, as in the learning MFE.
document.addEventListener('click', (event) => {
  const link = (event.target as Element | null)?.closest<HTMLAnchorElement>('a[data-spa]');
  if (!link) return;
  event.preventDefault();
  history.pushState(null, '', link.href);
  const unit = document.getElementById('unit');
  if (unit) unit.textContent = link.textContent;
});
