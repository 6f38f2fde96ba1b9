import { describe, expect, it } from 'vitest';
import { FakeClock } from '../model/fake-clock.js';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('starts full and refills continuously at limit per minute', async () => {
    const clock = new FakeClock(0);
    const bucket = new TokenBucket(60, clock);
    expect(bucket.available()).toBe(60);
    bucket.take(60);
    expect(bucket.has(1)).toBe(false);
    await clock.advance(999);
    expect(bucket.has(1)).toBe(false);
    await clock.advance(1);
    expect(bucket.available()).toBeCloseTo(1);
    await clock.advance(120_000);
    expect(bucket.available()).toBe(60);
  });

  it('may go negative and refills from below zero', async () => {
    const clock = new FakeClock(0);
    const bucket = new TokenBucket(600, clock);
    bucket.take(900);
    expect(bucket.available()).toBe(-300);
    expect(bucket.msUntil(1)).toBe(30_100);
    await clock.advance(30_000);
    expect(bucket.available()).toBeCloseTo(0);
  });

  it('reports the time until it holds an amount and until it is full', () => {
    const clock = new FakeClock(0);
    const bucket = new TokenBucket(6000, clock);
    bucket.take(6000);
    expect(bucket.msUntil(100)).toBe(1000);
    expect(bucket.msUntilFull()).toBe(60_000);
    expect(new TokenBucket(10, clock).msUntil(5)).toBe(0);
  });

  it('never refills above capacity when given tokens back', () => {
    const bucket = new TokenBucket(100, new FakeClock(0));
    bucket.take(10);
    bucket.give(50);
    expect(bucket.available()).toBe(100);
  });
});
