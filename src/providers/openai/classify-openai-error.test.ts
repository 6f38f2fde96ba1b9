import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ErrorClass } from '../../model/errors.js';
import { classifyOpenAIError } from './classify-openai-error.js';

function fixture(name: string): string {
  return readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
}

const base = { provider: 'gpt', protocol: 'openai', model: 'gpt-4o-mini', nowMs: 1_700_000_000_000 };

describe('classifyOpenAIError: one case per taxonomy row OpenAI can produce', () => {
  const table: Array<[string, number, string, ErrorClass, string | undefined]> = [
    ['429 rate_limit_exceeded', 429, 'error-429-rate-limit.json', 'rate_limited', 'rate_limit_exceeded'],
    ['429 insufficient_quota', 429, 'error-429-quota.json', 'quota_exhausted', 'insufficient_quota'],
    ['503 server_is_overloaded', 503, 'error-503-overloaded.json', 'overloaded', 'server_is_overloaded'],
    ['500 server_error', 500, 'error-500-server.json', 'server_error', 'server_error'],
    ['502 from the edge (HTML)', 502, 'error-502-gateway.html', 'server_error', undefined],
    ['401 invalid_api_key', 401, 'error-401-invalid-key.json', 'auth', 'invalid_api_key'],
    ['403 unsupported region', 403, 'error-403-region.json', 'auth', 'unsupported_country_region_territory'],
    ['404 model_not_found', 404, 'error-404-model.json', 'not_found', 'model_not_found'],
    ['400 invalid_type', 400, 'error-400-invalid.json', 'bad_request', 'invalid_type'],
    ['429 Request too large', 429, 'error-429-request-too-large.json', 'bad_request', 'rate_limit_exceeded'],
    ['400 context_length_exceeded', 400, 'error-400-context-length.json', 'context_length', 'context_length_exceeded'],
    ['400 content_filter', 400, 'error-400-content-filter.json', 'content_filter', 'content_filter'],
  ];
  it.each(table)('%s', (_name, status, file, cls, code) => {
    const error = classifyOpenAIError({ ...base, status, body: fixture(file), headers: {} });
    expect(error.class).toBe(cls);
    expect(error.status).toBe(status);
    expect(error.code).toBe(code);
    expect(error.provider).toBe('gpt');
    expect(error.model).toBe('gpt-4o-mini');
    expect(error.inStream).toBe(false);
    expect(error.message.startsWith(`openai 'gpt': ${status}`)).toBe(true);
  });

  it('classifies the remaining statuses: 413/422 bad request, 408 timeout, 504 server error, 529 overloaded', () => {
    expect(classifyOpenAIError({ ...base, status: 413, body: '' }).class).toBe('bad_request');
    expect(classifyOpenAIError({ ...base, status: 422, body: '{"detail":"bad"}' }).class).toBe('bad_request');
    expect(classifyOpenAIError({ ...base, status: 408, body: '' }).class).toBe('timeout');
    expect(classifyOpenAIError({ ...base, status: 504, body: '' }).class).toBe('server_error');
    expect(classifyOpenAIError({ ...base, status: 529, body: '' }).class).toBe('overloaded');
    expect(
      classifyOpenAIError({
        ...base,
        status: 429,
        body: '{"error":{"message":"Your credit balance is too low","code":"credit_balance_exhausted"}}',
      }).class,
    ).toBe('quota_exhausted');
  });

  it('writes a message a human can act on', () => {
    const error = classifyOpenAIError({ ...base, status: 503, body: fixture('error-503-overloaded.json') });
    expect(error.message).toBe(
      "openai 'gpt': 503 server_is_overloaded: Our servers are currently overloaded. Please try again later.",
    );
    const html = classifyOpenAIError({ ...base, status: 502, body: fixture('error-502-gateway.html') });
    expect(html.message).toContain('502 Bad Gateway');
    expect(classifyOpenAIError({ ...base, status: 500, body: '' }).message).toBe("openai 'gpt': 500: no body");
  });
});

describe('classifyOpenAIError: retry delays', () => {
  it('prefers retry-after-ms, then retry-after', () => {
    const body = fixture('error-429-rate-limit.json');
    expect(
      classifyOpenAIError({ ...base, status: 429, body, headers: { 'retry-after-ms': '120', 'retry-after': '3' } })
        .retryAfterMs,
    ).toBe(120);
    expect(classifyOpenAIError({ ...base, status: 429, body, headers: { 'retry-after': '3' } }).retryAfterMs).toBe(
      3000,
    );
  });

  it('falls back to "Please try again in …" in the message when no header says', () => {
    expect(
      classifyOpenAIError({ ...base, status: 429, body: fixture('error-429-rate-limit.json'), headers: {} })
        .retryAfterMs,
    ).toBe(265);
    const seconds =
      '{"error":{"message":"Rate limit reached for requests. Please try again in 1.5s.","type":"requests","code":"rate_limit_exceeded"}}';
    expect(classifyOpenAIError({ ...base, status: 429, body: seconds }).retryAfterMs).toBe(1500);
    const minutes =
      '{"error":{"message":"Rate limit reached on requests per day (RPD). Please try again in 7m12s.","type":"requests","code":"rate_limit_exceeded"}}';
    expect(classifyOpenAIError({ ...base, status: 429, body: minutes }).retryAfterMs).toBe(432_000);
  });

  it('gives no delay for quota exhaustion even when a header is present', () => {
    expect(
      classifyOpenAIError({
        ...base,
        status: 429,
        body: fixture('error-429-quota.json'),
        headers: { 'retry-after': '20' },
      }).retryAfterMs,
    ).toBeUndefined();
  });

  it('reads the rate-limit snapshot from error headers', () => {
    const error = classifyOpenAIError({
      ...base,
      status: 429,
      body: fixture('error-429-rate-limit.json'),
      headers: {
        'x-ratelimit-limit-tokens': '200000',
        'x-ratelimit-remaining-tokens': '0',
        'x-ratelimit-reset-tokens': '265ms',
      },
    });
    expect(error.rateLimit).toEqual({ tokens: { limit: 200000, remaining: 0, resetMs: 265 } });
  });
});

describe('classifyOpenAIError: in-stream errors and secrets', () => {
  it('classifies a parsed in-stream error chunk by its type and code', () => {
    const serverError = classifyOpenAIError({
      ...base,
      body: { error: { message: 'boom', type: 'server_error', param: null, code: null } },
      inStream: true,
    });
    expect(serverError).toMatchObject({ class: 'server_error', inStream: true, status: undefined });
    expect(
      classifyOpenAIError({
        ...base,
        body: { error: { message: 'busy', type: 'service_unavailable_error', code: 'server_is_overloaded' } },
      }).class,
    ).toBe('overloaded');
    expect(
      classifyOpenAIError({
        ...base,
        body: { error: { message: 'slow down', type: 'tokens', code: 'rate_limit_exceeded' } },
      }).class,
    ).toBe('rate_limited');
  });

  it('never puts an API key in a message', () => {
    const key = 'sk-live-0123456789abcdef';
    const echoed = `{"error":{"message":"Invalid key ${key} for this project","type":"invalid_request_error"}}`;
    const error = classifyOpenAIError({ ...base, status: 401, body: echoed, secrets: [key] });
    expect(error.message).not.toContain(key);
    const shaped = classifyOpenAIError({
      ...base,
      status: 401,
      body: '{"error":{"message":"Bad key sk-proj-abcdefghijklmnop"}}',
    });
    expect(shaped.message).not.toContain('abcdefghijklmnop');
  });
});

describe('classifyOpenAIError: a 404 names the URL', () => {
  it('a path not found names the URL without its query; a missing model does not', () => {
    const path = classifyOpenAIError({
      provider: 'gpt',
      protocol: 'openai',
      model: 'm',
      status: 404,
      body: '{"error":{"message":"Invalid URL (POST /chat/completions)","type":"invalid_request_error"}}',
      url: 'https://api.example/chat/completions?key=sk-secretsecret',
    });
    expect(path.message).toBe(
      "openai 'gpt': 404 invalid_request_error: Invalid URL (POST /chat/completions) (POST https://api.example/chat/completions: path not found; check the provider's baseUrl, which for OpenAI ends in /v1)",
    );
    const model = classifyOpenAIError({
      provider: 'gpt',
      protocol: 'openai',
      model: 'm',
      status: 404,
      body: '{"error":{"message":"The model m does not exist","code":"model_not_found"}}',
      url: 'https://api.example/v1/chat/completions',
    });
    expect(model.message).not.toContain('path not found');
  });
});
