/**
 * `GET /metrics` scraped with plain fetch while the official OpenAI SDK drives traffic through the
 * gateway, with the simulator upstream.
 */
import OpenAI from 'openai';
import { register as globalRegistry } from 'prom-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFailsoft, type Failsoft } from '../engine/failsoft.js';
import type { FailsoftConfig } from '../engine/config/config-schema.js';
import { startSimulator, type RunningSimulator } from '../sim/start-simulator.js';
import { startGateway, type RunningGateway } from './gateway-server.js';

let sim: RunningSimulator;
let ai: Failsoft;
let gateway: RunningGateway;
let openai: OpenAI;

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
});
afterAll(async () => {
  await sim.close();
});

function config(): FailsoftConfig {
  return {
    providers: {
      claude: {
        type: 'anthropic',
        baseUrl: sim.urlFor('anthropic'),
        apiKey: 'sk-ant-sim',
        limits: { rpm: 10, itpm: 1_000_000, otpm: 100_000 },
        maxConcurrent: 1,
      },
      gpt: { type: 'openai', baseUrl: sim.urlFor('openai'), apiKey: 'sk-sim', limits: { rpm: 500, tpm: 1_000_000 } },
    },
    features: {
      summary: {
        tier: 'enhanced',
        route: ['claude/claude-sonnet-4-5', 'gpt/gpt-4o-mini'],
        fallback: { leadSentences: 1 },
        maxRetries: 0,
      },
      chat: { tier: 'ai-only', route: ['claude/claude-sonnet-4-5', 'gpt/gpt-4o'], maxRetries: 0 },
    },
  };
}

beforeEach(async () => {
  sim.clearFaults();
  ai = createFailsoft(config(), { env: {} });
  gateway = await startGateway({ ai, port: 0, host: '127.0.0.1', env: {} });
  openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});
afterEach(async () => {
  await gateway.close();
  await ai.close();
});

const messages = [{ role: 'user' as const, content: 'Summarize:\nThe plant closed at noon. Workers waited.' }];

async function scrape(): Promise<{ text: string; value: (series: string) => number | undefined }> {
  const res = await fetch(`${gateway.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  return {
    text,
    value(series: string): number | undefined {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    },
  };
}

describe('GET /metrics', () => {
  it('counts requests by feature, provider and outcome, with a latency histogram by feature', async () => {
    await openai.chat.completions.create({ model: 'chat', messages });
    await openai.chat.completions.create({ model: 'chat', messages });
    const stream = await openai.chat.completions.create({ model: 'summary', messages, stream: true });
    for await (const chunk of stream) void chunk;
    sim.setFaults({ anthropic: [{ kind: 'overloaded' }] });
    await openai.chat.completions.create({ model: 'chat', messages });
    const m = await scrape();
    expect(m.value('failsoft_requests_total{feature="chat",provider="claude",outcome="provider"}')).toBe(2);
    expect(m.value('failsoft_requests_total{feature="summary",provider="claude",outcome="provider"}')).toBe(1);
    expect(m.value('failsoft_requests_total{feature="chat",provider="gpt",outcome="failover"}')).toBe(1);
    expect(m.value('failsoft_request_duration_seconds_count{feature="chat"}')).toBe(3);
    expect(m.value('failsoft_request_duration_seconds_bucket{le="+Inf",feature="summary"}')).toBe(1);
    expect(m.value('failsoft_attempts_failed_total{provider="claude",class="overloaded"}')).toBe(1);
  });

  it('counts fallbacks served and errors, by feature', async () => {
    sim.setFaults({ anthropic: [{ kind: 'overloaded' }], openai: [{ kind: 'server_error' }] });
    await openai.chat.completions.create({ model: 'summary', messages });
    await openai.chat.completions.create({ model: 'chat', messages }).catch(() => undefined);
    const m = await scrape();
    expect(m.value('failsoft_fallbacks_total{feature="summary"}')).toBe(1);
    expect(m.value('failsoft_requests_total{feature="summary",provider="none",outcome="fallback"}')).toBe(1);
    expect(m.value('failsoft_requests_total{feature="chat",provider="none",outcome="error"}')).toBe(1);
    expect(m.value('failsoft_attempts_failed_total{provider="gpt",class="server_error"}')).toBeGreaterThanOrEqual(1);
  });

  it('reports breaker state per provider and model: 0 closed, 2 open, from the moment it changes', async () => {
    let m = await scrape();
    expect(m.value('failsoft_breaker_state{provider="claude",model="claude-sonnet-4-5"}')).toBe(0);
    expect(m.value('failsoft_breaker_state{provider="gpt",model="gpt-4o"}')).toBe(0);
    ai.forceOpen('gpt', 'gpt-4o');
    m = await scrape();
    expect(m.value('failsoft_breaker_state{provider="gpt",model="gpt-4o"}')).toBe(2);
    expect(m.value('failsoft_breaker_state{provider="gpt",model="gpt-4o-mini"}')).toBe(0);
    ai.forceClose('gpt');
    m = await scrape();
    expect(m.value('failsoft_breaker_state{provider="gpt",model="gpt-4o"}')).toBe(0);
  });

  it('reports budget remaining per provider and dimension, read at scrape', async () => {
    let m = await scrape();
    // rpm 10 refills one request per 6 s: the scrape right after a request sees it spent.
    expect(m.value('failsoft_budget_remaining{provider="claude",dimension="requests"}')).toBe(10);
    expect(m.value('failsoft_budget_limit{provider="gpt",dimension="tokens"}')).toBe(1_000_000);
    await openai.chat.completions.create({ model: 'chat', messages });
    m = await scrape();
    expect(m.value('failsoft_budget_remaining{provider="claude",dimension="requests"}')).toBe(9);
    expect(m.value('failsoft_budget_limit{provider="claude",dimension="inputTokens"}')).toBe(1_000_000);
  });

  it('reports calls in flight against maxConcurrent, and calls turned away because every slot was taken', async () => {
    let m = await scrape();
    expect(m.value('failsoft_concurrency_active{provider="claude"}')).toBe(0);
    expect(m.value('failsoft_concurrency_limit{provider="claude"}')).toBe(1);
    expect(m.value('failsoft_concurrency_active{provider="gpt"}')).toBeUndefined(); // no maxConcurrent, no series
    sim.setFaults({ anthropic: [{ kind: 'slow', latencyMs: 1_000, count: 1 }] });
    const before = sim.stats().anthropic?.requests ?? 0;
    const slow = openai.chat.completions.create({ model: 'chat', messages });
    // The slow call holds claude's only slot once the simulator has it; fails (not falls through) if it never arrives.
    await expect.poll(() => sim.stats().anthropic?.requests ?? 0, { interval: 5 }).toBe(before + 1);
    const { response } = await openai.chat.completions.create({ model: 'chat', messages }).withResponse();
    expect(response.headers.get('x-failsoft-provider')).toBe('gpt');
    m = await scrape();
    expect(m.value('failsoft_concurrency_active{provider="claude"}')).toBe(1);
    expect(m.value('failsoft_concurrency_rejected_total{provider="claude"}')).toBe(1);
    expect((await ai.health()).providers.claude?.concurrency).toEqual({ active: 1, limit: 1, rejected: 1 });
    await slow;
    m = await scrape();
    expect(m.value('failsoft_concurrency_active{provider="claude"}')).toBe(0);
    expect(m.value('failsoft_concurrency_rejected_total{provider="claude"}')).toBe(1); // a running total, not added twice
  });

  it('uses a registry of its own: the global prom-client registry stays empty of failsoft metrics', async () => {
    const m = await scrape();
    expect(m.text).toContain('# TYPE failsoft_requests_total counter');
    expect(m.text).toContain('# TYPE failsoft_request_duration_seconds histogram');
    expect(m.text).toContain('# TYPE failsoft_breaker_state gauge');
    expect(m.text).not.toMatch(/^process_cpu/m);
    expect((await globalRegistry.metrics()).includes('failsoft_')).toBe(false);
    expect(gateway.metrics?.registry).not.toBe(globalRegistry);
    // Every metric name carries the prefix.
    for (const line of m.text.split('\n').filter((l) => l !== '' && !l.startsWith('#')))
      expect(line).toMatch(/^failsoft_/);
  });

  it('two gateways on one process keep separate metrics, and metrics: false turns the route off', async () => {
    const quiet = await startGateway({ ai, port: 0, host: '127.0.0.1', env: {}, metrics: false });
    try {
      expect((await fetch(`${quiet.url}/metrics`)).status).toBe(404);
    } finally {
      await quiet.close();
    }
    expect((await scrape()).value('failsoft_breaker_state{provider="claude",model="claude-sonnet-4-5"}')).toBe(0);
  });
});
