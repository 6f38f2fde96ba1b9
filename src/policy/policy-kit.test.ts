import { describe, expect, it } from 'vitest';
import { FakeClock } from '../testing/index.js';
import {
  Bulkhead,
  BulkheadRejectedError,
  CircuitBreaker,
  classifyBreakerOutcome,
  Deadline,
  DeadlineExceededError,
  MemoryPolicyState,
  ProviderCooldowns,
  RateBudget,
  RetryBudget,
  retryDelay,
  systemClock,
} from './index.js';

/** `failsoft/policy` on its own: each policy built from the entry alone, without an engine, around a plain call. */
describe('failsoft/policy, standalone', () => {
  it('a circuit breaker opens after five counted failures and lets a probe through once its open period passed', async () => {
    const clock = new FakeClock(0);
    const breaker = new CircuitBreaker({ key: 'search-api', clock });
    for (let i = 0; i < 5; i++) {
      const permit = breaker.tryAcquire();
      if (!permit.allowed) throw new Error(`denied at failure ${i}`);
      const { effect } = classifyBreakerOutcome(new Error('ECONNRESET'));
      breaker.recordFailure(permit, effect);
    }
    expect(breaker.tryAcquire()).toEqual({ allowed: false, retryAfterMs: 5_000 });
    await clock.advance(5_000);
    expect(breaker.tryAcquire()).toMatchObject({ allowed: true });
    expect(breaker.toJSON().state).toBe('half-open');
  });

  it('a retry budget allows its minimum, then 10 % of requests; backoff honours a server delay', () => {
    const budget = new RetryBudget({ clock: new FakeClock(0), minRetries: 1, ratio: 0.1 });
    for (let i = 0; i < 20; i++) budget.recordRequest();
    expect([budget.tryAcquireRetry(), budget.tryAcquireRetry(), budget.tryAcquireRetry()]).toEqual([true, true, false]);
    expect(retryDelay(1, { retryAfterMs: 1_500 })).toBe(1_500);
    expect(retryDelay(3, { baseMs: 100, capMs: 1_000 }, () => 0.5)).toBe(400);
  });

  it('a rate budget in memory spends its requests per minute and refills', async () => {
    const clock = new FakeClock(0);
    const budget = new RateBudget(
      { rpm: 2 },
      { key: 'search-api', clock, store: new MemoryPolicyState(), transitMs: 0 },
    );
    const ask = { inputTokens: 0, maxOutputTokens: 0, priority: 'interactive' as const };
    expect((await budget.tryReserve(ask)).ok).toBe(true);
    expect((await budget.tryReserve(ask)).ok).toBe(true);
    expect(await budget.tryReserve(ask)).toEqual({ ok: false, waitMs: 30_000, dimension: 'requests' });
    await clock.advance(30_000);
    expect((await budget.tryReserve(ask)).ok).toBe(true);
  });

  it('a bulkhead rejects at once past its slots and queue', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 0 });
    const release = await bulkhead.acquire();
    await expect(bulkhead.acquire()).rejects.toBeInstanceOf(BulkheadRejectedError);
    release();
    (await bulkhead.acquire())();
    expect(bulkhead.snapshot()).toMatchObject({ active: 0, rejected: 1 });
  });

  it('a deadline aborts its signal when its time is up', async () => {
    const clock = new FakeClock(0);
    const deadline = new Deadline({ timeoutMs: 1_000, clock });
    expect(deadline.signal.aborted).toBe(false);
    await clock.advance(1_000);
    expect(deadline.signal.aborted).toBe(true);
    expect(DeadlineExceededError.isInstance(deadline.signal.reason)).toBe(true);
    deadline.dispose();
  });

  it('provider cool-downs make a Retry-After skip the provider until it passes', async () => {
    const clock = new FakeClock(0);
    const cooldowns = new ProviderCooldowns({ clock, state: new MemoryPolicyState() });
    cooldowns.coolDown('search-api', 20_000);
    expect(cooldowns.remainingMs('search-api')).toBe(20_000);
    await clock.advance(20_000);
    expect(cooldowns.remainingMs('search-api')).toBe(0);
    cooldowns.close();
  });

  it('runs on real time too', () => {
    expect(new Deadline({ timeoutMs: 60_000, clock: systemClock }).remainingMs()).toBeGreaterThan(59_000);
  });
});
