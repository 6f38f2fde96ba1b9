import type {
  SimFaultContext,
  SimHttpFaultKind,
  SimHttpReply,
  SimLimitContext,
  SimLimitDimension,
  SimOverLimit,
} from '../sim-protocol.js';
import type { RateLimitDimension } from '../../model/errors.js';
import { nextRequestId } from './anthropic-sim-ids.js';

/**
 * Anthropic's error answers, byte for byte: `{"type":"error","error":{"type","message"[,"details"]},
 * "request_id":"req_…"}` with the same id in a `request-id` header.
 *
 * Header choices, from recorded traffic: 429 `rate_limit_error` carries `retry-after` (seconds); the
 * monthly spend cap (`details.error_code: enforced_spend_limit_reached`) carries none. A recorded
 * real 400 carried `x-should-retry: false`, so 400s send it; no recording showed the header on other
 * statuses, so they do not (the official SDK then falls back to its status rules).
 */

/** Anthropic's error types (the SDK's `ErrorType`). */
export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'billing_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'timeout_error'
  | 'api_error'
  | 'overloaded_error';

/** A made-up organisation id for over-limit messages (the real API names the caller's org). */
export const SIM_ORGANIZATION_ID = '5d2f8c1e-3b7a-4e69-a1c4-7f0e9b2d6a38';

const RATE_LIMIT_DOCS =
  'For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage. ' +
  'Please reduce the prompt length or the maximum tokens requested, or try again later. ' +
  'You may also contact sales at https://claude.com/contact-sales to discuss your options for a rate limit increase.';

/** Renders one Anthropic error reply with its `request-id` header. */
export function anthropicError(
  status: number,
  type: AnthropicErrorType,
  message: string,
  options: { headers?: Record<string, string>; details?: Record<string, unknown> } = {},
): SimHttpReply {
  const requestId = nextRequestId();
  const error = options.details === undefined ? { type, message } : { type, message, details: options.details };
  const headers: Record<string, string> = {
    ...options.headers,
    'content-type': 'application/json',
    'request-id': requestId,
  };
  if (status === 400) headers['x-should-retry'] = 'false';
  return { status, headers, body: JSON.stringify({ type: 'error', error, request_id: requestId }) };
}

/** The 404 for any path or method the Messages API does not serve. */
export function notFound(): SimHttpReply {
  return anthropicError(404, 'not_found_error', 'Not Found');
}

/** The 413 for a body over the API's 32 MB request limit. */
export function requestTooLarge(): SimHttpReply {
  return anthropicError(
    413,
    'request_too_large',
    'Request exceeds the maximum allowed number of bytes. The maximum request size is 32 MB for standard API requests.',
  );
}

/** A 400 `invalid_request_error` naming the offending field, as validation failures read. */
export function invalidRequest(message: string): SimHttpReply {
  return anthropicError(400, 'invalid_request_error', message);
}

/** The HTTP answer for an injected fault, exactly as the real API sends that failure. */
export function renderAnthropicFault(kind: SimHttpFaultKind, context: SimFaultContext): SimHttpReply {
  switch (kind) {
    case 'overloaded':
      return anthropicError(529, 'overloaded_error', 'Overloaded');
    case 'rate_limited':
      return anthropicError(
        429,
        'rate_limit_error',
        "This request would exceed your account's rate limit. Please try again later.",
        {
          headers: { 'retry-after': String(Math.ceil(context.retryAfterS ?? 10)) },
        },
      );
    case 'quota_exhausted':
      return anthropicError(
        429,
        'rate_limit_error',
        "You have reached your API usage limits: your organization has crossed its monthly API usage threshold, set based on your organization's API tier. " +
          `You will regain access on ${firstOfNextMonth(Date.now())} at 00:00 UTC.`,
        { details: { error_code: 'enforced_spend_limit_reached' } },
      );
    case 'server_error':
      return anthropicError(500, 'api_error', 'Internal server error');
    case 'auth':
      return anthropicError(401, 'authentication_error', 'invalid x-api-key');
    case 'bad_request':
      return invalidRequest(
        'messages: all messages must have non-empty content except for the optional final assistant message',
      );
    case 'context_length': {
      const tokens = context.inputTokens > 200_000 ? context.inputTokens : 200_000 + Math.max(1, context.inputTokens);
      return invalidRequest(`prompt is too long: ${tokens} tokens > 200000 maximum`);
    }
  }
}

function firstOfNextMonth(nowMs: number): string {
  const now = new Date(nowMs);
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
}

/** RFC 3339 at second precision, rounded up, as the real `…-reset` headers read. */
function resetTime(nowMs: number, resetMs: number | undefined): string {
  const at = Math.ceil((nowMs + Math.max(0, resetMs ?? 0)) / 1000) * 1000;
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function putDimension(
  headers: Record<string, string>,
  name: string,
  dimension: RateLimitDimension,
  nowMs: number,
): void {
  if (dimension.limit !== undefined) headers[`anthropic-ratelimit-${name}-limit`] = String(Math.floor(dimension.limit));
  if (dimension.remaining !== undefined)
    headers[`anthropic-ratelimit-${name}-remaining`] = String(Math.max(0, Math.floor(dimension.remaining)));
  headers[`anthropic-ratelimit-${name}-reset`] = resetTime(nowMs, dimension.resetMs);
}

/** The more restrictive of two dimensions (lower remaining), which the real `tokens-*` headers report. */
function mostRestrictive(
  a: RateLimitDimension | undefined,
  b: RateLimitDimension | undefined,
): RateLimitDimension | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return (b.remaining ?? Infinity) < (a.remaining ?? Infinity) ? b : a;
}

/** `anthropic-ratelimit-{requests,input-tokens,output-tokens,tokens}-{limit,remaining,reset}` headers. */
export function anthropicRateLimitHeaders(
  context: SimLimitContext,
  nowMs: number = Date.now(),
): Record<string, string> {
  const headers: Record<string, string> = {};
  const { snapshot } = context;
  if (snapshot.requests) putDimension(headers, 'requests', snapshot.requests, nowMs);
  if (snapshot.inputTokens) putDimension(headers, 'input-tokens', snapshot.inputTokens, nowMs);
  if (snapshot.outputTokens) putDimension(headers, 'output-tokens', snapshot.outputTokens, nowMs);
  const tokens = snapshot.tokens ?? mostRestrictive(snapshot.inputTokens, snapshot.outputTokens);
  if (tokens) putDimension(headers, 'tokens', tokens, nowMs);
  return headers;
}

const DIMENSION_WORDS: Record<SimLimitDimension, string> = {
  requests: 'requests',
  input_tokens: 'input tokens',
  output_tokens: 'output tokens',
  tokens: 'tokens',
};

/** The genuine 429 for a request over the configured limits: message, `retry-after` and rate-limit headers. */
export function renderAnthropicOverLimit(context: SimOverLimit): SimHttpReply {
  const limit = Math.floor(context.limit).toLocaleString('en-US');
  const message =
    `This request would exceed your organization's rate limit of ${limit} ${DIMENSION_WORDS[context.dimension]} per minute ` +
    `(org: ${SIM_ORGANIZATION_ID}, model: ${context.model}). ${RATE_LIMIT_DOCS}`;
  return anthropicError(429, 'rate_limit_error', message, {
    headers: {
      ...anthropicRateLimitHeaders(context),
      'retry-after': String(Math.max(1, Math.ceil(context.retryAfterMs / 1000))),
    },
  });
}
