/**
 * Outage shapes: providers that say "retry after N s" (429 with Retry-After), with the built-in example
 * config. Before cool-downs, `summary` slept 20 s before its fallback, `chat` answered 503 "retry-after: 1"
 * after waiting 20 s, and a provider that asked for 5 s of quiet kept receiving every request.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { outageRig, type OutageRig } from './outage-rig.js';

let rig: OutageRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const limited = (retryAfterS: number, count?: number) => ({
  kind: 'rate_limited' as const,
  retryAfterS,
  ...(count === undefined ? {} : { count }),
});

describe('429 with Retry-After, default settings', () => {
  it('every provider 429 for 20 s: enhanced gets its fallback at once, ai-only a 503 saying 20 s, and nobody is called again meanwhile', async () => {
    rig = await outageRig();
    const r = rig;
    r.sim.setFaults({ anthropic: [limited(20)], openai: [limited(20)], gemini: [limited(20)] });
    const summary = await r.call('summary');
    expect(summary.status).toBe(200);
    expect(summary.headers.get('x-failsoft-source')).toBe('fallback');
    expect(summary.body).toContain('The plant closed at noon.');
    expect(summary.ms).toBeLessThanOrEqual(1_000);
    const chat = await r.call('chat');
    expect(chat.status).toBe(503);
    expect(chat.headers.get('retry-after')).toBe('20');
    expect(chat.ms).toBeLessThanOrEqual(1_000);
    // Cool-downs are per provider+model (OpenAI and Gemini limit each model apart): chat's gpt-4o had not been told yet.
    expect(r.calls()).toEqual({ claude: 1, gpt: 2, gemini: 1 });
    for (let i = 0; i < 5; i++) {
      const again = await r.call(i % 2 === 0 ? 'chat' : 'summary', { stream: i > 2 });
      expect(again.status).toBe(i % 2 === 0 ? 503 : 200);
      if (i % 2 === 0) expect(Number(again.headers.get('retry-after'))).toBeGreaterThanOrEqual(19);
      expect(again.ms).toBeLessThanOrEqual(1_000);
    }
    expect(r.calls()).toEqual({ claude: 1, gpt: 2, gemini: 1 });
    expect(
      r.events
        .filter((e) => e.type === 'provider-cooldown-started')
        .map((e) => e.type === 'provider-cooldown-started' && e.provider)
        .sort(),
    ).toEqual(['claude', 'gemini', 'gpt', 'gpt']);
    // A Retry-After is not a breaker failure: nothing opened. Health and metrics say who is cooling down, and for how long.
    expect(r.events.some((e) => e.type === 'provider-opened')).toBe(false);
    const health = (await (await fetch(`${r.gateway.url}/health/ai`)).json()) as {
      status: string;
      providers: Record<string, { state: string; models: Record<string, { coolingDownMs?: number }> }>;
    };
    expect(health.status).toBe('degraded');
    expect(health.providers.claude?.state).toBe('closed');
    expect(health.providers.claude?.models['claude-sonnet-4-5']?.coolingDownMs).toBeGreaterThan(15_000);
    const metrics = await (await fetch(`${r.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(
      /failsoft_cooldown_remaining_seconds\{provider="claude",model="claude-sonnet-4-5"\} 1\d\.\d+/,
    );
    expect(metrics).toContain('failsoft_cooldowns_total{provider="gpt",model="gpt-4o",source="local"} 1');
  });

  it('one provider 429 with Retry-After 5 s (no limits configured): no request reaches it until the 5 s have passed', async () => {
    rig = await outageRig();
    const r = rig;
    r.sim.setFaults({ anthropic: [limited(5, 1)] });
    const first = await r.call('summary');
    expect(first.headers.get('x-failsoft-provider')).toBe('gpt');
    const cooledAt = performance.now();
    let answered = 0;
    while (performance.now() - cooledAt < 4_000) {
      const batch = await Promise.all([r.call('summary'), r.call('chat', { stream: true })]);
      for (const answer of batch) {
        expect(answer.status).toBe(200);
        expect(answer.headers.get('x-failsoft-provider')).toBe('gpt');
      }
      answered += batch.length;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(answered).toBeGreaterThan(20);
    expect(r.calls().claude).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 5_100 - (performance.now() - cooledAt))));
    const back = await r.call('summary');
    expect(back.headers.get('x-failsoft-provider')).toBe('claude');
    expect(r.calls().claude).toBe(2);
  }, 20_000);
});
