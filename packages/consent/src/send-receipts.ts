import type { ConsentStore } from './consent.js';
import { ConsentError } from './errors.js';
import { encodeDecision } from './cookie-codec.js';
import { toReceipt } from './receipt.js';

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
 * Proves every decision: from now on, each new decision of `consent` (a choice in the banner, a
 * withdrawal, a reset followed by a choice) is posted to the collector as its receipt
 * (`toReceipt`), with `keepalive` so that a choice made just before leaving the page still arrives.
 * A decision already stored when the page loaded was proved when it was made and is not sent again.
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
  let sent = '';
  return consent.subscribe(({ decision }) => {
    // Each decision once (listeners also hear changes that are not a new decision), judged by its
    // cookie value: one value for one decision, whatever the order of its fields.
    if (!decision || sent === encodeDecision(decision, consent.policy)) return;
    sent = encodeDecision(decision, consent.policy);
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
