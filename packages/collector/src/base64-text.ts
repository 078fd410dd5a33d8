/**
 * A run of at least 16 characters of one base64 alphabet (`+/`, or base64url's `-_`), with its `=`
 * padding, that no other such character touches.
 */
const candidate = /(?<![\w+/-])(?:[A-Za-z\d+/]{16,}|[A-Za-z\d_-]{16,})={0,2}(?![\w+/=-])/g;

/**
 * What the base64 or base64url runs of `text` decode to, as UTF-8 (an OAuth `state`, a JWT's
 * payload, `eyJjb3Vyc2UiOi…`): each distinct run of at least 16 characters of one alphabet (its
 * padding optional; with `/`, each segment of it too, a path's `/cb/` glued before a value). A run
 * that encodes no text (a word, an id, a hash) decodes to bytes read as text all the same: what it
 * holds is never told by how it looks. Linear in `text`; gives at most 3/4 of its length per reading.
 *
 * @example base64Texts('state=eyJjb3Vyc2UiOiJjb3Vyc2UtdjE6T3RoZXJYK0NTNTArMjAyNCJ9')
 * // ['{"course":"course-v1:OtherX+CS50+2024"}']
 */
export function base64Texts(text: string): string[] {
  const runs = new Set<string>();
  for (const [run] of text.matchAll(candidate)) {
    runs.add(run.replace(/=+$/, ''));
    if (run.includes('/')) for (const segment of run.split('/')) runs.add(segment.replace(/=+$/, ''));
  }
  return [...runs]
    .filter((digits) => digits.length >= 16 && digits.length % 4 !== 1)
    .map((digits) => Buffer.from(digits, /[-_]/.test(digits) ? 'base64url' : 'base64').toString('utf8'));
}
