import { describe, expect, it } from 'vitest';
import { openaiRateLimitFromHeaders } from './openai-rate-limit-headers.js';

describe('openaiRateLimitFromHeaders', () => {
  it('reads requests and tokens with Go-duration resets', () => {
    expect(
      openaiRateLimitFromHeaders({
        'x-ratelimit-limit-requests': '10000',
        'x-ratelimit-remaining-requests': '9999',
        'x-ratelimit-reset-requests': '6ms',
        'x-ratelimit-limit-tokens': '30000000',
        'x-ratelimit-remaining-tokens': '29999980',
        'x-ratelimit-reset-tokens': '6m0s',
      }),
    ).toEqual({
      requests: { limit: 10000, remaining: 9999, resetMs: 6 },
      tokens: { limit: 30000000, remaining: 29999980, resetMs: 360_000 },
    });
  });

  it('accepts bare seconds from compatible vendors and partial sets', () => {
    expect(
      openaiRateLimitFromHeaders({ 'x-ratelimit-remaining-requests': '4', 'x-ratelimit-reset-requests': '12.5' }),
    ).toEqual({ requests: { remaining: 4, resetMs: 12_500 } });
  });

  it('returns undefined when the answer carries no rate-limit headers', () => {
    expect(openaiRateLimitFromHeaders({ 'x-request-id': 'req_1' })).toBeUndefined();
  });
});
