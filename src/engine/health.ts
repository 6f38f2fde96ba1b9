import type { ResolvedConfig } from './config/resolve-config.js';
import type { RateRemaining } from '../policy/rate-budget.js';
import type { EngineParts } from './build-targets.js';
import type { FeatureModes } from './feature-modes.js';
import type { FeatureMode } from './events.js';
import type { Switches } from './switches.js';

export type BreakerStateName = 'closed' | 'open' | 'half-open';

export interface RouteHealth {
  state: BreakerStateName;
  requests: number;
  errorRate: number;
  latencyMs: { p50: number; p95: number } | null;
  lastError?: { class: string; message: string; at: number };
  /** The provider asked for quiet (a 429's Retry-After): ms until requests go to this model again. */
  coolingDownMs?: number;
  /** Learned p95 latencies (ms) the liveness timeouts and the hedge delay are set from; absent until learned. */
  learned?: { acceptedP95Ms?: number; firstTokenP95Ms?: number };
}

export interface ProviderHealth {
  type: string;
  /** Worst state among its models: open > half-open > closed. */
  state: BreakerStateName;
  errorRate: number;
  models: Record<string, RouteHealth>;
  budget: RateRemaining;
  /**
   * Calls in flight against `maxConcurrent` (streams count until they end), and calls that found every
   * slot taken and moved on to the next route entry; only for providers with `maxConcurrent`.
   */
  concurrency?: { active: number; limit: number; rejected: number };
  /** The API key variable named in the config is not set. */
  missingKeyEnv?: string;
}

export interface FeatureHealth {
  tier: string;
  mode: FeatureMode;
  enabled: boolean;
  route: string[];
}

/** Where the policy state lives and whether it answers: `redis` lost means each instance enforces budgets alone. */
export interface SharedStateHealth {
  backend: 'memory' | 'redis';
  /** False from the loss of the shared state until it answers again (memory: always true). */
  connected: boolean;
  /** Epoch ms of the loss; absent while connected. */
  degradedSince?: number;
  /** Calls the shared state did not answer and this instance's local state answered instead (since start). */
  operationsLost: number;
  /** The last failure of the shared state, kept after it returns. */
  lastError?: string;
}

export interface HealthReport {
  /** ok: all closed and normal; degraded: something is off (a provider, a feature, the shared state) but some provider serves; down: no provider can serve. */
  status: 'ok' | 'degraded' | 'down';
  aiEnabled: boolean;
  providers: Record<string, ProviderHealth>;
  features: Record<string, FeatureHealth>;
  sharedState: SharedStateHealth;
}

const LOCAL_STATE: SharedStateHealth = { backend: 'memory', connected: true, operationsLost: 0 };

const SEVERITY: Record<BreakerStateName, number> = { closed: 0, 'half-open': 1, open: 2 };

/** Builds the health report read by `ai.health()`, `/health/ai` and `failsoft check`. */
export async function healthReport(
  config: ResolvedConfig,
  parts: EngineParts,
  modes: FeatureModes,
  switches: Switches,
  sharedState: SharedStateHealth = LOCAL_STATE,
  coolingDownMs: (key: string) => number = () => 0,
): Promise<HealthReport> {
  const providers: Record<string, ProviderHealth> = {};
  for (const provider of Object.values(config.providers)) {
    const models: Record<string, RouteHealth> = {};
    let state: BreakerStateName = 'closed';
    let requests = 0;
    let failures = 0;
    for (const [key, breaker] of parts.breakers) {
      if (!key.startsWith(`${provider.name}/`)) continue;
      const snap = parts.stats.get(key)?.snapshot();
      const routeState = breaker.state as BreakerStateName;
      if (SEVERITY[routeState] > SEVERITY[state]) state = routeState;
      requests += snap?.requests ?? 0;
      failures += snap?.failures ?? 0;
      const lastError = parts.stats.get(key)?.lastError;
      const cooling = coolingDownMs(key);
      const latency = parts.latencies.get(key);
      const accepted = latency?.headers.quantile();
      const firstToken = latency?.firstContent.quantile();
      models[key.slice(provider.name.length + 1)] = {
        state: routeState,
        requests: snap?.requests ?? 0,
        errorRate: snap?.errorRate ?? 0,
        latencyMs: snap?.latencyMs ?? null,
        ...(lastError ? { lastError } : {}),
        ...(cooling > 0 ? { coolingDownMs: cooling } : {}),
        ...(accepted === undefined && firstToken === undefined
          ? {}
          : {
              learned: {
                ...(accepted === undefined ? {} : { acceptedP95Ms: accepted }),
                ...(firstToken === undefined ? {} : { firstTokenP95Ms: firstToken }),
              },
            }),
      };
    }
    const slots = parts.bulkheads.get(provider.name)?.snapshot();
    providers[provider.name] = {
      type: provider.type,
      state,
      errorRate: requests === 0 ? 0 : failures / requests,
      models,
      budget: (await parts.budgets.get(provider.name)?.remaining()) ?? {},
      ...(slots ? { concurrency: { active: slots.active, limit: slots.maxConcurrent, rejected: slots.rejected } } : {}),
      ...(provider.missingKeyEnv ? { missingKeyEnv: provider.missingKeyEnv } : {}),
    };
  }
  const features: Record<string, FeatureHealth> = {};
  for (const feature of Object.values(config.features)) {
    features[feature.name] = {
      tier: feature.tier,
      mode: feature.tier === 'critical' ? 'normal' : modes.get(feature.name),
      enabled: feature.tier === 'critical' || switches.isEnabled(feature.name),
      route: feature.route.map((r) => r.key),
    };
  }
  const states = Object.values(providers).map((p) => p.state);
  const allOpen = states.length > 0 && states.every((s) => s === 'open');
  const cooling = Object.values(providers).some((p) =>
    Object.values(p.models).some((m) => m.coolingDownMs !== undefined),
  );
  const anyOff =
    states.some((s) => s !== 'closed') ||
    cooling ||
    Object.values(features).some((f) => f.mode !== 'normal' || !f.enabled) ||
    !sharedState.connected;
  return {
    status: allOpen || !switches.aiEnabled ? 'down' : anyOff ? 'degraded' : 'ok',
    aiEnabled: switches.aiEnabled,
    providers,
    features,
    sharedState: { ...sharedState },
  };
}
