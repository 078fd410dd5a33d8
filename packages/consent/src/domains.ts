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
  const labels = host.split('.');
  for (let i = 0; i < labels.length; i++) {
    const domain = labels.slice(i).join('.');
    if (root ? domain === root || domain.endsWith(`.${root}`) : !i) out.push(domain);
  }
  return out;
}
