import { systemClock, type Clock } from '../model/clock.js';
import { SlidingWindow } from './sliding-window.js';

/** Options of {@link RetryBudget}. */
export interface RetryBudgetOptions {
  /** Retries allowed per top-level request over the window. Default 0.1 (Google SRE: under 10 %). */
  ratio?: number;
  /** Length of the sliding window. Default 60 000 ms. */
  windowMs?: number;
  /** Retries always allowed in a window, so a quiet process can still retry. Default 3. */
  minRetries?: number;
  /** Slots of the bucketed window. Default 10 (a 6 s granularity over a minute). */
  buckets?: number;
  clock?: Clock;
}

/** A point-in-time view of a {@link RetryBudget}, for health and metrics. */
export interface RetryBudgetSnapshot {
  requests: number;
  retries: number;
  /** Retries the window allows in total now: max(minRetries, ratio × requests). */
  allowed: number;
  ratio: number;
  windowMs: number;
  /** Retries refused since the budget was created. */
  refused: number;
}

const REQUESTS = 0;
const RETRIES = 1;

/**
 * A retry budget across requests: retries of the same provider may add at most `ratio` extra load
 * over a sliding window (with a floor of `minRetries`), so an outage cannot turn into a retry storm
 * (Google SRE, "Handling Overload"). None of LiteLLM, Portkey or Bifrost bounds retries across requests.
 *
 * The budget is local to the process on purpose: what it bounds is the amplification THIS process adds
 * on top of its own traffic. N instances each within 10 % still add at most 10 % in total, so sharing it
 * would buy nothing but a round trip on the retry path.
 * @example
 * const budget = new RetryBudget({ ratio: 0.1 });
 * budget.recordRequest();                       // once per top-level request
 * if (budget.tryAcquireRetry()) retrySameProvider(); else moveOn();
 */
export class RetryBudget {
  readonly ratio: number;
  readonly windowMs: number;
  readonly minRetries: number;
  private readonly clock: Clock;
  private readonly window: SlidingWindow;
  private refusedCount = 0;

  constructor(options: RetryBudgetOptions = {}) {
    this.ratio = options.ratio ?? 0.1;
    this.windowMs = options.windowMs ?? 60_000;
    this.minRetries = options.minRetries ?? 3;
    this.clock = options.clock ?? systemClock;
    if (!(this.ratio >= 0)) throw new RangeError('ratio must be ≥ 0');
    if (!(this.minRetries >= 0)) throw new RangeError('minRetries must be ≥ 0');
    this.window = new SlidingWindow(this.windowMs, 2, options.buckets ?? 10);
  }

  /** Counts one top-level request (call once per request, not per attempt). */
  recordRequest(): void {
    this.window.add(REQUESTS, this.clock.now());
  }

  /** True, and the retry is counted, when one more retry keeps the window within its allowance. */
  tryAcquireRetry(): boolean {
    const now = this.clock.now();
    const retries = this.window.total(RETRIES, now);
    if (retries + 1 > this.allowance(now)) {
      this.refusedCount++;
      return false;
    }
    this.window.add(RETRIES, now);
    return true;
  }

  /** The current counts of the window. */
  snapshot(): RetryBudgetSnapshot {
    const now = this.clock.now();
    return {
      requests: this.window.total(REQUESTS, now),
      retries: this.window.total(RETRIES, now),
      allowed: this.allowance(now),
      ratio: this.ratio,
      windowMs: this.windowMs,
      refused: this.refusedCount,
    };
  }

  /** Same as {@link snapshot}; lets `JSON.stringify(budget)` work. */
  toJSON(): RetryBudgetSnapshot {
    return this.snapshot();
  }

  private allowance(now: number): number {
    return Math.max(this.minRetries, this.ratio * this.window.total(REQUESTS, now));
  }
}
