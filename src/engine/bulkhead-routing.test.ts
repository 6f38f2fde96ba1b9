/**
 * A provider's `maxConcurrent` (its bulkhead) through the engine: a full provider is skipped for the next
 * route entry at once, and a stream holds its slot until it ends, however it ends.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../model/fake-clock.js';
import { scriptedAdapter, type ScriptStep } from '../testing/scripted-adapter.js';
import { createFailsoft, type Failsoft } from './failsoft.js';
import type { FailsoftConfig } from './config/config-schema.js';
import type { FailsoftStreamEvent } from './results.js';

const ask = { messages: [{ role: 'user' as const, content: 'Hello there' }] };

function setup(claude: (call: number) => ScriptStep = () => ({ chunks: ['a', 'b', 'c'] })): Failsoft {
  const config: FailsoftConfig = {
    providers: { claude: { type: 'anthropic', apiKey: 'k', maxConcurrent: 1 }, gpt: { type: 'openai', apiKey: 'k' } },
    features: { chat: { tier: 'ai-only', route: ['claude/sonnet', 'gpt/gpt-4o'], deadlineMs: 15_000, maxRetries: 0 } },
  };
  return createFailsoft(config, {
    clock: new FakeClock(1_000_000), env: {}, random: () => 0.5,
    adapters: { claude: scriptedAdapter('claude', claude), gpt: scriptedAdapter('gpt', () => ({ chunks: ['x', 'y'] })) },
  });
}

/** Reads a stream up to (and including) its first text delta, leaving it open. */
async function openStream(ai: Failsoft): Promise<{ events: AsyncGenerator<FailsoftStreamEvent>; provider: string | undefined }> {
  const events = ai.stream('chat', ask);
  let provider: string | undefined;
  for (;;) {
    const next = await events.next();
    if (next.done) break;
    if (next.value.type === 'start') provider = next.value.provider;
    if (next.value.type === 'text-delta') break;
  }
  return { events, provider };
}

async function providerOfNextStream(ai: Failsoft): Promise<string | undefined> {
  let provider: string | undefined;
  for await (const event of ai.stream('chat', ask)) if (event.type === 'start') provider = event.provider;
  return provider;
}

describe('bulkhead: a full provider is skipped at once', () => {
  it('generate: a second call while the only slot is busy goes to the next entry, marked skipped-budget', async () => {
    const ai = setup((call) => (call === 1 ? { text: 'slow', delayMs: 50 } : { text: 'fast' }));
    const first = ai.generate('chat', ask);
    const second = await ai.generate('chat', ask);
    expect(second.provider).toBe('gpt');
    expect(second.attempts.map((a) => [a.provider, a.outcome])).toEqual([['claude', 'skipped-budget'], ['gpt', 'ok']]);
    expect((await first).provider).toBe('claude');
    expect((await ai.generate('chat', ask)).provider).toBe('claude'); // slot freed when the answer came
    await ai.close();
  });
});

describe('bulkhead: a stream holds its slot until it ends', () => {
  it('while one stream is open on the provider, the next goes to the secondary; once it ends, the provider serves again', async () => {
    const ai = setup();
    const open = await openStream(ai);
    expect(open.provider).toBe('claude');
    expect(await providerOfNextStream(ai)).toBe('gpt');
    for await (const event of open.events) void event; // read to the end
    expect(await providerOfNextStream(ai)).toBe('claude');
    await ai.close();
  });

  it('a caller that stops at the start event frees the slot', async () => {
    const ai = setup();
    for await (const event of ai.stream('chat', ask)) {
      expect(event).toMatchObject({ type: 'start', provider: 'claude' });
      break;
    }
    expect(await providerOfNextStream(ai)).toBe('claude');
    await ai.close();
  });

  it('a caller that closes mid-answer, or a stream the provider cuts, frees the slot', async () => {
    const ai = setup((call) => (call === 2 ? { chunks: ['a', 'b'], failAfter: 'server_error' } : { chunks: ['a', 'b', 'c'] }));
    const open = await openStream(ai);
    await open.events.return(undefined);
    const cut: string[] = [];
    for await (const event of ai.stream('chat', ask)) cut.push(event.type);
    expect(cut).toContain('error');
    expect(await providerOfNextStream(ai)).toBe('claude');
    await ai.close();
  });

  it('a stream dropped without being finished or closed frees its slot once collected', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    setFlagsFromString('--no-expose-gc');
    const ai = setup();
    await (async () => {
      const open = await openStream(ai); // then dropped: no return(), no further next()
      expect(open.provider).toBe('claude');
    })();
    expect(await providerOfNextStream(ai)).toBe('gpt'); // still held
    let provider: string | undefined;
    for (let i = 0; i < 20 && provider !== 'claude'; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
      provider = await providerOfNextStream(ai);
    }
    expect(provider).toBe('claude');
    await ai.close();
  });
});
