import { decodeDecision } from './cookie-codec.js';
import type { Decision } from './decision.js';
import type { Policy } from './policy.js';

/** Options of {@link fromCookieHeader}. */
export interface CookieHeaderOptions {
  /** The consent cookie's name. Default `optin`. */
  readonly cookieName?: string;
  /** Days a decision lasts (at most 395, the default), as given to `createConsent`. */
  readonly maxAgeDays?: number;
  /**
   * The request carried `Sec-GPC: 1`: purposes Global Privacy Control refuses read as refused,
   * unless the learner granted them while GPC was on (as the browser's consent store does).
   */
  readonly gpc?: boolean;
  /**
   * The page's mode, as given to `createConsent`. Default `opt-in`, under which a decision whose
   * grants were implied by opt-out mode (`implied`) is none: the learner has not granted anything.
   */
  readonly mode?: 'opt-in' | 'opt-out';
}

/**
 * Reads the decision from a request's `Cookie` header (server-side rendering). Every copy of the
 * cookie is tried; the newest valid one wins. Returns `null` when there is no valid decision for
 * this policy (or it is older than `maxAgeDays`).
 *
 * @example
 * const decision = fromCookieHeader(req.headers.cookie, edxPolicy, { gpc: req.headers['sec-gpc'] === '1' });
 * const analytics = decision?.purposes.analytics === true;
 */
export function fromCookieHeader(
  header: string | null | undefined,
  policy: Policy,
  { cookieName = 'optin', maxAgeDays = 395, gpc = false, mode = 'opt-in' }: CookieHeaderOptions = {},
): Decision | null {
  let best: Decision | null = null;
  for (const pair of (header ?? '').split(/;\s*/)) {
    if (!pair.startsWith(`${cookieName}=`)) continue;
    const found = decodeDecision(pair.slice(cookieName.length + 1), policy);
    if (
      found &&
      Date.parse(found.decidedAt) + Math.min(maxAgeDays, 395) * 864e5 > Date.now() &&
      (!best || found.decidedAt > best.decidedAt)
    )
      best = found;
  }
  if (best?.implied && mode === 'opt-in') return null;
  if (!best || !gpc || best.gpc) return best;
  const refused = new Set(policy.purposes.filter((p) => p.gpc).map((p) => p.id));
  return {
    ...best,
    purposes: Object.fromEntries(
      Object.entries(best.purposes).map(([id, granted]) => [id, granted && !refused.has(id)]),
    ),
  };
}
