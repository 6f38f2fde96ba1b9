import { systemClock, type Clock } from '../model/clock.js';
import { ERROR_POLICY, ProviderError, type ErrorClass } from '../model/errors.js';
import type { PolicyState } from './policy-state.js';
import { BreakerSync } from './breaker-sync.js';
import { BreakerOpenError, DeadlineExceededError } from './policy-errors.js';
import { SlidingWindow } from './sliding-window.js';

/** The three states of a circuit breaker. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** Permission to make one attempt. A `probe` is a half-open trial call whose outcome decides the state. */
export interface BreakerPermit {
  readonly allowed: true;
  readonly probe: boolean;
  /** The breaker generation the permit belongs to: outcomes of permits from an earlier state are stale. */
  readonly generation: number;
}

/** The breaker refuses: skip this provider (never wait on an open breaker). */
export interface BreakerDenied {
  readonly allowed: false;
  /** Until a probe may go; undefined while forced open with no end (an operator must close it). */
  readonly retryAfterMs: number | undefined;
}

/** What an outcome does to the breaker: `ERROR_POLICY[class].breaker` ('none' is the same as recordNeutral). */
export type BreakerEffect = 'count' | 'open-long' | 'none';

/** A state change, as reported to `onTransition` listeners. `from === to === 'open'` when an open is extended. */
export interface BreakerTransition {
  key: string;
  from: BreakerState;
  to: BreakerState;
  /** e.g. `consecutive-failures`, `failure-ratio`, `open-elapsed`, `probe-failed`, `probe-succeeded`, `long-open:auth`, `forced`, `shared:<reason>`. */
  reason: string;
  /** For `to: 'open'`: how long until the breaker lets a probe through. */
  retryAfterMs?: number;
  at: number;
}

/** Options of {@link CircuitBreaker} (defaults in brackets). */
export interface CircuitBreakerOptions {
  /** Usually `provider:model`. */
  key: string;
  clock?: Clock;
  /** Shared state: publishes and reads open records so instances agree. Omit for a local breaker. */
  state?: PolicyState;
  /** How often (at most) `tryAcquire` refreshes the shared record in the background [1 000 ms]. */
  syncIntervalMs?: number;
  /** Consecutive counted failures that open [5]. */
  consecutiveFailures?: number;
  /** Failure ratio over the window that opens, once `minimumVolume` calls were seen [0.5]. */
  failureRatio?: number;
  /** Calls in the window before the ratio applies [10]. */
  minimumVolume?: number;
  /** Window of the failure ratio [30 000 ms]. */
  windowMs?: number;
  /** First open duration [5 000 ms]. */
  openMs?: number;
  /** Longest open duration reached by backoff [300 000 ms]. */
  maxOpenMs?: number;
  /** Growth of the open duration on each re-open after a failed probe; resets after a full close [2]. */
  openBackoffFactor?: number;
  /** Concurrent probes allowed in half-open [1]. */
  halfOpenMaxProbes?: number;
  /** Consecutive probe successes that close [1]. */
  probesToClose?: number;
  /** Open duration for quota / auth / not_found [600 000 ms]. */
  longOpenMs?: number;
  /** `retryAfterMs` given to calls denied because every probe slot is taken [1 000 ms]. */
  halfOpenRetryAfterMs?: number;
}

/** A serialisable view of a breaker (`toJSON`). */
export interface CircuitBreakerSnapshot {
  key: string;
  state: BreakerState;
  /** Epoch ms until which it is open (0 when closed). */
  openUntil: number;
  /** Opens since the last full close. */
  openCount: number;
  reason: string;
  long: boolean;
  consecutiveFailures: number;
  windowFailures: number;
  windowSuccesses: number;
  probesInFlight: number;
  probeSuccesses: number;
  generation: number;
  /** Failed reads/writes of the shared state (the breaker keeps working locally). */
  stateErrors: number;
}

/** How `execute` maps an error to a breaker effect. */
export type OutcomeClassifier = (error: unknown) => { effect: BreakerEffect; errorClass?: ErrorClass };

/** An open until this instant lasts until `forceClose`. */
export const OPEN_FOREVER = Number.MAX_SAFE_INTEGER;
const SUCCESSES = 0;
const FAILURES = 1;

/**
 * The default outcome classification: provider errors by the taxonomy (`ERROR_POLICY[class].breaker`),
 * an attempt timeout counts, the request's own deadline or an abort says nothing, anything else counts.
 */
export function classifyBreakerOutcome(error: unknown): { effect: BreakerEffect; errorClass?: ErrorClass } {
  if (ProviderError.isInstance(error)) return { effect: ERROR_POLICY[error.class].breaker, errorClass: error.class };
  if (DeadlineExceededError.isInstance(error)) return { effect: error.scope === 'attempt' ? 'count' : 'none' };
  if (error instanceof Error && error.name === 'AbortError') return { effect: 'none' };
  return { effect: 'count' };
}

/**
 * A circuit breaker for one provider+model with true half-open probing: after the open period only
 * `halfOpenMaxProbes` trial calls go through; `probesToClose` successes close it, a failed probe re-opens
 * it for longer (`openMs · factor^n`, capped). quota/auth/not_found open it long, and a long open is never
 * shortened by a later short one (LiteLLM #40130). Counters are local; the open record is shared through
 * `PolicyState` when given (see breaker-sync.ts for the trade-off). No timers: half-open is entered when
 * `tryAcquire` is called after the open period.
 * @example
 * const breaker = new CircuitBreaker({ key: 'anthropic:claude-sonnet-4' });
 * const permit = breaker.tryAcquire();
 * if (!permit.allowed) return skip(permit.retryAfterMs);
 * try { const r = await call(); breaker.recordSuccess(permit); return r; }
 * catch (e) { breaker.recordFailure(permit, ERROR_POLICY[e.class].breaker, e.class); throw e; }
 */
export class CircuitBreaker {
  readonly key: string;
  private readonly clock: Clock;
  private readonly options: Required<Omit<CircuitBreakerOptions, 'key' | 'clock' | 'state'>>;
  private readonly window: SlidingWindow;
  private readonly listeners = new Set<(transition: BreakerTransition) => void>();
  private readonly sync: BreakerSync | undefined;
  private current: BreakerState = 'closed';
  private openUntil = 0;
  private openCount = 0;
  private reason = 'initial';
  private long = false;
  private consecutive = 0;
  private probesInFlight = 0;
  private probeSuccesses = 0;
  private generation = 0;
  private closedPermit: BreakerPermit = { allowed: true, probe: false, generation: 0 };

  constructor(options: CircuitBreakerOptions) {
    this.key = options.key;
    this.clock = options.clock ?? systemClock;
    this.options = {
      syncIntervalMs: options.syncIntervalMs ?? 1_000,
      consecutiveFailures: options.consecutiveFailures ?? 5,
      failureRatio: options.failureRatio ?? 0.5,
      minimumVolume: options.minimumVolume ?? 10,
      windowMs: options.windowMs ?? 30_000,
      openMs: options.openMs ?? 5_000,
      maxOpenMs: options.maxOpenMs ?? 300_000,
      openBackoffFactor: options.openBackoffFactor ?? 2,
      halfOpenMaxProbes: options.halfOpenMaxProbes ?? 1,
      probesToClose: options.probesToClose ?? 1,
      longOpenMs: options.longOpenMs ?? 600_000,
      halfOpenRetryAfterMs: options.halfOpenRetryAfterMs ?? 1_000,
    };
    for (const [name, value] of Object.entries(this.options)) {
      if (!(value >= 0) || Number.isNaN(value)) throw new RangeError(`CircuitBreaker ${name} must be ≥ 0`);
    }
    if (this.options.halfOpenMaxProbes < 1 || this.options.probesToClose < 1)
      throw new RangeError('halfOpenMaxProbes and probesToClose must be ≥ 1');
    this.window = new SlidingWindow(this.options.windowMs, 2);
    this.sync =
      options.state &&
      new BreakerSync(this, options.state, this.clock, this.options.syncIntervalMs, this.options.maxOpenMs);
  }

  /** The current state (half-open is entered lazily by `tryAcquire` once the open period is over). */
  get state(): BreakerState {
    return this.current;
  }

  /**
   * While open: ms until a probe may go (undefined when forced open with no end). Closed or half-open: 0.
   * @example breaker.reopensInMs() // 29_500 after a 30 s long open
   */
  reopensInMs(): number | undefined {
    if (this.current !== 'open') return 0;
    if (this.openUntil === OPEN_FOREVER) return undefined;
    return Math.max(0, this.openUntil - this.clock.now());
  }

  /** Permission for one attempt, or how long to skip this provider. O(1), no allocation when closed. */
  tryAcquire(): BreakerPermit | BreakerDenied {
    const now = this.clock.now();
    this.sync?.maybeRefresh(now);
    if (this.current === 'closed') return this.closedPermit;
    if (this.current === 'open') {
      if (now < this.openUntil)
        return { allowed: false, retryAfterMs: this.openUntil === OPEN_FOREVER ? undefined : this.openUntil - now };
      this.transition('half-open', 'open-elapsed', now);
    }
    if (this.probesInFlight >= this.options.halfOpenMaxProbes)
      return { allowed: false, retryAfterMs: this.options.halfOpenRetryAfterMs };
    this.probesInFlight++;
    return { allowed: true, probe: true, generation: this.generation };
  }

  /** Records a success of the attempt made under `permit`. */
  recordSuccess(permit: BreakerPermit): void {
    if (permit.generation !== this.generation) return;
    const now = this.clock.now();
    if (permit.probe) {
      if (this.current !== 'half-open') return;
      this.probesInFlight = Math.max(0, this.probesInFlight - 1);
      if (++this.probeSuccesses >= this.options.probesToClose) this.close('probe-succeeded', now, true);
      return;
    }
    if (this.current !== 'closed') return;
    this.consecutive = 0;
    this.window.add(SUCCESSES, now);
  }

  /**
   * Records a failure. `count` feeds the consecutive and ratio triggers (or re-opens from a probe);
   * `open-long` opens for `longOpenMs` at once, even from a stale permit; `none` is a neutral outcome.
   */
  recordFailure(permit: BreakerPermit, effect: BreakerEffect, errorClass?: ErrorClass): void {
    if (effect === 'none') return this.recordNeutral(permit);
    const now = this.clock.now();
    if (effect === 'open-long') {
      this.openFor(now + this.options.longOpenMs, `long-open:${errorClass ?? 'unknown'}`, true, now);
      return;
    }
    if (permit.generation !== this.generation) return;
    if (permit.probe) {
      if (this.current === 'half-open') this.openFor(now + this.nextOpenMs(), 'probe-failed', false, now);
      return;
    }
    if (this.current !== 'closed') return;
    this.countFailure(now);
  }

  /** A failure while closed: feeds the consecutive and ratio triggers. */
  private countFailure(now: number): void {
    this.consecutive++;
    this.window.add(FAILURES, now);
    if (this.consecutive >= this.options.consecutiveFailures) {
      this.openFor(now + this.nextOpenMs(), 'consecutive-failures', false, now);
      return;
    }
    const failures = this.window.total(FAILURES, now);
    const total = failures + this.window.total(SUCCESSES, now);
    if (total >= this.options.minimumVolume && failures / total >= this.options.failureRatio) {
      this.openFor(now + this.nextOpenMs(), 'failure-ratio', false, now);
    }
  }

  /**
   * An attempt already recorded as a success failed later: a stream counts as a success at its first token
   * (that is when failover stops being possible) and a provider that then drops it mid-answer must still
   * count against the breaker, or a provider that cuts every stream short would never be skipped. The
   * success becomes a failure in the ratio window; the consecutive count goes up by one (the success had
   * reset it, so a run of streams cut short trips the ratio rule, not the consecutive one).
   */
  recordLateFailure(effect: BreakerEffect, errorClass?: ErrorClass): void {
    if (effect === 'none') return;
    const now = this.clock.now();
    if (effect === 'open-long') {
      this.openFor(now + this.options.longOpenMs, `long-open:${errorClass ?? 'unknown'}`, true, now);
      return;
    }
    if (this.current !== 'closed') return;
    if (this.window.total(SUCCESSES, now) >= 1) this.window.add(SUCCESSES, now, -1);
    this.countFailure(now);
  }

  /** Records an outcome that says nothing about the provider's health (bad_request, an abort): frees a probe slot. */
  recordNeutral(permit: BreakerPermit): void {
    if (permit.probe && permit.generation === this.generation && this.current === 'half-open') {
      this.probesInFlight = Math.max(0, this.probesInFlight - 1);
    }
  }

  /** Opens now, for `durationMs` (default: until `forceClose`). Never shortens a longer open. */
  forceOpen(durationMs?: number): void {
    const now = this.clock.now();
    this.openFor(durationMs === undefined ? OPEN_FOREVER : now + Math.max(0, durationMs), 'forced', true, now);
  }

  /** Closes now and resets every counter, overriding any open (an operator's decision), here and in the shared state. */
  forceClose(): void {
    this.close('forced', this.clock.now(), true, true);
  }

  /**
   * Runs `fn` under the breaker: throws `BreakerOpenError` when denied, records the outcome otherwise.
   * @example const answer = await breaker.execute(() => adapter.send(request, signal));
   */
  async execute<T>(fn: () => Promise<T>, classify: OutcomeClassifier = classifyBreakerOutcome): Promise<T> {
    const permit = this.tryAcquire();
    if (!permit.allowed) throw new BreakerOpenError(this.key, permit.retryAfterMs);
    let value: T;
    try {
      value = await fn();
    } catch (error) {
      const outcome = classify(error);
      this.recordFailure(permit, outcome.effect, outcome.errorClass);
      throw error;
    }
    this.recordSuccess(permit);
    return value;
  }

  /** Subscribes to state changes; returns the unsubscribe function. Listener errors are swallowed. */
  onTransition(listener: (transition: BreakerTransition) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reads the shared record now and adopts a longer open or a newer close (no-op without shared state). */
  async refresh(): Promise<void> {
    await this.sync?.refresh();
  }

  /** Resolves when every pending publish/read of the shared state has finished. */
  async flush(): Promise<void> {
    await this.sync?.flush();
  }

  /** A serialisable snapshot (for health, the admin API and tests). */
  toJSON(): CircuitBreakerSnapshot {
    const now = this.clock.now();
    return {
      key: this.key,
      state: this.current,
      openUntil: this.openUntil,
      openCount: this.openCount,
      reason: this.reason,
      long: this.long,
      consecutiveFailures: this.consecutive,
      windowFailures: this.window.total(FAILURES, now),
      windowSuccesses: this.window.total(SUCCESSES, now),
      probesInFlight: this.probesInFlight,
      probeSuccesses: this.probeSuccesses,
      generation: this.generation,
      stateErrors: this.sync?.errors ?? 0,
    };
  }

  /** @internal Adopts an open written by another instance (never shortens). Used by BreakerSync. */
  adoptOpen(openUntil: number, openCount: number, reason: string, long: boolean): void {
    this.openFor(openUntil, `shared:${reason}`, long, this.clock.now(), false);
    this.openCount = Math.max(this.openCount, openCount);
  }

  /** @internal Adopts a close written by another instance. Used by BreakerSync. */
  adoptClose(reason: string): void {
    this.close(`shared:${reason}`, this.clock.now(), false);
  }

  /** @internal What BreakerSync publishes: the local open, or undefined when not open. */
  localOpen(): { openUntil: number; openCount: number; reason: string; long: boolean } | undefined {
    if (this.current === 'closed') return undefined;
    return { openUntil: this.openUntil, openCount: this.openCount, reason: this.reason, long: this.long };
  }

  private nextOpenMs(): number {
    const { openMs, maxOpenMs, openBackoffFactor } = this.options;
    return Math.min(maxOpenMs, openMs * openBackoffFactor ** this.openCount);
  }

  /** Opens (or extends an open) until `until`, never shortening the current open. */
  private openFor(until: number, reason: string, long: boolean, now: number, publish = true): void {
    const extending = this.current === 'open';
    if (extending && until <= this.openUntil) return;
    if (!extending) this.openCount++;
    this.openUntil = until;
    this.reason = reason;
    this.long = long;
    this.consecutive = 0;
    this.window.reset();
    this.transition('open', reason, now);
    if (publish) this.sync?.publishOpen();
  }

  private close(reason: string, now: number, publish: boolean, force = false): void {
    const wasClosed = this.current === 'closed';
    this.openUntil = 0;
    this.openCount = 0;
    this.long = false;
    this.consecutive = 0;
    this.window.reset();
    if (!wasClosed) this.transition('closed', reason, now);
    if (publish) this.sync?.publishClose(force);
  }

  private transition(to: BreakerState, reason: string, now: number): void {
    const from = this.current;
    this.current = to;
    this.reason = reason;
    this.generation++;
    this.probesInFlight = 0;
    this.probeSuccesses = 0;
    this.closedPermit = { allowed: true, probe: false, generation: this.generation };
    const event: BreakerTransition = { key: this.key, from, to, reason, at: now };
    if (to === 'open' && this.openUntil !== OPEN_FOREVER) event.retryAfterMs = Math.max(0, this.openUntil - now);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A listener must not break the hot path.
      }
    }
  }
}
