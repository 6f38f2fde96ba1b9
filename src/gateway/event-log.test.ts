import { describe, expect, it } from 'vitest';
import { FakeClock } from '../model/fake-clock.js';
import { createFailsoft } from '../engine/failsoft.js';
import { scriptedAdapter } from '../testing/scripted-adapter.js';
import { driveClock } from '../testing/drive-clock.js';
import { request } from 'undici';
import { attachEventLog, LineLog, type AccessLogEntry } from './event-log.js';
import { startGateway } from './gateway-server.js';

const ask = { messages: [{ role: 'user' as const, content: 'hello' }] };

function setup(level: 'info' | 'debug') {
  const clock = new FakeClock(Date.UTC(2026, 11, 6, 12));
  const adapters = {
    claude: scriptedAdapter(
      'claude',
      () => ({ fail: 'rate_limited', status: 429, retryAfterMs: 20_000 }),
      'anthropic',
      { clock },
    ),
    gpt: scriptedAdapter('gpt', () => ({ hang: true }), 'openai', { clock }),
  };
  const ai = createFailsoft(
    {
      providers: { claude: { type: 'anthropic', apiKey: 'k' }, gpt: { type: 'openai', apiKey: 'k' } },
      features: { chat: { tier: 'ai-only', route: ['claude/sonnet', 'gpt/mini'] } },
    },
    { clock, adapters, env: {} },
  );
  const lines: Array<Record<string, unknown>> = [];
  attachEventLog(
    ai,
    new LineLog(
      level,
      (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
      () => clock.now(),
    ),
  );
  return { ai, clock, lines };
}

describe('the outage timeline in the log', () => {
  it('says when a provider asked for quiet and when the quiet ended (info), not each hedge', async () => {
    const { ai, clock, lines } = setup('info');
    await driveClock(
      clock,
      ai.generate('chat', ask).catch(() => undefined),
      100,
    );
    expect(lines.map((l) => [l.level, l.msg])).toContainEqual([
      'warn',
      'claude/sonnet asked for quiet (429 Retry-After): no requests for 20 s',
    ]);
    await clock.advance(20_000);
    expect(lines.map((l) => [l.level, l.msg])).toContainEqual([
      'info',
      'claude/sonnet cool-down over: requests go to it again',
    ]);
    expect(lines.some((l) => l.event === 'attempt-hedged')).toBe(false);
  });

  it('at debug, also says which attempt was hedged beside a silent one', async () => {
    const clock = new FakeClock(Date.UTC(2026, 11, 6, 12));
    const ai = createFailsoft(
      {
        providers: { claude: { type: 'anthropic', apiKey: 'k' }, gpt: { type: 'openai', apiKey: 'k' } },
        features: { chat: { tier: 'ai-only', route: ['claude/sonnet', 'gpt/mini'] } },
      },
      {
        clock,
        env: {},
        adapters: {
          claude: scriptedAdapter('claude', () => ({ hang: true }), 'anthropic', { clock }),
          gpt: scriptedAdapter('gpt', () => ({ text: 'ok' }), 'openai', { clock }),
        },
      },
    );
    const lines: Array<Record<string, unknown>> = [];
    attachEventLog(
      ai,
      new LineLog(
        'debug',
        (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
        () => clock.now(),
      ),
    );
    await driveClock(clock, ai.generate('chat', ask), 100);
    expect(lines.map((l) => [l.level, l.msg])).toContainEqual([
      'debug',
      'feature chat: gpt/mini started beside claude/sonnet (slow)',
    ]);
  });
});

describe('the access log (--log-level debug)', () => {
  /** A gateway over a scripted provider: answers, fails twice, then hangs (for a client that leaves mid-answer). */
  async function gatewayWithLog() {
    const entries: AccessLogEntry[] = [];
    const adapter = scriptedAdapter('gpt', (n) =>
      n === 1 ? { text: 'ok' } : n <= 3 ? { fail: 'overloaded', status: 529 } : { hang: true },
    );
    const ai = createFailsoft(
      {
        providers: { gpt: { type: 'openai', apiKey: 'k' } },
        features: {
          chat: { tier: 'ai-only', route: ['gpt/mini'], maxRetries: 0 },
          summary: { tier: 'enhanced', route: ['gpt/mini'], fallback: { leadSentences: 1 }, maxRetries: 0 },
        },
      },
      {
        env: {},
        adapters: {
          gpt: adapter,
        },
      },
    );
    const gateway = await startGateway({ ai, port: 0, accessLog: (entry) => entries.push(entry) });
    const post = (model: string, headers: Record<string, string> = {}, signal?: AbortSignal) =>
      request(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        ...(signal ? { signal } : {}),
        body: JSON.stringify({
          model,
          messages: [{ role: 'user', content: 'Summarize: The plant closed. Workers waited.' }],
        }),
      });
    return { ai, gateway, entries, post, adapter };
  }

  it('writes who answered as the response said it: provider, fallback, unavailable, refused, client gone (499)', async () => {
    const { ai, gateway, entries, post, adapter } = await gatewayWithLog();
    try {
      await (await post('chat', { 'x-request-id': 'req-1' })).body.dump();
      await (await post('summary', { 'x-request-id': 'req-2' })).body.dump();
      await (await post('chat', { 'x-request-id': 'req-3' })).body.dump();
      await (await post('nope', { 'x-request-id': 'req-4' })).body.dump();
      await (await request(`${gateway.url}/health`)).body.dump();
      const client = new AbortController();
      const left = post('chat', { 'x-request-id': 'req-5' }, client.signal).catch((error: unknown) => error);
      // The provider has the call (the gateway read the request and is waiting on the answer).
      await expect.poll(() => adapter.calls.length, { timeout: 2_000, interval: 5 }).toBe(4);
      expect(entries).toHaveLength(5);
      client.abort();
      await left;
      await expect.poll(() => entries.length, { timeout: 2_000, interval: 5 }).toBe(6);
      const fields = entries.map(({ id, method, path, status, feature, provider, source }) => ({
        id,
        method,
        path,
        status,
        feature,
        provider,
        source,
      }));
      const ai1 = { method: 'POST', path: '/v1/chat/completions' };
      expect(fields).toEqual([
        { ...ai1, id: 'req-1', status: 200, feature: 'chat', provider: 'gpt', source: 'provider' },
        { ...ai1, id: 'req-2', status: 200, feature: 'summary', provider: 'none', source: 'fallback' },
        { ...ai1, id: 'req-3', status: 503, feature: 'chat', provider: 'none', source: undefined },
        { ...ai1, id: 'req-4', status: 404, feature: undefined, provider: undefined, source: undefined },
        {
          id: undefined,
          method: 'GET',
          path: '/health',
          status: 200,
          feature: undefined,
          provider: undefined,
          source: undefined,
        },
        { ...ai1, id: 'req-5', status: 499, feature: 'chat', provider: undefined, source: undefined },
      ]);
      expect(entries.every((e) => e.ms >= 0)).toBe(true);
    } finally {
      await gateway.close();
      await ai.close();
    }
  });
});
