import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { untilQuiet } from '../src/until-quiet.js';

// What the audit waits for, as the page makes and answers requests between two looks: each call of
// `waited` is one look, given in order (the last one repeats).
const looks = (...seen: (readonly string[])[]) => {
  let i = 0;
  return () => seen[Math.min(i++, seen.length - 1)] ?? [];
};

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('untilQuiet', () => {
  test('a request made after two quiet looks is not reported as unanswered: it was never waited for (a favicon, made late)', async () => {
    const settled = untilQuiet(looks([], [], ['http://www.optin.test/favicon.ico']), 10_000);
    await vi.runAllTimersAsync();
    await expect(settled).resolves.toEqual([]);
  });

  test('waits while a request is in flight, then for one more quiet look (its answer may start another)', async () => {
    let done = false;
    const settled = untilQuiet(looks(['/a'], ['/a'], [], ['/b'], [], []), 10_000).then((left) => {
      done = true;
      return left;
    });
    await vi.advanceTimersByTimeAsync(450);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    expect(done).toBe(true);
    await expect(settled).resolves.toEqual([]);
  });

  test('at the cap, what is still in flight then is reported', async () => {
    const settled = untilQuiet(looks(['/hang']), 1000);
    await vi.advanceTimersByTimeAsync(1000);
    await expect(settled).resolves.toEqual(['/hang']);
  });
});
