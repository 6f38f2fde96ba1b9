import { BulkheadRejectedError } from './policy-errors.js';
import type { CancelSignal } from '../model/cancel-signal.js';

/** Options of {@link Bulkhead}. */
export interface BulkheadOptions {
  /** Calls running at once. */
  maxConcurrent: number;
  /** Calls allowed to wait for a slot; one more is rejected at once. */
  maxQueue: number;
}

/** A point-in-time view of a {@link Bulkhead}. */
export interface BulkheadSnapshot {
  active: number;
  queued: number;
  maxConcurrent: number;
  maxQueue: number;
  rejected: number;
}

interface Waiter {
  resolve: (release: () => void) => void;
  reject: (reason: unknown) => void;
  signal: CancelSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * Limits concurrent calls to one provider so a slow one cannot absorb every connection. When all slots
 * and the queue are taken, `acquire` rejects at once with `BulkheadRejectedError`: the router moves on
 * to the next provider instead of waiting.
 * @example
 * const release = await bulkhead.acquire(signal);
 * try { return await send(); } finally { release(); }
 */
export class Bulkhead {
  private active = 0;
  private rejected = 0;
  private readonly queue: Waiter[] = [];
  private readonly maxConcurrent: number;
  private readonly maxQueue: number;

  constructor(options: BulkheadOptions) {
    if (!(options.maxConcurrent >= 1)) throw new RangeError('maxConcurrent must be ≥ 1');
    if (!(options.maxQueue >= 0)) throw new RangeError('maxQueue must be ≥ 0');
    this.maxConcurrent = options.maxConcurrent;
    this.maxQueue = options.maxQueue;
  }

  /** A slot now, a place in the queue, or `BulkheadRejectedError` at once; rejects with the signal's reason on abort. */
  acquire(signal?: CancelSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.active < this.maxConcurrent) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    if (this.queue.length >= this.maxQueue) {
      this.rejected++;
      return Promise.reject(new BulkheadRejectedError(this.maxConcurrent, this.maxQueue));
    }
    return new Promise<() => void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          const index = this.queue.indexOf(waiter);
          if (index >= 0) this.queue.splice(index, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.queue.push(waiter);
    });
  }

  /**
   * Runs `fn` in a slot, releasing it afterwards.
   * @example const answer = await bulkhead.execute(() => adapter.send(request, signal), signal);
   */
  async execute<T>(fn: () => Promise<T>, signal?: CancelSignal): Promise<T> {
    const release = await this.acquire(signal);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Current occupancy. */
  snapshot(): BulkheadSnapshot {
    return {
      active: this.active,
      queued: this.queue.length,
      maxConcurrent: this.maxConcurrent,
      maxQueue: this.maxQueue,
      rejected: this.rejected,
    };
  }

  /** Same as {@link snapshot}. */
  toJSON(): BulkheadSnapshot {
    return this.snapshot();
  }

  /** A release function that works once: hands the slot to the next waiter, or frees it. */
  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      if (next === undefined) {
        this.active--;
        return;
      }
      if (next.onAbort) next.signal?.removeEventListener('abort', next.onAbort);
      next.resolve(this.releaser());
    };
  }
}
