import type { ProviderAdapter } from '../providers/provider-adapter.js';
import type { CircuitBreaker } from '../policy/circuit-breaker.js';
import type { RateBudget } from '../policy/rate-budget.js';
import type { Bulkhead } from '../policy/bulkhead.js';
import type { ResolvedProvider, ResolvedRouteEntry } from './config/resolve-config.js';
import type { RouteStats } from './route-stats.js';
import type { LatencyEstimates } from '../policy/liveness.js';

/**
 * Everything the router needs for one route entry, built once at start-up so the hot path
 * allocates no policy objects: the adapter, the entry's breaker (per provider+model), the
 * provider's shared rate budget and bulkhead, its rolling statistics and learned latencies.
 */
export interface RouteTarget {
  entry: ResolvedRouteEntry;
  provider: ResolvedProvider;
  adapter: ProviderAdapter;
  breaker: CircuitBreaker;
  budget: RateBudget;
  bulkhead: Bulkhead | undefined;
  stats: RouteStats;
  /** What this provider+model's liveness timeouts and hedge delay are learned from (time to headers, to first content). */
  latency: LatencyEstimates;
}
