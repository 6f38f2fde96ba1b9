import type { HttpReply } from './http-transport.js';
import { headerValue } from './http-transport.js';

/**
 * The server's requested delay from standard headers, in ms: `retry-after-ms` (OpenAI), then
 * `retry-after` as seconds or an HTTP date. Provider-specific forms (Gemini's RetryInfo, OpenAI's
 * "try again in 84ms") are read by that provider's classifier and take precedence there.
 * @example retryAfterFromHeaders({ 'retry-after': '3' }, Date.now()) // 3000
 */
export function retryAfterFromHeaders(headers: HttpReply['headers'], nowMs: number = Date.now()): number | undefined {
  const ms = headerValue(headers, 'retry-after-ms');
  if (ms !== undefined) {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const raw = headerValue(headers, 'retry-after');
  if (raw === undefined || raw.trim() === '') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/**
 * Parses a Go-style duration as used in OpenAI's `x-ratelimit-reset-*` headers and Gemini's
 * `retryDelay`: `84ms`, `1s`, `1.5s`, `6m0s`, `1h2m3.5s`. Returns ms, or undefined if malformed.
 * @example parseDuration('6m0s') // 360000
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };
  const pattern = /(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/gy;
  let total = 0;
  let consumed = 0;
  for (const match of trimmed.matchAll(pattern)) {
    const factor = unit[match[2] as string];
    if (factor === undefined) return undefined;
    total += Number(match[1]) * factor;
    consumed += match[0].length;
  }
  return consumed === trimmed.length ? total : undefined;
}
