import { describe, expect, it } from 'vitest';
import type { ProviderResponse } from '../../model/response.js';
import type { StreamEvent } from '../../model/stream-event.js';
import { JSON_ANSWER_TOOL, jsonAnswerEvents, jsonAnswerResponse } from './json-answer-tool.js';

const usage = { inputTokens: 10, outputTokens: 5, totalTokens: 15 };

function response(
  content: ProviderResponse['content'],
  finishReason: ProviderResponse['finishReason'] = 'tool-calls',
): ProviderResponse {
  return { id: 'msg_1', model: 'claude', content, text: '', finishReason, usage };
}

async function collect(events: StreamEvent[]): Promise<StreamEvent[]> {
  async function* source(): AsyncGenerator<StreamEvent> {
    yield* events;
  }
  const out: StreamEvent[] = [];
  for await (const event of jsonAnswerEvents(source())) out.push(event);
  return out;
}

describe('jsonAnswerResponse', () => {
  it("turns the answer tool's input into the text and finishes as stop", () => {
    const r = jsonAnswerResponse(
      response([{ type: 'tool-call', id: 't1', name: JSON_ANSWER_TOOL, input: { city: 'Paris', n: 1 } }]),
    );
    expect(r.text).toBe('{"city":"Paris","n":1}');
    expect(r.content).toEqual([{ type: 'text', text: '{"city":"Paris","n":1}' }]);
    expect(r.finishReason).toBe('stop');
  });

  it('drops prose beside the answer and a second call of the answer tool, so the text stays one JSON value', () => {
    const r = jsonAnswerResponse(
      response([
        { type: 'text', text: 'Here is the JSON:' },
        { type: 'tool-call', id: 't1', name: JSON_ANSWER_TOOL, input: { city: 'Paris' } },
        { type: 'tool-call', id: 't2', name: JSON_ANSWER_TOOL, input: { city: 'Lyon' } },
      ]),
    );
    expect(r.text).toBe('{"city":"Paris"}');
    expect(r.content).toEqual([{ type: 'text', text: '{"city":"Paris"}' }]);
  });

  it("leaves the caller's own tool calls (and their finish reason) alone", () => {
    const own = response([{ type: 'tool-call', id: 't1', name: 'get_weather', input: { city: 'Paris' } }]);
    expect(jsonAnswerResponse(own)).toBe(own);
    const mixed = jsonAnswerResponse(
      response([
        { type: 'tool-call', id: 't1', name: 'get_weather', input: {} },
        { type: 'tool-call', id: 't2', name: JSON_ANSWER_TOOL, input: { a: true } },
      ]),
    );
    expect(mixed.finishReason).toBe('tool-calls');
    expect(mixed.content.map((p) => p.type)).toEqual(['tool-call', 'text']);
  });
});

describe('jsonAnswerEvents', () => {
  it("streams the answer tool's argument pieces as text deltas, drops its start and end, finishes as stop", async () => {
    const out = await collect([
      { type: 'tool-call-start', index: 0, id: 't1', name: JSON_ANSWER_TOOL },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"city":' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: ' "Paris"}' },
      { type: 'tool-call', index: 0, id: 't1', name: JSON_ANSWER_TOOL, input: { city: 'Paris' } },
      { type: 'finish', finishReason: 'tool-calls', usage },
    ]);
    expect(out).toEqual([
      { type: 'text-delta', text: '{"city":' },
      { type: 'text-delta', text: ' "Paris"}' },
      { type: 'finish', finishReason: 'stop', usage },
    ]);
  });

  it('streams only the first answer when the tool is called twice', async () => {
    const out = await collect([
      { type: 'tool-call-start', index: 0, id: 't1', name: JSON_ANSWER_TOOL },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"a":1}' },
      { type: 'tool-call', index: 0, id: 't1', name: JSON_ANSWER_TOOL, input: { a: 1 } },
      { type: 'tool-call-start', index: 1, id: 't2', name: JSON_ANSWER_TOOL },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{"a":2}' },
      { type: 'tool-call', index: 1, id: 't2', name: JSON_ANSWER_TOOL, input: { a: 2 } },
      { type: 'finish', finishReason: 'tool-calls', usage },
    ]);
    expect(out).toEqual([
      { type: 'text-delta', text: '{"a":1}' },
      { type: 'finish', finishReason: 'stop', usage },
    ]);
  });

  it("sends the input whole when no pieces came, and passes the caller's own tool calls through", async () => {
    const out = await collect([
      { type: 'tool-call-start', index: 0, id: 't1', name: JSON_ANSWER_TOOL },
      { type: 'tool-call', index: 0, id: 't1', name: JSON_ANSWER_TOOL, input: {} },
      { type: 'tool-call-start', index: 1, id: 't2', name: 'get_weather' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{}' },
      { type: 'tool-call', index: 1, id: 't2', name: 'get_weather', input: {} },
      { type: 'finish', finishReason: 'tool-calls', usage },
    ]);
    expect(out.map((e) => e.type)).toEqual(['text-delta', 'tool-call-start', 'tool-call-delta', 'tool-call', 'finish']);
    expect(out[0]).toEqual({ type: 'text-delta', text: '{}' });
    expect(out.at(-1)).toMatchObject({ finishReason: 'tool-calls' });
  });
});
