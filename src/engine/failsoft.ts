import { systemClock, type Clock } from '../model/clock.js';
import { ProviderError } from '../model/errors.js';
import type { GenerateRequest } from '../model/message.js';
import type { ProviderResponse } from '../model/response.js';
import type { ProviderAdapter } from '../providers/provider-adapter.js';
import { RetryBudget } from '../policy/retry-budget.js';
import { MemoryPolicyState } from '../state/memory-policy-state.js';
import { FallbackPolicyState } from '../state/fallback-policy-state.js';
import type { PolicyState } from '../state/policy-state.js';
import { LazyRedisPolicyState } from '../state/lazy-redis-state.js';
import { resolveConfig, type FailsoftConfig, type ResolvedConfig } from './config/resolve-config.js';
import { buildEngineParts, type EngineParts } from './build-targets.js';
import { EventBus, type FailsoftEvent, type FailsoftEventType } from './events.js';
import { FeatureModes } from './feature-modes.js';
import { FeatureRunner, type FeatureShape } from './feature-run.js';
import type { RouterDeps } from './router.js';
import type { RouteTarget } from './route-target.js';
import { generateAttempt } from './open-stream.js';
import { DEFAULT_HEDGE, DEFAULT_LIVENESS } from '../policy/liveness.js';
import { ProviderCooldowns } from '../policy/provider-cooldowns.js';
import { Switches } from './switches.js';
import { healthReport, type HealthReport } from './health.js';
import { watchSharedState, type SharedStateWatch } from './shared-state-watch.js';
import { streamFeature, type StreamGuard } from './stream-feature.js';
import { probeTarget, type ProbeResult } from './probe-target.js';
import type { CallOptions, FailsoftStreamEvent, GenerateResult } from './results.js';

/** Streams dropped by their caller mid-answer (never finished, never closed) give back what they hold. */
const abandonedStreams = new FinalizationRegistry<StreamGuard>((guard) => guard.abandon?.());

export interface FailsoftOptions {
  /** Time source for every policy (tests pass a FakeClock). */
  clock?: Clock;
  /** Environment for secrets and AI_ENABLED (default process.env). */
  env?: Record<string, string | undefined>;
  /** Adapters to use instead of building them from the config, by provider name. */
  adapters?: Record<string, ProviderAdapter>;
  /** Shared policy state (default: Redis when REDIS_URL is set, falling back to local state; else in memory). */
  store?: PolicyState;
  /** Randomness for backoff jitter (tests pass a fixed function). */
  random?: () => number;
}

export { DEFAULT_MAX_OUTPUT_TOKENS } from './feature-run.js';

/**
 * `generate`: a non-streamed call streams from the provider unless the provider is configured not to, and a
 * win is the provider's assembled answer.
 */
const GENERATE: FeatureShape<ProviderResponse, GenerateResult> = {
  streams: (target: RouteTarget): boolean => target.provider.streamUpstream,
  attempt: generateAttempt,
  won(run, feature, started, win): GenerateResult {
    const response = win.value;
    const result: GenerateResult = {
      feature: feature.name,
      text: response.text,
      content: response.content,
      finishReason: response.finishReason,
      usage: response.usage,
      provider: win.target.entry.provider,
      model: response.model || win.target.entry.model,
      source: 'provider',
      degraded: win.index > 0,
      attempts: win.attempts,
      ...(response.id === undefined ? {} : { id: response.id }),
    };
    run.completed(result.feature, 'provider', result.provider, result.model, result.degraded, started, result.attempts);
    return result;
  },
  answered: (result: GenerateResult): GenerateResult => result,
};

/** The engine: features served through routes of providers, with fallbacks by tier. */
export class Failsoft {
  readonly config: ResolvedConfig;
  readonly switches: Switches;
  private readonly bus: EventBus;
  private readonly clock: Clock;
  private readonly parts: EngineParts;
  private readonly modes: FeatureModes;
  private readonly deps: RouterDeps;
  private readonly cooldowns: ProviderCooldowns;
  /** The store this engine created (and so must close); undefined when the caller passed one. */
  private readonly ownStore: PolicyState | undefined;
  /** Whether the shared state answers: events on its loss and return, and its part of `health()`. */
  private readonly sharedState: SharedStateWatch;
  /** The steps of every call (prepare, switches, deadline, route, the tier on a loss), built once. */
  private readonly runner: FeatureRunner;

  constructor(config: ResolvedConfig, options: FailsoftOptions = {}) {
    this.config = config;
    this.clock = options.clock ?? systemClock;
    this.bus = new EventBus();
    this.ownStore = options.store ? undefined : defaultStore(options.env ?? process.env);
    const store = options.store ?? (this.ownStore as PolicyState);
    this.sharedState = watchSharedState(store, this.bus);
    this.parts = buildEngineParts(config, {
      clock: this.clock,
      bus: this.bus,
      store,
      ...(options.adapters ? { adapters: options.adapters } : {}),
    });
    this.modes = new FeatureModes(this.bus, this.clock, config.modeSettleMs);
    const disabled = Object.values(config.features)
      .filter((f) => !f.enabled)
      .map((f) => f.name);
    this.switches = new Switches(
      config.aiEnabled,
      disabled,
      this.bus,
      this.clock,
      new Set(Object.keys(config.features)),
    );
    this.cooldowns = new ProviderCooldowns({ clock: this.clock, state: store });
    this.cooldowns.onChange((change) => {
      const slash = change.provider.indexOf('/');
      const at = change.active ? this.clock.now() : change.untilMs;
      const payload = {
        key: change.provider,
        provider: change.provider.slice(0, slash),
        model: change.provider.slice(slash + 1),
        untilMs: change.untilMs,
        source: change.source,
      };
      if (change.active) this.bus.emit('provider-cooldown-started', at, payload);
      else this.bus.emit('provider-cooldown-ended', at, payload);
    });
    this.deps = {
      clock: this.clock,
      cooldowns: this.cooldowns,
      bus: this.bus,
      retryBudget: new RetryBudget({
        clock: this.clock,
        ...(config.retry.budgetRatio === undefined ? {} : { ratio: config.retry.budgetRatio }),
        ...(config.retry.budgetWindowMs === undefined ? {} : { windowMs: config.retry.budgetWindowMs }),
        ...(config.retry.budgetMinRetries === undefined ? {} : { minRetries: config.retry.budgetMinRetries }),
      }),
      backoff: { baseMs: config.retry.baseMs ?? 250, capMs: config.retry.capMs ?? 8_000 },
      liveness: { ...DEFAULT_LIVENESS, ...config.liveness },
      hedge: { ...DEFAULT_HEDGE, ...config.hedge },
      hedgeBudget: new RetryBudget({
        clock: this.clock,
        ratio: config.hedge?.budgetRatio ?? DEFAULT_HEDGE.budgetRatio,
        windowMs: config.hedge?.windowMs ?? DEFAULT_HEDGE.windowMs,
        minRetries: config.hedge?.minPerWindow ?? DEFAULT_HEDGE.minPerWindow,
      }),
      random: options.random ?? Math.random,
    };
    this.runner = new FeatureRunner({
      config,
      routes: this.parts.routes,
      switches: this.switches,
      clock: this.clock,
      deps: this.deps,
      modes: this.modes,
      bus: this.bus,
    });
  }

  /**
   * Listens to engine events (noun-verb names), or to every event with `'*'`.
   * @example ai.on('provider-opened', (e) => console.warn(`${e.key} opened: ${e.reason}`));
   */
  on<K extends FailsoftEventType>(type: K, listener: (event: FailsoftEvent<K>) => void): () => void;
  on(type: '*', listener: (event: FailsoftEvent) => void): () => void;
  on(type: FailsoftEventType | '*', listener: (event: never) => void): () => void {
    return this.bus.on(type as '*', listener as (event: FailsoftEvent) => void);
  }

  /**
   * Generates an answer for a feature, failing over along its route; enhanced features answer with
   * their fallback when no provider can, ai-only features throw `AIUnavailableError`.
   * @example const r = await ai.generate('summary', { messages: [{ role: 'user', content: 'Summarize …' }] });
   */
  generate(featureName: string, request: GenerateRequest, options: CallOptions = {}): Promise<GenerateResult> {
    // Not async: the runner's promise is the call's, so a call pays for one async frame, not two.
    return this.runner.serve(featureName, request, options, GENERATE);
  }

  /**
   * Streams an answer: a `start` event naming who answers, content events, then `finish`.
   * Failover happens only before the first content; a failure after it ends with an `error` event.
   * @example for await (const ev of ai.stream('chat', req)) if (ev.type === 'text-delta') process.stdout.write(ev.text);
   */
  stream(
    featureName: string,
    request: GenerateRequest,
    options: CallOptions = {},
  ): AsyncGenerator<FailsoftStreamEvent> {
    const guard: StreamGuard = {};
    const events = streamFeature(this.runner, featureName, request, options, guard);
    abandonedStreams.register(events, guard);
    return events;
  }

  /** Per provider and route entry: breaker state, error rate, latency, budget left; per feature: mode. */
  health(): Promise<HealthReport> {
    return healthReport(this.config, this.parts, this.modes, this.switches, this.sharedState.health(), (key) =>
      this.cooldowns.remainingMs(key),
    );
  }

  /**
   * Sends one cheap request (one token, batch priority) to one route entry through its own breaker, cool-down
   * and budget: the active probe of `checks.ai.probes`. Skips an open breaker or a cool-down; a half-open
   * breaker takes it as its trial call. Rejects with a RangeError for a key on no route.
   * @example const r = await ai.probe('claude/claude-sonnet-4-5'); r.outcome // 'answered' | 'failed' | 'skipped'
   */
  probe(key: string): Promise<ProbeResult> {
    for (const targets of this.parts.routes.values()) {
      const target = targets.find((t) => t.entry.key === key);
      if (target) return probeTarget(this.deps, target);
    }
    return Promise.reject(
      new RangeError(
        `no route entry "${key}" to probe (known: ${[...this.parts.breakers.keys()].join(', ') || 'none'})`,
      ),
    );
  }

  /** Every provider/model on the features' routes, in route order: what `probe` takes. */
  routeKeys(): string[] {
    return [...this.parts.breakers.keys()];
  }

  /** Forces a provider's breakers open (all its models, or one) until `forceClose`; an event. */
  forceOpen(provider: string, model?: string): void {
    for (const [key, breaker] of this.parts.breakers) if (matches(key, provider, model)) breaker.forceOpen();
  }

  /** Closes a provider's breakers (all its models, or one); an event. */
  forceClose(provider: string, model?: string): void {
    for (const [key, breaker] of this.parts.breakers) if (matches(key, provider, model)) breaker.forceClose();
  }

  /** Releases connections. */
  async close(): Promise<void> {
    this.sharedState.close();
    this.cooldowns.close();
    await Promise.all([...this.parts.adapters.values()].map((a) => a.close()));
    await this.ownStore?.close();
  }
}

/**
 * Where policy state lives by default: Redis when `REDIS_URL` is set, so many instances share one rate
 * budget and see each other's open breakers (wrapped so requests keep flowing on local state while
 * Redis is away); otherwise in this process's memory.
 */
function defaultStore(env: Record<string, string | undefined>): PolicyState {
  const url = env.REDIS_URL?.trim();
  return url
    ? new FallbackPolicyState(new LazyRedisPolicyState(url, env.FAILSOFT_REDIS_PREFIX?.trim() || 'failsoft:'))
    : new MemoryPolicyState();
}

function matches(key: string, provider: string, model: string | undefined): boolean {
  return model === undefined ? key.startsWith(`${provider}/`) : key === `${provider}/${model}`;
}

/**
 * Creates the engine from a config object (same shape as `failsoft.yaml`) or a resolved config.
 * @example const ai = createFailsoft({ providers: { claude: { type: 'anthropic', apiKeyEnv: 'ANTHROPIC_API_KEY' } }, features: { chat: { tier: 'ai-only', route: ['claude/claude-sonnet-4-5'] } } });
 */
export function createFailsoft(config: FailsoftConfig | ResolvedConfig, options: FailsoftOptions = {}): Failsoft {
  const resolved = isResolved(config) ? config : resolveConfig(config, options.env ? { env: options.env } : {});
  return new Failsoft(resolved, options);
}

function isResolved(config: FailsoftConfig | ResolvedConfig): config is ResolvedConfig {
  return typeof (config as ResolvedConfig).aiEnabled === 'boolean' && 'breaker' in config && 'retry' in config;
}

export { ProviderError };
