/**
 * Errors are data. Every failure a provider can produce is classified into one `ErrorClass` of the
 * taxonomy in ARCHITECTURE.md; the router decides what to do from the class alone, never from a message.
 * `isInstance` checks use a registered symbol, so they work across duplicated package copies.
 */

/** The error taxonomy (ARCHITECTURE.md). */
export type ErrorClass =
  | 'rate_limited'
  | 'quota_exhausted'
  | 'overloaded'
  | 'server_error'
  | 'timeout'
  | 'network'
  | 'auth'
  | 'not_found'
  | 'bad_request'
  | 'context_length'
  | 'content_filter';

export const ERROR_CLASSES: readonly ErrorClass[] = [
  'rate_limited',
  'quota_exhausted',
  'overloaded',
  'server_error',
  'timeout',
  'network',
  'auth',
  'not_found',
  'bad_request',
  'context_length',
  'content_filter',
];

/** What the router may do after an error of each class (the failure table of ARCHITECTURE.md, as data). */
export interface ErrorPolicy {
  /** May the same provider be retried (with backoff / the server's delay)? */
  retrySame: boolean;
  /** May the next provider in the route be tried? `larger-context` only with a larger context window. */
  tryNext: boolean | 'larger-context' | 'if-allowed';
  /** Effect on the circuit breaker. */
  breaker: 'none' | 'count' | 'open-long';
}

export const ERROR_POLICY: Readonly<Record<ErrorClass, ErrorPolicy>> = {
  rate_limited: { retrySame: true, tryNext: true, breaker: 'none' },
  quota_exhausted: { retrySame: false, tryNext: true, breaker: 'open-long' },
  overloaded: { retrySame: true, tryNext: true, breaker: 'count' },
  server_error: { retrySame: true, tryNext: true, breaker: 'count' },
  timeout: { retrySame: false, tryNext: true, breaker: 'count' },
  network: { retrySame: true, tryNext: true, breaker: 'count' },
  auth: { retrySame: false, tryNext: true, breaker: 'open-long' },
  not_found: { retrySame: false, tryNext: true, breaker: 'open-long' },
  bad_request: { retrySame: false, tryNext: false, breaker: 'none' },
  context_length: { retrySame: false, tryNext: 'larger-context', breaker: 'none' },
  content_filter: { retrySame: false, tryNext: 'if-allowed', breaker: 'none' },
};

/** Serializable form of any failsoft error (for events, stream error events, HTTP bodies). */
export interface FailsoftErrorData {
  name: string;
  message: string;
  class?: ErrorClass;
  provider?: string;
  model?: string;
  status?: number;
  retryable: boolean;
  retryAfterMs?: number;
}

const FAILSOFT_ERROR = Symbol.for('failsoft.error');
const PROVIDER_ERROR = Symbol.for('failsoft.provider-error');

/** Base of every error failsoft throws. */
export class FailsoftError extends Error {
  readonly [FAILSOFT_ERROR] = true;
  readonly retryable: boolean = false;
  readonly retryAfterMs: number | undefined = undefined;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }

  /** True for any failsoft error, even one from another copy of the package. */
  static isInstance(value: unknown): value is FailsoftError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[FAILSOFT_ERROR] === true;
  }

  toJSON(): FailsoftErrorData {
    const data: FailsoftErrorData = { name: this.name, message: this.message, retryable: this.retryable };
    if (this.retryAfterMs !== undefined) data.retryAfterMs = this.retryAfterMs;
    return data;
  }
}

/** Rate-limit state read from a provider's response headers, in canonical form. */
export interface RateLimitSnapshot {
  requests?: RateLimitDimension;
  /** Combined tokens (OpenAI's TPM). */
  tokens?: RateLimitDimension;
  inputTokens?: RateLimitDimension;
  outputTokens?: RateLimitDimension;
}

export interface RateLimitDimension {
  limit?: number;
  remaining?: number;
  /** Milliseconds until the dimension is fully replenished (or resets). */
  resetMs?: number;
}

export interface ProviderErrorInit {
  class: ErrorClass;
  message: string;
  provider: string;
  model?: string;
  status?: number;
  /** The server's requested delay (retry-after, retry-after-ms, RetryInfo, "try again in"). */
  retryAfterMs?: number;
  /** The provider's own error type/code, e.g. `overloaded_error`, `insufficient_quota`. */
  code?: string;
  /** Did the failure happen after the stream had started delivering events? */
  inStream?: boolean;
  rateLimit?: RateLimitSnapshot;
  cause?: unknown;
}

/** A classified failure of one attempt at one provider. Subclasses name the class. */
export class ProviderError extends FailsoftError {
  readonly [PROVIDER_ERROR] = true;
  readonly class: ErrorClass;
  readonly provider: string;
  readonly model: string | undefined;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly inStream: boolean;
  readonly rateLimit: RateLimitSnapshot | undefined;
  override readonly retryable: boolean;
  override readonly retryAfterMs: number | undefined;

  constructor(init: ProviderErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.class = init.class;
    this.provider = init.provider;
    this.model = init.model;
    this.status = init.status;
    this.code = init.code;
    this.inStream = init.inStream ?? false;
    this.rateLimit = init.rateLimit;
    this.retryable = ERROR_POLICY[init.class].retrySame;
    this.retryAfterMs = init.retryAfterMs;
  }

  static override isInstance(value: unknown): value is ProviderError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PROVIDER_ERROR] === true;
  }

  override toJSON(): FailsoftErrorData {
    const data = super.toJSON();
    data.class = this.class;
    data.provider = this.provider;
    if (this.model !== undefined) data.model = this.model;
    if (this.status !== undefined) data.status = this.status;
    return data;
  }
}

/** True for a ProviderError (from any copy of the package) of the taxonomy class `errorClass`. */
function isProviderErrorOf(value: unknown, errorClass: ErrorClass): boolean {
  return ProviderError.isInstance(value) && value.class === errorClass;
}

// Each subclass checks its own class: `RateLimitedError.isInstance(anOverloadedError)` is false.
export class RateLimitedError extends ProviderError {
  static override isInstance(value: unknown): value is RateLimitedError {
    return isProviderErrorOf(value, 'rate_limited');
  }
}
export class QuotaExhaustedError extends ProviderError {
  static override isInstance(value: unknown): value is QuotaExhaustedError {
    return isProviderErrorOf(value, 'quota_exhausted');
  }
}
export class OverloadedError extends ProviderError {
  static override isInstance(value: unknown): value is OverloadedError {
    return isProviderErrorOf(value, 'overloaded');
  }
}
export class ServerError extends ProviderError {
  static override isInstance(value: unknown): value is ServerError {
    return isProviderErrorOf(value, 'server_error');
  }
}
export class TimeoutError extends ProviderError {
  static override isInstance(value: unknown): value is TimeoutError {
    return isProviderErrorOf(value, 'timeout');
  }
}
export class NetworkError extends ProviderError {
  static override isInstance(value: unknown): value is NetworkError {
    return isProviderErrorOf(value, 'network');
  }
}
export class AuthError extends ProviderError {
  static override isInstance(value: unknown): value is AuthError {
    return isProviderErrorOf(value, 'auth');
  }
}
export class NotFoundError extends ProviderError {
  static override isInstance(value: unknown): value is NotFoundError {
    return isProviderErrorOf(value, 'not_found');
  }
}
export class BadRequestError extends ProviderError {
  static override isInstance(value: unknown): value is BadRequestError {
    return isProviderErrorOf(value, 'bad_request');
  }
}
export class ContextLengthError extends ProviderError {
  static override isInstance(value: unknown): value is ContextLengthError {
    return isProviderErrorOf(value, 'context_length');
  }
}
export class ContentFilterError extends ProviderError {
  static override isInstance(value: unknown): value is ContentFilterError {
    return isProviderErrorOf(value, 'content_filter');
  }
}

const SUBCLASS: Record<ErrorClass, new (init: ProviderErrorInit) => ProviderError> = {
  rate_limited: RateLimitedError,
  quota_exhausted: QuotaExhaustedError,
  overloaded: OverloadedError,
  server_error: ServerError,
  timeout: TimeoutError,
  network: NetworkError,
  auth: AuthError,
  not_found: NotFoundError,
  bad_request: BadRequestError,
  context_length: ContextLengthError,
  content_filter: ContentFilterError,
};

/**
 * Creates the error subclass for a taxonomy class.
 * @example throw providerError({ class: 'overloaded', message: 'Overloaded', provider: 'claude', status: 529 })
 */
export function providerError(init: ProviderErrorInit): ProviderError {
  return new SUBCLASS[init.class](init);
}

/**
 * The same error, marked as having happened after the stream started delivering events.
 * @example throw markInStream(classifyError(body))
 */
export function markInStream(error: ProviderError): ProviderError {
  if (error.inStream) return error;
  return providerError({
    class: error.class,
    message: error.message,
    provider: error.provider,
    inStream: true,
    cause: error.cause,
    ...(error.model === undefined ? {} : { model: error.model }),
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.code === undefined ? {} : { code: error.code }),
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    ...(error.rateLimit === undefined ? {} : { rateLimit: error.rateLimit }),
  });
}

/** One attempt the router made, as reported on answers and errors. */
export interface AttemptRecord {
  provider: string;
  model: string;
  /**
   * `skipped-cooldown`: the provider asked to be left alone (a 429's Retry-After) and that time has not passed;
   * `lost-race`: a hedge or a probe beside it answered first, so this attempt was cancelled (or its answer dropped);
   * `skipped-unsupported`: the provider cannot take this request's content (an image form it does not accept).
   */
  outcome:
    | 'ok'
    | ErrorClass
    | 'skipped-open'
    | 'skipped-budget'
    | 'skipped-cooldown'
    | 'skipped-unsupported'
    | 'lost-race'
    | 'aborted';
  status?: number;
  ms: number;
  /** Started beside an earlier entry that had not answered yet (a hedge, or the partner of a half-open probe). */
  hedge?: true;
}

/** An AI-only feature could not be served by any provider (or AI is switched off). */
export class AIUnavailableError extends FailsoftError {
  override readonly retryable = true;
  override readonly retryAfterMs: number | undefined;
  readonly feature: string;
  readonly attempts: readonly AttemptRecord[];
  /** Why: every provider failed, AI switched off globally, or this feature switched off. */
  readonly reason: 'providers-failed' | 'ai-disabled' | 'feature-disabled' | 'deadline';

  constructor(init: {
    feature: string;
    message: string;
    retryAfterMs?: number;
    attempts?: readonly AttemptRecord[];
    reason: AIUnavailableError['reason'];
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.feature = init.feature;
    this.retryAfterMs = init.retryAfterMs;
    this.attempts = init.attempts ?? [];
    this.reason = init.reason;
  }
}

/**
 * A request the caller got wrong: invalid input (with the `path` of the bad field), or a provider
 * refusing it as bad_request / context_length / content_filter with nowhere else to go. Not retryable.
 */
export class RequestError extends FailsoftError {
  readonly feature: string;
  /** The provider's refusal, when a provider refused it. */
  readonly providerError: ProviderError | undefined;
  /** The bad field, e.g. `messages[0].role`, when failsoft refused it before any provider. */
  readonly path: string | undefined;
  constructor(init: { feature: string; message: string; providerError?: ProviderError; path?: string }) {
    super(init.message, init.providerError === undefined ? undefined : { cause: init.providerError });
    this.feature = init.feature;
    this.providerError = init.providerError;
    this.path = init.path;
  }
}

/** The feature name is not in the configuration. */
export class UnknownFeatureError extends FailsoftError {
  readonly feature: string;
  constructor(feature: string, known: readonly string[]) {
    super(
      `unknown feature "${feature}"${known.length > 0 ? ` (configured: ${known.join(', ')})` : ' (no features are configured)'}`,
    );
    this.feature = feature;
  }
}

/** A `critical` feature must never reach a provider. */
export class TierError extends FailsoftError {
  readonly feature: string;
  constructor(feature: string, message: string) {
    super(message);
    this.feature = feature;
  }
}

/** An issue in a configuration document, with the path of the bad key. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** An invalid configuration: every issue names the path of the bad key and why. */
export class ConfigError extends FailsoftError {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[], source?: string) {
    super(
      `${source ? `${source}: ` : ''}invalid configuration:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`,
    );
    this.issues = issues;
  }
}

/**
 * Whole seconds a client should wait, as `Retry-After` says it (at least 1: "retry in 0 s" would invite a
 * retry storm). One rounding for the header and the message, so they never disagree.
 * @example retryAfterSeconds(1_200) // 2
 */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
