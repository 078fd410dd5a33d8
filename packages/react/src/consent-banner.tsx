import { mountBanner, type BannerOptions, type Messages, type OptinBannerElement } from '@optin/banner';
import { locales as builtIn } from '@optin/banner/locales';
import { useEffect, type ReactNode, type Ref } from 'react';
import { useConsent } from './use-consent.js';

// One object, so that the default does not remount the banner on every render.
const noMessages: Partial<Messages> = {};

/** Props of {@link ConsentBanner}: the banner's options but the store (from the provider). */
export interface ConsentBannerProps extends Omit<BannerOptions, 'consent'> {
  /** Receives the `<optin-banner>` element, e.g. for a footer link: `ref.current?.open('preferences')`. */
  ref?: Ref<OptinBannerElement | null>;
}

/** Hands `value` to a callback or object ref. */
function setRef<T>(ref: Ref<T> | undefined, value: T) {
  if (typeof ref === 'function') ref(value);
  else if (ref) ref.current = value;
}

/**
 * Mounts `<optin-banner>` for the provider's store, in the browser only (it renders nothing into
 * server HTML, so hydration never mismatches). It is appended to `document.body`, so that no
 * transformed ancestor can move its fixed position. The built-in catalogs (`es`, `fr`, `ar`, `zh`)
 * are loaded only when shown; pass `locales` to choose others. Memoize object props
 * (`declaration`, `member`, `messages`): a new object remounts the banner.
 *
 * @example
 * const banner = useRef<OptinBannerElement>(null);
 * <ConsentBanner ref={banner} declaration={declaration} member={scope.member} />
 * <button onClick={() => banner.current?.open('preferences')}>Cookie settings</button>
 */
export function ConsentBanner({
  declaration = null,
  member = null,
  locale = null,
  locales = builtIn,
  messages = noMessages,
  policyUrl = null,
  settingsButton = true,
  ref,
}: ConsentBannerProps): ReactNode {
  const { store } = useConsent();
  useEffect(() => {
    if (!store) return;
    const banner = mountBanner({
      consent: store,
      declaration,
      member,
      locale,
      locales,
      messages,
      policyUrl,
      settingsButton,
    });
    setRef(ref, banner);
    return () => {
      setRef(ref, null);
      banner.remove();
    };
  }, [store, declaration, member, locale, locales, messages, policyUrl, settingsButton, ref]);
  return null;
}
