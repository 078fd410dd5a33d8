import { cookieDomains } from '@optin/consent';
import { pageCookies } from './page-cookies.js';
import type { CookieDeclaration } from './tracker.js';

/** Whether a cookie named `name` is one `cookie` declares (exact name, or RegExp match). */
export function declares(cookie: CookieDeclaration, name: string): boolean {
  // (A RegExp has a source, even one from another realm; a string none.)
  return (cookie.name as RegExp).source ? name.search(cookie.name) >= 0 : cookie.name == name;
}

/**
 * Deletes every cookie the page can see that `cookies` declare (first-party ones, and those declared
 * without a `party`, as a JavaScript config may: a third party's cookies live on its own domain) and `keep` does not, on every `Domain` variant from the host down
 * to `root` (the registrable domain, with or without a leading dot as `@optin/consent` takes it), or
 * without a `root` to the top-level domain (vendors set theirs on the registrable domain; the browser
 * ignores a public suffix), and at `/` and every prefix of the current path. On https the
 * deletions carry `Secure`, without which browsers refuse to touch `__Secure-` and `__Host-` cookies
 * (a `__Host-` one only exists host-only at `/`: the browser refuses the other variants, harmlessly).
 * Each is written a second time `Partitioned`, which alone reaches a CHIPS cookie (an embedded frame's,
 * gtag's with `cookie_flags` Partitioned); a browser takes it only on https, with `Secure`.
 * Never throws: in a sandboxed document, which may use no cookies, it does nothing.
 */
export function deleteCookies(
  cookies: readonly CookieDeclaration[],
  root?: string,
  keep?: readonly CookieDeclaration[],
): void {
  for (const pair of pageCookies().split(/; */)) {
    const [name] = pair.split('=');
    // Not a third party's (`> 't'`: 'third', shorter for the size budget): 'first', or no party at all.
    if (name && cookies.some((c) => !(c.party > 't') && declares(c, name)) && !keep?.some((c) => declares(c, name)))
      for (const domain of cookieDomains(
        location.hostname,
        root?.replace(/^\./, '') ?? location.hostname.replace(/.*\./, ''),
      ))
        // Every path this page sees: `/learning/x`, `/learning/`, `/learning` and `/` for `/learning/x`.
        for (let at = location.pathname; at; at = at.replace(/\/$|[^/]+$/, ''))
          // Partitioned too (CHIPS: gtag's cookie_flags, an embedded frame), which a browser takes only with
          // Secure: on http a browser refuses that second write, harmlessly.
          for (const flags of ['', ';Partitioned'])
            // (Through Document's own setter: an element of the page named `cookie` shadows document.cookie.)
            Reflect.set(
              Document.prototype,
              'cookie',
              `${name}=;Path=${at};Max-Age=0${domain ? `;Domain=${domain}` : ''}${
                location.protocol == 'https:' ? ';Secure' : ''
              }${flags}`,
              document,
            );
  }
}
