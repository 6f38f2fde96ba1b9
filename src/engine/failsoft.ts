import { systemClock, type Clock } from '../model/clock.js';
import {
  AIUnavailableError, ProviderError, RequestError, TierError, UnknownFeatureError, retryAfterSeconds, type AttemptRecord,
} from '../model/errors.js';
import type { GenerateRequest } from '../model/message.js';
import { EMPTY_USAGE, type ProviderResponse } from '../model/response.js';
import { estimateInputTokens } from '../model/token-estimate.js';
import type { ProviderAdapter } from '../providers/provider-adapter.js';
import { RetryBudget } from '../policy/retry-budget.js';
import { Deadline } from '../policy/deadline.js';
import { MemoryPolicyState } from '../state/memory-policy-state.js';
import { FallbackPolicyState } from '../state/fallback-policy-state.js';
import type { PolicyState } from '../state/policy-state.js';
import { LazyRedisPolicyState } from './lazy-redis-state.js';
import { resolveConfig, type FailsoftConfig, type ResolvedConfig, type ResolvedFeature } from './config/resolve-config.js';
import { buildEngineParts, type EngineParts } from './build-targets.js';
import { EventBus, type FailsoftEvent, type FailsoftEventMap, type FailsoftEventType, type FeatureMode } from './events.js';
import { FeatureModes } from './feature-modes.js';
import { assertGenerateRequest } from './request-schema.js';
import { route, type RouteLoss, type RouteRequest, type RouterDeps } from './router.js';
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

export const DEFAULT_MAX_OUTPUT_TOKENS = 4096;
/** The retry time an ai-only caller is given after failsoft itself failed (nothing better is known). */
const INTERNAL_RETRY_HINT_MS = 1_000;

/** A non-streamed call streams from the provider unless the provider is configured not to. */
function streamsUpstream(target: RouteTarget): boolean {
  return target.provider.streamUpstream;
}

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

  constructor(config: ResolvedConfig, options: FailsoftOptions = {}) {
    this.config = config;
    this.clock = options.clock ?? systemClock;
    this.bus = new EventBus();
    this.ownStore = options.store ? undefined : defaultStore(options.env ?? process.env);
    const store = options.store ?? (this.ownStore as PolicyState);
    this.sharedState = watchSharedState(store, this.bus);
    this.parts = buildEngineParts(config, { clock: this.clock, bus: this.bus, store, ...(options.adapters ? { adapters: options.adapters } : {}) });
    this.modes = new FeatureModes(this.bus, this.clock, config.modeSettleMs);
    const disabled = Object.values(config.features).filter((f) => !f.enabled).map((f) => f.name);
    this.switches = new Switches(config.aiEnabled, disabled, this.bus, this.clock, new Set(Object.keys(config.features)));
    this.cooldowns = new ProviderCooldowns({ clock: this.clock, state: store });
    this.cooldowns.onChange((change) => {
      const slash = change.provider.indexOf('/');
      const at = change.active ? this.clock.now() : change.untilMs;
      const payload = { key: change.provider, provider: change.provider.slice(0, slash), model: change.provider.slice(slash + 1), untilMs: change.untilMs, source: change.source };
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
        clock: this.clock, ratio: config.hedge?.budgetRatio ?? DEFAULT_HEDGE.budgetRatio,
        windowMs: config.hedge?.windowMs ?? DEFAULT_HEDGE.windowMs, minRetries: config.hedge?.minPerWindow ?? DEFAULT_HEDGE.minPerWindow,
      }),
      random: options.random ?? Math.random,
    };
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

  /** The feature, checked for existence, tier and switches; or the way it must answer instead. */
  private prepare(name: string, request: unknown): ResolvedFeature {
    // Own keys only: `__proto__`, `constructor` or `toString` must not find what every object inherits.
    const feature = typeof name === 'string' && Object.hasOwn(this.config.features, name) ? this.config.features[name] : undefined;
    if (!feature) throw new UnknownFeatureError(String(name), Object.keys(this.config.features));
    if (feature.tier === 'critical') {
      throw new TierError(name, `feature "${name}" is critical: critical features never call AI providers (remove the call, or change its tier)`);
    }
    assertGenerateRequest(name, request);
    return feature;
  }

  /** Max output tokens for a call: the request's, the feature's, or the default. */
  private withOutputCap(feature: ResolvedFeature, request: GenerateRequest): GenerateRequest {
    if (request.maxOutputTokens !== undefined) return request;
    // Object.assign, not `{ ...request, … }`: V8 builds spread-first literals ~10× slower, and this runs per call.
    return Object.assign({}, request, { maxOutputTokens: feature.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS });
  }

  /** What the router needs for one call: the feature's targets, the budget ask, the deadline. */
  private routeRequest(feature: ResolvedFeature, call: GenerateRequest, options: CallOptions, deadline: Deadline, streams: (target: RouteTarget) => boolean): RouteRequest {
    return {
      feature, targets: this.parts.routes.get(feature.name) ?? [], deadline, streams,
      inputTokens: estimateInputTokens(call), maxOutputTokens: call.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS,
      priority: options.priority ?? feature.priority, ...(options.signal ? { callerSignal: options.signal } : {}),
    };
  }

  /**
   * Generates an answer for a feature, failing over along its route; enhanced features answer with
   * their fallback when no provider can, ai-only features throw `AIUnavailableError`.
   * @example const r = await ai.generate('summary', { messages: [{ role: 'user', content: 'Summarize …' }] });
   */
  async generate(featureName: string, request: GenerateRequest, options: CallOptions = {}): Promise<GenerateResult> {
    const feature = this.prepare(featureName, request);
    const started = this.clock.now();
    const off = this.switches.reasonOff(feature.name);
    if (off) return this.answerWithoutProviders(feature, request, off, [], started);
    const call = this.withOutputCap(feature, request);
    const deadline = new Deadline({ timeoutMs: feature.deadlineMs, clock: this.clock, ...(options.signal ? { parent: options.signal } : {}) });
    try {
      let outcome;
      try {
        // No headersTimeoutMs for undici: the router judges each attempt's liveness on its own timers.
        outcome = await route<ProviderResponse>(this.deps, this.routeRequest(feature, call, options, deadline, streamsUpstream), generateAttempt(call));
      } catch (error) {
        if (options.signal?.aborted) throw options.signal.reason;
        outcome = this.internalLoss(feature, error);
      }
      if (outcome.ok) {
        const response = outcome.value;
        const mode: FeatureMode = outcome.index === 0 ? 'normal' : 'failover';
        this.modes.note(feature.name, mode, outcome.attempts);
        const result: GenerateResult = {
          feature: feature.name, text: response.text, content: response.content, finishReason: response.finishReason,
          usage: response.usage, provider: outcome.target.entry.provider, model: response.model || outcome.target.entry.model,
          source: 'provider', degraded: outcome.index > 0, attempts: outcome.attempts,
          ...(response.id === undefined ? {} : { id: response.id }),
        };
        this.completed(result, started);
        return result;
      }
      if (options.signal?.aborted) throw options.signal.reason;
      return await this.answerAfterLoss(feature, request, outcome, started);
    } finally {
      deadline.dispose();
    }
  }

  /**
   * Streams an answer: a `start` event naming who answers, content events, then `finish`.
   * Failover happens only before the first content; a failure after it ends with an `error` event.
   * @example for await (const ev of ai.stream('chat', req)) if (ev.type === 'text-delta') process.stdout.write(ev.text);
   */
  stream(featureName: string, request: GenerateRequest, options: CallOptions = {}): AsyncGenerator<FailsoftStreamEvent> {
    const guard: StreamGuard = {};
    const events = streamFeature(this.streamContext(), featureName, request, options, guard);
    abandonedStreams.register(events, guard);
    return events;
  }

  private streamContext(): Parameters<typeof streamFeature>[0] {
    return {
      prepare: (name, request) => this.prepare(name, request),
      withOutputCap: (feature, request) => this.withOutputCap(feature, request),
      routeRequest: (feature, call, options, deadline, streams) => this.routeRequest(feature, call, options, deadline, streams),
      internalLoss: (feature, error) => this.internalLoss(feature, error),
      switches: this.switches, clock: this.clock, deps: this.deps, modes: this.modes, bus: this.bus,
      answerWithoutProviders: (feature, request, reason, attempts, started) => this.answerWithoutProviders(feature, request, reason, attempts, started),
      answerAfterLoss: (feature, request, loss, started) => this.answerAfterLoss(feature, request, loss, started),
    };
  }

  /**
   * A route that threw: a bug in a policy or a failure of failsoft's own state, never the caller's fault.
   * It becomes a loss (fallback or 503 with a retry time) and an `engine-faulted` event, never a 500.
   */
  private internalLoss(feature: ResolvedFeature, error: unknown): RouteLoss {
    const message = error instanceof Error ? error.message : String(error);
    this.bus.emit('engine-faulted', this.clock.now(), { feature: feature.name, message });
    return { ok: false, attempts: [], deadlineExceeded: false, retryAfterMs: INTERNAL_RETRY_HINT_MS };
  }

  /** Every provider failed (or none could be tried): the tier decides. */
  private async answerAfterLoss(feature: ResolvedFeature, request: GenerateRequest, loss: RouteLoss, started: number): Promise<GenerateResult> {
    const refused = loss.requestError;
    if (refused && !(refused.class === 'content_filter' && feature.tier === 'enhanced')) {
      this.emitCompleted(feature.name, 'error', undefined, false, started, loss.attempts);
      throw new RequestError({ feature: feature.name, message: refused.message, providerError: refused });
    }
    return this.answerWithoutProviders(feature, request, loss.deadlineExceeded ? 'deadline' : 'providers-failed', loss.attempts, started, loss);
  }

  /** The fallback answer (enhanced) or `AIUnavailableError` (ai-only). */
  private async answerWithoutProviders(
    feature: ResolvedFeature, request: GenerateRequest, reason: AIUnavailableError['reason'],
    attempts: AttemptRecord[], started: number, loss?: RouteLoss,
  ): Promise<GenerateResult> {
    const switchedOff = reason === 'ai-disabled' || reason === 'feature-disabled';
    const mode: FeatureMode = switchedOff ? 'disabled' : feature.tier === 'enhanced' ? 'fallback' : 'unavailable';
    this.modes.note(feature.name, mode, attempts);
    const fallback = feature.tier === 'enhanced' && feature.fallback ? await this.runFallback(feature, request) : undefined;
    const text = typeof fallback === 'string' ? fallback : undefined;
    // A JSON-mode caller parses the answer: a fallback that is not a JSON object would break it where a 503
    // says what happened, so such a request is answered as unavailable (configure `fallback.json`).
    const usable = text !== undefined && (request.responseFormat === undefined || isJsonObject(text));
    if (text !== undefined && usable) {
      const result: GenerateResult = {
        feature: feature.name, text, content: [{ type: 'text', text }], finishReason: 'stop', usage: { ...EMPTY_USAGE },
        provider: undefined, model: undefined, source: 'fallback', degraded: true, attempts,
      };
      this.completed(result, started);
      return result;
    }
    this.emitCompleted(feature.name, 'error', undefined, true, started, attempts);
    const brokenFallback = fallback !== undefined && typeof fallback !== 'string' ? ` (its fallback failed: ${fallback.failed})` : '';
    const retryAfterMs = switchedOff ? (brokenFallback ? INTERNAL_RETRY_HINT_MS : undefined) : loss?.retryAfterMs ?? (brokenFallback ? INTERNAL_RETRY_HINT_MS : undefined);
    const why = switchedOff
      ? reason === 'ai-disabled' ? `AI is switched off (${this.switches.offBecause})` : `feature "${feature.name}" is switched off`
      : reason === 'deadline' ? `no provider answered within ${feature.deadlineMs} ms` : 'no provider can serve it right now';
    const noJsonFallback = text !== undefined ? ' (its fallback is not JSON, and the request asked for JSON: set fallback.json)' : '';
    throw new AIUnavailableError({
      feature: feature.name, reason, attempts,
      message: `${feature.name} is unavailable: ${why}${noJsonFallback}${brokenFallback}${retryAfterMs === undefined ? '' : `; retry in ${retryAfterSeconds(retryAfterMs)} s`}`,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      ...(loss?.lastError ? { cause: loss.lastError } : {}),
    });
  }

  /**
   * The feature's fallback text, or why there is none: a fallback function (code) that throws or returns
   * something other than text is a bug of the caller's, answered as unavailable (503) with an
   * `engine-faulted` event, never as an internal error.
   */
  private async runFallback(feature: ResolvedFeature, request: GenerateRequest): Promise<string | { failed: string }> {
    try {
      const text: unknown = await (feature.fallback as NonNullable<ResolvedFeature['fallback']>)(request);
      if (typeof text === 'string') return text;
      const failed = `it returned ${text === null ? 'null' : typeof text}, not text`;
      this.bus.emit('engine-faulted', this.clock.now(), { feature: feature.name, message: `fallback ${failed}` });
      return { failed };
    } catch (error) {
      const failed = error instanceof Error ? error.message : String(error);
      this.bus.emit('engine-faulted', this.clock.now(), { feature: feature.name, message: `fallback threw: ${failed}` });
      return { failed };
    }
  }

  private completed(result: GenerateResult, started: number): void {
    this.emitCompleted(result.feature, result.source, result.provider === undefined ? undefined : { provider: result.provider, model: result.model ?? '' }, result.degraded, started, result.attempts);
  }

  private emitCompleted(feature: string, source: 'provider' | 'fallback' | 'error', by: { provider: string; model: string } | undefined, degraded: boolean, started: number, attempts: readonly AttemptRecord[]): void {
    if (!this.bus.wants('request-completed')) return;
    const now = this.clock.now();
    const payload: FailsoftEventMap['request-completed'] = { feature, source, degraded, ms: now - started, attempts };
    if (by) {
      payload.provider = by.provider;
      payload.model = by.model;
    }
    this.bus.emit('request-completed', now, payload);
  }

  /** Per provider and route entry: breaker state, error rate, latency, budget left; per feature: mode. */
  health(): Promise<HealthReport> {
    return healthReport(this.config, this.parts, this.modes, this.switches, this.sharedState.health(), (key) => this.cooldowns.remainingMs(key));
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
    return Promise.reject(new RangeError(`no route entry "${key}" to probe (known: ${[...this.parts.breakers.keys()].join(', ') || 'none'})`));
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
  return url ? new FallbackPolicyState(new LazyRedisPolicyState(url, env.FAILSOFT_REDIS_PREFIX?.trim() || 'failsoft:')) : new MemoryPolicyState();
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

/** True when `text` is a JSON object (what a JSON-mode caller will parse). */
function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
