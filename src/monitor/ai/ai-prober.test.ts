import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../model/fake-clock.js';
import { createFailsoft } from '../../engine/failsoft.js';
import type { FailsoftEvent } from '../../engine/events.js';
import { scriptedAdapter, type ScriptStep } from '../../testing/scripted-adapter.js';
import { turn } from '../../testing/drive-clock.js';
import { AiProber, type ProbeRound } from './ai-prober.js';

describe('AiProber (checks.ai.probes in serve)', () => {
  it('finds a provider that went down while nobody called it, and closes its breaker again once it is back', async () => {
    const clock = new FakeClock();
    let claudeDown = true;
    const claude = scriptedAdapter(
      'claude',
      (): ScriptStep => (claudeDown ? { fail: 'overloaded', status: 529 } : { text: 'pong' }),
      'anthropic',
      { clock },
    );
    const gpt = scriptedAdapter('gpt', () => ({ text: 'pong' }), 'openai', { clock });
    const ai = createFailsoft(
      {
        providers: { claude: { type: 'anthropic', apiKey: 'k' }, gpt: { type: 'openai', apiKey: 'k' } },
        features: { chat: { tier: 'ai-only', route: ['claude/sonnet', 'gpt/mini'] } },
        policies: { breaker: { consecutiveFailures: 2, openMs: 3_000 } },
      },
      { clock, env: {}, adapters: { claude, gpt } },
    );
    const events: FailsoftEvent[] = [];
    ai.on('*', (e) => events.push(e));
    const rounds: ProbeRound[] = [];
    const prober = new AiProber(ai, { intervalMs: 1_000, clock, onRound: (r) => rounds.push(r) });
    const settle = async (): Promise<void> => {
      for (let i = 0; i < 20; i++) await turn();
    };
    prober.start();
    await settle();
    await clock.advance(1_000);
    await settle();
    // Two failed probes, no user request: the breaker opened before anyone met the outage.
    expect(rounds.slice(0, 2).map((r) => r.map((p) => `${p.key} ${p.outcome}`))).toEqual([
      ['claude/sonnet failed', 'gpt/mini answered'],
      ['claude/sonnet failed', 'gpt/mini answered'],
    ]);
    expect(events.some((e) => e.type === 'provider-opened' && e.key === 'claude/sonnet')).toBe(true);
    expect(claude.calls.every((c) => c.request.maxOutputTokens === 1)).toBe(true);
    // While open the probe skips it (no request), then the half-open breaker takes the probe as its trial.
    await clock.advance(1_000);
    await settle();
    expect(rounds[2]?.[0]).toMatchObject({ key: 'claude/sonnet', outcome: 'skipped' });
    claudeDown = false;
    await clock.advance(3_000);
    await settle();
    expect(events.some((e) => e.type === 'provider-closed' && e.key === 'claude/sonnet')).toBe(true);
    expect((await ai.health()).providers.claude?.state).toBe('closed');
    prober.stop();
    await ai.close();
  });

  it('a key on no route is refused by the engine, and reported as a failed probe', async () => {
    const ai = createFailsoft(
      {
        providers: { gpt: { type: 'openai', apiKey: 'k' } },
        features: { chat: { tier: 'ai-only', route: ['gpt/mini'] } },
      },
      { env: {}, adapters: { gpt: scriptedAdapter('gpt', () => ({ text: 'pong' })) } },
    );
    await expect(ai.probe('claude/nope')).rejects.toThrow('no route entry "claude/nope" to probe (known: gpt/mini)');
    const prober = new AiProber(
      { routeKeys: () => ['claude/nope'], probe: (key) => ai.probe(key) },
      { intervalMs: 60_000 },
    );
    expect(await prober.round()).toEqual([
      {
        key: 'claude/nope',
        outcome: 'failed',
        detail: 'no route entry "claude/nope" to probe (known: gpt/mini)',
        ms: 0,
      },
    ]);
    prober.stop();
    await ai.close();
  });
});
