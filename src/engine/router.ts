import type { Clock } from '../model/clock.js';
import {
  ERROR_POLICY, FailsoftError, ProviderError, providerError, type AttemptRecord,
} from '../model/errors.js';
import type { Usage } from '../model/response.js';
import type { RateLimitSnapshot } from '../model/errors.js';
import { fullJitterBackoff } from '../policy/backoff.js';
import type { RetryBudget } from '../policy/retry-budget.js';
import type { RateReservation as Reservation } from '../policy/rate-budget.js';
import type { Deadline } from '../policy/deadline.js';
import type { CancelSignal } from '../model/cancel-signal.js';
import type { EventBus } from './events.js';
import type { ResolvedFeature, Priority } from './config/resolve-config.js';
import type { RouteTarget } from './route-target.js';

/** What one successful attempt produced. */
export interface AttemptSuccess<T> {
  value: T;
  /** Real usage, when known now (streams report it later through `settle`). */
  usage?: Usage;
  rateLimit?: RateLimitSnapshot;
  /**
   * Keep the provider's bulkhead slot until the win's `settle` (a stream holds its slot until it ends, so
   * `maxConcurrent` bounds concurrent streams, not only their openings).
   */
  holdSlot?: boolean;
}

/**
 * Runs one attempt against one target. `signal` aborts at the deadline or when the caller goes.
 * Must throw a `ProviderError` (anything else is treated as a server_error of that provider).
 */
export type Attempt<T> = (target: RouteTarget, signal: CancelSignal) => Promise<AttemptSuccess<T>>;

export interface RouteWin<T> {
  ok: true;
  value: T;
  target: RouteTarget;
  /** Position of the answering entry in the route (0 = primary). */
  index: number;
  attempts: AttemptRecord[];
  /**
   * Reconciles the winner's rate budget once real usage is known, and frees a bulkhead slot the attempt
   * held (streams call it at their end). Runs once; later calls do nothing.
   */
  settle(usage: Usage | undefined): void;
}

export interface RouteLoss {
  ok: false;
  /** The caller's request is wrong (bad_request, or context_length with nowhere larger to go). */
  requestError?: ProviderError;
  lastError?: ProviderError;
  /** Earliest time (ms from now) at which some route entry may serve again; absent when every entry is forced open. */
  retryAfterMs?: number;
  attempts: AttemptRecord[];
  deadlineExceeded: boolean;
}

export interface RouterDeps {
  clock: Clock;
  bus: EventBus;
  retryBudget: RetryBudget;
  backoff: { baseMs: number; capMs: number };
  random: () => number;
}

/** One call as the router sees it. */
export interface RouteRequest {
  feature: ResolvedFeature;
  targets: readonly RouteTarget[];
  inputTokens: number;
  maxOutputTokens: number;
  priority: Priority;
  deadline: Deadline;
  /** The caller's own signal: its abort is not the provider's fault. */
  callerSignal?: CancelSignal;
}

/** A route entry that may be tried again later, and when. */
interface Pending {
  index: number;
  readyAt: number;
  kind: 'retry' | 'budget';
  retries: number;
}

const DEFAULT_RETRY_HINT_MS = 5_000;

/**
 * The router loop, as DESIGN.md's table reads: try each route entry in order; an open breaker
 * means skip; a short budget means move on; a failure moves on to the next entry at once. Only when
 * no later entry can serve does it go back to entries that may be retried (server delay or
 * full-jitter backoff, within the shared deadline and the retry budget) or that wait for budget.
 */
export async function route<T>(deps: RouterDeps, request: RouteRequest, attempt: Attempt<T>): Promise<RouteWin<T> | RouteLoss> {
  const { clock, bus, retryBudget } = deps;
  const { feature, targets, deadline } = request;
  const attempts: AttemptRecord[] = [];
  const pending: Pending[] = [];
  const excluded = new Set<number>();
  const retries = new Map<number, number>();
  let hint = Number.POSITIVE_INFINITY;
  let lastError: ProviderError | undefined;
  let requestError: ProviderError | undefined;
  const budgetAsk = { inputTokens: request.inputTokens, maxOutputTokens: request.maxOutputTokens, priority: request.priority };
  retryBudget.recordRequest();

  const noteHint = (ms: number | undefined): void => {
    if (ms !== undefined && ms >= 0 && ms < hint) hint = ms;
  };

  /** One try at one entry. Returns a win, 'stop' (request error), or undefined (move on). */
  const tryTarget = async (index: number, reservation?: Reservation): Promise<RouteWin<T> | 'stop' | undefined> => {
    const target = targets[index] as RouteTarget;
    const { entry } = target;
    // Out of time (or the caller left): stop without charging entries we never called.
    if (deadline.aborted) {
      if (reservation) void target.budget.cancel(reservation);
      return 'stop';
    }
    const permit = target.breaker.tryAcquire();
    if (!permit.allowed) {
      if (reservation) void target.budget.cancel(reservation);
      attempts.push({ provider: entry.provider, model: entry.model, outcome: 'skipped-open', ms: 0 });
      noteHint(permit.retryAfterMs);
      return undefined;
    }
    let held = reservation;
    if (!held) {
      const reserved = await target.budget.tryReserve(budgetAsk);
      if (!reserved.ok) {
        target.breaker.recordNeutral(permit);
        attempts.push({ provider: entry.provider, model: entry.model, outcome: 'skipped-budget', ms: 0 });
        pending.push({ index, readyAt: clock.now() + reserved.waitMs, kind: 'budget', retries: retries.get(index) ?? 0 });
        noteHint(reserved.waitMs);
        return undefined;
      }
      held = reserved.reservation;
    }
    let release: (() => void) | undefined;
    if (target.bulkhead) {
      try {
        release = await target.bulkhead.acquire(deadline.signal);
      } catch {
        // Bulkhead full: this provider is saturated by our own traffic; move on like a short budget.
        target.breaker.recordNeutral(permit);
        void target.budget.cancel(held);
        attempts.push({ provider: entry.provider, model: entry.model, outcome: 'skipped-budget', ms: 0 });
        return undefined;
      }
    }
    const started = clock.now();
    // The attempt timeout is our own timer (undici's headersTimeout ticks too coarsely to fail over fast).
    const attemptMs = target.provider.attemptTimeoutMs;
    const scope = attemptMs !== undefined && attemptMs < deadline.remainingMs() ? deadline.timedAttempt(attemptMs) : undefined;
    try {
      const success = await attempt(target, scope?.signal ?? deadline.signal);
      scope?.answered();
      const ms = clock.now() - started;
      target.breaker.recordSuccess(permit);
      target.stats.recordSuccess(ms);
      if (success.rateLimit) void target.budget.learn(success.rateLimit);
      attempts.push({ provider: entry.provider, model: entry.model, outcome: 'ok', status: 200, ms });
      const finalReservation = held;
      // A stream keeps its slot past this attempt: the win's settle frees it, not the finally below.
      const slot = success.holdSlot === true ? release : undefined;
      if (slot) release = undefined;
      let settled = false;
      const settle = (usage: Usage | undefined): void => {
        if (settled) return;
        settled = true;
        slot?.();
        if (usage) void target.budget.reconcile(finalReservation, usage);
        else void target.budget.release(finalReservation);
      };
      if (success.usage) settle(success.usage);
      return { ok: true, value: success.value, target, index, attempts, settle };
    } catch (thrown) {
      const ms = clock.now() - started;
      void target.budget.release(held);
      if (deadline.aborted && !ProviderError.isInstance(thrown)) {
        // The deadline (or the caller) stopped this attempt: a slow provider counts as a timeout.
        const callerGone = request.callerSignal?.aborted === true;
        if (callerGone) target.breaker.recordNeutral(permit);
        else target.breaker.recordFailure(permit, 'count');
        attempts.push({ provider: entry.provider, model: entry.model, outcome: callerGone ? 'aborted' : 'timeout', ms });
        if (!callerGone) {
          lastError = providerError({ class: 'timeout', message: `${entry.provider}: no answer within the ${feature.deadlineMs} ms deadline of feature "${feature.name}"`, provider: entry.provider, model: entry.model });
          target.stats.recordFailure(ms, 'timeout', lastError.message);
        }
        return 'stop';
      }
      const attemptTimedOut = scope?.signal.aborted === true && !ProviderError.isInstance(thrown);
      const error = attemptTimedOut
        ? providerError({ class: 'timeout', message: `${entry.provider}: no answer within its attemptTimeoutMs of ${String(attemptMs)} ms`, provider: entry.provider, model: entry.model })
        : asProviderError(thrown, entry.provider, entry.model);
      lastError = error;
      const policy = ERROR_POLICY[error.class];
      if (policy.breaker === 'none') target.breaker.recordNeutral(permit);
      else target.breaker.recordFailure(permit, policy.breaker, error.class);
      if (error.rateLimit) void target.budget.learn(error.rateLimit);
      // A 429 means the provider's budget is spent whatever we counted: block until its delay passes.
      if (error.class === 'rate_limited') void target.budget.learn({ requests: { remaining: 0, resetMs: error.retryAfterMs ?? 1000 } });
      if (policy.breaker !== 'none') target.stats.recordFailure(ms, error.class, error.message);
      attempts.push({ provider: entry.provider, model: entry.model, outcome: error.class, ...(error.status === undefined ? {} : { status: error.status }), ms });
      if (bus.wants('attempt-failed')) {
        bus.emit('attempt-failed', clock.now(), {
          feature: feature.name, provider: entry.provider, model: entry.model, class: error.class, ms, message: error.message,
          ...(error.status === undefined ? {} : { status: error.status }),
        });
      }
      const stop = (): 'stop' => {
        requestError = error;
        return 'stop';
      };
      if (error.class === 'bad_request') return stop();
      if (error.class === 'context_length') {
        const floor = entry.contextWindow ?? 0;
        targets.forEach((t, i) => { if ((t.entry.contextWindow ?? 0) <= floor) excluded.add(i); });
        return targets.every((_, i) => excluded.has(i)) ? stop() : undefined;
      }
      if (error.class === 'content_filter' && !feature.contentFilterFallover) return stop();
      if (policy.retrySame) {
        const done = retries.get(index) ?? 0;
        const delay = error.retryAfterMs ?? fullJitterBackoff(done, deps.backoff, deps.random);
        pending.push({ index, readyAt: clock.now() + delay, kind: 'retry', retries: done });
        noteHint(error.retryAfterMs ?? delay);
      } else {
        excluded.add(index);
      }
      return undefined;
    } finally {
      scope?.answered();
      release?.();
    }
  };

  const loss = (): RouteLoss => {
    // Breakers opened by this request's failures (auth and quota open long) also say when an entry serves again.
    let soonest = hint;
    let heldByOperator = 0;
    for (const target of targets) {
      const wait = target.breaker.reopensInMs();
      if (wait === undefined) heldByOperator++;
      else if (wait > 0 && wait < soonest) soonest = wait;
    }
    const everyEntryHeld = heldByOperator === targets.length && targets.length > 0;
    // Never 0 (a full-jitter backoff can draw 0 ms): after every entry failed, "retry now" helps nobody.
    const retryAfterMs = Number.isFinite(soonest) ? Math.max(1, Math.ceil(soonest)) : everyEntryHeld ? undefined : DEFAULT_RETRY_HINT_MS;
    return {
      ok: false,
      ...(requestError ? { requestError } : {}),
      ...(lastError ? { lastError } : {}),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      attempts,
      deadlineExceeded: deadline.expired,
    };
  };

  // Pass 1: every entry once, in order, nothing sleeps.
  for (let index = 0; index < targets.length; index++) {
    if (excluded.has(index)) continue;
    const outcome = await tryTarget(index);
    if (outcome === 'stop') return loss();
    if (outcome) return outcome;
  }

  // Pass 2: no entry could serve at once; go back to those that may serve later, soonest first.
  while (pending.length > 0 && !deadline.expired) {
    pending.sort((a, b) => a.readyAt - b.readyAt);
    const next = pending.shift() as Pending;
    if (excluded.has(next.index)) continue;
    const target = targets[next.index] as RouteTarget;
    const waitMs = Math.max(0, next.readyAt - clock.now());
    if (waitMs >= deadline.remainingMs()) continue;
    let reservation: Reservation | undefined;
    if (next.kind === 'retry') {
      if (next.retries >= feature.maxRetries || !retryBudget.tryAcquireRetry()) continue;
      retries.set(next.index, next.retries + 1);
      try {
        await clock.sleep(waitMs, deadline.signal);
      } catch {
        break;
      }
    } else {
      const acquired = await target.budget.acquire(budgetAsk, { signal: deadline.signal, maxWaitMs: deadline.remainingMs() });
      if (!acquired.ok) {
        noteHint(acquired.waitMs);
        continue;
      }
      reservation = acquired.reservation;
    }
    const outcome = await tryTarget(next.index, reservation);
    if (outcome === 'stop') return loss();
    if (outcome) return outcome;
  }
  return loss();
}

/** Anything an adapter throws that is not classified is a bug or an unexpected failure of that provider. */
function asProviderError(thrown: unknown, provider: string, model: string): ProviderError {
  if (ProviderError.isInstance(thrown)) return thrown;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return providerError({
    class: 'server_error', provider, model, cause: thrown,
    message: `${provider}: unexpected failure${FailsoftError.isInstance(thrown) ? '' : ' (unclassified)'}: ${message}`,
  });
}
