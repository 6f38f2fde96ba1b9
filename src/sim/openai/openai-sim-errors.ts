import type {
  SimFaultContext,
  SimHttpFaultKind,
  SimHttpReply,
  SimLimitContext,
  SimOverLimit,
} from '../sim-protocol.js';
import type { RateLimitDimension } from '../../model/errors.js';
import { formatGoDuration, JSON_CONTENT_TYPE, openaiBaseHeaders } from './openai-sim-headers.js';

/**
 * OpenAI's error answers, byte for byte: `{"error": {message, type, param, code}}` pretty-printed
 * with four spaces as api.openai.com sends it, an `x-request-id` on every one.
 *
 * Choices made where the public record is thin:
 * - overloaded is a 503 `service_unavailable_error` / `server_is_overloaded` "Our servers are currently
 *   overloaded. Please try again later." (the form recorded in 2026 traffic; "The server is overloaded or
 *   not ready yet." is text the old Python SDK made up for any 503).
 * - a 429 carries `retry-after` in whole seconds only when the fault gives `retryAfterS` (OpenAI's
 *   spec documents it as optional; real 429s were recorded without it). No `retry-after-ms`: that is
 *   Azure OpenAI's header, not api.openai.com's.
 */

/** The inner object of an OpenAI error body. */
export interface OpenAIWireError {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

const ORGANIZATION = 'org-f4i1s0ftS1mu14t0r000000';
const RATE_LIMIT_DOCS = 'Visit https://platform.openai.com/account/rate-limits to learn more.';
const KEYS_PAGE = 'https://platform.openai.com/account/api-keys';

/** Renders an OpenAI error answer with its request id and any extra headers. */
export function openaiErrorReply(
  status: number,
  error: OpenAIWireError,
  headers: Record<string, string> = {},
): SimHttpReply {
  return {
    status,
    headers: { ...openaiBaseHeaders(JSON_CONTENT_TYPE), ...headers },
    body: `${JSON.stringify({ error }, null, 4)}\n`,
  };
}

/** A 400 `invalid_request_error` naming the offending parameter. */
export function invalidRequest(message: string, param: string | null, code: string | null = null): OpenAIWireError {
  return { message, type: 'invalid_request_error', param, code };
}

/** 401 for a request without a bearer key. */
export function missingKeyReply(): SimHttpReply {
  return openaiErrorReply(
    401,
    invalidRequest(
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth " +
        "(i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the " +
        `API from your browser and are prompted for a username and password. You can obtain an API key from ${KEYS_PAGE}.`,
      null,
    ),
  );
}

/** 401 `invalid_api_key`, showing the key masked the way OpenAI masks it. */
export function invalidKeyReply(key: string): SimHttpReply {
  return openaiErrorReply(
    401,
    invalidRequest(
      `Incorrect API key provided: ${maskKey(key)}. You can find your API key at ${KEYS_PAGE}.`,
      null,
      'invalid_api_key',
    ),
  );
}

/** Masks a key as OpenAI does: a few leading characters, stars, the last four. */
export function maskKey(key: string): string {
  if (key.length <= 8) return '*'.repeat(key.length);
  const head = Math.min(8, Math.floor(key.length / 4));
  const tail = Math.min(4, Math.floor(key.length / 4));
  return `${key.slice(0, head)}${'*'.repeat(key.length - head - tail)}${key.slice(key.length - tail)}`;
}

/** 404 for a path OpenAI does not serve. */
export function invalidUrlReply(method: string, path: string): SimHttpReply {
  return openaiErrorReply(404, invalidRequest(`Invalid URL (${method} ${path})`, null));
}

/** 405 for a known path with the wrong method. */
export function invalidMethodReply(method: string, path: string): SimHttpReply {
  return openaiErrorReply(405, invalidRequest(`Invalid method for URL (${method} ${path})`, null));
}

function retryAfterHeader(seconds: number | undefined): Record<string, string> {
  return seconds === undefined ? {} : { 'retry-after': String(Math.max(0, Math.ceil(seconds))) };
}

function tryAgain(ms: number | undefined): string {
  return ms === undefined ? '' : ` Please try again in ${formatGoDuration(ms)}.`;
}

/** The answer OpenAI gives for each HTTP fault kind. */
export function renderOpenAIFault(kind: SimHttpFaultKind, context: SimFaultContext): SimHttpReply {
  switch (kind) {
    case 'overloaded':
      return openaiErrorReply(
        503,
        {
          message: 'Our servers are currently overloaded. Please try again later.',
          type: 'service_unavailable_error',
          param: null,
          code: 'server_is_overloaded',
        },
        retryAfterHeader(context.retryAfterS),
      );
    case 'rate_limited': {
      const ms = context.retryAfterS === undefined ? undefined : context.retryAfterS * 1000;
      return openaiErrorReply(
        429,
        {
          message:
            `Rate limit reached for ${context.model} in organization ${ORGANIZATION} on requests per min (RPM): ` +
            `Limit 500, Used 500, Requested 1.${tryAgain(ms)} ${RATE_LIMIT_DOCS}`,
          type: 'requests',
          param: null,
          code: 'rate_limit_exceeded',
        },
        retryAfterHeader(context.retryAfterS),
      );
    }
    case 'quota_exhausted':
      return openaiErrorReply(429, {
        message:
          'You exceeded your current quota, please check your plan and billing details. For more information on ' +
          'this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
        type: 'insufficient_quota',
        param: null,
        code: 'insufficient_quota',
      });
    case 'server_error':
      return openaiErrorReply(
        500,
        {
          message: 'The server had an error while processing your request. Sorry about that!',
          type: 'server_error',
          param: null,
          code: null,
        },
        retryAfterHeader(context.retryAfterS),
      );
    case 'auth':
      return invalidKeyReply('sk-proj-revokedrevokedrevokedrevoked0000');
    case 'bad_request':
      return openaiErrorReply(
        400,
        invalidRequest(
          "Invalid 'messages[0].content': string too long. Expected a string with maximum length 10485760, " +
            'but got a string with length 10485761 instead.',
          'messages[0].content',
          'string_above_max_length',
        ),
      );
    case 'context_length':
      return contextLengthReply(
        context.inputTokens > OPENAI_CONTEXT_WINDOW ? context.inputTokens : OPENAI_CONTEXT_WINDOW + context.inputTokens,
      );
  }
}

/** The context window the simulator gives every OpenAI model (gpt-4o's). */
export const OPENAI_CONTEXT_WINDOW = 128000;

/** 400 `context_length_exceeded` for messages of `tokens` tokens. */
export function contextLengthReply(tokens: number): SimHttpReply {
  return openaiErrorReply(
    400,
    invalidRequest(
      `This model's maximum context length is ${OPENAI_CONTEXT_WINDOW} tokens. However, your messages resulted in ${tokens} ` +
        'tokens. Please reduce the length of the messages.',
      'messages',
      'context_length_exceeded',
    ),
  );
}

/** The in-stream error frame: a `data:` whose JSON has a top-level `error`. */
export function renderOpenAIStreamError(): string {
  const error: OpenAIWireError = {
    message: 'The server had an error while processing your request. Sorry about that!',
    type: 'server_error',
    param: null,
    code: null,
  };
  return `data: ${JSON.stringify({ error })}\n\n`;
}

function dimensionHeaders(
  name: 'requests' | 'tokens',
  dimension: RateLimitDimension | undefined,
): Record<string, string> {
  if (dimension === undefined) return {};
  const headers: Record<string, string> = {};
  if (dimension.limit !== undefined) headers[`x-ratelimit-limit-${name}`] = String(Math.floor(dimension.limit));
  if (dimension.remaining !== undefined)
    headers[`x-ratelimit-remaining-${name}`] = String(Math.max(0, Math.floor(dimension.remaining)));
  if (dimension.resetMs !== undefined) headers[`x-ratelimit-reset-${name}`] = formatGoDuration(dimension.resetMs);
  return headers;
}

/** `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`; OpenAI's tokens are combined (TPM). */
export function openaiRateLimitHeaders(context: SimLimitContext): Record<string, string> {
  const { snapshot } = context;
  return {
    ...dimensionHeaders('requests', snapshot.requests),
    ...dimensionHeaders('tokens', snapshot.tokens ?? snapshot.inputTokens ?? snapshot.outputTokens),
  };
}

/** OpenAI's 429 for a request over the RPM or TPM limit, with its rate-limit headers. */
export function renderOpenAIOverLimit(context: SimOverLimit): SimHttpReply {
  const isRequests = context.dimension === 'requests';
  const dimension = isRequests
    ? context.snapshot.requests
    : (context.snapshot.tokens ?? context.snapshot.inputTokens ?? context.snapshot.outputTokens);
  const used = Math.max(0, context.limit - Math.floor(dimension?.remaining ?? 0));
  const unit = isRequests ? 'requests per min (RPM)' : 'tokens per min (TPM)';
  return openaiErrorReply(
    429,
    {
      message:
        `Rate limit reached for ${context.model} in organization ${ORGANIZATION} on ${unit}: Limit ${context.limit}, ` +
        `Used ${used}, Requested ${context.requested}.${tryAgain(context.retryAfterMs)} ${RATE_LIMIT_DOCS}`,
      type: isRequests ? 'requests' : 'tokens',
      param: null,
      code: 'rate_limit_exceeded',
    },
    { ...openaiRateLimitHeaders(context), ...retryAfterHeader(context.retryAfterMs / 1000) },
  );
}
