import type { Clock } from '../model/clock.js';
import { CancelSource, type CancelSignal } from '../model/cancel-signal.js';
import { FailsoftError } from '../model/errors.js';
import type { StageTimeouts } from './liveness.js';

/** The stage an attempt was in when it went silent for too long. */
export type LivenessStage = 'accepted' | 'first-content' | 'idle';

const STALLED = Symbol.for('failsoft.attempt-stalled');

/** An attempt went silent past its stage's timeout: the abort reason of its signal. */
export class AttemptStalledError extends FailsoftError {
  readonly [STALLED] = true;
  readonly stage: LivenessStage;
  readonly timeoutMs: number;

  constructor(stage: LivenessStage, timeoutMs: number) {
    super(
      stage === 'accepted'
        ? `not accepted (no response headers) within ${timeoutMs} ms`
        : stage === 'first-content'
          ? `no first token within ${timeoutMs} ms`
          : `stream stalled: no data for ${timeoutMs} ms`,
    );
    this.stage = stage;
    this.timeoutMs = timeoutMs;
  }

  /** True for an AttemptStalledError from any copy of the package. */
  static override isInstance(value: unknown): value is AttemptStalledError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[STALLED] === true;
  }
}

/**
 * Watches one attempt's liveness and owns its cancellation: `signal` aborts when a stage's timeout
 * passes (reason `AttemptStalledError`), when a linked parent aborts (the deadline, the caller), or on
 * `cancel` (another attempt won). Stages move forward with `accepted()`, `firstContent()` and
 * `progress()`. One timer at a time; progress only stamps the time, and the idle timer re-arms itself
 * for what is left when it fires early, so a fast stream costs no timer per chunk.
 * @example
 * const watch = new AttemptWatch(clock, { headersMs: 2500, firstContentMs: 10000, idleMs: 15000 }, { streaming: true });
 * watch.link(deadline.signal);
 * const stream = await adapter.stream(model, call, { signal: watch.signal }); watch.accepted();
 */
export class AttemptWatch {
  readonly signal = new CancelSource();
  /** Set when a stage timed out. */
  stalled: AttemptStalledError | undefined;
  readonly startedAt: number;
  private stage: LivenessStage;
  private lastProgressAt: number;
  private cancelTimer: (() => void) | undefined;
  private readonly unlinks = new Map<CancelSignal, () => void>();

  constructor(
    private readonly clock: Clock,
    readonly timeouts: StageTimeouts,
    options: { streaming: boolean },
  ) {
    this.startedAt = clock.now();
    this.lastProgressAt = this.startedAt;
    // A non-streamed call shows nothing until its whole answer: only the first-content bound applies.
    this.stage = options.streaming ? 'accepted' : 'first-content';
    this.arm(this.stage === 'accepted' ? timeouts.headersMs : timeouts.firstContentMs);
  }

  /** Aborts with `parent` (e.g. the deadline or the caller); `unlink(parent)` undoes it. */
  link(parent: CancelSignal): void {
    if (parent.aborted) return this.cancel(parent.reason);
    const onAbort = (): void => this.cancel(parent.reason);
    parent.addEventListener('abort', onAbort, { once: true });
    this.unlinks.set(parent, () => parent.removeEventListener('abort', onAbort));
  }

  /** Stops following `parent` (a stream that won no longer answers to the request's deadline). */
  unlink(parent: CancelSignal): void {
    this.unlinks.get(parent)?.();
    this.unlinks.delete(parent);
  }

  /** The provider accepted the request (response headers). */
  accepted(): void {
    if (this.stage !== 'accepted') return;
    this.stage = 'first-content';
    this.arm(this.timeouts.firstContentMs - (this.clock.now() - this.startedAt));
  }

  /** The first content arrived: from now on only silence longer than `idleMs` stalls the attempt. */
  firstContent(): void {
    if (this.stage === 'idle') return;
    this.stage = 'idle';
    this.lastProgressAt = this.clock.now();
    this.arm(this.timeouts.idleMs);
  }

  /** Any later event of the answer. */
  progress(): void {
    this.lastProgressAt = this.clock.now();
  }

  /** Aborts the attempt with `reason` and stops watching. */
  cancel(reason: unknown): void {
    this.dispose();
    this.signal.cancel(reason);
  }

  /** Stops the timer and the links (the signal stays as it is). */
  dispose(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    for (const unlink of this.unlinks.values()) unlink();
    this.unlinks.clear();
  }

  private arm(ms: number): void {
    this.cancelTimer?.();
    if (this.signal.aborted) return;
    this.cancelTimer = this.clock.timer(Math.max(0, ms), () => this.fire());
  }

  private fire(): void {
    this.cancelTimer = undefined;
    if (this.stage === 'idle') {
      const silentFor = this.clock.now() - this.lastProgressAt;
      if (silentFor < this.timeouts.idleMs) return this.arm(this.timeouts.idleMs - silentFor);
    }
    const timeoutMs =
      this.stage === 'accepted'
        ? this.timeouts.headersMs
        : this.stage === 'first-content'
          ? this.timeouts.firstContentMs
          : this.timeouts.idleMs;
    this.stalled = new AttemptStalledError(this.stage, timeoutMs);
    this.cancel(this.stalled);
  }
}
