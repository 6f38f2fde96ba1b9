import { describe, expect, it } from 'vitest';
import type { SimHttpFaultKind, SimHttpReply } from '../sim-protocol.js';
import { openaiSimProtocol } from './index.js';
import { formatGoDuration } from './openai-sim-headers.js';

function errorOf(reply: SimHttpReply): { message: string; type: string; param: string | null; code: string | null } {
  expect(reply.headers['x-request-id']).toMatch(/^req_[0-9a-f]{32}$/);
  expect(reply.headers['content-type']).toBe('application/json');
  return (
    JSON.parse(reply.body) as { error: { message: string; type: string; param: string | null; code: string | null } }
  ).error;
}

const context = { model: 'gpt-4o-mini', inputTokens: 10 };

describe('openai sim faults', () => {
  const table: Array<[SimHttpFaultKind, number, string, string | null]> = [
    ['overloaded', 503, 'service_unavailable_error', 'server_is_overloaded'],
    ['rate_limited', 429, 'requests', 'rate_limit_exceeded'],
    ['quota_exhausted', 429, 'insufficient_quota', 'insufficient_quota'],
    ['server_error', 500, 'server_error', null],
    ['auth', 401, 'invalid_request_error', 'invalid_api_key'],
    ['bad_request', 400, 'invalid_request_error', 'string_above_max_length'],
    ['context_length', 400, 'invalid_request_error', 'context_length_exceeded'],
  ];
  it.each(table)('renders %s as %i %s', (kind, status, type, code) => {
    const reply = openaiSimProtocol.renderFault(kind, context);
    expect(reply.status).toBe(status);
    expect(errorOf(reply)).toMatchObject({ type, code });
  });

  it('says when to retry a rate limit, in the message and a whole-second retry-after', () => {
    const reply = openaiSimProtocol.renderFault('rate_limited', { ...context, retryAfterS: 1.5 });
    expect(reply.headers['retry-after']).toBe('2');
    expect(reply.headers['retry-after-ms']).toBeUndefined();
    expect(errorOf(reply).message).toMatch(
      /^Rate limit reached for gpt-4o-mini in organization org-\w+ on requests per min \(RPM\): .* Please try again in 1\.5s\. Visit/,
    );
  });

  it('sends no retry-after on a rate limit without a delay, nor on quota exhaustion', () => {
    expect(openaiSimProtocol.renderFault('rate_limited', context).headers['retry-after']).toBeUndefined();
    expect(errorOf(openaiSimProtocol.renderFault('rate_limited', context)).message).not.toContain('try again');
    const quota = openaiSimProtocol.renderFault('quota_exhausted', { ...context, retryAfterS: 5 });
    expect(quota.headers['retry-after']).toBeUndefined();
    expect(errorOf(quota).message).toMatch(
      /^You exceeded your current quota, please check your plan and billing details\./,
    );
  });

  it("reports the context window and the request's size", () => {
    const error = errorOf(openaiSimProtocol.renderFault('context_length', { ...context, inputTokens: 130_000 }));
    expect(error.message).toBe(
      "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens. Please reduce the length of the messages.",
    );
    expect(error.param).toBe('messages');
  });
});

describe('openai sim rate limits', () => {
  const snapshot = {
    requests: { limit: 60, remaining: 0, resetMs: 1000 },
    tokens: { limit: 10_000, remaining: 9_500.7, resetMs: 360_000 },
  };

  it('renders x-ratelimit headers with Go-duration resets', () => {
    expect(openaiSimProtocol.rateLimitHeaders({ model: 'm', snapshot })).toEqual({
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '1s',
      'x-ratelimit-limit-tokens': '10000',
      'x-ratelimit-remaining-tokens': '9500',
      'x-ratelimit-reset-tokens': '6m0s',
    });
  });

  it('renders an over-limit 429 with type requests or tokens, the headers and a retry-after', () => {
    const requests = openaiSimProtocol.renderOverLimit({
      model: 'm',
      snapshot,
      dimension: 'requests',
      limit: 60,
      requested: 1,
      retryAfterMs: 840,
    });
    expect(requests.status).toBe(429);
    expect(requests.headers['x-ratelimit-remaining-requests']).toBe('0');
    expect(requests.headers['retry-after']).toBe('1');
    expect(errorOf(requests)).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
    expect(errorOf(requests).message).toContain(
      'on requests per min (RPM): Limit 60, Used 60, Requested 1. Please try again in 840ms.',
    );
    const tokens = openaiSimProtocol.renderOverLimit({
      model: 'm',
      snapshot,
      dimension: 'tokens',
      limit: 10_000,
      requested: 900,
      retryAfterMs: 3_500,
    });
    expect(errorOf(tokens)).toMatchObject({ type: 'tokens' });
    expect(errorOf(tokens).message).toContain(
      'on tokens per min (TPM): Limit 10000, Used 500, Requested 900. Please try again in 3.5s.',
    );
  });

  it('formats durations like Go', () => {
    expect([0, 12, 999, 1000, 1500, 59_999, 60_000, 360_000, 3_723_500].map(formatGoDuration)).toEqual([
      '0s',
      '12ms',
      '999ms',
      '1s',
      '1.5s',
      '59.999s',
      '1m0s',
      '6m0s',
      '1h2m3.5s',
    ]);
  });
});
