import type { ConsentStore } from './consent.js';
import { ConsentError } from './errors.js';
import { encodeDecision } from './cookie-codec.js';
import { madeHere, type MadeHereHolder } from './made-here.js';
import { toReceipt } from './receipt.js';

// The receipts this page posted, as `<url> <cookie value>`: on the page's global object under a
// registered symbol, so that every copy of the package on the page (separately built bundles) posts
// each once between them.
const postedHere = Symbol.for('@optin/consent:receipts');

/**
 * A subject with the proof of it that the platform's server made (`sealSubject` of `@optin/email`)
 * and gave the page: a collector holding the platform's subject keys takes a receipt's grants as
 * consent only when its subject is proved.
 */
export interface ProvedSubject {
  /** The subject (the signed-in learner's user id). */
  readonly id: string;
  /** Its proof; omitted (an anonymous visitor the server made none for), the receipt is unproved. */
  readonly proof?: string | undefined;
}

/** Options of {@link sendReceipts}. */
export interface SendReceiptsOptions {
  /** The collector's base URL: receipts go to `POST {endpoint}/v1/consent`. */
  readonly endpoint: string;
  /**
   * Whose decision it is (an anonymous or user id, never an email address), with its proof when
   * the server gave one ({@link ProvedSubject}), or a function giving it when a decision is made.
   */
  readonly subject: string | ProvedSubject | (() => string | ProvedSubject);
  /**
   * Reports a receipt the collector did not take, or whose subject proof it did not take (expired,
   * or made with a key it does not hold): `receipt_failed`. Default `console.error`.
   */
  readonly onError?: (error: ConsentError) => void;
}

/**
 * Proves every decision: from now on, each new decision of `consent` made in this page (a choice
 * in the banner, a withdrawal, a reset followed by a choice; through `consent` or another store of
 * the page that it follows) is posted to the collector as its receipt (`toReceipt`, and `sentAt`:
 * the device's clock as it leaves, by which the collector corrects a clock that is off), with
 * `keepalive` so that a choice made just before leaving the page still arrives. Each decision is
 * posted once to a collector, by the page (the tab) where it was made: a decision the store follows
 * from another tab or subdomain, or that was already stored when the page loaded, was proved where
 * it was made and is not sent again.
 * Returns a function that stops it (a receipt already on its way is still tried again until it
 * arrives or the tries run out: it proves a decision made while it ran).
 *
 * @example
 * // `proof`: made by the platform's server for the signed-in learner (`sealSubject` of `@optin/email`).
 * sendReceipts(consent, { endpoint: 'https://collector.edx.org', subject: () => (userId ? { id: userId, proof } : anonymousId) });
 */
export function sendReceipts(consent: ConsentStore, options: SendReceiptsOptions): () => void {
  const url = `${options.endpoint.replace(/\/$/, '')}/v1/consent`;
  const onError = options.onError ?? console.error;
  const failed = (message: string, hint: string) =>
    onError(new ConsentError('receipt_failed', [{ path: url, message }], hint));
  const page = globalThis as MadeHereHolder & { [postedHere]?: Set<string> | undefined };
  const made = (page[madeHere] ??= new Set());
  const posted = (page[postedHere] ??= new Set());
  return consent.subscribe(({ decision }) => {
    // Only a decision made in this page, and each once to each collector, whichever of the page's
    // stores (or sendReceipts calls) hears it: listeners also hear changes that are not a new
    // decision, and other tabs' decisions. One cookie value for one decision.
    const value = decision && encodeDecision(decision, consent.policy);
    if (!value || ![...made].some((d) => encodeDecision(d, consent.policy) === value) || posted.has(`${url} ${value}`))
      return;
    posted.add(`${url} ${value}`);
    const given = typeof options.subject === 'function' ? options.subject() : options.subject;
    const { id, proof } = typeof given === 'string' ? { id: given, proof: undefined } : given;
    const receipt = toReceipt(decision, id);
    // Tried again after 1, 2, 4, 8 and 16 s (the collector takes the same decision twice as one) while
    // it is unreachable or busy (408, 429, 5xx: a database locked by another worker), so that a
    // refusal is not left unproved by a moment's outage; reported when it gives up or is refused.
    const post = (attempt: number): void => {
      const retry = () => attempt < 5 && !!setTimeout(post, 1000 * 2 ** attempt, attempt + 1);
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        // `sentAt`: the device's clock as the receipt leaves (this try), so that the collector can date a
        // decision from a clock hours off (a later refusal from a slow clock is then the latest).
        body: JSON.stringify({ ...receipt, ...(proof && { subjectProof: proof }), sentAt: new Date().toISOString() }),
        keepalive: true,
        credentials: 'omit',
      })
        .then(
          async (response) => {
            const { ok, status } = response;
            if (!ok && ((status != 408 && status != 429 && status < 500) || !retry()))
              throw new Error(`the collector answered HTTP ${String(status)}`);
            // Stored, but its grants are no consent there: a stale proof, or one made with another key.
            const answer = ok && proof && ((await response.json()) as { subjectProved?: boolean; reason?: string });
            if (answer && answer.subjectProved === false)
              failed(
                `the collector did not take the subject proof (${String(answer.reason)})`,
                "Give the page a fresh proof (sealSubject) made with a key in the collector's collector.subjectKeys.",
              );
          },
          // Never arrived (offline, the collector down, CORS): tried again, then reported.
          (error: unknown) => {
            if (!retry()) throw error;
          },
        )
        .catch((error: unknown) =>
          failed(
            error instanceof Error ? error.message : String(error),
            'Check that the collector is reachable from the page and allows its origin (OPTIN_ALLOWED_ORIGINS).',
          ),
        );
    };
    post(0);
  });
}
