/**
 * `failsoft/policy`: the engine's policies as a standalone kit, each usable on its own around any call (as
 * with cockatiel): circuit breaker, retry budget, backoff, rate budget, bulkhead, deadline, provider
 * cool-downs. Every one takes an injected `Clock` (default or `systemClock`) so tests run on fake time, and
 * the ones that several instances share (breaker records, rate budgets, cool-downs) keep that state in a
 * `PolicyState`: `MemoryPolicyState` here, or `RedisPolicyState` from `failsoft/redis`.
 *
 * The engine's order around an attempt: deadline (total) → cool-down → breaker → rate budget → bulkhead →
 * the attempt; retries (backoff + retry budget) between attempts; fallback outside all of them.
 *
 * This file is a package entry: it gathers from the policy layer and, for `MemoryPolicyState`, the state
 * layer above it. Nothing inside failsoft imports it (`src/layers.test.ts`).
 */
export {
  fullJitterBackoff,
  backoffCeiling,
  retryDelay,
  DEFAULT_BACKOFF_BASE_MS,
  DEFAULT_BACKOFF_CAP_MS,
  type BackoffOptions,
} from './backoff.js';
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
export { ProviderCooldowns, type CooldownChange, type ProviderCooldownsOptions } from './provider-cooldowns.js';
export { DeadlineExceededError, BulkheadRejectedError, BreakerOpenError } from './policy-errors.js';
export type * from './policy-state.js';
export { MemoryPolicyState } from '../state/memory-policy-state.js';
export { systemClock, type Clock } from '../model/clock.js';
export { CancelSource, type CancelSignal } from '../model/cancel-signal.js';
