import { systemClock, type Clock } from '../model/clock.js';
import { DeadlineExceededError } from './policy-errors.js';

/** Options of {@link Deadline}. */
export interface DeadlineOptions {
  /** The whole request's budget of time (Infinity: none, only the parent can abort). */
  timeoutMs: number;
  clock?: Clock;
  /** The caller's signal (e.g. the client disconnected): aborts the deadline too, with its reason. */
  parent?: AbortSignal;
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
  private readonly controller = new AbortController();
  /** Aborted by dispose(): cancels every pending sleep of this deadline and its children. */
  private readonly timers = new AbortController();
  private readonly cleanups: Array<() => void> = [];

  constructor(options: DeadlineOptions) {
    this.clock = options.clock ?? systemClock;
    const timeoutMs = Math.max(0, options.timeoutMs);
    this.deadlineAt = this.clock.now() + timeoutMs;
    const parent = options.parent;
    if (parent?.aborted) this.controller.abort(parent.reason);
    else if (parent) {
      const onParentAbort = (): void => this.controller.abort(parent.reason);
      parent.addEventListener('abort', onParentAbort, { once: true });
      this.cleanups.push(() => parent.removeEventListener('abort', onParentAbort));
    }
    if (Number.isFinite(timeoutMs) && !this.controller.signal.aborted) {
      this.clock.sleep(timeoutMs, this.timers.signal).then(
        () => this.controller.abort(new DeadlineExceededError('request', timeoutMs)),
        () => undefined,
      );
    }
  }

  /** Aborts at the deadline or with the parent. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Milliseconds left (0 once passed or aborted). */
  remainingMs(): number {
    if (this.controller.signal.aborted) return 0;
    return Math.max(0, this.deadlineAt - this.clock.now());
  }

  /** True once the deadline passed or the parent aborted. */
  get expired(): boolean {
    return this.controller.signal.aborted || this.clock.now() >= this.deadlineAt;
  }

  /**
   * A signal for one attempt: aborts after `attemptTimeoutMs` (reason: `DeadlineExceededError` with scope
   * `attempt`) or with this deadline, whichever comes first.
   * @example await adapter.send(request, deadline.child(route.attemptTimeoutMs));
   */
  child(attemptTimeoutMs?: number): AbortSignal {
    const child = new AbortController();
    const parent = this.controller.signal;
    if (parent.aborted) {
      child.abort(parent.reason);
      return child.signal;
    }
    const onAbort = (): void => child.abort(parent.reason);
    parent.addEventListener('abort', onAbort, { once: true });
    this.cleanups.push(() => parent.removeEventListener('abort', onAbort));
    if (attemptTimeoutMs !== undefined && Number.isFinite(attemptTimeoutMs)) {
      const timeoutMs = Math.max(0, attemptTimeoutMs);
      if (timeoutMs < this.deadlineAt - this.clock.now()) {
        this.clock.sleep(timeoutMs, AbortSignal.any([this.timers.signal, child.signal])).then(
          () => child.abort(new DeadlineExceededError('attempt', timeoutMs)),
          () => undefined,
        );
      }
    }
    return child.signal;
  }

  /** Clears every timer and listener (the signals stay as they are). */
  dispose(): void {
    this.timers.abort();
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }
}
