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
 * scope `request`) or when the parent aborts, and per-attempt child signals bounded by both. Timing
 * uses the injected clock's `sleep`, so FakeClock tests work. Order (anchors.md): total timeout →
 * retry → breaker → attempt timeout. Call `dispose()` when the request ends to clear the timers.
 * @example
 * const deadline = new Deadline({ timeoutMs: 30_000, clock, parent: req.signal });
 * try { await adapter.send(request, deadline.child(10_000)); } finally { deadline.dispose(); }
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
  /** The attempts' controllers: aborted with this deadline (a list, not one abort listener each). */
  private readonly children: CancelSource[] = [];
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
      this.cleanups.push(this.clock.timer(timeoutMs, () => this.abort(new DeadlineExceededError('request', timeoutMs))));
    }
  }

  private abort(reason: unknown): void {
    if (this.abortReason !== undefined) return;
    this.abortReason = { reason };
    this.controller?.cancel(reason);
    for (const child of this.children) child.cancel(reason);
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
   * A signal for one attempt: aborts after `attemptTimeoutMs` (reason: `DeadlineExceededError` with scope
   * `attempt`) or with this deadline, whichever comes first.
   * @example await adapter.send(request, deadline.child(route.attemptTimeoutMs));
   */
  child(attemptTimeoutMs?: number): CancelSignal {
    return this.attempt(attemptTimeoutMs).signal;
  }

  /**
   * Like `child`, with `answered()` to call once the attempt has its answer (headers, or a stream's first
   * event): the attempt timer stops, while the signal still follows this deadline (a stream keeps reading).
   * @example const a = deadline.attempt(10_000); const reply = await send(a.signal); a.answered();
   */
  attempt(attemptTimeoutMs?: number): { signal: CancelSignal; answered(): void } {
    const child = new CancelSource();
    if (this.abortReason !== undefined) {
      child.cancel(this.abortReason.reason);
      return { signal: child, answered: noop };
    }
    this.children.push(child);
    let answered = noop;
    if (attemptTimeoutMs !== undefined && Number.isFinite(attemptTimeoutMs)) {
      const timeoutMs = Math.max(0, attemptTimeoutMs);
      if (timeoutMs < this.deadlineAt - this.clock.now()) {
        const cancel = this.clock.timer(timeoutMs, () => child.cancel(new DeadlineExceededError('attempt', timeoutMs)));
        this.cleanups.push(cancel);
        answered = cancel;
      }
    }
    return { signal: child, answered };
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
    if (controller === undefined || this.abortReason !== undefined || !(timeoutMs < this.deadlineAt - this.clock.now())) {
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
    this.children.length = 0;
  }
}

function noop(): void {}
