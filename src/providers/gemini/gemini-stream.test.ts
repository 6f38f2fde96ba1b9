import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../model/errors.js';
import type { StreamEvent } from '../../model/stream-event.js';
import { geminiStreamEvents, type GeminiStreamContext } from './gemini-stream.js';

const context: GeminiStreamContext = { provider: 'gemini', model: 'gemini-2.5-flash' };

/** Replays a recorded stream in small pieces, so events split across network chunks. */
async function* replay(name: string, pieceSize = 17): AsyncGenerator<Uint8Array> {
  const bytes = readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url));
  for (let i = 0; i < bytes.length; i += pieceSize) yield bytes.subarray(i, i + pieceSize);
}

async function collect(
  name: string,
  ctx: GeminiStreamContext = context,
): Promise<{ events: StreamEvent[]; error?: ProviderError }> {
  const events: StreamEvent[] = [];
  try {
    for await (const event of geminiStreamEvents(replay(name), ctx)) events.push(event);
  } catch (error) {
    if (!ProviderError.isInstance(error)) throw error;
    return { events, error };
  }
  return { events };
}

describe('geminiStreamEvents', () => {
  it('yields text deltas, then exactly one finish with usage and the answering model (CRLF separators)', async () => {
    const { events, error } = await collect('stream-text.sse');
    expect(error).toBeUndefined();
    expect(events).toEqual([
      { type: 'text-delta', text: 'Hello' },
      { type: 'text-delta', text: ', world' },
      { type: 'text-delta', text: '!' },
      {
        type: 'finish',
        finishReason: 'stop',
        rawFinishReason: 'STOP',
        usage: { inputTokens: 4, outputTokens: 3, totalTokens: 7 },
        model: 'gemini-2.5-flash',
        id: 'Sl1daOaeNOHWnvgP6eHmiQ4',
      },
    ]);
  });

  it('reads LF-separated streams the same way', async () => {
    const crlf = await collect('stream-text.sse');
    const lf = await collect('stream-text-lf.sse');
    expect(lf.events).toEqual(crlf.events);
  });

  it('emits a whole function call as start, one arguments delta and the parsed call', async () => {
    const { events } = await collect('stream-tool-call.sse');
    expect(events).toEqual([
      { type: 'text-delta', text: 'Checking.' },
      { type: 'tool-call-start', index: 0, id: 'call_0_get_weather', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"city":"Paris","unit":"c"}' },
      {
        type: 'tool-call',
        index: 0,
        id: 'call_0_get_weather',
        name: 'get_weather',
        input: { city: 'Paris', unit: 'c' },
      },
      expect.objectContaining({
        type: 'finish',
        finishReason: 'tool-calls',
        rawFinishReason: 'STOP',
        usage: { inputTokens: 30, outputTokens: 12, totalTokens: 42 },
      }),
    ]);
  });

  it('ignores comments, named events and empty chunks', async () => {
    const noisy = await collect('stream-with-noise.sse');
    const clean = await collect('stream-text.sse');
    expect(noisy.events).toEqual(clean.events);
  });

  it('classifies the raw pretty-printed JSON error tail after some chunks, in-stream', async () => {
    const { events, error } = await collect('stream-error-tail.sse');
    expect(events).toEqual([
      { type: 'text-delta', text: 'Hello' },
      { type: 'text-delta', text: ', world' },
    ]);
    expect(error).toMatchObject({ class: 'overloaded', status: 503, code: 'UNAVAILABLE', inStream: true });
  });

  it('classifies a data chunk holding an error, in-stream', async () => {
    const { events, error } = await collect('stream-error-chunk.sse');
    expect(events).toEqual([{ type: 'text-delta', text: 'Hello' }]);
    expect(error).toMatchObject({ class: 'server_error', status: 500, code: 'INTERNAL', inStream: true });
  });

  it('treats a stream that closes without a finishReason as truncated (network), not as a short answer', async () => {
    const { events, error } = await collect('stream-truncated.sse');
    expect(events.some((e) => e.type === 'finish')).toBe(false);
    expect(error).toMatchObject({ class: 'network', inStream: true });
    expect(error?.message).toContain('stream ended without its terminator');
  });

  it('throws content_filter for a prompt blocked at the start of the stream', async () => {
    const { events, error } = await collect('stream-blocked.sse');
    expect(events).toEqual([]);
    expect(error).toMatchObject({ class: 'content_filter', code: 'SAFETY' });
  });

  it('throws server_error for a chunk that is not JSON', async () => {
    const { error } = await collect('stream-malformed.sse');
    expect(error).toMatchObject({ class: 'server_error', inStream: true });
  });

  it('releases the connection when the consumer stops early', async () => {
    let released = 0;
    for await (const event of geminiStreamEvents(replay('stream-text.sse'), {
      ...context,
      release: () => released++,
    })) {
      expect(event.type).toBe('text-delta');
      break;
    }
    expect(released).toBe(1);
  });

  it('does not release a connection that was read to the end', async () => {
    let released = 0;
    for await (const event of geminiStreamEvents(replay('stream-text.sse'), { ...context, release: () => released++ }))
      void event;
    expect(released).toBe(0);
  });

  it('stops and rethrows the abort reason when the signal aborts', async () => {
    const controller = new AbortController();
    const reason = new Error('deadline passed');
    const seen: StreamEvent[] = [];
    await expect(
      (async () => {
        for await (const event of geminiStreamEvents(replay('stream-text.sse'), {
          ...context,
          signal: controller.signal,
        })) {
          seen.push(event);
          controller.abort(reason);
        }
      })(),
    ).rejects.toBe(reason);
    expect(seen).toHaveLength(1);
  });

  it('classifies a body that fails mid-read as a network error, in-stream', async () => {
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield* replay('stream-truncated.sse');
      throw Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    }
    const events: StreamEvent[] = [];
    const failure = await (async () => {
      try {
        for await (const event of geminiStreamEvents(broken(), context)) events.push(event);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(events).toHaveLength(2);
    expect(failure).toMatchObject({ class: 'network', code: 'UND_ERR_SOCKET', inStream: true });
  });
});
