import { documentProperty } from './document-property.js';

/**
 * The page's cookies as `document.cookie` gives them (though an element of the page named `cookie`
 * shadows it): '' in a sandboxed document (an opaque origin), which may use no cookies (reading them
 * throws there).
 */
export function pageCookies(): string {
  try {
    return documentProperty('cookie');
  } catch {
    return '';
  }
}
