import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../start-simulator.js';

/**
 * The official OpenAI SDK (retries off) against the simulator: it must not be able to tell the
 * simulator from api.openai.com — answers, streams, every fault kind and rate limits surface as the
 * same classes and fields the real API produces.
 */

const KEY = 'sk-sim-openai-good-key';
let sim: RunningSimulator;
let client: OpenAI;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, apiKeys: { openai: KEY } });
  client = new OpenAI({ baseURL: sim.urlFor('openai'), apiKey: KEY, maxRetries: 0 });
});

afterAll(async () => {
  await sim.close();
});

beforeEach(() => {
  sim.clearFaults();
  sim.clearLimits();
});

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

const weatherTool: OpenAI.Chat.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

const hello = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Hello there' }] };

describe('OpenAI SDK against the simulator: answers', () => {
  it('generates text with usage and a request id', async () => {
    const { data, response, request_id } = await client.chat.completions.create(hello).withResponse();
    expect(data.id).toMatch(/^chatcmpl-/);
    expect(data.object).toBe('chat.completion');
    expect(data.choices[0]?.message.content).toContain('Hello there');
    expect(data.choices[0]?.message.refusal).toBeNull();
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.usage?.total_tokens).toBe((data.usage?.prompt_tokens ?? 0) + (data.usage?.completion_tokens ?? 0));
    expect(data.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(request_id).toMatch(/^req_[0-9a-f]{32}$/);
    expect(response.headers.get('content-type')).toBe('application/json');
  });

  it('generates a tool call the SDK can read', async () => {
    const data = await client.chat.completions.create({ ...hello, tools: [weatherTool], tool_choice: 'required' });
    const call = data.choices[0]?.message.tool_calls?.[0];
    expect(data.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call?.type).toBe('function');
    expect(call?.id).toMatch(/^call_/);
    if (call?.type !== 'function') throw new Error('expected a function call');
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Hello there' });
  });

  it('streams text, then a usage chunk when include_usage is set', async () => {
    const stream = await client.chat.completions.create({
      ...hello,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toContain('Hello there');
    expect(finish).toBe('stop');
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("streams a tool call that the SDK's stream helper assembles into a final message", async () => {
    const runner = client.chat.completions.stream({
      ...hello,
      tools: [weatherTool],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      stream_options: { include_usage: true },
    });
    const final = await runner.finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0];
    if (call?.type !== 'function') throw new Error('expected a function call');
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Hello there' });
    expect(final.usage?.total_tokens).toBeGreaterThan(0);
  });

  const recipeSchema = {
    type: 'object',
    properties: {
      name: { type: 'string' },
      servings: { type: 'integer' },
      steps: {
        type: 'array',
        items: {
          type: 'object',
          properties: { text: { type: 'string' }, minutes: { type: 'number' } },
          required: ['text', 'minutes'],
          additionalProperties: false,
        },
      },
    },
    required: ['name', 'servings', 'steps'],
    additionalProperties: false,
  };

  it('answers response_format json_schema with JSON content built from the schema', async () => {
    const data = await client.chat.completions.create({
      ...hello,
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: recipeSchema, strict: true } },
    });
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(JSON.parse(data.choices[0]?.message.content ?? '')).toEqual({
      name: 'Hello there',
      servings: 1,
      steps: [{ text: 'Hello there', minutes: 1 }],
    });
  });

  it('streams JSON-mode content whose deltas join to valid JSON', async () => {
    const stream = await client.chat.completions.create({
      ...hello,
      stream: true,
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: recipeSchema } },
    });
    const deltas: string[] = [];
    for await (const chunk of stream) deltas.push(chunk.choices[0]?.delta.content ?? '');
    expect(deltas.filter((d) => d !== '').length).toBeGreaterThan(2);
    expect(JSON.parse(deltas.join(''))).toMatchObject({ name: 'Hello there', servings: 1 });
  });

  it('refuses a malformed response_format with a BadRequestError naming the param', async () => {
    const error = await failure(
      client.chat.completions.create({
        ...hello,
        response_format: { type: 'json_schema', json_schema: { schema: recipeSchema } as never },
      }),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({
      status: 400,
      param: 'response_format.json_schema.name',
      code: 'missing_required_parameter',
    });
  });

  it('lists models', async () => {
    const page = await client.models.list();
    expect(page.data.map((model) => model.id)).toContain('gpt-4o-mini');
    expect(page.data[0]).toMatchObject({ object: 'model', owned_by: 'system' });
  });
});

describe('OpenAI SDK against the simulator: each fault kind as the real API surfaces it', () => {
  const cases: Array<[string, new (...args: never[]) => Error, number, string | null]> = [
    ['overloaded', OpenAI.InternalServerError, 503, 'server_is_overloaded'],
    ['quota_exhausted', OpenAI.RateLimitError, 429, 'insufficient_quota'],
    ['server_error', OpenAI.InternalServerError, 500, null],
    ['auth', OpenAI.AuthenticationError, 401, 'invalid_api_key'],
    ['bad_request', OpenAI.BadRequestError, 400, 'string_above_max_length'],
    ['context_length', OpenAI.BadRequestError, 400, 'context_length_exceeded'],
  ];
  it.each(cases)('%s', async (kind, errorClass, status, code) => {
    sim.setFaults({ openai: [{ kind: kind as 'overloaded', count: 1 }] });
    const error = await failure(client.chat.completions.create(hello));
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toMatchObject({ status, code });
    expect((error as InstanceType<typeof OpenAI.APIError>).requestID).toMatch(/^req_/);
  });

  it('rate_limited: RateLimitError with retry-after and the delay in the message', async () => {
    sim.setFaults({ openai: [{ kind: 'rate_limited', count: 1, retryAfterS: 2 }] });
    const error = await failure(client.chat.completions.create(hello));
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const apiError = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(apiError).toMatchObject({ status: 429, code: 'rate_limit_exceeded', type: 'requests' });
    expect(apiError.headers.get('retry-after')).toBe('2');
    expect(apiError.message).toMatch(/^429 Rate limit reached for gpt-4o-mini .* Please try again in 2s\./);
  });

  it('quota_exhausted carries no retry-after', async () => {
    sim.setFaults({ openai: [{ kind: 'quota_exhausted', count: 1, retryAfterS: 9 }] });
    const error = (await failure(client.chat.completions.create(hello))) as InstanceType<typeof OpenAI.RateLimitError>;
    expect(error.headers.get('retry-after')).toBeNull();
  });

  it('timeout: the SDK gives up with APIConnectionTimeoutError', async () => {
    sim.setFaults({ openai: [{ kind: 'timeout', count: 1 }] });
    const error = await failure(client.chat.completions.create(hello, { timeout: 300 }));
    expect(error).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
  });

  it('reset: the SDK reports a connection error', async () => {
    sim.setFaults({ openai: [{ kind: 'reset', count: 1 }] });
    const error = await failure(client.chat.completions.create(hello));
    expect(error).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(error).not.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
  });

  it('mid_stream_error: stream iteration throws an APIError after the first chunks', async () => {
    sim.setFaults({ openai: [{ kind: 'mid_stream_error', count: 1, afterChunks: 1 }] });
    const stream = await client.chat.completions.create({ ...hello, stream: true });
    const received: string[] = [];
    const error = await failure(
      (async () => {
        for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
      })(),
    );
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).toMatchObject({ status: undefined, type: 'server_error' });
    expect((error as Error).message).toBe('The server had an error while processing your request. Sorry about that!');
    expect(received.join('')).not.toBe('');
  });

  it('truncated_stream: raw iteration just ends, without a finish_reason (the SDK does not notice)', async () => {
    sim.setFaults({ openai: [{ kind: 'truncated_stream', count: 1, afterChunks: 1 }] });
    const stream = await client.chat.completions.create({ ...hello, stream: true });
    const finishes: Array<string | null | undefined> = [];
    for await (const chunk of stream) finishes.push(chunk.choices[0]?.finish_reason);
    expect(finishes.length).toBeGreaterThan(0);
    expect(finishes.every((finish) => finish === null)).toBe(true);
  });

  it("truncated_stream: the SDK's stream helper rejects the final message for its missing finish_reason", async () => {
    sim.setFaults({ openai: [{ kind: 'truncated_stream', count: 1, afterChunks: 1 }] });
    const error = await failure(client.chat.completions.stream(hello).finalChatCompletion());
    // Recorded behaviour of openai 6.x: the helper notices the answer is incomplete, not the missing [DONE].
    expect(error).toBeInstanceOf(OpenAI.OpenAIError);
    expect(error).not.toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toBe('missing finish_reason for choice 0');
  });
});

describe('OpenAI SDK against the simulator: limits and keys', () => {
  it('sends rate-limit headers, then a RateLimitError with them once over the limit', async () => {
    sim.setLimits({ openai: { rpm: 1, tpm: 100_000 } });
    const { response } = await client.chat.completions.create(hello).withResponse();
    expect(response.headers.get('x-ratelimit-limit-requests')).toBe('1');
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(response.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+(\.\d+)?(ms|s)$|^\d+m[\d.]+s$/);
    expect(response.headers.get('x-ratelimit-limit-tokens')).toBe('100000');
    const error = (await failure(client.chat.completions.create(hello))) as InstanceType<typeof OpenAI.RateLimitError>;
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error).toMatchObject({ code: 'rate_limit_exceeded', type: 'requests' });
    expect(error.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(Number(error.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(error.message).toContain('on requests per min (RPM): Limit 1');
  });

  it('rejects a wrong key with AuthenticationError invalid_api_key', async () => {
    const wrong = new OpenAI({ baseURL: sim.urlFor('openai'), apiKey: 'sk-wrong-key-0000000000', maxRetries: 0 });
    const error = await failure(wrong.chat.completions.create(hello));
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_api_key' });
    expect((error as Error).message).not.toContain('sk-wrong-key-0000000000');
  });

  it('rejects an invalid body with BadRequestError naming the field', async () => {
    const error = await failure(
      client.chat.completions.create({
        model: 'gpt-4o-mini',
      } as unknown as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ param: 'messages', code: 'missing_required_parameter' });
  });
});
