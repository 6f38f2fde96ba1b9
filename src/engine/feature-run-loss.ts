/**
 * The last step of a feature call when no provider answered (or none may be called): the tier decides.
 * `enhanced` answers with its fallback; `ai-only` throws `AIUnavailableError` with the soonest retry time;
 * a request the provider refused as wrong is the caller's error.
 */
import { AIUnavailableError, RequestError, retryAfterSeconds, type AttemptRecord } from '../model/errors.js';
import type { GenerateRequest } from '../model/message.js';
import { EMPTY_USAGE } from '../model/response.js';
import type { ResolvedFeature } from './config/resolve-config.js';
import type { FeatureMode } from './events.js';
import type { FeatureRunner } from './feature-run.js';
import type { GenerateResult } from './results.js';
import type { RouteLoss } from './route-types.js';

/** The retry time an ai-only caller is given after failsoft itself failed (nothing better is known). */
export const INTERNAL_RETRY_HINT_MS = 1_000;

/** Every provider failed (or none could be tried): the tier decides. */
export async function answerAfterLoss(
  run: FeatureRunner,
  feature: ResolvedFeature,
  request: GenerateRequest,
  loss: RouteLoss,
  started: number,
): Promise<GenerateResult> {
  const refused = loss.requestError;
  if (refused && !(refused.class === 'content_filter' && feature.tier === 'enhanced')) {
    run.completed(feature.name, 'error', undefined, undefined, false, started, loss.attempts);
    throw new RequestError({ feature: feature.name, message: refused.message, providerError: refused });
  }
  return answerWithoutProviders(
    run,
    feature,
    request,
    loss.deadlineExceeded ? 'deadline' : 'providers-failed',
    loss.attempts,
    started,
    loss,
  );
}

/** The fallback answer (enhanced) or `AIUnavailableError` (ai-only). */
export async function answerWithoutProviders(
  run: FeatureRunner,
  feature: ResolvedFeature,
  request: GenerateRequest,
  reason: AIUnavailableError['reason'],
  attempts: AttemptRecord[],
  started: number,
  loss?: RouteLoss,
): Promise<GenerateResult> {
  const switchedOff = reason === 'ai-disabled' || reason === 'feature-disabled';
  const mode: FeatureMode = switchedOff ? 'disabled' : feature.tier === 'enhanced' ? 'fallback' : 'unavailable';
  run.parts.modes.note(feature.name, mode, attempts);
  const fallback =
    feature.tier === 'enhanced' && feature.fallback ? await runFallback(run, feature, request) : undefined;
  const text = typeof fallback === 'string' ? fallback : undefined;
  // A JSON-mode caller parses the answer: a fallback that is not a JSON object would break it where a 503
  // says what happened, so such a request is answered as unavailable (configure `fallback.json`).
  const usable = text !== undefined && (request.responseFormat === undefined || isJsonObject(text));
  if (text !== undefined && usable) {
    const result: GenerateResult = {
      feature: feature.name,
      text,
      content: [{ type: 'text', text }],
      finishReason: 'stop',
      usage: { ...EMPTY_USAGE },
      provider: undefined,
      model: undefined,
      source: 'fallback',
      degraded: true,
      attempts,
    };
    run.completed(feature.name, 'fallback', undefined, undefined, true, started, attempts);
    return result;
  }
  run.completed(feature.name, 'error', undefined, undefined, true, started, attempts);
  const brokenFallback =
    fallback !== undefined && typeof fallback !== 'string' ? ` (its fallback failed: ${fallback.failed})` : '';
  const retryAfterMs = switchedOff
    ? brokenFallback
      ? INTERNAL_RETRY_HINT_MS
      : undefined
    : (loss?.retryAfterMs ?? (brokenFallback ? INTERNAL_RETRY_HINT_MS : undefined));
  const why = switchedOff
    ? reason === 'ai-disabled'
      ? `AI is switched off (${run.parts.switches.offBecause})`
      : `feature "${feature.name}" is switched off`
    : reason === 'deadline'
      ? `no provider answered within ${feature.deadlineMs} ms`
      : 'no provider can serve it right now';
  const noJsonFallback =
    text !== undefined ? ' (its fallback is not JSON, and the request asked for JSON: set fallback.json)' : '';
  throw new AIUnavailableError({
    feature: feature.name,
    reason,
    attempts,
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
async function runFallback(
  run: FeatureRunner,
  feature: ResolvedFeature,
  request: GenerateRequest,
): Promise<string | { failed: string }> {
  const { bus, clock } = run.parts;
  try {
    const text: unknown = await (feature.fallback as NonNullable<ResolvedFeature['fallback']>)(request);
    if (typeof text === 'string') return text;
    const failed = `it returned ${text === null ? 'null' : typeof text}, not text`;
    bus.emit('engine-faulted', clock.now(), { feature: feature.name, message: `fallback ${failed}` });
    return { failed };
  } catch (error) {
    const failed = error instanceof Error ? error.message : String(error);
    bus.emit('engine-faulted', clock.now(), { feature: feature.name, message: `fallback threw: ${failed}` });
    return { failed };
  }
}

/** True when `text` is a JSON object (what a JSON-mode caller will parse). */
function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
