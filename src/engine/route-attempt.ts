import { ERROR_POLICY, FailsoftError, ProviderError, providerError, type AttemptRecord } from '../model/errors.js';
import type { Usage } from '../model/response.js';
import { fullJitterBackoff } from '../policy/backoff.js';
import type { BreakerPermit } from '../policy/circuit-breaker.js';
import type { RateReservation, RateRequest } from '../policy/rate-budget.js';
import { AttemptStalledError, AttemptWatch } from '../policy/attempt-watch.js';
import { stageTimeouts } from '../policy/liveness.js';
import { skipUnfit } from './route-capability.js';
import type { RouteTarget } from './route-target.js';
import type { Attempt, AttemptContext, AttemptSuccess, RouteRequest, RouteWin, RouterDeps } from './route-types.js';

/** A route entry that may be tried again later, and when. */
export interface Pending {
  index: number;
  readyAt: number;
  /** retry: same-provider retry after a failure; budget: waits for rate budget; cooldown: the provider's Retry-After. */
  kind: 'retry' | 'budget' | 'cooldown';
  retries: number;
}

/** One attempt in flight. */
export interface Run<T> {
  readonly index: number;
  readonly target: RouteTarget;
  /** A half-open probe: it decides its breaker, so it runs to its first content even when it loses. */
  readonly probe: boolean;
  readonly hedge: boolean;
  readonly watch: AttemptWatch;
  reachedContent: boolean;
  /** Another attempt answers the request: this one is cancelled, or its answer will be dropped. */
  lost: boolean;
  outcome: Promise<RunOutcome<T>>;
}

/** How an attempt ended, for the route loop: answered, move on, stop routing, or lost to another attempt. */
export type RunOutcome<T> = { kind: 'win'; win: RouteWin<T> } | { kind: 'next' } | { kind: 'stop' } | { kind: 'lost' };

/** The mutable state of one `route()` call, shared by its attempts. */
export class RouteState<T> {
  readonly attempts: AttemptRecord[] = [];
  readonly pending: Pending[] = [];
  readonly excluded = new Set<number>();
  readonly retries = new Map<number, number>();
  readonly live = new Set<Run<T>>();
  readonly budgetAsk: RateRequest;
  hint = Number.POSITIVE_INFINITY;
  lastError: ProviderError | undefined;
  requestError: ProviderError | undefined;
  /** Entries skipped because their provider cannot take the request, with why (`route-capability.ts`). */
  readonly unfit: string[] = [];
  /** The attempt whose content answers the request, once one has content. */
  leader: Run<T> | undefined;
  /** Set when the route returned: attempts still running (background probes) no longer report to it. */
  done = false;

  constructor(
    readonly deps: RouterDeps,
    readonly request: RouteRequest,
    readonly attempt: Attempt<T>,
  ) {
    this.budgetAsk = {
      inputTokens: request.inputTokens,
      maxOutputTokens: request.maxOutputTokens,
      priority: request.priority,
    };
  }

  /** Keeps the soonest time at which some entry may serve again. */
  noteHint(ms: number | undefined): void {
    if (ms !== undefined && ms >= 0 && ms < this.hint) this.hint = ms;
  }

  record(entry: AttemptRecord): void {
    if (!this.done) this.attempts.push(entry);
  }

  /** Cancels every attempt in flight but `keep`; half-open probes run on to their verdict. */
  cancelOthers(keep: Run<T> | undefined): void {
    for (const run of this.live) {
      if (run === keep || run.probe) continue;
      run.lost = true;
      run.watch.cancel(new LostRaceError());
    }
  }
}

const LOST_RACE = Symbol.for('failsoft.lost-race');

/** The abort reason of an attempt whose request was answered by another attempt. */
export class LostRaceError extends FailsoftError {
  readonly [LOST_RACE] = true;
  constructor() {
    super('another attempt answered first');
  }
}

/**
 * Checks one route entry (cool-down, breaker, rate budget, bulkhead) and, if it may be called, starts the
 * attempt under its liveness watch. Returns the running attempt, 'skipped' (the entry cannot serve now; it
 * may be pending) or 'stop' (out of time).
 */
export async function launch<T>(
  state: RouteState<T>,
  index: number,
  options: { reservation?: RateReservation; hedge?: boolean } = {},
): Promise<Run<T> | 'skipped' | 'stop'> {
  const { deps, request } = state;
  const { clock } = deps;
  const target = request.targets[index] as RouteTarget;
  const { entry } = target;
  const given = options.reservation;
  if (request.deadline.aborted) {
    if (given) void target.budget.cancel(given);
    return 'stop';
  }
  if (skipUnfit(state, index)) return 'skipped';
  const coolingMs = deps.cooldowns?.remainingMs(entry.key) ?? 0;
  if (coolingMs > 0) {
    if (given) void target.budget.cancel(given);
    state.record({ provider: entry.provider, model: entry.model, outcome: 'skipped-cooldown', ms: 0 });
    state.pending.push({
      index,
      readyAt: clock.now() + coolingMs,
      kind: 'cooldown',
      retries: state.retries.get(index) ?? 0,
    });
    state.noteHint(coolingMs);
    return 'skipped';
  }
  const permit = target.breaker.tryAcquire();
  if (!permit.allowed) {
    if (given) void target.budget.cancel(given);
    state.record({ provider: entry.provider, model: entry.model, outcome: 'skipped-open', ms: 0 });
    state.noteHint(permit.retryAfterMs);
    return 'skipped';
  }
  let held = given;
  if (!held) {
    const reserved = await target.budget.tryReserve(state.budgetAsk);
    if (!reserved.ok) {
      target.breaker.recordNeutral(permit);
      state.record({ provider: entry.provider, model: entry.model, outcome: 'skipped-budget', ms: 0 });
      state.pending.push({
        index,
        readyAt: clock.now() + reserved.waitMs,
        kind: 'budget',
        retries: state.retries.get(index) ?? 0,
      });
      state.noteHint(reserved.waitMs);
      return 'skipped';
    }
    held = reserved.reservation;
  }
  let release: (() => void) | undefined;
  if (target.bulkhead) {
    try {
      release = await target.bulkhead.acquire(request.deadline.signal);
    } catch {
      // Bulkhead full: this provider is saturated by our own traffic; move on like a short budget.
      target.breaker.recordNeutral(permit);
      void target.budget.cancel(held);
      state.record({ provider: entry.provider, model: entry.model, outcome: 'skipped-budget', ms: 0 });
      return 'skipped';
    }
  }
  const override =
    target.provider.attemptTimeoutMs === undefined
      ? target.provider.liveness
      : { ...target.provider.liveness, firstTokenMs: target.provider.attemptTimeoutMs };
  const timeouts = stageTimeouts(
    deps.liveness,
    target.latency,
    { priority: request.priority, inputTokens: request.inputTokens },
    override,
  );
  const watch = new AttemptWatch(clock, timeouts, { streaming: request.streams(target) });
  watch.link(request.deadline.signal);
  if (request.callerSignal) watch.link(request.callerSignal);
  const run: Run<T> = {
    index,
    target,
    probe: permit.probe,
    hedge: options.hedge === true,
    watch,
    reachedContent: false,
    lost: false,
    outcome: undefined as unknown as Promise<RunOutcome<T>>,
  };
  const context: AttemptContext = {
    signal: watch.signal,
    accepted: () => {
      target.latency.headers.record(clock.now() - watch.startedAt);
      watch.accepted();
    },
    firstContent: () => firstContent(state, run),
    progress: () => watch.progress(),
  };
  state.live.add(run);
  run.outcome = execute(state, run, permit, held, release, context);
  return run;
}

/** The first content of `run`: it answers the request unless another attempt already does. */
function firstContent<T>(state: RouteState<T>, run: Run<T>): boolean {
  if (run.reachedContent) return !run.lost;
  run.reachedContent = true;
  run.target.latency.firstContent.record(state.deps.clock.now() - run.watch.startedAt);
  run.watch.firstContent();
  if (run.lost || state.done || (state.leader !== undefined && state.leader !== run)) {
    run.lost = true;
    return false;
  }
  state.leader = run;
  state.cancelOthers(run);
  return true;
}

async function execute<T>(
  state: RouteState<T>,
  run: Run<T>,
  permit: BreakerPermit,
  held: RateReservation,
  release: (() => void) | undefined,
  context: AttemptContext,
): Promise<RunOutcome<T>> {
  const { deps, request } = state;
  const { clock } = deps;
  const { target, watch } = run;
  const { entry } = target;
  const { feature, deadline } = request;
  const hedge = run.hedge ? { hedge: true as const } : {};
  try {
    let success: AttemptSuccess<T>;
    try {
      success = await state.attempt(target, context);
    } finally {
      state.live.delete(run);
    }
    const ms = clock.now() - watch.startedAt;
    // A non-streamed answer is its own first content: it may still lose to one that came first.
    if (!run.reachedContent && !context.firstContent()) run.lost = true;
    target.breaker.recordSuccess(permit);
    target.stats.recordSuccess(ms);
    if (success.rateLimit) void target.budget.learn(success.rateLimit);
    if (run.lost) {
      void target.budget.release(held);
      watch.dispose();
      state.record({ provider: entry.provider, model: entry.model, outcome: 'lost-race', ms, ...hedge });
      return { kind: 'lost' };
    }
    state.record({ provider: entry.provider, model: entry.model, outcome: 'ok', status: 200, ms, ...hedge });
    // A stream keeps its slot and its watch past this attempt: the win's settle frees them, not the finally below.
    const continues = success.holdSlot === true;
    const slot = continues ? release : undefined;
    if (slot) release = undefined;
    if (continues) watch.unlink(deadline.signal);
    else watch.dispose();
    let settled = false;
    const settle = (usage: Usage | undefined): void => {
      if (settled) return;
      settled = true;
      watch.dispose();
      slot?.();
      if (usage) void target.budget.reconcile(held, usage);
      else void target.budget.release(held);
    };
    if (success.usage) settle(success.usage);
    return {
      kind: 'win',
      win: { ok: true, value: success.value, target, index: run.index, attempts: state.attempts, watch, settle },
    };
  } catch (thrown) {
    watch.dispose();
    const ms = clock.now() - watch.startedAt;
    void target.budget.release(held);
    if (run.lost) {
      // Cancelled because another attempt answered: says nothing against this provider, and a probe that
      // reached its first content proved it is back.
      if (run.reachedContent) target.breaker.recordSuccess(permit);
      else target.breaker.recordNeutral(permit);
      state.record({ provider: entry.provider, model: entry.model, outcome: 'lost-race', ms, ...hedge });
      return { kind: 'lost' };
    }
    if (deadline.aborted && !ProviderError.isInstance(thrown) && watch.stalled === undefined) {
      // The deadline (or the caller) stopped this attempt: a slow provider counts as a timeout.
      const callerGone = request.callerSignal?.aborted === true;
      if (callerGone) target.breaker.recordNeutral(permit);
      else target.breaker.recordFailure(permit, 'count');
      state.record({
        provider: entry.provider,
        model: entry.model,
        outcome: callerGone ? 'aborted' : 'timeout',
        ms,
        ...hedge,
      });
      if (!callerGone) {
        state.lastError = providerError({
          class: 'timeout',
          message: `${entry.provider}: no answer within the ${feature.deadlineMs} ms deadline of feature "${feature.name}"`,
          provider: entry.provider,
          model: entry.model,
        });
        target.stats.recordFailure(ms, 'timeout', state.lastError.message);
      }
      return { kind: 'stop' };
    }
    const error =
      watch.stalled !== undefined
        ? providerError({
            class: 'timeout',
            message: `${entry.provider}: ${watch.stalled.message}`,
            provider: entry.provider,
            model: entry.model,
            cause: watch.stalled,
          })
        : asProviderError(thrown, entry.provider, entry.model);
    return failed(state, run, permit, error, ms);
  } finally {
    release?.();
  }
}

/** A classified failure: breaker, budget, cool-down, statistics, and where the route goes next. */
function failed<T>(
  state: RouteState<T>,
  run: Run<T>,
  permit: BreakerPermit,
  error: ProviderError,
  ms: number,
): RunOutcome<T> {
  const { deps, request } = state;
  const { target } = run;
  const { entry } = target;
  const { feature } = request;
  state.lastError = error;
  const policy = ERROR_POLICY[error.class];
  if (policy.breaker === 'none') target.breaker.recordNeutral(permit);
  else target.breaker.recordFailure(permit, policy.breaker, error.class);
  if (error.rateLimit) void target.budget.learn(error.rateLimit);
  if (error.class === 'rate_limited') {
    // A 429 means the provider's budget is spent whatever we counted: nobody calls it until its delay passes.
    const coolMs = error.retryAfterMs ?? 1_000;
    void target.budget.learn({ requests: { remaining: 0, resetMs: coolMs } });
    deps.cooldowns?.coolDown(entry.key, coolMs);
  }
  if (policy.breaker !== 'none') target.stats.recordFailure(ms, error.class, error.message);
  state.record({
    provider: entry.provider,
    model: entry.model,
    outcome: error.class,
    ...(error.status === undefined ? {} : { status: error.status }),
    ms,
    ...(run.hedge ? { hedge: true as const } : {}),
  });
  if (deps.bus.wants('attempt-failed')) {
    deps.bus.emit('attempt-failed', deps.clock.now(), {
      feature: feature.name,
      provider: entry.provider,
      model: entry.model,
      class: error.class,
      ms,
      message: error.message,
      ...(error.status === undefined ? {} : { status: error.status }),
    });
  }
  // Next provider or not: the failure table's `tryNext` column (ERROR_POLICY), read as data.
  switch (policy.tryNext) {
    case false:
      return stop(state, error);
    case 'if-allowed':
      if (!feature.contentFilterFallover) return stop(state, error);
      break;
    case 'larger-context': {
      const floor = entry.contextWindow ?? 0;
      request.targets.forEach((t, i) => {
        if ((t.entry.contextWindow ?? 0) <= floor) state.excluded.add(i);
      });
      return request.targets.every((_, i) => state.excluded.has(i)) ? stop(state, error) : { kind: 'next' };
    }
    case true:
      break;
  }
  if (policy.retrySame) {
    const done = state.retries.get(run.index) ?? 0;
    const delay = error.retryAfterMs ?? fullJitterBackoff(done, deps.backoff, deps.random);
    state.pending.push({ index: run.index, readyAt: deps.clock.now() + delay, kind: 'retry', retries: done });
    state.noteHint(delay);
  } else {
    state.excluded.add(run.index);
  }
  return { kind: 'next' };
}

function stop<T>(state: RouteState<T>, error: ProviderError): RunOutcome<T> {
  state.requestError = error;
  return { kind: 'stop' };
}

/** Anything an adapter throws that is not classified is a bug or an unexpected failure of that provider. */
function asProviderError(thrown: unknown, provider: string, model: string): ProviderError {
  if (ProviderError.isInstance(thrown)) return thrown;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return providerError({
    class: 'server_error',
    provider,
    model,
    cause: thrown,
    message: `${provider}: unexpected failure${FailsoftError.isInstance(thrown) || AttemptStalledError.isInstance(thrown) ? '' : ' (unclassified)'}: ${message}`,
  });
}
