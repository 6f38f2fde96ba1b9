import { describe, expect, it } from 'vitest';
import { FakeClock } from '../model/fake-clock.js';
import { MemoryPolicyState } from '../state/memory-policy-state.js';
import {
  RateBudget,
  type RateBudgetEvent,
  type RateLimits,
  type RateRequest,
  type RateReservation,
} from './rate-budget.js';

function setup(limits: RateLimits, batchReserve = 0.2) {
  const clock = new FakeClock(0);
  const store = new MemoryPolicyState();
  const budget = new RateBudget(limits, { key: 'p', clock, store, batchReserve, transitMs: 0 });
  const events: RateBudgetEvent[] = [];
  budget.onEvent((e) => events.push(e));
  return { clock, store, budget, events };
}

const ask = (
  inputTokens: number,
  maxOutputTokens: number,
  priority: RateRequest['priority'] = 'interactive',
): RateRequest => ({ inputTokens, maxOutputTokens, priority });

async function reserve(budget: RateBudget, request: RateRequest): Promise<RateReservation> {
  const result = await budget.tryReserve(request);
  if (!result.ok) throw new Error(`refused on ${result.dimension} for ${result.waitMs} ms`);
  return result.reservation;
}

describe('RateBudget: each dimension', () => {
  it('rpm: one request each, refused with the wait until one refills', async () => {
    const { budget, clock } = setup({ rpm: 2 });
    await reserve(budget, ask(10, 10));
    await reserve(budget, ask(10, 10));
    expect(await budget.tryReserve(ask(10, 10))).toEqual({ ok: false, waitMs: 30_000, dimension: 'requests' });
    await clock.advance(30_000);
    expect((await budget.tryReserve(ask(10, 10))).ok).toBe(true);
  });

  it('itpm: the input tokens', async () => {
    const { budget } = setup({ itpm: 1_000 });
    await reserve(budget, ask(900, 5_000));
    expect(await budget.tryReserve(ask(200, 0))).toEqual({ ok: false, waitMs: 6_000, dimension: 'inputTokens' });
  });

  it('otpm: the full output cap', async () => {
    const { budget } = setup({ otpm: 1_000 });
    await reserve(budget, ask(50_000, 800));
    expect(await budget.tryReserve(ask(0, 300))).toMatchObject({ ok: false, dimension: 'outputTokens' });
  });

  it('tpm: input plus output cap', async () => {
    const { budget } = setup({ tpm: 1_000 });
    await reserve(budget, ask(400, 400));
    expect(await budget.tryReserve(ask(100, 150))).toMatchObject({ ok: false, dimension: 'tokens', waitMs: 3_000 });
    expect((await budget.tryReserve(ask(100, 100))).ok).toBe(true);
  });

  it('with no limits, always reserves (and takes nothing)', async () => {
    const { budget } = setup({});
    for (let i = 0; i < 1_000; i++) await reserve(budget, ask(1e6, 1e6));
    expect(await budget.remaining()).toEqual({});
  });

  it('never fits a request larger than a limit: waitMs is Infinity', async () => {
    const { budget } = setup({ itpm: 1_000 });
    expect(await budget.tryReserve(ask(1_001, 0))).toEqual({
      ok: false,
      waitMs: Number.POSITIVE_INFINITY,
      dimension: 'inputTokens',
    });
  });

  it('rejects nonsensical limits', () => {
    expect(() => setup({ rpm: 0 })).toThrow(RangeError);
    expect(() => setup({ tpm: Number.NaN })).toThrow(RangeError);
  });
});

describe('RateBudget: all-or-nothing', () => {
  it('a refusal on one dimension takes nothing from the others', async () => {
    const { budget } = setup({ rpm: 10, itpm: 1_000, otpm: 100 });
    await reserve(budget, ask(100, 90));
    expect(await budget.tryReserve(ask(100, 50))).toMatchObject({ ok: false, dimension: 'outputTokens' });
    expect(await budget.remaining()).toEqual({
      requests: { limit: 10, remaining: 9 },
      inputTokens: { limit: 1_000, remaining: 900 },
      outputTokens: { limit: 100, remaining: 10 },
    });
  });

  it('reports the dimension with the longest wait', async () => {
    const { budget } = setup({ rpm: 60, itpm: 600 });
    await reserve(budget, ask(600, 0)); // itpm empty: 10 tokens/s
    for (let i = 0; i < 59; i++) await reserve(budget, ask(0, 0));
    expect(await budget.tryReserve(ask(50, 0))).toMatchObject({ ok: false, dimension: 'inputTokens', waitMs: 5_000 });
  });
});

describe('RateBudget: reconcile, release, cancel', () => {
  it('reconcile returns unused output and over-estimated input', async () => {
    const { budget } = setup({ itpm: 10_000, otpm: 10_000, tpm: 20_000 });
    const r = await reserve(budget, ask(1_000, 4_000));
    await budget.reconcile(r, { inputTokens: 900, outputTokens: 250 });
    expect(await budget.remaining()).toMatchObject({
      inputTokens: { remaining: 9_100 },
      outputTokens: { remaining: 9_750 },
      tokens: { remaining: 18_850 },
    });
  });

  it('reconcile charges usage above the reservation (the level may go below zero)', async () => {
    const { budget } = setup({ itpm: 1_000 });
    const r = await reserve(budget, ask(900, 0));
    await budget.reconcile(r, { inputTokens: 1_500, outputTokens: 0 });
    expect(await budget.tryReserve(ask(1, 0))).toEqual({ ok: false, waitMs: 30_060, dimension: 'inputTokens' });
  });

  it('reconcile treats missing usage as reserved', async () => {
    const { budget } = setup({ itpm: 10_000, otpm: 10_000 });
    const r = await reserve(budget, ask(1_000, 4_000));
    await budget.reconcile(r, { outputTokens: 1_000 });
    expect(await budget.remaining()).toMatchObject({
      inputTokens: { remaining: 9_000 },
      outputTokens: { remaining: 9_000 },
    });
  });

  it('release returns the output reservation; the request and input stay spent', async () => {
    const { budget } = setup({ rpm: 10, itpm: 10_000, otpm: 10_000, tpm: 20_000 });
    const r = await reserve(budget, ask(1_000, 4_000));
    await budget.release(r);
    expect(await budget.remaining()).toEqual({
      requests: { limit: 10, remaining: 9 },
      inputTokens: { limit: 10_000, remaining: 9_000 },
      outputTokens: { limit: 10_000, remaining: 10_000 },
      tokens: { limit: 20_000, remaining: 19_000 },
    });
  });

  it('cancel returns everything, and a reservation settles only once', async () => {
    const { budget } = setup({ rpm: 10, itpm: 10_000 });
    const r = await reserve(budget, ask(1_000, 0));
    await budget.cancel(r);
    await budget.cancel(r);
    await budget.reconcile(r, { inputTokens: 5_000 });
    expect(r.settled).toBe(true);
    expect(await budget.remaining()).toEqual({
      requests: { limit: 10, remaining: 10 },
      inputTokens: { limit: 10_000, remaining: 10_000 },
    });
  });
});

describe('RateBudget: learning from provider headers', () => {
  it('lowers a bucket to the reported remaining', async () => {
    const { budget } = setup({ rpm: 100, itpm: 10_000 });
    await budget.learn({ requests: { limit: 100, remaining: 3 }, inputTokens: { remaining: 20_000 } });
    expect(await budget.remaining()).toMatchObject({ requests: { remaining: 3 }, inputTokens: { remaining: 10_000 } });
  });

  it('adopts a reported limit where none was configured, so an unconfigured budget works', async () => {
    const { budget } = setup({});
    await budget.learn({ requests: { limit: 50, remaining: 1 }, tokens: { limit: 30_000 } });
    expect(budget.limits()).toEqual({ rpm: 50, tpm: 30_000 });
    await reserve(budget, ask(10, 10));
    expect(await budget.tryReserve(ask(10, 10))).toMatchObject({ ok: false, dimension: 'requests' });
  });

  it('never raises a configured limit, but accepts a lower reported one', async () => {
    const { budget } = setup({ rpm: 50, itpm: 10_000 });
    await budget.learn({ requests: { limit: 4_000 }, inputTokens: { limit: 8_000 } });
    expect(budget.limits()).toEqual({ rpm: 50, itpm: 8_000 });
  });

  it('ignores nonsense in a snapshot', async () => {
    const { budget } = setup({ rpm: 50 });
    await budget.learn({ requests: { limit: -1, remaining: Number.NaN } });
    expect(await budget.remaining()).toEqual({ requests: { limit: 50, remaining: 50 } });
  });
});

describe('RateBudget: batch reserve', () => {
  it('batch stops at batchReserve × capacity; interactive may use the rest', async () => {
    const { budget } = setup({ rpm: 10 }, 0.2);
    for (let i = 0; i < 8; i++) await reserve(budget, ask(0, 0, 'batch'));
    expect(await budget.tryReserve(ask(0, 0, 'batch'))).toMatchObject({
      ok: false,
      dimension: 'requests',
      waitMs: 6_000,
    });
    await reserve(budget, ask(0, 0, 'interactive'));
    await reserve(budget, ask(0, 0, 'interactive'));
    expect((await budget.tryReserve(ask(0, 0, 'interactive'))).ok).toBe(false);
  });

  it('applies the reserve to every touched token bucket', async () => {
    const { budget } = setup({ itpm: 1_000, otpm: 1_000 }, 0.2);
    expect((await budget.tryReserve(ask(100, 801, 'batch'))).ok).toBe(false);
    expect((await budget.tryReserve(ask(100, 800, 'batch'))).ok).toBe(true);
  });
});

describe('RateBudget: events', () => {
  it('emits budget-exhausted when a dimension empties and budget-recovered when none is empty', async () => {
    const { budget, clock, events } = setup({ rpm: 2 });
    await reserve(budget, ask(0, 0));
    expect(events).toEqual([]);
    await reserve(budget, ask(0, 0));
    expect(events).toEqual([
      { type: 'budget-exhausted', key: 'p', dimension: 'requests', retryAfterMs: 30_000, at: 0 },
    ]);
    await budget.tryReserve(ask(0, 0));
    expect(events).toHaveLength(1);
    await clock.advance(30_000);
    await reserve(budget, ask(0, 0)); // refilled to 1, took it: empty again, still one incident
    expect(events).toHaveLength(1);
    await clock.advance(60_000);
    await budget.remaining();
    expect(events.at(-1)).toEqual({ type: 'budget-recovered', key: 'p', at: 90_000 });
  });
});

describe('RateBudget: transit headroom', () => {
  it('leaves transitMs of refill in each bucket, so it never runs ahead of a provider counting later', async () => {
    const clock = new FakeClock(0);
    const budget = new RateBudget({ rpm: 60 }, { key: 'p', clock, store: new MemoryPolicyState(), transitMs: 1_000 });
    for (let i = 0; i < 59; i++) await reserve(budget, ask(0, 0));
    expect(await budget.tryReserve(ask(0, 0))).toEqual({ ok: false, waitMs: 1_000, dimension: 'requests' });
  });

  it('still lets a request as large as the bucket through when the bucket is full', async () => {
    const clock = new FakeClock(0);
    const budget = new RateBudget(
      { itpm: 1_000 },
      { key: 'p', clock, store: new MemoryPolicyState(), transitMs: 1_000 },
    );
    expect((await budget.tryReserve(ask(1_000, 0))).ok).toBe(true);
  });
});
