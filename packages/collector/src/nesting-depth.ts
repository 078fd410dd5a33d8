/** How deep a message may nest objects and arrays (Segment's own payloads stay under 10). */
export const maxNestingDepth = 32;

/**
 * Whether a parsed JSON value nests deeper than `limit`, checked without recursion: a deeply
 * nested value would overflow the stack when serialised (and PostgreSQL refuses it), so it is
 * refused as bad input first.
 */
export function nestsDeeperThan(value: unknown, limit: number = maxNestingDepth): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    if (item.depth > limit) return true;
    const v = item.value;
    if (typeof v !== 'object' || v === null) continue;
    for (const child of Array.isArray(v) ? (v as unknown[]) : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: item.depth + 1 });
    }
  }
  return false;
}
