/** Counters for one provider of the simulator. */
export interface ProviderStats {
  /** Every request that reached the provider's prefix, including auth/validation failures and 429s. */
  requests: number;
  /** Outcomes by HTTP status (`"200"`, `"529"`, …) plus `"reset"` and `"timeout"` for socket faults. */
  statuses: Record<string, number>;
  /** Streams that were cut (or, `stall_stream`, left hanging) by a fault after HTTP 200 (they also count under `"200"`). */
  streamFaults: StreamFaultCounts;
  /** Answers (streamed or not) of `slow_stream` rules: started, sent to the end, or left by the client before it. */
  slowStreams: SlowStreamCounts;
}

/** Streams cut or stalled after HTTP 200, by fault kind. */
export interface StreamFaultCounts {
  mid_stream_error: number;
  truncated_stream: number;
  stall_stream: number;
}

/** What became of `slow_stream` answers: `started` = `completed` + `abandoned` + those still going. */
export interface SlowStreamCounts {
  started: number;
  completed: number;
  abandoned: number;
}

/** Counters per provider name, as served by `GET /_sim/stats`. */
export type SimStats = Record<string, ProviderStats>;

/** A fresh, zeroed counter set. */
export function emptyProviderStats(): ProviderStats {
  return {
    requests: 0,
    statuses: {},
    streamFaults: { mid_stream_error: 0, truncated_stream: 0, stall_stream: 0 },
    slowStreams: { started: 0, completed: 0, abandoned: 0 },
  };
}

/** Counts one outcome (an HTTP status, `reset` or `timeout`). */
export function countOutcome(stats: ProviderStats, outcome: number | 'reset' | 'timeout'): void {
  const key = typeof outcome === 'number' ? String(outcome) : outcome;
  stats.statuses[key] = (stats.statuses[key] ?? 0) + 1;
}

/** A deep copy, safe to hand out. */
export function copyProviderStats(stats: ProviderStats): ProviderStats {
  return {
    requests: stats.requests,
    statuses: { ...stats.statuses },
    streamFaults: { ...stats.streamFaults },
    slowStreams: { ...stats.slowStreams },
  };
}
