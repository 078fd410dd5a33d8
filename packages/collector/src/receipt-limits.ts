import { formatPath } from './errors.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** At most this many purposes in a receipt, Member overrides in it, and purposes in one override. */
export const maxReceiptKeys = 64;

const overLimit = (value: Record<string, unknown>): boolean => {
  let n = 0;
  for (const key in value) if (Object.hasOwn(value, key) && ++n > maxReceiptKeys) return true;
  return false;
};

/**
 * What makes a posted receipt too large to keep (each with its path), checked on the body before
 * it is parsed: a policy has a handful of purposes and a platform a handful of Members, and receipts
 * are append-only, so `purposes` holds at most {@link maxReceiptKeys} keys, `members` at most as many
 * entries of at most as many keys each. Anything else is left to the receipt schema.
 */
export function receiptSizeProblems(body: unknown): { path: string; message: string }[] {
  if (!isObject(body)) return [];
  const problems: { path: string; message: string }[] = [];
  const tooMany = `holds more than ${maxReceiptKeys} keys`;
  if (isObject(body.purposes) && overLimit(body.purposes)) problems.push({ path: 'purposes', message: tooMany });
  if (!isObject(body.members)) return problems;
  if (overLimit(body.members)) {
    problems.push({ path: 'members', message: `holds more than ${maxReceiptKeys} Members` });
    return problems;
  }
  for (const [member, overrides] of Object.entries(body.members))
    if (isObject(overrides) && overLimit(overrides))
      problems.push({ path: formatPath(['members', member]), message: tooMany });
  return problems;
}
