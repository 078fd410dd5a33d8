import type { ConsentStore } from './consent.js';
import { ConsentError } from './errors.js';
import { encodeDecision } from './cookie-codec.js';
import { madeHere } from './made-here.js';
import { toReceipt } from './receipt.js';

// The receipts this page posted, as `<url> <cookie value>`.
const posted = new Set<string>();

/** Options of {@link sendReceipts}. */
export interface SendReceiptsOptions {
  /** The collector's base URL: receipts go to `POST {endpoint}/v1/consent`. */
  readonly endpoint: string;
  /** Whose decision it is (an anonymous or user id, never an email address), or a function giving it when a decision is made. */
  readonly subject: string | (() => string);
  /** Reports a receipt the collector did not take (`receipt_failed`). Default `console.error`. */
  readonly onError?: (error: ConsentError) => void;
}

/**
 * Proves every decision: from now on, each new decision of `consent` made in this page (a choice
 * in the banner, a withdrawal, a reset followed by a choice; through `consent` or another store of
 * the page that it follows) is posted to the collector as its receipt (`toReceipt`), with
 * `keepalive` so that a choice made just before leaving the page still arrives. Each decision is
 * posted once to a collector, by the page (the tab) where it was made: a decision the store follows
 * from another tab or subdomain, or that was already stored when the page loaded, was proved where
 * it was made and is not sent again.
 * Returns a function that stops it.
 *
 * @example
 * sendReceipts(consent, { endpoint: 'https://collector.edx.org', subject: () => userId ?? anonymousId });
 */
export function sendReceipts(consent: ConsentStore, options: SendReceiptsOptions): () => void {
  const url = `${options.endpoint.replace(/\/$/, '')}/v1/consent`;
  const onError = options.onError ?? console.error;
  const failed = (message: string) =>
    onError(
      new ConsentError(
        'receipt_failed',
        [{ path: url, message }],
        'Check that the collector is reachable from the page and allows its origin (OPTIN_ALLOWED_ORIGINS).',
      ),
    );
  const made = (madeHere.set ??= new Set());
  return consent.subscribe(({ decision }) => {
    // Only a decision made in this page, and each once to each collector, whichever of the page's
    // stores (or sendReceipts calls) hears it: listeners also hear changes that are not a new
    // decision, and other tabs' decisions. One cookie value for one decision.
    const value = decision && encodeDecision(decision, consent.policy);
    if (!value || ![...made].some((d) => encodeDecision(d, consent.policy) === value) || posted.has(`${url} ${value}`))
      return;
    posted.add(`${url} ${value}`);
    const subject = typeof options.subject === 'function' ? options.subject() : options.subject;
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(toReceipt(decision, subject)),
      keepalive: true,
      credentials: 'omit',
    }).then(
      (response) => response.ok || failed(`the collector answered HTTP ${String(response.status)}`),
      (error: unknown) => failed(error instanceof Error ? error.message : String(error)),
    );
  });
}
