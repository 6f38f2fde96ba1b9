import { describe, expect, it } from 'vitest';
import type { FailsoftStreamEvent, GenerateResult } from '../../engine/results.js';
import {
  anthropicMessagesDialect,
  parseMessagesRequest,
  renderMessage,
  renderMessagesError,
} from './anthropic-messages.js';

const result: GenerateResult = {
  feature: 'chat',
  text: 'Hi.',
  content: [{ type: 'text', text: 'Hi.' }],
  finishReason: 'length',
  usage: { inputTokens: 4, outputTokens: 1, totalTokens: 5 },
  provider: 'gemini',
  model: 'gemini-2.5-flash',
  source: 'provider',
  degraded: true,
  attempts: [],
};

function events(list: FailsoftStreamEvent[]): { event: string; data: Record<string, unknown> }[] {
  const renderer = anthropicMessagesDialect.streamRenderer({
    feature: 'chat',
    request: { messages: [] },
    stream: true,
    includeUsage: false,
  });
  return list
    .map((e) => renderer.frames(e))
    .join('')
    .split('\n\n')
    .filter((f) => f !== '')
    .map((f) => {
      const [eventLine, dataLine] = f.split('\n');
      return {
        event: (eventLine ?? '').replace('event: ', ''),
        data: JSON.parse((dataLine ?? '').replace('data: ', '')) as Record<string, unknown>,
      };
    });
}

const start: FailsoftStreamEvent = {
  type: 'start',
  feature: 'chat',
  provider: 'claude',
  model: 'claude-sonnet-4-5',
  source: 'provider',
  degraded: false,
  attempts: [],
};

describe('Anthropic messages dialect: parsing', () => {
  it('maps system, sampling fields, tools and tool_choice', () => {
    const out = parseMessagesRequest({
      model: 'chat',
      max_tokens: 64,
      system: [{ type: 'text', text: 'Be brief.' }],
      temperature: 0.5,
      top_p: 0.8,
      stop_sequences: ['X'],
      messages: [{ role: 'user', content: 'Hi' }],
      tools: [{ name: 'weather', description: 'Weather', input_schema: { type: 'object' } }],
      tool_choice: { type: 'any' },
      stream: true,
    });
    expect(out).toEqual({
      ok: true,
      call: {
        feature: 'chat',
        stream: true,
        includeUsage: false,
        request: {
          system: 'Be brief.',
          maxOutputTokens: 64,
          temperature: 0.5,
          topP: 0.8,
          stopSequences: ['X'],
          messages: [{ role: 'user', content: 'Hi' }],
          tools: [{ name: 'weather', description: 'Weather', inputSchema: { type: 'object' } }],
          toolChoice: 'required',
        },
      },
    });
  });

  it('turns tool_use into tool calls and tool_result blocks into a tool message', () => {
    const out = parseMessagesRequest({
      model: 'chat',
      max_tokens: 64,
      messages: [
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'tu_1', name: 'weather', input: { city: 'Oslo' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'tu_1', content: [{ type: 'text', text: '3C' }] },
            { type: 'text', text: 'And tomorrow?' },
          ],
        },
      ],
    });
    expect(out.ok && out.call.request.messages).toEqual([
      { role: 'user', content: 'Weather?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool-call', id: 'tu_1', name: 'weather', input: { city: 'Oslo' } },
        ],
      },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'tu_1', name: 'weather', content: '3C' }] },
      { role: 'user', content: [{ type: 'text', text: 'And tomorrow?' }] },
    ]);
  });

  it('refuses a bad body naming the field', () => {
    expect(parseMessagesRequest({ model: 'chat', messages: [{ role: 'user', content: 'x' }] })).toMatchObject({
      ok: false,
      failure: { path: 'max_tokens' },
    });
    expect(
      parseMessagesRequest({ model: 'chat', max_tokens: 5, messages: [{ role: 'system', content: 'x' }] }),
    ).toMatchObject({ ok: false, failure: { path: 'messages[0].role' } });
    expect(
      parseMessagesRequest({
        model: 'chat',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'x' }],
        temperature: 1.5,
      }),
    ).toMatchObject({ ok: false, failure: { path: 'temperature' } });
  });

  it('reads structured outputs (output_config.format json_schema) into JSON mode, and refuses a non-object root', () => {
    const ask = { model: 'chat', max_tokens: 50, messages: [{ role: 'user', content: 'x' }] };
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const out = parseMessagesRequest({
      ...ask,
      output_config: { format: { type: 'json_schema', schema }, effort: 'low' },
    });
    expect(out.ok && out.call.request.responseFormat).toEqual({ type: 'json', schema });
    const plain = parseMessagesRequest({ ...ask, output_config: { effort: 'high' } });
    expect(plain.ok && plain.call.request.responseFormat).toBeUndefined();
    expect(
      parseMessagesRequest({ ...ask, output_config: { format: { type: 'json_schema', schema: { type: 'array' } } } }),
    ).toMatchObject({ ok: false, failure: { path: 'output_config.format.schema' } });
  });
});

describe('Anthropic messages dialect: rendering', () => {
  it('renders a message whose model is the model that answered', () => {
    expect(renderMessage(result)).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'gemini-2.5-flash',
      content: [{ type: 'text', text: 'Hi.' }],
      stop_reason: 'max_tokens',
      usage: { input_tokens: 4, output_tokens: 1 },
    });
    expect(renderMessage({ ...result, model: undefined, provider: undefined, source: 'fallback' })).toMatchObject({
      model: 'chat',
    });
  });

  it('streams message_start, one block per content kind, message_delta and message_stop', () => {
    const out = events([
      start,
      { type: 'text-delta', text: 'A' },
      { type: 'text-delta', text: 'B' },
      { type: 'tool-call-start', index: 0, id: 'tu_1', name: 'f' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"a":' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '1}' },
      { type: 'tool-call', index: 0, id: 'tu_1', name: 'f', input: { a: 1 } },
      { type: 'finish', finishReason: 'tool-calls', usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 } },
    ]);
    expect(out.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(out[0]?.data).toMatchObject({ message: { model: 'claude-sonnet-4-5', role: 'assistant' } });
    expect(out[5]?.data).toMatchObject({ index: 1, content_block: { type: 'tool_use', id: 'tu_1', name: 'f' } });
    expect(out[9]?.data).toMatchObject({ delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 4 } });
  });

  it('ends a failed stream with a named error event', () => {
    const out = events([
      start,
      { type: 'text-delta', text: 'A' },
      { type: 'error', error: { name: 'OverloadedError', message: 'gone', retryable: true, class: 'overloaded' } },
    ]);
    expect(out.at(-1)).toEqual({
      event: 'error',
      data: { type: 'error', error: { type: 'overloaded_error', message: 'gone' } },
    });
  });

  it('renders errors in Anthropic shape: unavailable is 503 overloaded_error', () => {
    expect(renderMessagesError('unavailable', 'chat is unavailable')).toEqual({
      status: 503,
      body: { type: 'error', error: { type: 'overloaded_error', message: 'chat is unavailable' } },
    });
    expect(renderMessagesError('invalid_request', 'bad', 'max_tokens')).toEqual({
      status: 400,
      body: { type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: bad' } },
    });
    expect(renderMessagesError('not_found', 'x').status).toBe(404);
    expect(renderMessagesError('too_large', 'x')).toMatchObject({
      status: 413,
      body: { error: { type: 'request_too_large' } },
    });
  });
});
