/**
 * A character no course key, nor its encodings, holds (a blank, a quote, a bracket, `<>|^`, a
 * backtick, `(),`): text items split there join to no key.
 */
const breakAfter = /[\s"'<>{}[\]|^`(),]$/;
const breakBefore = /^[\s"'<>{}[\]|^`(),]/;

/** A run of adjacent text items of an array ({@link joinedItems}). */
export interface JoinedItems {
  /** The index of its first item. */
  readonly start: number;
  /** The index after its last item. */
  readonly end: number;
  /** Its items joined. */
  readonly text: string;
}

/**
 * Each run of two or more adjacent text items of `items` that a course key may span (a key split
 * across items, `['course-v1:', 'HarvardX+CS50+2026']`), joined: items are joined only where a key
 * can span them, not after text ending, or before text starting, with what no key holds
 * ({@link breakAfter}). Whatever names a course in a run's text, the run's items all name it.
 *
 * @example joinedItems(['course-v1:', 'MITx+6.00x+2026', 7]) // [{ start: 0, end: 2, text: 'course-v1:MITx+6.00x+2026' }]
 */
export function joinedItems(items: readonly unknown[]): JoinedItems[] {
  const runs: JoinedItems[] = [];
  const spans = (left: unknown, right: unknown) =>
    typeof left === 'string' && typeof right === 'string' && !breakAfter.test(left) && !breakBefore.test(right);
  for (let start = 0; start < items.length;) {
    let end = start + 1;
    while (end < items.length && spans(items[end - 1], items[end])) end++;
    if (end - start > 1) runs.push({ start, end, text: items.slice(start, end).join('') });
    start = end;
  }
  return runs;
}
