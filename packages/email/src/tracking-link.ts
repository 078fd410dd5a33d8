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

/** How many dots a path segment written `segment` is: 1 (`.`, `%2e`), 2 (`..`, `.%2e`, …), or 0. */
function dots(segment: string): number {
  const match = /^(?:\.|%2e){1,2}$/i.exec(segment);
  return match ? (segment.length === 1 || segment.length === 3 ? 1 : 2) : 0;
}

/** A path (as written: `/` or `\\` before each segment) with its dot segments resolved. */
interface ResolvedPath {
  path: string;
  /** Where each segment a URL parser keeps starts and ends in `path`, in order (kept as places: no string a segment). */
  starts: number[];
  ends: number[];
  /** Whether `path` ends in a dot segment: resolved, it ends in `/` (`/x/..` is `/`). */
  dotEnd: boolean;
}

/**
 * `path` resolved as a URL parser resolves its dot segments, read from its end: each `..` takes the
 * nearest segment before it that no later `..` took (one left over at the root takes none). So
 * whether a segment is kept depends only on what follows it, and a path that is the end of
 * another (a URL inside the one before it in a run) keeps what that one keeps of it.
 */
function resolvedPath(path: string): ResolvedPath {
  const resolved: ResolvedPath = { path, starts: [], ends: [], dotEnd: false };
  let pending = 0;
  for (let end = path.length, at = end - 1; at >= 0; at--) {
    if (at > 0 && path[at] !== '/' && path[at] !== '\\') continue;
    // A dot segment is at most six characters (`%2e%2e`): no longer one is sliced.
    const count = end - at - 1 > 6 ? 0 : dots(path.slice(at + 1, end));
    if (end === path.length) resolved.dotEnd = count > 0;
    if (count === 2) pending++;
    else if (count === 0 && pending > 0) pending--;
    else if (count === 0) {
      resolved.starts.push(at + 1);
      resolved.ends.push(end);
    }
    end = at;
  }
  resolved.starts.reverse();
  resolved.ends.reverse();
  return resolved;
}

/**
 * The start of the path that ends `resolved.path` from `offset` (where a `/` or `\\` is), up to
 * `length` characters, resolved (see `resolvedPath`).
 */
function resolvedStart({ path, starts, ends, dotEnd }: ResolvedPath, offset: number, length: number): string {
  // The first segment kept after `offset`: starts are in order.
  let low = 0;
  let high = starts.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((starts[middle] ?? Infinity) <= offset) low = middle + 1;
    else high = middle;
  }
  let start = '';
  for (; low < starts.length && start.length < length; low++) start += `/${path.slice(starts[low], ends[low])}`;
  if (low === starts.length && dotEnd) start += '/';
  return start.slice(0, length);
}

/** How many resolved paths a test of tracking paths keeps (the runs of URLs it is asked about in turn). */
const keptPaths = 4;

/**
 * The test of whether a URL whose path, as written (from the `/` after its host to its end), is
 * `path` may point at the tracking endpoints under `base` (see `trackingLink`): told from the start
 * of the path alone, as far as the endpoints' path goes, unless a dot segment anywhere in the path
 * (not the query or fragment) may move a later part to the front. A cheap test before a URL is
 * parsed whole, that never says no to a tracking URL. For one rewrite: it keeps the last paths it
 * resolved, so that the many URLs inside one another in a run, each path the end of the one before,
 * are resolved once.
 */
export function trackingPathTest(base: URL): (path: string) => boolean {
  const prefix = `${decodedPath(base.pathname)}e/`;
  // One decoded character is at most twelve written (a 4-byte UTF-8 character, each byte escaped).
  const length = 12 * (prefix.length + 2);
  const kept: ResolvedPath[] = [];
  /** The start of `written` (a path with a dot segment), resolved: from a kept path that it ends, else resolved anew. */
  const startOf = (written: string): string => {
    let resolved = kept.find(({ path }) => path.length >= written.length && path.endsWith(written));
    if (!resolved) {
      resolved = resolvedPath(written);
      kept.unshift(resolved);
      kept.length = Math.min(kept.length, keptPaths);
    }
    return resolvedStart(resolved, resolved.path.length - written.length, length);
  };
  return (path) => {
    // Only the path holds dot segments: the query and the fragment are not resolved.
    // A URL parser drops tabs and newlines anywhere (`/.<tab>./` is `/../`): such a path may be any.
    const end = path.search(/[?#\t\n\r]/);
    if (end >= 0 && path[end] !== '?' && path[end] !== '#') return true;
    const written = end < 0 ? path : path.slice(0, end);
    const start = dotSegment.test(written) ? startOf(written) : written.slice(0, length);
    const decoded = decodedPath(start.replaceAll('\\', '/'));
    return /^[oc]\/$/.test(decoded.slice(prefix.length, prefix.length + 2)) && decoded.startsWith(prefix);
  };
}
