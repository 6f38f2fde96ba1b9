import type { Clock } from '../model/clock.js';
import type { AttemptRecord, ProviderError, RateLimitSnapshot } from '../model/errors.js';
import type { Usage } from '../model/response.js';
import type { GenerateRequest } from '../model/message.js';
import type { CancelSignal } from '../model/cancel-signal.js';
import type { RetryBudget } from '../policy/retry-budget.js';
import type { Deadline } from '../policy/deadline.js';
import type { AttemptWatch } from '../policy/attempt-watch.js';
import type { HedgeSettings, LivenessSettings } from '../policy/liveness.js';
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
   * The attempt's work goes on after the win (a stream): it keeps the provider's bulkhead slot and its
   * liveness watch (idle timeout, caller's cancellation, no longer the deadline) until the win's `settle`.
   */
  holdSlot?: boolean;
}

/**
 * What the router gives one attempt: its own cancellation signal (deadline, caller, liveness timeout, or
 * another attempt answering first), and the hooks by which the attempt shows it is alive.
 */
export interface AttemptContext {
  readonly signal: CancelSignal;
  /** The provider accepted the request (a stream's response headers). */
  accepted(): void;
  /**
   * The first content arrived. True: this attempt now answers the request (any other in flight is
   * cancelled). False: another attempt answers it; stop and close what you opened.
   */
  firstContent(): boolean;
  /** Any later event of the answer (resets the idle timeout). */
  progress(): void;
}

/**
 * Runs one attempt against one target. Must throw a `ProviderError` on a provider failure (anything else
 * is treated as a server_error of that provider, except the context's own cancellation).
 */
export type Attempt<T> = (target: RouteTarget, context: AttemptContext) => Promise<AttemptSuccess<T>>;

export interface RouteWin<T> {
  ok: true;
  value: T;
  target: RouteTarget;
  /** Position of the answering entry in the route (0 = primary). */
  index: number;
  attempts: AttemptRecord[];
  /** The winning attempt's liveness watch: a stream reports its progress to it (idle timeout). */
  watch: AttemptWatch;
  /**
   * Reconciles the winner's rate budget once real usage is known, frees a bulkhead slot the attempt held
   * and stops its watch (streams call it at their end). Runs once; later calls do nothing.
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

/** The cool-downs providers asked for (a 429's Retry-After), per route key; shared across instances when the state is. */
export interface CooldownView {
  /** Ms until `key` may be called again (0 = now). Synchronous: no I/O on the request path. */
  remainingMs(key: string): number;
  /** Leaves `key` alone for `forMs` (keeps a later end already set). */
  coolDown(key: string, forMs: number): void;
}

export interface RouterDeps {
  clock: Clock;
  bus: EventBus;
  retryBudget: RetryBudget;
  /** Hedges allowed as a share of interactive requests. */
  hedgeBudget: RetryBudget;
  backoff: { baseMs: number; capMs: number };
  liveness: LivenessSettings;
  hedge: HedgeSettings;
  cooldowns?: CooldownView;
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
  /** Whether an attempt at `target` streams from the provider (liveness stages need to know). */
  streams(target: RouteTarget): boolean;
  /** The request as the providers get it: an entry whose adapter `cannotTake` it is skipped (`route-capability.ts`). */
  call?: GenerateRequest;
}
