import type {
  SimFaultContext,
  SimHttpFaultKind,
  SimHttpReply,
  SimLimitDimension,
  SimOverLimit,
} from '../sim-protocol.js';
import { googleHeaders, JSON_CONTENT_TYPE } from './gemini-sim-headers.js';

/**
 * Google's error answers as generativelanguage.googleapis.com sends them: `{"error": {code,
 * message, status, details?}}` pretty-printed with two spaces, `application/json; charset=UTF-8`.
 *
 * Choices made where the public record is thin:
 * - Gemini sends no rate-limit headers and no `retry-after`: the delay is only in the 429's
 *   RetryInfo `retryDelay` (a protobuf Duration, `37s` or `0.500s`) and its message.
 * - a `rate_limited` fault carries RetryInfo only when it gives `retryAfterS` (old 429s had
 *   none: "Resource has been exhausted (e.g. check quota)."), a per-day quota never does.
 * - Google sends no request-id header on these answers, so the simulator sends none either.
 */

/** One entry of `error.details`. */
export type GoogleErrorDetail = Record<string, unknown> & { '@type': string };

const TYPE = 'type.googleapis.com/google.rpc.';
const DOCS_URL = 'https://ai.google.dev/gemini-api/docs/rate-limits';
const QUOTA_MESSAGE =
  'You exceeded your current quota, please check your plan and billing details. For more information on ' +
  `this error, head to: ${DOCS_URL}. To monitor your current usage, head to: https://ai.dev/usage?tab=rate-limit. `;
/** The input limit of the Gemini 2.5 models. */
export const GEMINI_MAX_INPUT_TOKENS = 1_048_576;

/** Renders a Google error answer. */
export function googleErrorReply(
  code: number,
  status: string,
  message: string,
  details?: GoogleErrorDetail[],
): SimHttpReply {
  const error: Record<string, unknown> = { code, message, status };
  if (details !== undefined && details.length > 0) error['details'] = details;
  return { status: code, headers: googleHeaders(JSON_CONTENT_TYPE), body: `${JSON.stringify({ error }, null, 2)}\n` };
}

/** A 400 INVALID_ARGUMENT; `field` adds the BadRequest field violation Google attaches to parse errors. */
export function invalidArgument(message: string, field?: string | null): SimHttpReply {
  if (field === undefined) return googleErrorReply(400, 'INVALID_ARGUMENT', message);
  const violation: Record<string, unknown> =
    field === null ? { description: message } : { field, description: message };
  return googleErrorReply(400, 'INVALID_ARGUMENT', message, [
    { '@type': `${TYPE}BadRequest`, fieldViolations: [violation] },
  ]);
}

/** 403 for a request without any API key. */
export function missingKeyReply(): SimHttpReply {
  return googleErrorReply(
    403,
    'PERMISSION_DENIED',
    "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
  );
}

/** 400 (not 401) for a wrong key, with the API_KEY_INVALID ErrorInfo. */
export function invalidKeyReply(): SimHttpReply {
  const message = 'API key not valid. Please pass a valid API key.';
  return googleErrorReply(400, 'INVALID_ARGUMENT', message, [
    {
      '@type': `${TYPE}ErrorInfo`,
      reason: 'API_KEY_INVALID',
      domain: 'googleapis.com',
      metadata: { service: 'generativelanguage.googleapis.com' },
    },
    { '@type': `${TYPE}LocalizedMessage`, locale: 'en-US', message },
  ]);
}

/** 404 for a path or method the API does not serve. */
export function notFoundReply(): SimHttpReply {
  return googleErrorReply(404, 'NOT_FOUND', 'Requested entity was not found.');
}

/** 400 "The input token count (N) exceeds the maximum number of tokens allowed (1048576)." */
export function contextLengthReply(inputTokens: number): SimHttpReply {
  return invalidArgument(
    `The input token count (${inputTokens}) exceeds the maximum number of tokens allowed (${GEMINI_MAX_INPUT_TOKENS}).`,
  );
}

/** 400 for a body over the simulator's size limit (32 MiB by default). */
export function bodyTooLargeReply(): SimHttpReply {
  return invalidArgument('Request payload size exceeds the limit: 33554432 bytes.');
}

/**
 * Formats ms as a protobuf Duration in JSON, as RetryInfo carries it: whole seconds as `37s`,
 * otherwise 3, 6 or 9 fractional digits (`0.500s`).
 * @example formatProtoDuration(1500) // '1.500s'
 */
export function formatProtoDuration(ms: number): string {
  const whole = Math.max(0, Math.ceil(ms));
  return whole % 1000 === 0 ? `${whole / 1000}s` : `${(whole / 1000).toFixed(3)}s`;
}

interface Quota {
  metric: string;
  quotaId: string;
  limit: number;
}

const PER_MINUTE: Record<SimLimitDimension, (limit: number) => Quota> = {
  requests: (limit) => ({
    metric: 'generativelanguage.googleapis.com/generate_requests_per_model',
    quotaId: 'GenerateRequestsPerMinutePerProjectPerModel',
    limit,
  }),
  input_tokens: (limit) => ({
    metric: 'generativelanguage.googleapis.com/generate_content_paid_tier_input_token_count',
    quotaId: 'GenerateContentPaidTierInputTokensPerModelPerMinute',
    limit,
  }),
  tokens: (limit) => ({
    metric: 'generativelanguage.googleapis.com/generate_content_paid_tier_input_token_count',
    quotaId: 'GenerateContentPaidTierInputTokensPerModelPerMinute',
    limit,
  }),
  output_tokens: (limit) => ({
    metric: 'generativelanguage.googleapis.com/generate_content_paid_tier_output_token_count',
    quotaId: 'GenerateContentPaidTierOutputTokensPerModelPerMinute',
    limit,
  }),
};

const PER_DAY: Quota = {
  metric: 'generativelanguage.googleapis.com/generate_requests_per_model_per_day',
  quotaId: 'GenerateRequestsPerDayPerProjectPerModel',
  limit: 10_000,
};

/** 429 RESOURCE_EXHAUSTED with QuotaFailure, Help and (when a delay is known) RetryInfo. */
function quotaReply(model: string, quota: Quota, retryAfterMs: number | undefined): SimHttpReply {
  const delay = retryAfterMs === undefined ? undefined : formatProtoDuration(retryAfterMs);
  const message =
    `${QUOTA_MESSAGE}\n* Quota exceeded for metric: ${quota.metric}, limit: ${quota.limit}, model: ${model}` +
    (delay === undefined ? '' : `\nPlease retry in ${delay}.`);
  const details: GoogleErrorDetail[] = [
    {
      '@type': `${TYPE}QuotaFailure`,
      violations: [
        {
          quotaMetric: quota.metric,
          quotaId: quota.quotaId,
          quotaDimensions: { location: 'global', model },
          quotaValue: String(quota.limit),
        },
      ],
    },
    { '@type': `${TYPE}Help`, links: [{ description: 'Learn more about Gemini API quotas', url: DOCS_URL }] },
  ];
  if (delay !== undefined) details.push({ '@type': `${TYPE}RetryInfo`, retryDelay: delay });
  return googleErrorReply(429, 'RESOURCE_EXHAUSTED', message, details);
}

/**
 * The answer Gemini gives for each HTTP fault kind.
 * @example renderGeminiFault('overloaded', { model: 'gemini-2.5-flash', inputTokens: 10 }).status // 503
 */
export function renderGeminiFault(kind: SimHttpFaultKind, context: SimFaultContext): SimHttpReply {
  switch (kind) {
    case 'overloaded':
      return googleErrorReply(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.');
    case 'rate_limited':
      return quotaReply(
        context.model,
        PER_MINUTE.requests(2000),
        context.retryAfterS === undefined ? undefined : context.retryAfterS * 1000,
      );
    case 'quota_exhausted':
      return quotaReply(context.model, PER_DAY, undefined);
    case 'server_error':
      return googleErrorReply(
        500,
        'INTERNAL',
        'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
      );
    case 'auth':
      return invalidKeyReply();
    case 'bad_request':
      return invalidArgument('Request contains an invalid argument.');
    case 'context_length':
      return contextLengthReply(
        context.inputTokens > GEMINI_MAX_INPUT_TOKENS
          ? context.inputTokens
          : GEMINI_MAX_INPUT_TOKENS + Math.max(1, context.inputTokens),
      );
  }
}

/** The 429 for a request over the configured limits: the bucket's quota, RetryInfo from its refill time. */
export function renderGeminiOverLimit(context: SimOverLimit): SimHttpReply {
  return quotaReply(context.model, PER_MINUTE[context.dimension](context.limit), context.retryAfterMs);
}

/**
 * What ends a stream that fails after HTTP 200: a raw, unframed, pretty-printed JSON error (no
 * `data:` prefix), as Gemini appends it after the last SSE chunk; without `alt=sse`, the JSON array's
 * last element.
 */
export function renderGeminiStreamError(jsonArray = false): string {
  const error = { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' };
  // In a JSON-array stream the error is the array's last element (the deltas before it end with the separator).
  return jsonArray ? `${JSON.stringify({ error }, null, 2)}\n]` : `${JSON.stringify({ error }, null, 2)}\n`;
}
