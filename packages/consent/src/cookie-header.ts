import { decodeDecision } from './cookie-codec.js';
import type { Decision } from './decision.js';
import type { Policy } from './policy.js';

/**
 * Reads the decision from a request's `Cookie` header (server-side rendering). Every copy of the
 * cookie is tried; the newest valid one wins. Returns `null` when there is no valid decision for
 * this policy (or it is older than `maxAgeDays`).
 *
 * @example
 * const decision = fromCookieHeader(req.headers.cookie, edxPolicy);
 * const analytics = decision?.purposes.analytics === true;
 */
export function fromCookieHeader(
  header: string | null | undefined,
  policy: Policy,
  { cookieName = 'optin', maxAgeDays = 395 }: { cookieName?: string; maxAgeDays?: number } = {},
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
  return best;
}
