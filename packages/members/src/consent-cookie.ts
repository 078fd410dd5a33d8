import type { Policy } from '@optin/consent';
import type { Party } from '@optin/trackers';

/** One cookie the site sets for itself, outside any tracker, as learners see it listed. */
export interface DeclaredSiteCookie {
  /** Exact name. */
  readonly name: string;
  /** How long it lives: `13mo`… */
  readonly lifetime: string;
  /** The purpose it serves: the policy's (first) required purpose, or `null` when the policy has none. */
  readonly purpose: string | null;
  /** `first`: set by the site itself. */
  readonly party: Party;
  /** `platform`: the site, whatever Member's course it is on. */
  readonly owner: string;
  /** Name of the owner learners read (`edX`). */
  readonly ownerName: string;
  /** What it does, for learners. */
  readonly description: string;
}

/**
 * The cookie `@optin/consent` keeps the decision in: its default `cookieName`, which it does not
 * export, so it is repeated here (the config names no other). No tracker may declare it.
 */
export const consentCookieName = 'optin';

/**
 * The consent store's own cookie, as learners see it listed: set on every choice, refusing
 * everything included, so the list names it under the policy's required purpose (the first, if
 * there are several; `null` when there is none). It lives at most 13 months, as the store keeps it.
 */
export function declareConsentCookie(policy: Policy): DeclaredSiteCookie {
  return {
    name: consentCookieName,
    lifetime: '13mo',
    purpose: policy.purposes.find((p) => p.required)?.id ?? null,
    party: 'first',
    owner: 'platform',
    ownerName: 'edX',
    description:
      'Keeps your cookie choice: which purposes you allowed or refused, for edX and for each Member. It is set once a choice is made, refusing everything included, on the domain of the site, so that every site under it honours the same choice. It holds only that choice, when it was made, whether your browser asked not to be tracked (Global Privacy Control) and a random id for the record of it. You are asked again when the policy changes or after 13 months.',
  };
}
