/**
 * How the grants of a subject's latest consent receipt are read (its refusals always refuse):
 * - `'chosen'`: as the learner chose them (made under the policy in force, its subject proved when
 *   `collector.subjectKeys` require proofs);
 * - `'defaults'`: as the mode's defaults, as with no receipt (opt-out mode, a receipt made under
 *   another version of the policy, as `@optin/consent` reads it: the learner is asked again);
 * - `'none'`: no consent (opt-in mode, a receipt of another version; and, in either mode, a receipt
 *   whose subject was not proved: anyone can post one for any subject, later than the learner's
 *   own refusal, so reading its grants as defaults would let a forger undo that refusal).
 *
 * Which receipt's grants are read is {@link grantingReceipts}' rule: an unproved latest receipt does
 * not hide the learner's latest proved one.
 */
export type GrantReading = 'chosen' | 'defaults' | 'none';

/** The one rule for the email routes and the consent rates: see {@link GrantReading}. */
export function grantReading(
  mode: 'opt-in' | 'opt-out',
  receipt: { readonly inForce: boolean; readonly proved: boolean },
): GrantReading {
  if (!receipt.proved) return 'none';
  if (receipt.inForce) return 'chosen';
  return mode === 'opt-out' ? 'defaults' : 'none';
}

/**
 * {@link grantReading} as SQL conditions over a decision's `inForce` and `proved` (SQL boolean
 * expressions, `undefined` when always true): when its grants are chosen, and when they are defaults.
 */
export function grantReadingSql(
  mode: 'opt-in' | 'opt-out',
  inForce: string | undefined,
  proved: string | undefined,
): { chosen: string; defaults: string } {
  const cases = (column: string | undefined): { value: boolean; sql?: string }[] =>
    column === undefined
      ? [{ value: true }]
      : [
          { value: true, sql: column },
          { value: false, sql: `NOT ${column}` },
        ];
  const when: Record<GrantReading, string[]> = { chosen: [], defaults: [], none: [] };
  for (const f of cases(inForce)) {
    for (const p of cases(proved)) {
      const parts = [f.sql, p.sql].filter((s): s is string => s !== undefined);
      when[grantReading(mode, { inForce: f.value, proved: p.value })].push(
        parts.length ? parts.join(' AND ') : '1 = 1',
      );
    }
  }
  const any = (conditions: string[]) =>
    conditions.length ? `(${conditions.map((c) => `(${c})`).join(' OR ')})` : '1 = 0';
  return { chosen: any(when.chosen), defaults: any(when.defaults) };
}

/** Which of a subject's receipts decide what it grants: see {@link grantingReceipts}. */
export interface GrantingReceipts<R> {
  /** The receipt whose grants are read (by {@link grantReading}); `undefined`: none grants. */
  readonly grantor: R | undefined;
  /** The receipts decided after it, whose refusals (never their grants) narrow its grants. */
  readonly narrowing: readonly R[];
}

/**
 * Which of a subject's receipts (latest decision first, as the storages order them) decide what it
 * grants: its latest proved one (`proved`: its subject was proved, or proofs are not required) is
 * the grantor, and every receipt decided after it, unproved, can only narrow it by its refusals
 * (under its purposes or its Member overrides). An unproved receipt may be a genuine later refusal
 * from a page that could not prove its subject, or a forgery: anyone can post one for any subject,
 * so its grants never count, but neither does it hide the learner's proved decision. With no proved
 * receipt, none grants (each one's grants are no consent, as {@link grantReading} reads them).
 * The consent rates' SQL keeps the same receipts (`proved_before = 0` in `SqlStorage`).
 */
export function grantingReceipts<R>(latestFirst: readonly R[], proved: (receipt: R) => boolean): GrantingReceipts<R> {
  const at = latestFirst.findIndex(proved);
  return at < 0
    ? { grantor: undefined, narrowing: [] }
    : { grantor: latestFirst[at], narrowing: latestFirst.slice(0, at) };
}
