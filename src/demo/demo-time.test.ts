import { describe, expect, it } from 'vitest';
import { DemoTime, clockText, dayOf, parseClockTime } from './demo-time.js';

const DAY = Date.UTC(2026, 11, 6);
const H = 3_600_000;

describe('DemoTime', () => {
  it('maps real to simulated time at the day speed, both ways', () => {
    const time = new DemoTime(3600, 1_000, DAY + 8 * H);
    expect(time.simAt(1_000)).toBe(DAY + 8 * H);
    expect(time.simAt(2_000)).toBe(DAY + 9 * H);
    expect(time.realAt(DAY + 12 * H)).toBe(5_000);
    expect(time.at('12:30')).toBe(DAY + 12.5 * H);
  });

  it('plays a slow stretch at its own speed and the rest at the day speed', () => {
    const time = new DemoTime(3600, 0, DAY + 8 * H, { from: DAY + 9 * H, to: DAY + 9 * H + 3 * 60_000, speed: 20 });
    // 08:00 → 09:00 takes 1 s; 09:00 → 09:03 takes 180 s / 20 = 9 s; 09:03 → 10:03 one more second.
    expect(time.realAt(DAY + 9 * H)).toBe(1_000);
    expect(time.realAt(DAY + 9 * H + 60_000)).toBe(4_000);
    expect(time.realAt(DAY + 9 * H + 3 * 60_000)).toBe(10_000);
    expect(time.realAt(DAY + 10 * H + 3 * 60_000)).toBe(11_000);
    for (const real of [500, 1_000, 2_500, 10_000, 12_345]) expect(time.realAt(time.simAt(real))).toBeCloseTo(real, 6);
  });

  it('converts simulated durations to real ones with a floor', () => {
    const time = new DemoTime(3600, 0, DAY);
    expect(time.real(5 * 60_000)).toBe(83);
    expect(time.real(60_000, 50)).toBe(50);
  });

  it('refuses a bad speed or slow stretch, saying which', () => {
    expect(() => new DemoTime(0, 0, DAY)).toThrow('demo speed 0: must be a positive number');
    expect(() => new DemoTime(3600, 0, DAY, { from: DAY - 1, to: DAY + 1, speed: 20 })).toThrow(
      /slow stretch.*must start at or after/,
    );
  });
});

describe('clock texts', () => {
  it('reads HH:MM and refuses anything else, naming the text', () => {
    expect(parseClockTime('00:00')).toBe(0);
    expect(parseClockTime('24:00')).toBe(24 * H);
    for (const bad of ['9:00', '25:00', '12:60', '24:01', 'noon'])
      expect(() => parseClockTime(bad)).toThrow(`demo time "${bad}": expected HH:MM from 00:00 to 24:00`);
  });

  it('prints the simulated time, midnight at the end of the day as 24:00', () => {
    expect(clockText(DAY + 13.5 * H, DAY)).toBe('13:30');
    expect(clockText(DAY + 24 * H, DAY)).toBe('24:00');
    expect(dayOf(DAY + 13.5 * H)).toBe(DAY);
  });
});
