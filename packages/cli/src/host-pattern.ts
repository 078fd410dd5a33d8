import { getDomain } from 'tldts';

/**
 * Whether `host` is one a tracker declared: `pattern` exactly, or any subdomain of `example.com` for
 * `*.example.com`. Case-insensitive, like host names.
 */
export function hostMatches(host: string, pattern: string): boolean {
  const h = canonical(host);
  const p = canonical(pattern);
  return p.startsWith('*.') ? h.endsWith(p.slice(1)) : h === p;
}

/**
 * Whether `host` belongs to `site` (a registrable domain such as `edx.org`): the site itself or a
 * subdomain, in any letter case.
 */
export function sameSite(host: string, site: string): boolean {
  const h = canonical(host);
  const s = canonical(site);
  return h === s || h.endsWith(`.${s}`);
}

/** A host name as DNS compares it: lower case, without a cookie domain's leading dot or a final dot. */
function canonical(host: string): string {
  return host.toLowerCase().replace(/^\.|\.$/g, '');
}

/**
 * The site `host` belongs to: its registrable domain by the Public Suffix List (`edx.co.uk` for
 * `learning.edx.co.uk`, not `co.uk`; a `github.io` site is its own), or the host itself for an IP
 * address or `localhost`.
 */
export function siteOf(host: string): string {
  return getDomain(host, { allowPrivateDomains: true }) ?? host;
}
