/** How deep a message may nest objects and arrays (Segment's own payloads stay under 10). */
export const maxNestingDepth = 32;

/** Whether an object or array at `depth` holds one nested deeper than `limit` (recursion ends at `limit`). */
function deeper(value: object, depth: number, limit: number): boolean {
  if (depth > limit) return true;
  if (Array.isArray(value)) {
    for (const child of value as unknown[])
      if (typeof child === 'object' && child !== null && deeper(child, depth + 1, limit)) return true;
    return false;
  }
  for (const key in value) {
    const child = (value as Record<string, unknown>)[key];
    if (typeof child === 'object' && child !== null && deeper(child, depth + 1, limit)) return true;
  }
  return false;
}

/**
 * Whether a parsed JSON value nests deeper than `limit`: a deeply nested value would overflow the
 * stack when serialised (and PostgreSQL refuses it), so it is refused as bad input first. The
 * walk recurses at most `limit + 1` levels, whatever the input's depth.
 */
export function nestsDeeperThan(value: unknown, limit: number = maxNestingDepth): boolean {
  return typeof value === 'object' && value !== null && deeper(value, 0, limit);
}
