/**
 * The gateway driven by the official OpenAI and Anthropic SDKs (base URL pointed at it), with the
 * provider simulator upstream. Every server listens on 127.0.0.1, port 0.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFailsoft, type Failsoft } from '../engine/failsoft.js';
import type { FailsoftConfig } from '../engine/config/config-schema.js';
import { startSimulator, type RunningSimulator } from '../sim/start-simulator.js';
import { startGateway, type RunningGateway } from './gateway-server.js';

let sim: RunningSimulator;
let ai: Failsoft;
let gateway: RunningGateway;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
});
afterAll(async () => {
  await sim.close();
});

function config(): FailsoftConfig {
  return {
    providers: {
      claude: { type: 'anthropic', baseUrl: sim.urlFor('anthropic'), apiKey: 'sk-ant-sim' },
      gpt: { type: 'openai', baseUrl: sim.urlFor('openai'), apiKey: 'sk-sim' },
      gemini: { type: 'gemini', baseUrl: sim.urlFor('gemini'), apiKey: 'gm-sim' },
    },
    features: {
      // maxRetries 0: a failure moves on at once, so no test waits on backoff.
      summary: {
        tier: 'enhanced',
        route: ['claude/claude-sonnet-4-5', 'gpt/gpt-4o-mini', 'gemini/gemini-2.5-flash'],
        fallback: { leadSentences: 1 },
        maxRetries: 0,
        deadlineMs: 10_000,
      },
      chat: {
        tier: 'ai-only',
        route: ['claude/claude-sonnet-4-5', 'gpt/gpt-4o', 'gemini/gemini-2.5-flash'],
        maxRetries: 0,
        deadlineMs: 10_000,
      },
    },
  };
}

beforeEach(async () => {
  sim.clearFaults();
  sim.resetStats();
  ai = createFailsoft(config(), { env: {} });
  gateway = await startGateway({ ai, port: 0, host: '127.0.0.1' });
  openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'client-key', maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: gateway.url, apiKey: 'client-key', maxRetries: 0 });
});

afterEach(async () => {
  await gateway.close();
  await ai.close();
});

const text = 'Summarize:\nThe plant closed at noon. Workers waited outside.';
const allDown = {
  anthropic: [{ kind: 'overloaded' as const }],
  openai: [{ kind: 'server_error' as const }],
  gemini: [{ kind: 'overloaded' as const }],
};

describe('gateway: OpenAI dialect through the official SDK', () => {
  it('generates, reporting the model that answered and who answered in headers', async () => {
    const { data, response } = await openai.chat.completions
      .create({ model: 'summary', messages: [{ role: 'user', content: text }] })
      .withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.model).toMatch(/^claude-sonnet-4-5/);
    expect(data.choices[0]?.message.content).toContain('Simulated reply');
    expect(data.usage?.total_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-failsoft-feature')).toBe('summary');
    expect(response.headers.get('x-failsoft-provider')).toBe('claude');
    expect(response.headers.get('x-failsoft-source')).toBe('provider');
    expect(response.headers.get('x-failsoft-degraded')).toBe('false');
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it("streams chunk by chunk with a usage chunk, headers sent at the start, the client's request id kept", async () => {
    const { data: stream, response } = await openai.chat.completions
      .create(
        {
          model: 'chat',
          messages: [{ role: 'user', content: text }],
          stream: true,
          stream_options: { include_usage: true },
        },
        { headers: { 'x-request-id': 'client-req-42' } },
      )
      .withResponse();
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('x-failsoft-provider')).toBe('claude');
    expect(response.headers.get('x-failsoft-source')).toBe('provider');
    expect(response.headers.get('x-request-id')).toBe('client-req-42');
    let out = '';
    let chunks = 0;
    let usage = 0;
    for await (const chunk of stream) {
      chunks += 1;
      out += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage?.total_tokens ?? usage;
    }
    expect(out).toContain('Simulated reply');
    expect(chunks).toBeGreaterThan(3);
    expect(usage).toBeGreaterThan(0);
  });

  it('a provider failing after the first token ends the stream with an in-stream error', async () => {
    sim.setFaults({ anthropic: [{ kind: 'mid_stream_error', afterChunks: 2 }] });
    const stream = await openai.chat.completions.create({
      model: 'chat',
      messages: [{ role: 'user', content: text }],
      stream: true,
    });
    let out = '';
    const error = await (async () => {
      for await (const chunk of stream) out += chunk.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(out.length).toBeGreaterThan(0);
  });

  it('primary overloaded: the next provider answers and the headers say so', async () => {
    sim.setFaults({ anthropic: [{ kind: 'overloaded' }] });
    const { data, response } = await openai.chat.completions
      .create({ model: 'chat', messages: [{ role: 'user', content: text }] })
      .withResponse();
    expect(data.model).toMatch(/^gpt-4o/);
    expect(response.headers.get('x-failsoft-provider')).toBe('gpt');
    expect(response.headers.get('x-failsoft-degraded')).toBe('true');
    expect(response.headers.get('x-failsoft-source')).toBe('provider');
  });

  it('every provider down: an enhanced feature answers 200 with its fallback, marked by the headers', async () => {
    sim.setFaults(allDown);
    const { data, response } = await openai.chat.completions
      .create({ model: 'summary', messages: [{ role: 'user', content: text }] })
      .withResponse();
    expect(response.status).toBe(200);
    expect(data.choices[0]?.message.content).toBe('The plant closed at noon.');
    expect(data.model).toBe('summary');
    expect(response.headers.get('x-failsoft-source')).toBe('fallback');
    expect(response.headers.get('x-failsoft-degraded')).toBe('true');
  });

  it("every provider down: an ai-only feature is the SDK's 503 with retry-after and x-should-retry false", async () => {
    sim.setFaults(allDown);
    const error = await openai.chat.completions
      .create({ model: 'chat', messages: [{ role: 'user', content: text }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(503);
    expect(apiError.headers?.get('retry-after')).toMatch(/^\d+$/);
    expect(apiError.headers?.get('x-should-retry')).toBe('false');
    expect(apiError.type).toBe('service_unavailable_error');
  });

  it('unknown feature is 404 and a bad body 400 naming the field, without touching a provider', async () => {
    const unknown = await openai.chat.completions
      .create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    const bad = await openai.chat.completions
      .create({ model: 'chat', messages: [{ role: 'user', content: 'x' }], temperature: 7 })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect((bad as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('temperature');
    const stats = sim.stats();
    expect(Object.values(stats).reduce((n, p) => n + (p?.requests ?? 0), 0)).toBe(0);
  });

  it('tool calls round-trip (served by Claude behind the OpenAI dialect), streamed and not', async () => {
    const tools = [
      {
        type: 'function' as const,
        function: {
          name: 'weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      },
    ];
    const ask = { model: 'chat', messages: [{ role: 'user' as const, content: 'Use weather for Paris' }], tools };
    const first = await openai.chat.completions.create(ask);
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call?.type === 'function' ? call.function.name : '').toBe('weather');
    const streamed = await openai.chat.completions.stream(ask).finalChatCompletion();
    expect(streamed.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      type: 'function',
      function: { name: 'weather' },
    });
    const second = await openai.chat.completions.create({
      ...ask,
      messages: [...ask.messages, first.choices[0]!.message, { role: 'tool', tool_call_id: call!.id, content: '18C' }],
    });
    expect(second.choices[0]?.message.content).toBe('Tool result received.');
  });

  it('lists features as models', async () => {
    const ids: string[] = [];
    for await (const model of openai.models.list()) ids.push(model.id);
    expect(ids).toEqual(['summary', 'chat']);
  });
});

describe('gateway: Anthropic dialect through the official SDK', () => {
  it('generates, answered by the first provider', async () => {
    const { data, response } = await anthropic.messages
      .create({ model: 'chat', max_tokens: 100, messages: [{ role: 'user', content: text }] })
      .withResponse();
    expect(data.type).toBe('message');
    expect(data.model).toMatch(/^claude-sonnet-4-5/);
    const first = data.content[0];
    expect(first?.type === 'text' ? first.text : '').toContain('Simulated reply');
    expect(response.headers.get('x-failsoft-provider')).toBe('claude');
  });

  it('streams named events, served by another provider when the primary is overloaded', async () => {
    sim.setFaults({ anthropic: [{ kind: 'overloaded' }] });
    const stream = anthropic.messages.stream({
      model: 'chat',
      max_tokens: 100,
      messages: [{ role: 'user', content: text }],
    });
    let out = '';
    stream.on('text', (t) => {
      out += t;
    });
    const final = await stream.finalMessage();
    expect(out).toContain('Simulated reply');
    expect(final.model).toMatch(/^gpt-4o/);
    expect(final.stop_reason).toBe('end_turn');
  });

  it('answers from Gemini in the Anthropic dialect, tool calls included', async () => {
    sim.setFaults({ anthropic: [{ kind: 'overloaded' }], openai: [{ kind: 'server_error' }] });
    const { data, response } = await anthropic.messages
      .create({
        model: 'chat',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'Use weather for Oslo' }],
        tools: [
          {
            name: 'weather',
            input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          },
        ],
      })
      .withResponse();
    expect(response.headers.get('x-failsoft-provider')).toBe('gemini');
    expect(data.model).toMatch(/^gemini-2.5-flash/);
    expect(data.stop_reason).toBe('tool_use');
    expect(data.content.find((b) => b.type === 'tool_use')).toMatchObject({ type: 'tool_use', name: 'weather' });
  });

  it('every provider down: an ai-only feature is a 503 overloaded_error with retry-after', async () => {
    sim.setFaults(allDown);
    const error = await anthropic.messages
      .create({ model: 'chat', max_tokens: 100, messages: [{ role: 'user', content: text }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    const apiError = error as InstanceType<typeof Anthropic.APIError>;
    expect(apiError.status).toBe(503);
    expect(apiError.headers?.get('retry-after')).toMatch(/^\d+$/);
    expect(apiError.headers?.get('x-should-retry')).toBe('false');
    expect((apiError.error as { error?: { type?: string } }).error?.type).toBe('overloaded_error');
  });

  it('every provider down: an enhanced feature streams its fallback', async () => {
    sim.setFaults(allDown);
    const final = await anthropic.messages
      .stream({ model: 'summary', max_tokens: 100, messages: [{ role: 'user', content: text }] })
      .finalMessage();
    expect(final.content).toMatchObject([{ type: 'text', text: 'The plant closed at noon.' }]);
    expect(final.model).toBe('summary');
  });

  it('a provider failing after the first token ends the stream with an error event', async () => {
    sim.setFaults({ anthropic: [{ kind: 'mid_stream_error', afterChunks: 2 }] });
    const stream = anthropic.messages.stream({
      model: 'chat',
      max_tokens: 100,
      messages: [{ role: 'user', content: text }],
    });
    let out = '';
    stream.on('text', (t) => {
      out += t;
    });
    const error = await stream.finalMessage().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(out.length).toBeGreaterThan(0);
  });

  it('a bad body is 400 naming the field', async () => {
    const error = await anthropic.messages
      .create({ model: 'chat', max_tokens: -1, messages: [{ role: 'user', content: text }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as Error).message).toContain('max_tokens');
  });
});

describe('gateway: plain HTTP', () => {
  it('/health and /health/ready stay 200 while every provider is down; /health/ai reports', async () => {
    sim.setFaults(allDown);
    await openai.chat.completions.create({ model: 'summary', messages: [{ role: 'user', content: text }] });
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
    expect((await fetch(`${gateway.url}/health/ready`)).status).toBe(200);
    const aiHealth = await fetch(`${gateway.url}/health/ai`);
    expect(aiHealth.status).toBe(200);
    const body = (await aiHealth.json()) as { status: string; features: Record<string, { mode: string }> };
    expect(body.features.summary?.mode).toBe('fallback');
  });

  it("bad JSON is 400 and a body over 8 MiB is 413, in the client's dialect", async () => {
    const badJson = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"model":',
    });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    const big = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'x'.repeat(8 * 1024 * 1024 + 10) }] }),
    });
    expect(big.status).toBe(413);
    // A body the size of a conversation carrying an image (2 MiB) is read, whatever the engine then makes of it.
    const mid = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'chat',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'x'.repeat(2 * 1024 * 1024) }],
      }),
    });
    expect(mid.status).not.toBe(413);
    await mid.body?.cancel();
    expect(await big.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'request_too_large' } });
  });
});
