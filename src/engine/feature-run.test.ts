import { describe, expect, it } from 'vitest';
import { FakeClock } from '../model/fake-clock.js';
import { driveClock } from '../testing/drive-clock.js';
import { scriptedAdapter, type ScriptStep } from '../testing/scripted-adapter.js';
import type { FailsoftConfig } from './config/config-schema.js';
import type { FailsoftEvent } from './events.js';
import { createFailsoft } from './failsoft.js';
import type { FailsoftStreamEvent } from './results.js';

const ask = { messages: [{ role: 'user' as const, content: 'Summarize:\nThe plant closed. Workers waited.' }] };

const config: FailsoftConfig = {
  providers: { claude: { type: 'anthropic', apiKey: 'k' }, gpt: { type: 'openai', apiKey: 'k' } },
  features: {
    summary: { tier: 'enhanced', route: ['claude/sonnet', 'gpt/mini'], fallback: { leadSentences: 1 } },
    chat: { tier: 'ai-only', route: ['claude/sonnet', 'gpt/mini'] },
  },
};

function setup(claude: ScriptStep, gpt: ScriptStep = { text: 'from gpt' }) {
  const clock = new FakeClock(1_000_000);
  const ai = createFailsoft(config, {
    clock,
    env: {},
    random: () => 0.5,
    adapters: { claude: scriptedAdapter('claude', () => claude), gpt: scriptedAdapter('gpt', () => gpt) },
  });
  const completed: Array<FailsoftEvent<'request-completed'>> = [];
  ai.on('request-completed', (e) => completed.push(e));
  return { ai, clock, completed };
}

async function drain(events: AsyncGenerator<FailsoftStreamEvent>): Promise<FailsoftStreamEvent[]> {
  const all: FailsoftStreamEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

/** One call, the fake clock driven so retries after backoff (pass 2) elapse. */
async function call(
  { ai, clock }: ReturnType<typeof setup>,
  way: 'generate' | 'stream',
  feature: string,
): Promise<unknown> {
  const pending: Promise<unknown> = way === 'generate' ? ai.generate(feature, ask) : drain(ai.stream(feature, ask));
  return (await driveClock(clock, pending)).value;
}

describe('the feature run: one request-completed per call, generate and stream alike', () => {
  for (const way of ['generate', 'stream'] as const) {
    it(`${way}: a provider's answer after a failover names who answered, degraded`, async () => {
      const run = setup({ fail: 'overloaded', status: 529 });
      const { completed } = run;
      await call(run, way, 'chat');
      expect(completed).toHaveLength(1);
      expect(completed[0]).toMatchObject({
        feature: 'chat',
        source: 'provider',
        provider: 'gpt',
        model: 'mini',
        degraded: true,
      });
      expect(completed[0]?.attempts.map((a) => a.outcome)).toEqual(['overloaded', 'ok']);
    });

    it(`${way}: every provider down, an enhanced feature's fallback is reported as such`, async () => {
      const run = setup({ fail: 'overloaded', status: 529 }, { fail: 'server_error', status: 500 });
      const { completed } = run;
      await call(run, way, 'summary');
      expect(completed).toHaveLength(1);
      expect(completed[0]).toMatchObject({ feature: 'summary', source: 'fallback', degraded: true });
      expect(completed[0]?.provider).toBeUndefined();
    });

    it(`${way}: every provider down, an ai-only feature's error is reported once`, async () => {
      const run = setup({ fail: 'overloaded', status: 529 }, { fail: 'server_error', status: 500 });
      const { completed } = run;
      await expect(call(run, way, 'chat')).rejects.toThrow(/chat is unavailable: no provider can serve it right now/);
      expect(completed).toHaveLength(1);
      expect(completed[0]).toMatchObject({ feature: 'chat', source: 'error', degraded: true });
    });

    it(`${way}: a request the provider refuses is the caller's error, reported not degraded, never failed over`, async () => {
      const run = setup({ fail: 'bad_request', status: 400 });
      const { completed } = run;
      await expect(call(run, way, 'chat')).rejects.toThrow(/scripted bad_request/);
      expect(completed).toHaveLength(1);
      expect(completed[0]).toMatchObject({ source: 'error', degraded: false });
      expect(completed[0]?.attempts.map((a) => a.provider)).toEqual(['claude']);
    });

    it(`${way}: a feature switched off answers without calling a provider`, async () => {
      const run = setup({ text: 'never' });
      const { ai, completed } = run;
      ai.switches.disable('summary');
      await call(run, way, 'summary');
      expect(completed).toHaveLength(1);
      expect(completed[0]).toMatchObject({ source: 'fallback', attempts: [] });
    });
  }

  it('an unknown feature is refused before anything is reported', async () => {
    const { ai, completed } = setup({ text: 'never' });
    await expect(ai.generate('nope', ask)).rejects.toThrow(/nope/);
    await expect(drain(ai.stream('nope', ask))).rejects.toThrow(/nope/);
    expect(completed).toHaveLength(0);
  });
});
