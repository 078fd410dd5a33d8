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
 * When an event happened, by the collector's clock (Segment's rule): a device stamps `timestamp`
 * and `sentAt` with its own clock, which may be days off, so the event's age on the device
 * (`sentAt − timestamp`) is taken from the receive time. Without `sentAt` the device's time is
 * taken as it is; without `timestamp`, the receive time. Never after `receivedAt` (nothing happens
 * after it arrived) nor before year 0000. All times are ISO 8601 (valid); the answer is UTC.
 */
export function eventTime(timestamp: string | undefined, sentAt: string | undefined, receivedAt: string): string {
  if (timestamp === undefined) return receivedAt;
  const received = Date.parse(receivedAt);
  const time = sentAt === undefined ? Date.parse(timestamp) : received - (Date.parse(sentAt) - Date.parse(timestamp));
  return time >= received ? receivedAt : new Date(Math.max(time, earliestTime)).toISOString();
}
