import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../model/errors.js';
import { geminiResponseSchema } from './gemini-api.js';
import { fromGeminiResponse, mapGeminiFinishReason } from './from-gemini-response.js';

const context = { provider: 'gemini', model: 'gemini-2.5-flash' };

function fixture(name: string): ReturnType<typeof geminiResponseSchema.parse> {
  return geminiResponseSchema.parse(
    JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8')),
  );
}

describe('fromGeminiResponse', () => {
  it('joins text parts and counts thinking tokens as output', () => {
    const response = fromGeminiResponse(fixture('generate-text.json'), context);
    expect(response).toEqual({
      id: 'Dh1daMrGDeKrnvgPpO7y-AI',
      model: 'gemini-2.5-flash',
      content: [{ type: 'text', text: 'The sky is blue because of Rayleigh scattering.' }],
      text: 'The sky is blue because of Rayleigh scattering.',
      finishReason: 'stop',
      rawFinishReason: 'STOP',
      usage: { inputTokens: 8, outputTokens: 34, totalTokens: 42 },
    });
  });

  it('turns functionCall parts into tool calls with stable synthetic ids and finish reason tool-calls', () => {
    const response = fromGeminiResponse(fixture('generate-tool-call.json'), context);
    expect(response.content).toEqual([
      { type: 'text', text: 'Let me check both cities.' },
      { type: 'tool-call', id: 'call_0_get_weather', name: 'get_weather', input: { city: 'Paris' } },
      { type: 'tool-call', id: 'call_1_get_weather', name: 'get_weather', input: { city: 'Tokyo' } },
    ]);
    expect(response.finishReason).toBe('tool-calls');
    expect(response.rawFinishReason).toBe('STOP');
  });

  it('reads a candidate without parts (output cap hit while thinking) as an empty answer cut for length', () => {
    const response = fromGeminiResponse(fixture('generate-thoughts-max-tokens.json'), {
      provider: 'gemini',
      model: 'gemini-2.5-pro',
    });
    expect(response.text).toBe('');
    expect(response.content).toEqual([]);
    expect(response.finishReason).toBe('length');
    expect(response.usage).toEqual({ inputTokens: 12, outputTokens: 99, totalTokens: 111 });
  });

  it('maps a SAFETY finish to content-filter while keeping the raw reason', () => {
    const response = fromGeminiResponse(fixture('generate-safety.json'), context);
    expect(response.finishReason).toBe('content-filter');
    expect(response.rawFinishReason).toBe('SAFETY');
  });

  it('throws a content_filter ProviderError for a blocked prompt', () => {
    let caught: unknown;
    try {
      fromGeminiResponse(fixture('generate-blocked-prompt.json'), context);
    } catch (error) {
      caught = error;
    }
    expect(ProviderError.isInstance(caught)).toBe(true);
    expect(caught).toMatchObject({ class: 'content_filter', code: 'PROHIBITED_CONTENT', provider: 'gemini' });
  });

  it('throws server_error for a 200 body with neither candidates nor a block reason', () => {
    expect(() => fromGeminiResponse({ modelVersion: 'x' }, context)).toThrow(
      expect.objectContaining({ class: 'server_error' }),
    );
  });
});

describe('mapGeminiFinishReason', () => {
  it.each([
    ['STOP', false, 'stop'],
    ['STOP', true, 'tool-calls'],
    ['MAX_TOKENS', false, 'length'],
    ['SAFETY', false, 'content-filter'],
    ['RECITATION', false, 'content-filter'],
    ['BLOCKLIST', false, 'content-filter'],
    ['PROHIBITED_CONTENT', false, 'content-filter'],
    ['SPII', false, 'content-filter'],
    ['MALFORMED_FUNCTION_CALL', false, 'other'],
    ['OTHER', false, 'other'],
  ] as const)('%s (tool calls: %s) → %s', (raw, tools, expected) => {
    expect(mapGeminiFinishReason(raw, tools)).toBe(expected);
  });
});
