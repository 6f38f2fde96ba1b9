import { MemoryPolicyState } from './memory-policy-state.js';
import type {
  BreakerRecord,
  BucketAdjustment,
  BucketLowering,
  BucketSpec,
  BucketTake,
  PolicyState,
  TakeBucketsResult,
  VersionedBreakerRecord,
  WriteBreakerResult,
} from './policy-state.js';

/** Options of {@link FallbackPolicyState}. */
export interface FallbackPolicyStateOptions {
  /** Used while the primary fails. Default: a new `MemoryPolicyState`. */
  fallback?: PolicyState;
  /** After a primary failure, go straight to the fallback for this long before trying the primary again. Default 5 000 ms. */
  retryPrimaryAfterMs?: number;
}

/** Health of a {@link FallbackPolicyState}, for `/health/ai` and metrics. */
export interface FallbackPolicyStateStatus {
  /** True while calls go to the fallback. */
  degraded: boolean;
  /** Primary calls that failed. */
  primaryFailures: number;
  /** Calls answered by the fallback. */
  fallbackCalls: number;
  lastError: string | undefined;
}

/**
 * Keeps requests flowing when the shared state (Redis) goes away: a failed primary call is answered by
 * a local fallback, and for `retryPrimaryAfterMs` afterwards calls skip the primary entirely (no
 * per-request timeout while it is down). Each instance then enforces the budget alone, which may let
 * N instances through N× until the primary returns; the loss is counted in `status()`. Buckets need no
 * resynchronisation: both sides refill to full on their own.
 * @example const state = new FallbackPolicyState(new RedisPolicyState(url)); state.status().degraded
 */
export class FallbackPolicyState implements PolicyState {
  private readonly fallback: PolicyState;
  private readonly retryPrimaryAfterMs: number;
  private downUntil = Number.NEGATIVE_INFINITY;
  private primaryFailures = 0;
  private fallbackCalls = 0;
  private lastError: string | undefined;

  constructor(private readonly primary: PolicyState, options: FallbackPolicyStateOptions = {}) {
    this.fallback = options.fallback ?? new MemoryPolicyState();
    this.retryPrimaryAfterMs = options.retryPrimaryAfterMs ?? 5_000;
  }

  /** Whether calls currently go to the fallback, and how many did. */
  status(nowMs?: number): FallbackPolicyStateStatus {
    const degraded = nowMs === undefined ? this.downUntil > Number.NEGATIVE_INFINITY : nowMs < this.downUntil;
    return { degraded, primaryFailures: this.primaryFailures, fallbackCalls: this.fallbackCalls, lastError: this.lastError };
  }

  /** @inheritdoc */
  takeBuckets(takes: readonly BucketTake[], nowMs: number): Promise<TakeBucketsResult> {
    return this.call(nowMs, (state) => state.takeBuckets(takes, nowMs));
  }

  /** @inheritdoc */
  adjustBuckets(adjustments: readonly BucketAdjustment[], nowMs: number): Promise<number[]> {
    return this.call(nowMs, (state) => state.adjustBuckets(adjustments, nowMs));
  }

  /** @inheritdoc */
  lowerBuckets(lowerings: readonly BucketLowering[], nowMs: number): Promise<number[]> {
    return this.call(nowMs, (state) => state.lowerBuckets(lowerings, nowMs));
  }

  /** @inheritdoc */
  readBuckets(buckets: readonly BucketSpec[], nowMs: number): Promise<number[]> {
    return this.call(nowMs, (state) => state.readBuckets(buckets, nowMs));
  }

  /** @inheritdoc */
  readBreaker(key: string, nowMs: number): Promise<VersionedBreakerRecord | undefined> {
    return this.call(nowMs, (state) => state.readBreaker(key, nowMs));
  }

  /** @inheritdoc */
  writeBreaker(key: string, record: BreakerRecord, expectedVersion: number, nowMs: number): Promise<WriteBreakerResult> {
    return this.call(nowMs, (state) => state.writeBreaker(key, record, expectedVersion, nowMs));
  }

  /** @inheritdoc */
  async close(): Promise<void> {
    await Promise.allSettled([this.primary.close(), this.fallback.close()]);
  }

  private async call<T>(nowMs: number, operation: (state: PolicyState) => Promise<T>): Promise<T> {
    if (nowMs >= this.downUntil) {
      try {
        const value = await operation(this.primary);
        this.downUntil = Number.NEGATIVE_INFINITY;
        return value;
      } catch (error) {
        this.primaryFailures++;
        this.lastError = error instanceof Error ? error.message : String(error);
        this.downUntil = nowMs + this.retryPrimaryAfterMs;
      }
    }
    this.fallbackCalls++;
    return operation(this.fallback);
  }
}
