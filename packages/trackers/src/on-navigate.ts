const navigate = 'optin:navigate';

/**
 * Calls `listener` after every navigation of a single-page app: `history.pushState`,
 * `history.replaceState` and back/forward (`popstate`). History is patched once per page, however
 * many listeners there are and however many copies of this module the page's bundles carry (the
 * patch is marked on `history` itself, so a router patching it after us changes nothing).
 * Returns a function that stops calling `listener`.
 *
 * @example const stop = onNavigate(() => hub.page());
 */
export function onNavigate(listener: () => void): () => void {
  if (!(navigate in history)) {
    (history as unknown as Record<string, number>)[navigate] = 1;
    for (const name of ['pushState', 'replaceState'] as const) {
      const original = history[name].bind(history);
      history[name] = (...args) => {
        original(...args);
        dispatchEvent(new Event(navigate));
      };
    }
  }
  addEventListener(navigate, listener);
  addEventListener('popstate', listener);
  return () => {
    removeEventListener(navigate, listener);
    removeEventListener('popstate', listener);
  };
}
