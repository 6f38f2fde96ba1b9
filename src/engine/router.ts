import type { RateReservation as Reservation } from '../policy/rate-budget.js';
import { hedgeDelayMs } from '../policy/liveness.js';
import type { RouteTarget } from './route-target.js';
import { launch, RouteState, type Run, type RunOutcome } from './route-attempt.js';
import type { Attempt, RouteLoss, RouteRequest, RouteWin, RouterDeps } from './route-types.js';

export type {
  Attempt,
  AttemptContext,
  AttemptSuccess,
  CooldownView,
  RouteLoss,
  RouteRequest,
  RouteWin,
  RouterDeps,
} from './route-types.js';

const DEFAULT_RETRY_HINT_MS = 5_000;

/** What wakes the route loop: an attempt ended, or it is time to hedge. */
type Wake<T> = { type: 'done'; run: Run<T>; outcome: RunOutcome<T> } | { type: 'hedge'; free: boolean };

/** A one-reader queue of wake-ups (attempts settle and hedge timers fire in any order). */
class Wakes<T> {
  private readonly queue: Wake<T>[] = [];
  private waiter: ((wake: Wake<T>) => void) | undefined;

  push(wake: Wake<T>): void {
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter(wake);
    } else this.queue.push(wake);
  }

  next(): Promise<Wake<T>> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }
}

/**
 * The router loop, as the failure table in ARCHITECTURE.md reads: try each route entry in order; a cool-down or an open
 * breaker means skip; a short budget means move on; a failure moves on to the next entry at once. An
 * attempt is judged by its liveness (accepted, first content, then no long silence), so a hang costs
 * seconds, not the deadline. An interactive request hedges: when its attempt has shown no content by its
 * provider's usual time, the next entry starts beside it (within a hedge budget) and the first to answer
 * wins; a half-open probe always has such a partner, so a probe never holds a request hostage. Only when
 * no later entry can serve does it go back to entries that may serve later (a retry, budget, a cool-down),
 * waiting no longer than the feature can afford.
 */
export async function route<T>(
  deps: RouterDeps,
  request: RouteRequest,
  attempt: Attempt<T>,
): Promise<RouteWin<T> | RouteLoss> {
  const state = new RouteState(deps, request, attempt);
  const { clock } = deps;
  const { targets, deadline, feature } = request;
  deps.retryBudget.recordRequest();
  const hedging = request.priority === 'interactive' && feature.hedge;
  if (hedging) deps.hedgeBudget.recordRequest();
  const wakes = new Wakes<T>();
  let cursor = 0;
  let hedged = false;
  /** Attempts started whose end the loop has not processed yet. */
  let unsettled = 0;
  let cancelHedgeTimer: (() => void) | undefined;

  const finish = <R extends RouteWin<T> | RouteLoss>(result: R): R => {
    state.done = true;
    cancelHedgeTimer?.();
    return result;
  };
  const loss = (): RouteLoss => finish(lossOf(state, targets, deadline.expired));
  const follow = (run: Run<T>): void => {
    unsettled++;
    void run.outcome.then((outcome) => wakes.push({ type: 'done', run, outcome }));
  };
  /** Starts the next entry of the first pass that can serve now. */
  const startNext = async (hedge: boolean): Promise<Run<T> | 'stop' | undefined> => {
    while (cursor < targets.length) {
      const index = cursor++;
      if (state.excluded.has(index)) continue;
      const started = await launch(state, index, { hedge });
      if (started === 'stop') return 'stop';
      if (started !== 'skipped') {
        follow(started);
        return started;
      }
    }
    return undefined;
  };
  const laterEntryLeft = (): boolean => {
    for (let i = cursor; i < targets.length; i++) if (!state.excluded.has(i)) return true;
    return false;
  };
  const armHedge = (run: Run<T>): void => {
    if (hedged || !laterEntryLeft()) return;
    // A probe gets its partner at once (and free): its verdict may take its whole liveness timeout.
    if (run.probe) return wakes.push({ type: 'hedge', free: true });
    if (!hedging) return;
    cancelHedgeTimer = clock.timer(hedgeDelayMs(deps.hedge, run.target.latency.firstContent), () =>
      wakes.push({ type: 'hedge', free: false }),
    );
  };

  // Pass 1: every entry in order, nothing sleeps; at most one hedge beside the attempt in flight.
  const first = await startNext(false);
  if (first === 'stop') return loss();
  if (first) armHedge(first);
  while (unsettled > 0) {
    const wake = await wakes.next();
    if (wake.type === 'hedge') {
      if (hedged || state.leader !== undefined || state.live.size !== 1) continue;
      if (!wake.free && !deps.hedgeBudget.tryAcquireRetry()) continue;
      hedged = true;
      const partner = await startNext(true);
      if (partner === 'stop') return loss();
      if (partner && deps.bus.wants('attempt-hedged')) {
        const [primary] = [...state.live].filter((r) => r !== partner);
        deps.bus.emit('attempt-hedged', clock.now(), {
          feature: feature.name,
          provider: partner.target.entry.provider,
          model: partner.target.entry.model,
          after: primary?.target.entry.key ?? '',
          reason: wake.free ? 'probe' : 'slow',
        });
      }
      continue;
    }
    unsettled--;
    const { run, outcome } = wake;
    if (outcome.kind === 'win') return finish(outcome.win);
    if (outcome.kind === 'stop') {
      state.cancelOthers(undefined);
      return loss();
    }
    if (run === state.leader) state.leader = undefined; // failed after its first content (a non-streamed answer stalled)
    // Nothing left that could answer: a half-open probe whose partner already ran decides only its breaker.
    if (
      unsettled === 0 ||
      (hedged && state.leader === undefined && state.live.size > 0 && [...state.live].every((r) => r.probe))
    ) {
      const next = await startNext(false);
      if (next === 'stop') return loss();
      if (next) armHedge(next);
    }
  }

  // Pass 2: no entry could serve at once; go back to those that may serve later, soonest first, waiting
  // no longer than the feature can afford (interactive: feature.maxWaitMs; batch: its deadline).
  while (state.pending.length > 0 && !deadline.expired) {
    state.pending.sort((a, b) => a.readyAt - b.readyAt);
    const next = state.pending.shift() as (typeof state.pending)[number];
    if (state.excluded.has(next.index)) continue;
    const target = targets[next.index] as RouteTarget;
    const affordMs = Math.min(
      deadline.remainingMs(),
      request.priority === 'interactive' ? feature.maxWaitMs : Number.POSITIVE_INFINITY,
    );
    const waitMs = Math.max(0, next.readyAt - clock.now());
    if (waitMs >= affordMs) continue;
    let reservation: Reservation | undefined;
    if (next.kind === 'budget') {
      let acquired;
      try {
        acquired = await target.budget.acquire(state.budgetAsk, { signal: deadline.signal, maxWaitMs: affordMs });
      } catch {
        break; // out of time, or the caller left
      }
      if (!acquired.ok) {
        state.noteHint(acquired.waitMs);
        continue;
      }
      reservation = acquired.reservation;
    } else {
      if (next.kind === 'retry') {
        if (next.retries >= feature.maxRetries || !deps.retryBudget.tryAcquireRetry()) continue;
        state.retries.set(next.index, next.retries + 1);
      }
      try {
        await clock.sleep(waitMs, deadline.signal);
      } catch {
        break;
      }
    }
    const run = await launch(state, next.index, reservation ? { reservation } : {});
    if (run === 'stop') return loss();
    if (run === 'skipped') continue;
    const outcome = await run.outcome;
    if (outcome.kind === 'win') return finish(outcome.win);
    if (outcome.kind === 'stop') return loss();
  }
  return loss();
}

/** Every entry failed or could not be tried: why, and when some entry may serve again. */
function lossOf<T>(state: RouteState<T>, targets: readonly RouteTarget[], deadlineExceeded: boolean): RouteLoss {
  // Breakers opened by this request's failures (auth and quota open long) also say when an entry serves again.
  let soonest = state.hint;
  let heldByOperator = 0;
  for (const target of targets) {
    const wait = target.breaker.reopensInMs();
    if (wait === undefined) heldByOperator++;
    else if (wait > 0 && wait < soonest) soonest = wait;
  }
  const everyEntryHeld = heldByOperator === targets.length && targets.length > 0;
  // Never 0 (a full-jitter backoff can draw 0 ms): after every entry failed, "retry now" helps nobody.
  const retryAfterMs = Number.isFinite(soonest)
    ? Math.max(1, Math.ceil(soonest))
    : everyEntryHeld
      ? undefined
      : DEFAULT_RETRY_HINT_MS;
  return {
    ok: false,
    ...(state.requestError ? { requestError: state.requestError } : {}),
    ...(state.lastError ? { lastError: state.lastError } : {}),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    attempts: state.attempts,
    deadlineExceeded,
  };
}
