import { describe, expect, it } from 'vitest';
import type { FailsoftStreamEvent, GenerateResult } from '../../engine/results.js';
import { parseChatCompletionRequest, renderChatCompletion, renderChatError, openAiChatDialect } from './openai-chat.js';

const result: GenerateResult = {
  feature: 'summary',
  text: 'Hello.',
  content: [{ type: 'text', text: 'Hello.' }],
  finishReason: 'stop',
  usage: { inputTokens: 5, outputTokens: 2, totalTokens: 7 },
  provider: 'gpt',
  model: 'gpt-4o-mini-2024-07-18',
  source: 'provider',
  degraded: false,
  attempts: [],
};

function frames(events: FailsoftStreamEvent[], includeUsage = false): unknown[] {
  const renderer = openAiChatDialect.streamRenderer({
    feature: 'chat',
    request: { messages: [] },
    stream: true,
    includeUsage,
  });
  const text = events.map((e) => renderer.frames(e)).join('');
  return text
    .split('\n\n')
    .filter((f) => f !== '')
    .map((f) => {
      expect(f.startsWith('data: ')).toBe(true);
      const data = f.slice(6);
      return data === '[DONE]' ? data : (JSON.parse(data) as unknown);
    });
}

describe('OpenAI chat dialect: parsing', () => {
  it('maps system and developer messages to the system prompt, and every sampling field', () => {
    const out = parseChatCompletionRequest({
      model: 'summary',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'No lists.' }] },
        { role: 'user', content: 'Hi' },
      ],
      max_completion_tokens: 50,
      max_tokens: 99,
      temperature: 0.2,
      top_p: 0.9,
      stop: 'END',
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(out).toEqual({
      ok: true,
      call: {
        feature: 'summary',
        stream: true,
        includeUsage: true,
        request: {
          system: 'Be brief.\n\nNo lists.',
          messages: [{ role: 'user', content: 'Hi' }],
          maxOutputTokens: 50,
          temperature: 0.2,
          topP: 0.9,
          stopSequences: ['END'],
        },
      },
    });
  });

  it('maps tools, tool_choice, assistant tool calls and tool results (with the tool name for Gemini)', () => {
    const out = parseChatCompletionRequest({
      model: 'chat',
      max_tokens: 10,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '18C' },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'weather',
            description: 'Weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
          },
        },
      ],
      tool_choice: { type: 'function', function: { name: 'weather' } },
    });
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.call.request).toEqual({
      maxOutputTokens: 10,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: [{ type: 'tool-call', id: 'call_1', name: 'weather', input: { city: 'Paris' } }],
        },
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_1', name: 'weather', content: '18C' }] },
      ],
      tools: [
        {
          name: 'weather',
          description: 'Weather',
          inputSchema: { type: 'object', properties: { city: { type: 'string' } } },
        },
      ],
      toolChoice: { type: 'tool', name: 'weather' },
    });
  });

  it('refuses a bad body naming the field', () => {
    expect(
      parseChatCompletionRequest({ model: 'chat', messages: [{ role: 'user', content: 'x' }], temperature: 3 }),
    ).toMatchObject({ ok: false, failure: { path: 'temperature' } });
    expect(parseChatCompletionRequest({ messages: [{ role: 'user', content: 'x' }] })).toMatchObject({
      ok: false,
      failure: { path: 'model' },
    });
    expect(parseChatCompletionRequest({ model: 'chat', messages: [] })).toMatchObject({
      ok: false,
      failure: { path: 'messages' },
    });
    expect(parseChatCompletionRequest({ model: 'chat', messages: [{ role: 'user', content: 5 }] })).toMatchObject({
      ok: false,
      failure: { path: 'messages[0].content' },
    });
    expect(
      parseChatCompletionRequest({
        model: 'chat',
        messages: [
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{oops' } }],
          },
        ],
      }),
    ).toMatchObject({ ok: false, failure: { path: 'messages[0].tool_calls[0].function.arguments' } });
  });

  it('reads response_format into JSON mode: json_object, json_schema with its name, schema and strict; text is plain', () => {
    const ask = { model: 'chat', messages: [{ role: 'user', content: 'x' }] };
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const requestOf = (body: unknown) => {
      const out = parseChatCompletionRequest(body);
      if (!out.ok) throw new Error(out.failure.message);
      return out.call.request;
    };
    expect(requestOf({ ...ask, response_format: { type: 'json_object' } }).responseFormat).toEqual({ type: 'json' });
    expect(
      requestOf({
        ...ask,
        response_format: { type: 'json_schema', json_schema: { name: 'city', schema, strict: true } },
      }).responseFormat,
    ).toEqual({ type: 'json', name: 'city', schema, strict: true });
    expect(requestOf({ ...ask, response_format: { type: 'text' } }).responseFormat).toBeUndefined();
    expect(parseChatCompletionRequest({ ...ask, response_format: { type: 'yaml' } })).toMatchObject({
      ok: false,
      failure: { path: 'response_format.type' },
    });
    expect(
      parseChatCompletionRequest({ ...ask, response_format: { type: 'json_schema', json_schema: { schema } } }),
    ).toMatchObject({ ok: false, failure: { path: 'response_format.json_schema.name' } });
    expect(
      parseChatCompletionRequest({
        ...ask,
        response_format: { type: 'json_schema', json_schema: { name: 'list', schema: { type: 'array' } } },
      }),
    ).toMatchObject({
      ok: false,
      failure: {
        path: 'response_format.json_schema.schema',
        message: expect.stringContaining('root must be') as string,
      },
    });
  });

  it('refuses fields that would change the answer and that not every provider honours, instead of dropping them', () => {
    const ask = { model: 'chat', messages: [{ role: 'user', content: 'x' }] };
    for (const [field, value] of [
      ['functions', [{ name: 'f' }]],
      ['function_call', 'auto'],
      ['logprobs', true],
      ['top_logprobs', 2],
      ['audio', { voice: 'x' }],
      ['modalities', ['text', 'audio']],
    ] as const) {
      expect(parseChatCompletionRequest({ ...ask, [field]: value })).toMatchObject({
        ok: false,
        failure: { path: field },
      });
    }
    for (const [field, value] of [
      ['logprobs', false],
      ['modalities', ['text']],
      ['seed', 7],
      ['presence_penalty', 0.5],
      ['user', 'u1'],
      ['parallel_tool_calls', false],
    ] as const) {
      expect(parseChatCompletionRequest({ ...ask, [field]: value })).toMatchObject({ ok: true });
    }
  });
});

describe('OpenAI chat dialect: rendering', () => {
  it('renders a chat.completion whose model is the model that answered', () => {
    expect(renderChatCompletion(result)).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o-mini-2024-07-18',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello.' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
    });
  });

  it('names the feature as the model of a fallback answer, and renders tool calls', () => {
    expect(
      renderChatCompletion({ ...result, provider: undefined, model: undefined, source: 'fallback' }),
    ).toMatchObject({ model: 'summary' });
    const withTool = renderChatCompletion({
      ...result,
      text: '',
      content: [{ type: 'tool-call', id: 'c1', name: 'f', input: { a: 1 } }],
      finishReason: 'tool-calls',
    });
    expect(withTool).toMatchObject({
      choices: [
        {
          message: {
            content: null,
            tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
          },
          finish_reason: 'tool_calls',
        },
      ],
    });
  });

  it('streams chunks, a usage chunk when asked, then [DONE]', () => {
    const out = frames(
      [
        {
          type: 'start',
          feature: 'chat',
          provider: 'gpt',
          model: 'gpt-4o',
          source: 'provider',
          degraded: false,
          attempts: [],
        },
        { type: 'text-delta', text: 'Hel' },
        { type: 'text-delta', text: 'lo' },
        { type: 'finish', finishReason: 'stop', usage: { inputTokens: 3, outputTokens: 2, totalTokens: 5 } },
      ],
      true,
    );
    expect(out).toMatchObject([
      { object: 'chat.completion.chunk', model: 'gpt-4o', choices: [{ delta: { role: 'assistant' } }] },
      { choices: [{ delta: { content: 'Hel' }, finish_reason: null }] },
      { choices: [{ delta: { content: 'lo' } }] },
      { choices: [{ delta: {}, finish_reason: 'stop' }] },
      { choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } },
      '[DONE]',
    ]);
  });

  it('streams a tool call that arrives whole, and an in-stream error as an error frame', () => {
    const out = frames([
      {
        type: 'start',
        feature: 'chat',
        provider: 'gpt',
        model: 'gpt-4o',
        source: 'provider',
        degraded: false,
        attempts: [],
      },
      { type: 'tool-call', index: 0, id: 'c1', name: 'f', input: { a: 1 } },
      { type: 'error', error: { name: 'OverloadedError', message: 'gone', retryable: true, class: 'overloaded' } },
    ]);
    expect(out[1]).toMatchObject({
      choices: [{ delta: { tool_calls: [{ index: 0, id: 'c1', function: { name: 'f', arguments: '{"a":1}' } }] } }],
    });
    expect(out[2]).toEqual({ error: { message: 'gone', type: 'server_error', param: null, code: 'overloaded' } });
  });

  it('renders errors in OpenAI shape with the right status', () => {
    expect(renderChatError('invalid_request', 'temperature: too big', 'temperature')).toEqual({
      status: 400,
      body: {
        error: { message: 'temperature: too big', type: 'invalid_request_error', param: 'temperature', code: null },
      },
    });
    expect(renderChatError('not_found', 'x').status).toBe(404);
    expect(renderChatError('too_large', 'x').status).toBe(413);
    expect(renderChatError('unavailable', 'x').status).toBe(503);
  });
});
