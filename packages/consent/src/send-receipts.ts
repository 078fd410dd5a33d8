import type { ConsentStore } from './consent.js';
import { ConsentError } from './errors.js';
import { encodeDecision } from './cookie-codec.js';
import { madeHere, type MadeHereHolder } from './made-here.js';
import { checksum } from './policy.js';
import { toReceipt } from './receipt.js';

// What this page posted, by every copy of the package on it (one set on the page's global object):
// `checksum('<url> <cookie value>')` for each decision posted to a collector, and that checksum
// followed by ` <subject>`, checksummed again, for each subject it was posted under.
const postedHere = Symbol.for('@optin/consent:receipts');
const page = globalThis as MadeHereHolder & { [postedHere]?: Set<string> | undefined };

// The same, from the pages before this one (of every subdomain sharing `cookieDomain`), in a cookie
// of checksums only (no subject, no decision): the last 16, dot-separated.
const recordName = 'optin_receipts';
const record = (): string[] => {
  try {
    return document.cookie
      .split(/; */)
      .filter((pair) => pair.startsWith(`${recordName}=`))
      .flatMap((pair) => pair.slice(recordName.length + 1).split('.'));
  } catch {
    // No document (a server), or one whose cookies throw (a sandboxed frame): the page's set only.
    return [];
  }
};

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
   * the server gave one ({@link ProvedSubject}), or a function giving it when it is needed: when a
   * decision is made, when `sendReceipts` starts, on every change of the store, when the window is
   * focused or the page shown again, and when {@link ReceiptSender.subjectChanged} is called (a
   * function that reads where the page keeps the signed-in learner's id is followed at each).
   */
  readonly subject: string | ProvedSubject | (() => string | ProvedSubject);
  /**
   * The registrable domain, in lowercase, as given to `createConsent` (e.g. `edx.org`): the cookie
   * `optin_receipts`, which records which decisions were posted under which subjects (checksums
   * only), is shared by every subdomain, so that a learner who decided on `www.` and signs in on
   * `learning.` has the decision posted under their user id there. Default: host-only.
   */
  readonly cookieDomain?: string;
  /**
   * Reports a receipt the collector did not take, or whose subject proof it did not take (expired,
   * or made with a key it does not hold): `receipt_failed`. Default `console.error`.
   */
  readonly onError?: (error: ConsentError) => void;
}

/**
 * What {@link sendReceipts} returns: call it to stop sending receipts.
 */
export interface ReceiptSender {
  /** Stops: no receipt is posted any more, and the page's events are no longer listened to. */
  (): void;
  /**
   * Tells that the subject may have changed without a page load (a single-page app signed the
   * learner in or out): the decision in force is posted under the subject now given, when this
   * sender posted it under another one and never under this one. Focus, the page shown again and
   * every change of the store check the same by themselves.
   */
  subjectChanged(): void;
}

/**
 * Proves every decision: from now on, each new decision of `consent` made in this page (a choice
 * in the banner, a withdrawal, a reset followed by a choice; through `consent`, another store of
 * the page that it follows, or a store of another copy of the package on the page, such as a
 * micro-frontend's own bundle) is posted to the collector as its receipt (`toReceipt`, and `sentAt`:
 * the device's clock as it leaves, by which the collector corrects a clock that is off), with
 * `keepalive` so that a choice made just before leaving the page still arrives. Each decision is
 * posted once to a collector, by the page (the tab) where it was made: a decision the store follows
 * from another tab or subdomain, or that was already stored when the page loaded, was proved where
 * it was made and is not sent again.
 *
 * The subject changes (the learner signs in after deciding, or out): the decision in force is posted
 * again, with its own consentId and time, under each new subject, once, so that the collector has it
 * under the user id the platform's emails are signed for. This sender checks when it starts (the
 * pages before this one, of every subdomain sharing `cookieDomain`, recorded in the cookie
 * `optin_receipts` which decision they posted under which subjects), on every change of the store,
 * when the window is focused or the page shown again, and when told (`subjectChanged()`). Only a
 * decision this sender (or, for the decision in force at its start, a page before it) posted is
 * posted again: a decision another open tab made is posted under its subjects by that tab, and
 * under this tab's at its next page load; one that no page posted (made before receipts were sent)
 * is never posted.
 *
 * Returns a function that stops it, with `subjectChanged()`.
 *
 * @example
 * // `proof`: made by the platform's server for the signed-in learner (`sealSubject` of `@optin/email`).
 * const receipts = sendReceipts(consent, {
 *   endpoint: 'https://collector.edx.org',
 *   subject: () => (userId ? { id: userId, proof } : anonymousId),
 *   cookieDomain: 'edx.org',
 * });
 * // after a sign-in without a page load:
 * receipts.subjectChanged();
 */
export function sendReceipts(consent: ConsentStore, options: SendReceiptsOptions): ReceiptSender {
  const url = `${options.endpoint.replace(/\/$/, '')}/v1/consent`;
  const domain = options.cookieDomain?.replace(/^\./, '') ?? '';
  if (!/^[a-z\d.-]*$/.test(domain))
    throw new ConsentError(
      'invalid_option',
      [{ path: 'cookieDomain', message: `${domain} is not allowed` }],
      'Give cookieDomain as createConsent takes it: a lowercase host name (edx.org).',
    );
  const onError = options.onError ?? console.error;
  const failed = (message: string, hint: string) =>
    onError(new ConsentError('receipt_failed', [{ path: url, message }], hint));
  const made = (page[madeHere] ??= new Set());
  const posted = (page[postedHere] ??= new Set());
  // The checksums of what this sender posted: a decision, and the subjects it was posted under.
  const mine = new Set<string>();
  const subject = () => {
    const given = typeof options.subject === 'function' ? options.subject() : options.subject;
    return typeof given === 'string' ? { id: given, proof: undefined } : given;
  };
  // With `heard` (the store changed), a new decision made in the page is posted; at every check, the
  // decision in force is posted under a subject this sender has not posted it under yet.
  const stop = new AbortController();
  const check = (heard?: boolean) => {
    const decision = consent.decision;
    const value = decision && encodeDecision(decision, consent.policy);
    if (!value || stop.signal.aborted) return;
    const { id, proof } = subject();
    const sent = checksum(`${url} ${value}`);
    const under = checksum(`${sent} ${id}`);
    // Only a decision made in this page, and each once to each collector, whichever of the page's
    // stores (or sendReceipts calls, or copies of the package) hears it: listeners also hear changes
    // that are not a new decision, and other tabs' decisions. One cookie value for one decision.
    const isNew =
      heard && !posted.has(sent) && [...made].some((d) => encodeDecision(d, consent.policy) === value);
    if (!isNew && !(mine.has(sent) && !posted.has(under) && !record().includes(under))) return;
    for (const set of [posted, mine]) set.add(sent).add(under);
    try {
      document.cookie = `${recordName}=${[...record().filter((c) => c != sent && c != under), sent, under]
        .slice(-16)
        .join('.')};Path=/;Max-Age=34128000;SameSite=Lax${domain ? `;Domain=${domain}` : ''}${
        location.protocol == 'https:' ? ';Secure' : ''
      }`;
    } catch {
      // No document, or cookies that throw: what this page posted is still known in it.
    }
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // `sentAt`: the device's clock as the receipt leaves, so that the collector can date a
      // decision from a clock hours off (a later refusal from a slow clock is then the latest).
      body: JSON.stringify({
        ...toReceipt(decision, id),
        ...(proof && { subjectProof: proof }),
        sentAt: new Date().toISOString(),
      }),
      keepalive: true,
      credentials: 'omit',
    })
      .then(async (response) => {
        if (!response.ok) throw new Error(`the collector answered HTTP ${String(response.status)}`);
        // Stored, but its grants are no consent there: a stale proof, or one made with another key.
        const answer = proof && ((await response.json()) as { subjectProved?: boolean; reason?: string });
        if (answer && answer.subjectProved === false)
          failed(
            `the collector did not take the subject proof (${String(answer.reason)})`,
            "Give the page a fresh proof (sealSubject) made with a key in the collector's collector.subjectKeys.",
          );
      })
      .catch((error: unknown) =>
        failed(
          error instanceof Error ? error.message : String(error),
          'Check that the collector is reachable from the page and allows its origin (OPTIN_ALLOWED_ORIGINS).',
        ),
      );
  };
  // The decision in force when the page loaded, posted by a page before this one (the record): this
  // sender posts it under a new subject as it would its own.
  const found = consent.decision;
  const foundSent = found && checksum(`${url} ${encodeDecision(found, consent.policy)}`);
  if (foundSent && record().includes(foundSent)) mine.add(foundSent);
  check();
  const unsubscribe = consent.subscribe(() => check(true));
  if ((globalThis as { document?: Document }).document) {
    const recheck = () => check();
    addEventListener('focus', recheck, { signal: stop.signal });
    document.addEventListener('visibilitychange', recheck, { signal: stop.signal });
  }
  return Object.assign(
    () => {
      unsubscribe();
      stop.abort();
    },
    { subjectChanged: () => check() },
  );
}
