import { providerError, type ErrorClass, type ProviderError } from '../../model/errors.js';
import { headerValue, type HttpReply } from '../http-transport.js';
import { redactSecrets } from '../redact-secrets.js';
import { retryAfterFromHeaders } from '../retry-after.js';
import { anthropicErrorBodySchema, anthropicErrorObjectSchema } from './anthropic-api.js';
import { readAnthropicRateLimit } from './anthropic-rate-limit-headers.js';

/**
 * The one place that decides what an Anthropic failure means (and the only Anthropic code that
 * reads error messages). Table, first match wins:
 *
 * | signal                                                         | class            |
 * |----------------------------------------------------------------|------------------|
 * | `details.error_code` *_spend_limit_reached, 402, billing_error | quota_exhausted  |
 * | 400 "You have reached your specified API usage limits"         | quota_exhausted  |
 * | 429, rate_limit_error                                          | rate_limited     |
 * | 529, 503, overloaded_error                                     | overloaded       |
 * | 401, 403, authentication/permission_error, organization_on_hold| auth             |
 * | 404, not_found_error                                           | not_found        |
 * | 400/413 "prompt is too long", "exceed context limit", …        | context_length   |
 * | 408                                                            | timeout          |
 * | other 4xx (400, 413, 422, …)                                   | bad_request      |
 * | 500, 502, 504, api_error, timeout_error, other 5xx             | server_error     |
 *
 * A `refusal` stop reason is not an error: it is the finish reason `content-filter` on a
 * successful answer (see from-anthropic-response.ts), because the request itself succeeded and
 * the router's choice (fallback or not) belongs to the feature.
 *
 * `code` is the most specific thing the API said (`details.error_code`, else `error.type`); an
 * `x-should-retry` header is recorded there as `;x-should-retry=false` for the router to weigh.
 */

const SPEND_CAP_CODES = new Set([
  'enforced_spend_limit_reached',
  'contract_spend_limit_reached',
  'linked_organization_spend_limit_reached',
  'linked_organization_billing_unavailable',
]);
const AUTH_CODES = new Set(['organization_on_hold']);

const CONTEXT_PATTERN =
  /prompt is too long|exceed context limit|context window|context length|too many (input )?tokens/i;
const SPEND_MESSAGE_PATTERN = /reached your (specified )?API usage limits/i;

/** What the classifier needs to know about one failed call. */
export interface AnthropicFailure {
  /** The configured provider name (`claude`). */
  provider: string;
  model?: string;
  /** HTTP status; undefined for an in-stream `error` event. */
  status?: number;
  /** The raw body text (or the `data:` of an in-stream error event). */
  body: string;
  headers?: HttpReply['headers'];
  inStream?: boolean;
  /** Secrets that must never appear in a message (the API key). */
  redact?: readonly (string | undefined)[];
  nowMs?: number;
  cause?: unknown;
}

/** An in-stream error's type mapped to the status the API uses for it over HTTP. */
const STATUS_OF_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

function classOf(
  status: number | undefined,
  type: string | undefined,
  code: string | undefined,
  message: string,
): ErrorClass {
  const effective = status ?? (type === undefined ? undefined : STATUS_OF_TYPE[type]);
  if ((code !== undefined && SPEND_CAP_CODES.has(code)) || effective === 402 || type === 'billing_error')
    return 'quota_exhausted';
  if (effective === 400 && SPEND_MESSAGE_PATTERN.test(message)) return 'quota_exhausted';
  if (effective === 429 || type === 'rate_limit_error') return 'rate_limited';
  if (effective === 529 || effective === 503 || type === 'overloaded_error') return 'overloaded';
  if (effective === 401 || effective === 403 || type === 'authentication_error' || type === 'permission_error')
    return 'auth';
  if (code !== undefined && AUTH_CODES.has(code)) return 'auth';
  if (effective === 404 || type === 'not_found_error') return 'not_found';
  if ((effective === 400 || effective === 413) && CONTEXT_PATTERN.test(message)) return 'context_length';
  if (effective === 408) return 'timeout';
  if (effective !== undefined && effective >= 400 && effective < 500) return 'bad_request';
  return 'server_error';
}

function readError(body: string): { type?: string; message?: string; code?: string; requestId?: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return {};
  }
  const full = anthropicErrorBodySchema.safeParse(json);
  const object = full.success
    ? full.data.error
    : anthropicErrorObjectSchema.safeParse((json as { error?: unknown } | null)?.error).data;
  if (object === undefined) return {};
  const out: { type?: string; message?: string; code?: string; requestId?: string } = {
    type: object.type,
    message: object.message,
  };
  if (object.details?.error_code !== undefined) out.code = object.details.error_code;
  if (full.success && full.data.request_id) out.requestId = full.data.request_id;
  return out;
}

/**
 * Classifies an Anthropic failure (HTTP status + body + headers, or an in-stream error event).
 * @example classifyAnthropicError({ provider: 'claude', status: 529, body: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}' }).class // 'overloaded'
 */
export function classifyAnthropicError(failure: AnthropicFailure): ProviderError {
  const headers = failure.headers ?? {};
  const nowMs = failure.nowMs ?? Date.now();
  const parsed = readError(failure.body);
  const rawMessage = parsed.message ?? (failure.body.trim().slice(0, 300) || 'no body');
  const cls = classOf(failure.status, parsed.type, parsed.code, rawMessage);

  const requestId = parsed.requestId ?? headerValue(headers, 'request-id');
  const where = failure.status === undefined ? 'in-stream' : String(failure.status);
  const what = parsed.type === undefined ? '' : `${parsed.type}: `;
  const message = redactSecrets(
    `anthropic '${failure.provider}': ${where} ${what}${rawMessage}${requestId ? ` (request-id ${requestId})` : ''}`,
    failure.redact,
  );

  const shouldRetry = headerValue(headers, 'x-should-retry');
  const baseCode = parsed.code ?? parsed.type;
  const code = shouldRetry === undefined ? baseCode : `${baseCode ?? 'error'};x-should-retry=${shouldRetry}`;
  const retryAfterMs = cls === 'quota_exhausted' ? undefined : retryAfterFromHeaders(headers, nowMs);
  const rateLimit = readAnthropicRateLimit(headers, nowMs);

  return providerError({
    class: cls,
    message,
    provider: failure.provider,
    ...(failure.model === undefined ? {} : { model: failure.model }),
    ...(failure.status === undefined ? {} : { status: failure.status }),
    ...(code === undefined ? {} : { code }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(rateLimit === undefined ? {} : { rateLimit }),
    ...(failure.inStream ? { inStream: true } : {}),
    ...(failure.cause === undefined ? {} : { cause: failure.cause }),
  });
}
