/** How far after the server's clock a receipt's decision time may be (clients' clocks drift). */
export const decisionClockSkewMs = 5 * 60_000;

/**
 * Why a receipt's decision time cannot be taken, or `undefined` when it can: the latest decision
 * is the one decided last, so a time in the future (more than {@link decisionClockSkewMs} after
 * `now`) would pin the subject's consent until then, whatever they decide later.
 */
export function futureDecisionProblem(decidedAt: string, now: number): string | undefined {
  const time = Date.parse(decidedAt);
  if (Number.isNaN(time) || time - now <= decisionClockSkewMs) return undefined;
  return `"${decidedAt}" is more than ${decisionClockSkewMs / 60_000} minutes after the server's time (${new Date(now).toISOString()})`;
}
