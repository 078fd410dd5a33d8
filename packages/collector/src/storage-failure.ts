/** The `code` of an error or of an error it was caused by (drivers wrap one another). */
function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; depth++) {
    if ('code' in e && typeof e.code === 'string') codes.push(e.code);
    e = 'cause' in e ? e.cause : undefined;
  }
  return codes;
}

/**
 * Whether a failed write failed for want of the database (connection lost or refused, server
 * shutting down, out of resources), not for a row: writing its rows again one by one would fail
 * them all again. PostgreSQL SQLSTATE classes 08, 53, 57, 58 and XX, and Node's socket errors
 * (`ECONNREFUSED`, `ETIMEDOUT`, ...).
 */
export function databaseUnavailable(error: unknown): boolean {
  return codesOf(error).some((code) => /^(08|53|57|58|XX)/.test(code) || /^E[A-Z]+$/.test(code));
}

/**
 * Whether the database refused a write for what its rows hold, so that writing them again can
 * never succeed: a string no backend stores (`unstorable_text`), a PostgreSQL data exception (22),
 * integrity constraint violation (23) or program limit (54: a value too large or too deep), a
 * SQLite constraint, type mismatch or value too big.
 */
export function rowRefused(error: unknown): boolean {
  return codesOf(error).some(
    (code) =>
      code === 'unstorable_text' ||
      /^(22|23|54)[0-9A-Z]{3}$/.test(code) ||
      /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG)/.test(code),
  );
}
