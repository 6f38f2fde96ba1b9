import { describe, expect, it } from 'vitest';
import { FakeClock } from '../model/fake-clock.js';
import { AIUnavailableError, RequestError, TierError, UnknownFeatureError } from '../model/errors.js';
import { CancelSource } from '../model/cancel-signal.js';
import { scriptedAdapter, type ScriptStep } from '../testing/scripted-adapter.js';
import { driveClock, until } from '../testing/drive-clock.js';
import { createFailsoft, type FailsoftOptions } from './failsoft.js';
import type { FailsoftEvent } from './events.js';
import type { FailsoftConfig } from './config/config-schema.js';
import type { FailsoftStreamEvent } from './results.js';

const ask = {
  messages: [{ role: 'user' as const, content: 'Summarize:\nThe plant closed. Workers waited. Nobody knew why.' }],
};

const config: FailsoftConfig = {
  providers: {
    claude: { type: 'anthropic', apiKey: 'k' },
    gpt: { type: 'openai', apiKey: 'k' },
    gemini: { type: 'gemini', apiKey: 'k' },
  },
  features: {
    summary: {
      tier: 'enhanced',
      route: ['claude/sonnet', 'gpt/gpt-4o-mini', 'gemini/flash'],
      deadlineMs: 15000,
      fallback: { leadSentences: 1 },
    },
    chat: { tier: 'ai-only', route: ['claude/sonnet', 'gpt/gpt-4o'], deadlineMs: 15000 },
    billing: { tier: 'critical' },
  },
  policies: { breaker: { consecutiveFailures: 3, openMs: 5000 } },
};

function setup(
  scripts: Record<string, (call: number, model: string) => ScriptStep>,
  extra: Partial<FailsoftOptions> = {},
  cfg: FailsoftConfig = config,
) {
  const clock = new FakeClock(1_000_000);
  const adapters = {
    claude: scriptedAdapter('claude', scripts.claude ?? (() => ({ text: 'from claude' }))),
    gpt: scriptedAdapter('gpt', scripts.gpt ?? (() => ({ text: 'from gpt' }))),
    gemini: scriptedAdapter('gemini', scripts.gemini ?? (() => ({ text: 'from gemini' }))),
  };
  const ai = createFailsoft(cfg, { clock, adapters, random: () => 0.5, env: {}, ...extra });
  const events: FailsoftEvent[] = [];
  ai.on('*', (e) => events.push(e));
  return { ai, clock, adapters, events };
}

const down: ScriptStep = { fail: 'overloaded', status: 529 };

describe('router: failover', () => {
  it('moves to the secondary at once when the primary is overloaded (no sleep) and reports the attempts', async () => {
    const { ai, clock, events } = setup({ claude: () => down });
    const before = clock.now();
    const r = await ai.generate('summary', ask);
    expect(clock.now()).toBe(before); // the fake clock never advanced: nothing slept
    expect(r).toMatchObject({ text: 'from gpt', provider: 'gpt', source: 'provider', degraded: true });
    expect(r.attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ['claude', 'overloaded'],
      ['gpt', 'ok'],
    ]);
    expect(events.find((e) => e.type === 'feature-degraded')).toMatchObject({ feature: 'summary', mode: 'failover' });
  });

  it('serves the primary when healthy, marked not degraded', async () => {
    const { ai } = setup({});
    const r = await ai.generate('summary', ask);
    expect(r).toMatchObject({ provider: 'claude', model: 'sonnet', source: 'provider', degraded: false });
  });

  it('every provider down: enhanced answers with its fallback, ai-only throws AIUnavailableError with retryAfterMs', async () => {
    const { ai, events, clock, adapters } = setup({ claude: () => down, gpt: () => down, gemini: () => down });
    const { value: summary, elapsedMs } = await driveClock(clock, ai.generate('summary', ask));
    expect(summary).toMatchObject({
      source: 'fallback',
      degraded: true,
      text: 'The plant closed.',
      provider: undefined,
    });
    // Retries of the same providers happened only after every entry was tried, within the retry budget (3 per window).
    expect(summary.attempts.slice(0, 3).map((a) => a.provider)).toEqual(['claude', 'gpt', 'gemini']);
    expect(summary.attempts.length).toBeLessThanOrEqual(3 + 3);
    expect(elapsedMs).toBeLessThan(15_000);
    expect(adapters.claude.calls.length).toBeLessThanOrEqual(3);
    const { value: error } = await driveClock(
      clock,
      ai.generate('chat', ask).catch((e: unknown) => e),
    );
    expect(error).toBeInstanceOf(AIUnavailableError);
    expect((error as AIUnavailableError).retryAfterMs).toBeGreaterThan(0);
    expect((error as AIUnavailableError).reason).toBe('providers-failed');
    expect(
      events.some((e) => e.type === 'feature-mode-changed' && e.feature === 'chat' && e.to === 'unavailable'),
    ).toBe(true);
  });

  it('every provider down, JSON mode: fallback.json answers it (plain requests keep their text fallback); a text-only fallback gives AIUnavailableError', async () => {
    const allDown = { claude: () => down, gpt: () => down, gemini: () => down };
    const json = { type: 'json' as const };
    const withJson: FailsoftConfig = {
      ...config,
      features: {
        ...config.features,
        summary: {
          tier: 'enhanced',
          route: ['claude/sonnet'],
          deadlineMs: 15000,
          maxRetries: 0,
          fallback: { leadSentences: 1, json: { summary: null, degraded: true } },
        },
      },
    };
    const a = setup(allDown, {}, withJson);
    expect((await a.ai.generate('summary', { ...ask, responseFormat: json })).text).toBe(
      '{"summary":null,"degraded":true}',
    );
    expect((await a.ai.generate('summary', ask)).text).toBe('The plant closed.');
    const onlyJson = setup(
      allDown,
      {},
      {
        ...withJson,
        features: {
          summary: { tier: 'enhanced', route: ['claude/sonnet'], maxRetries: 0, fallback: { json: { ok: false } } },
        },
      },
    );
    expect((await onlyJson.ai.generate('summary', ask)).text).toBe('{"ok":false}');
    const textOnly = setup(
      allDown,
      {},
      {
        ...withJson,
        features: {
          summary: {
            tier: 'enhanced',
            route: ['claude/sonnet'],
            maxRetries: 0,
            fallback: { text: 'Summary unavailable.' },
          },
        },
      },
    );
    const refused = await textOnly.ai.generate('summary', { ...ask, responseFormat: json }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AIUnavailableError);
    expect((refused as AIUnavailableError).message).toMatch(
      /its fallback is not JSON, and the request asked for JSON: set fallback\.json/,
    );
    const jsonText = setup(
      allDown,
      {},
      {
        ...withJson,
        features: {
          summary: { tier: 'enhanced', route: ['claude/sonnet'], maxRetries: 0, fallback: { text: '{"summary":""}' } },
        },
      },
    );
    expect((await jsonText.ai.generate('summary', { ...ask, responseFormat: json })).source).toBe('fallback'); // a text that is JSON will do
  });

  it('retries the same provider only when no later entry can serve, after the server delay (batch: it can wait)', async () => {
    let calls = 0;
    const { ai, clock } = setup(
      {
        claude: () =>
          ++calls === 1 ? { fail: 'rate_limited', status: 429, retryAfterMs: 2000 } : { text: 'claude again' },
      },
      {},
      {
        ...config,
        features: { chat: { tier: 'ai-only', route: ['claude/sonnet'], deadlineMs: 10000, priority: 'batch' } },
      },
    );
    const pending = ai.generate('chat', ask);
    await until(() => clock.pendingSleeps >= 2); // the deadline timer and the retry wait
    await clock.advance(1999);
    let settled = false;
    void pending.then(() => {
      settled = true;
    });
    await Promise.resolve();
    expect(settled).toBe(false);
    await clock.advance(1);
    const r = await pending;
    expect(r.text).toBe('claude again');
    expect(r.attempts.map((a) => a.outcome)).toEqual(['rate_limited', 'ok']);
  });

  it('an interactive call never sleeps past maxWaitMs for a retry: 503 at once with the real retry time, and the provider cools down', async () => {
    let calls = 0;
    const { ai, clock } = setup(
      {
        claude: () => {
          calls++;
          return { fail: 'rate_limited', status: 429, retryAfterMs: 20_000 };
        },
      },
      {},
      {
        ...config,
        features: { chat: { tier: 'ai-only', route: ['claude/sonnet'], deadlineMs: 30_000 } },
      },
    );
    const started = clock.now();
    const error = await ai.generate('chat', ask).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AIUnavailableError);
    expect((error as AIUnavailableError).retryAfterMs).toBe(20_000);
    expect(clock.now() - started).toBe(0);
    // The next call does not reach the provider: it is cooling down for the rest of its Retry-After.
    await clock.advance(5_000);
    const again = await ai.generate('chat', ask).catch((e: unknown) => e);
    expect((again as AIUnavailableError).retryAfterMs).toBe(15_000);
    expect((again as AIUnavailableError).attempts.map((a) => a.outcome)).toEqual(['skipped-cooldown']);
    expect(calls).toBe(1);
  });

  it('does not wait for a server delay longer than the deadline', async () => {
    const { ai } = setup(
      { claude: () => ({ fail: 'rate_limited', status: 429, retryAfterMs: 60_000 }) },
      {},
      {
        ...config,
        features: { chat: { tier: 'ai-only', route: ['claude/sonnet'], deadlineMs: 10000 } },
      },
    );
    const error = await ai.generate('chat', ask).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AIUnavailableError);
    expect((error as AIUnavailableError).retryAfterMs).toBe(60_000);
  });

  it('a bad request goes back to the caller and never to the next provider', async () => {
    const { ai, adapters } = setup({ claude: () => ({ fail: 'bad_request', status: 400 }) });
    await expect(ai.generate('summary', ask)).rejects.toBeInstanceOf(RequestError);
    expect(adapters.gpt.calls).toHaveLength(0);
  });

  it('a context-length failure moves only to an entry with a larger context window', async () => {
    const { ai, adapters } = setup(
      { claude: () => ({ fail: 'context_length', status: 400 }) },
      {},
      {
        ...config,
        features: {
          long: {
            tier: 'ai-only',
            route: [
              { provider: 'claude', model: 'sonnet', contextWindow: 200_000 },
              { provider: 'gpt', model: 'gpt-4o', contextWindow: 128_000 },
              { provider: 'gemini', model: 'flash', contextWindow: 1_000_000 },
            ],
          },
        },
      },
    );
    const r = await ai.generate('long', ask);
    expect(r.provider).toBe('gemini');
    expect(adapters.gpt.calls).toHaveLength(0);
  });
});

describe('router: deadline', () => {
  it('when the deadline passes on a hung primary, later entries are not charged for attempts never made', async () => {
    const { ai, clock, adapters } = setup(
      { claude: () => ({ hang: true }) },
      {},
      {
        ...config,
        features: { chat: { tier: 'ai-only', route: ['claude/sonnet', 'gpt/gpt-4o'], deadlineMs: 1000 } },
      },
    );
    const { value: error } = await driveClock(
      clock,
      ai.generate('chat', ask).catch((e: unknown) => e),
    );
    expect(error).toBeInstanceOf(AIUnavailableError);
    expect((error as AIUnavailableError).reason).toBe('deadline');
    expect((error as AIUnavailableError).attempts.map((a) => a.outcome)).toEqual(['timeout']);
    expect(adapters.gpt.calls).toHaveLength(0);
    expect((await ai.health()).providers.gpt!.models['gpt-4o']!.requests).toBe(0);
  });
  it('a primary that hangs past its attemptTimeoutMs is a timeout on our own timer: the next entry answers at once', async () => {
    const { ai, clock, adapters } = setup(
      { claude: () => ({ hang: true }) },
      {},
      {
        ...config,
        providers: { ...config.providers, claude: { type: 'anthropic', apiKey: 'k', attemptTimeoutMs: 200 } },
        features: {
          chat: { tier: 'ai-only', route: ['claude/sonnet', 'gpt/gpt-4o'], deadlineMs: 10_000, maxRetries: 0 },
        },
      },
    );
    const pending = ai.generate('chat', ask);
    await until(() => adapters.claude.calls.length === 1);
    await clock.advance(199);
    expect(adapters.gpt.calls).toHaveLength(0);
    await clock.advance(1);
    await until(() => adapters.gpt.calls.length === 1);
    const r = await pending;
    expect(r).toMatchObject({ provider: 'gpt', degraded: true });
    expect(r.attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ['claude', 'timeout'],
      ['gpt', 'ok'],
    ]);
  });

  it('the attempt timer stops once the attempt answered: a stream longer than attemptTimeoutMs is not cut', async () => {
    const { ai, clock } = setup(
      { claude: () => ({ chunks: ['one ', 'two ', 'three'] }) },
      {},
      {
        ...config,
        providers: { ...config.providers, claude: { type: 'anthropic', apiKey: 'k', attemptTimeoutMs: 200 } },
        features: { chat: { tier: 'ai-only', route: ['claude/sonnet', 'gpt/gpt-4o'], deadlineMs: 10_000 } },
      },
    );
    const seen: FailsoftStreamEvent[] = [];
    for await (const event of ai.stream('chat', ask)) {
      seen.push(event);
      if (event.type === 'text-delta') await clock.advance(150);
    }
    expect(
      seen
        .filter((e) => e.type === 'text-delta')
        .map((e) => (e.type === 'text-delta' ? e.text : ''))
        .join(''),
    ).toBe('one two three');
    expect(seen.some((e) => e.type === 'error')).toBe(false);
  });
});

describe('cancellation by the caller', () => {
  it('an AbortSignal stops a hung call with its reason; nobody else is tried and the provider is not blamed', async () => {
    const { ai, adapters } = setup({ claude: () => ({ hang: true }) });
    const controller = new AbortController();
    const pending = ai.generate('chat', ask, { signal: controller.signal }).catch((e: unknown) => e);
    await until(() => adapters.claude.calls.length === 1);
    const reason = new Error('user left');
    controller.abort(reason);
    expect(await pending).toBe(reason);
    expect(adapters.gpt.calls).toHaveLength(0);
    expect((await ai.health()).providers.claude!.models.sonnet!.state).toBe('closed');
  });

  it('a CancelSource works the same for streams, before the first token', async () => {
    const { ai, adapters } = setup({ claude: () => ({ hang: true }) });
    const gone = new CancelSource();
    const events: FailsoftStreamEvent[] = [];
    const reading = (async () => {
      for await (const event of ai.stream('chat', ask, { signal: gone })) events.push(event);
    })().catch((e: unknown) => e);
    await until(() => adapters.claude.calls.length === 1);
    gone.cancel(new Error('client left'));
    expect(await reading).toMatchObject({ message: 'client left' });
    expect(events).toEqual([]);
    expect(adapters.gpt.calls).toHaveLength(0);
  });
});

describe('router: when to retry, after a loss', () => {
  it('every entry forced open by an operator: no retry time is promised', async () => {
    const { ai, adapters } = setup({});
    ai.forceOpen('claude');
    ai.forceOpen('gpt');
    const error = await ai.generate('chat', ask).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AIUnavailableError);
    expect((error as AIUnavailableError).retryAfterMs).toBeUndefined();
    expect((error as AIUnavailableError).message).not.toMatch(/retry in/);
    expect(adapters.claude.calls.length + adapters.gpt.calls.length).toBe(0);
  });

  it('a full-jitter backoff of 0 ms never becomes "retry in 0 ms" for the caller', async () => {
    const { ai, clock } = setup({ claude: () => down, gpt: () => down }, { random: () => 0 });
    const { value: error } = await driveClock(
      clock,
      ai.generate('chat', ask).catch((e: unknown) => e),
    );
    expect(error).toBeInstanceOf(AIUnavailableError);
    expect((error as AIUnavailableError).retryAfterMs).toBeGreaterThanOrEqual(1);
  });

  it('every entry refused our keys: the retry time is the long open of their breakers, not a guess', async () => {
    const { ai } = setup(
      { claude: () => ({ fail: 'auth', status: 401 }), gpt: () => ({ fail: 'auth', status: 401 }) },
      {},
      {
        ...config,
        policies: { breaker: { consecutiveFailures: 3, openMs: 5000, longOpenMs: 600_000 } },
      },
    );
    const error = await ai.generate('chat', ask).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AIUnavailableError);
    expect((error as AIUnavailableError).retryAfterMs).toBe(600_000);
    expect((error as AIUnavailableError).message).toMatch(/retry in 600 s/);
  });
});

describe('router: circuit breaker', () => {
  it('opens after consecutive failures, then skips the primary without calling it, and recovers through half-open', async () => {
    let healthy = false;
    const { ai, adapters, clock, events } = setup({ claude: () => (healthy ? { text: 'claude back' } : down) });
    for (let i = 0; i < 3; i++) await ai.generate('summary', ask);
    expect(events.some((e) => e.type === 'provider-opened' && e.key === 'claude/sonnet')).toBe(true);
    const callsWhenOpened = adapters.claude.calls.length;
    const skipped = await ai.generate('summary', ask);
    expect(adapters.claude.calls.length).toBe(callsWhenOpened);
    expect(skipped.attempts[0]).toMatchObject({ provider: 'claude', outcome: 'skipped-open' });
    expect((await ai.health()).providers.claude!.state).toBe('open');

    healthy = true;
    await clock.advance(5000);
    const probe = await ai.generate('summary', ask);
    expect(probe).toMatchObject({ provider: 'claude', degraded: false });
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['provider-half-opened', 'provider-closed']));
    // The feature is said to be back once normal answers have held for the settle time (5 s), not at the first one.
    expect(events.some((e) => e.type === 'feature-recovered')).toBe(false);
    await clock.advance(5000);
    await ai.generate('summary', ask);
    expect(events.filter((e) => e.type === 'feature-recovered').length).toBe(1);
    expect((await ai.health()).providers.claude!.state).toBe('closed');
  });

  it('forceOpen and forceClose take effect on the next request', async () => {
    const { ai, adapters } = setup({});
    ai.forceOpen('claude');
    expect((await ai.generate('summary', ask)).provider).toBe('gpt');
    ai.forceClose('claude');
    expect((await ai.generate('summary', ask)).provider).toBe('claude');
    expect(adapters.claude.calls).toHaveLength(1);
  });
});

describe('tiers and switches', () => {
  it('a critical feature never reaches a provider', async () => {
    const { ai, adapters } = setup({});
    await expect(ai.generate('billing', ask)).rejects.toBeInstanceOf(TierError);
    expect(adapters.claude.calls).toHaveLength(0);
  });

  it('AI_ENABLED=false: enhanced answers with its fallback without calling anyone, ai-only throws', async () => {
    const { ai, adapters } = setup({}, { env: { AI_ENABLED: 'false' } });
    expect(await ai.generate('summary', ask)).toMatchObject({ source: 'fallback', degraded: true });
    const error = await ai.generate('chat', ask).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AIUnavailableError);
    expect((error as AIUnavailableError).reason).toBe('ai-disabled');
    expect(adapters.claude.calls).toHaveLength(0);
  });

  it('per-feature kill switch is an event and takes effect on the next request', async () => {
    const { ai, adapters, events } = setup({});
    ai.switches.disable('summary');
    expect(await ai.generate('summary', ask)).toMatchObject({ source: 'fallback' });
    ai.switches.enable('summary');
    expect(await ai.generate('summary', ask)).toMatchObject({ source: 'provider' });
    expect(adapters.claude.calls).toHaveLength(1);
    expect(
      events.filter((e) => e.type === 'switch-changed').map((e) => (e.type === 'switch-changed' ? e.enabled : null)),
    ).toEqual([false, true]);
  });

  it('unknown features and malformed requests are refused with a clear error', async () => {
    const { ai } = setup({});
    await expect(ai.generate('sumary', ask)).rejects.toBeInstanceOf(UnknownFeatureError);
    const bad = await ai
      .generate('summary', { messages: [{ role: 'robot', content: 'x' }] } as never)
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(RequestError);
    expect((bad as RequestError).path).toBe('request.messages[0].role');
    const list = await ai
      .generate('summary', { ...ask, responseFormat: { type: 'json', schema: { type: 'array' } } })
      .catch((e: unknown) => e);
    expect(list).toBeInstanceOf(RequestError);
    expect((list as RequestError).message).toMatch(
      /^request\.responseFormat\.schema: the root of a JSON answer schema must be/,
    );
    const named = await ai
      .generate('summary', { ...ask, responseFormat: { type: 'json', name: 'has space' } })
      .catch((e: unknown) => e);
    expect((named as RequestError).path).toBe('request.responseFormat.name');
  });
});

async function collect(stream: AsyncIterable<FailsoftStreamEvent>): Promise<FailsoftStreamEvent[]> {
  const out: FailsoftStreamEvent[] = [];
  for await (const e of stream) out.push(e);
  return out;
}

describe('streams', () => {
  it('a failure before the first token fails over invisibly', async () => {
    const { ai } = setup({
      claude: () => ({ chunks: [], failAfter: 'overloaded' }),
      gpt: () => ({ chunks: ['Hel', 'lo'] }),
    });
    const events = await collect(ai.stream('chat', ask));
    expect(events[0]).toMatchObject({ type: 'start', provider: 'gpt', degraded: true });
    expect(
      events
        .filter((e) => e.type === 'text-delta')
        .map((e) => (e.type === 'text-delta' ? e.text : ''))
        .join(''),
    ).toBe('Hello');
    expect(events.at(-1)).toMatchObject({ type: 'finish' });
  });

  it('a failure after the first token ends the stream with a typed error event, no silent replacement', async () => {
    const { ai, adapters, events: bus } = setup({ claude: () => ({ chunks: ['Hel'], failAfter: 'overloaded' }) });
    const events = await collect(ai.stream('chat', ask));
    expect(events.map((e) => e.type)).toEqual(['start', 'text-delta', 'error']);
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { class: 'overloaded', provider: 'claude' } });
    expect(adapters.gpt.calls).toHaveLength(0);
    expect(bus.some((e) => e.type === 'stream-failed')).toBe(true);
  });

  it('a provider that cuts every stream after its first token trips its breaker: later streams start on the secondary', async () => {
    const { ai, adapters } = setup({ claude: () => ({ chunks: ['Hel'], failAfter: 'network' }) });
    // Default breaker: failure ratio 0.5 over at least 10 calls; each cut stream counts as one failure.
    for (let i = 0; i < 10; i++) {
      const events = await collect(ai.stream('chat', ask));
      expect(events.map((e) => e.type)).toEqual(['start', 'text-delta', 'error']);
    }
    await expect(ai.health().then((h) => h.providers.claude?.models.sonnet?.state)).resolves.toBe('open');
    const events = await collect(ai.stream('chat', ask));
    expect(events[0]).toMatchObject({ type: 'start', provider: 'gpt', degraded: true });
    expect(events.at(-1)).toMatchObject({ type: 'finish' });
    expect(adapters.claude.calls).toHaveLength(10);
  });

  it('every provider down: an enhanced stream carries the fallback, an ai-only stream throws before any event', async () => {
    const { ai, clock } = setup({ claude: () => down, gpt: () => down, gemini: () => down });
    const { value: events } = await driveClock(clock, collect(ai.stream('summary', ask)));
    expect(events[0]).toMatchObject({ type: 'start', source: 'fallback', degraded: true });
    const { value: error } = await driveClock(
      clock,
      collect(ai.stream('chat', ask)).catch((e: unknown) => e),
    );
    expect(error).toBeInstanceOf(AIUnavailableError);
  });
});
