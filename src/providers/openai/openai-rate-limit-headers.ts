import type { RateLimitDimension, RateLimitSnapshot } from '../../model/errors.js';
import { headerValue, type HttpReply } from '../http-transport.js';
import { parseDuration } from '../retry-after.js';

function numberHeader(headers: HttpReply['headers'], name: string): number | undefined {
  const raw = headerValue(headers, name);
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

/** A reset is a Go duration (`12ms`, `6m0s`); some compatible vendors send bare seconds. */
function resetHeader(headers: HttpReply['headers'], name: string): number | undefined {
  const raw = headerValue(headers, name);
  if (raw === undefined) return undefined;
  const duration = parseDuration(raw);
  if (duration !== undefined) return duration;
  const seconds = Number(raw);
  return raw.trim() !== '' && Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

function dimension(headers: HttpReply['headers'], name: 'requests' | 'tokens'): RateLimitDimension | undefined {
  const limit = numberHeader(headers, `x-ratelimit-limit-${name}`);
  const remaining = numberHeader(headers, `x-ratelimit-remaining-${name}`);
  const resetMs = resetHeader(headers, `x-ratelimit-reset-${name}`);
  if (limit === undefined && remaining === undefined && resetMs === undefined) return undefined;
  // Assignments, not conditional spreads: read on every answer, and V8 builds spread-first literals slowly.
  const dim: RateLimitDimension = {};
  if (limit !== undefined) dim.limit = limit;
  if (remaining !== undefined) dim.remaining = remaining;
  if (resetMs !== undefined) dim.resetMs = resetMs;
  return dim;
}

/**
 * Reads `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` into a snapshot; undefined when the
 * answer carried none (real 429s sometimes carry none).
 * @example openaiRateLimitFromHeaders({ 'x-ratelimit-remaining-requests': '59', 'x-ratelimit-reset-requests': '1s' })
 */
export function openaiRateLimitFromHeaders(headers: HttpReply['headers']): RateLimitSnapshot | undefined {
  const requests = dimension(headers, 'requests');
  const tokens = dimension(headers, 'tokens');
  if (requests === undefined && tokens === undefined) return undefined;
  const snapshot: RateLimitSnapshot = {};
  if (requests !== undefined) snapshot.requests = requests;
  if (tokens !== undefined) snapshot.tokens = tokens;
  return snapshot;
}
