// Runnable example: the consent core deciding, storing and re-reading a learner's choice.
// Run it from the repository root with `pnpm example` (or `node packages/consent/examples/decide-store-reread.mjs`
// after `pnpm build`). In a page the store keeps the choice in a first-party cookie; here, in Node,
// it keeps it in a file standing in for the browser's cookie jar, then reads it back as a server would.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConsent, edxPolicy, fromCookieHeader, toGoogleConsentMode, toReceipt } from '@optin/consent';

const jar = new URL('../.optin/cookie-jar.txt', import.meta.url);
mkdirSync(new URL('.', jar), { recursive: true });
rmSync(jar, { force: true });

/** A storage that keeps the cookie value in a file. */
const fileStorage = {
  kind: 'file',
  read: () => {
    try {
      return [readFileSync(jar, 'utf8')];
    } catch {
      return [];
    }
  },
  write: (value) => (writeFileSync(jar, value), true),
  clear: () => rmSync(jar, { force: true }),
};

const allowed = (store) =>
  edxPolicy.purposes
    .filter((p) => store.allows(p.id))
    .map((p) => p.id)
    .join(', ');

// 1. A learner arrives: nothing but what is necessary runs, and the banner must be shown.
const page = createConsent({ policy: edxPolicy, storage: fileStorage, signals: { gpc: false } });
console.log(`first visit     needsPrompt=${page.needsPrompt}  allowed: ${allowed(page)}`);

// 2. The learner allows analytics and performance, and refuses marketing for HarvardX's courses only.
page.acceptAll();
page.withdraw('marketing', 'HarvardX');
page.withdraw('functionality');
console.log(
  `decided         allowed: ${allowed(page)}; marketing for HarvardX: ${page.allows('marketing', 'HarvardX')}`,
);

// 3. Stored: one compact value.
const value = readFileSync(jar, 'utf8');
console.log(`stored          optin=${value}  (${value.length} bytes)`);

// 4. Re-read on the next page, and on the server from the Cookie header.
const next = createConsent({ policy: edxPolicy, storage: fileStorage, signals: { gpc: false } });
const server = fromCookieHeader(`session=abc; optin=${value}`, edxPolicy);
console.log(`next page       needsPrompt=${next.needsPrompt}  allowed: ${allowed(next)}`);
console.log(`server          same decision: ${JSON.stringify(server) === JSON.stringify(next.decision)}`);
console.log('consent mode   ', JSON.stringify(toGoogleConsentMode(next.grants())));
console.log('receipt        ', JSON.stringify(toReceipt(next.decision, 'anon-42')));

// 5. A new policy version asks again; a tampered value is no decision at all.
const newer = createConsent({ policy: { ...edxPolicy, version: '2027-01' }, storage: fileStorage });
console.log(`policy changed  needsPrompt=${newer.needsPrompt}  allowed: ${allowed(newer)}`);
// Grant functionality by editing the cookie: its 4th purpose digit, after the purposes' fingerprints.
const tampered = value.replace(/^(\w+\/\d{3})0/, '$11');
console.log(`tampered        ${JSON.stringify(fromCookieHeader(`optin=${tampered}`, edxPolicy))}`);
