import type { LocaleLoaders } from '../locale.js';

/**
 * The built-in catalogs other than English, each loaded only when shown: `es`, `fr`, `ar` (right
 * to left) and `zh`. Pass them as the banner's `locales`; your bundler makes each a separate chunk.
 *
 * @example
 * import { locales } from '@optin/banner/locales';
 * mountBanner({ consent, locales });
 */
export const locales: LocaleLoaders = {
  es: () => import('./es.js').then((m) => m.es),
  fr: () => import('./fr.js').then((m) => m.fr),
  ar: () => import('./ar.js').then((m) => m.ar),
  zh: () => import('./zh.js').then((m) => m.zh),
};
