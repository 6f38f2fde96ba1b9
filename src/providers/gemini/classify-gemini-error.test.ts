import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CLASSES, type ErrorClass } from '../../model/errors.js';
import { classifyGeminiError } from './classify-gemini-error.js';

function body(name: string): string {
  return readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
}

const base = { provider: 'gemini-main', model: 'gemini-2.5-flash' };

describe('classifyGeminiError', () => {
  // One row per taxonomy class Gemini can produce over HTTP (timeout and network also come from
  // the transport; content_filter from a 200 body: see from-gemini-response and the stream tests).
  const table: [string, number, string, ErrorClass][] = [
    ['429 per-minute quota with RetryInfo', 429, 'error-429-rate-limited.json', 'rate_limited'],
    ['429 per-day quota', 429, 'error-429-per-day.json', 'quota_exhausted'],
    ['503 model overloaded', 503, 'error-503-unavailable.json', 'overloaded'],
    ['500 internal', 500, 'error-500-internal.json', 'server_error'],
    ['504 deadline exceeded', 504, 'error-504-deadline.json', 'timeout'],
    ['400 API_KEY_INVALID', 400, 'error-400-api-key-invalid.json', 'auth'],
    ['403 permission denied', 403, 'error-403-permission-denied.json', 'auth'],
    ['404 model not found', 404, 'error-404-not-found.json', 'not_found'],
    ['400 invalid argument', 400, 'error-400-invalid-argument.json', 'bad_request'],
    ['400 failed precondition (account/region, not the request)', 400, 'error-400-failed-precondition.json', 'auth'],
    ['400 input token count exceeds', 400, 'error-400-context-length.json', 'context_length'],
  ];

  it.each(table)('%s → %s', (_label, status, fixture, expected) => {
    const error = classifyGeminiError({
      ...base,
      status,
      body: body(fixture),
      headers: { 'content-type': 'application/json; charset=UTF-8' },
    });
    expect(error.class).toBe(expected);
    expect(error.status).toBe(status);
    expect(error.provider).toBe('gemini-main');
    expect(error.model).toBe('gemini-2.5-flash');
  });

  it('covers every taxonomy class Gemini produces over HTTP', () => {
    const covered = new Set(table.map((row) => row[3]));
    const notOverHttp: ErrorClass[] = ['network', 'content_filter'];
    expect(ERROR_CLASSES.filter((c) => !covered.has(c) && !notOverHttp.includes(c))).toEqual([]);
  });

  it('reads the retry delay from RetryInfo', () => {
    const error = classifyGeminiError({ ...base, status: 429, body: body('error-429-rate-limited.json') });
    expect(error.retryAfterMs).toBe(37_000);
    expect(error.code).toBe('RESOURCE_EXHAUSTED');
    expect(error.retryable).toBe(true);
  });

  it('reads fractional protobuf durations (0.500s)', () => {
    const json = {
      error: {
        code: 429,
        status: 'RESOURCE_EXHAUSTED',
        message: 'Quota exceeded',
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '0.500s' }],
      },
    };
    expect(classifyGeminiError({ ...base, status: 429, body: json }).retryAfterMs).toBe(500);
  });

  it('falls back to a retry-after header, and gives no delay for a quota that will not refill', () => {
    const legacy = classifyGeminiError({
      ...base,
      status: 429,
      body: body('error-429-legacy.json'),
      headers: { 'retry-after': '3' },
    });
    expect(legacy).toMatchObject({ class: 'rate_limited', retryAfterMs: 3000 });
    expect(
      classifyGeminiError({ ...base, status: 429, body: body('error-429-per-day.json') }).retryAfterMs,
    ).toBeUndefined();
  });

  it('treats a quota whose limit is zero as exhausted', () => {
    const json = {
      error: {
        code: 429,
        status: 'RESOURCE_EXHAUSTED',
        message: 'Quota exceeded',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
            violations: [{ quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier', quotaValue: '0' }],
          },
        ],
      },
    };
    expect(classifyGeminiError({ ...base, status: 429, body: json }).class).toBe('quota_exhausted');
  });

  it('writes a message a human can act on, naming provider, status and Google status', () => {
    const error = classifyGeminiError({ ...base, status: 503, body: body('error-503-unavailable.json') });
    expect(error.message).toBe(
      "gemini 'gemini-main': 503 UNAVAILABLE: The model is overloaded. Please try again later.",
    );
    const quota = classifyGeminiError({ ...base, status: 429, body: body('error-429-per-day.json') });
    expect(quota.message).toContain('(quota GenerateRequestsPerDayPerProjectPerModel-FreeTier)');
  });

  it('uses the ErrorInfo reason as the code for a bad key', () => {
    expect(classifyGeminiError({ ...base, status: 400, body: body('error-400-api-key-invalid.json') }).code).toBe(
      'API_KEY_INVALID',
    );
  });

  it('never puts the API key in the message', () => {
    const key = 'AIzaSyD-secret-key-123456';
    const json = {
      error: { code: 400, status: 'INVALID_ARGUMENT', message: `API key ${key} not valid; see ?key=${key}` },
    };
    const error = classifyGeminiError({ ...base, status: 400, body: json, secrets: [key] });
    expect(error.message).not.toContain(key);
  });

  it('classifies a non-JSON body by status alone (e.g. an HTML 502 from a front end)', () => {
    const error = classifyGeminiError({ ...base, status: 502, body: '<html><title>502 Bad Gateway</title></html>' });
    expect(error.class).toBe('server_error');
    expect(error.message).toContain('502');
  });

  it('marks errors that arrived inside a stream', () => {
    expect(
      classifyGeminiError({ ...base, status: 503, body: body('error-503-unavailable.json'), inStream: true }).inStream,
    ).toBe(true);
  });
});
