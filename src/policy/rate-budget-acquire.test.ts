import { describe, expect, it } from 'vitest';
import { FakeClock } from '../model/fake-clock.js';
import { MemoryPolicyState } from '../state/memory-policy-state.js';
import { RateBudget, type RateRequest, type ReserveResult } from './rate-budget.js';

function setup(rpm: number, batchReserve = 0) {
  const clock = new FakeClock(0);
  const budget = new RateBudget(
    { rpm },
    { key: 'p', clock, store: new MemoryPolicyState(), batchReserve, transitMs: 0 },
  );
  return { clock, budget };
}

const interactive: RateRequest = { inputTokens: 0, maxOutputTokens: 0, priority: 'interactive' };
const batch: RateRequest = { inputTokens: 0, maxOutputTokens: 0, priority: 'batch' };

async function drain(budget: RateBudget, n: number): Promise<void> {
  for (let i = 0; i < n; i++) expect((await budget.tryReserve(interactive)).ok).toBe(true);
}

/** Records the order in which acquire promises resolve. */
function track(order: string[], name: string, promise: Promise<ReserveResult>): Promise<ReserveResult> {
  return promise.then((r) => {
    order.push(`${name}:${r.ok ? 'ok' : 'no'}`);
    return r;
  });
}

describe('RateBudget.acquire', () => {
  it('resolves at once when budget is available, without sleeping', async () => {
    const { budget, clock } = setup(10);
    expect((await budget.acquire(interactive, { maxWaitMs: 0 })).ok).toBe(true);
    expect(clock.pendingSleeps).toBe(0);
  });

  it('waits exactly until the head fits (no polling)', async () => {
    const { budget, clock } = setup(60); // one request per second
    await drain(budget, 60);
    let done = false;
    const pending = budget.acquire(interactive, { maxWaitMs: 5_000 }).then((r) => {
      done = r.ok;
    });
    await clock.advance(0); // let it reach the line (FakeClock moves time before running continuations)
    await clock.advance(999);
    expect(done).toBe(false);
    expect(clock.pendingSleeps).toBe(2); // the head's one sleep + its maxWait timer
    await clock.advance(1);
    await pending;
    expect(done).toBe(true);
    expect(clock.pendingSleeps).toBe(0);
  });

  it('resolves { ok: false } at once when the wait would exceed maxWaitMs', async () => {
    const { budget, clock } = setup(60);
    await drain(budget, 60);
    expect(await budget.acquire(interactive, { maxWaitMs: 999 })).toEqual({
      ok: false,
      waitMs: 1_000,
      dimension: 'requests',
    });
    expect(clock.pendingSleeps).toBe(0);
  });

  it('resolves { ok: false } at once for a waiter whose own need exceeds maxWaitMs even behind others', async () => {
    const { budget, clock } = setup(60);
    await drain(budget, 60);
    const first = budget.acquire(interactive, { maxWaitMs: 10_000 });
    await clock.advance(0);
    expect(await budget.acquire({ ...interactive, priority: 'interactive' }, { maxWaitMs: 500 })).toMatchObject({
      ok: false,
      waitMs: 1_000,
    });
    await clock.advance(1_000);
    expect((await first).ok).toBe(true);
  });

  it('gives up at maxWaitMs when others ahead took the budget', async () => {
    const { budget, clock } = setup(60);
    await drain(budget, 60);
    const order: string[] = [];
    const a = track(order, 'a', budget.acquire(interactive, { maxWaitMs: 10_000 }));
    const b = track(order, 'b', budget.acquire(interactive, { maxWaitMs: 1_500 }));
    await clock.advance(0);
    await clock.advance(1_000); // a served
    await clock.advance(500); // b's deadline: still behind the refill
    await Promise.all([a, b]);
    expect(order).toEqual(['a:ok', 'b:no']);
    expect(budget.waiting).toEqual({ interactive: 0, batch: 0 });
    expect(clock.pendingSleeps).toBe(0);
  });

  it('serves interactive waiters before batch ones, FIFO within each priority', async () => {
    const { budget, clock } = setup(60);
    await drain(budget, 60);
    const order: string[] = [];
    const all = [
      track(order, 'b1', budget.acquire(batch, { maxWaitMs: 60_000 })),
      track(order, 'b2', budget.acquire(batch, { maxWaitMs: 60_000 })),
      track(order, 'i1', budget.acquire(interactive, { maxWaitMs: 60_000 })),
      track(order, 'b3', budget.acquire(batch, { maxWaitMs: 60_000 })),
      track(order, 'i2', budget.acquire(interactive, { maxWaitMs: 60_000 })),
    ];
    await clock.advance(0);
    for (let i = 0; i < 5; i++) await clock.advance(1_000);
    await Promise.all(all);
    expect(order).toEqual(['i1:ok', 'i2:ok', 'b1:ok', 'b2:ok', 'b3:ok']);
  });

  it('a batch waiter cannot overtake through the batch reserve', async () => {
    const { budget, clock } = setup(10, 0.2);
    await drain(budget, 10);
    const order: string[] = [];
    const b = track(order, 'b', budget.acquire(batch, { maxWaitMs: 60_000 }));
    const i = track(order, 'i', budget.acquire(interactive, { maxWaitMs: 60_000 }));
    await clock.advance(0);
    await clock.advance(6_000); // one request refilled: interactive only
    await i;
    expect(order).toEqual(['i:ok']);
    await clock.advance(18_000); // 3 more: batch may take one while 2 stay reserved
    await b;
    expect(order).toEqual(['i:ok', 'b:ok']);
  });

  it('rejects with the signal reason on abort and frees its place', async () => {
    const { budget, clock } = setup(60);
    await drain(budget, 60);
    const controller = new AbortController();
    const aborted = budget.acquire(interactive, { maxWaitMs: 10_000, signal: controller.signal });
    const next = budget.acquire(interactive, { maxWaitMs: 10_000 });
    await clock.advance(0);
    controller.abort(new Error('client went away'));
    await expect(aborted).rejects.toThrow('client went away');
    await clock.advance(1_000);
    expect((await next).ok).toBe(true);
    expect(budget.waiting).toEqual({ interactive: 0, batch: 0 });
  });

  it('rejects at once when the signal is already aborted', async () => {
    const { budget } = setup(60);
    await expect(
      budget.acquire(interactive, { maxWaitMs: 0, signal: AbortSignal.abort(new Error('gone')) }),
    ).rejects.toThrow('gone');
  });

  it('a refund wakes the head before its computed time', async () => {
    const clock = new FakeClock(0);
    const budget = new RateBudget({ otpm: 1_000 }, { key: 'p', clock, store: new MemoryPolicyState(), transitMs: 0 });
    const first = await budget.tryReserve({ inputTokens: 0, maxOutputTokens: 1_000, priority: 'interactive' });
    if (!first.ok) throw new Error('refused');
    let served = false;
    const waiting = budget
      .acquire({ inputTokens: 0, maxOutputTokens: 500, priority: 'interactive' }, { maxWaitMs: 60_000 })
      .then((r) => {
        served = r.ok;
      });
    await clock.advance(0);
    await clock.advance(100);
    expect(served).toBe(false);
    await budget.reconcile(first.reservation, { outputTokens: 100 }); // 900 back
    await clock.advance(0);
    await waiting;
    expect(served).toBe(true);
    expect(clock.now()).toBe(100);
  });
});
