import type { Grants } from './decision.js';

/** A Google Consent Mode v2 value. */
export type ConsentModeValue = 'granted' | 'denied';

/** The seven Google Consent Mode v2 signals. */
export interface GoogleConsentMode {
  ad_storage: ConsentModeValue;
  ad_user_data: ConsentModeValue;
  ad_personalization: ConsentModeValue;
  analytics_storage: ConsentModeValue;
  functionality_storage: ConsentModeValue;
  personalization_storage: ConsentModeValue;
  security_storage: ConsentModeValue;
}

/**
 * Maps the grants in force (a decision, or `store.grants()`) to Google Consent Mode v2:
 * analytics → analytics_storage; marketing → ad_storage, ad_user_data, ad_personalization;
 * functionality → functionality_storage, personalization_storage; necessary → security_storage.
 * `null` (nothing decided in opt-in mode) denies everything but security_storage.
 */
export function toGoogleConsentMode(grants: Pick<Grants, 'purposes'> | null): GoogleConsentMode {
  const v = (purpose: string): ConsentModeValue => (grants?.purposes[purpose] ? 'granted' : 'denied');
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
