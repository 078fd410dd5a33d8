import { mountBanner, type BannerOptions, type Messages, type OptinBannerElement } from '@optin/banner';
import { locales as builtIn } from '@optin/banner/locales';
import { forwardRef, useEffect, useState, type Ref } from 'react';
import { same } from './same.js';
import { useConsent } from './use-consent.js';
import { useIsomorphicLayoutEffect } from './use-isomorphic-layout-effect.js';

// One object, so that the default is not set on the banner again (restarting it) on every render.
const noMessages: Partial<Messages> = {};

/** Props of {@link ConsentBanner}: the banner's options but the store (from the provider). */
export interface ConsentBannerProps extends Omit<BannerOptions, 'consent'> {
  /**
   * Receives the `<optin-banner>` element once it is mounted (after hydration, never `null` before),
   * e.g. for a footer link: `ref.current?.open('preferences')`. As on a DOM element in React 19, a
   * callback ref may return a clean-up, run when the element goes or the ref is replaced; one that
   * returns nothing is called with `null` then. The same on React 18, whose DOM elements ignore it.
   */
  ref?: Ref<OptinBannerElement>;
}

/**
 * Hands `element` to a callback or object ref, and returns what undoes that, as React 19 attaches a
 * ref to a DOM element: the clean-up a callback ref returned, else a call with `null`; for an object
 * ref, `current` set back to `null`. Done here, not by React, so it is the same on React 18.
 */
function attach<T>(ref: NonNullable<Ref<T | null>>, element: T): () => void {
  if (typeof ref !== 'function') {
    ref.current = element;
    return () => void (ref.current = null);
  }
  const cleanup = ref(element);
  return typeof cleanup === 'function' ? cleanup : () => void ref(null);
}

/**
 * Mounts `<optin-banner>` for the provider's store, in the browser only (it renders nothing into
 * server HTML, so hydration never mismatches). It is appended to `document.body`, so that no
 * transformed ancestor can move its fixed position. The built-in catalogs (`es`, `fr`, `ar`, `zh`)
 * are loaded only when shown; pass `locales` to choose others. One banner lives as long as the
 * store: a prop whose content changes (another `declaration`, `locale`, `member`) is set on it, and
 * one only rewritten inline with the same content is not, so open preferences, the switches the
 * learner has not saved yet and their focus stay as they are. Several on one page (two
 * micro-frontends, each with its provider) show one banner at a time: the first mounted, then, when
 * it unmounts, the next (or the one the page opens through its `ref`). The `ref` is forwarded
 * (`forwardRef`), so it reaches the element on React 18 as on React 19.
 *
 * @example
 * const banner = useRef<OptinBannerElement>(null);
 * <ConsentBanner ref={banner} declaration={declaration} member={scope.member} />
 * <button onClick={() => banner.current?.open('preferences')}>Cookie settings</button>
 */
export const ConsentBanner = forwardRef<OptinBannerElement, Omit<ConsentBannerProps, 'ref'>>(function ConsentBanner(
  {
    declaration = null,
    member = null,
    locale = null,
    locales = builtIn,
    messages = noMessages,
    policyUrl = null,
    settingsButton = true,
  },
  ref,
) {
  const { store } = useConsent();
  const [banner, setBanner] = useState<OptinBannerElement | null>(null);
  const options = { declaration, member, locale, locales, messages, policyUrl, settingsButton };
  // The ref gets the element once it exists, never `null` before, and is detached when the element
  // goes or another ref (an inline one at each render, as on a DOM element) takes its place. Declared
  // before the effect that mounts the element, so that, as React does for a DOM element, it is
  // detached while the element is still in the page.
  useEffect(() => (ref && banner ? attach(ref, banner) : undefined), [ref, banner]);
  // One element a store, made with the options of the render that brought the store.
  useEffect(() => {
    if (!store) return;
    const mounted = mountBanner({ consent: store, ...options });
    setBanner(mounted);
    return () => {
      mounted.remove();
      setBanner(null);
    };
  }, [store]); // later options are set on it by the effect below
  // A changed option is set on the banner in the page, which applies it at once: in the commit that
  // brings it, before the browser paints, so the banner never shows the previous Member's choices
  // (or locale, declaration) beside a page already drawn with the new ones.
  useIsomorphicLayoutEffect(() => {
    if (!banner) return;
    for (const [key, value] of Object.entries(options) as [keyof typeof options, unknown][])
      if (!same(banner[key], value)) Object.assign(banner, { [key]: value });
  });
  return null;
});
