// The example page's script: a HarvardX course page with its list of third parties.
import { createConsent, edxPolicy } from '@optin/consent';
import { mountBanner } from '@optin/banner';
import { locales } from '@optin/banner/locales';

const consent = createConsent({ policy: edxPolicy });
const banner = mountBanner({
  consent,
  locales,
  policyUrl: 'https://www.edx.org/edx-privacy-policy',
  member: { id: 'HarvardX', name: 'Harvard University' },
  declaration: {
    trackers: [
      {
        id: 'segment',
        owner: 'platform',
        ownerName: 'edX',
        purposes: ['analytics'],
        vendor: { name: 'Segment', privacyUrl: 'https://www.twilio.com/en-us/legal/privacy' },
      },
      {
        id: 'HarvardX/ga4',
        owner: 'HarvardX',
        ownerName: 'Harvard University',
        purposes: ['analytics'],
        vendor: {
          name: 'Google Analytics 4',
          privacyUrl: 'https://policies.google.com/privacy',
          optOutUrl: 'https://tools.google.com/dlpage/gaoptout',
        },
      },
    ],
  },
});
document.querySelector('#settings')?.addEventListener('click', () => void banner.open('preferences'));
consent.subscribe((c) => {
  const out = document.querySelector('#grants');
  if (out) out.textContent = JSON.stringify(c.grants());
});
