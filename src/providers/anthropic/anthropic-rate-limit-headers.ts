import type { RateLimitDimension, RateLimitSnapshot } from '../../model/errors.js';
import { headerValue, type HttpReply } from '../http-transport.js';

const DIMENSIONS: readonly [keyof RateLimitSnapshot, string][] = [
  ['requests', 'requests'],
  ['tokens', 'tokens'],
  ['inputTokens', 'input-tokens'],
  ['outputTokens', 'output-tokens'],
];

function number(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * Reads `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}`
 * (reset is an RFC 3339 time) into a canonical snapshot; undefined when none are present.
 * @example readAnthropicRateLimit({ 'anthropic-ratelimit-requests-remaining': '49' }) // { requests: { remaining: 49 } }
 */
export function readAnthropicRateLimit(
  headers: HttpReply['headers'],
  nowMs: number = Date.now(),
): RateLimitSnapshot | undefined {
  let snapshot: RateLimitSnapshot | undefined;
  for (const [key, name] of DIMENSIONS) {
    const dimension: RateLimitDimension = {};
    const limit = number(headerValue(headers, `anthropic-ratelimit-${name}-limit`));
    const remaining = number(headerValue(headers, `anthropic-ratelimit-${name}-remaining`));
    const reset = headerValue(headers, `anthropic-ratelimit-${name}-reset`);
    if (limit !== undefined) dimension.limit = limit;
    if (remaining !== undefined) dimension.remaining = remaining;
    if (reset !== undefined) {
      const at = Date.parse(reset);
      if (!Number.isNaN(at)) dimension.resetMs = Math.max(0, at - nowMs);
    }
    if (Object.keys(dimension).length > 0) {
      snapshot ??= {};
      snapshot[key] = dimension;
    }
  }
  return snapshot;
}
