/**
 * The gateway issue's requirement, "each fault kind at the simulator producing the behaviour above",
 * for non-streamed calls made by the official OpenAI and Anthropic SDKs (maxRetries 0, so what the
 * client sees is the gateway's answer alone). Each fault kind is injected at the primary (claude)
 * or at every provider; the simulator's counters then tell which providers were called, and how
 * often. Streams are in gateway-faults-stream.test.ts.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { FaultRule } from '../../src/sim/start-simulator.js';
import {
  FALLBACK_TEXT,
  SLOW_BEYOND_TIMEOUT_MS,
  expectAnswered,
  onEvery,
  onPrimary,
  prompt,
  useFaultScenario,
} from './gateway-fault-rig.js';

const scenario = useFaultScenario({
  // context_length moves on only to an entry with a larger window: gpt's is smaller, gemini's larger.
  long: {
    tier: 'ai-only',
    maxRetries: 1,
    deadlineMs: 8_000,
    route: [
      { provider: 'claude', model: 'claude-sonnet-4-5', contextWindow: 200_000 },
      { provider: 'gpt', model: 'gpt-4o', contextWindow: 128_000 },
      { provider: 'gemini', model: 'gemini-2.5-flash', contextWindow: 1_000_000 },
    ],
  },
});
const sim = { setFaults: (faults: Record<string, FaultRule[]>) => scenario.sim.setFaults(faults) };
const rig = () => scenario.rig();
const calls = () => scenario.calls();

/** A provider-side fault, and whether the router may retry the same provider after it (ERROR_POLICY.retrySame). */
interface ProviderFault {
  name: string;
  rule: FaultRule;
  retried: boolean;
  /** The Retry-After the gateway must pass on when every provider says this. */
  retryAfter?: string;
}

/** Faults a provider causes: the route moves on (ARCHITECTURE.md's failure table, "next provider: yes"). */
const PROVIDER_FAULTS: readonly ProviderFault[] = [
  { name: 'overloaded', rule: { kind: 'overloaded' }, retried: true },
  // The server's delay (20 s) exceeds the deadline, so the same provider is not retried; it is passed on.
  { name: 'rate_limited', rule: { kind: 'rate_limited', retryAfterS: 20 }, retried: false, retryAfter: '20' },
  { name: 'quota_exhausted', rule: { kind: 'quota_exhausted' }, retried: false },
  { name: 'server_error', rule: { kind: 'server_error' }, retried: true },
  { name: 'timeout', rule: { kind: 'timeout' }, retried: false },
  { name: 'reset', rule: { kind: 'reset' }, retried: true },
  { name: 'auth', rule: { kind: 'auth' }, retried: false },
  {
    name: 'slow beyond the attempt timeout',
    rule: { kind: 'slow', latencyMs: SLOW_BEYOND_TIMEOUT_MS },
    retried: false,
  },
];

interface Answer {
  status: number;
  text: string;
  model: string;
  headers: Headers;
}
interface Failure {
  status: number | undefined;
  type: string | undefined;
  message: string;
  headers: Headers | undefined;
}

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
      const { data, response } = await openai.chat.completions
        .create({ model: feature, messages: [{ role: 'user', content: prompt }] })
        .withResponse();
      return {
        status: response.status,
        text: data.choices[0]?.message.content ?? '',
        model: data.model,
        headers: response.headers,
      };
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
      const { data, response } = await anthropic.messages
        .create({ model: feature, max_tokens: 100, messages: [{ role: 'user', content: prompt }] })
        .withResponse();
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
  const outcome = await client.ask(feature).then(
    (answer) => answer,
    (error: unknown) => error,
  );
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
      expectAnswered(answer.headers, { provider: 'gpt', source: 'provider', degraded: true }, client.name);
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
      expectAnswered(answer.headers, { provider: 'claude', degraded: false }, client.name);
    });
    expect(calls()).toEqual({ claude: 2, gpt: 0, gemini: 0 });
  });
});

describe('provider-caused fault at every provider', () => {
  it.each(PROVIDER_FAULTS)(
    '$name: ai-only is 503 in the dialect with Retry-After and x-should-retry false; enhanced is 200 with its fallback',
    async (fault) => {
      sim.setFaults(onEvery(fault.rule));
      const aiOnly = forEachClient(async (client) => {
        const failure = await failureOf(client, 'chat');
        expect(failure.status, client.name).toBe(503);
        expect(failure.type, client.name).toBe(client.unavailableType);
        expect(failure.headers?.get('retry-after'), client.name).toMatch(
          fault.retryAfter === undefined ? /^[1-9]\d*$/ : new RegExp(`^${fault.retryAfter}$`),
        );
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
        expectAnswered(answer.headers, { provider: 'none', source: 'fallback', degraded: true }, client.name);
      });
      await Promise.all([aiOnly, enhanced]);
      // Four calls; per call, retryable classes get one same-provider retry (maxRetries 1) once the route is exhausted.
      const each = 4 * (fault.retried ? 2 : 1);
      expect(calls()).toEqual({ claude: each, gpt: each, gemini: each });
    },
  );
});

/**
 * Request-caused kinds (ARCHITECTURE.md: bad_request "next provider: no: the caller's request is wrong;
 * return it in the caller's dialect"; context_length "only to a route entry with a larger context").
 * Another provider would refuse the same request, so neither failover nor a fallback hides it.
 */
describe('the provider refuses the request itself', () => {
  it.each([
    { name: 'bad_request', rule: { kind: 'bad_request' } },
    { name: 'context_length with no larger window in the route', rule: { kind: 'context_length' } },
  ] satisfies { name: string; rule: FaultRule }[])(
    '$name: 400 in the dialect (ai-only and enhanced alike), no retry, no other provider',
    async ({ rule }) => {
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
    },
  );

  it('context_length moves on only to an entry with a larger context window', async () => {
    sim.setFaults(onPrimary({ kind: 'context_length' }));
    await forEachClient(async (client) => {
      const answer = await client.ask('long');
      expect(answer.text, client.name).toContain('Simulated reply');
      expectAnswered(answer.headers, { provider: 'gemini', degraded: true }, client.name);
    });
    expect(calls()).toEqual({ claude: 2, gpt: 0, gemini: 2 });
  });
});
