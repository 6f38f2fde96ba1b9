/**
 * The gateway issue's requirement for streams, each fault kind at the simulator, through the official
 * OpenAI and Anthropic SDKs (maxRetries 0): "failover before the first token is invisible to the
 * client; a failure after it ends the stream with the dialect's error event" (never a silent clean
 * end, never a silent switch to another provider). Non-streamed calls are in gateway-faults.test.ts;
 * both use gateway-fault-rig.ts (one fresh engine and gateway per call, calls of a case run at once).
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

const scenario = useFaultScenario();
const sim = { setFaults: (faults: Record<string, FaultRule[]>) => scenario.sim.setFaults(faults) };
const rig = () => scenario.rig();
const calls = () => scenario.calls();

/** What claude would have streamed had nothing failed. */
const CLAUDE_REPLY = `Simulated reply from anthropic (claude-sonnet-4-5): ${prompt}`;

/** A fault that strikes before the first token, and whether the router may retry the same provider after it. */
interface PreTokenFault {
  name: string;
  rule: FaultRule;
  retried: boolean;
}

const PRE_TOKEN_FAULTS: readonly PreTokenFault[] = [
  { name: 'overloaded', rule: { kind: 'overloaded' }, retried: true },
  { name: 'rate_limited', rule: { kind: 'rate_limited', retryAfterS: 20 }, retried: false },
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
  // A stream that ends (cleanly or with an error event) before any content: class network / the error's own.
  {
    name: 'truncated_stream before the first token',
    rule: { kind: 'truncated_stream', afterChunks: 0 },
    retried: true,
  },
  {
    name: 'mid_stream_error before the first token',
    rule: { kind: 'mid_stream_error', afterChunks: 0 },
    retried: true,
  },
];

/** A stream as the client saw it: headers, the text it yielded, and how it ended. */
interface Streamed {
  status: number;
  headers: Headers;
  model: string;
  text: string;
  /** The stream reached the dialect's clean end (finish reason / message_stop). */
  finished: boolean;
  /** What iterating the SDK's stream threw, if anything. */
  error: unknown;
}

interface Failure {
  status: number | undefined;
  type: string | undefined;
  headers: Headers | undefined;
}

interface Client {
  name: 'openai' | 'anthropic';
  unavailableType: string;
  /** Opens a stream through a fresh gateway and reads it to the end (throws only if it cannot open). */
  stream(feature: string): Promise<Streamed>;
  /** An HTTP-level error (before any stream), normalised. */
  failure(error: unknown): Failure;
  /** Checks that an in-stream error is the dialect's error event, as the SDK surfaces it. */
  expectStreamError(error: unknown): void;
}

const CLIENTS: readonly Client[] = [
  {
    name: 'openai',
    unavailableType: 'service_unavailable_error',
    async stream(feature) {
      const { openai } = await rig();
      const { data, response } = await openai.chat.completions
        .create({ model: feature, messages: [{ role: 'user', content: prompt }], stream: true })
        .withResponse();
      const seen: Streamed = {
        status: response.status,
        headers: response.headers,
        model: '',
        text: '',
        finished: false,
        error: undefined,
      };
      try {
        for await (const chunk of data) {
          seen.model ||= chunk.model;
          seen.text += chunk.choices[0]?.delta.content ?? '';
          if (chunk.choices[0]?.finish_reason) seen.finished = true;
        }
      } catch (error) {
        seen.error = error;
      }
      return seen;
    },
    failure(error) {
      expect(error).toBeInstanceOf(OpenAI.APIError);
      const e = error as InstanceType<typeof OpenAI.APIError>;
      return { status: e.status, type: e.type, headers: e.headers };
    },
    expectStreamError(error) {
      // The SDK throws on a `data: {"error": …}` chunk.
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect((error as InstanceType<typeof OpenAI.APIError>).message.length).toBeGreaterThan(0);
    },
  },
  {
    name: 'anthropic',
    unavailableType: 'overloaded_error',
    async stream(feature) {
      const { anthropic } = await rig();
      const { data, response } = await anthropic.messages
        .create({ model: feature, max_tokens: 100, messages: [{ role: 'user', content: prompt }], stream: true })
        .withResponse();
      const seen: Streamed = {
        status: response.status,
        headers: response.headers,
        model: '',
        text: '',
        finished: false,
        error: undefined,
      };
      try {
        for await (const event of data) {
          if (event.type === 'message_start') seen.model ||= event.message.model;
          if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') seen.text += event.delta.text;
          if (event.type === 'message_stop') seen.finished = true;
        }
      } catch (error) {
        seen.error = error;
      }
      return seen;
    },
    failure(error) {
      expect(error).toBeInstanceOf(Anthropic.APIError);
      const e = error as InstanceType<typeof Anthropic.APIError>;
      return {
        status: e.status,
        type: (e.error as { error?: { type?: string } } | undefined)?.error?.type,
        headers: e.headers,
      };
    },
    expectStreamError(error) {
      // The SDK throws on an `event: error` frame, with the frame's body as `error`.
      expect(error).toBeInstanceOf(Anthropic.APIError);
      const body = (error as InstanceType<typeof Anthropic.APIError>).error as
        | { type?: string; error?: { type?: string } }
        | undefined;
      expect(body?.type).toBe('error');
      expect(body?.error?.type).toMatch(/^(overloaded_error|api_error)$/);
    },
  },
];

async function failureOf(client: Client, feature: string): Promise<Failure> {
  const outcome = await client.stream(feature).then(
    (streamed) => streamed,
    (error: unknown) => error,
  );
  return client.failure(outcome);
}

/** Runs `check` for every client (and every feature given) at once, each call through its own gateway. */
async function forEachClient(
  check: (client: Client, feature: string) => Promise<void>,
  features: readonly string[] = ['chat'],
): Promise<void> {
  await Promise.all(CLIENTS.flatMap((client) => features.map((feature) => check(client, feature))));
}

describe('stream, fault at the primary before the first token: failover is invisible', () => {
  it.each(PRE_TOKEN_FAULTS)('$name: the stream completes normally from the next provider', async (fault) => {
    sim.setFaults(onPrimary(fault.rule));
    await forEachClient(async (client) => {
      const seen = await client.stream('chat');
      expect(seen.error, client.name).toBeUndefined();
      expect(seen.finished, client.name).toBe(true);
      expect(seen.status, client.name).toBe(200);
      expect(seen.headers.get('content-type'), client.name).toMatch(/^text\/event-stream/);
      expect(seen.text, client.name).toContain('Simulated reply from openai');
      expect(seen.model, client.name).toMatch(/^gpt-4o/);
      expectAnswered(seen.headers, { provider: 'gpt', source: 'provider', degraded: true }, client.name);
    });
    expect(calls()).toEqual({ claude: 2, gpt: 2, gemini: 0 });
  });

  it('slow within the attempt timeout: still streamed by the primary', async () => {
    sim.setFaults(onPrimary({ kind: 'slow', latencyMs: 30 }));
    await forEachClient(async (client) => {
      const seen = await client.stream('chat');
      expect(seen.error, client.name).toBeUndefined();
      expect(seen.finished, client.name).toBe(true);
      expect(seen.text, client.name).toBe(CLAUDE_REPLY);
      expectAnswered(seen.headers, { provider: 'claude', degraded: false }, client.name);
    });
    expect(calls()).toEqual({ claude: 2, gpt: 0, gemini: 0 });
  });
});

describe('stream, fault at every provider before the first token', () => {
  it.each(
    PRE_TOKEN_FAULTS.filter(
      (f) =>
        ['overloaded', 'timeout', 'reset'].includes(f.name) ||
        f.rule.kind === 'truncated_stream' ||
        f.rule.kind === 'mid_stream_error',
    ),
  )('$name: ai-only is a 503 in the dialect (no stream opened), enhanced streams its fallback', async (fault) => {
    sim.setFaults(onEvery(fault.rule));
    const aiOnly = forEachClient(async (client) => {
      const failure = await failureOf(client, 'chat');
      expect(failure.status, client.name).toBe(503);
      expect(failure.type, client.name).toBe(client.unavailableType);
      expect(failure.headers?.get('retry-after'), client.name).toMatch(/^[1-9]\d*$/);
      expect(failure.headers?.get('x-should-retry'), client.name).toBe('false');
    });
    const enhanced = forEachClient(async (client) => {
      const seen = await client.stream('summary');
      expect(seen.error, client.name).toBeUndefined();
      expect(seen.finished, client.name).toBe(true);
      expect(seen.text, client.name).toBe(FALLBACK_TEXT);
      expectAnswered(seen.headers, { provider: 'none', source: 'fallback', degraded: true }, client.name);
    });
    await Promise.all([aiOnly, enhanced]);
    const each = 4 * (fault.retried ? 2 : 1);
    expect(calls()).toEqual({ claude: each, gpt: each, gemini: each });
  });
});

describe("stream, fault at the primary after the first token: the dialect's error event ends it", () => {
  it.each([
    { name: 'mid_stream_error after 1 chunk', rule: { kind: 'mid_stream_error', afterChunks: 1 } },
    { name: 'mid_stream_error after 2 chunks', rule: { kind: 'mid_stream_error', afterChunks: 2 } },
    { name: 'truncated_stream after 1 chunk', rule: { kind: 'truncated_stream', afterChunks: 1 } },
    { name: 'truncated_stream after 2 chunks', rule: { kind: 'truncated_stream', afterChunks: 2 } },
  ] satisfies { name: string; rule: FaultRule }[])(
    '$name: the SDK throws after yielding text, for ai-only and enhanced alike, and no other provider is called',
    async ({ rule }) => {
      sim.setFaults(onPrimary(rule));
      await forEachClient(
        async (client, feature) => {
          const seen = await client.stream(feature);
          const label = `${client.name} ${feature}`;
          expect(seen.status, label).toBe(200);
          expect(seen.headers.get('x-failsoft-provider'), label).toBe('claude');
          // Some of claude's text was yielded, but not all of it, and never a clean end.
          expect(seen.text.length, label).toBeGreaterThan(0);
          expect(
            CLAUDE_REPLY.startsWith(seen.text) && seen.text !== CLAUDE_REPLY,
            `${label}: ${JSON.stringify(seen.text)}`,
          ).toBe(true);
          expect(seen.finished, label).toBe(false);
          client.expectStreamError(seen.error);
        },
        ['chat', 'summary'],
      );
      // Tokens were sent: the stream cannot be silently replaced, so nobody else is asked.
      expect(calls()).toEqual({ claude: 4, gpt: 0, gemini: 0 });
    },
  );
});

describe('stream, the provider refuses the request itself', () => {
  it.each([
    { name: 'bad_request', rule: { kind: 'bad_request' } },
    { name: 'context_length with no larger window in the route', rule: { kind: 'context_length' } },
  ] satisfies { name: string; rule: FaultRule }[])(
    '$name: 400 in the dialect before any stream, no retry, no other provider',
    async ({ rule }) => {
      sim.setFaults(onPrimary(rule));
      await forEachClient(
        async (client, feature) => {
          const failure = await failureOf(client, feature);
          expect(failure.status, `${client.name} ${feature}`).toBe(400);
          expect(failure.type, `${client.name} ${feature}`).toBe('invalid_request_error');
        },
        ['chat', 'summary'],
      );
      expect(calls()).toEqual({ claude: 4, gpt: 0, gemini: 0 });
    },
  );
});

describe('stream, a primary that cuts every stream after its first token', () => {
  it('counts against its breaker: once open, new streams start on the secondary, invisibly', async () => {
    sim.setFaults(onPrimary({ kind: 'truncated_stream', afterChunks: 1 }));
    const { openai } = await rig(); // one engine for every stream: the breaker's memory is the point
    const streamOnce = async (): Promise<{ provider: string | null; finished: boolean; failed: boolean }> => {
      const { data, response } = await openai.chat.completions
        .create({ model: 'chat', messages: [{ role: 'user', content: prompt }], stream: true })
        .withResponse();
      let finished = false;
      let failed = false;
      try {
        for await (const chunk of data) if (chunk.choices[0]?.finish_reason) finished = true;
      } catch {
        failed = true;
      }
      return { provider: response.headers.get('x-failsoft-provider'), finished, failed };
    };
    // The default breaker opens at a failure ratio of 0.5 over at least 10 calls: ten cut streams.
    for (let i = 0; i < 10; i++)
      expect(await streamOnce(), `stream ${i + 1}`).toEqual({ provider: 'claude', finished: false, failed: true });
    expect(await streamOnce()).toEqual({ provider: 'gpt', finished: true, failed: false });
    expect(calls()).toEqual({ claude: 10, gpt: 1, gemini: 0 });
  });
});
