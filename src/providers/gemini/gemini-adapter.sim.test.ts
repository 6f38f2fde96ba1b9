import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError, type ErrorClass } from '../../model/errors.js';
import type { GenerateRequest } from '../../model/message.js';
import type { StreamEvent } from '../../model/stream-event.js';
import { startSimulator, type RunningSimulator } from '../../sim/start-simulator.js';
import type { ProviderAdapter } from '../provider-adapter.js';
import { createGeminiAdapter } from './gemini-adapter.js';

/** The Gemini adapter against the simulator's Gemini protocol: the two sides of one wire format. */

const KEY = 'AIza-adapter-sim-key';
const MODEL = 'gemini-2.5-flash';
let sim: RunningSimulator;
let adapter: ProviderAdapter;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, chunkDelayMs: 2, apiKeys: { gemini: KEY } });
  adapter = createGeminiAdapter({ name: 'gemini-main', type: 'gemini', baseUrl: sim.urlFor('gemini'), apiKey: KEY });
});

afterAll(async () => {
  await adapter.close();
  await sim.close();
});

afterEach(() => {
  sim.clearFaults();
  sim.clearLimits();
});

const hello: GenerateRequest = { system: 'Be brief.', messages: [{ role: 'user', content: 'Tell me about the sea' }] };
const weather = {
  name: 'get_weather',
  description: 'Current weather',
  inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

async function failure(run: () => Promise<unknown>): Promise<ProviderError> {
  try {
    await run();
  } catch (error) {
    if (ProviderError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a ProviderError');
}

async function collect(request: GenerateRequest, into: StreamEvent[] = []): Promise<StreamEvent[]> {
  const stream = await adapter.stream(MODEL, request);
  for await (const event of stream.events) into.push(event);
  return into;
}

describe('Gemini adapter against the simulator', () => {
  it('generates text with usage and the answering model', async () => {
    const { response, status } = await adapter.generate(MODEL, hello);
    expect(status).toBe(200);
    expect(response.text).toBe(`Simulated reply from gemini (${MODEL}): Tell me about the sea`);
    expect(response.finishReason).toBe('stop');
    expect(response.rawFinishReason).toBe('STOP');
    expect(response.model).toBe(MODEL);
    expect(response.id).toMatch(/^[A-Za-z0-9_-]{23}$/);
    expect(response.usage.inputTokens).toBe(8); // 'Be brief.' + 'Tell me about the sea' = 30 chars
    expect(response.usage.outputTokens).toBeGreaterThan(0);
  });

  it('forces a tool and round-trips its result', async () => {
    const request: GenerateRequest = {
      messages: [{ role: 'user', content: 'Weather in Oslo?' }],
      tools: [weather],
      toolChoice: { type: 'tool', name: 'get_weather' },
    };
    const first = await adapter.generate(MODEL, request);
    expect(first.response.finishReason).toBe('tool-calls');
    const call = first.response.content[0];
    expect(call).toEqual({
      type: 'tool-call',
      id: 'call_0_get_weather',
      name: 'get_weather',
      input: { city: 'Weather in Oslo?' },
    });
    const second = await adapter.generate(MODEL, {
      messages: [
        ...request.messages,
        { role: 'assistant', content: first.response.content },
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_0_get_weather', content: '3°C' }] },
      ],
      tools: [weather],
    });
    expect(second.response.text).toBe('Tool result received.');
  });

  it('streams text deltas and exactly one finish with usage', async () => {
    const events = await collect(hello);
    const text = events.flatMap((e) => (e.type === 'text-delta' ? [e.text] : [])).join('');
    expect(text).toBe(`Simulated reply from gemini (${MODEL}): Tell me about the sea`);
    const finishes = events.filter((e) => e.type === 'finish');
    expect(finishes).toEqual([
      {
        type: 'finish',
        finishReason: 'stop',
        rawFinishReason: 'STOP',
        usage: expect.objectContaining({ inputTokens: 8 }),
        model: MODEL,
        id: expect.any(String),
      },
    ]);
    expect(events.at(-1)?.type).toBe('finish');
  });

  it('streams a tool call as start, delta and the parsed call', async () => {
    const events = await collect({
      messages: [{ role: 'user', content: 'Use get_weather for Oslo' }],
      tools: [weather],
    });
    expect(events).toEqual([
      { type: 'tool-call-start', index: 0, id: 'call_0_get_weather', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"city":"Use get_weather for Oslo"}' },
      {
        type: 'tool-call',
        index: 0,
        id: 'call_0_get_weather',
        name: 'get_weather',
        input: { city: 'Use get_weather for Oslo' },
      },
      expect.objectContaining({ type: 'finish', finishReason: 'tool-calls' }),
    ]);
  });

  describe('every fault kind becomes the expected ProviderError', () => {
    it.each([
      ['overloaded', 'overloaded', 503],
      ['server_error', 'server_error', 500],
      ['quota_exhausted', 'quota_exhausted', 429],
      ['auth', 'auth', 400],
      ['bad_request', 'bad_request', 400],
      ['context_length', 'context_length', 400],
    ] as const)('%s → %s (%i)', async (kind, cls: ErrorClass, status) => {
      sim.setFaults({ gemini: [{ kind, count: 2 }] });
      const generated = await failure(() => adapter.generate(MODEL, hello));
      expect(generated).toMatchObject({ class: cls, status, provider: 'gemini-main', model: MODEL, inStream: false });
      const streamed = await failure(() => adapter.stream(MODEL, hello));
      expect(streamed).toMatchObject({ class: cls, status });
    });

    it('rate_limited → rate_limited with retryAfterMs from RetryInfo', async () => {
      sim.setFaults({ gemini: [{ kind: 'rate_limited', count: 1, retryAfterS: 3 }] });
      const error = await failure(() => adapter.generate(MODEL, hello));
      expect(error).toMatchObject({
        class: 'rate_limited',
        status: 429,
        code: 'RESOURCE_EXHAUSTED',
        retryAfterMs: 3000,
      });
    });

    it('quota_exhausted carries no retry delay', async () => {
      sim.setFaults({ gemini: [{ kind: 'quota_exhausted', count: 1 }] });
      expect((await failure(() => adapter.generate(MODEL, hello))).retryAfterMs).toBeUndefined();
    });

    it('timeout → timeout when headers do not arrive in time', async () => {
      sim.setFaults({ gemini: [{ kind: 'timeout', count: 1 }] });
      const error = await failure(() => adapter.generate(MODEL, hello, { headersTimeoutMs: 150 }));
      expect(error.class).toBe('timeout');
    });

    it('reset → network', async () => {
      sim.setFaults({ gemini: [{ kind: 'reset', count: 1 }] });
      expect((await failure(() => adapter.generate(MODEL, hello))).class).toBe('network');
    });

    it('mid_stream_error → overloaded, in-stream, after the first deltas', async () => {
      sim.setFaults({ gemini: [{ kind: 'mid_stream_error', count: 1, afterChunks: 2 }] });
      const events: StreamEvent[] = [];
      const error = await failure(() => collect(hello, events));
      expect(events.map((e) => e.type)).toEqual(['text-delta', 'text-delta']);
      expect(error).toMatchObject({ class: 'overloaded', status: 503, inStream: true });
    });

    it('truncated_stream → network "stream ended without its terminator", in-stream', async () => {
      sim.setFaults({ gemini: [{ kind: 'truncated_stream', count: 1, afterChunks: 2 }] });
      const events: StreamEvent[] = [];
      const error = await failure(() => collect(hello, events));
      expect(events.map((e) => e.type)).toEqual(['text-delta', 'text-delta']);
      expect(error).toMatchObject({ class: 'network', inStream: true });
      expect(error.message).toContain('stream ended without its terminator');
    });
  });

  it('limits → rate_limited with the refill delay; Gemini sends no rate-limit headers, so no snapshot', async () => {
    sim.setLimits({ gemini: { rpm: 1 } });
    const ok = await adapter.generate(MODEL, hello);
    expect(ok.rateLimit).toBeUndefined();
    const error = await failure(() => adapter.generate(MODEL, hello));
    expect(error.class).toBe('rate_limited');
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(error.rateLimit).toBeUndefined();
  });

  it('a wrong key → auth (API_KEY_INVALID), no key → auth (403), and the key never shows in the message', async () => {
    const wrong = createGeminiAdapter({
      name: 'gemini-main',
      type: 'gemini',
      baseUrl: sim.urlFor('gemini'),
      apiKey: 'AIza-wrong-key',
    });
    const bad = await failure(() => wrong.generate(MODEL, hello));
    await wrong.close();
    expect(bad).toMatchObject({ class: 'auth', status: 400, code: 'API_KEY_INVALID' });
    expect(bad.message).not.toContain('AIza-wrong-key');
    const keyless = createGeminiAdapter({ name: 'gemini-main', type: 'gemini', baseUrl: sim.urlFor('gemini') });
    const missing = await failure(() => keyless.generate(MODEL, hello));
    await keyless.close();
    expect(missing).toMatchObject({ class: 'auth', status: 403, code: 'PERMISSION_DENIED' });
  });

  it('a path the API does not serve → not_found', async () => {
    const lost = createGeminiAdapter({
      name: 'gemini-main',
      type: 'gemini',
      baseUrl: `${sim.urlFor('gemini')}/wrong-prefix`,
      apiKey: KEY,
    });
    const error = await failure(() => lost.generate(MODEL, hello));
    await lost.close();
    expect(error).toMatchObject({ class: 'not_found', status: 404 });
  });
});
