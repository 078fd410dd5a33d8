export { defineBanner, mountBanner } from './define-banner.js';
export type { BannerLayer, BannerOptions, OptinBannerElement } from './banner-element.js';
export type { BannerDeclaration, BannerMember, EmailSender, ThirdParty } from './declaration.js';
export { en, type Catalog, type Messages } from './messages.js';
export { pickLocale, type LocaleLoaders } from './locale.js';
export { purposeFingerprint } from './fingerprint.js';
export { BannerError, type BannerErrorCode } from './errors.js';
