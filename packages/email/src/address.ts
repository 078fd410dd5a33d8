/** An atom: a run of characters an unquoted address may hold (RFC 5322 atext, and any non-ASCII as RFC 6531 allows). */
const atom = String.raw`[^\s\p{Cc}"(),.:;<>@[\\\]]+`;
/** Atoms joined by dots; stray leading, trailing and doubled dots are tolerated, as mail systems do. */
const dotted = String.raw`\.*${atom}(?:\.+${atom})*\.*`;
const quoted = String.raw`"(?:[^"\\\r\n]|\\.)*"`;
const domainLiteral = String.raw`\[[^\s[\]\\]*\]`;
const addrSpec = new RegExp(String.raw`^(?:${quoted}|${dotted})@(?:${domainLiteral}|${dotted})$`, 'u');

/**
 * Whether `value` (trimmed, in Unicode NFKC) is one bare address, `local@domain` (RFC 5322
 * addr-spec): not a display name with the address in angle brackets (`Ada <ada@example.org>`), not
 * an address with a comment, not a list of addresses, not text without a local part or a domain.
 */
export function isBareAddress(value: string): boolean {
  return addrSpec.test(value.trim().normalize('NFKC'));
}
