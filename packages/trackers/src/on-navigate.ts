const navigate = 'optin:navigate';

/**
 * Calls `listener` after every navigation of a single-page app: `history.pushState`,
 * `history.replaceState`, back/forward (`popstate`) and, where the browser has the Navigation API,
 * every navigation it reports done (`navigatesuccess`), such as one an app's router makes with
 * `navigation.navigate(url)` or intercepts from a link, once the router has drawn the page. A browser
 * with the Navigation API reports a `pushState` or Back too, so one navigation may call `listener`
 * twice: act on where the page is now (compare `location.href` with the last one seen), as
 * `firstParty` and `createScopedHub` do. History is patched once per page, however many listeners
 * there are and however many copies of this module the page's bundles carry (the patch is marked on
 * `history` itself, so a router patching it after us changes nothing). Returns a function that stops
 * calling `listener`; so does aborting `options.signal`.
 *
 * @example
 * let seen = location.href;
 * const stop = onNavigate(() => {
 *   if (location.href != seen) hub.page();
 *   seen = location.href;
 * });
 */
export function onNavigate(listener: () => void, options?: { readonly signal?: AbortSignal }): () => void {
  if (!(navigate in history)) {
    (history as unknown as Record<string, number>)[navigate] = 1;
    const tell = () => dispatchEvent(new Event(navigate));
    for (const name of ['pushState', 'replaceState'] as const) {
      const original = history[name].bind(history);
      history[name] = (...args) => {
        original(...args);
        tell();
      };
    }
    addEventListener('popstate', tell);
    (self as { navigation?: EventTarget }).navigation?.addEventListener('navigatesuccess', tell);
  }
  addEventListener(navigate, listener, options);
  return () => removeEventListener(navigate, listener);
}
