/**
 * A provider's `maxConcurrent` (its bulkhead) through the engine: a full provider is skipped for the next
 * route entry at once, and a stream holds its slot until it ends, however it ends.
 */
import { describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../model/fake-clock.js';
import { scriptedAdapter, type ScriptStep } from '../testing/scripted-adapter.js';
import { createFailsoft, type Failsoft } from './failsoft.js';
import type { FailsoftConfig } from './config/config-schema.js';
import type { FailsoftStreamEvent } from './results.js';

const ask = { messages: [{ role: 'user' as const, content: 'Hello there' }] };

/**
 * A FinalizationRegistry the test collects by hand: `collect(target)` runs the cleanup callback of every
 * registry that holds `target`, as V8 would once it collected it. Holds its targets strongly.
 */
class ManualFinalizationRegistry<T> {
  private static readonly all: ManualFinalizationRegistry<unknown>[] = [];
  private readonly held = new Map<object, T>();

  constructor(private readonly cleanup: (held: T) => void) {
    ManualFinalizationRegistry.all.push(this as ManualFinalizationRegistry<unknown>);
  }

  register(target: object, held: T): void {
    this.held.set(target, held);
  }

  unregister(): boolean {
    return false;
  }

  /** "Collects" `target`; returns how many registries held it. */
  static collect(target: object): number {
    let count = 0;
    for (const registry of ManualFinalizationRegistry.all) {
      if (!registry.held.has(target)) continue;
      const held = registry.held.get(target);
      registry.held.delete(target);
      registry.cleanup(held);
      count += 1;
    }
    return count;
  }
}

function setup(
  claude: (call: number) => ScriptStep = () => ({ chunks: ['a', 'b', 'c'] }),
  create: typeof createFailsoft = createFailsoft,
): Failsoft {
  const config: FailsoftConfig = {
    providers: { claude: { type: 'anthropic', apiKey: 'k', maxConcurrent: 1 }, gpt: { type: 'openai', apiKey: 'k' } },
    features: { chat: { tier: 'ai-only', route: ['claude/sonnet', 'gpt/gpt-4o'], deadlineMs: 15_000, maxRetries: 0 } },
  };
  return create(config, {
    clock: new FakeClock(1_000_000),
    env: {},
    random: () => 0.5,
    adapters: {
      claude: scriptedAdapter('claude', claude),
      gpt: scriptedAdapter('gpt', () => ({ chunks: ['x', 'y'] })),
    },
  });
}

/** Reads a stream up to (and including) its first text delta, leaving it open. */
async function openStream(
  ai: Failsoft,
): Promise<{ events: AsyncGenerator<FailsoftStreamEvent>; provider: string | undefined }> {
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
    expect(second.attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ['claude', 'skipped-budget'],
      ['gpt', 'ok'],
    ]);
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
    const ai = setup((call) =>
      call === 2 ? { chunks: ['a', 'b'], failAfter: 'server_error' } : { chunks: ['a', 'b', 'c'] },
    );
    const open = await openStream(ai);
    await open.events.return(undefined);
    const cut: string[] = [];
    for await (const event of ai.stream('chat', ask)) cut.push(event.type);
    expect(cut).toContain('error');
    expect(await providerOfNextStream(ai)).toBe('claude');
    await ai.close();
  });

  it('a stream dropped without being finished or closed frees its slot once collected', async () => {
    // When V8 collects is its own business: the registry is replaced by one the test drives, so the
    // wiring (the stream registered with its guard) and the release are checked, not the collector.
    vi.stubGlobal('FinalizationRegistry', ManualFinalizationRegistry);
    vi.resetModules();
    try {
      const fresh = await import('./failsoft.js');
      const ai = setup(undefined, fresh.createFailsoft);
      const open = await openStream(ai); // then dropped: no return(), no further next()
      expect(open.provider).toBe('claude');
      expect(await providerOfNextStream(ai)).toBe('gpt'); // still held
      expect(ManualFinalizationRegistry.collect(open.events)).toBe(1);
      expect(await providerOfNextStream(ai)).toBe('claude');
      await ai.close();
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
  });
});
