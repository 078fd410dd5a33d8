import { invalidOption } from './errors.js';

/**
 * Count option `key` of `options` (`batchSize`, `flushInterval` or `queueLimit` of `firstParty`), or
 * `fallback` when it is left out. Throws an {@link AnalyticsError} (`invalid_option`, `path` the
 * option) unless it is a whole number from `least` below 2^31 (the longest delay `setTimeout` keeps):
 * a `batchSize` of 0 would hold the page in a loop, a `queueLimit` of 0 drop every message.
 *
 * @example optionCount({ batchSize: 0 }, 'batchSize', 20)
 * // throws 'invalid_option: batchSize: "0" is not an integer in [1, 2^31).'
 */
export function optionCount<K extends string>(
  options: Partial<Record<K, number>>,
  key: K,
  fallback: number,
  least = 1,
): number {
  const value = options[key] ?? fallback;
  if (Number.isInteger(value) && value >= least && value < 2 ** 31) return value;
  return invalidOption(key, `"${value}" is not an integer in [${least}, 2^31).`);
}
