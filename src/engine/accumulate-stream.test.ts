import { describe, expect, it } from 'vitest';
import { StreamAccumulator } from './accumulate-stream.js';

describe('StreamAccumulator', () => {
  it('joins text deltas and keeps tool calls in order, with the finish event’s reason, usage, model and id', () => {
    const acc = new StreamAccumulator('requested');
    acc.add({ type: 'text-delta', text: 'Hello' });
    acc.add({ type: 'text-delta', text: ', world' });
    acc.add({ type: 'tool-call-start', index: 0, id: 'c1', name: 'lookup' });
    acc.add({ type: 'tool-call-delta', index: 0, argumentsDelta: '{"q":1}' });
    acc.add({ type: 'tool-call', index: 0, id: 'c1', name: 'lookup', input: { q: 1 } });
    acc.add({ type: 'text-delta', text: 'after' });
    expect(acc.finished).toBe(false);
    acc.add({
      type: 'finish',
      finishReason: 'tool-calls',
      rawFinishReason: 'tool_use',
      usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 },
      model: 'claude-x',
      id: 'msg_1',
    });
    expect(acc.finished).toBe(true);
    expect(acc.response()).toEqual({
      model: 'claude-x',
      id: 'msg_1',
      text: 'Hello, worldafter',
      finishReason: 'tool-calls',
      rawFinishReason: 'tool_use',
      usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 },
      content: [
        { type: 'text', text: 'Hello, world' },
        { type: 'tool-call', id: 'c1', name: 'lookup', input: { q: 1 } },
        { type: 'text', text: 'after' },
      ],
    });
  });

  it('names the requested model when the provider did not', () => {
    const acc = new StreamAccumulator('gpt-4o');
    acc.add({ type: 'finish', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 0, totalTokens: 1 } });
    expect(acc.response()).toMatchObject({ model: 'gpt-4o', text: '', content: [] });
  });
});
