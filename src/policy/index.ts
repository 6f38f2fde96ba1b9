/**
 * The policy layer: small, composable, clock-injectable policies, one file each. Order around an
 * attempt: deadline (total) → cool-down → breaker → rate budget → bulkhead → liveness watch
 * (accepted, first content, idle); retries (backoff + retry budget) and hedges (hedge budget) between
 * attempts; fallback sits outside all of them.
 */
export { fullJitterBackoff, backoffCeiling, retryDelay, DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_CAP_MS, type BackoffOptions } from './backoff.js';
export { RetryBudget, type RetryBudgetOptions, type RetryBudgetSnapshot } from './retry-budget.js';
export {
  CircuitBreaker,
  classifyBreakerOutcome,
  OPEN_FOREVER,
  type BreakerState,
  type BreakerPermit,
  type BreakerDenied,
  type BreakerEffect,
  type BreakerTransition,
  type CircuitBreakerOptions,
  type CircuitBreakerSnapshot,
  type OutcomeClassifier,
} from './circuit-breaker.js';
export { RateBudget, type RateBudgetOptions } from './rate-budget.js';
export type * from './rate-budget-types.js';
export { Deadline, type DeadlineOptions } from './deadline.js';
export { Bulkhead, type BulkheadOptions, type BulkheadSnapshot } from './bulkhead.js';
export { DeadlineExceededError, BulkheadRejectedError, BreakerOpenError } from './policy-errors.js';
export { SlidingWindow } from './sliding-window.js';
export { LatencyEstimate } from './latency-estimate.js';
export {
  stageTimeouts, hedgeDelayMs, DEFAULT_LIVENESS, DEFAULT_HEDGE,
  type LivenessSettings, type LivenessOverride, type StageTimeouts, type LatencyEstimates, type HedgeSettings,
} from './liveness.js';
export { AttemptWatch, AttemptStalledError, type LivenessStage } from './attempt-watch.js';
export { ProviderCooldowns, type CooldownChange, type ProviderCooldownsOptions } from './provider-cooldowns.js';
