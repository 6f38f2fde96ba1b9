import { describe, expect, it } from 'vitest';
import { FakeClock } from '../model/fake-clock.js';
import { createFailsoft } from '../engine/failsoft.js';
import { scriptedAdapter } from '../testing/scripted-adapter.js';
import { driveClock } from '../testing/drive-clock.js';
import { attachEventLog, LineLog } from './event-log.js';

const ask = { messages: [{ role: 'user' as const, content: 'hello' }] };

function setup(level: 'info' | 'debug') {
  const clock = new FakeClock(Date.UTC(2026, 11, 6, 12));
  const adapters = {
    claude: scriptedAdapter('claude', () => ({ fail: 'rate_limited', status: 429, retryAfterMs: 20_000 }), 'anthropic', { clock }),
    gpt: scriptedAdapter('gpt', () => ({ hang: true }), 'openai', { clock }),
  };
  const ai = createFailsoft({
    providers: { claude: { type: 'anthropic', apiKey: 'k' }, gpt: { type: 'openai', apiKey: 'k' } },
    features: { chat: { tier: 'ai-only', route: ['claude/sonnet', 'gpt/mini'] } },
  }, { clock, adapters, env: {} });
  const lines: Array<Record<string, unknown>> = [];
  attachEventLog(ai, new LineLog(level, (line) => lines.push(JSON.parse(line) as Record<string, unknown>), () => clock.now()));
  return { ai, clock, lines };
}

describe('the outage timeline in the log', () => {
  it('says when a provider asked for quiet and when the quiet ended (info), not each hedge', async () => {
    const { ai, clock, lines } = setup('info');
    await driveClock(clock, ai.generate('chat', ask).catch(() => undefined), 100);
    expect(lines.map((l) => [l.level, l.msg])).toContainEqual(['warn', 'claude/sonnet asked for quiet (429 Retry-After): no requests for 20 s']);
    await clock.advance(20_000);
    expect(lines.map((l) => [l.level, l.msg])).toContainEqual(['info', 'claude/sonnet cool-down over: requests go to it again']);
    expect(lines.some((l) => l.event === 'attempt-hedged')).toBe(false);
  });

  it('at debug, also says which attempt was hedged beside a silent one', async () => {
    const clock = new FakeClock(Date.UTC(2026, 11, 6, 12));
    const ai = createFailsoft({
      providers: { claude: { type: 'anthropic', apiKey: 'k' }, gpt: { type: 'openai', apiKey: 'k' } },
      features: { chat: { tier: 'ai-only', route: ['claude/sonnet', 'gpt/mini'] } },
    }, { clock, env: {}, adapters: { claude: scriptedAdapter('claude', () => ({ hang: true }), 'anthropic', { clock }), gpt: scriptedAdapter('gpt', () => ({ text: 'ok' }), 'openai', { clock }) } });
    const lines: Array<Record<string, unknown>> = [];
    attachEventLog(ai, new LineLog('debug', (line) => lines.push(JSON.parse(line) as Record<string, unknown>), () => clock.now()));
    await driveClock(clock, ai.generate('chat', ask), 100);
    expect(lines.map((l) => [l.level, l.msg])).toContainEqual(['debug', 'feature chat: gpt/mini started beside claude/sonnet (slow)']);
  });
});
