import type { Clock } from '../model/clock.js';
import type {
  AcquireOptions,
  RateDimension,
  RateRequest,
  RateReservation,
  ReserveResult,
} from './rate-budget-types.js';
import { throwIfCancelled, type CancelSignal } from '../model/cancel-signal.js';

/** What the queue needs from its budget. */
export interface ReservationQueueHooks {
  clock: Clock;
  /** Takes budget for the request if it fits now (atomic). */
  attempt(request: RateRequest): Promise<ReserveResult>;
  /** How long until the request would fit, without taking anything. */
  estimate(request: RateRequest): Promise<{ waitMs: number; dimension: RateDimension }>;
  /** Gives back a reservation that nobody will use (its waiter went away meanwhile). */
  cancel(reservation: RateReservation): void;
}

interface Waiter {
  request: RateRequest;
  resolve: (result: ReserveResult) => void;
  reject: (reason: unknown) => void;
  deadlineAt: number;
  lastWaitMs: number;
  dimension: RateDimension;
  settled: boolean;
  timer: AbortController | undefined;
  signal: CancelSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * The fair waiting line of a rate budget: interactive waiters are served before batch ones, FIFO within
 * a priority. Only the head is retried, and it sleeps exactly until it would fit (the store's `waitMs`);
 * a refund, a new head or a departure wakes it early. No polling.
 */
export class ReservationQueue {
  private readonly interactive: Waiter[] = [];
  private readonly batch: Waiter[] = [];
  private pumping = false;
  private dirty = false;
  private wake: AbortController | undefined;

  constructor(private readonly hooks: ReservationQueueHooks) {}

  /** Waiters in line (interactive, batch). */
  get length(): { interactive: number; batch: number } {
    return { interactive: this.interactive.length, batch: this.batch.length };
  }

  /** Reserves now, or waits in line up to `maxWaitMs`; rejects with the signal's reason on abort. */
  async acquire(request: RateRequest, options: AcquireOptions): Promise<ReserveResult> {
    const { signal, maxWaitMs } = options;
    throwIfCancelled(signal);
    let waitMs: number;
    let dimension: RateDimension;
    if (!this.hasAhead(request.priority)) {
      const first = await this.hooks.attempt(request);
      if (signal?.aborted) {
        if (first.ok) this.hooks.cancel(first.reservation);
        throw signal.reason;
      }
      if (first.ok || !(first.waitMs <= maxWaitMs)) return first;
      ({ waitMs, dimension } = first);
    } else {
      ({ waitMs, dimension } = await this.hooks.estimate(request));
      throwIfCancelled(signal);
      if (!(waitMs <= maxWaitMs)) return { ok: false, waitMs, dimension };
    }
    return this.enqueue(request, maxWaitMs, signal, waitMs, dimension);
  }

  /** Wakes the head to try again now (call after budget was given back). */
  kick(): void {
    if (this.interactive.length + this.batch.length === 0) return;
    if (!this.pumping) {
      void this.pump();
      return;
    }
    this.dirty = true;
    this.wake?.abort();
  }

  private hasAhead(priority: RateRequest['priority']): boolean {
    return this.interactive.length > 0 || (priority === 'batch' && this.batch.length > 0);
  }

  private peek(): Waiter | undefined {
    return this.interactive[0] ?? this.batch[0];
  }

  private enqueue(
    request: RateRequest,
    maxWaitMs: number,
    signal: CancelSignal | undefined,
    waitMs: number,
    dimension: RateDimension,
  ): Promise<ReserveResult> {
    return new Promise<ReserveResult>((resolve, reject) => {
      const waiter: Waiter = {
        request,
        resolve,
        reject,
        signal,
        dimension,
        deadlineAt: this.hooks.clock.now() + maxWaitMs,
        lastWaitMs: waitMs,
        settled: false,
        timer: undefined,
        onAbort: undefined,
      };
      (request.priority === 'interactive' ? this.interactive : this.batch).push(waiter);
      if (signal) {
        waiter.onAbort = () => this.settle(waiter, () => reject(signal.reason));
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      if (Number.isFinite(maxWaitMs)) {
        waiter.timer = new AbortController();
        this.hooks.clock.sleep(maxWaitMs, waiter.timer.signal).then(
          () =>
            this.settle(waiter, () => resolve({ ok: false, waitMs: waiter.lastWaitMs, dimension: waiter.dimension })),
          () => undefined,
        );
      }
      if (this.peek() === waiter) this.kick();
    });
  }

  /** Removes a waiter once, cleans up its timer and listener, then runs `finish`. */
  private settle(waiter: Waiter, finish: () => void): void {
    if (waiter.settled) return;
    waiter.settled = true;
    const wasHead = this.peek() === waiter;
    const line = waiter.request.priority === 'interactive' ? this.interactive : this.batch;
    const index = line.indexOf(waiter);
    if (index >= 0) line.splice(index, 1);
    waiter.timer?.abort();
    if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
    finish();
    if (wasHead) this.kick();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      for (let head = this.peek(); head !== undefined; head = this.peek()) {
        this.dirty = false;
        let result: ReserveResult;
        try {
          result = await this.hooks.attempt(head.request);
        } catch (error) {
          const failed = head;
          this.settle(failed, () => failed.reject(error));
          continue;
        }
        const waiter = head;
        if (waiter.settled) {
          if (result.ok) this.hooks.cancel(result.reservation);
          continue;
        }
        if (result.ok) {
          this.settle(waiter, () => waiter.resolve(result));
          continue;
        }
        waiter.lastWaitMs = result.waitMs;
        waiter.dimension = result.dimension;
        if (!(result.waitMs <= waiter.deadlineAt - this.hooks.clock.now())) {
          this.settle(waiter, () => waiter.resolve(result)); // cannot fit in time: say so now
          continue;
        }
        if (this.dirty || this.peek() !== waiter) continue;
        this.wake = new AbortController();
        await this.hooks.clock.sleep(result.waitMs, this.wake.signal).catch(() => undefined);
        this.wake = undefined;
      }
    } finally {
      this.pumping = false;
    }
  }
}
