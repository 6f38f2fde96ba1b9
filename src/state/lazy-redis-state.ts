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

/**
 * The Redis policy state, loaded on first use: `ioredis` (≈ 20 MB of resident memory) is imported by the
 * first call, not by `import 'failsoft'`, so the engine pays for it only when `REDIS_URL` is set (the entry
 * points' test, `src/entry-points.test.ts`, fails if the root entry or `failsoft/gateway` load it). The CLI's
 * core checks (`src/monitor/core/redis-check.ts`) still import it for `failsoft serve` and `failsoft check`.
 * Each call waits for the module (once), then goes to the real `RedisPolicyState`; a failure to load
 * rejects the call, which the surrounding `FallbackPolicyState` answers locally like any other Redis failure.
 * @example new FallbackPolicyState(new LazyRedisPolicyState(url, 'failsoft:'))
 */
export class LazyRedisPolicyState implements PolicyState {
  private loaded: Promise<PolicyState> | undefined;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly prefix: string,
  ) {}

  private state(): Promise<PolicyState> {
    this.loaded ??= import('./redis-policy-state.js').then(
      (m) => new m.RedisPolicyState(this.url, { prefix: this.prefix }),
    );
    return this.loaded;
  }

  /** @inheritdoc */
  async takeBuckets(takes: readonly BucketTake[], nowMs: number): Promise<TakeBucketsResult> {
    return (await this.state()).takeBuckets(takes, nowMs);
  }

  /** @inheritdoc */
  async adjustBuckets(adjustments: readonly BucketAdjustment[], nowMs: number): Promise<number[]> {
    return (await this.state()).adjustBuckets(adjustments, nowMs);
  }

  /** @inheritdoc */
  async lowerBuckets(lowerings: readonly BucketLowering[], nowMs: number): Promise<number[]> {
    return (await this.state()).lowerBuckets(lowerings, nowMs);
  }

  /** @inheritdoc */
  async readBuckets(buckets: readonly BucketSpec[], nowMs: number): Promise<number[]> {
    return (await this.state()).readBuckets(buckets, nowMs);
  }

  /** @inheritdoc */
  async readBreaker(key: string, nowMs: number): Promise<VersionedBreakerRecord | undefined> {
    return (await this.state()).readBreaker(key, nowMs);
  }

  /** @inheritdoc */
  async writeBreaker(
    key: string,
    record: BreakerRecord,
    expectedVersion: number,
    nowMs: number,
  ): Promise<WriteBreakerResult> {
    return (await this.state()).writeBreaker(key, record, expectedVersion, nowMs);
  }

  /** @inheritdoc */
  async setCooldown(key: string, untilMs: number, nowMs: number): Promise<number> {
    return (await this.state()).setCooldown(key, untilMs, nowMs);
  }

  /** @inheritdoc */
  async readCooldown(key: string, nowMs: number): Promise<number | undefined> {
    return (await this.state()).readCooldown(key, nowMs);
  }

  /**
   * Watches cool-downs over Redis pub/sub once the module has loaded (watching loads it). A failure to load
   * means no messages; readers still poll `readCooldown`, which the fallback answers.
   */
  watchCooldowns(listener: (key: string, untilMs: number) => void): () => void {
    let stop: (() => void) | undefined;
    let stopped = false;
    this.state().then(
      (state) => {
        if (!stopped && !this.closed) stop = state.watchCooldowns?.(listener);
      },
      () => undefined,
    );
    return () => {
      stopped = true;
      stop?.();
    };
  }

  /** Closes the Redis connection if one was ever opened. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const loaded = await this.loaded?.catch(() => undefined);
    await loaded?.close();
  }
}
