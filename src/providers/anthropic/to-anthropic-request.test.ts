import { describe, expect, it } from 'vitest';
import type { GenerateRequest } from '../../model/message.js';
import { JSON_ANSWER_TOOL } from './json-answer-tool.js';
import { toAnthropicRequest } from './to-anthropic-request.js';

describe('toAnthropicRequest', () => {
  it('defaults max_tokens to 4096, or to the endpoint default, and keeps the caller value', () => {
    const request: GenerateRequest = { messages: [{ role: 'user', content: 'Hi' }] };
    expect(toAnthropicRequest('m', request, { stream: false }).max_tokens).toBe(4096);
    expect(toAnthropicRequest('m', request, { stream: false, defaultMaxTokens: 1000 }).max_tokens).toBe(1000);
    expect(
      toAnthropicRequest('m', { ...request, maxOutputTokens: 77 }, { stream: false, defaultMaxTokens: 1000 })
        .max_tokens,
    ).toBe(77);
  });

  it('moves the system prompt and system messages to the top-level system field', () => {
    const body = toAnthropicRequest(
      'm',
      {
        system: 'You are terse.',
        messages: [
          { role: 'system', content: 'Answer in French.' },
          { role: 'user', content: 'Hello' },
          { role: 'system', content: [{ type: 'text', text: 'No emoji.' }] },
        ],
      },
      { stream: false },
    );
    expect(body.system).toBe('You are terse.\n\nAnswer in French.\n\nNo emoji.');
    expect(body.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }]);
  });

  it('translates a tool round trip: tool_use from the assistant, tool_result in a user turn', () => {
    const body = toAnthropicRequest(
      'claude-sonnet-4-5',
      {
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'Checking.' },
              { type: 'tool-call', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
            ],
          },
          { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'toolu_1', content: 'Sunny, 21°C' }] },
          { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'toolu_2', content: 'boom', isError: true }] },
          { role: 'user', content: 'And tomorrow?' },
        ],
        tools: [
          {
            name: 'get_weather',
            description: 'Current weather',
            inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          },
        ],
        toolChoice: 'required',
        temperature: 0.2,
        topP: 0.9,
        stopSequences: ['END'],
      },
      { stream: true },
    );
    expect(body).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      stream: true,
      temperature: 0.2,
      top_p: 0.9,
      stop_sequences: ['END'],
      tools: [
        {
          name: 'get_weather',
          description: 'Current weather',
          input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      ],
      tool_choice: { type: 'any' },
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: 'Sunny, 21°C' },
            { type: 'tool_result', tool_use_id: 'toolu_2', content: 'boom', is_error: true },
            { type: 'text', text: 'And tomorrow?' },
          ],
        },
      ],
    });
  });

  it('merges consecutive turns of one role and puts tool results before text in a user turn', () => {
    const body = toAnthropicRequest(
      'm',
      {
        messages: [
          { role: 'user', content: 'First.' },
          { role: 'user', content: 'Second.' },
          { role: 'assistant', content: [{ type: 'tool-call', id: 't1', name: 'f', input: {} }] },
          { role: 'user', content: 'Here:' },
          { role: 'tool', content: [{ type: 'tool-result', toolCallId: 't1', content: 'ok' }] },
        ],
      },
      { stream: false },
    );
    expect(body.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(body.messages[0]?.content).toEqual([
      { type: 'text', text: 'First.' },
      { type: 'text', text: 'Second.' },
    ]);
    expect(body.messages[2]?.content).toEqual([
      { type: 'tool_result', tool_use_id: 't1', content: 'ok' },
      { type: 'text', text: 'Here:' },
    ]);
  });

  it('drops empty text blocks and empty turns, which the API rejects', () => {
    const body = toAnthropicRequest(
      'm',
      {
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: '' },
          {
            role: 'user',
            content: [
              { type: 'text', text: '' },
              { type: 'text', text: 'Again' },
            ],
          },
        ],
      },
      { stream: false },
    );
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Hi' },
          { type: 'text', text: 'Again' },
        ],
      },
    ]);
  });

  it('maps every tool choice, and sends none without tools', () => {
    const tools = [{ name: 'f', inputSchema: { type: 'object' } }];
    const messages = [{ role: 'user' as const, content: 'x' }];
    expect(toAnthropicRequest('m', { messages, tools, toolChoice: 'auto' }, { stream: false }).tool_choice).toEqual({
      type: 'auto',
    });
    expect(toAnthropicRequest('m', { messages, tools, toolChoice: 'none' }, { stream: false }).tool_choice).toEqual({
      type: 'none',
    });
    expect(
      toAnthropicRequest('m', { messages, tools, toolChoice: { type: 'tool', name: 'f' } }, { stream: false })
        .tool_choice,
    ).toEqual({ type: 'tool', name: 'f' });
    const bare = toAnthropicRequest('m', { messages, toolChoice: 'required' }, { stream: false });
    expect(bare.tool_choice).toBeUndefined();
    expect(bare.tools).toBeUndefined();
    expect(bare.system).toBeUndefined();
    expect(bare.stream).toBeUndefined();
  });
});

describe('toAnthropicRequest: JSON mode as a forced answer tool', () => {
  const ask: GenerateRequest = { messages: [{ role: 'user', content: 'Extract the city' }] };
  const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
  const weather = { name: 'get_weather', inputSchema: { type: 'object', properties: {} } };

  it('adds the answer tool with the schema as its input schema and forces it', () => {
    const body = toAnthropicRequest('m', { ...ask, responseFormat: { type: 'json', schema } }, { stream: false });
    expect(body.tools).toEqual([
      { name: JSON_ANSWER_TOOL, description: expect.any(String) as string, input_schema: schema },
    ]);
    expect(body.tool_choice).toEqual({ type: 'tool', name: JSON_ANSWER_TOOL });
    expect(
      toAnthropicRequest('m', { ...ask, responseFormat: { type: 'json' } }, { stream: false }).tools?.[0]?.input_schema,
    ).toEqual({ type: 'object' });
    expect(toAnthropicRequest('m', ask, { stream: false }).tools).toBeUndefined();
  });

  it("beside the caller's tools: some tool must be called, a named choice is kept, none leaves only the answer tool", () => {
    const both = toAnthropicRequest(
      'm',
      { ...ask, tools: [weather], responseFormat: { type: 'json', schema } },
      { stream: false },
    );
    expect(both.tools?.map((t) => t.name)).toEqual(['get_weather', JSON_ANSWER_TOOL]);
    expect(both.tool_choice).toEqual({ type: 'any' });
    const named = toAnthropicRequest(
      'm',
      { ...ask, tools: [weather], toolChoice: { type: 'tool', name: 'get_weather' }, responseFormat: { type: 'json' } },
      { stream: false },
    );
    expect(named.tool_choice).toEqual({ type: 'tool', name: 'get_weather' });
    const none = toAnthropicRequest(
      'm',
      { ...ask, tools: [weather], toolChoice: 'none', responseFormat: { type: 'json' } },
      { stream: false },
    );
    expect(none.tools?.map((t) => t.name)).toEqual([JSON_ANSWER_TOOL]);
    expect(none.tool_choice).toEqual({ type: 'tool', name: JSON_ANSWER_TOOL });
  });
});
