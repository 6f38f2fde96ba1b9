import { providerError, type ErrorClass, type ProviderError } from '../../model/errors.js';
import type { HttpReply } from '../http-transport.js';
import { redactSecrets } from '../redact-secrets.js';
import { parseDuration, retryAfterFromHeaders } from '../retry-after.js';
import { geminiErrorBodySchema, type GeminiErrorBody, type GeminiErrorDetail } from './gemini-api.js';
import { geminiRateLimitFromHeaders } from './gemini-rate-limit-headers.js';

/** Everything known about one failed Gemini call. */
export interface GeminiErrorInput {
  /** The configured provider name. */
  provider: string;
  model: string;
  /** HTTP status, or the `error.code` of an error that arrived inside a 200 stream. */
  status: number;
  /** The error body: raw text or already-parsed JSON. */
  body: unknown;
  headers?: HttpReply['headers'];
  /** True when the error arrived inside a stream that had been accepted. */
  inStream?: boolean;
  /** Secrets to scrub from messages (the API key). */
  secrets?: readonly string[];
  nowMs?: number;
}

const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';
const QUOTA_FAILURE = 'type.googleapis.com/google.rpc.QuotaFailure';
const ERROR_INFO = 'type.googleapis.com/google.rpc.ErrorInfo';

/**
 * Classifies a failed Gemini call into the error taxonomy. The only place that reads Gemini's
 * error messages. 400 + API_KEY_INVALID → auth; 400 "input token count … exceeds" → context_length;
 * 400 FAILED_PRECONDITION (account/region) → auth; other 400 → bad_request; 401/403 → auth; 404 → not_found; 429 with a per-day (or zero) quota →
 * quota_exhausted, other 429 → rate_limited (RetryInfo delay); 500 → server_error; 503 → overloaded;
 * 504 → timeout.
 * @example classifyGeminiError({ provider: 'gemini', model: 'gemini-2.5-flash', status: 503, body: '{"error":{"code":503,"status":"UNAVAILABLE","message":"The model is overloaded."}}' }).class // 'overloaded'
 */
export function classifyGeminiError(input: GeminiErrorInput): ProviderError {
  const parsed = parseErrorBody(input.body);
  const error = parsed?.error;
  const details = error?.details ?? [];
  const reason = details.find((d) => d['@type'] === ERROR_INFO)?.reason;
  const statusName = error?.status;
  const rawMessage = error?.message ?? (typeof input.body === 'string' ? input.body.slice(0, 500) : '');
  const cls = classOf(input.status, statusName, reason, rawMessage, details);
  const retryAfterMs =
    cls === 'rate_limited' || cls === 'overloaded' || cls === 'server_error'
      ? (retryDelayMs(details, rawMessage) ??
        (input.headers ? retryAfterFromHeaders(input.headers, input.nowMs) : undefined))
      : undefined;
  const rateLimit = input.headers ? geminiRateLimitFromHeaders(input.headers) : undefined;
  const code = reason ?? statusName;
  const quotaId = details.find((d) => d['@type'] === QUOTA_FAILURE)?.violations?.[0]?.quotaId;
  const summary = scrub(firstLine(rawMessage) || 'no message', input.secrets) + (quotaId ? ` (quota ${quotaId})` : '');
  return providerError({
    class: cls,
    message: `gemini '${input.provider}': ${input.status}${statusName ? ` ${statusName}` : ''}: ${summary}`,
    provider: input.provider,
    model: input.model,
    status: input.status,
    ...(code === undefined ? {} : { code }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(rateLimit === undefined ? {} : { rateLimit }),
    ...(input.inStream ? { inStream: true } : {}),
  });
}

function classOf(
  status: number,
  statusName: string | undefined,
  reason: string | undefined,
  message: string,
  details: readonly GeminiErrorDetail[],
): ErrorClass {
  if (
    reason === 'API_KEY_INVALID' ||
    reason === 'API_KEY_EXPIRED' ||
    statusName === 'UNAUTHENTICATED' ||
    statusName === 'PERMISSION_DENIED'
  )
    return 'auth';
  // FAILED_PRECONDITION ("User location is not supported", free tier unavailable in a country) is the
  // account's problem, not the request's: like auth it opens long, alerts, and lets the next provider serve.
  if (statusName === 'FAILED_PRECONDITION') return 'auth';
  if (status === 400) {
    return /input token count.*exceeds the maximum/i.test(message) ? 'context_length' : 'bad_request';
  }
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 408) return 'timeout';
  if (status === 413 || status === 422) return 'bad_request';
  if (status === 429) return isTerminalQuota(details) ? 'quota_exhausted' : 'rate_limited';
  if (status === 499) return 'network';
  if (status === 503) return 'overloaded';
  if (status === 504 || statusName === 'DEADLINE_EXCEEDED') return 'timeout';
  if (status >= 500) return 'server_error';
  return 'bad_request';
}

/** A per-day quota, or a quota whose limit is zero (a tier without access), will not refill soon. */
function isTerminalQuota(details: readonly GeminiErrorDetail[]): boolean {
  for (const detail of details) {
    if (detail['@type'] !== QUOTA_FAILURE) continue;
    for (const violation of detail.violations ?? []) {
      if (violation.quotaId?.includes('PerDay') === true) return true;
      if (violation.quotaValue !== undefined && Number(violation.quotaValue) === 0) return true;
    }
  }
  return false;
}

/** RetryInfo's `retryDelay`, else the message's "Please retry in 37.4s." */
function retryDelayMs(details: readonly GeminiErrorDetail[], message: string): number | undefined {
  const delay = details.find((d) => d['@type'] === RETRY_INFO)?.retryDelay;
  const fromInfo = delay === undefined ? undefined : parseDuration(delay);
  if (fromInfo !== undefined) return Math.round(fromInfo);
  const match = /retry in (\d+(?:\.\d+)?(?:ms|s))/i.exec(message);
  const fromMessage = match?.[1] === undefined ? undefined : parseDuration(match[1]);
  return fromMessage === undefined ? undefined : Math.round(fromMessage);
}

function parseErrorBody(body: unknown): GeminiErrorBody | undefined {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  // Some Google front ends wrap the error in a one-element array.
  if (Array.isArray(value) && value.length === 1) value = value[0];
  const result = geminiErrorBodySchema.safeParse(value);
  return result.success ? result.data : undefined;
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line.trim();
}

function scrub(text: string, secrets: readonly string[] | undefined): string {
  return redactSecrets(text, secrets).replace(/([?&]key=)[^&\s'"]+/g, '$1[redacted]');
}
