/**
 * failsoft's errors in the AI SDK's terms. The AI SDK retries an `APICallError` whose `isRetryable` is true
 * (`maxRetries`, default 2, with its own backoff); failsoft has already tried every route entry, retried
 * within its budget and honoured the providers' retry-after, so a second round of retries on top would only
 * multiply the load on providers that are already struggling. Every error here says `isRetryable: false`,
 * and carries what failsoft knows instead: when to try again (`retryAfterMs`), and the failsoft error as `cause`.
 */
import { APICallError } from '@ai-sdk/provider';
import {
  AIUnavailableError,
  RequestError,
  retryAfterSeconds,
  type AttemptRecord,
  type FailsoftErrorData,
} from '../model/errors.js';
import type { GenerateRequest } from '../model/message.js';

const UNAVAILABLE = Symbol.for('failsoft.ai-sdk.unavailable');
const REFUSED = Symbol.for('failsoft.ai-sdk.request');
const STREAM_BROKEN = Symbol.for('failsoft.ai-sdk.stream');

/** What an error's `url` names: the feature called, since failsoft, not one HTTP endpoint, answered. */
function featureUrl(feature: string): string {
  return `failsoft:feature/${encodeURIComponent(feature)}`;
}

function hasMarker(value: unknown, marker: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
}

/**
 * An ai-only feature that no provider can serve now (or AI switched off): failsoft's `AIUnavailableError`
 * (its `cause`) as a 503 `APICallError` that the AI SDK does not retry. `retryAfterMs` says when some route
 * entry may serve again; `responseHeaders['retry-after']` says the same in whole seconds.
 */
export class FailsoftUnavailableError extends APICallError {
  readonly [UNAVAILABLE] = true;
  readonly feature: string;
  /** Milliseconds until a provider of the route may serve again, when known. */
  readonly retryAfterMs: number | undefined;
  /** Why: every provider failed, the deadline passed, or AI or this feature is switched off. */
  readonly reason: AIUnavailableError['reason'];
  /** What failsoft tried, in order. */
  readonly attempts: readonly AttemptRecord[];

  constructor(error: AIUnavailableError, request: GenerateRequest) {
    super({
      message: error.message,
      url: featureUrl(error.feature),
      requestBodyValues: request,
      statusCode: 503,
      ...(error.retryAfterMs === undefined
        ? {}
        : { responseHeaders: { 'retry-after': String(retryAfterSeconds(error.retryAfterMs)) } }),
      isRetryable: false,
      cause: error,
      data: error.toJSON(),
    });
    this.feature = error.feature;
    this.retryAfterMs = error.retryAfterMs;
    this.reason = error.reason;
    this.attempts = error.attempts;
  }

  /** True for this error, even from another copy of the package. */
  static override isInstance(value: unknown): value is FailsoftUnavailableError {
    return hasMarker(value, UNAVAILABLE);
  }
}

/**
 * A request failsoft or a provider refused as wrong (an invalid field, a prompt too long for every model, a
 * content filter with nowhere else to go): failsoft's `RequestError` (its `cause`) as a non-retryable
 * `APICallError` with the provider's status, or 400 when failsoft refused it before any provider.
 */
export class FailsoftRequestError extends APICallError {
  readonly [REFUSED] = true;
  readonly feature: string;
  /** The bad field (e.g. `request.messages[0].content`) when failsoft refused the request itself. */
  readonly path: string | undefined;

  constructor(error: RequestError, request: GenerateRequest) {
    super({
      message: error.message,
      url: featureUrl(error.feature),
      requestBodyValues: request,
      statusCode: error.providerError?.status ?? 400,
      isRetryable: false,
      cause: error,
      data: error.providerError?.toJSON() ?? error.toJSON(),
    });
    this.feature = error.feature;
    this.path = error.path;
  }

  /** True for this error, even from another copy of the package. */
  static override isInstance(value: unknown): value is FailsoftRequestError {
    return hasMarker(value, REFUSED);
  }
}

/**
 * A stream that broke after its first content, when failing over could no longer be invisible: sent as the
 * stream's `error` part. `data` is failsoft's error (class, provider, model, status).
 */
export class FailsoftStreamError extends APICallError {
  readonly [STREAM_BROKEN] = true;
  readonly feature: string;
  /** The taxonomy class of the failure (`server_error`, `timeout`, …), when a provider failed. */
  readonly errorClass: FailsoftErrorData['class'];

  constructor(feature: string, error: FailsoftErrorData, request: GenerateRequest) {
    super({
      message: error.message,
      url: featureUrl(feature),
      requestBodyValues: request,
      ...(error.status === undefined ? {} : { statusCode: error.status }),
      isRetryable: false,
      data: error,
    });
    this.feature = feature;
    this.errorClass = error.class;
  }

  /** True for this error, even from another copy of the package. */
  static override isInstance(value: unknown): value is FailsoftStreamError {
    return hasMarker(value, STREAM_BROKEN);
  }
}

/**
 * The error to hand the AI SDK for one failsoft threw: the two kinds a caller handles become the classes
 * above; anything else (the caller's own abort reason, a bug) passes through unchanged.
 */
export function toAISDKError(error: unknown, request: GenerateRequest): unknown {
  if (error instanceof AIUnavailableError) return new FailsoftUnavailableError(error, request);
  if (error instanceof RequestError) return new FailsoftRequestError(error, request);
  return error;
}
