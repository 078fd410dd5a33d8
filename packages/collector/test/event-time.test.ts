import { describe, expect, it } from 'vitest';
import { eventTime } from '../src/event-time.js';

const iso = (ms: number) => new Date(ms).toISOString();
const at = Date.parse('2026-11-30T12:00:00.000Z');
const second = 1000;
const minute = 60 * second;

/** Where `eventTime` dates an event made at `made` (true time) on a clock `offset` off, sent at `sent`, arriving after `transit`. */
const dated = (made: number, sent: number, offset: number, transit: number) =>
  Date.parse(eventTime(iso(made + offset), iso(sent + offset), iso(sent + transit)));

describe('eventTime', () => {
  it('never lets two batches of one clock change order by their times on the way, whatever the clock', () => {
    // Two events 6 s apart on one device, each sent at once; the first batch takes 0.5 s on the
    // way, the second 0.1 s. For every clock from 5 minutes slow to 5 minutes fast, by 0.1 s steps
    // (around the tolerance too), the later event is dated later.
    for (let offset = -5 * minute; offset <= 5 * minute; offset += 100) {
      const first = dated(at, at, offset, 500);
      const later = dated(at + 6 * second, at + 6 * second, offset, 100);
      expect(later, `clock ${offset} ms off`).toBeGreaterThan(first);
    }
  });

  it('takes a clock less than a minute slow as it is, and corrects one 2 minutes or more off exactly', () => {
    expect(dated(at, at + 10 * second, -30 * second, 200)).toBe(at - 30 * second);
    for (const offset of [-2 * minute, -40 * 24 * 60 * minute, 2 * second, 3 * 24 * 60 * minute])
      expect(dated(at, at + 10 * second, offset, 200), String(offset)).toBe(at + 200);
  });
});
