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
import { assertCooldownTimes } from './cooldown-times.js';

interface BucketCell {
  level: number;
  updatedAt: number;
}

/**
 * The level of a bucket at `nowMs`: the stored level refilled continuously, capped at capacity. A clock
 * that goes backwards (another instance slightly behind) refills nothing rather than draining.
 */
export function refilledLevel(cell: BucketCell | undefined, bucket: BucketSpec, nowMs: number): number {
  if (cell === undefined) return bucket.capacity;
  const elapsed = nowMs > cell.updatedAt ? nowMs - cell.updatedAt : 0;
  const level = cell.level + elapsed * bucket.refillPerMs;
  return Math.min(level, bucket.capacity);
}

/** Milliseconds until a bucket at `level` holds `need` (Infinity if it never will). */
export function msUntilLevel(level: number, need: number, bucket: BucketSpec): number {
  if (level >= need) return 0;
  if (need > bucket.capacity || !(bucket.refillPerMs > 0)) return Number.POSITIVE_INFINITY;
  return Math.max(1, Math.ceil((need - level) / bucket.refillPerMs));
}

/**
 * Policy state in this process's memory: the default, and the fallback while Redis is away. Every method
 * resolves at once (no timers, no I/O) and does O(takes) work, so it is cheap on the hot path.
 * @example const state = new MemoryPolicyState(); const budget = new RateBudget({ rpm: 50 }, { key: 'claude', state });
 */
export class MemoryPolicyState implements PolicyState {
  private readonly buckets = new Map<string, BucketCell>();
  private readonly breakers = new Map<string, VersionedBreakerRecord>();
  private readonly cooldowns = new Map<string, number>();
  private readonly watchers = new Set<(key: string, untilMs: number) => void>();
  private version = 0;

  /** @inheritdoc */
  takeBuckets(takes: readonly BucketTake[], nowMs: number): Promise<TakeBucketsResult> {
    const levels = new Array<number>(takes.length);
    let waitMs = 0;
    let blockedIndex = -1;
    for (let i = 0; i < takes.length; i++) {
      const take = takes[i] as BucketTake;
      const level = refilledLevel(this.buckets.get(take.bucket.key), take.bucket, nowMs);
      levels[i] = level;
      const need = take.amount + (take.floor ?? 0);
      if (level < need) {
        const wait = msUntilLevel(level, need, take.bucket);
        if (blockedIndex < 0 || wait > waitMs) {
          waitMs = wait;
          blockedIndex = i;
        }
      }
    }
    if (blockedIndex >= 0) return Promise.resolve({ ok: false, waitMs, blockedIndex, levels });
    for (let i = 0; i < takes.length; i++) {
      const take = takes[i] as BucketTake;
      const level = (levels[i] as number) - take.amount;
      levels[i] = level;
      this.store(take.bucket.key, level, nowMs);
    }
    return Promise.resolve({ ok: true, levels });
  }

  /** @inheritdoc */
  adjustBuckets(adjustments: readonly BucketAdjustment[], nowMs: number): Promise<number[]> {
    const levels = new Array<number>(adjustments.length);
    for (let i = 0; i < adjustments.length; i++) {
      const { bucket, delta } = adjustments[i] as BucketAdjustment;
      const level = Math.min(bucket.capacity, refilledLevel(this.buckets.get(bucket.key), bucket, nowMs) + delta);
      this.store(bucket.key, level, nowMs);
      levels[i] = level;
    }
    return Promise.resolve(levels);
  }

  /** @inheritdoc */
  lowerBuckets(lowerings: readonly BucketLowering[], nowMs: number): Promise<number[]> {
    const levels = new Array<number>(lowerings.length);
    for (let i = 0; i < lowerings.length; i++) {
      const { bucket, level } = lowerings[i] as BucketLowering;
      const lowered = Math.min(level, refilledLevel(this.buckets.get(bucket.key), bucket, nowMs));
      this.store(bucket.key, lowered, nowMs);
      levels[i] = lowered;
    }
    return Promise.resolve(levels);
  }

  /** @inheritdoc */
  readBuckets(buckets: readonly BucketSpec[], nowMs: number): Promise<number[]> {
    return Promise.resolve(buckets.map((bucket) => refilledLevel(this.buckets.get(bucket.key), bucket, nowMs)));
  }

  /** @inheritdoc */
  readBreaker(key: string, nowMs: number): Promise<VersionedBreakerRecord | undefined> {
    return Promise.resolve(this.liveBreaker(key, nowMs));
  }

  /** @inheritdoc */
  writeBreaker(
    key: string,
    record: BreakerRecord,
    expectedVersion: number,
    nowMs: number,
  ): Promise<WriteBreakerResult> {
    const current = this.liveBreaker(key, nowMs);
    if ((current?.version ?? 0) !== expectedVersion)
      return Promise.resolve({ ok: false, current: current && { ...current } });
    const version = ++this.version;
    this.breakers.set(key, { ...record, version });
    return Promise.resolve({ ok: true, version });
  }

  /** @inheritdoc */
  async setCooldown(key: string, untilMs: number, nowMs: number): Promise<number> {
    assertCooldownTimes('setCooldown', key, untilMs, nowMs);
    const stored = this.liveCooldown(key, nowMs);
    if (stored !== undefined && stored >= untilMs) return stored;
    if (untilMs <= nowMs) return untilMs;
    this.cooldowns.set(key, untilMs);
    for (const watcher of this.watchers) {
      try {
        watcher(key, untilMs);
      } catch {
        // A watcher must not fail the writer.
      }
    }
    return untilMs;
  }

  /** @inheritdoc */
  async readCooldown(key: string, nowMs: number): Promise<number | undefined> {
    assertCooldownTimes('readCooldown', key, nowMs);
    return this.liveCooldown(key, nowMs);
  }

  /** Listeners in this process: every lengthened cool-down, synchronously. */
  watchCooldowns(listener: (key: string, untilMs: number) => void): () => void {
    this.watchers.add(listener);
    return () => {
      this.watchers.delete(listener);
    };
  }

  /** @inheritdoc */
  close(): Promise<void> {
    this.watchers.clear();
    return Promise.resolve();
  }

  private liveCooldown(key: string, nowMs: number): number | undefined {
    const until = this.cooldowns.get(key);
    if (until === undefined) return undefined;
    if (until <= nowMs) {
      this.cooldowns.delete(key);
      return undefined;
    }
    return until;
  }

  private liveBreaker(key: string, nowMs: number): VersionedBreakerRecord | undefined {
    const record = this.breakers.get(key);
    if (record === undefined) return undefined;
    if (record.expiresAt <= nowMs) {
      this.breakers.delete(key);
      return undefined;
    }
    return { ...record };
  }

  private store(key: string, level: number, nowMs: number): void {
    const cell = this.buckets.get(key);
    if (cell === undefined) this.buckets.set(key, { level, updatedAt: nowMs });
    else {
      cell.level = level;
      if (nowMs > cell.updatedAt) cell.updatedAt = nowMs;
    }
  }
}
