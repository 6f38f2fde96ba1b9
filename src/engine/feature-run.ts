/**
 * The steps every call of a feature takes, `generate` and `stream` alike: prepare (the feature, its tier, the
 * request) → switches → output cap and deadline → route → the tier on a loss; and the one place that reports
 * the call as `request-completed`. Built once per engine: the steps cost a call no objects or closures of their own.
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
 * What differs between kinds of call (`generate`, `stream`): the router's attempt, and what the call makes of a
 * win or of the tier's answer. One constant object per kind, so a call allocates no callbacks.
 */
export interface FeatureShape<T, R> {
  /** Whether an attempt at `target` streams from the provider (the router's liveness stages need to know). */
  streams(target: RouteTarget): boolean;
  /** The router's attempt for the request with its output cap. */
  attempt(call: GenerateRequest): Attempt<T>;
  /** A route entry won: the call's answer, reported with `run.completed` when it is done. */
  won(run: FeatureRunner, feature: ResolvedFeature, started: number, win: RouteWin<T>): R;
  /** No provider answered (or none may be called) and the tier did: its answer, already reported. */
  answered(result: GenerateResult): R;
}

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
   * Serves one call: prepare, switches, output cap, deadline, route, then the shape's `won`; a loss (or a switch
   * that is off) is answered by the tier here and handed to the shape's `answered`. Rejects with the caller's
   * error (unknown feature, critical tier, bad request), or the caller's cancellation reason when it went away.
   */
  async serve<T, R>(
    name: string,
    request: GenerateRequest,
    options: CallOptions,
    shape: FeatureShape<T, R>,
  ): Promise<R> {
    const feature = this.prepare(name, request);
    const { clock, deps, switches } = this.parts;
    const started = clock.now();
    const off = switches.reasonOff(feature.name);
    if (off) return shape.answered(await answerWithoutProviders(this, feature, request, off, [], started));
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
          streams: shape.streams,
          inputTokens: estimateInputTokens(call),
          maxOutputTokens: call.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS,
          priority: options.priority ?? feature.priority,
          call,
          ...(signal ? { callerSignal: signal } : {}),
        },
        shape.attempt(call),
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
      return shape.answered(await answerAfterLoss(this, feature, request, outcome, started));
    }
    this.parts.modes.note(feature.name, outcome.index === 0 ? 'normal' : 'failover', outcome.attempts);
    return shape.won(this, feature, started, outcome);
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
