import { describe, expect, it } from 'vitest';
import type { SimHttpFaultKind } from '../sim-protocol.js';
import {
  formatProtoDuration,
  renderGeminiFault,
  renderGeminiOverLimit,
  renderGeminiStreamError,
} from './gemini-sim-errors.js';

const context = { model: 'gemini-2.5-flash', inputTokens: 12 };

interface GoogleError {
  code: number;
  message: string;
  status: string;
  details?: Record<string, unknown>[];
}

function errorOf(body: string): GoogleError {
  return (JSON.parse(body) as { error: GoogleError }).error;
}

describe('renderGeminiFault', () => {
  it.each([
    ['overloaded', 503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.'],
    [
      'server_error',
      500,
      'INTERNAL',
      'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
    ],
    ['auth', 400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.'],
    ['bad_request', 400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.'],
    [
      'context_length',
      400,
      'INVALID_ARGUMENT',
      'The input token count (1048588) exceeds the maximum number of tokens allowed (1048576).',
    ],
  ] as const)('%s → %i %s', (kind, status, googleStatus, message) => {
    const reply = renderGeminiFault(kind, context);
    expect(reply.status).toBe(status);
    expect(reply.headers['content-type']).toBe('application/json; charset=UTF-8');
    expect(errorOf(reply.body)).toMatchObject({ code: status, status: googleStatus, message });
  });

  it('pretty-prints bodies with two spaces and sends no retry-after, request-id or rate-limit headers', () => {
    const kinds: SimHttpFaultKind[] = [
      'overloaded',
      'rate_limited',
      'quota_exhausted',
      'server_error',
      'auth',
      'bad_request',
      'context_length',
    ];
    for (const kind of kinds) {
      const reply = renderGeminiFault(kind, { ...context, retryAfterS: 3 });
      expect(reply.body.startsWith('{\n  "error": {\n    "code": ')).toBe(true);
      expect(Object.keys(reply.headers).filter((h) => /retry-after|request-id|ratelimit/.test(h))).toEqual([]);
    }
  });

  it('renders rate_limited as 429 RESOURCE_EXHAUSTED with a per-minute QuotaFailure and RetryInfo', () => {
    const error = errorOf(renderGeminiFault('rate_limited', { ...context, retryAfterS: 37 }).body);
    expect(error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED' });
    expect(error.message).toContain('Please retry in 37s.');
    expect(error.details?.[0]).toMatchObject({
      '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
      violations: [
        {
          quotaId: 'GenerateRequestsPerMinutePerProjectPerModel',
          quotaDimensions: { location: 'global', model: 'gemini-2.5-flash' },
        },
      ],
    });
    expect(error.details?.at(-1)).toEqual({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '37s' });
  });

  it('leaves RetryInfo out of a rate_limited fault that gives no delay', () => {
    const error = errorOf(renderGeminiFault('rate_limited', context).body);
    expect(error.details?.some((d) => d['@type'] === 'type.googleapis.com/google.rpc.RetryInfo')).toBe(false);
  });

  it('renders quota_exhausted as a 429 with a PerDay quotaId and never a RetryInfo', () => {
    const error = errorOf(renderGeminiFault('quota_exhausted', { ...context, retryAfterS: 5 }).body);
    expect(error.code).toBe(429);
    const violations = (error.details?.[0] as { violations: { quotaId: string }[] } | undefined)?.violations ?? [];
    expect(violations[0]?.quotaId).toContain('PerDay');
    expect(error.details?.some((d) => d['@type'] === 'type.googleapis.com/google.rpc.RetryInfo')).toBe(false);
    expect(error.message).not.toContain('retry in');
  });
});

describe('renderGeminiOverLimit', () => {
  it('names the refusing bucket as a quota and puts its refill time in RetryInfo', () => {
    const reply = renderGeminiOverLimit({
      model: 'gemini-2.5-flash',
      snapshot: {},
      dimension: 'input_tokens',
      limit: 1000,
      requested: 1500,
      retryAfterMs: 500,
    });
    expect(reply.status).toBe(429);
    expect(reply.headers).not.toHaveProperty('retry-after');
    const error = errorOf(reply.body);
    expect(
      (error.details?.[0] as { violations: { quotaId: string; quotaValue: string }[] } | undefined)?.violations[0],
    ).toMatchObject({
      quotaId: 'GenerateContentPaidTierInputTokensPerModelPerMinute',
      quotaValue: '1000',
    });
    expect(error.details?.at(-1)).toEqual({
      '@type': 'type.googleapis.com/google.rpc.RetryInfo',
      retryDelay: '0.500s',
    });
  });
});

describe('formatProtoDuration', () => {
  it('writes whole seconds bare and fractions with three digits, rounding up to the millisecond', () => {
    expect(formatProtoDuration(2000)).toBe('2s');
    expect(formatProtoDuration(500)).toBe('0.500s');
    expect(formatProtoDuration(1234.2)).toBe('1.235s');
    expect(formatProtoDuration(0)).toBe('0s');
  });
});

describe('renderGeminiStreamError', () => {
  it('is a raw pretty-printed JSON error, not an SSE frame', () => {
    const tail = renderGeminiStreamError();
    expect(tail.startsWith('data:')).toBe(false);
    expect(JSON.parse(tail)).toEqual({
      error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' },
    });
    expect(tail).toContain('\n  "error": {\n');
  });
});
