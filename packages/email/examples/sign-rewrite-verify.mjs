// Runnable example: a Member signs and rewrites an email, and the collector verifies what comes back.
// Run it after `pnpm --filter @optin/email build`: `node packages/email/examples/sign-rewrite-verify.mjs`.
import { randomBytes } from 'node:crypto';
import { createEmailSigner, createEmailVerifier, isMachineOpen, redirectResponse } from '@optin/email';

// Secrets come from your secret store; here, fresh random ones.
const hx2025 = randomBytes(32).toString('base64');
const hx2026 = randomBytes(32).toString('base64');

// 1. HarvardX signs with its own keys. 'hx-2026' signs; 'hx-2025' only still verifies (rotation).
const signer = createEmailSigner({
  memberId: 'HarvardX',
  keys: { 'hx-2025': hx2025, 'hx-2026': hx2026 },
  activeKid: 'hx-2026',
  baseUrl: 'https://t.edx.org',
});

const html = `<!doctype html><html><body>
<p>Week 3 of <a href="https://learning.edx.org/course/course-v1:HarvardX+CS50+X?tab=week3&amp;ref=email">CS50x</a> is open.</p>
<p><a href="mailto:cs50@harvard.edu">Ask us</a> · <a data-optin-notrack href="https://www.edx.org/edx-privacy-policy">Privacy</a></p>
</body></html>`;

const meta = {
  messageId: 'cs50-week3-000123',
  recipient: 'ada@example.org',
  campaign: 'cs50-week3',
  subject: 'lms-user-8842',
};
const rewritten = signer.rewriteHtml(html, meta);
console.log(rewritten, '\n');

// 2. The collector knows every Member's keys (and the platform's) and verifies what arrives.
const verifier = createEmailVerifier({
  members: { HarvardX: { keys: { 'hx-2025': hx2025, 'hx-2026': hx2026 } } },
});

const clickToken = /\/e\/c\/([\w-]+)/.exec(rewritten)[1];
const click = verifier.verify(clickToken, 'click');
console.log(
  'click   ',
  click.ok && { memberId: click.memberId, url: click.url, recipient: click.recipient, subject: click.subject },
);
if (click.ok) console.log('answer  ', redirectResponse(click).status, redirectResponse(click).headers.location);

const openToken = /\/e\/o\/([\w-]+)/.exec(rewritten)[1];
const open = verifier.verify(openToken, 'open');
console.log('open    ', open.ok && open.messageId, isMachineOpen({ userAgent: 'Mozilla/5.0' }));

// 3. Anything else is refused, with a reason for your metrics, and never redirects.
const tampered = clickToken.slice(0, -2) + (clickToken.endsWith('AA') ? 'BA' : 'AA');
console.log('tampered', verifier.verify(tampered, 'click'));
console.log('as open ', verifier.verify(clickToken, 'open'));
