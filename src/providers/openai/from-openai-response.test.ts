import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chatCompletionSchema } from './openai-api.js';
import { fromOpenAIResponse, mapOpenAIFinishReason, parseToolArguments } from './from-openai-response.js';

function fixture(name: string): ReturnType<typeof chatCompletionSchema.parse> {
  return chatCompletionSchema.parse(
    JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8')),
  );
}

describe('fromOpenAIResponse', () => {
  it('reads text, id, the answering model, finish reason and usage', () => {
    expect(fromOpenAIResponse(fixture('chat-completion-text.json'), 'gpt-4o-mini')).toEqual({
      id: 'chatcmpl-BN0dQ8iP2cWg3Xy7ZkLm4nOp5qRsT',
      model: 'gpt-4o-mini-2024-07-18',
      content: [{ type: 'text', text: 'Hello there!' }],
      text: 'Hello there!',
      finishReason: 'stop',
      rawFinishReason: 'stop',
      usage: { inputTokens: 19, outputTokens: 4, totalTokens: 23 },
    });
  });

  it('reads tool calls with parsed arguments', () => {
    const response = fromOpenAIResponse(fixture('chat-completion-tool-call.json'), 'gpt-4o');
    expect(response.content).toEqual([
      { type: 'tool-call', id: 'call_9qkS2b7xXcJ1v3k8V6bM2pQe', name: 'get_weather', input: { city: 'Paris' } },
    ]);
    expect(response.text).toBe('');
    expect(response.finishReason).toBe('tool-calls');
    expect(response.rawFinishReason).toBe('tool_calls');
  });

  it('maps a cut answer to length', () => {
    expect(fromOpenAIResponse(fixture('chat-completion-length.json'), 'm').finishReason).toBe('length');
  });

  it('turns a refusal into text with finish reason content-filter', () => {
    const response = fromOpenAIResponse(fixture('chat-completion-refusal.json'), 'm');
    expect(response.text).toBe("I'm sorry, I can't help with that.");
    expect(response.finishReason).toBe('content-filter');
    expect(response.rawFinishReason).toBe('stop');
  });

  it('tolerates a vendor without usage, id or model', () => {
    const response = fromOpenAIResponse(
      chatCompletionSchema.parse({ choices: [{ message: { content: 'ok' }, finish_reason: null }] }),
      'llama3',
    );
    expect(response).toEqual({
      model: 'llama3',
      content: [{ type: 'text', text: 'ok' }],
      text: 'ok',
      finishReason: 'stop',
      usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    });
  });

  it('maps every finish reason, keeping unknown ones as other', () => {
    expect(
      ['stop', 'length', 'tool_calls', 'function_call', 'content_filter', 'eos'].map(mapOpenAIFinishReason),
    ).toEqual(['stop', 'length', 'tool-calls', 'tool-calls', 'content-filter', 'other']);
  });

  it('keeps arguments that are not JSON as the raw string, and reads empty ones as {}', () => {
    expect(parseToolArguments('{"a":1}')).toEqual({ a: 1 });
    expect(parseToolArguments('')).toEqual({});
    expect(parseToolArguments('{"a":')).toBe('{"a":');
  });
});
