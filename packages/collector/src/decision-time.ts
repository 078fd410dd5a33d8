/**
 * The decision time a receipt is stored and ordered by (`toISOString`'s form): the one it was sent
 * with (`decidedAt`, a valid ISO 8601 time), or `receivedAt` when that is earlier. A device whose
 * clock is fast, by minutes or years, sends the learner's decision all the same, and it is taken;
 * but the latest decision is the one decided last, so a time after its arrival would pin the
 * subject's consent until then, whatever they decide later.
 */
export function storedDecisionTime(decidedAt: string, receivedAt: string): string {
  const sent = Date.parse(decidedAt);
  const received = Date.parse(receivedAt);
  return new Date(sent > received ? received : sent).toISOString();
}
