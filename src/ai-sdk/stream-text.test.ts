/**
 * `streamText` (the `ai` package itself) through `failsoft('…')`, against the simulator: streamed answers,
 * failover before the first token, a stream cut after it, fallbacks, the ai-only error, abort, tool calls.
 */
import { APICallError } from '@ai-sdk/provider';
import { Output, jsonSchema, streamText, tool, type TextStreamPart, type ToolSet } from 'ai';
import { z } from 'zod';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Failsoft } from '../engine/failsoft.js';
import { startSimulator, type RunningSimulator } from '../sim/start-simulator.js';
import {
  FailsoftStreamError,
  FailsoftUnavailableError,
  createFailsoftProvider,
  type FailsoftAnswerMetadata,
  type FailsoftProvider,
} from './index.js';
import { countCalls, requestCounts, simEngine } from './sim-engine.test-helper.js';

let sim: RunningSimulator;
let ai: Failsoft;
let failsoft: FailsoftProvider;

// Chunks 20 ms apart: a stream is still flowing when a test acts on it.
beforeAll(async () => {
  sim = await startSimulator({ port: 0, chunkDelayMs: 20 });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.clearFaults();
  sim.resetStats();
  ai = simEngine(sim);
  failsoft = createFailsoftProvider(ai);
});
afterEach(async () => {
  await ai.close();
});

async function parts<T extends ToolSet>(stream: AsyncIterable<TextStreamPart<T>>): Promise<Array<TextStreamPart<T>>> {
  const out: Array<TextStreamPart<T>> = [];
  for await (const part of stream) out.push(part);
  return out;
}

function textOf(all: ReadonlyArray<TextStreamPart<ToolSet>>): string {
  return all.map((part) => (part.type === 'text-delta' ? part.text : '')).join('');
}

function metadataOf(providerMetadata: unknown): FailsoftAnswerMetadata {
  return (providerMetadata as { failsoft: FailsoftAnswerMetadata }).failsoft;
}

describe('streamText through failsoft', () => {
  it("streams the primary's answer in several deltas, with usage and who answered at the end", async () => {
    const result = streamText({ model: failsoft('chat'), prompt: 'Tell me about the plant closing at noon' });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.join('')).toBe(
      'Simulated reply from anthropic (claude-sonnet-4-5): Tell me about the plant closing at noon',
    );
    expect(await result.finishReason).toBe('stop');
    expect((await result.usage).outputTokens).toBeGreaterThan(0);
    expect(metadataOf(await result.providerMetadata)).toMatchObject({
      feature: 'chat',
      provider: 'claude',
      source: 'provider',
      degraded: false,
    });
  });

  it('fails over before the first token, invisibly', async () => {
    sim.setFaults({ anthropic: [{ kind: 'overloaded' }] });
    const result = streamText({ model: failsoft('chat'), prompt: 'Hello' });
    const all = await parts(result.fullStream);
    expect(all.some((part) => part.type === 'error')).toBe(false);
    expect(textOf(all)).toBe('Simulated reply from openai (gpt-4o): Hello');
    expect(metadataOf(await result.providerMetadata)).toMatchObject({ provider: 'gpt', degraded: true });
    expect(requestCounts(sim)).toEqual({ anthropic: 1, openai: 1 });
  });

  it('a stream cut after its first token ends with an error part (no silent replacement) and finish "error"', async () => {
    sim.setFaults({ anthropic: [{ kind: 'mid_stream_error', afterChunks: 2 }] });
    const result = streamText({
      model: failsoft('chat'),
      prompt: 'Tell me about the plant closing at noon',
      onError: () => {},
    });
    const all = await parts(result.fullStream);
    expect(textOf(all).length).toBeGreaterThan(0);
    const error = all.find((part) => part.type === 'error')?.error;
    expect(FailsoftStreamError.isInstance(error)).toBe(true);
    expect((error as FailsoftStreamError).isRetryable).toBe(false);
    expect((error as FailsoftStreamError).feature).toBe('chat');
    expect((error as FailsoftStreamError).errorClass).toBeDefined();
    expect(all.find((part) => part.type === 'finish-step')).toMatchObject({ finishReason: 'error' });
    expect(requestCounts(sim).openai).toBe(0);
  });

  it('an enhanced feature with every provider down streams its fallback, degraded', async () => {
    sim.setFaults({ anthropic: [{ kind: 'server_error' }], openai: [{ kind: 'server_error' }] });
    const result = streamText({
      model: failsoft('summary'),
      prompt: 'The plant closed at noon. Workers waited outside.',
    });
    expect(textOf(await parts(result.fullStream))).toBe('The plant closed at noon.');
    expect(metadataOf(await result.providerMetadata)).toMatchObject({
      source: 'fallback',
      degraded: true,
      provider: null,
    });
  });

  it('an ai-only feature nobody can serve: an error part the AI SDK does not retry, with retryAfterMs', async () => {
    sim.setFaults({
      anthropic: [{ kind: 'rate_limited', retryAfterS: 4 }],
      openai: [{ kind: 'rate_limited', retryAfterS: 6 }],
    });
    const calls = countCalls(ai);
    const result = streamText({ model: failsoft('chat'), prompt: 'Hello', maxRetries: 2, onError: () => {} });
    const all = await parts(result.fullStream);
    const error = all.find((part) => part.type === 'error')?.error;
    expect(FailsoftUnavailableError.isInstance(error)).toBe(true);
    expect(APICallError.isInstance(error) && error.isRetryable).toBe(false);
    expect((error as FailsoftUnavailableError).retryAfterMs).toBeGreaterThan(2_000);
    expect((error as FailsoftUnavailableError).retryAfterMs).toBeLessThanOrEqual(4_000);
    expect(calls.stream).toBe(1);
    expect(requestCounts(sim)).toEqual({ anthropic: 1, openai: 1 });
  });

  it('an AbortController mid-stream closes the provider stream', async () => {
    sim.setFaults({ anthropic: [{ kind: 'slow_stream', durationMs: 20_000, chunkDelayMs: 100 }] });
    const controller = new AbortController();
    const result = streamText({
      model: failsoft('chat'),
      prompt: 'Tell me a long story',
      abortSignal: controller.signal,
      onError: () => {},
    });
    const reader = result.textStream[Symbol.asyncIterator]();
    await reader.next();
    await reader.next();
    expect(sim.stats()['anthropic']?.slowStreams).toMatchObject({ started: 1, abandoned: 0 });
    // The abort alone, with the reader left as it is: the signal reaches failsoft's attempt, which closes the upstream.
    controller.abort();
    await expect.poll(() => sim.stats()['anthropic']?.slowStreams.abandoned, { timeout: 2_000 }).toBe(1);
    await reader.return?.();
    expect(sim.stats()['anthropic']?.slowStreams.completed).toBe(0);
    expect(requestCounts(sim).openai).toBe(0);
  });

  it("cancelling the model's stream (what a caller that stops reading does) closes the provider stream", async () => {
    sim.setFaults({ anthropic: [{ kind: 'slow_stream', durationMs: 20_000, chunkDelayMs: 100 }] });
    const { stream } = await failsoft('chat').doStream({
      prompt: [{ role: 'user', content: [{ type: 'text', text: 'Tell me a long story' }] }],
    });
    const reader = stream.getReader();
    const first = await reader.read();
    expect(first.value).toEqual({ type: 'stream-start', warnings: [] });
    await reader.read();
    await reader.cancel();
    await expect.poll(() => sim.stats()['anthropic']?.slowStreams.abandoned, { timeout: 2_000 }).toBe(1);
  });

  it('streams a structured answer (output: Output.object) in JSON mode', async () => {
    const schema = z.object({ city: z.string(), population: z.number() });
    const result = streamText({ model: failsoft('chat'), output: Output.object({ schema }), prompt: 'Paris facts' });
    const partials: unknown[] = [];
    for await (const partial of result.partialOutputStream) partials.push(partial);
    expect(partials.length).toBeGreaterThan(1);
    expect(schema.safeParse(await result.output).success).toBe(true);
  });

  it('streams a tool call as tool input parts, then the call', async () => {
    const result = streamText({
      model: failsoft('chat'),
      prompt: 'Weather in Paris',
      tools: {
        lookup_weather: tool({
          inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } } }),
        }),
      },
      toolChoice: 'required',
    });
    const all = await parts(result.fullStream);
    const types = all.map((part) => part.type);
    expect(types).toContain('tool-input-start');
    expect(types).toContain('tool-input-delta');
    expect(types.indexOf('tool-input-start')).toBeLessThan(types.indexOf('tool-call'));
    const call = all.find((part) => part.type === 'tool-call');
    expect(call).toMatchObject({ toolName: 'lookup_weather', input: { city: 'Weather in Paris' } });
    expect(await result.finishReason).toBe('tool-calls');
  });
});
