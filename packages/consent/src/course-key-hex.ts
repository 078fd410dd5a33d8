import { textsOfBytes } from './course-key-bytes.js';

/** A run of at least 16 hex digits (8 bytes), either case, that no other hex digit touches. */
const candidate = /(?<![\dA-Fa-f])[\dA-Fa-f]{16,}(?![\dA-Fa-f])/g;

/** The bytes of hex digits, two a byte (a last odd digit left out). */
const bytesOf = (digits: string): Uint8Array =>
  Uint8Array.from(digits.match(/../g) ?? [], (pair) => parseInt(pair, 16));

/**
 * What the hex runs of `text` decode to (a state or id hex-encoded, `636f757273652d76313a…`), as a
 * course key may hide in text sent to a Member: each distinct run of at least 16 digits, from its
 * first digit and from its second (a hex letter glued before it, `a636f…`), as {@link textsOfBytes}
 * gives it (UTF-8, UTF-16). Linear in `text`.
 *
 * @example hexTexts('state=4d4954782b362e30303278')[0] // 'MITx+6.002x'
 */
export function hexTexts(text: string): string[] {
  if (!/[\dA-Fa-f]{16}/.test(text)) return [];
  const runs = new Set<string>();
  for (const [run] of text.matchAll(candidate)) runs.add(run);
  return [...runs].flatMap((run) => [0, 1].flatMap((at) => textsOfBytes(bytesOf(run.slice(at)))));
}
