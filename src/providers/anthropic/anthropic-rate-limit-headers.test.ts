import { describe, expect, it } from 'vitest';
import { readAnthropicRateLimit } from './anthropic-rate-limit-headers.js';

describe('readAnthropicRateLimit', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads every dimension, turning RFC 3339 resets into ms from now', () => {
    expect(
      readAnthropicRateLimit(
        {
          'anthropic-ratelimit-requests-limit': '50',
          'anthropic-ratelimit-requests-remaining': '49',
          'anthropic-ratelimit-requests-reset': '2026-01-01T00:00:01Z',
          'anthropic-ratelimit-tokens-limit': '48000',
          'anthropic-ratelimit-tokens-remaining': '47000',
          'anthropic-ratelimit-tokens-reset': '2026-01-01T00:00:02Z',
          'anthropic-ratelimit-input-tokens-limit': '40000',
          'anthropic-ratelimit-input-tokens-remaining': '39500',
          'anthropic-ratelimit-input-tokens-reset': '2026-01-01T00:00:01.500Z',
          'anthropic-ratelimit-output-tokens-limit': '8000',
          'anthropic-ratelimit-output-tokens-remaining': '7900',
          'anthropic-ratelimit-output-tokens-reset': '2025-12-31T23:59:59Z',
        },
        now,
      ),
    ).toEqual({
      requests: { limit: 50, remaining: 49, resetMs: 1000 },
      tokens: { limit: 48_000, remaining: 47_000, resetMs: 2000 },
      inputTokens: { limit: 40_000, remaining: 39_500, resetMs: 1500 },
      outputTokens: { limit: 8000, remaining: 7900, resetMs: 0 },
    });
  });

  it('returns undefined without rate-limit headers and skips garbage values', () => {
    expect(readAnthropicRateLimit({ 'content-type': 'application/json' }, now)).toBeUndefined();
    expect(
      readAnthropicRateLimit(
        { 'anthropic-ratelimit-requests-limit': 'lots', 'anthropic-ratelimit-requests-remaining': '3' },
        now,
      ),
    ).toEqual({ requests: { remaining: 3 } });
  });
});
