import { describe, expect, it } from 'vitest';
import { FakeClock } from '../model/fake-clock.js';
import { AIUnavailableError } from '../model/errors.js';
import { scriptedAdapter, type ScriptStep } from '../testing/scripted-adapter.js';
import { driveClock } from '../testing/drive-clock.js';
import { createFailsoft } from './failsoft.js';
import type { EngineParts } from './build-targets.js';
import type { FailsoftEvent } from './events.js';
import type { FailsoftConfig } from './config/config-schema.js';
import type { FailsoftStreamEvent } from './results.js';

const ask = { messages: [{ role: 'user' as const, content: 'Summarize:\nThe plant closed. Workers waited.' }] };

const config: FailsoftConfig = {
  providers: { claude: { type: 'anthropic', apiKey: 'k' }, gpt: { type: 'openai', apiKey: 'k' } },
  features: {
    summary: { tier: 'enhanced', route: ['claude/sonnet', 'gpt/mini'], fallback: { leadSentences: 1 } },
    chat: { tier: 'ai-only', route: ['claude/sonnet', 'gpt/mini'] },
    nightly: { tier: 'ai-only', route: ['claude/sonnet', 'gpt/mini'], priority: 'batch' },
    solo: { tier: 'ai-only', route: ['claude/sonnet', 'gpt/mini'], hedge: false },
  },
};

function setup(
  claude: (call: number) => ScriptStep,
  gpt: (call: number) => ScriptStep = () => ({ text: 'from gpt', delayMs: 100 }),
  cfg: FailsoftConfig = config,
) {
  const clock = new FakeClock(1_000_000);
  const adapters = {
    claude: scriptedAdapter('claude', claude, 'anthropic', { clock }),
    gpt: scriptedAdapter('gpt', gpt, 'openai', { clock }),
  };
  const ai = createFailsoft(cfg, { clock, adapters, env: {}, random: () => 0.5 });
  const events: FailsoftEvent[] = [];
  ai.on('*', (e) => events.push(e));
  return { ai, clock, adapters, events };
}

async function collect(stream: AsyncGenerator<FailsoftStreamEvent>): Promise<FailsoftStreamEvent[]> {
  const out: FailsoftStreamEvent[] = [];
  for await (const event of stream) out.push(event);
  return out;
}

describe('liveness: a hang is told from slowness in seconds', () => {
  it('a primary that never accepts is hedged at the cold hedge delay, then abandoned at the 2.5-s acceptance floor once hedges are spent', async () => {
    const { ai, clock, adapters } = setup(() => ({ hang: true }));
    // The hedge budget's minimum (2 a window): the first two requests hedge after 1 s.
    for (let i = 0; i < 2; i++) {
      const { value, elapsedMs } = await driveClock(clock, ai.generate('chat', ask), 10);
      expect(value.provider).toBe('gpt');
      expect(elapsedMs).toBeGreaterThanOrEqual(1_100);
      expect(elapsedMs).toBeLessThanOrEqual(1_150);
      // In the order they ended: the primary was cancelled when the hedge's first content came.
      expect(value.attempts.map((a) => [a.outcome, a.hedge ?? false])).toEqual([
        ['lost-race', false],
        ['ok', true],
      ]);
    }
    // No hedge left in this window: the next one waits for the acceptance timeout, then fails over.
    const { value, elapsedMs } = await driveClock(clock, ai.generate('chat', ask), 10);
    expect(value.provider).toBe('gpt');
    expect(elapsedMs).toBeGreaterThanOrEqual(2_600);
    expect(elapsedMs).toBeLessThanOrEqual(2_650);
    expect(value.attempts.map((a) => a.outcome)).toEqual(['timeout', 'ok']);
    expect(adapters.claude.calls.length).toBe(3);
  });

  it('a lost race says nothing against the primary; timeouts count and open its breaker', async () => {
    const { ai, clock, events } = setup(() => ({ hang: true }), undefined, {
      ...config,
      policies: { hedge: { minPerWindow: 0, budgetRatio: 0 } },
    });
    for (let i = 0; i < 5; i++) await driveClock(clock, ai.generate('solo', ask), 10);
    expect(
      events.filter((e) => e.type === 'provider-opened').map((e) => e.type === 'provider-opened' && e.key),
    ).toEqual(['claude/sonnet']);
    const { value, elapsedMs } = await driveClock(clock, ai.generate('solo', ask), 10);
    expect(value.attempts.map((a) => a.outcome)).toEqual(['skipped-open', 'ok']);
    expect(elapsedMs).toBeLessThanOrEqual(110);
  });

  it('learns each provider’s latency: one that always takes 1.5 s to accept is kept, and its p95 is reported', async () => {
    const { ai, clock } = setup(() => ({ text: 'claude, slowly', delayMs: 1_500 }), undefined, {
      ...config,
      policies: { hedge: { minPerWindow: 0, budgetRatio: 0 } },
    });
    for (let i = 0; i < 10; i++) {
      const { value } = await driveClock(clock, ai.generate('solo', ask), 50);
      expect(value.provider).toBe('claude');
    }
    const health = await ai.health();
    expect(health.providers.claude?.models.sonnet?.learned?.acceptedP95Ms).toBe(1_500);
  });

  it('a non-streamed answer that stalls half-way fails over (nothing reached the caller yet)', async () => {
    const { ai, clock } = setup(
      () => ({ stall: true, chunks: ['The plant'] }),
      () => ({ text: 'from gpt' }),
    );
    const { value, elapsedMs } = await driveClock(clock, ai.generate('solo', ask), 100);
    expect(value.provider).toBe('gpt');
    expect(value.attempts.map((a) => a.outcome)).toEqual(['timeout', 'ok']);
    expect(elapsedMs).toBeGreaterThanOrEqual(15_000);
    expect(elapsedMs).toBeLessThan(15_300);
  });

  it('a stream that stalls after content ends with a timeout error event at the idle bound, and counts against the breaker', async () => {
    const { ai, clock, events } = setup(() => ({ stall: true, chunks: ['The plant', ' closed'] }));
    const { value, elapsedMs } = await driveClock(clock, collect(ai.stream('chat', ask)), 100);
    expect(value.map((e) => e.type)).toEqual(['start', 'text-delta', 'text-delta', 'error']);
    const last = value.at(-1);
    expect(last?.type === 'error' && last.error.class).toBe('timeout');
    expect(last?.type === 'error' && last.error.message).toBe('claude: stream stalled: no data for 15000 ms');
    expect(elapsedMs).toBeGreaterThanOrEqual(15_000);
    expect(events.some((e) => e.type === 'stream-failed' && e.class === 'timeout')).toBe(true);
  });

  it('batch traffic gets longer floors and never hedges', async () => {
    const { ai, clock, events } = setup(() => ({ hang: true }));
    const { value, elapsedMs } = await driveClock(clock, ai.generate('nightly', ask), 100);
    expect(value.provider).toBe('gpt');
    expect(elapsedMs).toBeGreaterThanOrEqual(10_000);
    expect(elapsedMs).toBeLessThan(10_300);
    expect(events.some((e) => e.type === 'attempt-hedged')).toBe(false);
  });

  it('a fixed liveness for a provider (a model that thinks before answering) replaces the learned one', async () => {
    const cfg: FailsoftConfig = {
      ...config,
      providers: {
        ...config.providers,
        claude: { type: 'anthropic', apiKey: 'k', liveness: { headersMs: 30_000, firstTokenMs: 40_000 } },
      },
    };
    const { ai, clock } = setup(() => ({ text: 'thought hard', delayMs: 20_000 }), undefined, cfg);
    const { value } = await driveClock(clock, ai.generate('solo', ask), 200);
    expect(value.provider).toBe('claude');
  });
});

describe('hedging and probes', () => {
  it('a half-open probe gets a partner at once: the request is answered by the partner, the probe decides the breaker', async () => {
    let claudeBack = false;
    const { ai, clock, events } = setup(
      () => (claudeBack ? { text: 'claude is back', delayMs: 300 } : { fail: 'overloaded', status: 529 }),
      () => ({ text: 'from gpt', delayMs: 50 }),
    );
    for (let i = 0; i < 5; i++) await driveClock(clock, ai.generate('solo', ask), 10);
    expect(events.some((e) => e.type === 'provider-opened')).toBe(true);
    await clock.advance(5_000);
    claudeBack = true;
    const { value, elapsedMs } = await driveClock(clock, ai.generate('solo', ask), 10);
    // The probe (claude, 300 ms) lost to its partner (gpt, 50 ms), yet proved claude is back.
    expect(value.provider).toBe('gpt');
    expect(elapsedMs).toBeLessThanOrEqual(70);
    expect(events.some((e) => e.type === 'attempt-hedged' && e.reason === 'probe')).toBe(true);
    await driveClock(
      clock,
      new Promise((resolve) => setTimeout(resolve, 0)).then(() => clock.advance(400)),
      10,
    );
    expect(events.some((e) => e.type === 'provider-closed' && e.key === 'claude/sonnet')).toBe(true);
    const again = await driveClock(clock, ai.generate('solo', ask), 10);
    expect(again.value.provider).toBe('claude');
  });

  it('the feature can opt out of hedging (hedge: false)', async () => {
    const { ai, clock, events } = setup(() => ({ text: 'slow claude', delayMs: 2_000 }));
    const { value } = await driveClock(clock, ai.generate('solo', ask), 50);
    expect(value.provider).toBe('claude');
    expect(events.some((e) => e.type === 'attempt-hedged')).toBe(false);
  });
});

describe('the tier contract holds when failsoft itself fails', () => {
  it('a policy that throws gives the fallback (enhanced) or a 503 with a retry time (ai-only), and an engine-faulted event', async () => {
    const { ai, events } = setup(() => ({ text: 'never asked' }));
    const parts = (ai as unknown as { parts: EngineParts }).parts;
    for (const budget of parts.budgets.values()) budget.tryReserve = () => Promise.reject(new Error('bug in a policy'));
    const summary = await ai.generate('summary', ask);
    expect(summary).toMatchObject({ source: 'fallback', degraded: true, text: 'The plant closed.' });
    const chat = await ai.generate('chat', ask).catch((e: unknown) => e);
    expect(chat).toBeInstanceOf(AIUnavailableError);
    expect((chat as AIUnavailableError).retryAfterMs).toBe(1_000);
    const streamed = await collect(ai.stream('summary', ask));
    expect(streamed[0]).toMatchObject({ type: 'start', source: 'fallback' });
    expect(events.filter((e) => e.type === 'engine-faulted').length).toBe(3);
  });

  it('a fallback function that throws (or returns no text) is a 503 with a retry time and an engine-faulted event, not an internal error', async () => {
    for (const broken of [
      () => {
        throw new Error('template missing');
      },
      () => undefined as unknown as string,
    ]) {
      const cfg: FailsoftConfig = {
        ...config,
        features: { summary: { tier: 'enhanced', route: ['claude/sonnet'], maxRetries: 0, fallback: broken } },
      };
      const { ai, events } = setup(() => ({ fail: 'overloaded', status: 529 }), undefined, cfg);
      const failure = await ai.generate('summary', ask).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(AIUnavailableError);
      expect((failure as AIUnavailableError).message).toMatch(
        /its fallback failed: (template missing|it returned undefined, not text)/,
      );
      expect((failure as AIUnavailableError).retryAfterMs).toBeGreaterThan(0);
      expect(events.filter((e) => e.type === 'engine-faulted').length).toBe(1);
    }
  });
});
