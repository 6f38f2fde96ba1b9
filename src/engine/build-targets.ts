import type { Clock } from '../model/clock.js';
import { providerError } from '../model/errors.js';
import type { ProviderAdapter } from '../providers/provider-adapter.js';
import { createAdapter } from '../providers/create-adapter.js';
import { CircuitBreaker } from '../policy/circuit-breaker.js';
import { RateBudget } from '../policy/rate-budget.js';
import { Bulkhead } from '../policy/bulkhead.js';
import type { PolicyState } from '../state/policy-state.js';
import type { EventBus } from './events.js';
import type { ResolvedConfig, ResolvedProvider } from './config/resolve-config.js';
import type { RouteTarget } from './route-target.js';
import { RouteStats } from './route-stats.js';
import { LatencyEstimate } from '../policy/latency-estimate.js';
import type { LatencyEstimates } from '../policy/liveness.js';

/** The policy objects of one engine, built once from the config (never per request). */
export interface EngineParts {
  adapters: Map<string, ProviderAdapter>;
  breakers: Map<string, CircuitBreaker>;
  budgets: Map<string, RateBudget>;
  /** Per provider with `maxConcurrent`. */
  bulkheads: Map<string, Bulkhead>;
  stats: Map<string, RouteStats>;
  /** Learned time to headers and to first content, per provider/model key. */
  latencies: Map<string, LatencyEstimates>;
  /** Route targets per feature, in route order. */
  routes: Map<string, RouteTarget[]>;
}

/** An adapter whose key variable is unset: fails as `auth` at once, without a request. */
function missingKeyAdapter(provider: ResolvedProvider): ProviderAdapter {
  const fail = (model: string): never => {
    throw providerError({
      class: 'auth',
      provider: provider.name,
      model,
      message: `${provider.name}: environment variable ${provider.missingKeyEnv} is not set (providers.${provider.name}.apiKeyEnv)`,
    });
  };
  return {
    name: provider.name,
    type: provider.type,
    generate: async (model) => fail(model),
    stream: async (model) => fail(model),
    close: async () => undefined,
  };
}

/**
 * Builds adapters, breakers (per provider+model), rate budgets and bulkheads (per provider) and the
 * route of every feature. `adapters` overrides let tests and embedders supply their own transports.
 */
export function buildEngineParts(
  config: ResolvedConfig,
  deps: { clock: Clock; bus: EventBus; store: PolicyState; adapters?: Record<string, ProviderAdapter> },
): EngineParts {
  const { clock, bus, store } = deps;
  const adapters = new Map<string, ProviderAdapter>();
  const budgets = new Map<string, RateBudget>();
  const bulkheads = new Map<string, Bulkhead>();
  for (const provider of Object.values(config.providers)) {
    const override = deps.adapters?.[provider.name];
    const endpoint = {
      name: provider.name,
      type: provider.type,
      baseUrl: provider.baseUrl,
      headers: provider.headers,
      ...(provider.apiKey === undefined ? {} : { apiKey: provider.apiKey }),
    };
    adapters.set(
      provider.name,
      override ?? (provider.missingKeyEnv ? missingKeyAdapter(provider) : createAdapter(endpoint)),
    );
    const budget = new RateBudget(provider.limits ?? {}, {
      key: provider.name,
      clock,
      store,
      batchReserve: provider.batchReserve,
    });
    budget.onEvent((change) => {
      if (change.type === 'budget-exhausted')
        bus.emit('budget-exhausted', change.at, { provider: provider.name, dimension: change.dimension });
      else bus.emit('budget-recovered', change.at, { provider: provider.name });
    });
    budgets.set(provider.name, budget);
    if (provider.maxConcurrent !== undefined)
      bulkheads.set(provider.name, new Bulkhead({ maxConcurrent: provider.maxConcurrent, maxQueue: 0 }));
  }
  const breakers = new Map<string, CircuitBreaker>();
  const stats = new Map<string, RouteStats>();
  const latencies = new Map<string, LatencyEstimates>();
  const routes = new Map<string, RouteTarget[]>();
  for (const feature of Object.values(config.features)) {
    const targets: RouteTarget[] = [];
    for (const entry of feature.route) {
      let breaker = breakers.get(entry.key);
      if (!breaker) {
        breaker = new CircuitBreaker({ key: entry.key, clock, state: store, ...config.breaker });
        breaker.onTransition((t) => {
          const payload = { provider: entry.provider, model: entry.model, key: entry.key, reason: t.reason };
          if (t.from === t.to) return; // an open extended (e.g. long after short) is not a new opening
          if (t.to === 'open')
            bus.emit('provider-opened', clock.now(), {
              ...payload,
              ...(t.retryAfterMs === undefined ? {} : { retryAfterMs: t.retryAfterMs }),
            });
          else if (t.to === 'half-open') bus.emit('provider-half-opened', clock.now(), payload);
          else bus.emit('provider-closed', clock.now(), payload);
        });
        breakers.set(entry.key, breaker);
        stats.set(entry.key, new RouteStats(clock));
        latencies.set(entry.key, { headers: new LatencyEstimate(), firstContent: new LatencyEstimate() });
      }
      targets.push({
        entry,
        provider: config.providers[entry.provider] as ResolvedProvider,
        adapter: adapters.get(entry.provider) as ProviderAdapter,
        breaker,
        budget: budgets.get(entry.provider) as RateBudget,
        bulkhead: bulkheads.get(entry.provider),
        stats: stats.get(entry.key) as RouteStats,
        latency: latencies.get(entry.key) as LatencyEstimates,
      });
    }
    routes.set(feature.name, targets);
  }
  return { adapters, breakers, budgets, bulkheads, stats, latencies, routes };
}
