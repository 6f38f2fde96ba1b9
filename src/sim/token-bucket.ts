import type { Clock } from '../model/clock.js';

const MS_PER_MINUTE = 60_000;

/**
 * A per-minute token bucket as providers run them: capacity = the per-minute limit, refilled
 * continuously at limit / 60 000 per millisecond, starting full. `take` may drive the level negative
 * (debts such as output tokens counted after the answer); the bucket then refills from below zero.
 * @example const rpm = new TokenBucket(60, systemClock); if (rpm.has(1)) rpm.take(1);
 */
export class TokenBucket {
  private level: number;
  private updatedAt: number;
  private readonly refillPerMs: number;

  constructor(
    readonly capacity: number,
    private readonly clock: Clock,
  ) {
    this.level = capacity;
    this.updatedAt = clock.now();
    this.refillPerMs = capacity / MS_PER_MINUTE;
  }

  /** The current level after refilling (may be negative, never above capacity). */
  available(): number {
    const now = this.clock.now();
    if (now > this.updatedAt) {
      this.level = Math.min(this.capacity, this.level + (now - this.updatedAt) * this.refillPerMs);
      this.updatedAt = now;
    }
    return this.level;
  }

  /** Does the bucket hold at least `amount`? */
  has(amount: number): boolean {
    return this.available() >= amount;
  }

  /** Removes `amount` (the level may go negative). */
  take(amount: number): void {
    this.level = this.available() - amount;
  }

  /** Returns `amount` to the bucket, never above capacity. */
  give(amount: number): void {
    this.level = Math.min(this.capacity, this.available() + amount);
  }

  /** Milliseconds until the bucket holds `amount` (0 if it does now). */
  msUntil(amount: number): number {
    const missing = amount - this.available();
    return missing <= 0 ? 0 : Math.ceil(missing / this.refillPerMs);
  }

  /** Milliseconds until the bucket is full again. */
  msUntilFull(): number {
    return this.msUntil(this.capacity);
  }
}
