import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../model/errors.js';
import type { StreamEvent } from '../../model/stream-event.js';
import { openaiStreamEvents, type OpenAIStreamBody } from './openai-stream.js';

const context = { provider: 'gpt', protocol: 'openai', model: 'gpt-4o-mini' };

/** A recorded stream fed in small pieces, so events split across chunks; records whether it was destroyed. */
function body(name: string, pieceSize = 7): OpenAIStreamBody & { destroyed: boolean } {
  const bytes = readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url));
  const source = {
    destroyed: false,
    async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
      for (let at = 0; at < bytes.length; at += pieceSize) yield bytes.subarray(at, at + pieceSize);
    },
    destroy(): void {
      source.destroyed = true;
    },
  };
  return source;
}

async function collect(
  source: OpenAIStreamBody,
  ctx: Parameters<typeof openaiStreamEvents>[1] = context,
): Promise<{ events: StreamEvent[]; error?: unknown }> {
  const events: StreamEvent[] = [];
  try {
    for await (const event of openaiStreamEvents(source, ctx)) events.push(event);
    return { events };
  } catch (error) {
    return { events, error };
  }
}

describe('openaiStreamEvents', () => {
  it('yields text deltas then one finish with usage, the answering model and id', async () => {
    const { events, error } = await collect(body('stream-text.sse'));
    expect(error).toBeUndefined();
    expect(events).toEqual([
      { type: 'text-delta', text: 'Hello' },
      { type: 'text-delta', text: ' there' },
      { type: 'text-delta', text: '!' },
      {
        type: 'finish',
        finishReason: 'stop',
        rawFinishReason: 'stop',
        usage: { inputTokens: 19, outputTokens: 4, totalTokens: 23 },
        model: 'gpt-4o-mini-2024-07-18',
        id: 'chatcmpl-BN0cV3hVv0sKvQ0bq1xC1e2vq8R4X',
      },
    ]);
  });

  it('assembles parallel tool calls from their deltas', async () => {
    const { events, error } = await collect(body('stream-tool-calls.sse', 11));
    expect(error).toBeUndefined();
    expect(events.filter((e) => e.type === 'tool-call-start')).toEqual([
      { type: 'tool-call-start', index: 0, id: 'call_9qkS2b7xXcJ1v3k8V6bM2pQe', name: 'get_weather' },
      { type: 'tool-call-start', index: 1, id: 'call_Lr0s8n2WmYt4uX5zC7aB1dFg', name: 'get_time' },
    ]);
    const args0 = events
      .filter((e) => e.type === 'tool-call-delta' && e.index === 0)
      .map((e) => (e.type === 'tool-call-delta' ? e.argumentsDelta : ''))
      .join('');
    expect(args0).toBe('{"city": "Paris"}');
    expect(events.filter((e) => e.type === 'tool-call')).toEqual([
      {
        type: 'tool-call',
        index: 0,
        id: 'call_9qkS2b7xXcJ1v3k8V6bM2pQe',
        name: 'get_weather',
        input: { city: 'Paris' },
      },
      {
        type: 'tool-call',
        index: 1,
        id: 'call_Lr0s8n2WmYt4uX5zC7aB1dFg',
        name: 'get_time',
        input: { tz: 'Europe/Paris' },
      },
    ]);
    expect(events[events.length - 1]).toMatchObject({
      type: 'finish',
      finishReason: 'tool-calls',
      rawFinishReason: 'tool_calls',
      usage: { inputTokens: 85, outputTokens: 48, totalTokens: 133 },
    });
    expect(events.filter((e) => e.type === 'finish')).toHaveLength(1);
  });

  it('ignores comments, ping and unknown events, and reads CRLF-separated frames', async () => {
    const { events, error } = await collect(body('stream-pings.sse', 5));
    expect(error).toBeUndefined();
    expect(events.map((e) => e.type)).toEqual(['text-delta', 'finish']);
    expect(events[1]).toMatchObject({
      finishReason: 'stop',
      usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    });
  });

  it('throws the classified in-stream error after the content that preceded it', async () => {
    const { events, error } = await collect(body('stream-error.sse'));
    expect(events).toEqual([{ type: 'text-delta', text: 'Partial' }]);
    expect(ProviderError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      class: 'server_error',
      inStream: true,
      provider: 'gpt',
      model: 'gpt-4o-mini',
      status: undefined,
    });
    expect((error as Error).message).toBe(
      "openai 'gpt': in-stream error server_error: The server had an error while processing your request. Sorry about that!",
    );
  });

  it('treats a stream that ends without [DONE] as a network failure, not a short answer', async () => {
    const { events, error } = await collect(body('stream-truncated.sse'));
    expect(events.map((e) => e.type)).toEqual(['text-delta', 'text-delta']);
    expect(error).toMatchObject({ class: 'network', inStream: true });
    expect((error as Error).message).toContain('stream ended without its terminator');
  });

  it('accepts a compatible vendor that sends no usage and finish_reason null before [DONE]', async () => {
    const { events, error } = await collect(body('stream-compatible-no-usage.sse'), {
      ...context,
      protocol: 'openai-compatible',
      model: 'llama3.1:8b',
    });
    expect(error).toBeUndefined();
    expect(events).toEqual([
      { type: 'text-delta', text: 'Hi' },
      { type: 'text-delta', text: ' from llama' },
      {
        type: 'finish',
        finishReason: 'stop',
        usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
        model: 'llama3.1:8b',
        id: 'cmpl-5f1c',
      },
    ]);
  });

  it('classifies a malformed chunk as a server error', async () => {
    const source = {
      async *[Symbol.asyncIterator]() {
        yield 'data: {"choices": "nope"}\n\n';
      },
    };
    const { error } = await collect(source);
    expect(error).toMatchObject({ class: 'server_error', inStream: true });
  });

  it('classifies an unframed JSON error tail (some compatible vendors)', async () => {
    const source = {
      async *[Symbol.asyncIterator]() {
        yield '{"error": {"message": "Rate limit reached. Please try again in 2s.", "type": "requests", "code": "rate_limit_exceeded"}}';
      },
    };
    const { error } = await collect(source);
    expect(error).toMatchObject({ class: 'rate_limited', inStream: true, retryAfterMs: 2000 });
  });

  it('releases the connection when the reader stops early', async () => {
    const source = body('stream-text.sse');
    for await (const event of openaiStreamEvents(source, context)) if (event.type === 'text-delta') break;
    expect(source.destroyed).toBe(true);
  });

  it('rethrows the abort reason when the signal aborts mid-stream', async () => {
    const controller = new AbortController();
    const reason = new Error('deadline');
    const events: StreamEvent[] = [];
    let caught: unknown;
    try {
      for await (const event of openaiStreamEvents(body('stream-text.sse'), {
        ...context,
        signal: controller.signal,
      })) {
        events.push(event);
        controller.abort(reason);
      }
    } catch (error) {
      caught = error;
    }
    expect(events).toHaveLength(1);
    expect(caught).toBe(reason);
  });
});
