/**
 * Where policy state that several failsoft instances must agree on lives: rate-budget token buckets,
 * circuit-breaker open records and provider cool-downs (a provider's Retry-After, for every instance). In
 * memory by default (`MemoryPolicyState`), Redis when `REDIS_URL` is set, so N instances spend ONE budget
 * instead of N (LiteLLM #27736 enforces TPM per pod).
 *
 * The contract lives here, in the policy layer that calls it; its implementations live one layer up, in
 * `src/state/` (memory, Redis, the fallback wrapper), so policies never depend on a backend.
 *
 * Rules every implementation keeps (proved by `src/state/policy-state.conformance.ts`):
 * - Every method is ONE atomic operation: one Redis round trip / Lua script. No read-modify-write across
 *   calls, no callbacks. Times are passed in (`nowMs`) so all instances compute refills alike and tests
 *   run on a fake clock; an implementation never reads its own clock for semantics (Redis may use its
 *   TTLs only to collect garbage that is already semantically gone).
 * - A bucket that has never been written, or whose key expired, is FULL. A bucket untouched for
 *   `capacity / refillPerMs` ms is full again, so that is its TTL.
 * - A breaker record expires at `expiresAt` (absent afterwards). Versions come from one counter per
 *   store, so a record written after another one expired still has a larger version.
 * - A cool-down only ever lengthens: a write keeps the later of the stored and the new instant, and the
 *   record is gone once that instant passes.
 */

/** One token bucket: its key, size and refill rate. Capacity and rate travel with every call (config may change). */
export interface BucketSpec {
  key: string;
  /** Largest level (e.g. the per-minute limit). */
  capacity: number;
  /** Refill per millisecond (e.g. limit / 60 000). */
  refillPerMs: number;
}

/** Take `amount` from a bucket, only if its level stays ≥ `floor` afterwards (default 0). */
export interface BucketTake {
  bucket: BucketSpec;
  amount: number;
  floor?: number;
}

/** A refund (delta > 0) or charge (delta < 0) for {@link PolicyState.adjustBuckets}. */
export interface BucketAdjustment {
  bucket: BucketSpec;
  delta: number;
}

/** A reported remaining level for {@link PolicyState.lowerBuckets}. */
export interface BucketLowering {
  bucket: BucketSpec;
  level: number;
}

/** Outcome of {@link PolicyState.takeBuckets}. */
export type TakeBucketsResult =
  /** Every take applied; `levels` are the levels after taking, in the order of the takes. */
  | { ok: true; levels: number[] }
  /**
   * Nothing was taken. `waitMs` is the time until every take would fit if nobody else took meanwhile
   * (`Infinity` when one can never fit: amount + floor above capacity, or no refill); `blockedIndex` is the
   * take that needs the longest wait; `levels` are the current levels (refilled to now).
   */
  | { ok: false; waitMs: number; blockedIndex: number; levels: number[] };

/** The shared part of a circuit breaker: whether it is open, until when, and why. */
export interface BreakerRecord {
  /** Epoch ms until which the breaker is open; 0 = closed. */
  openUntil: number;
  /** Consecutive opens since the last full close (drives the open-duration backoff). */
  openCount: number;
  /** Why it last changed, e.g. `consecutive-failures`, `long-open:auth`, `probe-succeeded`, `forced`. */
  reason: string;
  /** A long open (quota/auth/not_found or forced): no shorter open may replace it. */
  long: boolean;
  /** Epoch ms of the write. */
  updatedAt: number;
  /** Epoch ms after which the record is gone (reads return undefined). */
  expiresAt: number;
}

/** A record as stored, with the version a compare-and-set must name. */
export interface VersionedBreakerRecord extends BreakerRecord {
  version: number;
}

/** Outcome of {@link PolicyState.writeBreaker}: the new version, or the record that won. */
export type WriteBreakerResult =
  | { ok: true; version: number }
  | { ok: false; current: VersionedBreakerRecord | undefined };

/** The shared policy state. Each method maps to one atomic operation of the backend. */
export interface PolicyState {
  /**
   * Refills each bucket to `nowMs`, then takes every amount only if EVERY take keeps its bucket at or
   * above its floor (all-or-nothing). Keys must be distinct within one call.
   */
  takeBuckets(takes: readonly BucketTake[], nowMs: number): Promise<TakeBucketsResult>;
  /**
   * Refills each bucket to `nowMs`, then adds its `delta`: a refund (> 0, never above capacity) or a charge
   * (< 0; the level may go negative, so later takes wait for the debt). Returns the new levels, in order.
   * (Plural so that reconciling input, output and total tokens is one round trip.)
   */
  adjustBuckets(adjustments: readonly BucketAdjustment[], nowMs: number): Promise<number[]>;
  /**
   * Refills each bucket to `nowMs`, then sets it to min(level, reported `level`): what a provider reported
   * as remaining (it knows about usage this store does not see). Never raises. Returns the new levels.
   */
  lowerBuckets(lowerings: readonly BucketLowering[], nowMs: number): Promise<number[]>;
  /** The levels refilled to `nowMs`, in order (does not need to write). */
  readBuckets(buckets: readonly BucketSpec[], nowMs: number): Promise<number[]>;
  /** The breaker record, or undefined when absent or expired at `nowMs`. */
  readBreaker(key: string, nowMs: number): Promise<VersionedBreakerRecord | undefined>;
  /**
   * Compare-and-set: writes `record` only if the stored version equals `expectedVersion` (0 = no record, or
   * an expired one). On success returns the new version; otherwise the current record, so the caller can
   * merge without another round trip.
   */
  writeBreaker(key: string, record: BreakerRecord, expectedVersion: number, nowMs: number): Promise<WriteBreakerResult>;
  /**
   * Cools `key` (a provider) down until `untilMs` (epoch ms), keeping the later of the stored and the new
   * instant; the record expires at that instant. Returns the instant now stored (`untilMs` itself when it
   * is already past and nothing later was stored). Throws a `RangeError` for a non-finite time.
   */
  setCooldown(key: string, untilMs: number, nowMs: number): Promise<number>;
  /** The instant until which `key` cools down, or undefined when there is none at `nowMs`. */
  readCooldown(key: string, nowMs: number): Promise<number | undefined>;
  /**
   * Calls `listener` whenever any instance lengthens a cool-down (Redis: pub/sub), so a reader learns of it
   * without a round trip per request. Optional: without it, readers poll `readCooldown`. Delivery is best
   * effort (a message sent while the subscription reconnects is missed), so readers still poll, rarely.
   * Returns the function that stops listening.
   */
  watchCooldowns?(listener: (key: string, untilMs: number) => void): () => void;
  /** Releases connections (no-op in memory). */
  close(): Promise<void>;
}
