/**
 * Backoff for retrying the SAME provider. Full jitter (AWS architecture blog, "Exponential Backoff And
 * Jitter"): the delay is uniform in [0, min(cap, base·2^attempt)), which spreads synchronised clients
 * apart better than plain or "equal" jitter. Retrying another provider never waits (ARCHITECTURE.md).
 */

/** Options of {@link fullJitterBackoff}. */
export interface BackoffOptions {
  /** Delay ceiling of the first retry (attempt 0). Default 250 ms. */
  baseMs?: number;
  /** Largest ceiling. Default 8 000 ms. */
  capMs?: number;
}

export const DEFAULT_BACKOFF_BASE_MS = 250;
export const DEFAULT_BACKOFF_CAP_MS = 8_000;

/**
 * Full-jitter backoff: a random delay in [0, min(cap, base·2^attempt)); `attempt` 0 is the first retry.
 * @example await clock.sleep(fullJitterBackoff(retryIndex)); // 0–250 ms, then 0–500 ms, … up to 0–8 s
 */
export function fullJitterBackoff(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  return Math.floor(random() * backoffCeiling(attempt, options));
}

/** The upper bound of {@link fullJitterBackoff} for an attempt: min(cap, base·2^attempt). */
export function backoffCeiling(attempt: number, options: BackoffOptions = {}): number {
  const base = Math.max(0, options.baseMs ?? DEFAULT_BACKOFF_BASE_MS);
  const cap = Math.max(0, options.capMs ?? DEFAULT_BACKOFF_CAP_MS);
  const n = Number.isFinite(attempt) && attempt > 0 ? Math.floor(attempt) : 0;
  // 2^n overflows to Infinity for large n; min() with the cap keeps it finite.
  return Math.min(cap, base * 2 ** n);
}

/**
 * The delay before retrying the same provider: the server's requested delay (Retry-After) when it gave
 * one, otherwise full-jitter backoff. The server's delay is honoured as a minimum on every retry, not
 * only the first (LiteLLM #20722 forgets it after the first).
 * @example const waitMs = retryDelay(attempt, { retryAfterMs: error.retryAfterMs }); if (waitMs < deadline.remainingMs()) …
 */
export function retryDelay(
  attempt: number,
  options: BackoffOptions & { retryAfterMs?: number | undefined } = {},
  random: () => number = Math.random,
): number {
  const server = options.retryAfterMs;
  if (server !== undefined && Number.isFinite(server) && server >= 0) return Math.ceil(server);
  return fullJitterBackoff(attempt, options, random);
}
