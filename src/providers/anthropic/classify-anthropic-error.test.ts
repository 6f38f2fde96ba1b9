import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ErrorClass } from '../../model/errors.js';
import { classifyAnthropicError } from './classify-anthropic-error.js';

interface Recorded {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const recorded = JSON.parse(readFileSync(new URL('./__fixtures__/errors.json', import.meta.url), 'utf8')) as Record<
  string,
  Recorded
>;
const NOW = Date.parse('2026-04-09T01:00:00Z');

function classify(name: string, extra: { redact?: string[] } = {}): ReturnType<typeof classifyAnthropicError> {
  const wire = recorded[name];
  if (!wire) throw new Error(`no fixture ${name}`);
  return classifyAnthropicError({
    provider: 'claude',
    model: 'claude-sonnet-4-5',
    status: wire.status,
    body: wire.body,
    headers: wire.headers,
    nowMs: NOW,
    ...extra,
  });
}

describe('classifyAnthropicError: one case per taxonomy row', () => {
  it.each<[string, ErrorClass]>([
    ['overloaded-529', 'overloaded'],
    ['unavailable-503', 'overloaded'],
    ['rate-limited-429', 'rate_limited'],
    ['spend-limit-429', 'quota_exhausted'],
    ['usage-limits-400', 'quota_exhausted'],
    ['billing-402', 'quota_exhausted'],
    ['server-error-500', 'server_error'],
    ['bad-gateway-502', 'server_error'],
    ['gateway-timeout-504', 'server_error'],
    ['request-timeout-408', 'timeout'],
    ['auth-401', 'auth'],
    ['permission-403', 'auth'],
    ['not-found-404', 'not_found'],
    ['context-400', 'context_length'],
    ['context-max-tokens-400', 'context_length'],
    ['invalid-400', 'bad_request'],
    ['too-large-413', 'bad_request'],
    ['unprocessable-422', 'bad_request'],
  ])('%s → %s', (name, expected) => {
    const error = classify(name);
    expect(error.class).toBe(expected);
    expect(error.provider).toBe('claude');
    expect(error.model).toBe('claude-sonnet-4-5');
    expect(error.status).toBe(recorded[name]?.status);
    expect(error.inStream).toBe(false);
  });

  it('writes messages a human can act on, with the request id', () => {
    expect(classify('overloaded-529').message).toBe(
      "anthropic 'claude': 529 overloaded_error: Overloaded (request-id req_011CXw8h8A796q3f74Ezmhav)",
    );
    expect(classify('bad-gateway-502').message).toBe(
      "anthropic 'claude': 502 <html><head><title>502 Bad Gateway</title></head></html>",
    );
  });

  it('reads retry-after and the rate-limit headers on a 429', () => {
    const error = classify('rate-limited-429');
    expect(error.retryAfterMs).toBe(17_000);
    expect(error.code).toBe('rate_limit_error');
    expect(error.rateLimit).toEqual({
      requests: { limit: 50, remaining: 0, resetMs: 17_000 },
      inputTokens: { limit: 30_000, remaining: 0, resetMs: 59_000 },
    });
    expect(error.retryable).toBe(true);
  });

  it('keeps the spend-cap code and no retry delay: the cap lasts until next month', () => {
    const error = classify('spend-limit-429');
    expect(error.code).toBe('enforced_spend_limit_reached');
    expect(error.retryAfterMs).toBeUndefined();
    expect(error.retryable).toBe(false);
  });

  it('records x-should-retry in code for the router to weigh', () => {
    expect(classify('context-400').code).toBe('invalid_request_error;x-should-retry=false');
  });

  it('classifies in-stream error events by their type', () => {
    const overloaded = classifyAnthropicError({
      provider: 'claude',
      body: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
      inStream: true,
    });
    expect(overloaded.class).toBe('overloaded');
    expect(overloaded.inStream).toBe(true);
    expect(overloaded.status).toBeUndefined();
    const api = classifyAnthropicError({
      provider: 'claude',
      body: '{"type":"error","error":{"type":"api_error","message":"Internal server error"}}',
      inStream: true,
    });
    expect(api.class).toBe('server_error');
    const rate = classifyAnthropicError({
      provider: 'claude',
      body: '{"type":"error","error":{"type":"rate_limit_error","message":"Rate limited"}}',
      inStream: true,
    });
    expect(rate.class).toBe('rate_limited');
  });

  it('never puts the API key in a message', () => {
    const key = 'sk-ant-api03-SECRETSECRET';
    const error = classifyAnthropicError({
      provider: 'claude',
      status: 401,
      body: `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key ${key}"}}`,
      redact: [key],
    });
    expect(error.message).not.toContain(key);
    expect(error.message).toContain('[redacted]');
  });
});
