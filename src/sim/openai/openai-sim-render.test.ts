import { describe, expect, it } from 'vitest';
import type { SimAnswer, SimParsedRequest } from '../sim-protocol.js';
import { openaiSimProtocol } from './index.js';

const request: SimParsedRequest = {
  model: 'gpt-4o-mini',
  stream: true,
  inputTokens: 12,
  maxOutputTokens: 4096,
  includeUsage: true,
  lastUserText: 'hi',
  lastIsToolResult: false,
  tools: [],
  toolChoice: 'auto',
};

const textAnswer: SimAnswer = {
  id: 'abc123',
  model: 'gpt-4o-mini',
  created: 1_700_000_000,
  textChunks: ['Hello', ' there'],
  text: 'Hello there',
  inputTokens: 12,
  outputTokens: 3,
  stop: 'end',
};

const toolAnswer: SimAnswer = {
  id: 'abc124',
  model: 'gpt-4o-mini',
  created: 1_700_000_000,
  textChunks: [],
  text: '',
  toolCall: { id: 'xyz', name: 'get_weather', input: { city: 'Paris', unit: 'celsius' } },
  inputTokens: 20,
  outputTokens: 9,
  stop: 'tool_use',
};

function frameData(frame: string): unknown {
  expect(frame.startsWith('data: ')).toBe(true);
  expect(frame.endsWith('\n\n')).toBe(true);
  return JSON.parse(frame.slice('data: '.length));
}

describe('openai sim answers', () => {
  it('renders a chat.completion with usage, fingerprint and a null refusal, merging rate-limit headers', () => {
    const reply = openaiSimProtocol.renderAnswer(textAnswer, { 'x-ratelimit-limit-requests': '60' });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.headers['x-ratelimit-limit-requests']).toBe('60');
    expect(reply.headers['x-request-id']).toMatch(/^req_[0-9a-f]{32}$/);
    const body = JSON.parse(reply.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      id: 'chatcmpl-abc123',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'gpt-4o-mini',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hello there', refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
    });
    expect(body['system_fingerprint']).toMatch(/^fp_[0-9a-f]{10}$/);
  });

  it('renders a tool call with null content, a call_ id, JSON-string arguments and finish_reason tool_calls', () => {
    const body = JSON.parse(openaiSimProtocol.renderAnswer(toolAnswer, {}).body) as {
      choices: Array<Record<string, unknown>>;
    };
    expect(body.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: {
        content: null,
        tool_calls: [
          {
            id: 'call_xyz',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' },
          },
        ],
      },
    });
  });

  it('maps a cut answer to finish_reason length', () => {
    const body = JSON.parse(openaiSimProtocol.renderAnswer({ ...textAnswer, stop: 'max_tokens' }, {}).body) as {
      choices: Array<{ finish_reason: string }>;
    };
    expect(body.choices[0]?.finish_reason).toBe('length');
  });

  it('lists models as an OpenAI list object', () => {
    const reply = openaiSimProtocol.listModels(['gpt-4o', 'gpt-4o-mini']);
    expect(JSON.parse(reply.body)).toEqual({
      object: 'list',
      data: [
        { id: 'gpt-4o', object: 'model', created: expect.any(Number), owned_by: 'system' },
        { id: 'gpt-4o-mini', object: 'model', created: expect.any(Number), owned_by: 'system' },
      ],
    });
  });
});

describe('openai sim streams', () => {
  it('streams a role chunk, content deltas, a finish chunk, a usage chunk and [DONE], with no event names', () => {
    const frames = openaiSimProtocol.renderStream(textAnswer, request);
    const all = [...frames.head, ...frames.deltas, ...frames.tail];
    expect(all.some((frame) => frame.includes('event:'))).toBe(false);
    expect(all[all.length - 1]).toBe('data: [DONE]\n\n');
    const chunks = all.slice(0, -1).map(frameData) as Array<Record<string, unknown>>;
    for (const chunk of chunks)
      expect(chunk).toMatchObject({ id: 'chatcmpl-abc123', object: 'chat.completion.chunk', model: 'gpt-4o-mini' });
    expect(chunks.map((chunk) => chunk['choices'])).toEqual([
      [{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }],
      [{ index: 0, delta: { content: 'Hello' }, logprobs: null, finish_reason: null }],
      [{ index: 0, delta: { content: ' there' }, logprobs: null, finish_reason: null }],
      [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }],
      [],
    ]);
    expect(chunks.slice(0, -1).every((chunk) => chunk['usage'] === null)).toBe(true);
    expect(chunks[chunks.length - 1]?.['usage']).toMatchObject({
      prompt_tokens: 12,
      completion_tokens: 3,
      total_tokens: 15,
    });
  });

  it('sends no usage at all without include_usage', () => {
    const frames = openaiSimProtocol.renderStream(textAnswer, { ...request, includeUsage: false });
    const all = [...frames.head, ...frames.deltas, ...frames.tail];
    expect(all).toHaveLength(5);
    expect(all.join('')).not.toContain('usage');
  });

  it('streams a tool call as an id/name delta then argument pieces that join to the JSON input', () => {
    const frames = openaiSimProtocol.renderStream(toolAnswer, request);
    const deltas = frames.deltas.map(frameData) as Array<{
      choices: Array<{ delta: { tool_calls: Array<Record<string, unknown>> } }>;
    }>;
    const calls = deltas.map((chunk) => chunk.choices[0]?.delta.tool_calls[0]);
    expect(calls[0]).toEqual({
      index: 0,
      id: 'call_xyz',
      type: 'function',
      function: { name: 'get_weather', arguments: '' },
    });
    const args = calls
      .slice(1)
      .map((call) => (call?.['function'] as { arguments: string } | undefined)?.arguments ?? '')
      .join('');
    expect(JSON.parse(args)).toEqual({ city: 'Paris', unit: 'celsius' });
    expect(calls.slice(1).every((call) => call?.['index'] === 0 && call['id'] === undefined)).toBe(true);
    const finish = frameData(frames.tail[0] ?? '') as { choices: Array<{ finish_reason: string }> };
    expect(finish.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('opens streams as text/event-stream with a request id', () => {
    const headers = openaiSimProtocol.streamHeaders();
    expect(headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(headers['x-request-id']).toMatch(/^req_/);
  });

  it('renders the in-stream error as a data frame with a top-level error', () => {
    const frame = openaiSimProtocol.renderStreamError('gpt-4o');
    expect(frameData(frame)).toEqual({
      error: {
        message: 'The server had an error while processing your request. Sorry about that!',
        type: 'server_error',
        param: null,
        code: null,
      },
    });
  });
});
