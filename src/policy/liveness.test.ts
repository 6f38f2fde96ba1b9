import { describe, expect, it } from 'vitest';
import { LatencyEstimate } from './latency-estimate.js';
import { DEFAULT_HEDGE, DEFAULT_LIVENESS, hedgeDelayMs, stageTimeouts } from './liveness.js';

function estimates(
  headers?: number,
  firstContent?: number,
): { headers: LatencyEstimate; firstContent: LatencyEstimate } {
  const h = new LatencyEstimate();
  const f = new LatencyEstimate();
  for (let i = 0; i < 10; i++) {
    if (headers !== undefined) h.record(headers);
    if (firstContent !== undefined) f.record(firstContent);
  }
  return { headers: h, firstContent: f };
}

const interactive = { priority: 'interactive' as const, inputTokens: 0 };

describe('stageTimeouts', () => {
  it('uses the floors before anything is learned: a hang is abandoned within seconds', () => {
    expect(stageTimeouts(DEFAULT_LIVENESS, estimates(), interactive)).toEqual({
      headersMs: 2_500,
      firstContentMs: 10_000,
      idleMs: 15_000,
    });
  });

  it('never goes under the floor for a fast provider', () => {
    expect(stageTimeouts(DEFAULT_LIVENESS, estimates(5, 20), interactive).headersMs).toBe(2_500);
  });

  it('grows with a provider that is slow but answers (factor × p95), up to the cap', () => {
    const t = stageTimeouts(DEFAULT_LIVENESS, estimates(1_000, 4_000), interactive);
    expect(t.headersMs).toBe(4_000);
    expect(t.firstContentMs).toBe(16_000);
    expect(stageTimeouts(DEFAULT_LIVENESS, estimates(1_000, 30_000), interactive).firstContentMs).toBe(60_000);
  });

  it('allows longer prompts more time (prefill)', () => {
    const t = stageTimeouts(DEFAULT_LIVENESS, estimates(), { priority: 'interactive', inputTokens: 100_000 });
    expect(t.headersMs).toBe(12_500);
    expect(t.firstContentMs).toBe(20_000);
  });

  it('gives batch traffic longer floors', () => {
    expect(stageTimeouts(DEFAULT_LIVENESS, estimates(), { priority: 'batch', inputTokens: 0 })).toEqual({
      headersMs: 10_000,
      firstContentMs: 40_000,
      idleMs: 60_000,
    });
  });

  it('takes fixed values from a provider override (first token bounds acceptance too)', () => {
    expect(stageTimeouts(DEFAULT_LIVENESS, estimates(), interactive, { firstTokenMs: 200 })).toEqual({
      headersMs: 200,
      firstContentMs: 200,
      idleMs: 15_000,
    });
    expect(stageTimeouts(DEFAULT_LIVENESS, estimates(), interactive, { headersMs: 1_000, idleMs: 3_000 })).toEqual({
      headersMs: 1_000,
      firstContentMs: 10_000,
      idleMs: 3_000,
    });
  });
});

describe('hedgeDelayMs', () => {
  it('hedges after the cold delay with no history, else at delayFactor × p95, not sooner than minDelayMs', () => {
    expect(hedgeDelayMs(DEFAULT_HEDGE, new LatencyEstimate())).toBe(1_000);
    expect(hedgeDelayMs(DEFAULT_HEDGE, estimates(undefined, 100).firstContent)).toBe(150);
    expect(hedgeDelayMs(DEFAULT_HEDGE, estimates(undefined, 2).firstContent)).toBe(50);
  });

  it('hedges at 3 × the median when the slow share is larger than 5 % (the p95 is then itself slow)', () => {
    const e = new LatencyEstimate({ size: 100, minSamples: 10, recomputeEvery: 1 });
    for (let i = 0; i < 90; i++) e.record(100);
    for (let i = 0; i < 10; i++) e.record(500);
    expect(e.quantile()).toBe(500);
    expect(e.median()).toBe(100);
    expect(hedgeDelayMs(DEFAULT_HEDGE, e)).toBe(300);
  });
});
