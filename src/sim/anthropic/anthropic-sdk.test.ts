import Anthropic, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  OverloadedError,
  RateLimitError,
} from '@anthropic-ai/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../start-simulator.js';

/**
 * The official Anthropic SDK (retries off) against the simulator: every answer, stream and fault
 * must surface exactly as the SDK surfaces the real API's.
 */

let sim: RunningSimulator;
let client: Anthropic;

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  client = new Anthropic({ baseURL: sim.urlFor('anthropic'), apiKey: 'sk-ant-test', maxRetries: 0 });
});

afterEach(() => {
  sim.clearFaults();
  sim.clearLimits();
});

afterAll(async () => {
  await sim.close();
});

// Not a model the SDK warns about as deprecated (claude-sonnet-4-5 is, in SDK 1.14).
const MODEL = 'claude-sonnet-4-6';
const hello = {
  model: MODEL,
  max_tokens: 256,
  messages: [{ role: 'user' as const, content: 'Hello there, simulator' }],
};
const weatherTool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
};
const weatherAsk = {
  ...hello,
  messages: [{ role: 'user' as const, content: 'What is the weather in Paris? Use get_weather.' }],
  tools: [weatherTool],
  tool_choice: { type: 'tool' as const, name: 'get_weather' },
};

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('official SDK: answers', () => {
  it('generates text with an id, usage and end_turn', async () => {
    const { data: message, response } = await client.messages.create(hello).withResponse();
    expect(message.type).toBe('message');
    expect(message.id).toMatch(/^msg_/);
    expect(message.model).toBe(MODEL);
    expect(message.stop_reason).toBe('end_turn');
    const [block] = message.content;
    expect(block?.type === 'text' && block.text).toContain('Hello there, simulator');
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    expect(response.headers.get('request-id')).toMatch(/^req_/);
  });

  it('streams text through the MessageStream helper to the same final message', async () => {
    const stream = client.messages.stream(hello);
    const deltas: string[] = [];
    stream.on('text', (text) => deltas.push(text));
    const final = await stream.finalMessage();
    const whole = await client.messages.create(hello);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(whole.content[0]?.type === 'text' ? whole.content[0].text : '');
    expect(final.content).toEqual(whole.content);
    expect(final.usage.output_tokens).toBe(whole.usage.output_tokens);
    expect(final.usage.input_tokens).toBe(whole.usage.input_tokens);
    expect(final.stop_reason).toBe('end_turn');
  });

  it('streams raw events in the documented order, with pings', async () => {
    const stream = await client.messages.create({ ...hello, stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types[0]).toBe('message_start');
    expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(types).toContain('content_block_delta');
  });

  it('answers a forced tool call with a tool_use block and parsed input', async () => {
    const message = await client.messages.create(weatherAsk);
    expect(message.stop_reason).toBe('tool_use');
    const call = message.content.find((block) => block.type === 'tool_use');
    expect(call).toMatchObject({ type: 'tool_use', name: 'get_weather', id: expect.stringMatching(/^toolu_/) });
    expect(call?.type === 'tool_use' && call.input).toMatchObject({ city: expect.any(String) });
  });

  it("fills a forced tool's nested object schema recursively (how failsoft asks Anthropic for JSON)", async () => {
    const emit = {
      name: 'emit_recipe',
      input_schema: {
        type: 'object' as const,
        properties: {
          name: { type: 'string' },
          meta: {
            type: 'object',
            properties: { minutes: { type: 'integer' }, vegan: { type: 'boolean' } },
            required: ['minutes', 'vegan'],
          },
          steps: { type: 'array', items: { type: 'string' } },
        },
        required: ['name', 'meta', 'steps'],
      },
    };
    const message = await client.messages.create({
      ...hello,
      tools: [emit],
      tool_choice: { type: 'tool', name: 'emit_recipe' },
    });
    const call = message.content.find((block) => block.type === 'tool_use');
    expect(call?.type === 'tool_use' && call.input).toEqual({
      name: 'Hello there, simulator',
      meta: { minutes: 1, vegan: true },
      steps: ['Hello there, simulator'],
    });
  });

  it('streams a tool call whose input_json_delta pieces the SDK assembles', async () => {
    const stream = client.messages.stream(weatherAsk);
    const jsonDeltas: string[] = [];
    stream.on('inputJson', (partial) => jsonDeltas.push(partial));
    const final = await stream.finalMessage();
    const whole = await client.messages.create(weatherAsk);
    expect(jsonDeltas.length).toBeGreaterThan(1);
    expect(final.stop_reason).toBe('tool_use');
    const call = final.content.find((block) => block.type === 'tool_use');
    const same = whole.content.find((block) => block.type === 'tool_use');
    expect(call?.type === 'tool_use' && call.id).toMatch(/^toolu_/);
    expect(call?.type === 'tool_use' && { name: call.name, input: call.input }).toEqual(
      same?.type === 'tool_use' && { name: same.name, input: same.input },
    );
  });

  it('continues after a tool result with plain text', async () => {
    const first = await client.messages.create(weatherAsk);
    const call = first.content.find((block) => block.type === 'tool_use');
    if (call?.type !== 'tool_use') throw new Error('no tool call');
    const next = await client.messages.create({
      ...hello,
      tools: [weatherTool],
      messages: [
        weatherAsk.messages[0] as { role: 'user'; content: string },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'Sunny, 21°C' }] },
      ],
    });
    expect(next.stop_reason).toBe('end_turn');
    expect(next.content[0]?.type).toBe('text');
  });

  it('rejects a body without max_tokens as the real API does', async () => {
    const error = await rejection(
      client.messages.create({ model: MODEL, messages: hello.messages } as unknown as typeof hello),
    );
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).apiMessage).toBe('max_tokens: Field required');
  });
});

describe('official SDK: each fault kind surfaces as the real API failure does', () => {
  it('overloaded → OverloadedError 529 overloaded_error', async () => {
    sim.setFaults({ anthropic: [{ kind: 'overloaded' }] });
    const error = await rejection(client.messages.create(hello));
    expect(error).toBeInstanceOf(OverloadedError);
    expect((error as OverloadedError).status).toBe(529);
    expect((error as OverloadedError).type).toBe('overloaded_error');
    expect((error as OverloadedError).requestID).toMatch(/^req_/);
  });

  it('rate_limited → RateLimitError 429 with retry-after', async () => {
    sim.setFaults({ anthropic: [{ kind: 'rate_limited', retryAfterS: 7 }] });
    const error = await rejection(client.messages.create(hello));
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).type).toBe('rate_limit_error');
    expect((error as RateLimitError).headers.get('retry-after')).toBe('7');
  });

  it('quota_exhausted → the SDK spend-cap error (a RateLimitError) with no retry-after', async () => {
    sim.setFaults({ anthropic: [{ kind: 'quota_exhausted' }] });
    const error = await rejection(client.messages.create(hello));
    expect(error).toBeInstanceOf(Anthropic.EnforcedSpendLimitReachedError);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).errorCode).toBe('enforced_spend_limit_reached');
    expect((error as RateLimitError).headers.get('retry-after')).toBeNull();
  });

  it('server_error → InternalServerError 500 api_error', async () => {
    sim.setFaults({ anthropic: [{ kind: 'server_error' }] });
    const error = await rejection(client.messages.create(hello));
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as InternalServerError).status).toBe(500);
    expect((error as InternalServerError).type).toBe('api_error');
  });

  it('auth → AuthenticationError 401', async () => {
    sim.setFaults({ anthropic: [{ kind: 'auth' }] });
    const error = await rejection(client.messages.create(hello));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).apiMessage).toBe('invalid x-api-key');
  });

  it('bad_request → BadRequestError 400 invalid_request_error', async () => {
    sim.setFaults({ anthropic: [{ kind: 'bad_request' }] });
    const error = await rejection(client.messages.create(hello));
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).type).toBe('invalid_request_error');
  });

  it('context_length → BadRequestError "prompt is too long"', async () => {
    sim.setFaults({ anthropic: [{ kind: 'context_length' }] });
    const error = await rejection(client.messages.create(hello));
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).apiMessage).toMatch(/^prompt is too long: \d+ tokens > 200000 maximum$/);
  });

  it('timeout → APIConnectionTimeoutError with a short client timeout', async () => {
    sim.setFaults({ anthropic: [{ kind: 'timeout' }] });
    const error = await rejection(client.messages.create(hello, { timeout: 300 }));
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
  });

  it('reset → APIConnectionError (not a timeout)', async () => {
    sim.setFaults({ anthropic: [{ kind: 'reset' }] });
    const error = await rejection(client.messages.create(hello));
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error).not.toBeInstanceOf(APIConnectionTimeoutError);
  });

  it('mid_stream_error → the stream iteration throws an overloaded_error APIError', async () => {
    sim.setFaults({ anthropic: [{ kind: 'mid_stream_error', afterChunks: 1 }] });
    const stream = await client.messages.create({ ...hello, stream: true });
    const seen: string[] = [];
    const error = await rejection(
      (async () => {
        for await (const event of stream) seen.push(event.type);
      })(),
    );
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).type).toBe('overloaded_error');
    expect((error as APIError).status).toBeUndefined();
    expect(seen).toContain('content_block_delta');
    expect(seen).not.toContain('message_stop');
  });

  it('truncated_stream: raw iteration ends silently, and MessageStream.finalMessage() rejects', async () => {
    // What the SDK does with a cut stream: the raw `Stream` iterator just ends (no error), so a
    // caller reading raw events sees a short answer with no message_stop; the MessageStream helper
    // notices no message was completed and rejects finalMessage() with an AnthropicError.
    sim.setFaults({ anthropic: [{ kind: 'truncated_stream', afterChunks: 1, count: 1 }] });
    const raw = await client.messages.create({ ...hello, stream: true });
    const types: string[] = [];
    for await (const event of raw) types.push(event.type);
    expect(types).toContain('content_block_delta');
    expect(types).not.toContain('message_stop');

    sim.setFaults({ anthropic: [{ kind: 'truncated_stream', afterChunks: 1, count: 1 }] });
    const error = await rejection(client.messages.stream(hello).finalMessage());
    expect(error).toBeInstanceOf(Anthropic.AnthropicError);
    expect((error as Error).message).toMatch(/stream ended without producing a Message/);
  });
});

describe('official SDK: limits and keys', () => {
  it('sends rate-limit headers while limits are set, then a 429 RateLimitError over the limit', async () => {
    sim.setLimits({ anthropic: { rpm: 1, itpm: 10_000, otpm: 2_000 } });
    const { response } = await client.messages.create(hello).withResponse();
    expect(response.headers.get('anthropic-ratelimit-requests-limit')).toBe('1');
    expect(response.headers.get('anthropic-ratelimit-requests-remaining')).toBe('0');
    expect(response.headers.get('anthropic-ratelimit-input-tokens-limit')).toBe('10000');
    expect(response.headers.get('anthropic-ratelimit-output-tokens-limit')).toBe('2000');
    expect(Date.parse(response.headers.get('anthropic-ratelimit-requests-reset') ?? '')).toBeGreaterThan(
      Date.now() - 1000,
    );

    const error = await rejection(client.messages.create(hello));
    expect(error).toBeInstanceOf(RateLimitError);
    const limited = error as RateLimitError;
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get('anthropic-ratelimit-requests-remaining')).toBe('0');
    expect(limited.apiMessage).toMatch(/rate limit of 1 requests per minute/);
  });

  it('rejects a wrong key with AuthenticationError when the simulator is given one key', async () => {
    const keyed = await startSimulator({ port: 0, apiKeys: { anthropic: 'sk-ant-right' } });
    try {
      const wrong = new Anthropic({ baseURL: keyed.urlFor('anthropic'), apiKey: 'sk-ant-wrong', maxRetries: 0 });
      const error = await rejection(wrong.messages.create(hello));
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as AuthenticationError).apiMessage).toBe('invalid x-api-key');
      const right = new Anthropic({ baseURL: keyed.urlFor('anthropic'), apiKey: 'sk-ant-right', maxRetries: 0 });
      expect((await right.messages.create(hello)).type).toBe('message');
    } finally {
      await keyed.close();
    }
  });
});
