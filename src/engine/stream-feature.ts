import type { Clock } from '../model/clock.js';
import { ERROR_POLICY, ProviderError, providerError, type AttemptRecord, AIUnavailableError } from '../model/errors.js';
import type { GenerateRequest } from '../model/message.js';
import type { Usage } from '../model/response.js';
import { Deadline } from '../policy/deadline.js';
import type { ResolvedFeature } from './config/resolve-config.js';
import type { EventBus } from './events.js';
import type { FeatureModes } from './feature-modes.js';
import type { CallOptions, FailsoftStreamEvent, GenerateResult } from './results.js';
import { route, type RouteLoss, type RouteRequest, type RouterDeps } from './router.js';
import { openUntilFirstContent, type OpenedStream } from './open-stream.js';
import type { RouteTarget } from './route-target.js';
import type { Switches } from './switches.js';

/** What the stream path borrows from the engine. */
export interface StreamContext {
  prepare(name: string, request: unknown): ResolvedFeature;
  withOutputCap(feature: ResolvedFeature, request: GenerateRequest): GenerateRequest;
  routeRequest(feature: ResolvedFeature, call: GenerateRequest, options: CallOptions, deadline: Deadline, streams: (target: RouteTarget) => boolean): RouteRequest;
  /** A route that threw (a bug or a failure of failsoft's own state) as a loss, so the tier still decides. */
  internalLoss(feature: ResolvedFeature, error: unknown): RouteLoss;
  switches: Switches;
  clock: Clock;
  deps: RouterDeps;
  modes: FeatureModes;
  bus: EventBus;
  answerWithoutProviders(feature: ResolvedFeature, request: GenerateRequest, reason: AIUnavailableError['reason'], attempts: AttemptRecord[], started: number): Promise<GenerateResult>;
  answerAfterLoss(feature: ResolvedFeature, request: GenerateRequest, loss: RouteLoss, started: number): Promise<GenerateResult>;
}

/**
 * Set by `streamFeature` while a provider stream is open: what to do if the caller drops the generator
 * without finishing or closing it (no `return()`, so no `finally` runs). `Failsoft.stream` calls it from
 * a FinalizationRegistry, so an abandoned stream frees its bulkhead slot and its provider connection.
 */
export interface StreamGuard {
  abandon?: () => void;
}

/** A fallback (or any finished result) as stream events. */
function* resultEvents(result: GenerateResult): Generator<FailsoftStreamEvent> {
  yield { type: 'start', feature: result.feature, provider: result.provider, model: result.model, source: result.source, degraded: result.degraded, attempts: result.attempts };
  if (result.text !== '') yield { type: 'text-delta', text: result.text };
  yield { type: 'finish', finishReason: result.finishReason, usage: result.usage };
}

/** `ai.stream(...)`: see `Failsoft.stream`. */
export async function* streamFeature(ctx: StreamContext, name: string, request: GenerateRequest, options: CallOptions, guard: StreamGuard = {}): AsyncGenerator<FailsoftStreamEvent> {
  const feature = ctx.prepare(name, request);
  const started = ctx.clock.now();
  const off = ctx.switches.reasonOff(feature.name);
  if (off) {
    yield* resultEvents(await ctx.answerWithoutProviders(feature, request, off, [], started));
    return;
  }
  const call = ctx.withOutputCap(feature, request);
  const deadline = new Deadline({ timeoutMs: feature.deadlineMs, clock: ctx.clock, ...(options.signal ? { parent: options.signal } : {}) });
  let outcome;
  try {
    outcome = await route<OpenedStream>(ctx.deps, ctx.routeRequest(feature, call, options, deadline, () => true),
      async (target, context) => ({ value: await openUntilFirstContent(target, call, context), holdSlot: true }));
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    // A failure inside failsoft itself (a policy, shared state): the tier contract still holds.
    outcome = ctx.internalLoss(feature, error);
  } finally {
    deadline.dispose();
  }
  if (!outcome.ok) {
    if (options.signal?.aborted) throw options.signal.reason;
    yield* resultEvents(await ctx.answerAfterLoss(feature, request, outcome, started));
    return;
  }
  const { target, value: opened, watch } = outcome;
  guard.abandon = () => {
    outcome.settle(undefined);
    watch.cancel(new Error('stream abandoned by its caller'));
  };
  ctx.modes.note(feature.name, outcome.index === 0 ? 'normal' : 'failover', outcome.attempts);
  let usage: Usage | undefined;
  let finished = false;
  try {
    // Inside the try: a caller that stops at the start event still closes the provider stream below.
    yield {
      type: 'start', feature: feature.name, provider: target.entry.provider, model: target.entry.model,
      source: 'provider', degraded: outcome.index > 0, attempts: outcome.attempts,
    };
    for (const event of opened.head) {
      if (event.type === 'finish') usage = event.usage;
      yield event;
    }
    for (;;) {
      const next = await opened.iterator.next();
      if (next.done) break;
      watch.progress();
      if (next.value.type === 'finish') usage = next.value.usage;
      yield next.value;
    }
    finished = true;
  } catch (thrown) {
    if (options.signal?.aborted) throw options.signal.reason;
    const stalled = watch.stalled;
    const error = stalled !== undefined ? providerError({
      class: 'timeout', provider: target.entry.provider, model: target.entry.model, inStream: true, cause: stalled,
      message: `${target.entry.provider}: ${stalled.message}`,
    }) : ProviderError.isInstance(thrown) ? thrown : providerError({
      class: 'server_error', provider: target.entry.provider, model: target.entry.model, inStream: true,
      message: `${target.entry.provider}: stream failed: ${thrown instanceof Error ? thrown.message : String(thrown)}`, cause: thrown,
    });
    // The router counted this stream a success at its first token; the provider dropping it counts after all.
    target.breaker.recordLateFailure(ERROR_POLICY[error.class].breaker, error.class);
    target.stats.recordFailure(ctx.clock.now() - started, error.class, error.message);
    ctx.bus.emit('stream-failed', ctx.clock.now(), { feature: feature.name, provider: target.entry.provider, model: target.entry.model, class: error.class, message: error.message });
    finished = true;
    yield { type: 'error', error: error.toJSON() };
  } finally {
    guard.abandon = undefined;
    outcome.settle(usage);
    if (!finished) await opened.iterator.return?.();
    if (ctx.bus.wants('request-completed')) {
      const now = ctx.clock.now();
      ctx.bus.emit('request-completed', now, {
        feature: feature.name, source: 'provider', provider: target.entry.provider, model: target.entry.model,
        degraded: outcome.index > 0, ms: now - started, attempts: outcome.attempts,
      });
    }
  }
}
