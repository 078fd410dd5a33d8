/** A URL under a collector's tracking endpoints: which one, and the token in its path. */
export interface TrackingLink {
  kind: 'open' | 'click';
  /** The path segment after `/e/o/` or `/e/c/` (possibly empty or no token at all). */
  token: string;
}

/**
 * Whether `url` (an absolute http(s) URL) points at the tracking endpoints under `base` (the
 * signer's normalised `baseUrl`), recognised as the collector's router would: by host and path,
 * with `http:` and `https:` alike, the host in any letter case and its default port written or
 * not, whatever query or fragment follows. The collector ignores both, so such a URL leads where
 * its token says.
 */
export function trackingLink(url: string, base: URL): TrackingLink | undefined {
  const parsed = new URL(url);
  if (parsed.host !== base.host) return undefined;
  const kinds = { o: 'open', c: 'click' } as const;
  for (const [segment, kind] of Object.entries(kinds)) {
    const prefix = `${base.pathname}e/${segment}/`;
    if (parsed.pathname.startsWith(prefix))
      return { kind, token: /^[^/]*/.exec(parsed.pathname.slice(prefix.length))?.[0] ?? '' };
  }
  return undefined;
}
