import { describe, expect, it } from 'vitest';
import { avoidMask } from './avoid-mask.js';
import { MONDAY } from './plan-test-helpers.test-helper.js';
import { minuteLabel, weekStartUtc, zonedMinute } from './zoned-time.js';

const minutesOf = (mask: Uint8Array): number[] => [...mask.keys()].filter((i) => mask[i] === 1);

describe('avoid windows', () => {
  it('marks the window on its days only', () => {
    const mask = avoidMask([{ days: [1], fromMinute: 9 * 60, toMinute: 9 * 60 + 3 }], MONDAY, 10_080, 'UTC');
    expect(minutesOf(mask)).toEqual([540, 541, 542]);
  });

  it('wraps a window past midnight onto the next day', () => {
    const mask = avoidMask([{ days: [0], fromMinute: 23 * 60 + 58, toMinute: 2 }], MONDAY, 10_080, 'UTC');
    // Sunday 23:58 is the period's last two minutes; its tail is Monday 00:00–00:02, the period's first.
    expect(minutesOf(mask)).toEqual([0, 1, 10_078, 10_079]);
  });

  it('finds the window from a period start off the quarter hour, on the day DST starts', () => {
    // 8 March 2026: Los Angeles goes from 02:00 PST to 03:00 PDT (10:00 UTC); 03:00-03:02 PDT is 10:00-10:02 UTC.
    const window = { days: [0], fromMinute: 3 * 60, toMinute: 3 * 60 + 2, tz: 'America/Los_Angeles' };
    const start = Date.UTC(2026, 2, 8, 9, 53);
    expect(minutesOf(avoidMask([window], start, 30, 'UTC'))).toEqual([7, 8]);
  });

  it('reads each window in its own time zone, across a DST change', () => {
    const window = { days: [0, 1, 2, 3, 4, 5, 6], fromMinute: 9 * 60, toMinute: 9 * 60 + 1, tz: 'America/Los_Angeles' };
    expect(minutesOf(avoidMask([window], MONDAY, 1_440, 'UTC'))).toEqual([17 * 60]); // PST: UTC-8
    const summer = Date.UTC(2026, 6, 6);
    expect(minutesOf(avoidMask([window], summer, 1_440, 'UTC'))).toEqual([16 * 60]); // PDT: UTC-7
  });
});

describe('zoned time', () => {
  it('reads weekday and minute of the day in a zone, and finds the week start', () => {
    expect(zonedMinute(MONDAY + 570 * 60_000, 'UTC')).toEqual({ dow: 1, minuteOfDay: 570 });
    expect(zonedMinute(MONDAY, 'America/New_York')).toEqual({ dow: 0, minuteOfDay: 19 * 60 });
    expect(minuteLabel(MONDAY + 542 * 60_000, 'UTC')).toBe('Mon 09:02');
    expect(weekStartUtc(Date.UTC(2026, 11, 6, 21, 16))).toBe(Date.UTC(2026, 10, 30));
    expect(weekStartUtc(MONDAY)).toBe(MONDAY);
  });
});
