import { CollectorError } from './errors.js';
import type { MemberStats } from './storage.js';

/** How many learners a Member's period must hold before its consent rates are answered, unless configured. */
export const defaultMinLearnersForRates = 10;

/** The largest minimum the collector takes (a million learners). */
export const maxMinLearnersForRates = 1_000_000;

/** Why a Member's consent rates were not answered, and the minimum they fell short of. */
export interface ConsentRatesWithheld {
  /** `too_few_learners`: the period holds fewer learners than `minLearners`. */
  readonly reason: 'too_few_learners';
  /** The minimum of learners (`collector.minLearnersForRates`, `OPTIN_MIN_LEARNERS_FOR_RATES`). */
  readonly minLearners: number;
}

/**
 * Statistics as `/stats` answers them: {@link MemberStats}, whose `consentRates` are `null` when they
 * are withheld, `consentRatesWithheld` then saying why (else `null`).
 */
export interface MemberStatsAnswer extends Omit<MemberStats, 'consentRates' | 'provedLearners'> {
  /** Per purpose, as {@link MemberStats.consentRates}; `null`: withheld (see `consentRatesWithheld`). */
  readonly consentRates: MemberStats['consentRates'] | null;
  /** Why `consentRates` is `null`; `null` when they are answered. */
  readonly consentRatesWithheld: ConsentRatesWithheld | null;
}

/**
 * A minimum of learners given in code (`createCollector({ minLearnersForRates })`): a whole number
 * from 0 to a million, else a `CollectorError` `invalid_option` at `path`.
 */
export function minLearnersForRatesOption(value: number, path = 'minLearnersForRates'): number {
  if (Number.isInteger(value) && value >= 0 && value <= maxMinLearnersForRates) return value;
  throw new CollectorError(
    'invalid_option',
    [{ path, message: `${String(value)} is not a whole number from 0 to ${maxMinLearnersForRates}` }],
    `Give a whole number of learners, or leave it unset for the default (${defaultMinLearnersForRates}).`,
  );
}

/**
 * A Member's statistics with its consent rates withheld, whole, when the period holds fewer than
 * `minLearners` learners (their `total`, the same for every purpose; with subject proofs required,
 * its proved learners only, `provedLearners`: anyone can post receipts and events for learners of
 * their making, and pad a period up to the minimum): a rate over a handful of learners is their
 * choices (over one, that learner's). Nothing of them is answered then, not even `total`; nor is
 * `provedLearners` ever. A policy with no purpose to rate has no rates to withhold (`{}`).
 */
export function withholdFewLearners(stats: MemberStats, minLearners: number): MemberStatsAnswer {
  const { provedLearners, ...answer } = stats;
  const rates = Object.values(stats.consentRates);
  const total = rates[0]?.total;
  if (total === undefined) return { ...answer, consentRatesWithheld: null };
  const learners = provedLearners ?? total;
  if (learners >= minLearners) return { ...answer, consentRatesWithheld: null };
  return { ...answer, consentRates: null, consentRatesWithheld: { reason: 'too_few_learners', minLearners } };
}
