/** Counters for one provider of the simulator. */
export interface ProviderStats {
  /** Every request that reached the provider's prefix, including auth/validation failures and 429s. */
  requests: number;
  /** Outcomes by HTTP status (`"200"`, `"529"`, …) plus `"reset"` and `"timeout"` for socket faults. */
  statuses: Record<string, number>;
  /** Streams that were cut by a fault after HTTP 200 (they also count under `"200"`). */
  streamFaults: { mid_stream_error: number; truncated_stream: number };
}

/** Counters per provider name, as served by `GET /_sim/stats`. */
export type SimStats = Record<string, ProviderStats>;

/** A fresh, zeroed counter set. */
export function emptyProviderStats(): ProviderStats {
  return { requests: 0, statuses: {}, streamFaults: { mid_stream_error: 0, truncated_stream: 0 } };
}

/** Counts one outcome (an HTTP status, `reset` or `timeout`). */
export function countOutcome(stats: ProviderStats, outcome: number | 'reset' | 'timeout'): void {
  const key = typeof outcome === 'number' ? String(outcome) : outcome;
  stats.statuses[key] = (stats.statuses[key] ?? 0) + 1;
}

/** A deep copy, safe to hand out. */
export function copyProviderStats(stats: ProviderStats): ProviderStats {
  return { requests: stats.requests, statuses: { ...stats.statuses }, streamFaults: { ...stats.streamFaults } };
}
