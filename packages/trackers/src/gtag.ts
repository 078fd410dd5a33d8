/**
 * Queues a gtag.js command on `window.dataLayer` (creating it) exactly as Google's own snippet
 * does: gtag.js only reads `arguments` objects, not arrays.
 */
export const gtag: (...args: unknown[]) => void = function () {
  // eslint-disable-next-line prefer-rest-params -- gtag.js only recognises `arguments` objects
  ((window as unknown as { dataLayer?: unknown[] }).dataLayer ??= []).push(arguments);
};
