/** A URL under a collector's tracking endpoints: which one, and the token in its path. */
export interface TrackingLink {
  kind: 'open' | 'click';
  /** The path segment after `/e/o/` or `/e/c/` (possibly empty or no token at all). */
  token: string;
  /**
   * Whether the path is written as the signer writes it (`<base path>e/o/` or `e/c/`, not encoded):
   * the only form the collector serves.
   */
  canonical: boolean;
}

/**
 * `path` percent-decoded once, as a router decodes it (`decodeURI`: an encoded `/`, `?` or `#`
 * stays encoded); a run of escapes that is no UTF-8 keeps its non-ASCII bytes as written, never
 * throws.
 */
function decodedPath(path: string): string {
  return path.replace(/(?:%[\da-f]{2})+/gi, (run) => {
    try {
      return decodeURI(run);
    } catch {
      return run.replace(/%[0-7][\da-f]/gi, (escape) => decodeURI(escape));
    }
  });
}

/** The host of `url` as DNS reads it: without the trailing dot of a fully qualified name. */
const hostOf = (url: URL): string => `${url.hostname.replace(/\.$/, '')}:${url.port}`;

/**
 * Whether `url` (an absolute http(s) URL) points at the tracking endpoints under `base` (the
 * signer's normalised `baseUrl`), recognised as the collector's router would: by host and path,
 * with `http:` and `https:` alike, the host in any letter case, with a trailing dot or not and its
 * default port written or not, the path percent-encoded or not, whatever query or fragment
 * follows. The collector ignores both, so such a URL leads where its token says.
 */
export function trackingLink(url: string, base: URL): TrackingLink | undefined {
  const parsed = new URL(url);
  if (hostOf(parsed) !== hostOf(base)) return undefined;
  const path = decodedPath(parsed.pathname);
  const kinds = { o: 'open', c: 'click' } as const;
  for (const [segment, kind] of Object.entries(kinds)) {
    const prefix = `${decodedPath(base.pathname)}e/${segment}/`;
    if (path.startsWith(prefix))
      return {
        kind,
        token: /^[^/]*/.exec(path.slice(prefix.length))?.[0] ?? '',
        canonical: parsed.pathname.startsWith(`${base.pathname}e/${segment}/`),
      };
  }
  return undefined;
}

/**
 * A segment that starts with a dot, written or escaped (`/./`, `/../`, `/%2e%2e/`, but `/.well-known`
 * too): one that may be a dot segment, which a URL parser resolves (the segments before it may go).
 */
const dotStart = /[\\/](?:\.|%2e)/i;

/**
 * Whether a URL whose path, as written (from the `/` after its host to its end), is `path` may
 * point at the tracking endpoints under `base` (see `trackingLink`): told from the start of the
 * path alone, as far as the endpoints' path goes, unless a segment that may be a dot segment,
 * anywhere in it, may move a later part to the front. A cheap test before a URL is parsed whole,
 * that never says no to a tracking URL.
 */
export function mayBeTrackingPath(path: string, base: URL): boolean {
  if (dotStart.test(path)) return true;
  const prefix = `${decodedPath(base.pathname)}e/`;
  // One decoded character is at most twelve written (a 4-byte UTF-8 character, each byte escaped).
  const start = path.slice(0, 12 * (prefix.length + 2)).replace(/[?#][\s\S]*/, '');
  const decoded = decodedPath(start.replaceAll('\\', '/'));
  return /^[oc]\/$/.test(decoded.slice(prefix.length, prefix.length + 2)) && decoded.startsWith(prefix);
}
