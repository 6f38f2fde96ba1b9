import { describe, expect, it } from 'vitest';
import { mulberry32 as seeded } from '../model/random.js';
import { backoffCeiling, fullJitterBackoff, retryDelay } from './backoff.js';

describe('fullJitterBackoff', () => {
  it('doubles the ceiling per attempt from 250 ms and caps it at 8 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 10, 2_000].map((n) => backoffCeiling(n))).toEqual([
      250, 500, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000, 8_000,
    ]);
  });

  it('stays within [0, ceiling) at the extremes of the random source', () => {
    expect(fullJitterBackoff(3, {}, () => 0)).toBe(0);
    expect(fullJitterBackoff(3, {}, () => 0.999_999)).toBe(1_999);
    expect(fullJitterBackoff(40, {}, () => 0.999_999)).toBeLessThan(8_000);
  });

  it('honours custom base and cap', () => {
    expect(backoffCeiling(2, { baseMs: 100, capMs: 300 })).toBe(300);
    expect(backoffCeiling(1, { baseMs: 100, capMs: 300 })).toBe(200);
  });

  it('treats negative or non-finite attempts as the first retry', () => {
    expect(backoffCeiling(-3)).toBe(250);
    expect(backoffCeiling(Number.NaN)).toBe(250);
  });

  it('spreads delays uniformly over the whole range (jitter sanity)', () => {
    const random = seeded(42);
    const samples = Array.from({ length: 20_000 }, () => fullJitterBackoff(2, {}, random)); // ceiling 1 000
    const mean = samples.reduce((s, x) => s + x, 0) / samples.length;
    expect(mean).toBeGreaterThan(480);
    expect(mean).toBeLessThan(520);
    const deciles = new Array<number>(10).fill(0);
    for (const x of samples) deciles[Math.floor(x / 100)]! += 1;
    for (const count of deciles) expect(count).toBeGreaterThan(1_800); // each ≈ 2 000
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...samples)).toBeLessThan(1_000);
  });

  it('uses Math.random by default and stays in bounds', () => {
    for (let i = 0; i < 1_000; i++) {
      const d = fullJitterBackoff(1);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(500);
    }
  });
});

describe('retryDelay', () => {
  it("uses the server's Retry-After on every attempt, not only the first", () => {
    expect(retryDelay(0, { retryAfterMs: 1_500 }, () => 0.5)).toBe(1_500);
    expect(retryDelay(4, { retryAfterMs: 1_500 }, () => 0.5)).toBe(1_500);
  });

  it('falls back to full jitter without a server delay', () => {
    expect(retryDelay(1, { retryAfterMs: undefined }, () => 0.5)).toBe(250);
  });
});
