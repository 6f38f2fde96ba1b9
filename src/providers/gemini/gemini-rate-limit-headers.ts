import type { RateLimitSnapshot } from '../../model/errors.js';
import type { HttpReply } from '../http-transport.js';

/**
 * Rate-limit state from a Gemini response's headers. The Gemini API sends none (no
 * `x-ratelimit-*`, no `retry-after`): its limits are only visible in a 429's QuotaFailure and
 * RetryInfo details, which `classifyGeminiError` reads. So this returns undefined; it exists so the
 * adapter reads headers the same way for every provider, and is the one place to change should
 * Google start sending them.
 * @example geminiRateLimitFromHeaders({ 'content-type': 'application/json' }) // undefined
 */
export function geminiRateLimitFromHeaders(_headers: HttpReply['headers']): RateLimitSnapshot | undefined {
  return undefined;
}
