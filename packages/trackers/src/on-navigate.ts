const navigate = 'optin:navigate';
let patched = false;

/**
 * Calls `listener` after every navigation of a single-page app: `history.pushState`,
 * `history.replaceState` and back/forward (`popstate`). History is patched once, however many
 * listeners there are. Returns a function that stops calling `listener`.
 *
 * @example const stop = onNavigate(() => hub.page());
 */
export function onNavigate(listener: () => void): () => void {
  if (!patched) {
    patched = true;
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
