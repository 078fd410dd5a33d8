import { CollectorError } from './errors.js';

const unitMs = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * The milliseconds of a duration written as a whole number and a unit: `7d`, `36h`, `90m`, `3600s`.
 * Throws a `CollectorError` `invalid_option` naming `path` (e.g. `OPTIN_NATS_MAX_AGE`) otherwise.
 */
export function parseDuration(text: string, path: string): number {
  const match = /^\s*(\d{1,9})\s*([smhd])\s*$/.exec(text);
  if (!match?.[1] || !match[2])
    throw new CollectorError(
      'invalid_option',
      [{ path, message: `"${text}" is not a duration` }],
      'Write a whole number and a unit: 7d, 36h, 90m or 3600s.',
    );
  return Number(match[1]) * unitMs[match[2] as keyof typeof unitMs];
}
