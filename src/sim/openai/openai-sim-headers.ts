import { createHash, randomBytes } from 'node:crypto';

/**
 * Header values the real OpenAI API puts on every answer: a `req_…` request id (32 hex digits),
 * `openai-version` and `openai-processing-ms`, and Go-formatted durations in rate-limit headers.
 */

// Ids are a random 20-hex-digit prefix per process plus a 12-hex-digit counter: unique, shaped
// like OpenAI's, and without a crypto call per answer (which cost ~8 µs on the simulator's hot path).
const ID_PREFIX = randomBytes(10).toString('hex');
let idCounter = 0;

/** A request id shaped like OpenAI's `x-request-id` (`req_` + 32 hex digits). */
export function openaiRequestId(): string {
  idCounter = (idCounter + 1) % 0x1000000000000;
  return `req_${ID_PREFIX}${idCounter.toString(16).padStart(12, '0')}`;
}

/** Headers OpenAI sends on every answer, with the given content type. */
export function openaiBaseHeaders(contentType: string): Record<string, string> {
  return {
    'content-type': contentType,
    'x-request-id': openaiRequestId(),
    'openai-version': '2020-10-01',
    'openai-processing-ms': '1',
  };
}

export const JSON_CONTENT_TYPE = 'application/json';
export const SSE_CONTENT_TYPE = 'text/event-stream; charset=utf-8';

/**
 * Formats milliseconds the way Go's `time.Duration` prints, as OpenAI does in
 * `x-ratelimit-reset-*` and "Please try again in …": `0s`, `84ms`, `1s`, `1.5s`, `6m0s`, `1h2m3s`.
 * @example formatGoDuration(360_000) // '6m0s'
 */
export function formatGoDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  if (total === 0) return '0s';
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const seconds = (total % 60_000) / 1000;
  const secondsText = `${Number(seconds.toFixed(3))}s`;
  if (hours > 0) return `${hours}h${minutes}m${secondsText}`;
  if (minutes > 0) return `${minutes}m${secondsText}`;
  return secondsText;
}

const fingerprints = new Map<string, string>();

/** A stable `fp_…` system fingerprint for a model (10 hex digits, like the real ones), computed once per model. */
export function systemFingerprint(model: string): string {
  let fingerprint = fingerprints.get(model);
  if (fingerprint === undefined) {
    fingerprint = `fp_${createHash('sha256').update(model).digest('hex').slice(0, 10)}`;
    if (fingerprints.size < 1000) fingerprints.set(model, fingerprint);
  }
  return fingerprint;
}
