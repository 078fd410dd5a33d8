import { createConsent } from './consent.js';
import { decodeDecision } from './cookie-codec.js';
import type { Decision } from './decision.js';
import { own } from './own.js';
import { isGpc, type Policy } from './policy.js';
import type { ConsentStorage } from './storage.js';

/** Options of {@link fromCookieHeader}. */
export interface CookieHeaderOptions {
  /** The consent cookie's name. Default `optin`. */
  readonly cookieName?: string;
  /** Days a decision lasts (at most 395, the default), as given to `createConsent`. */
  readonly maxAgeDays?: number;
  /**
   * The request carried `Sec-GPC: 1`: purposes Global Privacy Control refuses read as refused,
   * unless the learner granted them while GPC was on (as the browser's consent store does). Where
   * the site honours Do Not Track, a request's `DNT: 1` counts the same (`secGpc || dnt === '1'`).
   */
  readonly gpc?: boolean;
  /**
   * The page's mode, as given to `createConsent`. Default `opt-in`, under which a decision whose
   * grants were implied by opt-out mode (`implied`), or made under an earlier version of the policy,
   * is none: the learner has not granted anything. Under `opt-out`, one made under an earlier
   * version comes back with its refusals only (and an empty `policy.hash`: ask again), so that what
   * the learner refused stays refused while everything else takes the mode's default.
   */
  readonly mode?: 'opt-in' | 'opt-out';
}

/**
 * Reads the decision from a request's `Cookie` header (server-side rendering), as the browser's
 * consent store reads it. Every copy of the cookie is tried; the newest valid one wins. Returns
 * `null` when there is no decision that binds under this policy and `mode` (or it is older than
 * `maxAgeDays`). Options `createConsent` refuses (a `mode` other than `opt-in` or `opt-out`, a
 * `maxAgeDays` that is not above 0, a `cookieName` that is no cookie token) throw the same
 * `ConsentError` (`invalid_option`), naming each.
 *
 * @example
 * const decision = fromCookieHeader(req.headers.cookie, edxPolicy, { gpc: req.headers['sec-gpc'] === '1' });
 * const analytics = decision?.purposes.analytics === true;
 */
export function fromCookieHeader(
  header: string | null | undefined,
  policy: Policy,
  options?: CookieHeaderOptions,
): Decision | null {
  // Own options only: one inherited from a polluted Object.prototype (`mode: 'opt-out'`) is none.
  const given = { __proto__: null, ...options };
  const { cookieName = 'optin', maxAgeDays = 395, gpc = false, mode = 'opt-in' } = given;
  // Checked by createConsent itself (an in-memory store that holds and hears nothing), so that the
  // server refuses exactly what the browser refuses, with the same error, instead of reading a mode
  // it does not know as opt-out, or every decision as expired.
  createConsent({ policy, mode, maxAgeDays, cookieName, storage: 'memory' }).dispose();
  let best: Decision | null = null;
  // One time for every copy, as the browser's store reads them: copies dated in the future tie.
  const now = Date.now();
  for (const value of cookieHeaderStorage(header, cookieName).read()) {
    // As the browser's store reads it: the newest copy wins, of two as new the one made under this
    // policy version; one made under an earlier version (same purposes) keeps only its refusals.
    const found = decodeDecision(value, policy, true, now);
    const at = found?.decidedAt ?? '';
    if (
      found &&
      Date.parse(at) + Math.min(maxAgeDays, 395) * 864e5 > now &&
      !(best && (found.policy.hash ? best.decidedAt > at : best.decidedAt >= at))
    )
      best = found;
  }
  if (!best) return null;
  // Anything but opt-out is opt-in here: only opt-out reads implied grants (or refusals alone).
  if (!best.policy.hash || (best.implied && mode != 'opt-out')) {
    if (mode != 'opt-out') return null;
    best = { ...best, purposes: Object.fromEntries(Object.entries(best.purposes).filter(([, granted]) => !granted)) };
  }
  // A grant made while GPC was on is explicit, but only in a decision that still binds (as in the
  // browser's store): one made under an earlier version keeps its refusals only.
  if (!gpc || (own(best, 'gpc') && best.policy.hash)) return best;
  // What GPC refuses reads as refused (also where the decision says nothing, under opt-out).
  return {
    ...best,
    purposes: {
      ...best.purposes,
      ...Object.fromEntries(policy.purposes.filter(isGpc).map((p) => [p.id, false])),
    },
  };
}

/**
 * A storage that reads the consent cookie from a request's `Cookie` header, for a consent store on a
 * server: `allows()` then answers for the page being rendered exactly as the browser's store will
 * (opt-out defaults, Global Privacy Control, Member overrides, refusals of an earlier policy version),
 * including when the request carries no decision at all (where {@link fromCookieHeader} returns
 * `null`, and an opt-out default applied by hand would forget GPC). It writes nothing: a decision made
 * on that store lasts for the store's life only (set the cookie on the response yourself).
 *
 * @example
 * const consent = createConsent({
 *   policy: edxPolicy,
 *   mode: 'opt-out',
 *   storage: cookieHeaderStorage(req.headers.cookie),
 *   signals: { gpc: req.headers['sec-gpc'] === '1' },
 * });
 * const renderAds = consent.allows('marketing', 'HarvardX');
 */
export function cookieHeaderStorage(header: string | null | undefined, cookieName = 'optin'): ConsentStorage {
  return {
    kind: 'cookieHeader',
    read: () =>
      (header ?? '')
        .split(/;\s*/)
        .filter((pair) => pair.startsWith(`${cookieName}=`))
        .map((pair) => pair.slice(cookieName.length + 1)),
    write: () => false,
    clear() {},
  };
}
