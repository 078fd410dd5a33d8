/** How deep a message may nest objects and arrays (Segment's own payloads stay under 10). */
export const maxNestingDepth = 32;

/**
 * The keys (and indexes) from an object or array at `depth` down to the first value in it nested
 * deeper than `limit` (empty: this one), `undefined` when there is none. Recursion ends at `limit`.
 */
function deeper(value: object, depth: number, limit: number): (string | number)[] | undefined {
  if (depth > limit) return [];
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const child: unknown = value[i];
      const path = typeof child === 'object' && child !== null ? deeper(child, depth + 1, limit) : undefined;
      if (path) return (path.unshift(i), path);
    }
    return undefined;
  }
  for (const key in value) {
    const child = (value as Record<string, unknown>)[key];
    const path = typeof child === 'object' && child !== null ? deeper(child, depth + 1, limit) : undefined;
    if (path) return (path.unshift(key), path);
  }
  return undefined;
}

/**
 * Where a parsed JSON value nests deeper than `limit`: the path (keys and indexes) of its first value
 * nested deeper, `undefined` when none is. A deeply nested value would overflow the stack when
 * serialised (and PostgreSQL refuses it), so it is refused as bad input first. The walk recurses at
 * most `limit + 1` levels, whatever the input's depth.
 */
export function tooDeepPath(value: unknown, limit: number = maxNestingDepth): (string | number)[] | undefined {
  return typeof value === 'object' && value !== null ? deeper(value, 0, limit) : undefined;
}

/** Whether a parsed JSON value nests deeper than `limit` (see {@link tooDeepPath}). */
export function nestsDeeperThan(value: unknown, limit: number = maxNestingDepth): boolean {
  return tooDeepPath(value, limit) !== undefined;
}
