import { describe, expect, it } from 'vitest';
import { MemoryPolicyState } from './memory-policy-state.js';
import { describePolicyStateConformance } from './policy-state.conformance.js';

describePolicyStateConformance('memory', () => new MemoryPolicyState());

describe('MemoryPolicyState', () => {
  it('resolves without timers (a microtask is enough)', async () => {
    const state = new MemoryPolicyState();
    let done = false;
    void state.takeBuckets([{ bucket: { key: 'k', capacity: 1, refillPerMs: 0 }, amount: 1 }], 0).then(() => {
      done = true;
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(done).toBe(true);
  });

  it('returns copies: mutating a read record does not change the store', async () => {
    const state = new MemoryPolicyState();
    await state.writeBreaker(
      'k',
      { openUntil: 10, openCount: 1, reason: 'r', long: false, updatedAt: 0, expiresAt: 100 },
      0,
      0,
    );
    const read = await state.readBreaker('k', 0);
    if (read) read.openUntil = 999;
    expect((await state.readBreaker('k', 0))?.openUntil).toBe(10);
  });
});
