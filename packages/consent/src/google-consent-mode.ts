import type { Grants } from './decision.js';

/** A Google Consent Mode v2 value. */
export type ConsentModeValue = 'granted' | 'denied';

/** The seven Google Consent Mode v2 signals. */
export interface GoogleConsentMode {
  /** Advertising cookies and identifiers (from `marketing`). */
  ad_storage: ConsentModeValue;
  /** Sending user data to Google for advertising (from `marketing`). */
  ad_user_data: ConsentModeValue;
  /** Personalised advertising (from `marketing`). */
  ad_personalization: ConsentModeValue;
  /** Analytics cookies and identifiers (from `analytics`). */
  analytics_storage: ConsentModeValue;
  /** Storage for the site's functions, such as language (from `functionality`). */
  functionality_storage: ConsentModeValue;
  /** Storage for personalisation, such as recommendations (from `functionality`). */
  personalization_storage: ConsentModeValue;
  /** Storage for security, such as authentication and fraud prevention (from `necessary`: always granted). */
  security_storage: ConsentModeValue;
}

/**
 * Maps the grants in force, `store.grants()`, to Google Consent Mode v2: analytics →
 * analytics_storage; marketing → ad_storage, ad_user_data, ad_personalization; functionality →
 * functionality_storage, personalization_storage; necessary → security_storage. Pass
 * `store.grants()`, not `store.decision`: a stored decision does not know of a Global Privacy Control
 * signal the browser began sending since, nor of the mode's defaults, and would grant what is refused
 * now. `null` (nothing decided in opt-in mode) denies everything but security_storage.
 */
export function toGoogleConsentMode(grants: Pick<Grants, 'purposes'> | null): GoogleConsentMode {
  // Granted only by an own `true`: never by one inherited from a polluted Object.prototype (a policy
  // without `marketing`, say, and `?__proto__[marketing]=on`).
  const v = (purpose: string): ConsentModeValue =>
    (({ __proto__: null, ...grants?.purposes }) as Record<string, unknown>)[purpose] === true ? 'granted' : 'denied';
  return {
    ad_storage: v('marketing'),
    ad_user_data: v('marketing'),
    ad_personalization: v('marketing'),
    analytics_storage: v('analytics'),
    functionality_storage: v('functionality'),
    personalization_storage: v('functionality'),
    security_storage: 'granted',
  };
}
