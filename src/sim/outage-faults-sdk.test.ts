import Anthropic, {
  APIConnectionTimeoutError as AnthropicTimeout,
  RateLimitError as AnthropicRateLimit,
} from '@anthropic-ai/sdk';
import { ApiError, GoogleGenAI } from '@google/genai';
import OpenAI, { APIConnectionTimeoutError as OpenAITimeout, RateLimitError as OpenAIRateLimit } from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from './start-simulator.js';

/**
 * The outage shapes through the official SDKs (retries off): a slow but healthy stream reaches its
 * normal end, a stream that stalls mid-answer leaves the SDK waiting (only the caller's abort ends it),
 * a hang sends no headers so a streamed call times out like any other, and a long Retry-After reaches
 * the SDK where each provider puts it.
 */

let sim: RunningSimulator;
let anthropic: Anthropic;
let openai: OpenAI;
let gemini: GoogleGenAI;

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  anthropic = new Anthropic({ baseURL: sim.urlFor('anthropic'), apiKey: 'sk-ant-test', maxRetries: 0 });
  openai = new OpenAI({ baseURL: sim.urlFor('openai'), apiKey: 'sk-test', maxRetries: 0 });
  gemini = new GoogleGenAI({ apiKey: 'AIza-test', httpOptions: { baseUrl: sim.urlFor('gemini') } });
});

afterEach(() => {
  sim.clearFaults();
  sim.resetStats();
});

afterAll(async () => {
  await sim.close();
});

const PROMPT = 'Summarise the incident report in two sentences';
const claude = { model: 'claude-sonnet-4-6', max_tokens: 1024, messages: [{ role: 'user' as const, content: PROMPT }] };
const gpt = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: PROMPT }] };
const GEMINI_MODEL = 'gemini-2.5-flash';
/** 12 deltas 25 ms apart: 275 ms from first to last. */
const SLOW = { kind: 'slow_stream' as const, chunks: 12, chunkDelayMs: 25 };

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('slow_stream through the SDKs: the whole long answer arrives, ending normally', () => {
  it('Anthropic: every text delta, then message_stop and end_turn', async () => {
    sim.setFaults({ anthropic: [SLOW] });
    const started = performance.now();
    const message = await anthropic.messages.stream(claude).finalMessage();
    expect(performance.now() - started).toBeGreaterThanOrEqual(260);
    expect(message.stop_reason).toBe('end_turn');
    const text = message.content[0]?.type === 'text' ? message.content[0].text : '';
    expect(text.startsWith(`Simulated reply from anthropic (claude-sonnet-4-6): ${PROMPT} Simulated`)).toBe(true);
    expect(sim.stats().anthropic?.slowStreams).toEqual({ started: 1, completed: 1, abandoned: 0 });
  });

  it('OpenAI: 12 content deltas, finish_reason stop, [DONE]', async () => {
    sim.setFaults({ openai: [SLOW] });
    const stream = await openai.chat.completions.create({ ...gpt, stream: true });
    let deltas = 0;
    let finish: string | null = null;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) deltas += 1;
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(deltas).toBe(12);
    expect(finish).toBe('stop');
  });

  it('OpenAI non-stream: the same long answer after the same total', async () => {
    sim.setFaults({ openai: [SLOW] });
    const started = performance.now();
    const completion = await openai.chat.completions.create(gpt);
    expect(performance.now() - started).toBeGreaterThanOrEqual(260);
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.choices[0]?.message.content?.split(PROMPT).length).toBeGreaterThan(2);
  });

  it('Gemini: every chunk, the last with finishReason STOP', async () => {
    sim.setFaults({ gemini: [SLOW] });
    const chunks = [];
    for await (const chunk of await gemini.models.generateContentStream({ model: GEMINI_MODEL, contents: PROMPT }))
      chunks.push(chunk);
    expect(chunks.filter((chunk) => (chunk.text ?? '') !== '')).toHaveLength(12);
    expect(chunks.at(-1)?.candidates?.[0]?.finishReason).toBe('STOP');
  });
});

describe('stall_stream through the SDKs: the stream hangs after a few deltas', () => {
  // Both SDKs end a stream's iteration quietly when its controller aborts: what shows the stall is that
  // nothing more arrives, not even the terminator, until the caller gives up.
  it('OpenAI: the deltas arrive, then nothing (no finish_reason) until the caller aborts', async () => {
    sim.setFaults({ openai: [{ kind: 'stall_stream', afterChunks: 2 }] });
    const stream = await openai.chat.completions.create({ ...gpt, stream: true });
    let deltas = 0;
    let finish: string | null = null;
    let abortedAt = Number.NaN;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) deltas += 1;
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (deltas === 2 && Number.isNaN(abortedAt))
        setTimeout(() => {
          abortedAt = performance.now();
          stream.controller.abort();
        }, 200);
    }
    expect(Number.isFinite(abortedAt)).toBe(true);
    expect(deltas).toBe(2);
    expect(finish).toBeNull();
    expect(sim.stats().openai?.streamFaults.stall_stream).toBe(1);
  });

  it('Anthropic: message_start and one delta, never message_stop', async () => {
    sim.setFaults({ anthropic: [{ kind: 'stall_stream', afterChunks: 1 }] });
    const stream = await anthropic.messages.create({ ...claude, stream: true });
    const seen: string[] = [];
    let aborted = false;
    for await (const event of stream) {
      seen.push(event.type);
      if (event.type === 'content_block_delta')
        setTimeout(() => {
          aborted = true;
          stream.controller.abort();
        }, 200);
    }
    expect(aborted).toBe(true);
    expect(seen).toEqual(['message_start', 'content_block_start', 'content_block_delta']);
  });
});

describe('timeout through the SDKs: a streamed call gets no headers, so it times out like any call', () => {
  it('Anthropic and OpenAI raise their connection-timeout errors; Gemini its abort', async () => {
    sim.setFaults({ anthropic: [{ kind: 'timeout' }], openai: [{ kind: 'timeout' }], gemini: [{ kind: 'timeout' }] });
    expect(await failure(anthropic.messages.create({ ...claude, stream: true }, { timeout: 300 }))).toBeInstanceOf(
      AnthropicTimeout,
    );
    expect(await failure(openai.chat.completions.create({ ...gpt, stream: true }, { timeout: 300 }))).toBeInstanceOf(
      OpenAITimeout,
    );
    const slowGemini = new GoogleGenAI({
      apiKey: 'AIza-test',
      httpOptions: { baseUrl: sim.urlFor('gemini'), timeout: 300 },
    });
    expect(
      await failure(slowGemini.models.generateContentStream({ model: GEMINI_MODEL, contents: PROMPT })),
    ).toBeInstanceOf(Error);
    expect(sim.stats().gemini?.statuses).toEqual({ timeout: 1 });
  });
});

describe('rate_limited with retryAfterS: 20 reaches each SDK where the provider puts the delay', () => {
  it('Anthropic and OpenAI: retry-after: 20, and no retry-after-ms (neither API sends it)', async () => {
    sim.setFaults({
      anthropic: [{ kind: 'rate_limited', retryAfterS: 20 }],
      openai: [{ kind: 'rate_limited', retryAfterS: 20 }],
    });
    const claudeError = await failure(anthropic.messages.create(claude));
    expect(claudeError).toBeInstanceOf(AnthropicRateLimit);
    expect((claudeError as AnthropicRateLimit).headers.get('retry-after')).toBe('20');
    expect((claudeError as AnthropicRateLimit).headers.get('retry-after-ms')).toBeNull();
    const gptError = await failure(openai.chat.completions.create(gpt));
    expect(gptError).toBeInstanceOf(OpenAIRateLimit);
    expect((gptError as OpenAIRateLimit).headers.get('retry-after')).toBe('20');
    expect((gptError as OpenAIRateLimit).headers.get('retry-after-ms')).toBeNull();
  });

  it('Gemini: RetryInfo retryDelay 20s in the 429 body', async () => {
    sim.setFaults({ gemini: [{ kind: 'rate_limited', retryAfterS: 20 }] });
    const error = await failure(gemini.models.generateContent({ model: GEMINI_MODEL, contents: PROMPT }));
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(429);
    expect((error as ApiError).message).toContain('"retryDelay":"20s"');
  });
});
