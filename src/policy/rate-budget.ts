import type { Clock } from '../model/clock.js';
import type { RateLimitSnapshot } from '../model/errors.js';
import type { BucketAdjustment, BucketLowering, BucketSpec, BucketTake, PolicyState } from './policy-state.js';
import type {
  AcquireOptions,
  RateBudgetEvent,
  RateDimension,
  RateLimits,
  RateRemaining,
  RateRequest,
  RateReservation,
  RateUsage,
  ReserveResult,
} from './rate-budget-types.js';
import { ReservationQueue } from './reservation-queue.js';

export type * from './rate-budget-types.js';

/** Options of {@link RateBudget}. */
export interface RateBudgetOptions {
  /** Names the buckets in the shared state, e.g. `anthropic` or `anthropic:claude-sonnet-4`. */
  key: string;
  clock: Clock;
  /** Where the buckets live (`MemoryPolicyState`, or Redis so N instances share one budget). */
  store: PolicyState;
  /** Share of each bucket that batch work may not use, kept for interactive callers. Default 0.2. */
  batchReserve?: number;
  /**
   * Time from reserving to the provider counting the request (network, TLS, queueing). A take must leave
   * this much refill (`limit × transitMs / 60 000`) in the bucket: while the provider's bucket sits full,
   * it cannot bank the refill of that interval, so ours would otherwise run ahead of it and let one
   * request too many through at the edge of a burst. Default 1 000 ms (a constant offset, not a rate loss).
   */
  transitMs?: number;
}

const DIMENSIONS: readonly RateDimension[] = ['requests', 'inputTokens', 'outputTokens', 'tokens'];
const LIMIT_NAME: Readonly<Record<RateDimension, keyof RateLimits>> = {
  requests: 'rpm',
  inputTokens: 'itpm',
  outputTokens: 'otpm',
  tokens: 'tpm',
};
const EMPTY = 1; // a level below one unit (a request, a token) is empty

interface HeldReservation extends RateReservation {
  settled: boolean;
}

function amountOf(dimension: RateDimension, request: RateRequest): number {
  switch (dimension) {
    case 'requests':
      return 1;
    case 'inputTokens':
      return request.inputTokens;
    case 'outputTokens':
      return request.maxOutputTokens;
    case 'tokens':
      return request.inputTokens + request.maxOutputTokens;
  }
}

function validLimit(value: number | undefined): value is number {
  return value !== undefined && Number.isFinite(value) && value > 0;
}

/**
 * A provider's per-minute budget as token buckets (capacity = the limit, refilled continuously, starting
 * full), kept in `PolicyState` so every instance spends the same budget. Each attempt reserves 1 request,
 * its input tokens and its FULL output cap, all-or-nothing; `reconcile` returns what was not used. So
 * with limits equal to the provider's, failsoft never sends a request the provider would refuse (the
 * reservation is never below what the provider counts), yet a burst still spends the whole budget.
 * Batch work keeps `batchReserve` of every bucket free for interactive callers.
 * @example
 * const budget = new RateBudget({ rpm: 50, itpm: 40_000, otpm: 8_000 }, { key: 'anthropic', clock, store });
 * const r = await budget.acquire({ inputTokens: 1200, maxOutputTokens: 1024, priority: 'interactive' }, { maxWaitMs: 2_000, signal });
 * if (!r.ok) return skip(r.waitMs);
 * try { const answer = await send(); await budget.reconcile(r.reservation, answer.usage); }
 * catch (e) { await budget.release(r.reservation); throw e; }
 */
export class RateBudget {
  readonly key: string;
  /** Store calls that failed; the budget then lets the request through (fail-open) rather than block AI. */
  stateErrors = 0;
  private readonly clock: Clock;
  private readonly store: PolicyState;
  private readonly batchReserve: number;
  private readonly transitMs: number;
  private readonly configured: Partial<Record<RateDimension, number>> = {};
  private readonly specs: Partial<Record<RateDimension, BucketSpec>> = {};
  private active: RateDimension[] = [];
  private readonly empty = new Set<RateDimension>();
  private readonly listeners = new Set<(event: RateBudgetEvent) => void>();
  private readonly queue: ReservationQueue;

  constructor(limits: RateLimits, options: RateBudgetOptions) {
    this.key = options.key;
    this.clock = options.clock;
    this.store = options.store;
    this.batchReserve = options.batchReserve ?? 0.2;
    this.transitMs = Math.max(0, options.transitMs ?? 1_000);
    if (!(this.batchReserve >= 0 && this.batchReserve < 1)) throw new RangeError('batchReserve must be in [0, 1)');
    for (const dimension of DIMENSIONS) {
      const limit = limits[LIMIT_NAME[dimension]];
      if (limit === undefined) continue;
      if (!validLimit(limit)) throw new RangeError(`${LIMIT_NAME[dimension]} must be a positive number`);
      this.configured[dimension] = limit;
      this.setLimit(dimension, limit);
    }
    this.queue = new ReservationQueue({
      clock: this.clock,
      attempt: (request) => this.tryReserve(request),
      estimate: (request) => this.estimate(request),
      cancel: (reservation) => void this.cancel(reservation),
    });
  }

  /** Reserves for one attempt if every limited dimension has room now (all-or-nothing); never waits. */
  async tryReserve(request: RateRequest): Promise<ReserveResult> {
    const now = this.clock.now();
    const taken: Partial<Record<RateDimension, number>> = {};
    const takes: BucketTake[] = [];
    const dims: RateDimension[] = [];
    for (const dimension of this.active) {
      const bucket = this.specs[dimension] as BucketSpec;
      const amount = Math.max(0, amountOf(dimension, request));
      taken[dimension] = amount;
      if (amount === 0) continue;
      takes.push({ bucket, amount, floor: this.floorFor(bucket, amount, request.priority) });
      dims.push(dimension);
    }
    if (takes.length > 0) {
      let result;
      try {
        result = await this.store.takeBuckets(takes, now);
      } catch {
        this.stateErrors++;
        return { ok: true, reservation: this.hold(request, {}, now) };
      }
      this.observe(dims, result.levels, now);
      if (!result.ok) return { ok: false, waitMs: result.waitMs, dimension: dims[result.blockedIndex] ?? 'requests' };
    }
    return { ok: true, reservation: this.hold(request, taken, now) };
  }

  /**
   * Reserves now, or waits in a fair line (interactive before batch, FIFO within each) until it fits.
   * Resolves `{ ok: false }` at once when the wait would exceed `maxWaitMs`; rejects when `signal` aborts.
   */
  acquire(request: RateRequest, options: AcquireOptions): Promise<ReserveResult> {
    return this.queue.acquire(request, options);
  }

  /** After a success: gives back reserved tokens that were not used, or charges the excess. */
  async reconcile(reservation: RateReservation, usage: RateUsage): Promise<void> {
    if (!this.settle(reservation)) return;
    const input = usage.inputTokens ?? reservation.inputTokens;
    const output = usage.outputTokens ?? reservation.maxOutputTokens;
    const t = reservation.taken;
    await this.adjust([
      ['inputTokens', t.inputTokens === undefined ? 0 : t.inputTokens - input],
      ['outputTokens', t.outputTokens === undefined ? 0 : t.outputTokens - output],
      ['tokens', t.tokens === undefined ? 0 : t.tokens - input - output],
    ]);
  }

  /** After a failed attempt: gives back the output reservation; the request and its input count as spent. */
  async release(reservation: RateReservation): Promise<void> {
    if (!this.settle(reservation)) return;
    const t = reservation.taken;
    await this.adjust([
      ['outputTokens', t.outputTokens ?? 0],
      ['tokens', t.tokens === undefined ? 0 : Math.min(t.tokens, Math.max(0, reservation.maxOutputTokens))],
    ]);
  }

  /** For a reservation whose request was never sent: gives everything back. */
  async cancel(reservation: RateReservation): Promise<void> {
    if (!this.settle(reservation)) return;
    await this.adjust(DIMENSIONS.map((d) => [d, reservation.taken[d] ?? 0] as const));
  }

  /**
   * Learns from the provider's rate-limit headers: adopts a reported limit where none was configured (or a
   * lower one than configured, never a higher one) and lowers a bucket to the reported remaining.
   */
  async learn(snapshot: RateLimitSnapshot): Promise<void> {
    const lowerings: BucketLowering[] = [];
    const dims: RateDimension[] = [];
    for (const dimension of DIMENSIONS) {
      const reported = snapshot[dimension];
      if (reported === undefined) continue;
      if (validLimit(reported.limit)) {
        const configured = this.configured[dimension];
        const limit = configured === undefined ? reported.limit : Math.min(configured, reported.limit);
        if (this.specs[dimension]?.capacity !== limit) this.setLimit(dimension, limit);
      }
      const bucket = this.specs[dimension];
      if (
        bucket !== undefined &&
        reported.remaining !== undefined &&
        Number.isFinite(reported.remaining) &&
        reported.remaining >= 0
      ) {
        lowerings.push({ bucket, level: reported.remaining });
        dims.push(dimension);
      }
    }
    if (lowerings.length === 0) return;
    const now = this.clock.now();
    try {
      this.observe(dims, await this.store.lowerBuckets(lowerings, now), now);
    } catch {
      this.stateErrors++;
    }
  }

  /** Limit and remaining (whole units, ≥ 0) of every limited dimension. */
  async remaining(): Promise<RateRemaining> {
    const now = this.clock.now();
    const dims = [...this.active];
    const levels = await this.store.readBuckets(
      dims.map((d) => this.specs[d] as BucketSpec),
      now,
    );
    this.observe(dims, levels, now);
    const out: RateRemaining = {};
    dims.forEach((d, i) => {
      out[d] = { limit: (this.specs[d] as BucketSpec).capacity, remaining: Math.max(0, Math.floor(levels[i] ?? 0)) };
    });
    return out;
  }

  /** The effective per-minute limits (configured or learned). */
  limits(): RateLimits {
    const out: RateLimits = {};
    for (const d of this.active) out[LIMIT_NAME[d]] = (this.specs[d] as BucketSpec).capacity;
    return out;
  }

  /** Waiters in line, by priority. */
  get waiting(): { interactive: number; batch: number } {
    return this.queue.length;
  }

  /** Subscribes to budget-exhausted / budget-recovered; returns the unsubscribe function. */
  onEvent(listener: (event: RateBudgetEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private setLimit(dimension: RateDimension, limit: number): void {
    this.specs[dimension] = { key: `${this.key}:${dimension}`, capacity: limit, refillPerMs: limit / 60_000 };
    this.active = DIMENSIONS.filter((d) => this.specs[d] !== undefined);
  }

  /**
   * What a take must leave in the bucket: the batch reserve for batch work, plus the transit headroom
   * (trimmed so that a request as large as the bucket can still go when the bucket is full).
   */
  private floorFor(bucket: BucketSpec, amount: number, priority: RateRequest['priority']): number {
    const reserve = priority === 'batch' ? this.batchReserve * bucket.capacity : 0;
    const headroom = Math.min(this.transitMs * bucket.refillPerMs, Math.max(0, bucket.capacity - amount - reserve));
    return reserve + headroom;
  }

  private hold(request: RateRequest, taken: Partial<Record<RateDimension, number>>, at: number): HeldReservation {
    return {
      key: this.key,
      priority: request.priority,
      inputTokens: request.inputTokens,
      maxOutputTokens: request.maxOutputTokens,
      taken,
      at,
      settled: false,
    };
  }

  private settle(reservation: RateReservation): boolean {
    const held = reservation as HeldReservation;
    if (held.settled || held.key !== this.key) return false;
    held.settled = true;
    return true;
  }

  private async adjust(deltas: ReadonlyArray<readonly [RateDimension, number]>): Promise<void> {
    const adjustments: BucketAdjustment[] = [];
    const dims: RateDimension[] = [];
    let refund = false;
    for (const [dimension, delta] of deltas) {
      const bucket = this.specs[dimension];
      if (bucket === undefined || delta === 0 || !Number.isFinite(delta)) continue;
      adjustments.push({ bucket, delta });
      dims.push(dimension);
      if (delta > 0) refund = true;
    }
    if (adjustments.length === 0) return;
    const now = this.clock.now();
    try {
      this.observe(dims, await this.store.adjustBuckets(adjustments, now), now);
    } catch {
      this.stateErrors++;
      return;
    }
    if (refund) this.queue.kick();
  }

  private async estimate(request: RateRequest): Promise<{ waitMs: number; dimension: RateDimension }> {
    const now = this.clock.now();
    const dims = [...this.active];
    let levels: number[];
    try {
      levels = await this.store.readBuckets(
        dims.map((d) => this.specs[d] as BucketSpec),
        now,
      );
    } catch {
      this.stateErrors++;
      return { waitMs: 0, dimension: 'requests' }; // unknown: queue up, the head's attempt decides
    }
    let waitMs = 0;
    let dimension: RateDimension = 'requests';
    dims.forEach((d, i) => {
      const bucket = this.specs[d] as BucketSpec;
      const amount = amountOf(d, request);
      const need = amount + this.floorFor(bucket, amount, request.priority);
      const level = levels[i] ?? 0;
      const wait =
        level >= need
          ? 0
          : need > bucket.capacity
            ? Number.POSITIVE_INFINITY
            : Math.ceil((need - level) / bucket.refillPerMs);
      if (wait > waitMs) {
        waitMs = wait;
        dimension = d;
      }
    });
    return { waitMs, dimension };
  }

  /** Tracks which dimensions are empty for interactive callers and emits on the first and the last. */
  private observe(dims: readonly RateDimension[], levels: readonly number[], now: number): void {
    const wasExhausted = this.empty.size > 0;
    let firstEmpty: RateDimension | undefined;
    let retryAfterMs = 0;
    for (let i = 0; i < dims.length; i++) {
      const dimension = dims[i] as RateDimension;
      const level = levels[i] ?? 0;
      if (level < EMPTY) {
        if (!this.empty.has(dimension)) {
          this.empty.add(dimension);
          const bucket = this.specs[dimension] as BucketSpec;
          const wait = Math.ceil((EMPTY - level) / bucket.refillPerMs);
          if (firstEmpty === undefined || wait > retryAfterMs) {
            firstEmpty = dimension;
            retryAfterMs = wait;
          }
        }
      } else {
        this.empty.delete(dimension);
      }
    }
    if (!wasExhausted && firstEmpty !== undefined)
      this.emit({ type: 'budget-exhausted', key: this.key, dimension: firstEmpty, retryAfterMs, at: now });
    else if (wasExhausted && this.empty.size === 0) this.emit({ type: 'budget-recovered', key: this.key, at: now });
  }

  private emit(event: RateBudgetEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A listener must not break the hot path.
      }
    }
  }
}
