import { describe, expect, it } from 'vitest';
import type { GenerateRequest } from '../../model/message.js';
import { JSON_OBJECT_HINT, toOpenAIRequest } from './to-openai-request.js';

const openai = { stream: false, maxTokensField: 'max_completion_tokens' } as const;

describe('toOpenAIRequest', () => {
  it('puts the system prompt first as a system message and keeps in-line system messages in place', () => {
    const body = toOpenAIRequest(
      'gpt-4o',
      {
        system: 'Be brief.',
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'system', content: 'Answer in French.' },
          { role: 'user', content: [{ type: 'text', text: 'Bonjour' }] },
        ],
      },
      openai,
    );
    expect(body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
      { role: 'system', content: 'Answer in French.' },
      { role: 'user', content: 'Bonjour' },
    ]);
    expect(body.model).toBe('gpt-4o');
    expect(body.stream).toBeUndefined();
    expect(body.max_completion_tokens).toBeUndefined();
  });

  it('sends tool calls as assistant tool_calls with JSON-string arguments and tool results as role tool', () => {
    const request: GenerateRequest = {
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool-call', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'tool',
          content: [{ type: 'tool-result', toolCallId: 'call_1', name: 'get_weather', content: '{"temp":21}' }],
        },
        { role: 'assistant', content: [{ type: 'tool-call', id: 'call_2', name: 'raw', input: '{"cut' }] },
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_2', content: 'err', isError: true }] },
      ],
      tools: [
        {
          name: 'get_weather',
          description: 'Current weather',
          inputSchema: { type: 'object', properties: { city: { type: 'string' } } },
        },
        { name: 'raw', inputSchema: { type: 'object' } },
      ],
      toolChoice: { type: 'tool', name: 'get_weather' },
    };
    const body = toOpenAIRequest('gpt-4o', request, openai);
    expect(body.messages).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_2', type: 'function', function: { name: 'raw', arguments: '{"cut' } }],
      },
      { role: 'tool', tool_call_id: 'call_2', content: 'err' },
    ]);
    expect(body.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Current weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
      { type: 'function', function: { name: 'raw', parameters: { type: 'object' } } },
    ]);
    expect(body.tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });
  });

  it('passes string tool choices through and drops a tool choice without tools', () => {
    const withTools = toOpenAIRequest(
      'm',
      { messages: [{ role: 'user', content: 'x' }], tools: [{ name: 't', inputSchema: {} }], toolChoice: 'required' },
      openai,
    );
    expect(withTools.tool_choice).toBe('required');
    expect(
      toOpenAIRequest('m', { messages: [{ role: 'user', content: 'x' }], toolChoice: 'none' }, openai).tool_choice,
    ).toBeUndefined();
  });

  it('maps sampling options and the output cap to the field the vendor knows', () => {
    const request: GenerateRequest = {
      messages: [{ role: 'user', content: 'x' }],
      maxOutputTokens: 64,
      temperature: 0.2,
      topP: 0.9,
      stopSequences: ['END'],
    };
    expect(toOpenAIRequest('m', request, openai)).toMatchObject({
      max_completion_tokens: 64,
      temperature: 0.2,
      top_p: 0.9,
      stop: ['END'],
    });
    const compatible = toOpenAIRequest('m', request, { stream: false, maxTokensField: 'max_tokens' });
    expect(compatible.max_tokens).toBe(64);
    expect(compatible.max_completion_tokens).toBeUndefined();
  });

  it('applies the endpoint default cap only when the request has none', () => {
    const options = { ...openai, defaultMaxOutputTokens: 4096 };
    expect(toOpenAIRequest('m', { messages: [{ role: 'user', content: 'x' }] }, options).max_completion_tokens).toBe(
      4096,
    );
    expect(
      toOpenAIRequest('m', { messages: [{ role: 'user', content: 'x' }], maxOutputTokens: 10 }, options)
        .max_completion_tokens,
    ).toBe(10);
  });

  it('asks for streamed usage when streaming', () => {
    const body = toOpenAIRequest('m', { messages: [{ role: 'user', content: 'x' }] }, { ...openai, stream: true });
    expect(body.stream).toBe(true);
    expect(body.stream_options).toEqual({ include_usage: true });
  });
});

describe('toOpenAIRequest: JSON mode', () => {
  const ask: GenerateRequest = { messages: [{ role: 'user', content: 'Extract the city' }] };
  const schema = {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  };

  it('sends json_object without a schema, json_schema (named response unless named) with one, strict passed through', () => {
    expect(toOpenAIRequest('gpt-4o', { ...ask, responseFormat: { type: 'json' } }, openai).response_format).toEqual({
      type: 'json_object',
    });
    expect(
      toOpenAIRequest('gpt-4o', { ...ask, responseFormat: { type: 'json', schema } }, openai).response_format,
    ).toEqual({ type: 'json_schema', json_schema: { name: 'response', schema } });
    expect(
      toOpenAIRequest(
        'gpt-4o',
        { ...ask, responseFormat: { type: 'json', schema, name: 'city', description: 'The city', strict: true } },
        openai,
      ).response_format,
    ).toEqual({ type: 'json_schema', json_schema: { name: 'city', schema, description: 'The city', strict: true } });
    expect(toOpenAIRequest('gpt-4o', ask, openai).response_format).toBeUndefined();
  });
});

describe('toOpenAIRequest: json_object and the word "json"', () => {
  it('adds a system line saying JSON when no message does (OpenAI refuses json_object otherwise), and nothing when one does', () => {
    const plain = toOpenAIRequest(
      'gpt-4o',
      { messages: [{ role: 'user', content: 'Extract the city' }], responseFormat: { type: 'json' } },
      openai,
    );
    expect(plain.messages[0]).toEqual({ role: 'system', content: JSON_OBJECT_HINT });
    const said = toOpenAIRequest(
      'gpt-4o',
      { messages: [{ role: 'user', content: 'Give me JSON' }], responseFormat: { type: 'json' } },
      openai,
    );
    expect(said.messages).toEqual([{ role: 'user', content: 'Give me JSON' }]);
    const schema = { type: 'object', properties: {} };
    expect(
      toOpenAIRequest(
        'gpt-4o',
        { messages: [{ role: 'user', content: 'x' }], responseFormat: { type: 'json', schema } },
        openai,
      ).messages,
    ).toHaveLength(1);
  });
});
