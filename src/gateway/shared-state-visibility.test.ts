/**
 * A lost shared state (Redis) is visible everywhere an operator looks: `ai.health()` (and so `/health/ai`),
 * `/metrics`, the `shared-state-*` events and the serve log; and its return likewise. The primary here is
 * scripted (up or refusing); the real Redis outage is in test/integration/shared-state-outage.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createFailsoft } from '../engine/failsoft.js';
import type { FailsoftEvent } from '../engine/events.js';
import { FallbackPolicyState } from '../state/fallback-policy-state.js';
import { MemoryPolicyState } from '../state/memory-policy-state.js';
import type { PolicyState } from '../state/policy-state.js';
import { scriptedAdapter } from '../testing/scripted-adapter.js';
import { attachEventLog, LineLog } from './event-log.js';
import { GatewayMetrics } from './metrics.js';

/** Memory behind a switch: while `down`, every call is refused like a stopped Redis. */
function switchablePrimary(): { state: PolicyState; setDown: (down: boolean) => void } {
  const memory = new MemoryPolicyState();
  let down = false;
  const state = new Proxy(memory, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || property === 'close' || property === 'watchCooldowns') return value;
      return (...args: unknown[]) =>
        down
          ? Promise.reject(new Error('Connection is closed.'))
          : (value as (...a: unknown[]) => unknown).apply(target, args);
    },
  });
  return {
    state,
    setDown: (d) => {
      down = d;
    },
  };
}

function metric(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('shared state loss and return, as operators see them', () => {
  it('shows in health, metrics, events and the log, and clears on return', async () => {
    const primary = switchablePrimary();
    const store = new FallbackPolicyState(primary.state, { retryPrimaryAfterMs: 0 });
    const ai = createFailsoft(
      {
        providers: { claude: { type: 'anthropic', apiKey: 'k', limits: { rpm: 1_000 } } },
        features: { summary: { tier: 'enhanced', route: ['claude/sonnet'], fallback: { text: 'later' } } },
      },
      { env: {}, store, adapters: { claude: scriptedAdapter('claude', () => ({ text: 'ok' })) } },
    );
    const metrics = new GatewayMetrics(ai);
    const lines: string[] = [];
    attachEventLog(ai, new LineLog('info', (line) => lines.push(line)));
    const events: FailsoftEvent[] = [];
    ai.on('shared-state-lost', (e) => events.push(e));
    ai.on('shared-state-restored', (e) => events.push(e));
    const ask = { messages: [{ role: 'user' as const, content: 'hello' }] };
    try {
      expect(await ai.health()).toMatchObject({
        status: 'ok',
        sharedState: { backend: 'redis', connected: true, operationsLost: 0 },
      });

      primary.setDown(true);
      expect((await ai.generate('summary', ask)).source).toBe('provider'); // the budget is kept locally: the answer is unchanged
      const lost = await ai.health();
      expect(lost.status).toBe('degraded');
      expect(lost.sharedState).toMatchObject({
        backend: 'redis',
        connected: false,
        lastError: 'Connection is closed.',
      });
      expect(lost.sharedState.degradedSince).toEqual(expect.any(Number));
      expect(lost.sharedState.operationsLost).toBeGreaterThan(0);
      const during = (await metrics.render()).body;
      expect(metric(during, 'failsoft_shared_state_connected{backend="redis"}')).toBe(0);
      expect(metric(during, 'failsoft_shared_state_operations_lost_total{backend="redis"}')).toBeGreaterThan(0);
      expect(events.map((e) => e.type)).toEqual(['shared-state-lost']);
      expect(events[0]).toMatchObject({ backend: 'redis', error: 'Connection is closed.' });
      const warn = lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.event === 'shared-state-lost');
      expect(warn).toMatchObject({
        level: 'warn',
        backend: 'redis',
        msg: expect.stringMatching(/^shared state \(redis\) lost: Connection is closed\./),
      });

      primary.setDown(false);
      await ai.generate('summary', ask);
      const back = await ai.health();
      expect(back.sharedState.connected).toBe(true);
      expect(back.sharedState.degradedSince).toBeUndefined();
      expect(back.status).toBe('ok');
      const after = (await metrics.render()).body;
      expect(metric(after, 'failsoft_shared_state_connected{backend="redis"}')).toBe(1);
      expect(metric(after, 'failsoft_shared_state_operations_lost_total{backend="redis"}')).toBe(
        back.sharedState.operationsLost,
      );
      expect(events.map((e) => e.type)).toEqual(['shared-state-lost', 'shared-state-restored']);
      expect(events[1]).toMatchObject({ backend: 'redis', lostMs: expect.any(Number) });
      const info = lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.event === 'shared-state-restored');
      expect(info).toMatchObject({
        level: 'info',
        msg: expect.stringMatching(/^shared state \(redis\) restored after /),
      });
    } finally {
      metrics.close();
      await ai.close();
      await store.close();
    }
  });

  it('reports a memory store as memory, always connected', async () => {
    const ai = createFailsoft(
      {
        providers: { claude: { type: 'anthropic', apiKey: 'k' } },
        features: { chat: { tier: 'ai-only', route: ['claude/sonnet'] } },
      },
      { env: {}, adapters: { claude: scriptedAdapter('claude', () => ({ text: 'ok' })) } },
    );
    try {
      expect((await ai.health()).sharedState).toEqual({ backend: 'memory', connected: true, operationsLost: 0 });
      const body = (await new GatewayMetrics(ai).render()).body;
      expect(metric(body, 'failsoft_shared_state_connected{backend="memory"}')).toBe(1);
    } finally {
      await ai.close();
    }
  });
});
