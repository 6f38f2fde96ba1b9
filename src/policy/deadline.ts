import { systemClock, type Clock } from '../model/clock.js';
import { CancelSource, type CancelSignal } from '../model/cancel-signal.js';
import { DeadlineExceededError } from './policy-errors.js';

/** Options of {@link Deadline}. */
export interface DeadlineOptions {
  /** The whole request's budget of time (Infinity: none, only the parent can abort). */
  timeoutMs: number;
  clock?: Clock;
  /** The caller's signal (e.g. the client disconnected): aborts the deadline too, with its reason. */
  parent?: CancelSignal;
}

/**
 * A request's deadline: one `signal` that aborts at the deadline (reason: `DeadlineExceededError` with
 * scope `request`) or when the parent aborts, and attempt timeouts on that signal (`timedAttempt`). Timers
 * come from the injected clock's `timer`, so FakeClock tests work. Order: total timeout →
 * retry → breaker → attempt timeout. Call `dispose()` when the request ends to clear the timers.
 * @example
 * const deadline = new Deadline({ timeoutMs: 30_000, clock, parent: req.signal });
 * const attempt = deadline.timedAttempt(10_000);
 * try { await adapter.send(request, attempt.signal); } finally { attempt.answered(); deadline.dispose(); }
 */
export class Deadline {
  /** Epoch ms at which the request's time is up. */
  readonly deadlineAt: number;
  private readonly clock: Clock;
  /**
   * The signal's source, made on first use of `signal`: a CancelSource, not an AbortController, because
   * Node spends microseconds creating each AbortSignal and one is needed for every routed request.
   */
  private controller: CancelSource | undefined;
  /** Set once the deadline passed or the parent aborted. */
  private abortReason: { reason: unknown } | undefined;
  /** Cancels timers and the parent listener; run by dispose(). */
  private readonly cleanups: Array<() => void> = [];

  constructor(options: DeadlineOptions) {
    this.clock = options.clock ?? systemClock;
    const timeoutMs = Math.max(0, options.timeoutMs);
    this.deadlineAt = this.clock.now() + timeoutMs;
    const parent = options.parent;
    if (parent?.aborted) this.abortReason = { reason: parent.reason };
    else if (parent) {
      const onParentAbort = (): void => this.abort(parent.reason);
      parent.addEventListener('abort', onParentAbort, { once: true });
      this.cleanups.push(() => parent.removeEventListener('abort', onParentAbort));
    }
    if (Number.isFinite(timeoutMs) && this.abortReason === undefined) {
      this.cleanups.push(
        this.clock.timer(timeoutMs, () => this.abort(new DeadlineExceededError('request', timeoutMs))),
      );
    }
  }

  private abort(reason: unknown): void {
    if (this.abortReason !== undefined) return;
    this.abortReason = { reason };
    this.controller?.cancel(reason);
  }

  /** Aborts at the deadline or with the parent. */
  get signal(): CancelSignal {
    if (this.controller === undefined) {
      this.controller = new CancelSource();
      if (this.abortReason !== undefined) this.controller.cancel(this.abortReason.reason);
    }
    return this.controller;
  }

  /** True once the deadline passed or the parent aborted (the signal has fired, or would have). */
  get aborted(): boolean {
    return this.abortReason !== undefined;
  }

  /** Milliseconds left (0 once passed or aborted). */
  remainingMs(): number {
    if (this.abortReason !== undefined) return 0;
    return Math.max(0, this.deadlineAt - this.clock.now());
  }

  /** True once the deadline passed or the parent aborted. */
  get expired(): boolean {
    return this.abortReason !== undefined || this.clock.now() >= this.deadlineAt;
  }

  /**
   * One attempt at a time on this deadline's own signal, with a timeout: when it fires, the signal aborts
   * (reason: `DeadlineExceededError`, scope `attempt`) and what follows gets a fresh one. Saves an
   * signal per attempt for callers that never overlap attempts,
   * like the router; `answered()` stops the timer.
   * @example const a = deadline.timedAttempt(10_000); try { await send(a.signal); } finally { a.answered(); }
   */
  timedAttempt(attemptTimeoutMs: number): { signal: CancelSignal; answered(): void } {
    const signal = this.signal;
    const controller = this.controller;
    const timeoutMs = Math.max(0, attemptTimeoutMs);
    if (
      controller === undefined ||
      this.abortReason !== undefined ||
      !(timeoutMs < this.deadlineAt - this.clock.now())
    ) {
      return { signal, answered: noop };
    }
    const cancel = this.clock.timer(timeoutMs, () => {
      if (this.controller === controller) this.controller = undefined;
      controller.cancel(new DeadlineExceededError('attempt', timeoutMs));
    });
    this.cleanups.push(cancel);
    return { signal, answered: cancel };
  }

  /** Clears every timer and listener (the signals stay as they are). */
  dispose(): void {
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }
}

function noop(): void {}
