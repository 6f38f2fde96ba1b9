/**
 * The gateway issue's requirement, "each fault kind at the simulator producing the behaviour above",
 * for non-streamed calls made by the official OpenAI and Anthropic SDKs (maxRetries 0, so what the
 * client sees is the gateway's answer alone). Each fault kind is injected at the primary (claude)
 * or at every provider; the simulator's counters then tell which providers were called, and how
 * often. Streams are in gateway-faults-stream.test.ts.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFailsoft, type Failsoft } from '../../src/engine/failsoft.js';
import type { FailsoftConfig } from '../../src/engine/config/config-schema.js';
import { startGateway, type RunningGateway } from '../../src/gateway/gateway-server.js';
import { startSimulator, type FaultRule, type RunningSimulator } from '../../src/sim/start-simulator.js';

/**
 * Per attempt, response headers must arrive within this. undici enforces it on coarse timers (about
 * 0.5-1 s late), so a timed-out attempt really costs ~1 s, and a "slow beyond" fault must be far slower.
 */
const ATTEMPT_TIMEOUT_MS = 200;
const SLOW_BEYOND_TIMEOUT_MS = 3_000;

let sim: RunningSimulator;
beforeAll(async () => { sim = await startSimulator({ port: 0 }); });
afterAll(async () => { await sim.close(); });
beforeEach(() => {
  sim.clearFaults();
  sim.resetStats();
});

function config(): FailsoftConfig {
  const provider = { attemptTimeoutMs: ATTEMPT_TIMEOUT_MS };
  const route = ['claude/claude-sonnet-4-5', 'gpt/gpt-4o', 'gemini/gemini-2.5-flash'];
  return {
    providers: {
      claude: { type: 'anthropic', baseUrl: sim.urlFor('anthropic'), apiKey: 'sk-ant-sim', ...provider },
      gpt: { type: 'openai', baseUrl: `${sim.urlFor('openai')}/v1`, apiKey: 'sk-sim', ...provider },
      gemini: { type: 'gemini', baseUrl: sim.urlFor('gemini'), apiKey: 'gm-sim', ...provider },
    },
    features: {
      // maxRetries 1 (with a tiny backoff) so that "retried or not" shows in the simulator's counters.
      chat: { tier: 'ai-only', route, maxRetries: 1, deadlineMs: 8_000 },
      summary: { tier: 'enhanced', route, fallback: { leadSentences: 1 }, maxRetries: 1, deadlineMs: 8_000 },
      // context_length moves on only to an entry with a larger window: gpt's is smaller, gemini's larger.
      long: {
        tier: 'ai-only', maxRetries: 1, deadlineMs: 8_000, route: [
          { provider: 'claude', model: 'claude-sonnet-4-5', contextWindow: 200_000 },
          { provider: 'gpt', model: 'gpt-4o', contextWindow: 128_000 },
          { provider: 'gemini', model: 'gemini-2.5-flash', contextWindow: 1_000_000 },
        ],
      },
    },
    policies: { retry: { baseMs: 1, capMs: 5, budgetMinRetries: 10 } },
  };
}

/** One engine behind one gateway, with both official SDKs pointed at it. */
interface Rig { openai: OpenAI; anthropic: Anthropic }

const open: (() => Promise<void>)[] = [];
afterEach(async () => { await Promise.all(open.splice(0).map((close) => close())); });

/**
 * A fresh engine and gateway. Calls that run at the same time each get their own, so breakers and
 * retry budgets never interact and the simulator's counters add up exactly; running the calls of a
 * case concurrently keeps the timeout cases (a timeout costs an attempt timeout per provider) fast.
 */
async function rig(): Promise<Rig> {
  const ai: Failsoft = createFailsoft(config(), { env: {} });
  const gateway: RunningGateway = await startGateway({ ai, port: 0, host: '127.0.0.1', log: () => undefined });
  open.push(async () => {
    await gateway.close();
    await ai.close();
  });
  return {
    openai: new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'client-key', maxRetries: 0 }),
    anthropic: new Anthropic({ baseURL: gateway.url, apiKey: 'client-key', maxRetries: 0 }),
  };
}

const prompt = 'Summarize:\nThe plant closed at noon. Workers waited outside.';
const FALLBACK_TEXT = 'The plant closed at noon.';

/** A provider-side fault, and whether the router may retry the same provider after it (ERROR_POLICY.retrySame). */
interface ProviderFault {
  name: string;
  rule: FaultRule;
  retried: boolean;
  /** The Retry-After the gateway must pass on when every provider says this. */
  retryAfter?: string;
}

/** Faults a provider causes: the route moves on (DESIGN.md's taxonomy, "next provider: yes"). */
const PROVIDER_FAULTS: readonly ProviderFault[] = [
  { name: 'overloaded', rule: { kind: 'overloaded' }, retried: true },
  // The server's delay (20 s) exceeds the deadline, so the same provider is not retried; it is passed on.
  { name: 'rate_limited', rule: { kind: 'rate_limited', retryAfterS: 20 }, retried: false, retryAfter: '20' },
  { name: 'quota_exhausted', rule: { kind: 'quota_exhausted' }, retried: false },
  { name: 'server_error', rule: { kind: 'server_error' }, retried: true },
  { name: 'timeout', rule: { kind: 'timeout' }, retried: false },
  { name: 'reset', rule: { kind: 'reset' }, retried: true },
  { name: 'auth', rule: { kind: 'auth' }, retried: false },
  { name: 'slow beyond the attempt timeout', rule: { kind: 'slow', latencyMs: SLOW_BEYOND_TIMEOUT_MS }, retried: false },
];

function onPrimary(rule: FaultRule): Record<string, FaultRule[]> {
  return { anthropic: [rule] };
}

function onEvery(rule: FaultRule): Record<string, FaultRule[]> {
  return { anthropic: [rule], openai: [rule], gemini: [rule] };
}

/** Requests each provider received, by the gateway's provider names. */
function calls(): { claude: number; gpt: number; gemini: number } {
  const stats = sim.stats();
  return { claude: stats.anthropic?.requests ?? 0, gpt: stats.openai?.requests ?? 0, gemini: stats.gemini?.requests ?? 0 };
}

interface Answer { status: number; text: string; model: string; headers: Headers }
interface Failure { status: number | undefined; type: string | undefined; message: string; headers: Headers | undefined }

/** One client dialect, spoken by its official SDK. */
interface Client {
  name: 'openai' | 'anthropic';
  /** The 503's error type in this dialect. */
  unavailableType: string;
  /** Asks a feature through a fresh gateway. */
  ask(feature: string): Promise<Answer>;
  /** The SDK's error, normalised. */
  failure(error: unknown): Failure;
}

const CLIENTS: readonly Client[] = [
  {
    name: 'openai',
    unavailableType: 'service_unavailable_error',
    async ask(feature) {
      const { openai } = await rig();
      const { data, response } = await openai.chat.completions.create({ model: feature, messages: [{ role: 'user', content: prompt }] }).withResponse();
      return { status: response.status, text: data.choices[0]?.message.content ?? '', model: data.model, headers: response.headers };
    },
    failure(error) {
      expect(error).toBeInstanceOf(OpenAI.APIError);
      const e = error as InstanceType<typeof OpenAI.APIError>;
      return { status: e.status, type: e.type, message: e.message, headers: e.headers };
    },
  },
  {
    name: 'anthropic',
    unavailableType: 'overloaded_error',
    async ask(feature) {
      const { anthropic } = await rig();
      const { data, response } = await anthropic.messages.create({ model: feature, max_tokens: 100, messages: [{ role: 'user', content: prompt }] }).withResponse();
      const text = data.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
      return { status: response.status, text, model: data.model, headers: response.headers };
    },
    failure(error) {
      expect(error).toBeInstanceOf(Anthropic.APIError);
      const e = error as InstanceType<typeof Anthropic.APIError>;
      const body = e.error as { type?: string; error?: { type?: string } } | undefined;
      expect(body?.type).toBe('error');
      return { status: e.status, type: body?.error?.type, message: e.message, headers: e.headers };
    },
  },
];

async function failureOf(client: Client, feature: string): Promise<Failure> {
  const outcome = await client.ask(feature).then((answer) => answer, (error: unknown) => error);
  return client.failure(outcome);
}

/** Runs `check` for every client at once (each through its own gateway). */
async function forEachClient(check: (client: Client) => Promise<void>): Promise<void> {
  await Promise.all(CLIENTS.map((client) => check(client)));
}

describe('ai-only feature, provider-caused fault at the primary', () => {
  it.each(PROVIDER_FAULTS)('$name: the next provider answers, visible only in the headers', async (fault) => {
    sim.setFaults(onPrimary(fault.rule));
    await forEachClient(async (client) => {
      const answer = await client.ask('chat');
      expect(answer.status, client.name).toBe(200);
      expect(answer.text, client.name).toContain('Simulated reply');
      expect(answer.model, client.name).toMatch(/^gpt-4o/);
      expect(answer.headers.get('x-failsoft-feature'), client.name).toBe('chat');
      expect(answer.headers.get('x-failsoft-provider'), client.name).toBe('gpt');
      expect(answer.headers.get('x-failsoft-source'), client.name).toBe('provider');
      expect(answer.headers.get('x-failsoft-degraded'), client.name).toBe('true');
      expect(answer.headers.get('x-request-id'), client.name).toBeTruthy();
    });
    // Per client: the primary once (a failure moves on at once, no retry while a later entry serves), then gpt.
    expect(calls()).toEqual({ claude: 2, gpt: 2, gemini: 0 });
  });

  it('slow within the attempt timeout: still answered by the primary', async () => {
    sim.setFaults(onPrimary({ kind: 'slow', latencyMs: 30 }));
    await forEachClient(async (client) => {
      const answer = await client.ask('chat');
      expect(answer.text, client.name).toContain('Simulated reply');
      expect(answer.headers.get('x-failsoft-provider'), client.name).toBe('claude');
      expect(answer.headers.get('x-failsoft-degraded'), client.name).toBe('false');
    });
    expect(calls()).toEqual({ claude: 2, gpt: 0, gemini: 0 });
  });
});

describe('provider-caused fault at every provider', () => {
  it.each(PROVIDER_FAULTS)('$name: ai-only is 503 in the dialect with Retry-After and x-should-retry false; enhanced is 200 with its fallback', async (fault) => {
    sim.setFaults(onEvery(fault.rule));
    const aiOnly = forEachClient(async (client) => {
      const failure = await failureOf(client, 'chat');
      expect(failure.status, client.name).toBe(503);
      expect(failure.type, client.name).toBe(client.unavailableType);
      expect(failure.headers?.get('retry-after'), client.name).toMatch(fault.retryAfter === undefined ? /^[1-9]\d*$/ : new RegExp(`^${fault.retryAfter}$`));
      expect(failure.headers?.get('x-should-retry'), client.name).toBe('false');
      expect(failure.headers?.get('x-failsoft-feature'), client.name).toBe('chat');
      expect(failure.headers?.get('x-request-id'), client.name).toBeTruthy();
    });
    const enhanced = forEachClient(async (client) => {
      const answer = await client.ask('summary');
      expect(answer.status, client.name).toBe(200);
      expect(answer.text, client.name).toBe(FALLBACK_TEXT);
      expect(answer.model, client.name).toBe('summary');
      expect(answer.headers.get('x-failsoft-feature'), client.name).toBe('summary');
      expect(answer.headers.get('x-failsoft-source'), client.name).toBe('fallback');
      expect(answer.headers.get('x-failsoft-degraded'), client.name).toBe('true');
      expect(answer.headers.get('x-failsoft-provider'), client.name).toBe('none');
    });
    await Promise.all([aiOnly, enhanced]);
    // Four calls; per call, retryable classes get one same-provider retry (maxRetries 1) once the route is exhausted.
    const each = 4 * (fault.retried ? 2 : 1);
    expect(calls()).toEqual({ claude: each, gpt: each, gemini: each });
  });
});

/**
 * Request-caused kinds (DESIGN.md: bad_request "next provider: no: the caller's request is wrong;
 * return it in the caller's dialect"; context_length "only to a route entry with a larger context").
 * Another provider would refuse the same request, so neither failover nor a fallback hides it.
 */
describe('the provider refuses the request itself', () => {
  it.each([
    { name: 'bad_request', rule: { kind: 'bad_request' } },
    { name: 'context_length with no larger window in the route', rule: { kind: 'context_length' } },
  ] satisfies { name: string; rule: FaultRule }[])('$name: 400 in the dialect (ai-only and enhanced alike), no retry, no other provider', async ({ rule }) => {
    sim.setFaults(onPrimary(rule));
    await forEachClient(async (client) => {
      for (const feature of ['chat', 'summary']) {
        const failure = await failureOf(client, feature);
        expect(failure.status, `${client.name} ${feature}`).toBe(400);
        expect(failure.type, `${client.name} ${feature}`).toBe('invalid_request_error');
        expect(failure.headers?.get('x-should-retry'), `${client.name} ${feature}`).not.toBe('true');
        expect(failure.headers?.get('x-request-id'), `${client.name} ${feature}`).toBeTruthy();
      }
    });
    expect(calls()).toEqual({ claude: 4, gpt: 0, gemini: 0 });
  });

  it('context_length moves on only to an entry with a larger context window', async () => {
    sim.setFaults(onPrimary({ kind: 'context_length' }));
    await forEachClient(async (client) => {
      const answer = await client.ask('long');
      expect(answer.text, client.name).toContain('Simulated reply');
      expect(answer.headers.get('x-failsoft-provider'), client.name).toBe('gemini');
      expect(answer.headers.get('x-failsoft-degraded'), client.name).toBe('true');
    });
    expect(calls()).toEqual({ claude: 2, gpt: 0, gemini: 2 });
  });
});
