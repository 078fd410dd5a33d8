/**
 * Every `Domain` attribute a cookie for `host` may have been set with, from the most specific:
 * `undefined` (host-only), then `host`, then each parent down to `root` (the registrable domain,
 * e.g. `edx.org`). Without a `root`, only the host forms. Used to delete a cookie everywhere.
 *
 * @example cookieDomains('learning.courses.edx.org', 'edx.org')
 * // [undefined, 'learning.courses.edx.org', 'courses.edx.org', 'edx.org']
 */
export function cookieDomains(host: string, root?: string): (string | undefined)[] {
  const out: (string | undefined)[] = [undefined];
  // Each parent: the host less its first label, until none is left.
  for (let domain = host; domain; domain = domain.replace(/^[^.]*\.?/, ''))
    if (root ? domain == root || domain.endsWith(`.${root}`) : domain == host) out.push(domain);
  return out;
}
