import { createEmailSigner, createEmailVerifier, transparentGif, type MessageMeta } from '../src/index.js';
import { secret } from './support.js';

// HTML re-used from Alice's tracked email, rewritten for Bob: one HarvardX signer, both recipients'
// tracking URLs to one target, and the blank image another recipient's pixel is made.

/** The tracking endpoint's origin. */
export const base = 'https://t.edx.org';
const key = secret();
/** HarvardX's signer. */
export const harvard = createEmailSigner({
  memberId: 'HarvardX',
  keys: { 'hx-1': key },
  activeKid: 'hx-1',
  baseUrl: base,
});
/** The collector's verifier of HarvardX's tokens. */
export const verifier = createEmailVerifier({ members: { HarvardX: { keys: { 'hx-1': key } } } });
const sentAt = Date.UTC(2026, 10, 29);
/** The message the HTML was first sent in. */
export const alice: MessageMeta = {
  messageId: 'm-alice',
  recipient: 'alice@example.org',
  subject: 'user-alice',
  sentAt,
};
/** The message it is re-used in. */
export const bob: MessageMeta = { messageId: 'm-bob', recipient: 'bob@example.org', subject: 'user-bob', sentAt };
/** Where the tracked links lead. */
export const target = 'https://www.edx.org/course/cs50';
export const aliceOpen = harvard.pixelUrl(alice);
export const aliceClick = harvard.clickUrl(target, alice);
export const bobOpen = harvard.pixelUrl(bob);
export const bobClick = harvard.clickUrl(target, bob);
/** What the collector's open endpoint answers, written in place: the same blank image, fetched from nowhere. */
export const blank = `data:image/gif;base64,${Buffer.from(transparentGif()).toString('base64')}`;
