import { describe, expect, it } from 'vitest';
import { FakeClock } from '../model/fake-clock.js';
import { RetryBudget } from './retry-budget.js';

describe('RetryBudget', () => {
  it('always allows the floor of minRetries, even with no traffic', () => {
    const budget = new RetryBudget({ clock: new FakeClock(0) });
    expect([1, 2, 3, 4].map(() => budget.tryAcquireRetry())).toEqual([true, true, true, false]);
  });

  it('allows retries up to ratio × requests in the window', () => {
    const budget = new RetryBudget({ clock: new FakeClock(0), ratio: 0.1, minRetries: 0 });
    for (let i = 0; i < 100; i++) budget.recordRequest();
    let granted = 0;
    while (budget.tryAcquireRetry()) granted++;
    expect(granted).toBe(10);
    expect(budget.snapshot()).toMatchObject({ requests: 100, retries: 10, allowed: 10, refused: 1 });
  });

  it('frees the allowance as old retries leave the moving window', async () => {
    const clock = new FakeClock(0);
    const budget = new RetryBudget({ clock, ratio: 0.1, minRetries: 0, windowMs: 60_000 });
    for (let i = 0; i < 100; i++) budget.recordRequest();
    for (let i = 0; i < 10; i++) expect(budget.tryAcquireRetry()).toBe(true);
    expect(budget.tryAcquireRetry()).toBe(false);
    // 30 s later: 100 new requests; the window holds 200 requests, 10 retries → 10 more allowed.
    await clock.advance(30_000);
    for (let i = 0; i < 100; i++) budget.recordRequest();
    let granted = 0;
    while (budget.tryAcquireRetry()) granted++;
    expect(granted).toBe(10);
    // 60 s after the start the first batch has left: 100 requests and 10 retries remain → none allowed.
    await clock.advance(30_000);
    expect(budget.snapshot()).toMatchObject({ requests: 100, retries: 10 });
    expect(budget.tryAcquireRetry()).toBe(false);
    // Another 30 s: everything left; only the floor (0 here) remains.
    await clock.advance(30_000);
    expect(budget.snapshot()).toMatchObject({ requests: 0, retries: 0, allowed: 0 });
  });

  it('uses the floor when it exceeds ratio × requests', () => {
    const budget = new RetryBudget({ clock: new FakeClock(0), ratio: 0.1, minRetries: 3 });
    for (let i = 0; i < 20; i++) budget.recordRequest(); // ratio gives 2, floor 3
    expect([1, 2, 3, 4].map(() => budget.tryAcquireRetry())).toEqual([true, true, true, false]);
  });

  it('keeps retry amplification at the ratio under a sustained outage', async () => {
    const clock = new FakeClock(0);
    const budget = new RetryBudget({ clock, ratio: 0.1, minRetries: 3 });
    let requests = 0;
    let retries = 0;
    for (let second = 0; second < 600; second++) {
      for (let i = 0; i < 20; i++) {
        budget.recordRequest();
        requests++;
        for (let attempt = 0; attempt < 3 && budget.tryAcquireRetry(); attempt++) retries++; // every request wants 3 retries
      }
      await clock.advance(1_000);
    }
    expect(retries / requests).toBeLessThanOrEqual(0.1 + 3 / requests);
    expect(retries / requests).toBeGreaterThan(0.09);
  });

  it('serialises to its snapshot', () => {
    const budget = new RetryBudget({ clock: new FakeClock(0) });
    budget.recordRequest();
    expect(JSON.parse(JSON.stringify(budget))).toMatchObject({ requests: 1, retries: 0, ratio: 0.1, windowMs: 60_000 });
  });
});
