export { ConsentProvider, type ConsentProviderProps } from './consent-provider.js';
export { useConsent, useAllowed, useTracker, type TrackerLike } from './use-consent.js';
export type { ConsentState } from './consent-state.js';
export { ConsentBanner, type ConsentBannerProps } from './consent-banner.js';
export { OptinReactError, type OptinReactErrorCode } from './errors.js';
export { usePageMember, type ScopeSource } from './use-page-member.js';
