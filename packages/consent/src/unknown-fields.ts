import type { ConsentIssue } from './errors.js';

/** Edit distance of `a` and `b`, a swap of two neighbours counting as one edit (`gcp`, `gpc`). */
function distance(a: string, b: string): number {
  const width = b.length + 1;
  const d: number[] = [];
  const at = (i: number, j: number): number => d[i * width + j] ?? 0;
  for (let i = 0; i <= a.length; i++)
    for (let j = 0; j <= b.length; j++) {
      let edits =
        i === 0 || j === 0
          ? i + j
          : Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        edits = Math.min(edits, at(i - 2, j - 2) + 1);
      d[i * width + j] = edits;
    }
  return at(a.length, b.length);
}

/** The known field `key` is most likely a misspelling of (ignoring case), if one is close enough. */
function closest(key: string, fields: readonly string[]): string | undefined {
  let best: { field: string; edits: number } | undefined;
  for (const field of fields) {
    const allowed = Math.max(1, Math.floor(field.length / 3));
    if (Math.abs(key.length - field.length) > allowed) continue;
    const edits = distance(key.toLowerCase(), field.toLowerCase());
    if (edits <= allowed && (!best || edits < best.edits)) best = { field, edits };
  }
  return best?.field;
}

/** `purposes[4].gcp`, or `purposes[4]["a b"]` for a key that is not an identifier. */
const fieldPath = (path: string, key: string): string =>
  /^[A-Za-z_$][\w$]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;

/**
 * One issue for every own key of `value` (when it is a plain object, not an array) that is not one of `fields`, at
 * its path, naming the closest known field when one is close: `purposes[4].gcp: is not a field of
 * a purpose (misspelt? did you mean "gpc"?)`. A misspelt optional flag would otherwise be ignored,
 * and the policy would silently mean something else (GPC not refusing marketing). `what` names the
 * object in the message ("a policy", "a purpose"). Also used by `@optin/members` for its config.
 *
 * @example unknownFields({ id: 'x', gcp: true }, ['id', 'gpc'], 'purposes[4]', 'a purpose')
 * // [{ path: 'purposes[4].gcp', message: 'is not a field of a purpose (misspelt? did you mean "gpc"?)' }]
 */
export function unknownFields(value: unknown, fields: readonly string[], path: string, what: string): ConsentIssue[] {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? Object.keys(value)
        .filter((key) => !fields.includes(key))
        .map((key) => {
          const guess = closest(key, fields);
          return {
            path: fieldPath(path, key),
            message: `is not a field of ${what} (misspelt?${guess ? ` did you mean "${guess}"?` : ''})`,
          };
        })
    : [];
}
