/** The dimensions a rate budget limits, named as in `RateLimitSnapshot`. */
export type RateDimension = 'requests' | 'inputTokens' | 'outputTokens' | 'tokens';
import type { CancelSignal } from '../model/cancel-signal.js';

/** Per-minute limits; any subset (none = unlimited, but the budget still learns from provider headers). */
export interface RateLimits {
  /** Requests per minute. */
  rpm?: number;
  /** Input tokens per minute (Anthropic ITPM). */
  itpm?: number;
  /** Output tokens per minute (Anthropic OTPM). */
  otpm?: number;
  /** Input + output tokens per minute (OpenAI TPM). */
  tpm?: number;
}

/** Who is asking: interactive callers may use the batch reserve, batch jobs may not. */
export type RatePriority = 'interactive' | 'batch';

/** What one attempt needs from the budget. */
export interface RateRequest {
  /** Estimated input tokens (err high: see `estimateInputTokens`). */
  inputTokens: number;
  /** The request's output cap (max_tokens): reserved in full, reconciled after. */
  maxOutputTokens: number;
  priority: RatePriority;
}

/** Budget held for one attempt until `reconcile`, `release` or `cancel`. */
export interface RateReservation {
  readonly key: string;
  readonly priority: RatePriority;
  readonly inputTokens: number;
  readonly maxOutputTokens: number;
  /** What was taken per dimension (absent: the dimension had no limit when reserving). */
  readonly taken: Readonly<Partial<Record<RateDimension, number>>>;
  readonly at: number;
  /** True once reconciled, released or cancelled (a second settlement is ignored). */
  readonly settled: boolean;
}

/** Outcome of `tryReserve` / `acquire`. */
export type ReserveResult =
  | { ok: true; reservation: RateReservation }
  /** `waitMs` until it would fit (Infinity: it never can, e.g. larger than the limit); `dimension` that is short. */
  | { ok: false; waitMs: number; dimension: RateDimension };

/** Actual usage reported by the provider after a successful attempt (missing = as reserved). */
export interface RateUsage {
  inputTokens?: number;
  outputTokens?: number;
}

/** Options of `acquire`. */
export interface AcquireOptions {
  signal?: CancelSignal;
  /** Longest acceptable wait; a longer one resolves `{ ok: false }` at once. */
  maxWaitMs: number;
}

/** Emitted when the interactive-usable level of a dimension becomes empty (< 1), and when none is empty again. */
export type RateBudgetEvent =
  | { type: 'budget-exhausted'; key: string; dimension: RateDimension; retryAfterMs: number; at: number }
  | { type: 'budget-recovered'; key: string; at: number };

/** Per-dimension limit and what is left of it, for health. */
export type RateRemaining = Partial<Record<RateDimension, { limit: number; remaining: number }>>;
