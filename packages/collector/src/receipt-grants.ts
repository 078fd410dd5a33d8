import { decidedUnderPolicy } from './policy-in-force.js';
import { memberOverrides, purposeChoices } from './purpose-names.js';

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

/** What a subject's consent grants now, as the collector applies it: see {@link grantsInEffect}. */
export interface GrantsInEffect<R> {
  /** The receipt whose grants are read (the latest proved one); `null`: none grants. */
  readonly receipt: R | null;
  /** Each purpose of the policy: whether it is granted (a required one always is). */
  readonly purposes: Record<string, boolean>;
  /** The purposes refused to a Member by the overrides of that receipt or of one after it, by the Member's configured id. */
  readonly members: Record<string, Record<string, false>>;
}

/** A receipt as {@link grantsInEffect} reads it. */
export interface ReceiptChoices {
  /** The choices by purpose (any letter case, aliases). */
  readonly purposes: Readonly<Record<string, boolean>>;
  /** The Member overrides, by Member id (any letter case). */
  readonly members: Readonly<Record<string, Readonly<Record<string, boolean>>>>;
  /** The policy it was decided under. */
  readonly policy: { readonly version: string; readonly hash: string };
  /** Whether GPC was on. */
  readonly gpc: boolean;
  /** Whether its grants are opt-out defaults the learner did not choose. */
  readonly implied?: boolean | undefined;
}

/** What {@link grantsInEffect} reads receipts with: the collector's mode, policy and Members. */
export interface GrantRules<R> {
  /** `collector.mode`. */
  readonly mode: 'opt-in' | 'opt-out';
  /** The policy in force: its purposes (`required`, `gpc`), its `version` and `policyHash`. */
  readonly policy: {
    readonly purposes: readonly { readonly id: string; readonly required?: boolean; readonly gpc?: boolean }[];
    readonly version: string;
    readonly hash: string;
  };
  /** The configured Members' ids. */
  readonly memberIds: readonly string[];
  /** Whether a receipt may grant: its subject was proved, or proofs are not required. */
  readonly proved: (receipt: R) => boolean;
}

/**
 * What a subject's receipts (latest decision first, at least one) grant now, the one rule of the
 * email routes and `GET /v1/consent`: the grants of the receipt {@link grantingReceipts} picks, read
 * as {@link grantReading} says (as chosen, an opt-in `implied` grant being none; as opt-out's
 * defaults, granted unless refused or refused by GPC; or none), each purpose and Member override
 * read as the event path reads them (any letter case, aliases, a refusal under any spelling
 * winning), narrowed by the refusals of every receipt decided after it.
 */
export function grantsInEffect<R extends ReceiptChoices>(
  latestFirst: readonly R[],
  rules: GrantRules<R>,
): GrantsInEffect<R> {
  const named = rules.policy.purposes;
  const { grantor, narrowing } = grantingReceipts(latestFirst, rules.proved);
  const deciding = grantor ? [grantor, ...narrowing] : [];
  const choices = deciding.map((r) => purposeChoices(r.purposes, named));
  const reading = grantor
    ? grantReading(rules.mode, {
        inForce: decidedUnderPolicy(grantor.policy, rules.policy),
        proved: true,
      })
    : 'none';
  const purposes: Record<string, boolean> = {};
  for (const p of named) {
    const choice = choices[0]?.get(p.id);
    const granted =
      reading === 'chosen'
        ? choice === true && !(rules.mode === 'opt-in' && grantor?.implied === true)
        : reading === 'defaults' && choice !== false && !(grantor?.gpc === true && p.gpc === true);
    purposes[p.id] = p.required === true || (granted && !choices.some((c) => c.get(p.id) === false));
  }
  // A Map, then own properties: a Member id such as `constructor` or `__proto__` must neither read
  // nor write what a plain object inherits (`??=` found Object itself and wrote `Object.analytics`).
  const members = new Map<string, Record<string, false>>();
  for (const memberId of rules.memberIds) {
    for (const r of deciding) {
      for (const [purpose, choice] of memberOverrides(r.members, memberId, named) ?? []) {
        if (choice || !named.some((p) => p.id === purpose && p.required !== true)) continue;
        const refused: Record<string, false> = members.get(memberId) ?? {};
        refused[purpose] = false; // a purpose of the policy: its ids are checked when it is loaded
        members.set(memberId, refused);
      }
    }
  }
  return { receipt: grantor ?? null, purposes, members: Object.fromEntries(members) };
}
