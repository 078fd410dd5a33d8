const navigate = 'optin:navigate';

/**
 * Calls `listener` once each time a single-page app moves the page to another URL: with
 * `history.pushState` or `history.replaceState`, back/forward (`popstate`), a `#` change, and, where
 * the browser has the Navigation API, a navigation an app's router makes with `navigation.navigate(url)`
 * or intercepts from a link, as soon as the URL changes (`currententrychange`), before the router's
 * handler draws the new page: a Member's scope never applies to another Member's course page, even for
 * a moment. Once, though such a browser reports a `pushState`, a Back or a `#` change a second time
 * (only a URL other than the last one reported is reported); a navigation that keeps the
 * URL (`replaceState` of the state alone) calls nothing. History is patched once per page, however
 * many listeners there are and however many copies of this module the page's bundles carry (the
 * patch, and the URL last reported, are kept on `history` itself, so a router patching it after us
 * changes nothing). Returns a function that stops calling `listener`; so does aborting `options.signal`.
 *
 * @example
 * const stop = onNavigate(() => hub.page());
 */
export function onNavigate(listener: () => void, options?: { readonly signal?: AbortSignal }): () => void {
  const h = history as History & Record<string, string>;
  if (!h[navigate]) {
    const tell = () => h[navigate] != (h[navigate] = location.href) && dispatchEvent(new Event(navigate));
    // Marks the patch with the URL now (no listener to hear of it yet).
    tell();
    for (const name of ['pushState', 'replaceState'] as const) {
      const original = h[name].bind(h);
      h[name] = (...args) => {
        original(...args);
        tell();
      };
    }
    addEventListener('popstate', tell);
    (self as { navigation?: EventTarget }).navigation?.addEventListener('currententrychange', tell);
  }
  addEventListener(navigate, listener, options);
  return () => removeEventListener(navigate, listener);
}
