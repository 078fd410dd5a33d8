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
 * A dot segment, written or escaped (`/./`, `/../`, `/%2e%2e`, before a `/`, `\\`, `?`, `#` or the
 * end), which a URL parser resolves (the segments before it may go). `/.well-known` is none.
 */
const dotSegment = /[\\/](?:\.|%2e){1,2}(?=[\\/?#]|$)/i;

/** A `..` dot segment, written or escaped (see `dotSegment`): one that takes the segment before it. */
const doubleDot = /[\\/](?:\.|%2e){2}(?=[\\/?#]|$)/i;

/** How many dots a path segment written `segment` is: 1 (`.`, `%2e`), 2 (`..`, `.%2e`, …), or 0. */
function dots(segment: string): number {
  const match = /^(?:\.|%2e){1,2}$/i.exec(segment);
  return match ? (segment.length === 1 || segment.length === 3 ? 1 : 2) : 0;
}

/**
 * The start of `path` (a path as written: `/` or `\\` before each segment), up to `length`
 * characters, once its dot segments are resolved as a URL parser resolves them. Kept as the places
 * of its segments only, so a long path costs no string per segment; read only as far as that start
 * goes when no `..` may take a segment back.
 */
function resolvedStart(path: string, length: number): string {
  const starts: number[] = [];
  const ends: number[] = [];
  const pops = doubleDot.test(path);
  for (let at = 0, kept = 0; at < path.length && (pops || kept < length); ) {
    let next = at + 1;
    while (next < path.length && path[next] !== '/' && path[next] !== '\\') next++;
    // A dot segment is at most six characters (`%2e%2e`): no longer one is sliced.
    const count = next - at - 1 > 6 ? 0 : dots(path.slice(at + 1, next));
    if (count === 2) {
      starts.pop();
      ends.pop();
    }
    // A segment, or an empty one for a dot segment at the end (`/x/..` is `/`).
    if (count === 0) {
      starts.push(at + 1);
      ends.push(next);
      kept += next - at;
    } else if (next === path.length) {
      starts.push(next);
      ends.push(next);
    }
    at = next;
  }
  let start = '';
  for (let i = 0; i < starts.length && start.length < length; i++)
    start += `/${path.slice(starts[i], ends[i])}`;
  return start.slice(0, length);
}

/**
 * Whether a URL whose path, as written (from the `/` after its host to its end), is `path` may
 * point at the tracking endpoints under `base` (see `trackingLink`): told from the start of the
 * path alone, as far as the endpoints' path goes, unless a dot segment anywhere in the path (not
 * the query or fragment) may move a later part to the front. A cheap test before a URL is parsed
 * whole, that never says no to a tracking URL.
 */
export function mayBeTrackingPath(path: string, base: URL): boolean {
  // Only the path holds dot segments: the query and the fragment are not resolved.
  // A URL parser drops tabs and newlines anywhere (`/.<tab>./` is `/../`): such a path may be any.
  const end = path.search(/[?#\t\n\r]/);
  if (end >= 0 && path[end] !== '?' && path[end] !== '#') return true;
  const written = end < 0 ? path : path.slice(0, end);
  const prefix = `${decodedPath(base.pathname)}e/`;
  // One decoded character is at most twelve written (a 4-byte UTF-8 character, each byte escaped).
  const length = 12 * (prefix.length + 2);
  const start = dotSegment.test(written) ? resolvedStart(written, length) : written.slice(0, length);
  const decoded = decodedPath(start.replaceAll('\\', '/'));
  return /^[oc]\/$/.test(decoded.slice(prefix.length, prefix.length + 2)) && decoded.startsWith(prefix);
}
