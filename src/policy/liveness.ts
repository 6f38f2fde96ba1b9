import type { LatencyEstimate } from './latency-estimate.js';

/**
 * How long an attempt may stay silent before it counts as a hang, judged in stages rather than by one
 * deadline, so a hung provider is abandoned in seconds while a long, healthy generation is never cut:
 * - **accepted**: a streamed request's response headers (the provider took the request);
 * - **first content**: the first token (or tool-call piece) of the answer, from the attempt's start;
 * - **idle**: once content flows, the longest silence between two events.
 * The first two are learned per provider+model from traffic (`factor` × the recent p95, never under the
 * floor, never over the cap), plus an allowance for the prompt's size (prefill time grows with it).
 */
export interface LivenessSettings {
  /** Shortest wait for a streamed request to be accepted (default 2 500 ms). */
  headersFloorMs: number;
  /** Shortest wait for the first content, from the attempt's start (default 10 000 ms). */
  firstTokenFloorMs: number;
  /** A learned stage timeout is this many times the stage's recent p95 (default 4). */
  factor: number;
  /** Longest a learned timeout grows (default 60 000 ms). */
  capMs: number;
  /** Added per 1 000 estimated input tokens to both stages (default 100 ms). */
  perThousandInputTokensMs: number;
  /** Longest silence between events once content flows (default 15 000 ms). */
  idleMs: number;
  /** Batch traffic is not waited on by a person: its floors are multiplied by this (default 4). */
  batchFactor: number;
}

export const DEFAULT_LIVENESS: Readonly<LivenessSettings> = Object.freeze({
  headersFloorMs: 2_500,
  firstTokenFloorMs: 10_000,
  factor: 4,
  capMs: 60_000,
  perThousandInputTokensMs: 100,
  idleMs: 15_000,
  batchFactor: 4,
});

/** Fixed stage timeouts for one provider (no learning), e.g. for a reasoning model that thinks before its first token. */
export interface LivenessOverride {
  headersMs?: number;
  firstTokenMs?: number;
  idleMs?: number;
}

/** The stage timeouts of one attempt, in ms (`firstContentMs` counts from the attempt's start). */
export interface StageTimeouts {
  headersMs: number;
  firstContentMs: number;
  idleMs: number;
}

/** What the liveness of one provider+model is learned from. */
export interface LatencyEstimates {
  headers: LatencyEstimate;
  firstContent: LatencyEstimate;
}

/**
 * The stage timeouts for one attempt.
 * @example stageTimeouts(DEFAULT_LIVENESS, estimates, { priority: 'interactive', inputTokens: 1200 }) // { headersMs: 2620, … }
 */
export function stageTimeouts(
  settings: LivenessSettings,
  estimates: LatencyEstimates,
  call: { priority: 'interactive' | 'batch'; inputTokens: number },
  override: LivenessOverride = {},
): StageTimeouts {
  const scale = call.priority === 'batch' ? settings.batchFactor : 1;
  const allowance = (Math.max(0, call.inputTokens) / 1_000) * settings.perThousandInputTokensMs;
  const learned = (floorMs: number, estimate: LatencyEstimate): number => {
    const p95 = estimate.quantile();
    const base = Math.max(floorMs * scale, p95 === undefined ? 0 : settings.factor * p95);
    return Math.round(Math.min(settings.capMs, base + allowance));
  };
  const headersMs = override.headersMs ?? override.firstTokenMs ?? learned(settings.headersFloorMs, estimates.headers);
  const firstContentMs = Math.max(
    headersMs,
    override.firstTokenMs ?? learned(settings.firstTokenFloorMs, estimates.firstContent),
  );
  return { headersMs, firstContentMs, idleMs: override.idleMs ?? settings.idleMs * scale };
}

/** When an interactive request starts its next route entry beside a primary that has not answered yet. */
export interface HedgeSettings {
  /** Hedges allowed per request over the window (default 0.05: at most 5 % extra requests). */
  budgetRatio: number;
  /** Hedges always allowed per window, so a quiet process can still hedge (default 2). */
  minPerWindow: number;
  /** Window of the hedge budget (default 10 000 ms). */
  windowMs: number;
  /** Hedge once the primary is this many times past its recent p95 time to first content (default 1.5)… */
  delayFactor: number;
  /**
   * …or this many times past its median, whichever comes first (default 3): when more requests than the p95
   * are slow, the p95 is itself slow, and only the median still says what "usual" is.
   */
  medianFactor: number;
  /** Never hedge sooner than this (default 50 ms). */
  minDelayMs: number;
  /** Before a provider+model has a p95 (default 1 000 ms). */
  coldDelayMs: number;
}

export const DEFAULT_HEDGE: Readonly<HedgeSettings> = Object.freeze({
  budgetRatio: 0.05,
  minPerWindow: 2,
  windowMs: 10_000,
  delayFactor: 1.5,
  medianFactor: 3,
  minDelayMs: 50,
  coldDelayMs: 1_000,
});

/**
 * How long after its start an attempt that has produced no content is hedged.
 * @example hedgeDelayMs(DEFAULT_HEDGE, estimates.firstContent) // 1000 with no history
 */
export function hedgeDelayMs(settings: HedgeSettings, firstContent: LatencyEstimate): number {
  const p95 = firstContent.quantile();
  if (p95 === undefined) return settings.coldDelayMs;
  const median = firstContent.median() ?? p95;
  return Math.max(
    settings.minDelayMs,
    Math.round(Math.min(p95 * settings.delayFactor, median * settings.medianFactor)),
  );
}
