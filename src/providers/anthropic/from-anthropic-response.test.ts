import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { anthropicMessageSchema } from './anthropic-api.js';
import { anthropicFinishReason, fromAnthropicMessage } from './from-anthropic-response.js';

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8'));
}

function message(name: string): ReturnType<typeof fromAnthropicMessage> {
  return fromAnthropicMessage(anthropicMessageSchema.parse(fixture(name)));
}

describe('fromAnthropicMessage', () => {
  it('reads a recorded text answer: text, id, answering model, usage, end_turn as stop', () => {
    expect(message('message-text.json')).toEqual({
      id: 'msg_011CdvzDZWTGo2WQ1dBtcJgs',
      model: 'claude-haiku-4-5-20251001',
      content: [{ type: 'text', text: 'Hello! How can I help you today?' }],
      text: 'Hello! How can I help you today?',
      finishReason: 'stop',
      rawFinishReason: 'end_turn',
      usage: { inputTokens: 14, outputTokens: 12, totalTokens: 26 },
    });
  });

  it('reads a tool call (skipping thinking blocks) and counts cached input tokens', () => {
    const response = message('message-tool-use.json');
    expect(response.content).toEqual([
      { type: 'text', text: "I'll check the weather in Paris." },
      {
        type: 'tool-call',
        id: 'toolu_01KBzzjoMzuzrhMEeAJVgdh5',
        name: 'get_weather',
        input: { city: 'Paris', unit: 'celsius' },
      },
    ]);
    expect(response.finishReason).toBe('tool-calls');
    expect(response.usage).toEqual({ inputTokens: 562, outputTokens: 61, totalTokens: 623 });
  });

  it('treats a refusal as a content-filter finish, not an error', () => {
    const response = message('message-refusal.json');
    expect(response.finishReason).toBe('content-filter');
    expect(response.rawFinishReason).toBe('refusal');
    expect(response.content).toEqual([]);
  });

  it('rejects a body that is not a message (the adapter turns this into server_error)', () => {
    expect(
      anthropicMessageSchema.safeParse({ id: 'x', type: 'message', role: 'assistant', content: [{ type: 'text' }] })
        .success,
    ).toBe(false);
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool-calls'],
    ['refusal', 'content-filter'],
    ['pause_turn', 'other'],
    ['something_new', 'other'],
  ])('maps stop_reason %s to %s', (raw, expected) => {
    expect(anthropicFinishReason(raw)).toBe(expected);
  });
});
