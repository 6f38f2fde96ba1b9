import { describe, expect, it } from 'vitest';
import type { GenerateRequest } from '../../model/message.js';
import { SKIP_THOUGHT_SIGNATURE, syntheticToolCallId, toGeminiRequest } from './to-gemini-request.js';

const weatherTool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  inputSchema: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  },
};

describe('toGeminiRequest', () => {
  it('puts the system prompt and system messages into systemInstruction, never into contents', () => {
    const body = toGeminiRequest(
      {
        system: 'Be brief.',
        messages: [
          { role: 'system', content: 'Answer in French.' },
          { role: 'user', content: 'Hello' },
        ],
      },
      { model: 'gemini-2.5-flash' },
    );
    expect(body.systemInstruction).toEqual({ parts: [{ text: 'Be brief.' }, { text: 'Answer in French.' }] });
    expect(body.contents).toEqual([{ role: 'user', parts: [{ text: 'Hello' }] }]);
  });

  it('maps assistant to role model and sends generation settings in generationConfig', () => {
    const body = toGeminiRequest(
      {
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: [{ type: 'text', text: 'Hello!' }] },
          { role: 'user', content: 'Tell me more' },
        ],
        maxOutputTokens: 256,
        temperature: 0.2,
        topP: 0.9,
        stopSequences: ['END'],
      },
      { model: 'gemini-2.5-flash' },
    );
    expect(body.contents.map((c) => c.role)).toEqual(['user', 'model', 'user']);
    expect(body.generationConfig).toEqual({
      maxOutputTokens: 256,
      temperature: 0.2,
      topP: 0.9,
      stopSequences: ['END'],
    });
  });

  it('uses the endpoint default output cap only when the request has none, and omits generationConfig otherwise', () => {
    const request: GenerateRequest = { messages: [{ role: 'user', content: 'Hi' }] };
    expect(toGeminiRequest(request, { model: 'm', defaultMaxOutputTokens: 1024 }).generationConfig).toEqual({
      maxOutputTokens: 1024,
    });
    expect(toGeminiRequest(request, { model: 'm' }).generationConfig).toBeUndefined();
  });

  it('declares tools with their JSON schema as parametersJsonSchema and maps each tool choice', () => {
    const base: GenerateRequest = { messages: [{ role: 'user', content: 'Weather?' }], tools: [weatherTool] };
    const body = toGeminiRequest(base, { model: 'gemini-2.5-flash' });
    expect(body.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: 'get_weather',
            description: 'Current weather for a city',
            parametersJsonSchema: weatherTool.inputSchema,
          },
        ],
      },
    ]);
    expect(body.toolConfig).toBeUndefined();
    const modes = (['auto', 'none', 'required', { type: 'tool', name: 'get_weather' }] as const).map(
      (toolChoice) => toGeminiRequest({ ...base, toolChoice }, { model: 'gemini-2.5-flash' }).toolConfig,
    );
    expect(modes).toEqual([
      { functionCallingConfig: { mode: 'AUTO' } },
      { functionCallingConfig: { mode: 'NONE' } },
      { functionCallingConfig: { mode: 'ANY' } },
      { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } },
    ]);
  });

  it('sends tool calls as functionCall parts and tool results as functionResponse parts in one user turn', () => {
    const body = toGeminiRequest(
      {
        messages: [
          { role: 'user', content: 'Weather in Paris and Tokyo?' },
          {
            role: 'assistant',
            content: [
              {
                type: 'tool-call',
                id: syntheticToolCallId(0, 'get_weather'),
                name: 'get_weather',
                input: { city: 'Paris' },
              },
              {
                type: 'tool-call',
                id: syntheticToolCallId(1, 'get_weather'),
                name: 'get_weather',
                input: { city: 'Tokyo' },
              },
            ],
          },
          {
            role: 'tool',
            content: [{ type: 'tool-result', toolCallId: 'call_0_get_weather', name: 'get_weather', content: '18°C' }],
          },
          {
            role: 'tool',
            content: [{ type: 'tool-result', toolCallId: 'call_1_get_weather', content: 'failed', isError: true }],
          },
        ],
        tools: [weatherTool],
      },
      { model: 'gemini-2.5-flash' },
    );
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Paris and Tokyo?' }] },
      {
        role: 'model',
        parts: [
          { functionCall: { name: 'get_weather', args: { city: 'Paris' } } },
          { functionCall: { name: 'get_weather', args: { city: 'Tokyo' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { output: '18°C' } } },
          { functionResponse: { name: 'get_weather', response: { error: 'failed' } } },
        ],
      },
    ]);
  });

  it('finds a tool result name from the earlier call when the result does not carry one', () => {
    const body = toGeminiRequest(
      {
        messages: [
          { role: 'user', content: 'Look it up' },
          { role: 'assistant', content: [{ type: 'tool-call', id: 'toolu_01', name: 'lookup', input: { q: 'x' } }] },
          { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'toolu_01', content: 'found' }] },
        ],
      },
      { model: 'gemini-2.5-flash' },
    );
    expect(body.contents[2]?.parts).toEqual([{ functionResponse: { name: 'lookup', response: { output: 'found' } } }]);
    // An id the API did not make up (here from another provider) is passed through.
    expect(body.contents[1]?.parts).toEqual([{ functionCall: { name: 'lookup', args: { q: 'x' }, id: 'toolu_01' } }]);
  });

  it('adds the documented skip-validator thought signature to replayed calls for Gemini 3 models only', () => {
    const request: GenerateRequest = {
      messages: [
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: [{ type: 'tool-call', id: 'call_0_get_weather', name: 'get_weather', input: { city: 'Oslo' } }],
        },
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_0_get_weather', content: '3°C' }] },
      ],
    };
    expect(toGeminiRequest(request, { model: 'gemini-3-pro-preview' }).contents[1]?.parts[0]).toEqual({
      functionCall: { name: 'get_weather', args: { city: 'Oslo' } },
      thoughtSignature: SKIP_THOUGHT_SIGNATURE,
    });
    expect(toGeminiRequest(request, { model: 'gemini-flash-latest' }).contents[1]?.parts[0]).toHaveProperty(
      'thoughtSignature',
    );
    expect(toGeminiRequest(request, { model: 'gemini-2.5-flash' }).contents[1]?.parts[0]).not.toHaveProperty(
      'thoughtSignature',
    );
  });
});

describe('toGeminiRequest: JSON mode', () => {
  it("asks for application/json, with the schema as responseJsonSchema (JSON Schema, not Google's OpenAPI subset)", () => {
    const schema = {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
      additionalProperties: false,
    };
    const ask: GenerateRequest = { messages: [{ role: 'user', content: 'Extract the city' }] };
    expect(
      toGeminiRequest({ ...ask, responseFormat: { type: 'json', schema, name: 'city' } }, { model: 'gemini-2.5-flash' })
        .generationConfig,
    ).toEqual({ responseMimeType: 'application/json', responseJsonSchema: schema });
    expect(
      toGeminiRequest({ ...ask, responseFormat: { type: 'json' } }, { model: 'gemini-2.5-flash' }).generationConfig,
    ).toEqual({ responseMimeType: 'application/json' });
    expect(toGeminiRequest(ask, { model: 'gemini-2.5-flash' }).generationConfig).toBeUndefined();
  });
});
