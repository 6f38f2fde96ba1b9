import { describe, expect, it } from 'vitest';
import { FallbackPolicyState } from './fallback-policy-state.js';
import { MemoryPolicyState } from './memory-policy-state.js';
import { describePolicyStateConformance } from './policy-state.conformance.js';
import type { PolicyState } from './policy-state.js';

/** A primary that fails every call while `down` is true, and otherwise delegates to memory. */
function flakyPrimary(): { state: PolicyState; setDown: (down: boolean) => void; calls: () => number } {
  const memory = new MemoryPolicyState();
  let down = false;
  let calls = 0;
  const guard = <T>(fn: () => Promise<T>): Promise<T> => {
    calls++;
    return down ? Promise.reject(new Error('connection refused')) : fn();
  };
  const state: PolicyState = {
    takeBuckets: (t, n) => guard(() => memory.takeBuckets(t, n)),
    adjustBuckets: (a, n) => guard(() => memory.adjustBuckets(a, n)),
    lowerBuckets: (l, n) => guard(() => memory.lowerBuckets(l, n)),
    readBuckets: (b, n) => guard(() => memory.readBuckets(b, n)),
    readBreaker: (k, n) => guard(() => memory.readBreaker(k, n)),
    writeBreaker: (k, r, v, n) => guard(() => memory.writeBreaker(k, r, v, n)),
    close: () => Promise.resolve(),
  };
  return { state, setDown: (d) => { down = d; }, calls: () => calls };
}

describePolicyStateConformance('fallback over a healthy primary', () => new FallbackPolicyState(new MemoryPolicyState()));
describePolicyStateConformance('fallback over a primary that is down', () => {
  const primary = flakyPrimary();
  primary.setDown(true);
  return new FallbackPolicyState(primary.state);
});

describe('FallbackPolicyState', () => {
  const bucket = { key: 'k', capacity: 10, refillPerMs: 0 };

  it('answers from the fallback when the primary fails, and counts it', async () => {
    const primary = flakyPrimary();
    const state = new FallbackPolicyState(primary.state);
    primary.setDown(true);
    expect(await state.takeBuckets([{ bucket, amount: 1 }], 0)).toEqual({ ok: true, levels: [9] });
    expect(state.status(0)).toMatchObject({ degraded: true, primaryFailures: 1, fallbackCalls: 1, lastError: 'connection refused' });
  });

  it('skips the primary while it is known down, then tries it again', async () => {
    const primary = flakyPrimary();
    const state = new FallbackPolicyState(primary.state, { retryPrimaryAfterMs: 1_000 });
    primary.setDown(true);
    await state.readBuckets([bucket], 0);
    await state.readBuckets([bucket], 500);
    await state.readBuckets([bucket], 999);
    expect(primary.calls()).toBe(1);
    primary.setDown(false);
    await state.readBuckets([bucket], 1_000);
    expect(primary.calls()).toBe(2);
    expect(state.status(1_000).degraded).toBe(false);
  });
});
