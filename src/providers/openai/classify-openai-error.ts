import { providerError, type ErrorClass, type ProviderError } from '../../model/errors.js';
import type { HttpReply } from '../http-transport.js';
import { redactSecrets } from '../redact-secrets.js';
import { parseDuration, retryAfterFromHeaders } from '../retry-after.js';
import { openaiErrorSchema, type OpenAIError } from './openai-api.js';
import { openaiRateLimitFromHeaders } from './openai-rate-limit-headers.js';

/**
 * The one place that reads OpenAI error bodies and messages: status + body + headers → a classified
 * `ProviderError` of the taxonomy, with the server's delay and rate-limit state.
 */

export interface OpenAIErrorInput {
  /** Configured provider name, e.g. `gpt`. */
  provider: string;
  /** `openai` or `openai-compatible`, for the message prefix. */
  protocol: string;
  model: string;
  /** HTTP status; undefined for an error event inside a 200 stream. */
  status?: number;
  /** Raw body text, or an already parsed JSON value (an in-stream error chunk). */
  body: unknown;
  headers?: HttpReply['headers'];
  inStream?: boolean;
  /** Values that must never appear in a message (the API key). */
  secrets?: readonly string[];
  nowMs?: number;
  /** The URL called: a 404 that is not about the model names it, since the usual cause is a wrong `baseUrl`. */
  url?: string;
}

const QUOTA_CODES = [
  'insufficient_quota',
  'credit_balance_exhausted',
  'billing_hard_limit_reached',
  'billing_not_active',
];
const CONTENT_FILTER_CODES = ['content_filter', 'content_policy_violation', 'invalid_prompt'];
const OVERLOADED_CODES = [
  'service_unavailable_error',
  'server_is_overloaded',
  'slow_down',
  'overloaded_error',
  'engine_overloaded',
];
const RATE_LIMIT_CODES = ['rate_limit_exceeded', 'requests', 'tokens', 'rate_limit_error'];
const AUTH_CODES = ['invalid_api_key', 'authentication_error', 'permission_error'];
const BODY_PREVIEW_CHARS = 300;

/** The `{error: {...}}` of a body, tolerating vendors that send `{error: "text"}` or a bare message. */
function readError(body: unknown): { error: OpenAIError; text: string } {
  let json: unknown = body;
  const text = typeof body === 'string' ? body : (JSON.stringify(body) ?? '');
  if (typeof body === 'string') {
    try {
      json = JSON.parse(body) as unknown;
    } catch {
      return { error: {}, text };
    }
  }
  const inner =
    typeof json === 'object' && json !== null ? ((json as Record<string, unknown>)['error'] ?? json) : undefined;
  if (typeof inner === 'string') return { error: { message: inner }, text };
  const parsed = openaiErrorSchema.safeParse(inner);
  return { error: parsed.success ? parsed.data : {}, text };
}

function classOf(status: number | undefined, error: OpenAIError, message: string): ErrorClass {
  const code = error.code === undefined || error.code === null ? undefined : String(error.code);
  const has = (values: readonly string[]): boolean =>
    (code !== undefined && values.includes(code)) || (typeof error.type === 'string' && values.includes(error.type));
  if (has(QUOTA_CODES)) return 'quota_exhausted';
  if (has(['context_length_exceeded']) || /maximum context length|context window|context_length/i.test(message))
    return 'context_length';
  if (has(CONTENT_FILTER_CODES) || /content management policy|content filter/i.test(message)) return 'content_filter';
  if (status === undefined) {
    if (has(RATE_LIMIT_CODES)) return 'rate_limited';
    if (has(OVERLOADED_CODES)) return 'overloaded';
    if (has(AUTH_CODES)) return 'auth';
    if (has(['invalid_request_error'])) return 'bad_request';
    return 'server_error';
  }
  if (status === 429) return /request too large/i.test(message) ? 'bad_request' : 'rate_limited';
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 408) return 'timeout';
  if (status === 503 || status === 529) return 'overloaded';
  if (status >= 500) return 'server_error';
  return 'bad_request';
}

/** "Please try again in 84ms" / "in 1.5s" / "in 6m0s" / "in 20 seconds" in a rate-limit message. */
function tryAgainFromMessage(message: string): number | undefined {
  const duration = /try again in ([0-9][0-9.]*(?:ms|h|m|s)(?:[0-9.]+(?:ms|h|m|s))*)/i.exec(message);
  if (duration?.[1] !== undefined) return parseDuration(duration[1]);
  const seconds = /try again in ([0-9.]+) seconds?/i.exec(message);
  return seconds?.[1] === undefined ? undefined : Number(seconds[1]) * 1000;
}

/** Removes API keys: the configured ones verbatim, and anything shaped like an OpenAI key. */
function redact(text: string, secrets: readonly string[]): string {
  return redactSecrets(text, secrets).replace(/\bsk-[A-Za-z0-9_*-]{8,}/g, 'sk-[redacted]');
}

/**
 * A 404 that is not "no such model" almost always means the base URL is wrong (OpenAI's ends in `/v1`, Groq's in
 * `/openai/v1`): say which URL was called, so the lock-out that follows a `not_found` is not a mystery.
 */
function pathHint(input: OpenAIErrorInput, code: string | undefined): string {
  if (input.status !== 404 || input.url === undefined || code === 'model_not_found') return '';
  let path = input.url;
  try {
    const parsed = new URL(input.url);
    path = `${parsed.origin}${parsed.pathname}`; // never the query string (some servers take keys there)
  } catch {
    // not a URL: say it as given
  }
  return ` (POST ${path}: path not found; check the provider's baseUrl, which for OpenAI ends in /v1)`;
}

/**
 * Classifies an OpenAI (or compatible) failure.
 * @example classifyOpenAIError({ provider: 'gpt', protocol: 'openai', model: 'gpt-4o', status: 503, body: '{"error":{"message":"Overloaded"}}' }).class // 'overloaded'
 */
export function classifyOpenAIError(input: OpenAIErrorInput): ProviderError {
  const { error, text } = readError(input.body);
  const wireMessage = typeof error.message === 'string' && error.message !== '' ? error.message : undefined;
  const cls = classOf(input.status, error, wireMessage ?? text);
  const code = error.code !== undefined && error.code !== null ? String(error.code) : (error.type ?? undefined);
  const headers = input.headers ?? {};
  let retryAfterMs: number | undefined;
  if (cls !== 'quota_exhausted' && cls !== 'bad_request') {
    retryAfterMs = retryAfterFromHeaders(headers, input.nowMs ?? Date.now());
    if (retryAfterMs === undefined && cls === 'rate_limited' && wireMessage !== undefined)
      retryAfterMs = tryAgainFromMessage(wireMessage);
  }
  const detail = wireMessage ?? (text.trim() === '' ? 'no body' : text.trim().slice(0, BODY_PREVIEW_CHARS));
  const where = input.status === undefined ? 'in-stream error' : String(input.status);
  const message = redact(
    `${input.protocol} '${input.provider}': ${where}${code === undefined ? '' : ` ${code}`}: ${detail}${pathHint(input, code)}`,
    input.secrets ?? [],
  );
  const rateLimit = openaiRateLimitFromHeaders(headers);
  return providerError({
    class: cls,
    message,
    provider: input.provider,
    model: input.model,
    ...(input.status === undefined ? {} : { status: input.status }),
    ...(code === undefined ? {} : { code }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(rateLimit === undefined ? {} : { rateLimit }),
    inStream: input.inStream ?? false,
  });
}
