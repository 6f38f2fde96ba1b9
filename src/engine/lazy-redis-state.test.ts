import { describe, it, expect } from 'vitest';
import { FallbackPolicyState } from '../state/fallback-policy-state.js';
import { LazyRedisPolicyState } from './lazy-redis-state.js';

describe('LazyRedisPolicyState', () => {
  it('closes without ever connecting when it was never used', async () => {
    await expect(new LazyRedisPolicyState('redis://127.0.0.1:1', 'test:').close()).resolves.toBeUndefined();
  });

  it('loads Redis on first use, and a refused connection is answered by the local fallback', async () => {
    const lazy = new LazyRedisPolicyState('redis://127.0.0.1:1', 'test:');
    const state = new FallbackPolicyState(lazy);
    const taken = await state.takeBuckets([{ bucket: { key: 'p/rpm', capacity: 10, refillPerMs: 0.001 }, amount: 1 }], 0);
    expect(taken.ok).toBe(true);
    expect(state.status().degraded).toBe(true);
    await state.close();
  }, 15_000);
});
