import { describe, expect, it } from 'vitest';
import { LatencyEstimate } from './latency-estimate.js';

describe('LatencyEstimate', () => {
  it('says nothing until it has seen minSamples observations', () => {
    const e = new LatencyEstimate({ minSamples: 4 });
    for (let i = 0; i < 3; i++) e.record(100);
    expect(e.quantile()).toBeUndefined();
    e.record(100);
    expect(e.quantile()).toBe(100);
  });

  it('estimates the 95th percentile of the recent samples, ignoring junk', () => {
    const e = new LatencyEstimate({ size: 100, minSamples: 10, recomputeEvery: 1 });
    for (let i = 1; i <= 100; i++) e.record(i);
    e.record(Number.NaN);
    e.record(-5);
    expect(e.quantile()).toBe(96);
    expect(e.seen).toBe(100);
  });

  it('forgets old samples: a provider that got faster is judged by its new latency', () => {
    const e = new LatencyEstimate({ size: 16, minSamples: 4, recomputeEvery: 4 });
    for (let i = 0; i < 16; i++) e.record(5_000);
    expect(e.quantile()).toBe(5_000);
    for (let i = 0; i < 16; i++) e.record(200);
    expect(e.quantile()).toBe(200);
  });
});
