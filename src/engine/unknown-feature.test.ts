/**
 * The engine finds features by own key only: a name every plain object inherits (`__proto__`,
 * `constructor`, `toString`, …) is an unknown feature, never a provider call, never an event.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../model/fake-clock.js';
import { UnknownFeatureError } from '../model/errors.js';
import { scriptedAdapter } from '../testing/scripted-adapter.js';
import { createFailsoft } from './failsoft.js';
import type { FailsoftEvent } from './events.js';

const BUILT_INS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
const ask = { messages: [{ role: 'user' as const, content: 'hi' }] };

function setup() {
  let calls = 0;
  const ai = createFailsoft(
    {
      providers: { claude: { type: 'anthropic', apiKey: 'k' } },
      features: { chat: { tier: 'ai-only', route: ['claude/sonnet'] } },
    },
    {
      clock: new FakeClock(1_000),
      env: {},
      adapters: {
        claude: scriptedAdapter('claude', () => {
          calls++;
          return { text: 'ok' };
        }),
      },
    },
  );
  const events: FailsoftEvent[] = [];
  ai.on('*', (e) => events.push(e));
  return { ai, events, calls: () => calls };
}

describe('engine: built-in object names are unknown features', () => {
  it('generate throws UnknownFeatureError naming the feature and the configured ones; no call, no event, no mode', async () => {
    const { ai, events, calls } = setup();
    for (const name of BUILT_INS) {
      const failure = await ai.generate(name, ask).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(UnknownFeatureError);
      expect((failure as UnknownFeatureError).message).toBe(`unknown feature "${name}" (configured: chat)`);
      expect((failure as UnknownFeatureError).feature).toBe(name);
    }
    expect(calls()).toBe(0);
    expect(events).toEqual([]);
    expect(Object.keys((await ai.health()).features)).toEqual(['chat']);
    expect((await ai.generate('chat', ask)).text).toBe('ok');
  });

  it('stream throws UnknownFeatureError at the first read, for each name', async () => {
    const { ai, events } = setup();
    for (const name of BUILT_INS) {
      await expect(ai.stream(name, ask).next()).rejects.toThrow(new UnknownFeatureError(name, ['chat']));
    }
    expect(events).toEqual([]);
  });

  it('a kill switch for a feature that does not exist (a typo, or a built-in name) is an error, not a silent no-op', () => {
    const { ai, events } = setup();
    for (const name of ['chta', ...BUILT_INS]) {
      expect(() => ai.switches.disable(name)).toThrow(new UnknownFeatureError(name, ['chat']));
      expect(() => ai.switches.enable(name)).toThrow(UnknownFeatureError);
    }
    expect(ai.switches.toJSON().disabledFeatures).toEqual([]);
    expect(events).toEqual([]);
    ai.switches.disable('chat');
    expect(ai.switches.toJSON().disabledFeatures).toEqual(['chat']);
  });
});
