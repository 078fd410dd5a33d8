import type { Decision } from './decision.js';

/**
 * The decisions made in this page (by any of its stores: a choice, a withdrawal), as opposed to
 * those heard from another tab or read from storage (which another store of the page may hold as
 * a copy: compare them by cookie value): only these are proved by `sendReceipts`, so that each
 * decision is posted once, by the page where the learner made it, even when the store that sends
 * receipts is not the one the banner decided on. Kept on the page's global object under this
 * registered symbol, so that every copy of the package on the page (separately built bundles, say a
 * micro-frontend's) adds to and reads the same set; another tab (or frame) has its own global
 * object, so its decisions never enter it. Kept only once `sendReceipts` is used, so that a server
 * deciding for many requests keeps nothing. Internal: not exported from the package.
 */
export const madeHere = Symbol.for('@optin/consent');

/** The page's global object, as `createConsent` and `sendReceipts` see it. */
export type MadeHereHolder = { [madeHere]?: Set<Decision> | undefined };
