import { ERROR_POLICY, ProviderError, providerError } from '../model/errors.js';
import type { GenerateRequest } from '../model/message.js';
import type { Usage } from '../model/response.js';
import type { ResolvedFeature } from './config/resolve-config.js';
import type { FeatureRunner, FeatureShape } from './feature-run.js';
import type { CallOptions, FailsoftStreamEvent, GenerateResult } from './results.js';
import { openUntilFirstContent, type OpenedStream } from './open-stream.js';
import type { Attempt, RouteWin } from './route-types.js';

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
  yield {
    type: 'start',
    feature: result.feature,
    provider: result.provider,
    model: result.model,
    source: result.source,
    degraded: result.degraded,
    attempts: result.attempts,
  };
  if (result.text !== '') yield { type: 'text-delta', text: result.text };
  yield { type: 'finish', finishReason: result.finishReason, usage: result.usage };
}

/** How a stream started: a route entry won (its stream is passed on), or the tier answered (a fallback). */
type StreamStart =
  | { ok: true; feature: ResolvedFeature; started: number; win: RouteWin<OpenedStream> }
  | { ok: false; result: GenerateResult };

/**
 * `stream`: every attempt streams from the provider, up to its first content, holding the bulkhead slot until
 * the stream ends; a win is handed back to be passed through.
 */
const STREAM: FeatureShape<OpenedStream, StreamStart> = {
  streams: (): boolean => true,
  attempt:
    (call: GenerateRequest): Attempt<OpenedStream> =>
    async (target, context) => ({
      value: await openUntilFirstContent(target, call, context),
      holdSlot: true,
    }),
  won: (_run, feature, started, win): StreamStart => ({ ok: true, feature, started, win }),
  answered: (result: GenerateResult): StreamStart => ({ ok: false, result }),
};

/** `ai.stream(...)`: see `Failsoft.stream`. */
export async function* streamFeature(
  run: FeatureRunner,
  name: string,
  request: GenerateRequest,
  options: CallOptions,
  guard: StreamGuard = {},
): AsyncGenerator<FailsoftStreamEvent> {
  const start = await run.serve(name, request, options, STREAM);
  if (!start.ok) {
    yield* resultEvents(start.result);
    return;
  }
  const { feature, started, win: outcome } = start;
  const { clock, bus } = run.parts;
  const { target, value: opened, watch } = outcome;
  guard.abandon = () => {
    outcome.settle(undefined);
    watch.cancel(new Error('stream abandoned by its caller'));
  };
  let usage: Usage | undefined;
  let finished = false;
  try {
    // Inside the try: a caller that stops at the start event still closes the provider stream below.
    yield {
      type: 'start',
      feature: feature.name,
      provider: target.entry.provider,
      model: target.entry.model,
      source: 'provider',
      degraded: outcome.index > 0,
      attempts: outcome.attempts,
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
    const error =
      stalled !== undefined
        ? providerError({
            class: 'timeout',
            provider: target.entry.provider,
            model: target.entry.model,
            inStream: true,
            cause: stalled,
            message: `${target.entry.provider}: ${stalled.message}`,
          })
        : ProviderError.isInstance(thrown)
          ? thrown
          : providerError({
              class: 'server_error',
              provider: target.entry.provider,
              model: target.entry.model,
              inStream: true,
              message: `${target.entry.provider}: stream failed: ${thrown instanceof Error ? thrown.message : String(thrown)}`,
              cause: thrown,
            });
    // The router counted this stream a success at its first token; the provider dropping it counts after all.
    target.breaker.recordLateFailure(ERROR_POLICY[error.class].breaker, error.class);
    target.stats.recordFailure(clock.now() - started, error.class, error.message);
    bus.emit('stream-failed', clock.now(), {
      feature: feature.name,
      provider: target.entry.provider,
      model: target.entry.model,
      class: error.class,
      message: error.message,
    });
    finished = true;
    yield { type: 'error', error: error.toJSON() };
  } finally {
    guard.abandon = undefined;
    outcome.settle(usage);
    if (!finished) await opened.iterator.return?.();
    run.completed(
      feature.name,
      'provider',
      target.entry.provider,
      target.entry.model,
      outcome.index > 0,
      started,
      outcome.attempts,
    );
  }
}
