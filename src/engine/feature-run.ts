/**
 * The steps every call of a feature takes, `generate` and `stream` alike: prepare (the feature, its tier, the
 * request) → switches → output cap and deadline → route → the tier on a loss; and the one place that reports
 * the call as `request-completed`. Built once per engine, so a call allocates no step objects or closures.
 */
import type { Clock } from '../model/clock.js';
import { TierError, UnknownFeatureError, type AttemptRecord } from '../model/errors.js';
import type { GenerateRequest } from '../model/message.js';
import { estimateInputTokens } from '../model/token-estimate.js';
import { Deadline } from '../policy/deadline.js';
import type { ResolvedConfig, ResolvedFeature } from './config/resolve-config.js';
import type { EventBus, FailsoftEventMap } from './events.js';
import type { FeatureModes } from './feature-modes.js';
import { answerAfterLoss, answerWithoutProviders, INTERNAL_RETRY_HINT_MS } from './feature-run-loss.js';
import { assertGenerateRequest } from './request-schema.js';
import type { CallOptions, GenerateResult } from './results.js';
import type { Attempt, RouteLoss, RouteWin, RouterDeps } from './route-types.js';
import type { RouteTarget } from './route-target.js';
import { route } from './router.js';
import type { Switches } from './switches.js';

/** Max output tokens of a call whose request and feature name none. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 4096;

/** What the steps use of the engine. */
export interface FeatureRunParts {
  config: ResolvedConfig;
  /** Each feature's route, by feature name. */
  routes: ReadonlyMap<string, readonly RouteTarget[]>;
  switches: Switches;
  clock: Clock;
  deps: RouterDeps;
  modes: FeatureModes;
  bus: EventBus;
}

/**
 * How a call started: a route entry won (the caller turns `win.value` into its answer and reports it with
 * `completed`), or no provider answers and the tier already did (`result`, reported; or it threw).
 */
export type FeatureStart<T> =
  | { ok: true; feature: ResolvedFeature; started: number; win: RouteWin<T> }
  | { ok: false; result: GenerateResult };

/** The steps of one feature call, shared by `generate` and `stream`. */
export class FeatureRunner {
  constructor(readonly parts: FeatureRunParts) {}

  /** The feature, checked for existence and tier, and the request validated; throws the caller's error otherwise. */
  prepare(name: string, request: unknown): ResolvedFeature {
    const features = this.parts.config.features;
    // Own keys only: `__proto__`, `constructor` or `toString` must not find what every object inherits.
    const feature = typeof name === 'string' && Object.hasOwn(features, name) ? features[name] : undefined;
    if (!feature) throw new UnknownFeatureError(String(name), Object.keys(features));
    if (feature.tier === 'critical') {
      throw new TierError(
        name,
        `feature "${name}" is critical: critical features never call AI providers (remove the call, or change its tier)`,
      );
    }
    assertGenerateRequest(name, request);
    return feature;
  }

  /**
   * Runs the call up to its answer's source: prepare, switches, output cap, deadline, route; a loss (or a
   * switch that is off) is answered by the tier here. `attempt` builds the router's attempt for the capped
   * request; `streams` tells the router which attempts stream from the provider.
   * Rethrows the caller's cancellation reason when the caller went away.
   */
  async start<T>(
    name: string,
    request: GenerateRequest,
    options: CallOptions,
    streams: (target: RouteTarget) => boolean,
    attempt: (call: GenerateRequest) => Attempt<T>,
  ): Promise<FeatureStart<T>> {
    const feature = this.prepare(name, request);
    const { clock, deps, switches } = this.parts;
    const started = clock.now();
    const off = switches.reasonOff(feature.name);
    if (off) return { ok: false, result: await answerWithoutProviders(this, feature, request, off, [], started) };
    const call = withOutputCap(feature, request);
    const signal = options.signal;
    const deadline = new Deadline({ timeoutMs: feature.deadlineMs, clock, ...(signal ? { parent: signal } : {}) });
    let outcome: RouteWin<T> | RouteLoss;
    try {
      // No headersTimeoutMs for undici: the router judges each attempt's liveness on its own timers.
      outcome = await route<T>(
        deps,
        {
          feature,
          targets: this.parts.routes.get(feature.name) ?? [],
          deadline,
          streams,
          inputTokens: estimateInputTokens(call),
          maxOutputTokens: call.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS,
          priority: options.priority ?? feature.priority,
          ...(signal ? { callerSignal: signal } : {}),
        },
        attempt(call),
      );
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      // A failure inside failsoft itself (a policy, shared state): the tier contract still holds.
      outcome = this.internalLoss(feature, error);
    } finally {
      deadline.dispose();
    }
    if (!outcome.ok) {
      if (signal?.aborted) throw signal.reason;
      return { ok: false, result: await answerAfterLoss(this, feature, request, outcome, started) };
    }
    this.parts.modes.note(feature.name, outcome.index === 0 ? 'normal' : 'failover', outcome.attempts);
    return { ok: true, feature, started, win: outcome };
  }

  /**
   * A route that threw: a bug in a policy or a failure of failsoft's own state, never the caller's fault.
   * It becomes a loss (fallback or 503 with a retry time) and an `engine-faulted` event, never a 500.
   */
  private internalLoss(feature: ResolvedFeature, error: unknown): RouteLoss {
    const message = error instanceof Error ? error.message : String(error);
    this.parts.bus.emit('engine-faulted', this.parts.clock.now(), { feature: feature.name, message });
    return { ok: false, attempts: [], deadlineExceeded: false, retryAfterMs: INTERNAL_RETRY_HINT_MS };
  }

  /**
   * Reports a finished call: the only place `request-completed` is emitted (an answer from a provider or a
   * fallback, an error, a stream that ended). `provider` and `model` name who answered, when one did.
   */
  completed(
    feature: string,
    source: 'provider' | 'fallback' | 'error',
    provider: string | undefined,
    model: string | undefined,
    degraded: boolean,
    started: number,
    attempts: readonly AttemptRecord[],
  ): void {
    const bus = this.parts.bus;
    if (!bus.wants('request-completed')) return;
    const now = this.parts.clock.now();
    const payload: FailsoftEventMap['request-completed'] = { feature, source, degraded, ms: now - started, attempts };
    if (provider !== undefined) {
      payload.provider = provider;
      payload.model = model ?? '';
    }
    bus.emit('request-completed', now, payload);
  }
}

/** Max output tokens for a call: the request's, the feature's, or the default. */
function withOutputCap(feature: ResolvedFeature, request: GenerateRequest): GenerateRequest {
  if (request.maxOutputTokens !== undefined) return request;
  // Object.assign, not `{ ...request, … }`: V8 builds spread-first literals ~10× slower, and this runs per call.
  return Object.assign({}, request, { maxOutputTokens: feature.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS });
}
