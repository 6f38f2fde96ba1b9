import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ErrorClass } from '../../model/errors.js';
import { ProviderError } from '../../model/errors.js';
import type { GenerateRequest } from '../../model/message.js';
import type { StreamEvent } from '../../model/stream-event.js';
import { startSimulator, type FaultRule, type RunningSimulator } from '../../sim/start-simulator.js';
import type { ProviderAdapter } from '../provider-adapter.js';
import { createOpenAIAdapter } from './openai-adapter.js';

const KEY = 'sk-sim-adapter-key-000000';
let sim: RunningSimulator;
let adapter: ProviderAdapter;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, apiKeys: { openai: KEY } });
  adapter = createOpenAIAdapter({ name: 'gpt', type: 'openai', baseUrl: sim.urlFor('openai'), apiKey: KEY });
});

afterAll(async () => {
  await adapter.close();
  await sim.close();
});

beforeEach(() => {
  sim.clearFaults();
  sim.clearLimits();
});

const hello: GenerateRequest = { system: 'Be brief.', messages: [{ role: 'user', content: 'Hello there' }] };
const withTool: GenerateRequest = {
  messages: [{ role: 'user', content: 'Weather in Paris?' }],
  tools: [
    {
      name: 'get_weather',
      description: 'Weather',
      inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  ],
  toolChoice: 'required',
};

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    if (ProviderError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

async function drain(events: AsyncIterable<StreamEvent>): Promise<{ events: StreamEvent[]; error?: ProviderError }> {
  const seen: StreamEvent[] = [];
  try {
    for await (const event of events) seen.push(event);
    return { events: seen };
  } catch (error) {
    if (!ProviderError.isInstance(error)) throw error;
    return { events: seen, error };
  }
}

describe('OpenAI adapter against the simulator: answers', () => {
  it('generates text with usage, the answering model and the id', async () => {
    const { response, status } = await adapter.generate('gpt-4o-mini', hello);
    expect(status).toBe(200);
    expect(response.text).toBe('Simulated reply from openai (gpt-4o-mini): Hello there');
    expect(response.content).toEqual([{ type: 'text', text: response.text }]);
    expect(response).toMatchObject({ model: 'gpt-4o-mini', finishReason: 'stop', rawFinishReason: 'stop' });
    expect(response.id).toMatch(/^chatcmpl-/);
    expect(response.usage.inputTokens).toBeGreaterThan(0);
    expect(response.usage.totalTokens).toBe(response.usage.inputTokens + response.usage.outputTokens);
  });

  it('generates a tool call, and the answer to its result', async () => {
    const { response } = await adapter.generate('gpt-4o', withTool);
    expect(response.finishReason).toBe('tool-calls');
    const call = response.content[0];
    expect(call).toMatchObject({ type: 'tool-call', name: 'get_weather', input: { city: 'Weather in Paris?' } });
    if (call?.type !== 'tool-call') throw new Error('expected a tool call');
    const followUp = await adapter.generate('gpt-4o', {
      ...withTool,
      toolChoice: 'auto',
      messages: [
        ...withTool.messages,
        { role: 'assistant', content: [call] },
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: call.id, content: '21°C' }] },
      ],
    });
    expect(followUp.response.text).toBe('Tool result received.');
  });

  it('maps a cut answer to length', async () => {
    const { response } = await adapter.generate('gpt-4o-mini', { ...hello, maxOutputTokens: 2 });
    expect(response.finishReason).toBe('length');
    expect(response.text).toHaveLength(8);
  });

  it('streams text deltas and one finish with usage', async () => {
    const stream = await adapter.stream('gpt-4o-mini', hello);
    const { events, error } = await drain(stream.events);
    expect(error).toBeUndefined();
    const text = events.map((e) => (e.type === 'text-delta' ? e.text : '')).join('');
    expect(text).toBe('Simulated reply from openai (gpt-4o-mini): Hello there');
    expect(events.filter((e) => e.type === 'text-delta').length).toBeGreaterThan(1);
    const finish = events[events.length - 1];
    expect(finish).toMatchObject({ type: 'finish', finishReason: 'stop', model: 'gpt-4o-mini' });
    if (finish?.type !== 'finish') throw new Error('expected finish');
    expect(finish.usage.outputTokens).toBeGreaterThan(0);
    expect(events.filter((e) => e.type === 'finish')).toHaveLength(1);
  });

  it('streams a tool call: start, argument deltas, the parsed call, finish tool-calls', async () => {
    const stream = await adapter.stream('gpt-4o', withTool);
    const { events } = await drain(stream.events);
    expect(events[0]).toMatchObject({ type: 'tool-call-start', index: 0, name: 'get_weather' });
    const args = events.map((e) => (e.type === 'tool-call-delta' ? e.argumentsDelta : '')).join('');
    expect(JSON.parse(args)).toEqual({ city: 'Weather in Paris?' });
    expect(events.find((e) => e.type === 'tool-call')).toMatchObject({ input: { city: 'Weather in Paris?' } });
    expect(events[events.length - 1]).toMatchObject({ type: 'finish', finishReason: 'tool-calls' });
  });
});

describe('OpenAI adapter against the simulator: every fault kind is classified', () => {
  const cases: Array<[FaultRule['kind'], ErrorClass, number]> = [
    ['overloaded', 'overloaded', 503],
    ['rate_limited', 'rate_limited', 429],
    ['quota_exhausted', 'quota_exhausted', 429],
    ['server_error', 'server_error', 500],
    ['auth', 'auth', 401],
    ['bad_request', 'bad_request', 400],
    ['context_length', 'context_length', 400],
  ];
  it.each(cases)('%s → %s', async (kind, cls, status) => {
    sim.setFaults({ openai: [{ kind, count: 1 }] });
    const error = await failure(adapter.generate('gpt-4o-mini', hello));
    expect(error).toMatchObject({ class: cls, status, provider: 'gpt', model: 'gpt-4o-mini', inStream: false });
    expect(error.message.startsWith(`openai 'gpt': ${status}`)).toBe(true);
  });

  it('the same faults reject a stream before any event', async () => {
    sim.setFaults({ openai: [{ kind: 'overloaded', count: 1 }] });
    expect(await failure(adapter.stream('gpt-4o-mini', hello))).toMatchObject({ class: 'overloaded', inStream: false });
  });

  it('rate_limited carries the server delay; without one there is none', async () => {
    sim.setFaults({ openai: [{ kind: 'rate_limited', count: 1, retryAfterS: 2 }] });
    expect((await failure(adapter.generate('gpt-4o-mini', hello))).retryAfterMs).toBe(2000);
    sim.setFaults({ openai: [{ kind: 'rate_limited', count: 1 }] });
    expect((await failure(adapter.generate('gpt-4o-mini', hello))).retryAfterMs).toBeUndefined();
  });

  it('quota_exhausted carries no delay', async () => {
    sim.setFaults({ openai: [{ kind: 'quota_exhausted', count: 1, retryAfterS: 30 }] });
    expect((await failure(adapter.generate('gpt-4o-mini', hello))).retryAfterMs).toBeUndefined();
  });

  it('timeout → timeout when headers do not arrive in time', async () => {
    sim.setFaults({ openai: [{ kind: 'timeout', count: 1 }] });
    expect(await failure(adapter.generate('gpt-4o-mini', hello, { headersTimeoutMs: 200 }))).toMatchObject({
      class: 'timeout',
    });
  });

  it('reset → network', async () => {
    sim.setFaults({ openai: [{ kind: 'reset', count: 1 }] });
    expect(await failure(adapter.generate('gpt-4o-mini', hello))).toMatchObject({ class: 'network' });
  });

  it('mid_stream_error → server_error thrown in-stream after the first deltas', async () => {
    sim.setFaults({ openai: [{ kind: 'mid_stream_error', count: 1, afterChunks: 2 }] });
    const stream = await adapter.stream('gpt-4o-mini', hello);
    const { events, error } = await drain(stream.events);
    expect(events.map((e) => e.type)).toEqual(['text-delta', 'text-delta']);
    expect(error).toMatchObject({ class: 'server_error', inStream: true });
  });

  it('truncated_stream → network "stream ended without its terminator"', async () => {
    sim.setFaults({ openai: [{ kind: 'truncated_stream', count: 1, afterChunks: 1 }] });
    const stream = await adapter.stream('gpt-4o-mini', hello);
    const { events, error } = await drain(stream.events);
    expect(events.map((e) => e.type)).toEqual(['text-delta']);
    expect(error).toMatchObject({ class: 'network', inStream: true });
    expect(error?.message).toContain('stream ended without its terminator');
  });

  it('an aborted attempt rejects with the signal reason', async () => {
    sim.setFaults({ openai: [{ kind: 'timeout', count: 1 }] });
    const controller = new AbortController();
    const reason = new Error('caller left');
    const attempt = adapter.generate('gpt-4o-mini', hello, { signal: controller.signal });
    controller.abort(reason);
    await expect(attempt).rejects.toBe(reason);
  });
});

describe('OpenAI adapter against the simulator: limits and keys', () => {
  it('reads the rate-limit snapshot on success, and the over-limit 429 as rate_limited with a delay', async () => {
    sim.setLimits({ openai: { rpm: 2, tpm: 50_000 } });
    const ok = await adapter.generate('gpt-4o-mini', hello);
    expect(ok.rateLimit?.requests).toMatchObject({ limit: 2, remaining: 1 });
    expect(ok.rateLimit?.tokens?.limit).toBe(50_000);
    expect(ok.rateLimit?.tokens?.remaining).toBeLessThan(50_000);
    const streamed = await adapter.stream('gpt-4o-mini', hello);
    expect(streamed.rateLimit?.requests?.remaining).toBe(0);
    await drain(streamed.events);
    const error = await failure(adapter.generate('gpt-4o-mini', hello));
    expect(error).toMatchObject({ class: 'rate_limited', status: 429, code: 'rate_limit_exceeded' });
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(error.rateLimit?.requests?.remaining).toBe(0);
  });

  it('a wrong key is auth, and the key never appears in the message', async () => {
    const wrongKey = 'sk-wrong-adapter-key-123456';
    const wrong = createOpenAIAdapter({ name: 'gpt', type: 'openai', baseUrl: sim.urlFor('openai'), apiKey: wrongKey });
    const error = await failure(wrong.generate('gpt-4o-mini', hello));
    await wrong.close();
    expect(error).toMatchObject({ class: 'auth', status: 401, code: 'invalid_api_key' });
    expect(error.message).not.toContain(wrongKey);
  });

  it('an unknown route is not_found, and the message names the URL called and the likely cause (the baseUrl)', async () => {
    const lost = createOpenAIAdapter({ name: 'gpt', type: 'openai', baseUrl: `${sim.url}/openai/v2`, apiKey: KEY });
    const error = await failure(lost.generate('gpt-4o-mini', hello));
    await lost.close();
    expect(error).toMatchObject({ class: 'not_found', status: 404 });
    expect(error.message).toContain(
      `(POST ${sim.url}/openai/v2/chat/completions: path not found; check the provider's baseUrl`,
    );
  });

  it('a base URL without /v1 (the usual mistake) is named the same way, streamed or not', async () => {
    const bare = createOpenAIAdapter({ name: 'gpt', type: 'openai', baseUrl: `${sim.url}/openai`, apiKey: KEY });
    const error = await failure(bare.stream('gpt-4o-mini', hello));
    await bare.close();
    expect(error).toMatchObject({ class: 'not_found', status: 404 });
    expect(error.message).toContain(
      `POST ${sim.url}/openai/chat/completions: path not found; check the provider's baseUrl, which for OpenAI ends in /v1`,
    );
  });
});
