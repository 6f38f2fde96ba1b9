import { systemClock, type Clock } from '../model/clock.js';
import { assertCooldownTimes } from './cooldown-times.js';
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
} from '../policy/policy-state.js';

/** Options of {@link FallbackPolicyState}. */
export interface FallbackPolicyStateOptions {
  /** Used while the primary fails. Default: a new `MemoryPolicyState`. */
  fallback?: PolicyState;
  /** After the primary is lost, go straight to the fallback for this long before trying it again. Default 5 000 ms. */
  retryPrimaryAfterMs?: number;
  /**
   * Longest wait for the primary's answer; past it the call is answered by the fallback and the primary
   * counts as lost (a Redis that slow is no use on a request's path). Default 250 ms.
   */
  callTimeoutMs?: number;
  /** Runs the `callTimeoutMs` timers (tests pass a FakeClock). Default the system clock. */
  clock?: Clock;
}

/** Health of a {@link FallbackPolicyState}, for `/health/ai`, `/metrics` and the log. */
export interface FallbackPolicyStateStatus {
  /** True while the primary answers; false from its loss until a retry succeeds. */
  connected: boolean;
  /** Epoch ms of the loss (the time of the call that found it); absent while connected. */
  degradedSince?: number;
  /** Calls the primary did not answer and the local fallback answered instead. */
  operationsLost: number;
  /** The last primary failure, e.g. `Connection is closed.` or `no answer within 250 ms` (kept after recovery). */
  lastError?: string;
  /** `!connected`: calls go to the fallback. */
  degraded: boolean;
  /** Primary calls that failed or were abandoned as too slow (calls dropped because another one found the loss are not counted). */
  primaryFailures: number;
  /** Of those, the calls abandoned after `callTimeoutMs`. */
  primaryTimeouts: number;
}

/** A loss of the primary (`connected: false`) or its return (`connected: true`). */
export interface SharedStateChange {
  connected: boolean;
  /** Epoch ms (the time of the call that found the change). */
  at: number;
  /** On a loss: why. */
  error?: string;
  /** On a return: how long the primary was lost. */
  lostMs?: number;
}

const noop = (): void => undefined;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Keeps requests flowing when the shared state (Redis) goes away, and says so. Every call is answered
 * within `callTimeoutMs` whatever the primary does: a primary call that fails or is too slow is answered
 * by the local fallback, the primary counts as lost (`onStatusChange` fires once, and every other call
 * still waiting on it is answered locally at once), and for `retryPrimaryAfterMs` calls skip the primary
 * entirely. Then ONE call tries it again (the others stay local meanwhile); its success ends the loss
 * (`onStatusChange` fires once more) and pushes the cool-downs recorded locally meanwhile to the primary.
 *
 * While lost, each instance enforces the budget alone, which may let N instances through N× until the
 * primary returns; every call answered locally counts in `operationsLost`. An abandoned slow call may
 * still complete on the primary afterwards, so a take may count on both sides (conservative). Buckets
 * need no resynchronisation: both sides refill to full on their own.
 * @example const state = new FallbackPolicyState(new RedisPolicyState(url)); state.onStatusChange((c) => log(c)); state.status().connected
 */
export class FallbackPolicyState implements PolicyState {
  /** Present when the primary can watch cool-downs (Redis pub/sub); delegates to it. */
  readonly watchCooldowns?: (listener: (key: string, untilMs: number) => void) => () => void;
  private readonly fallback: PolicyState;
  private readonly retryPrimaryAfterMs: number;
  private readonly callTimeoutMs: number;
  private readonly clock: Clock;
  private connected = true;
  private degradedSince: number | undefined;
  private downUntil = Number.NEGATIVE_INFINITY;
  private probing = false;
  private primaryFailures = 0;
  private primaryTimeouts = 0;
  private operationsLost = 0;
  private lastError: string | undefined;
  /** Calls waiting on the primary: each function answers its call locally at once. */
  private readonly waiting = new Set<() => void>();
  /** Cool-downs recorded locally while the primary was lost: pushed to it when it returns. */
  private readonly localCooldowns = new Map<string, number>();
  private readonly listeners = new Set<(change: SharedStateChange) => void>();

  constructor(
    private readonly primary: PolicyState,
    options: FallbackPolicyStateOptions = {},
  ) {
    this.fallback = options.fallback ?? new MemoryPolicyState();
    this.retryPrimaryAfterMs = options.retryPrimaryAfterMs ?? 5_000;
    this.callTimeoutMs = options.callTimeoutMs ?? 250;
    this.clock = options.clock ?? systemClock;
    if (!(this.callTimeoutMs > 0))
      throw new RangeError(
        `FallbackPolicyState: callTimeoutMs must be a positive number of ms, got ${this.callTimeoutMs}`,
      );
    if (!(this.retryPrimaryAfterMs >= 0))
      throw new RangeError(`FallbackPolicyState: retryPrimaryAfterMs must be ≥ 0 ms, got ${this.retryPrimaryAfterMs}`);
    const watch = primary.watchCooldowns?.bind(primary);
    if (watch) this.watchCooldowns = watch;
  }

  /** Whether the primary answers, since when it does not, and how many calls local state answered instead. */
  status(): FallbackPolicyStateStatus {
    return {
      connected: this.connected,
      degraded: !this.connected,
      ...(this.degradedSince === undefined ? {} : { degradedSince: this.degradedSince }),
      operationsLost: this.operationsLost,
      primaryFailures: this.primaryFailures,
      primaryTimeouts: this.primaryTimeouts,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
    };
  }

  /**
   * Calls `listener` once when the primary is lost and once when it returns (never twice in a row for the
   * same state). A throwing listener is ignored. Returns the function that stops listening.
   */
  onStatusChange(listener: (change: SharedStateChange) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
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
  writeBreaker(
    key: string,
    record: BreakerRecord,
    expectedVersion: number,
    nowMs: number,
  ): Promise<WriteBreakerResult> {
    return this.call(nowMs, (state) => state.writeBreaker(key, record, expectedVersion, nowMs));
  }

  /** @inheritdoc (A cool-down answered locally is pushed to the primary when it returns.) */
  setCooldown(key: string, untilMs: number, nowMs: number): Promise<number> {
    try {
      assertCooldownTimes('setCooldown', key, untilMs, nowMs); // bad input is the caller's fault, not a lost primary
    } catch (error) {
      return Promise.reject(error);
    }
    return this.call(nowMs, (state) => {
      if (state === this.fallback && untilMs > (this.localCooldowns.get(key) ?? Number.NEGATIVE_INFINITY))
        this.localCooldowns.set(key, untilMs);
      return state.setCooldown(key, untilMs, nowMs);
    });
  }

  /** @inheritdoc */
  readCooldown(key: string, nowMs: number): Promise<number | undefined> {
    try {
      assertCooldownTimes('readCooldown', key, nowMs);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.call(nowMs, (state) => state.readCooldown(key, nowMs));
  }

  /** Answers calls still waiting on the primary locally, then closes both stores. */
  async close(): Promise<void> {
    for (const answerLocally of [...this.waiting]) answerLocally();
    this.listeners.clear();
    await Promise.allSettled([this.primary.close(), this.fallback.close()]);
  }

  private call<T>(nowMs: number, operation: (state: PolicyState) => Promise<T>): Promise<T> {
    if (this.connected) return this.viaPrimary(nowMs, operation, false);
    if (!this.probing && nowMs >= this.downUntil) return this.viaPrimary(nowMs, operation, true);
    return this.local(operation);
  }

  private local<T>(operation: (state: PolicyState) => Promise<T>): Promise<T> {
    this.operationsLost++;
    return operation(this.fallback);
  }

  /** The primary's answer within `callTimeoutMs`, else the fallback's. A probe is the one call trying a lost primary again. */
  private viaPrimary<T>(nowMs: number, operation: (state: PolicyState) => Promise<T>, probe: boolean): Promise<T> {
    if (probe) this.probing = true;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let cancelTimer = noop;
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        cancelTimer();
        this.waiting.delete(answerLocally);
        if (probe) this.probing = false;
        return true;
      };
      const resolveLocally = (): void => {
        try {
          resolve(this.local(operation));
        } catch (error) {
          reject(error);
        }
      };
      const answerLocally = (): void => {
        if (settle()) resolveLocally();
      };
      const fail = (error: unknown, timedOut: boolean): void => {
        if (!settle()) return;
        this.primaryFailed(nowMs, messageOf(error), timedOut);
        resolveLocally();
      };
      this.waiting.add(answerLocally);
      cancelTimer = this.clock.timer(this.callTimeoutMs, () =>
        fail(new Error(`no answer within ${this.callTimeoutMs} ms`), true),
      );
      let answer: Promise<T>;
      try {
        answer = operation(this.primary);
      } catch (error) {
        answer = Promise.reject(error);
      }
      answer.then(
        (value) => {
          if (!settle()) return; // answered locally already; this late answer is dropped
          if (probe) this.primaryReturned(nowMs);
          resolve(value);
        },
        (error: unknown) => fail(error, false),
      );
    });
  }

  private primaryFailed(nowMs: number, error: string, timedOut: boolean): void {
    this.primaryFailures++;
    if (timedOut) this.primaryTimeouts++;
    this.lastError = error;
    this.downUntil = nowMs + this.retryPrimaryAfterMs;
    if (!this.connected) return;
    this.connected = false;
    this.degradedSince = nowMs;
    for (const answerLocally of [...this.waiting]) answerLocally(); // they would only wait for the same timeout
    this.notify({ connected: false, at: nowMs, error });
  }

  private primaryReturned(nowMs: number): void {
    if (this.connected) return;
    const lostMs = this.degradedSince === undefined ? undefined : Math.max(0, nowMs - this.degradedSince);
    this.connected = true;
    this.degradedSince = undefined;
    this.downUntil = Number.NEGATIVE_INFINITY;
    for (const [key, untilMs] of this.localCooldowns) {
      // Best effort: a failure here is the next loss, which keeps cool-downs local again.
      if (untilMs > nowMs)
        Promise.resolve()
          .then(() => this.primary.setCooldown(key, untilMs, nowMs))
          .catch(noop);
    }
    this.localCooldowns.clear();
    this.notify({ connected: true, at: nowMs, ...(lostMs === undefined ? {} : { lostMs }) });
  }

  private notify(change: SharedStateChange): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch {
        // A listener must not break the call that found the change.
      }
    }
  }
}
