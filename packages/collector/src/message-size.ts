/**
 * An upper bound of the UTF-8 size of a value's JSON: at most 6 bytes for each UTF-16 unit of a
 * string (`\u001f`; a non-ASCII unit is at most 3 bytes of UTF-8) plus its quotes, 25 for a number
 * (the longest a double prints: `-0.0000012345678901234567`), 5 for anything else.
 */
const leafBound = (value: unknown): number =>
  typeof value === 'string' ? 6 * value.length + 2 : typeof value === 'number' ? 25 : 5;

/**
 * An upper bound of the UTF-8 size of `JSON.stringify(value)`, found without building it; once past
 * `limit` it stops and returns what it has. Values nest at most `maxNestingDepth` levels (checked
 * before), so the recursion is bounded.
 */
function bound(value: object, limit: number): number {
  let size = 2;
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) {
      size += (typeof item === 'object' && item !== null ? bound(item, limit) : leafBound(item)) + 1;
      if (size > limit) return size;
    }
    return size;
  }
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    size += 6 * key.length + 4 + (typeof item === 'object' && item !== null ? bound(item, limit) : leafBound(item));
    if (size > limit) return size;
  }
  return size;
}

/** The UTF-8 size of an object's JSON. */
export function jsonBytes(value: object): number {
  return Buffer.byteLength(JSON.stringify(value));
}

/**
 * The size of a message as it would be stored (its JSON as sent, plus `inherited` bytes: the
 * batch-level `context` merged into it) when that is over `limit`; `undefined` when it is not.
 * Nearly every message is judged by a cheap upper bound; only those the bound cannot clear are
 * serialised, so the work stays proportional to the body's size.
 */
export function oversizedMessage(message: object, inherited: number, limit: number): number | undefined {
  if (bound(message, limit) + inherited <= limit) return undefined;
  const size = jsonBytes(message) + inherited;
  return size > limit ? size : undefined;
}
