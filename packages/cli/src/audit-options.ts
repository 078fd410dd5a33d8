import { parse } from 'tldts';
import { CliError } from './errors.js';

// A cookie name as RFC 6265 allows it: a token, one or more characters, no separators.
const cookieToken = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Checks `--site`: a host name (no scheme, port or path), and a registrable domain or a name under
 * one, an IP address or `localhost`. A public suffix (`com`, `co.uk`, `github.io`) would make every
 * site under it the page's own, so that no request to any of them is ever reported: a
 * {@link CliError} `invalid_argument`, as is anything else.
 */
export function checkSite(site: string): string {
  const name = site.toLowerCase().replace(/\.$/, '');
  const parsed = parse(name, { allowPrivateDomains: true });
  const host = parsed.isIp && parsed.hostname?.includes(':') ? `[${parsed.hostname}]` : parsed.hostname;
  const problem =
    !name || host !== name
      ? `"${site}" is not a host name`
      : parsed.isIp || name === 'localhost' || parsed.domain
        ? null
        : `"${site}" is a public suffix: every site under it would count as the page's own, and none of their requests would be reported`;
  if (problem)
    throw new CliError(
      'invalid_argument',
      [{ path: '--site', message: problem }],
      "Give the page's registrable domain, e.g. --site edx.org, or leave --site out to use the page host's.",
    );
  return site;
}

/** Checks `--cookie-name`: a cookie name the browser can hold (RFC 6265 token), else a {@link CliError}. */
export function checkCookieName(name: string): string {
  if (!cookieToken.test(name))
    throw new CliError(
      'invalid_argument',
      [{ path: '--cookie-name', message: `"${name}" is not a cookie name` }],
      "Give the name of the consent cookie the page reads (default optin): letters, digits and !#$%&'*+-.^_`|~.",
    );
  return name;
}
