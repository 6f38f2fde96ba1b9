/**
 * Scenario tests: the engine against the provider simulator over real HTTP. The engine runs on a
 * FakeClock, so any sleep in the router (backoff, budget wait) would hang the test instead of
 * passing quietly: "no added sleep" is proved by the test finishing without advancing time.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../src/sim/start-simulator.js';
import { createFailsoft, type Failsoft } from '../../src/engine/failsoft.js';
import type { FailsoftConfig } from '../../src/engine/config/config-schema.js';
import type { FailsoftEvent } from '../../src/engine/events.js';
import type { FailsoftStreamEvent } from '../../src/engine/results.js';
import { FakeClock } from '../../src/model/fake-clock.js';
import { AIUnavailableError } from '../../src/model/errors.js';
import { driveClock } from '../../src/testing/drive-clock.js';

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.clearFaults();
  sim.clearLimits();
  sim.resetStats();
});

function engineConfig(): FailsoftConfig {
  return {
    providers: {
      claude: { type: 'anthropic', baseUrl: sim.urlFor('anthropic'), apiKey: 'sk-ant-sim' },
      gpt: { type: 'openai', baseUrl: sim.urlFor('openai'), apiKey: 'sk-sim' },
      gemini: { type: 'gemini', baseUrl: sim.urlFor('gemini'), apiKey: 'gm-sim' },
    },
    features: {
      summary: {
        tier: 'enhanced',
        route: ['claude/claude-sonnet-4-6', 'gpt/gpt-4o-mini', 'gemini/gemini-2.5-flash'],
        deadlineMs: 15000,
        fallback: { leadSentences: 1 },
        maxOutputTokens: 200,
      },
      chat: {
        tier: 'ai-only',
        route: ['claude/claude-sonnet-4-6', 'gpt/gpt-4o'],
        deadlineMs: 15000,
        maxOutputTokens: 200,
      },
    },
    policies: { breaker: { consecutiveFailures: 3, openMs: 5000 } },
  };
}

const ask = {
  messages: [{ role: 'user' as const, content: 'Summarize:\nThe plant closed at noon. Workers waited outside.' }],
};

function engine(clock = new FakeClock(Date.now())): { ai: Failsoft; clock: FakeClock; events: FailsoftEvent[] } {
  const ai = createFailsoft(engineConfig(), { clock, env: {} });
  const events: FailsoftEvent[] = [];
  ai.on('*', (e) => events.push(e));
  return { ai, clock, events };
}

async function collect(stream: AsyncIterable<FailsoftStreamEvent>): Promise<FailsoftStreamEvent[]> {
  const out: FailsoftStreamEvent[] = [];
  for await (const e of stream) out.push(e);
  return out;
}

describe('engine against the simulator', () => {
  it('primary overloaded: the secondary answers at once, with no sleep', async () => {
    const { ai, clock } = engine();
    sim.setFaults({ anthropic: [{ kind: 'overloaded' }] });
    const before = clock.now();
    const r = await ai.generate('summary', ask);
    expect(clock.now()).toBe(before);
    expect(r).toMatchObject({ provider: 'gpt', source: 'provider', degraded: true });
    expect(r.text).toContain('Simulated reply');
    expect(r.attempts.map((a) => [a.provider, a.outcome, a.status])).toEqual([
      ['claude', 'overloaded', 529],
      ['gpt', 'ok', 200],
    ]);
    expect(sim.stats().anthropic?.statuses['529']).toBe(1);
    await ai.close();
  });

  it('every provider down: enhanced returns its fallback, ai-only throws AIUnavailableError with retryAfterMs', async () => {
    const { ai, clock } = engine();
    sim.setFaults({
      anthropic: [{ kind: 'overloaded' }],
      openai: [{ kind: 'server_error' }],
      gemini: [{ kind: 'overloaded' }],
    });
    const { value: r } = await driveClock(clock, ai.generate('summary', ask));
    expect(r).toMatchObject({ source: 'fallback', degraded: true, text: 'The plant closed at noon.' });
    const { value: error } = await driveClock(
      clock,
      ai.generate('chat', ask).catch((e: unknown) => e),
    );
    expect(error).toBeInstanceOf(AIUnavailableError);
    expect((error as AIUnavailableError).retryAfterMs).toBeGreaterThan(0);
    await ai.close();
  });

  it('rate-limited primary with a long retry-after: fails over instead of waiting', async () => {
    const { ai } = engine();
    sim.setFaults({ anthropic: [{ kind: 'rate_limited', retryAfterS: 30 }] });
    const r = await ai.generate('chat', ask);
    expect(r.provider).toBe('gpt');
    expect(r.attempts[0]).toMatchObject({ outcome: 'rate_limited', status: 429 });
    await ai.close();
  });

  it('recovers through half-open: the breaker opens, skips, then a probe closes it', async () => {
    const { ai, clock, events } = engine();
    sim.setFaults({ anthropic: [{ kind: 'overloaded' }] });
    for (let i = 0; i < 3; i++) await ai.generate('summary', ask);
    expect(events.some((e) => e.type === 'provider-opened')).toBe(true);
    sim.resetStats();
    await ai.generate('summary', ask);
    expect(sim.stats().anthropic?.requests ?? 0).toBe(0); // open = skipped, not called
    sim.clearFaults();
    await clock.advance(5000);
    const probe = await ai.generate('summary', ask);
    expect(probe).toMatchObject({ provider: 'claude', degraded: false });
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['provider-half-opened', 'provider-closed']));
    // The feature is said to be back once normal answers have held for the settle time (5 s), not at the first one.
    expect(events.some((e) => e.type === 'feature-recovered')).toBe(false);
    await clock.advance(5000);
    await ai.generate('summary', ask);
    expect(events.filter((e) => e.type === 'feature-recovered').length).toBe(1);
    await ai.close();
  });

  it('a mid-stream error before the first token fails over invisibly; after it, the stream ends with an error event', async () => {
    const { ai } = engine();
    sim.setFaults({ anthropic: [{ kind: 'mid_stream_error', afterChunks: 0 }] });
    const early = await collect(ai.stream('chat', ask));
    expect(early[0]).toMatchObject({ type: 'start', provider: 'gpt' });
    expect(early.at(-1)).toMatchObject({ type: 'finish' });

    sim.setFaults({ anthropic: [{ kind: 'mid_stream_error', afterChunks: 2 }] });
    const late = await collect(ai.stream('chat', ask));
    expect(late[0]).toMatchObject({ type: 'start', provider: 'claude' });
    expect(late.filter((e) => e.type === 'text-delta').length).toBe(2);
    expect(late.at(-1)).toMatchObject({ type: 'error', error: { class: 'overloaded', provider: 'claude' } });
    await ai.close();
  });

  it('a truncated stream is a failure, not a short answer', async () => {
    const { ai } = engine();
    sim.setFaults({ openai: [{ kind: 'truncated_stream', afterChunks: 1 }] });
    sim.setFaults({ anthropic: [{ kind: 'overloaded' }] });
    const events = await collect(ai.stream('chat', ask));
    expect(events[0]).toMatchObject({ type: 'start', provider: 'gpt' });
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { class: 'network' } });
    await ai.close();
  });
});

describe('rate budgets against the simulator', () => {
  it("limits equal to the provider's: a burst causes zero 429s and uses at least 90% of the budget", async () => {
    const limits = { rpm: 120, itpm: 12_000, otpm: 12_000 };
    sim.setLimits({ anthropic: limits });
    const ai = createFailsoft(
      {
        providers: { claude: { type: 'anthropic', baseUrl: sim.urlFor('anthropic'), apiKey: 'sk-ant-sim', limits } },
        features: {
          batch: {
            tier: 'ai-only',
            route: ['claude/claude-sonnet-4-6'],
            deadlineMs: 3000,
            maxOutputTokens: 60,
            priority: 'interactive',
          },
        },
      },
      { env: {} },
    );
    const started = Date.now();
    const results = await Promise.allSettled(Array.from({ length: 200 }, () => ai.generate('batch', ask)));
    const elapsedMs = Date.now() - started;
    const served = results.filter((r) => r.status === 'fulfilled').length;
    const stats = sim.stats().anthropic!;
    expect(stats.statuses['429'] ?? 0).toBe(0);
    // Capacity over the run: the full bucket plus what refilled while it ran (requests are the binding limit here).
    const capacity = limits.rpm + (limits.rpm / 60_000) * elapsedMs;
    expect(served / capacity).toBeGreaterThanOrEqual(0.9);
    expect(results.some((r) => r.status === 'rejected' && r.reason instanceof AIUnavailableError)).toBe(true);
    await ai.close();
  });
});

describe('tool calls across dialects', () => {
  const tools = [
    {
      name: 'get_weather',
      description: 'Weather for a city',
      inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  ];

  it.each([['claude/claude-sonnet-4-6'], ['gpt/gpt-4o'], ['gemini/gemini-2.5-flash']])(
    'a canonical tool round trip works through %s',
    async (entry) => {
      const ai = createFailsoft(
        { ...engineConfig(), features: { agent: { tier: 'ai-only', route: [entry], maxOutputTokens: 200 } } },
        { env: {} },
      );
      const first = await ai.generate('agent', {
        messages: [{ role: 'user', content: 'Use get_weather for Paris' }],
        tools,
        toolChoice: 'required',
      });
      expect(first.finishReason).toBe('tool-calls');
      const call = first.content.find((p) => p.type === 'tool-call');
      expect(call).toMatchObject({ type: 'tool-call', name: 'get_weather' });
      expect(call && call.type === 'tool-call' ? (call.input as { city?: unknown }).city : undefined).toEqual(
        expect.any(String),
      );
      if (call?.type !== 'tool-call') throw new Error('no tool call');
      // The same conversation, continued with the tool's result, in canonical form.
      const second = await ai.generate('agent', {
        messages: [
          { role: 'user', content: 'Use get_weather for Paris' },
          { role: 'assistant', content: [call] },
          {
            role: 'tool',
            content: [{ type: 'tool-result', toolCallId: call.id, name: call.name, content: '{"tempC": 12}' }],
          },
        ],
        tools,
      });
      expect(second.finishReason).toBe('stop');
      expect(second.text.length).toBeGreaterThan(0);
      await ai.close();
    },
  );

  it('a tool call streams as tool events through the engine', async () => {
    const ai = createFailsoft(
      {
        ...engineConfig(),
        features: { agent: { tier: 'ai-only', route: ['claude/claude-sonnet-4-6'], maxOutputTokens: 200 } },
      },
      { env: {} },
    );
    const events = await collect(
      ai.stream('agent', {
        messages: [{ role: 'user', content: 'Use get_weather for Paris' }],
        tools,
        toolChoice: 'required',
      }),
    );
    expect(events.some((e) => e.type === 'tool-call-start')).toBe(true);
    expect(events.find((e) => e.type === 'tool-call')).toMatchObject({ name: 'get_weather' });
    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'tool-calls' });
    await ai.close();
  });
});
