import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError, type ErrorClass } from '../../model/errors.js';
import type { GenerateRequest } from '../../model/message.js';
import type { StreamEvent } from '../../model/stream-event.js';
import { startSimulator, type FaultRule, type RunningSimulator } from '../../sim/start-simulator.js';
import type { ProviderAdapter } from '../provider-adapter.js';
import { createAnthropicAdapter } from './anthropic-adapter.js';

/** The adapter against the simulator's Anthropic endpoint: answers, streams, every fault, limits. */

let sim: RunningSimulator;
let claude: ProviderAdapter;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, apiKeys: { anthropic: 'sk-ant-sim' } });
  claude = createAnthropicAdapter({
    name: 'claude',
    type: 'anthropic',
    baseUrl: sim.urlFor('anthropic'),
    apiKey: 'sk-ant-sim',
  });
});

afterEach(() => {
  sim.clearFaults();
  sim.clearLimits();
});

afterAll(async () => {
  await claude.close();
  await sim.close();
});

const MODEL = 'claude-sonnet-4-6';
const hello: GenerateRequest = {
  system: 'Be brief.',
  messages: [{ role: 'user', content: 'Hello from the adapter' }],
  maxOutputTokens: 200,
};
const weather: GenerateRequest = {
  messages: [{ role: 'user', content: 'Weather in Paris?' }],
  tools: [
    {
      name: 'get_weather',
      description: 'Weather',
      inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  ],
  toolChoice: { type: 'tool', name: 'get_weather' },
};

async function drain(request: GenerateRequest, adapter: ProviderAdapter = claude): Promise<StreamEvent[]> {
  const stream = await adapter.stream(MODEL, request);
  const events: StreamEvent[] = [];
  for await (const event of stream.events) events.push(event);
  return events;
}

async function failure(run: () => Promise<unknown>): Promise<ProviderError> {
  try {
    await run();
  } catch (error) {
    if (ProviderError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a ProviderError');
}

describe('anthropic adapter vs simulator: answers', () => {
  it('generates text with usage, the answering model and a stop finish', async () => {
    const { response, status } = await claude.generate(MODEL, hello);
    expect(status).toBe(200);
    expect(response.text).toContain('Hello from the adapter');
    expect(response.model).toBe(MODEL);
    expect(response.id).toMatch(/^msg_/);
    expect(response.finishReason).toBe('stop');
    expect(response.rawFinishReason).toBe('end_turn');
    expect(response.usage.inputTokens).toBeGreaterThan(0);
    expect(response.usage.outputTokens).toBeGreaterThan(0);
  });

  it('streams the same text as deltas and exactly one finish with usage', async () => {
    const { response } = await claude.generate(MODEL, hello);
    const events = await drain(hello);
    const text = events.map((e) => (e.type === 'text-delta' ? e.text : '')).join('');
    expect(text).toBe(response.text);
    expect(events.filter((e) => e.type === 'text-delta').length).toBeGreaterThan(1);
    const finishes = events.filter((e) => e.type === 'finish');
    expect(finishes).toHaveLength(1);
    expect(finishes[0]).toMatchObject({ finishReason: 'stop', model: MODEL, usage: response.usage });
    expect(events.at(-1)?.type).toBe('finish');
  });

  it('returns a forced tool call, non-streamed and streamed, with the same parsed input', async () => {
    const { response } = await claude.generate(MODEL, weather);
    expect(response.finishReason).toBe('tool-calls');
    const call = response.content.find((part) => part.type === 'tool-call');
    expect(call).toMatchObject({ type: 'tool-call', name: 'get_weather', input: { city: expect.any(String) } });

    const events = await drain(weather);
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['tool-call-start', 'tool-call-delta', 'tool-call', 'finish']),
    );
    const streamed = events.find((e) => e.type === 'tool-call');
    expect(streamed?.type === 'tool-call' && streamed.input).toEqual(call?.type === 'tool-call' && call.input);
    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'tool-calls' });
  });

  it('completes a tool round trip with a tool result', async () => {
    const { response } = await claude.generate(MODEL, weather);
    const call = response.content.find((part) => part.type === 'tool-call');
    if (call?.type !== 'tool-call') throw new Error('no tool call');
    const next = await claude.generate(MODEL, {
      ...weather,
      toolChoice: 'auto',
      messages: [
        ...weather.messages,
        { role: 'assistant', content: response.content },
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: call.id, content: 'Sunny' }] },
      ],
    });
    expect(next.response.finishReason).toBe('stop');
    expect(next.response.text.length).toBeGreaterThan(0);
  });
});

describe('anthropic adapter vs simulator: every fault kind is classified', () => {
  it.each<[FaultRule['kind'], ErrorClass]>([
    ['overloaded', 'overloaded'],
    ['rate_limited', 'rate_limited'],
    ['quota_exhausted', 'quota_exhausted'],
    ['server_error', 'server_error'],
    ['auth', 'auth'],
    ['bad_request', 'bad_request'],
    ['context_length', 'context_length'],
    ['reset', 'network'],
  ])('%s → %s (generate and stream)', async (kind, expected) => {
    sim.setFaults({ anthropic: [{ kind, retryAfterS: 7 }] });
    const generated = await failure(() => claude.generate(MODEL, hello));
    expect(generated.class).toBe(expected);
    expect(generated.provider).toBe('claude');
    const streamed = await failure(() => claude.stream(MODEL, hello));
    expect(streamed.class).toBe(expected);
    expect(streamed.inStream).toBe(false);
    expect(generated.message).not.toContain('sk-ant-sim');
  });

  it('carries the server delay on rate_limited and none on quota_exhausted', async () => {
    sim.setFaults({ anthropic: [{ kind: 'rate_limited', retryAfterS: 7 }] });
    expect((await failure(() => claude.generate(MODEL, hello))).retryAfterMs).toBe(7000);
    sim.setFaults({ anthropic: [{ kind: 'quota_exhausted' }] });
    const quota = await failure(() => claude.generate(MODEL, hello));
    expect(quota.retryAfterMs).toBeUndefined();
    expect(quota.code).toBe('enforced_spend_limit_reached');
    sim.setFaults({ anthropic: [{ kind: 'overloaded' }] });
    expect((await failure(() => claude.generate(MODEL, hello))).message).toMatch(
      /^anthropic 'claude': 529 overloaded_error: Overloaded \(request-id req_/,
    );
  });

  it('timeout → timeout when headers do not come within headersTimeoutMs', async () => {
    sim.setFaults({ anthropic: [{ kind: 'timeout' }] });
    const error = await failure(() => claude.generate(MODEL, hello, { headersTimeoutMs: 200 }));
    expect(error.class).toBe('timeout');
  });

  it('mid_stream_error → an in-stream overloaded error after the first deltas', async () => {
    sim.setFaults({ anthropic: [{ kind: 'mid_stream_error', afterChunks: 2 }] });
    const stream = await claude.stream(MODEL, hello);
    const events: StreamEvent[] = [];
    const error = await failure(async () => {
      for await (const event of stream.events) events.push(event);
    });
    expect(error.class).toBe('overloaded');
    expect(error.inStream).toBe(true);
    expect(events.filter((e) => e.type === 'text-delta')).toHaveLength(2);
    expect(events.some((e) => e.type === 'finish')).toBe(false);
  });

  it('truncated_stream → a network error, never a short answer', async () => {
    sim.setFaults({ anthropic: [{ kind: 'truncated_stream', afterChunks: 1 }] });
    const error = await failure(() => drain(hello));
    expect(error.class).toBe('network');
    expect(error.inStream).toBe(true);
    expect(error.message).toMatch(/stream ended without its terminator/);
  });

  it('a wrong key → auth', async () => {
    const wrong = createAnthropicAdapter({
      name: 'claude',
      type: 'anthropic',
      baseUrl: sim.urlFor('anthropic'),
      apiKey: 'sk-ant-wrong',
    });
    const error = await failure(() => wrong.generate(MODEL, hello));
    await wrong.close();
    expect(error.class).toBe('auth');
    expect(error.status).toBe(401);
    expect(error.message).not.toContain('sk-ant-wrong');
  });
});

describe('anthropic adapter vs simulator: limits', () => {
  it('reads the rate-limit snapshot on success and on the over-limit 429', async () => {
    sim.setLimits({ anthropic: { rpm: 2, itpm: 10_000, otpm: 4_000 } });
    const ok = await claude.generate(MODEL, hello);
    expect(ok.rateLimit?.requests).toMatchObject({ limit: 2, remaining: 1 });
    expect(ok.rateLimit?.inputTokens?.limit).toBe(10_000);
    expect(ok.rateLimit?.outputTokens?.limit).toBe(4_000);
    expect(ok.rateLimit?.requests?.resetMs).toBeGreaterThanOrEqual(0);

    const streamed = await claude.stream(MODEL, hello);
    expect(streamed.rateLimit?.requests).toMatchObject({ limit: 2, remaining: 0 });
    for await (const event of streamed.events) void event;

    const limited = await failure(() => claude.generate(MODEL, hello));
    expect(limited.class).toBe('rate_limited');
    expect(limited.retryAfterMs).toBeGreaterThanOrEqual(1000);
    expect(limited.rateLimit?.requests).toMatchObject({ limit: 2, remaining: 0 });
  });
});

describe('anthropic adapter vs simulator: stopping early', () => {
  let slow: RunningSimulator;
  let adapter: ProviderAdapter;

  beforeAll(async () => {
    slow = await startSimulator({ port: 0, chunkDelayMs: 40 });
    adapter = createAnthropicAdapter(
      { name: 'claude', type: 'anthropic', baseUrl: slow.urlFor('anthropic'), apiKey: 'k' },
      { transport: { connections: 1 } },
    );
  });

  afterAll(async () => {
    await adapter.close();
    await slow.close();
  });

  it('releases the connection when the caller breaks out, so the next call is not stuck behind it', async () => {
    const long: GenerateRequest = {
      messages: [
        {
          role: 'user',
          content: 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen',
        },
      ],
    };
    const stream = await adapter.stream(MODEL, long);
    for await (const event of stream.events) {
      expect(event.type).toBe('text-delta');
      break;
    }
    const started = Date.now();
    const { response } = await adapter.generate(MODEL, hello);
    expect(response.finishReason).toBe('stop');
    expect(Date.now() - started).toBeLessThan(150);
  });

  it('rethrows the abort reason when the signal aborts mid-stream', async () => {
    const controller = new AbortController();
    const reason = new Error('deadline passed');
    const stream = await adapter.stream(MODEL, hello, { signal: controller.signal });
    const events: StreamEvent[] = [];
    const run = (async () => {
      for await (const event of stream.events) {
        events.push(event);
        controller.abort(reason);
      }
    })();
    await expect(run).rejects.toBe(reason);
    expect(events).toHaveLength(1);
  });
});
