import { createBannerClass, type BannerOptions, type OptinBannerElement } from './banner-element.js';
import { doc } from './dom.js';

/**
 * Registers `<optin-banner>` (once; later calls return the registered class). Call it in the
 * browser: importing `@optin/banner` registers nothing and touches no browser global.
 */
export function defineBanner(): new () => OptinBannerElement {
  let element = customElements.get('optin-banner') as (new () => OptinBannerElement) | undefined;
  if (!element) customElements.define('optin-banner', (element = createBannerClass()));
  return element;
}

/**
 * Registers `<optin-banner>`, configures one and appends it to `parent` (default the document's
 * `<body>`, even where an element of the page is named `body`).
 * It shows the notice while the learner has not decided, and afterwards a "Cookie settings"
 * button; `banner.open()` reopens it from anywhere (a footer link, say).
 *
 * @example
 * import { createConsent, edxPolicy } from '@optin/consent';
 * import { mountBanner } from '@optin/banner';
 * import { locales } from '@optin/banner/locales';
 *
 * const consent = createConsent({ policy: edxPolicy, cookieDomain: 'edx.org' });
 * const banner = mountBanner({ consent, locales, declaration: registry.declaration() });
 * document.querySelector('#cookie-settings')?.addEventListener('click', () => banner.open('preferences'));
 */
export function mountBanner(options: BannerOptions, parent: ParentNode = doc('body')): OptinBannerElement {
  const Banner = defineBanner();
  // (An option given as `undefined` keeps its default: see the element's properties.)
  const banner = Object.assign(new Banner(), options);
  parent.append(banner);
  return banner;
}
