/**
 * `generateText` and `generateObject` (the `ai` package itself) through `failsoft('…')`, against the simulator:
 * who answers, failover, fallbacks, the ai-only error the AI SDK must not retry, abort, tools, bad input.
 */
import { APICallError, NoSuchModelError, UnsupportedFunctionalityError } from '@ai-sdk/provider';
import { generateObject, generateText, jsonSchema, stepCountIs, tool } from 'ai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Failsoft } from '../engine/failsoft.js';
import { AIUnavailableError } from '../model/errors.js';
import { startSimulator, type RunningSimulator } from '../sim/start-simulator.js';
import {
  FailsoftUnavailableError,
  createFailsoftProvider,
  type FailsoftAnswerMetadata,
  type FailsoftProvider,
} from './index.js';
import { countCalls, requestCounts, simEngine } from './sim-engine.test-helper.js';

let sim: RunningSimulator;
let ai: Failsoft;
let failsoft: FailsoftProvider;

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
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

function metadataOf(result: { providerMetadata?: unknown }): FailsoftAnswerMetadata {
  return (result.providerMetadata as { failsoft: FailsoftAnswerMetadata }).failsoft;
}

describe('generateText through failsoft', () => {
  it('answers from the primary, with who answered in providerMetadata.failsoft', async () => {
    const result = await generateText({
      model: failsoft('summary'),
      system: 'Be brief.',
      prompt: 'Summarize: the plant closed.',
      maxOutputTokens: 200,
    });
    expect(result.text).toBe('Simulated reply from anthropic (claude-sonnet-4-5): Summarize: the plant closed.');
    expect(result.finishReason).toBe('stop');
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.usage.outputTokens).toBeGreaterThan(0);
    expect(metadataOf(result)).toMatchObject({
      feature: 'summary',
      provider: 'claude',
      model: 'claude-sonnet-4-5',
      source: 'provider',
      degraded: false,
    });
    expect(result.response.modelId).toBe('claude-sonnet-4-5');
    expect(requestCounts(sim)).toEqual({ anthropic: 1, openai: 0 });
  });

  it('fails over to the next route entry when the primary is overloaded', async () => {
    sim.setFaults({ anthropic: [{ kind: 'overloaded' }] });
    const result = await generateText({ model: failsoft('chat'), prompt: 'Hello' });
    expect(result.text).toBe('Simulated reply from openai (gpt-4o): Hello');
    expect(metadataOf(result)).toMatchObject({ provider: 'gpt', source: 'provider', degraded: true });
    expect(metadataOf(result).attempts.map((a) => a.outcome)).toEqual(['overloaded', 'ok']);
    expect(requestCounts(sim)).toEqual({ anthropic: 1, openai: 1 });
  });

  it('an enhanced feature with every provider down answers with its fallback, degraded', async () => {
    sim.setFaults({ anthropic: [{ kind: 'server_error' }], openai: [{ kind: 'server_error' }] });
    const result = await generateText({
      model: failsoft('summary'),
      prompt: 'The plant closed at noon. Workers waited outside.',
    });
    expect(result.text).toBe('The plant closed at noon.');
    expect(metadataOf(result)).toMatchObject({
      feature: 'summary',
      provider: null,
      model: null,
      source: 'fallback',
      degraded: true,
    });
    expect(result.usage.outputTokens).toBe(0);
  });

  it('an ai-only feature nobody can serve rejects with a non-retryable APICallError the AI SDK does not retry', async () => {
    sim.setFaults({ anthropic: [{ kind: 'overloaded' }], openai: [{ kind: 'overloaded' }] });
    const calls = countCalls(ai);
    const error = await generateText({ model: failsoft('chat'), prompt: 'Hello', maxRetries: 2 }).catch(
      (e: unknown) => e,
    );
    expect(FailsoftUnavailableError.isInstance(error)).toBe(true);
    expect(APICallError.isInstance(error)).toBe(true);
    const unavailable = error as FailsoftUnavailableError;
    expect(unavailable.isRetryable).toBe(false);
    expect(unavailable.statusCode).toBe(503);
    expect(unavailable.cause).toBeInstanceOf(AIUnavailableError);
    expect(unavailable.feature).toBe('chat');
    expect(unavailable.message).toContain('chat is unavailable');
    // One model call, one request per route entry: the AI SDK's maxRetries: 2 would have made it three of each.
    expect(calls.generate).toBe(1);
    expect(requestCounts(sim)).toEqual({ anthropic: 1, openai: 1 });
  });

  it("carries retryAfterMs (and retry-after) from the providers' rate limits", async () => {
    sim.setFaults({
      anthropic: [{ kind: 'rate_limited', retryAfterS: 7 }],
      openai: [{ kind: 'rate_limited', retryAfterS: 9 }],
    });
    const calls = countCalls(ai);
    const error = (await generateText({ model: failsoft('chat'), prompt: 'Hello' }).catch(
      (e: unknown) => e,
    )) as FailsoftUnavailableError;
    expect(FailsoftUnavailableError.isInstance(error)).toBe(true);
    expect(error.retryAfterMs).toBeGreaterThan(5_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(7_000);
    expect(error.responseHeaders?.['retry-after']).toBe('7');
    expect(error.reason).toBe('providers-failed');
    expect(calls.generate).toBe(1);
    expect(requestCounts(sim)).toEqual({ anthropic: 1, openai: 1 });
  });

  it('an AbortController cancels the upstream call at once, and nobody else is tried', async () => {
    sim.setFaults({ anthropic: [{ kind: 'slow', latencyMs: 10_000 }] });
    const controller = new AbortController();
    const pending = generateText({ model: failsoft('chat'), prompt: 'Hello', abortSignal: controller.signal }).catch(
      (e: unknown) => e,
    );
    await expect.poll(() => requestCounts(sim).anthropic).toBe(1);
    const abortedAt = performance.now();
    controller.abort();
    const error = await pending;
    expect(performance.now() - abortedAt).toBeLessThan(1_000);
    expect((error as Error).name).toBe('AbortError');
    expect(requestCounts(sim).openai).toBe(0);
    const health = await ai.health();
    expect(health.providers['claude']?.models['claude-sonnet-4-5']?.errorRate ?? 0).toBe(0);
  });

  it('tools round-trip: the tool call comes back as a tool call, and its result is sent on the next step', async () => {
    const seen: unknown[] = [];
    const result = await generateText({
      model: failsoft('chat'),
      prompt: 'Use lookup_weather for Paris',
      tools: {
        lookup_weather: tool({
          description: 'Weather for a city',
          inputSchema: jsonSchema<{ city: string }>({
            type: 'object',
            properties: { city: { type: 'string' } },
            required: ['city'],
          }),
          execute: async (input) => {
            seen.push(input);
            return { temperatureC: 21 };
          },
        }),
      },
      stopWhen: stepCountIs(2),
      include: { requestBody: true },
    });
    expect(result.steps).toHaveLength(2);
    const [call] = result.steps[0]?.toolCalls ?? [];
    expect(call).toMatchObject({ toolName: 'lookup_weather', input: { city: 'Use lookup_weather for Paris' } });
    expect(result.steps[0]?.finishReason).toBe('tool-calls');
    expect(seen).toEqual([{ city: 'Use lookup_weather for Paris' }]);
    // The simulator answers this only when the request's last message is a tool result.
    expect(result.text).toBe('Tool result received.');
    const sent = result.steps[1]?.request.body as { messages: Array<{ role: string; content: unknown }> };
    expect(sent.messages.at(-1)).toEqual({
      role: 'tool',
      content: [
        { type: 'tool-result', toolCallId: call?.toolCallId, name: 'lookup_weather', content: '{"temperatureC":21}' },
      ],
    });
  });

  it('toolChoice names the tool to call', async () => {
    const result = await generateText({
      model: failsoft('chat'),
      prompt: 'Hello',
      tools: {
        ping: tool({
          inputSchema: jsonSchema<{ n: number }>({ type: 'object', properties: { n: { type: 'number' } } }),
        }),
      },
      toolChoice: { type: 'tool', toolName: 'ping' },
    });
    expect(result.toolCalls).toMatchObject([{ toolName: 'ping', input: { n: 1 } }]);
  });

  it('settings failsoft cannot pass on come back as warnings, not silence', async () => {
    const result = await generateText({
      model: failsoft('chat'),
      prompt: 'Hello',
      topK: 5,
      seed: 1,
      presencePenalty: 0.5,
    });
    expect(result.warnings?.map((w) => (w.type === 'unsupported' ? w.feature : w.type))).toEqual([
      'topK',
      'presencePenalty',
      'seed',
    ]);
  });

  it('providerOptions.failsoft.priority is checked', async () => {
    const ok = await generateText({
      model: failsoft('chat'),
      prompt: 'Hello',
      providerOptions: { failsoft: { priority: 'batch' } },
    });
    expect(ok.text).toContain('Hello');
    await expect(
      generateText({ model: failsoft('chat'), prompt: 'Hello', providerOptions: { failsoft: { priority: 'urgent' } } }),
    ).rejects.toThrow('providerOptions.failsoft.priority: must be "interactive" or "batch" (got "urgent")');
  });
});

describe('generateObject through failsoft', () => {
  const schema = z.object({ city: z.string(), population: z.number() });

  it('answers a schema-shaped object from the primary', async () => {
    const result = await generateObject({ model: failsoft('chat'), schema, prompt: 'Paris facts' });
    expect(schema.safeParse(result.object).success).toBe(true);
    expect(metadataOf(result)).toMatchObject({ provider: 'claude', degraded: false });
  });

  it('an enhanced feature with every provider down answers with its JSON fallback', async () => {
    sim.setFaults({ anthropic: [{ kind: 'overloaded' }], openai: [{ kind: 'overloaded' }] });
    const result = await generateObject({
      model: failsoft('summary'),
      schema: z.object({ city: z.string() }),
      prompt: 'Paris facts',
    });
    expect(result.object).toEqual({ city: 'unknown' });
    expect(metadataOf(result)).toMatchObject({ source: 'fallback', degraded: true });
  });
});

describe('bad input', () => {
  it('an unknown feature is refused when the model is made, naming the features that exist', () => {
    expect(() => failsoft('sumary')).toThrow(NoSuchModelError);
    expect(() => failsoft.languageModel('sumary')).toThrow(
      'failsoft: unknown feature "sumary" (configured: summary, chat, billing)',
    );
    expect(() => failsoft('constructor')).toThrow('unknown feature "constructor"');
  });

  it('a critical feature is refused: it never calls a provider', () => {
    expect(() => failsoft('billing')).toThrow('feature "billing" is critical');
  });

  it('other model kinds do not exist', () => {
    expect(() => failsoft.embeddingModel('summary')).toThrow(NoSuchModelError);
  });

  it('a file other than an image is refused by name, before any request', async () => {
    const error = await generateText({
      model: failsoft('chat'),
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'file', data: new URL('https://example.com/report.pdf'), mediaType: 'application/pdf' },
          ],
        },
      ],
    }).catch((e: unknown) => e);
    expect(UnsupportedFunctionalityError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('file part (application/pdf');
    expect((error as Error).message).toContain('message 0 (user), part 1');
    expect(requestCounts(sim)).toEqual({ anthropic: 0, openai: 0 });
  });

  it('a request failsoft refuses (temperature out of range) is a non-retryable 400 naming the field', async () => {
    const error = await generateText({ model: failsoft('chat'), prompt: 'Hello', temperature: 5 }).catch(
      (e: unknown) => e,
    );
    expect(APICallError.isInstance(error)).toBe(true);
    expect((error as APICallError).statusCode).toBe(400);
    expect((error as APICallError).isRetryable).toBe(false);
    expect((error as Error).message).toContain('temperature');
    expect(requestCounts(sim)).toEqual({ anthropic: 0, openai: 0 });
  });
});
