import { describe, it, expect } from 'vitest';
import { FallbackPolicyState } from './fallback-policy-state.js';
import { LazyRedisPolicyState } from './lazy-redis-state.js';

describe('LazyRedisPolicyState', () => {
  it('closes without ever connecting when it was never used', async () => {
    await expect(new LazyRedisPolicyState('redis://127.0.0.1:1', 'test:').close()).resolves.toBeUndefined();
  });

  it('loads Redis on first use, and a refused connection is answered by the local fallback', async () => {
    const lazy = new LazyRedisPolicyState('redis://127.0.0.1:1', 'test:');
    const state = new FallbackPolicyState(lazy);
    const taken = await state.takeBuckets(
      [{ bucket: { key: 'p/rpm', capacity: 10, refillPerMs: 0.001 }, amount: 1 }],
      0,
    );
    expect(taken.ok).toBe(true);
    expect(state.status().degraded).toBe(true);
    await state.close();
  }, 15_000);

  it('keeps cool-downs locally when Redis refuses, and watching a refused Redis throws nothing', async () => {
    const lazy = new LazyRedisPolicyState('redis://127.0.0.1:1', 'test:');
    const state = new FallbackPolicyState(lazy);
    const stop = state.watchCooldowns?.(() => undefined);
    expect(stop).toBeTypeOf('function');
    expect(await state.setCooldown('claude', 10_000, 0)).toBe(10_000);
    expect(await state.readCooldown('claude', 1)).toBe(10_000);
    expect(state.status()).toMatchObject({ connected: false, operationsLost: 2 });
    stop?.();
    await state.close();
  }, 15_000);
});
