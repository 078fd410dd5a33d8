import { afterEach, describe, expect, it, vi } from 'vitest';
import { randomId } from '../src/random-id.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('randomId', () => {
  it('makes 128-bit hex ids that do not repeat', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => randomId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('time-ordered ids sort in the order they were made, and keep 80 random bits', () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 10, 29, 6, 0, 0) });
    const first = randomId(true);
    vi.advanceTimersByTime(1);
    const second = randomId(true);
    vi.advanceTimersByTime(86_400_000);
    const third = randomId(true);
    expect([third, first, second].sort()).toEqual([first, second, third]);
    expect(first.slice(0, 12)).toBe(Date.UTC(2026, 10, 29, 6, 0, 0).toString(16).padStart(12, '0'));
    const sameMs = new Set(Array.from({ length: 100 }, () => randomId(true)));
    expect(sameMs.size).toBe(100);
    for (const id of sameMs) expect(id).toMatch(/^[0-9a-f]{32}$/);
  });
});
