/**
 * A client that goes away stops the work done for it: the engine call behind the request ends at once
 * (the upstream call is aborted, not waited out), no other provider is tried, and the provider that was
 * answering is not blamed (its breaker is not charged).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { createFailsoft, type Failsoft } from '../engine/failsoft.js';
import { startSimulator, type RunningSimulator } from '../sim/start-simulator.js';
import { startGateway, type RunningGateway } from './gateway-server.js';

let sim: RunningSimulator;
let ai: Failsoft;
let gateway: RunningGateway;
/** When the engine call made for the request settled (performance.now()). */
let settledAt: number | undefined;

// Streams arrive slowly (200 ms a chunk), so a client can leave in the middle of one.
beforeAll(async () => {
  sim = await startSimulator({ port: 0, chunkDelayMs: 200 });
});
afterAll(async () => {
  await sim.close();
});

beforeEach(async () => {
  sim.clearFaults();
  sim.resetStats();
  settledAt = undefined;
  ai = createFailsoft(
    {
      providers: {
        claude: { type: 'anthropic', baseUrl: sim.urlFor('anthropic'), apiKey: 'sk-ant-sim' },
        gpt: { type: 'openai', baseUrl: sim.urlFor('openai'), apiKey: 'sk-sim' },
      },
      features: { chat: { tier: 'ai-only', route: ['claude/claude-sonnet-4-5', 'gpt/gpt-4o'], deadlineMs: 20_000 } },
    },
    { env: {} },
  );
  // Watch the engine calls the gateway makes: when do they end?
  const generate = ai.generate.bind(ai);
  ai.generate = (feature, req, options) => {
    const call = generate(feature, req, options);
    call.then(
      () => {
        settledAt = performance.now();
      },
      () => {
        settledAt = performance.now();
      },
    );
    return call;
  };
  const stream = ai.stream.bind(ai);
  ai.stream = (feature, req, options) => {
    const events = stream(feature, req, options);
    return (async function* watched() {
      try {
        yield* events;
      } finally {
        settledAt = performance.now();
      }
    })();
  };
  gateway = await startGateway({ ai, port: 0, host: '127.0.0.1' });
});

afterEach(async () => {
  await gateway.close();
  await ai.close();
});

describe('gateway: the client goes away', () => {
  it('mid-request: the upstream call is aborted at once, nobody else is tried, the provider is not blamed', async () => {
    sim.setFaults({ anthropic: [{ kind: 'slow', latencyMs: 5_000 }] });
    const client = new AbortController();
    const pending = request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      signal: client.signal,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'Hello' }] }),
    }).catch((error: unknown) => error);
    // The provider has the request (it fails here, rather than going on to test nothing, if it never does).
    await expect.poll(() => sim.stats().anthropic?.requests ?? 0, { timeout: 2_000, interval: 10 }).toBe(1);
    const leftAt = performance.now();
    client.abort();
    await pending;
    await expect.poll(() => settledAt, { timeout: 3_000, interval: 10 }).toBeDefined();
    expect((settledAt ?? Number.POSITIVE_INFINITY) - leftAt).toBeLessThan(1_000);
    expect(sim.stats().openai?.requests ?? 0).toBe(0);
    const health = await ai.health();
    expect(health.providers.claude?.models['claude-sonnet-4-5']?.state).toBe('closed');
    expect(health.providers.claude?.models['claude-sonnet-4-5']?.errorRate ?? 0).toBe(0);
  });

  it('mid-stream: the stream from the provider is closed', async () => {
    const client = new AbortController();
    const res = await request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      signal: client.signal,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'chat',
        stream: true,
        messages: [{ role: 'user', content: 'Tell me a long story about the plant closing at noon.' }],
      }),
    });
    expect(res.statusCode).toBe(200);
    const reader = res.body[Symbol.asyncIterator]();
    await reader.next();
    const leftAt = performance.now();
    client.abort();
    await reader.return?.();
    await expect.poll(() => settledAt, { timeout: 3_000, interval: 10 }).toBeDefined();
    expect((settledAt ?? Number.POSITIVE_INFINITY) - leftAt).toBeLessThan(1_000);
    expect(sim.stats().openai?.requests ?? 0).toBe(0);
  });

  it('a provider with maxConcurrent 1: an open stream holds the slot (the next stream goes to gpt) until its client leaves', async () => {
    const limited = createFailsoft(
      {
        providers: {
          claude: { type: 'anthropic', baseUrl: sim.urlFor('anthropic'), apiKey: 'sk-ant-sim', maxConcurrent: 1 },
          gpt: { type: 'openai', baseUrl: sim.urlFor('openai'), apiKey: 'sk-sim' },
        },
        features: { chat: { tier: 'ai-only', route: ['claude/claude-sonnet-4-5', 'gpt/gpt-4o'], deadlineMs: 20_000 } },
      },
      { env: {} },
    );
    const server = await startGateway({ ai: limited, port: 0, host: '127.0.0.1' });
    const open = async (signal?: AbortSignal) =>
      request(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        ...(signal ? { signal } : {}),
        body: JSON.stringify({
          model: 'chat',
          stream: true,
          messages: [{ role: 'user', content: 'Tell me a long story about the plant closing at noon.' }],
        }),
      });
    try {
      const client = new AbortController();
      const first = await open(client.signal);
      expect(first.headers['x-failsoft-provider']).toBe('claude');
      const reader = first.body[Symbol.asyncIterator]();
      await reader.next();
      const second = await open();
      expect(second.headers['x-failsoft-provider']).toBe('gpt');
      await second.body.dump();
      client.abort();
      await reader.return?.();
      // The slot is freed once the gateway sees the client leave: ask until claude serves again.
      await expect
        .poll(
          async () => {
            const next = await open();
            await next.body.dump();
            return next.headers['x-failsoft-provider'];
          },
          { timeout: 3_000, interval: 10 },
        )
        .toBe('claude');
    } finally {
      await server.close();
      await limited.close();
    }
  });
});
