import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../model/random.js';
import { FakeClock } from '../model/fake-clock.js';
import type { RateLimitSnapshot } from '../model/errors.js';
import { MemoryPolicyState } from '../state/memory-policy-state.js';
import { RateBudget, type RateLimits, type RatePriority } from './rate-budget.js';

/**
 * The GOAL of the rate budget, simulated on a fake clock: with limits configured equal to a provider's
 * real limits, failsoft never sends a request the provider refuses (no 429 of its own making), while a
 * burst still spends ≥ 90 % of the budget.
 */

type Dim = 'requests' | 'inputTokens' | 'outputTokens' | 'tokens';
const LIMIT_OF: Record<Dim, keyof RateLimits> = {
  requests: 'rpm',
  inputTokens: 'itpm',
  outputTokens: 'otpm',
  tokens: 'tpm',
};

/**
 * A provider with real token buckets, as strict as the strictest documented behaviour: RPM and input
 * TPM charged on arrival; output TPM estimated from max_tokens on arrival and adjusted at the end
 * (Anthropic); combined TPM charged input + max_tokens on arrival, unused output refunded (OpenAI).
 */
class ProviderModel {
  private readonly level: Partial<Record<Dim, number>> = {};
  private readonly updatedAt: Partial<Record<Dim, number>> = {};
  rejected = 0;
  readonly used: Record<Dim, number> = { requests: 0, inputTokens: 0, outputTokens: 0, tokens: 0 };

  constructor(
    readonly limits: RateLimits,
    private readonly clock: FakeClock,
  ) {
    for (const d of this.dims()) {
      this.level[d] = limits[LIMIT_OF[d]] as number;
      this.updatedAt[d] = clock.now();
    }
  }

  dims(): Dim[] {
    return (Object.keys(LIMIT_OF) as Dim[]).filter((d) => this.limits[LIMIT_OF[d]] !== undefined);
  }

  arrive(input: number, maxOut: number): boolean {
    const need: Record<Dim, number> = { requests: 1, inputTokens: input, outputTokens: maxOut, tokens: input + maxOut };
    for (const d of this.dims())
      if (this.refill(d) < need[d] - 1e-6) {
        this.rejected++;
        return false;
      }
    for (const d of this.dims()) this.level[d] = (this.level[d] as number) - need[d];
    return true;
  }

  complete(input: number, maxOut: number, actualOut: number): void {
    for (const d of this.dims()) {
      if (d === 'outputTokens' || d === 'tokens')
        this.level[d] = Math.min(this.cap(d), this.refill(d) + maxOut - actualOut);
    }
    this.used.requests += 1;
    this.used.inputTokens += input;
    this.used.outputTokens += actualOut;
    this.used.tokens += input + actualOut;
  }

  snapshot(): RateLimitSnapshot {
    const out: RateLimitSnapshot = {};
    for (const d of this.dims()) out[d] = { limit: this.cap(d), remaining: Math.max(0, Math.floor(this.refill(d))) };
    return out;
  }

  private cap(d: Dim): number {
    return this.limits[LIMIT_OF[d]] as number;
  }

  private refill(d: Dim): number {
    const now = this.clock.now();
    const level = Math.min(
      this.cap(d),
      (this.level[d] as number) + (now - (this.updatedAt[d] as number)) * (this.cap(d) / 60_000),
    );
    this.level[d] = level;
    this.updatedAt[d] = now;
    return level;
  }
}

interface BurstResult {
  rejected: number;
  served: number;
  utilisation: Record<string, number>;
  binding: number;
  minutes: number;
}

async function burst(options: {
  limits: RateLimits;
  requests: number;
  instances?: number;
  /** Each instance with its own memory store: the per-pod mistake (LiteLLM #27736). */
  separateStores?: boolean;
  learn?: boolean;
  priority?: (i: number) => RatePriority;
  seed?: number;
}): Promise<BurstResult> {
  const clock = new FakeClock(0);
  const random = mulberry32(options.seed ?? 7);
  const provider = new ProviderModel(options.limits, clock);
  const store = new MemoryPolicyState(); // one shared store: N instances, ONE budget
  const budgets = Array.from(
    { length: options.instances ?? 1 },
    () =>
      new RateBudget(options.limits, {
        key: 'anthropic',
        clock,
        store: options.separateStores ? new MemoryPolicyState() : store,
      }),
  );
  let inFlight = 0;
  let served = 0;
  let lastAdmitAt = 0;

  const one = async (i: number): Promise<void> => {
    const budget = budgets[i % budgets.length] as RateBudget;
    const input = 300 + Math.floor(random() * 2_700);
    const maxOut = 1_024;
    const actualOut = 50 + Math.floor(random() * 975);
    const priority = options.priority?.(i) ?? 'interactive';
    const r = await budget.acquire({ inputTokens: input, maxOutputTokens: maxOut, priority }, { maxWaitMs: 3_600_000 });
    if (!r.ok) throw new Error(`gave up after ${r.waitMs} ms`);
    lastAdmitAt = clock.now();
    if (!provider.arrive(input, maxOut)) {
      await budget.release(r.reservation);
      return;
    }
    await clock.sleep(1_500 + actualOut * 10); // generation time
    provider.complete(input, maxOut, actualOut);
    await budget.reconcile(r.reservation, { inputTokens: input, outputTokens: actualOut });
    if (options.learn) await budget.learn(provider.snapshot());
    served++;
  };

  inFlight = options.requests;
  const all = Array.from({ length: options.requests }, (_, i) =>
    one(i).finally(() => {
      inFlight--;
    }),
  );
  while (inFlight > 0) await clock.advance(100);
  await Promise.all(all);

  const utilisation: Record<string, number> = {};
  for (const d of provider.dims()) {
    const limit = options.limits[LIMIT_OF[d]] as number;
    const available = limit + (limit * lastAdmitAt) / 60_000; // a full bucket plus the refill while demand waited
    utilisation[d] = provider.used[d] / available;
  }
  return {
    rejected: provider.rejected,
    served,
    utilisation,
    binding: Math.max(...Object.values(utilisation)),
    minutes: lastAdmitAt / 60_000,
  };
}

describe('RateBudget under a burst against a provider with the same limits', () => {
  it('Anthropic-style RPM/ITPM/OTPM: no 429 from the provider, ≥ 90 % of the binding budget used', async () => {
    const result = await burst({ limits: { rpm: 50, itpm: 40_000, otpm: 8_000 }, requests: 150 });
    expect(result.rejected).toBe(0);
    expect(result.served).toBe(150);
    expect(result.minutes).toBeGreaterThan(5); // a real burst: demand far above the budget
    expect(result.binding).toBeGreaterThanOrEqual(0.9);
  });

  it('OpenAI-style RPM/TPM: no 429, ≥ 90 % used', async () => {
    const result = await burst({ limits: { rpm: 60, tpm: 30_000 }, requests: 150 });
    expect(result.rejected).toBe(0);
    expect(result.minutes).toBeGreaterThan(5);
    expect(result.binding).toBeGreaterThanOrEqual(0.9);
  });

  it('RPM-bound: no 429, ≥ 90 % of the requests budget used', async () => {
    const result = await burst({ limits: { rpm: 20, itpm: 1_000_000 }, requests: 120 });
    expect(result.rejected).toBe(0);
    expect(result.utilisation.requests).toBeGreaterThanOrEqual(0.9);
  });

  it('three instances sharing one store still never exceed the provider limit (not 3×)', async () => {
    const result = await burst({ limits: { rpm: 50, itpm: 40_000, otpm: 8_000 }, requests: 150, instances: 3 });
    expect(result.rejected).toBe(0);
    expect(result.binding).toBeGreaterThanOrEqual(0.9);
  });

  it('learning the provider headers keeps it safe, and mixed batch/interactive traffic too', async () => {
    const result = await burst({
      limits: { rpm: 50, itpm: 40_000, otpm: 8_000 },
      requests: 150,
      learn: true,
      priority: (i) => (i % 3 === 0 ? 'batch' : 'interactive'),
    });
    expect(result.rejected).toBe(0);
    expect(result.served).toBe(150);
    expect(result.binding).toBeGreaterThanOrEqual(0.9);
  });

  it('counter-example: three instances with a budget each (per-pod state) overrun the provider', async () => {
    const result = await burst({
      limits: { rpm: 50, itpm: 40_000, otpm: 8_000 },
      requests: 150,
      instances: 3,
      separateStores: true,
    });
    expect(result.rejected).toBeGreaterThan(0);
  });
});
