/** The first instant a stored time may be: `0000-01-01T00:00:00.000Z` (ISO 8601 UTC, four-digit years). */
export const earliestTime = Date.parse('0000-01-01T00:00:00.000Z');
/** The last instant a stored time may be: `9999-12-31T23:59:59.999Z`. */
export const latestTime = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * Whether `time` (an ISO 8601 string, any offset) is a real instant of the UTC years 0000 to 9999,
 * the ones `toISOString` writes in the fixed form that stored times are compared in.
 */
export function isStorableTime(time: string): boolean {
  const ms = Date.parse(time);
  return ms >= earliestTime && ms <= latestTime;
}

/**
 * How far behind the receive time a device's `sentAt` may be and its clock still be taken as right:
 * within it the difference is the batch's time on the way, not skew, and correcting for it would
 * move each batch by its own transit time (a fast batch's events dated before a slow one's). A
 * `sentAt` after the receive time is never transit: that clock is fast, and always corrected.
 */
const clockTolerance = 60_000;

/**
 * How much of a device clock's skew (`sentAt − receivedAt`) is taken off its times: all of it when
 * the clock is fast (positive) or two {@link clockTolerance}s or more slow; none within one; in
 * between, a ramp from none to all. Continuous, so that two batches of one clock, one a little
 * longer on the way, are never dated one by its own time and the other corrected by a minute (a
 * refusal six seconds after a grant stored before it).
 */
function correction(skew: number): number {
  return skew > 0 ? skew : Math.min(0, Math.max(skew, 2 * (skew + clockTolerance)));
}

/**
 * When an event happened, by the collector's clock (Segment's rule): a device stamps `timestamp`
 * and `sentAt` with its own clock, which may be days off, so the event's age on the device
 * (`sentAt − timestamp`) is taken from the receive time when `sentAt` is after the receive time (a
 * fast clock) or two minutes or more before it (a slow one); a clock less than a minute behind, or
 * without `sentAt`, is taken as it is ({@link correction}); without `timestamp`, the receive time.
 * Never after `receivedAt` (nothing happens after it arrived) nor before year 0000. All times are
 * ISO 8601 (valid); the answer is UTC. Receipts' decision times are dated by the same rule.
 */
export function eventTime(timestamp: string | undefined, sentAt: string | undefined, receivedAt: string): string {
  if (timestamp === undefined) return receivedAt;
  const received = Date.parse(receivedAt);
  const time = Date.parse(timestamp) - (sentAt === undefined ? 0 : correction(Date.parse(sentAt) - received));
  return time >= received ? receivedAt : new Date(Math.max(time, earliestTime)).toISOString();
}
