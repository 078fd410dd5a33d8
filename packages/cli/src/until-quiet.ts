/** How long between two looks at what is still awaited, in ms. */
const pollMs = 100;

/**
 * Resolves once `waited()` is empty at two looks in a row ({@link pollMs} apart: an answer may
 * start the next request), with nothing; or once `capMs` have passed, with what it held at the last
 * look. It answers with what it saw at that look, never with what was made after: a request made
 * since (a favicon, which Chromium asks for lazily after `load`) was not waited for, and is not
 * unanswered.
 */
export async function untilQuiet<T>(waited: () => readonly T[], capMs: number): Promise<readonly T[]> {
  const until = Date.now() + capMs;
  for (let quiet = 0; ;) {
    const seen = waited();
    quiet = seen.length ? 0 : quiet + 1;
    if (quiet === 2 || Date.now() >= until) return seen;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
