import { textsOfBytes } from './bytes-text.js';

/** A run of at least 16 hex digits (8 bytes), either case, that no other hex digit touches. */
const candidate = /(?<![\dA-Fa-f])[\dA-Fa-f]{16,}(?![\dA-Fa-f])/g;

/**
 * What the hex runs of `text` decode to (a state or id hex-encoded, `636f757273652d76313a…`): each
 * distinct run of at least 16 digits, from its first digit and from its second (a hex letter glued
 * before it, `a636f…`), as {@link textsOfBytes} gives it (UTF-8, UTF-16). Linear in `text`.
 *
 * @example hexTexts('state=4d4954782b362e30303278')[0] // 'MITx+6.002x'
 */
export function hexTexts(text: string): string[] {
  if (!/[\dA-Fa-f]{16}/.test(text)) return [];
  const runs = new Set<string>();
  for (const [run] of text.matchAll(candidate)) runs.add(run);
  return [...runs].flatMap((run) => [0, 1].flatMap((at) => textsOfBytes(Buffer.from(run.slice(at), 'hex'))));
}
