import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../model/errors.js';
import type { StreamEvent } from '../../model/stream-event.js';
import { anthropicStreamEvents, type AnthropicStreamBody } from './anthropic-stream.js';

function fixture(name: string): string {
  return readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
}

/** A body that yields the text in small uneven chunks (events split across chunks) and records destroy(). */
function body(
  text: string,
  options: { chunk?: number; failWith?: Error } = {},
): AnthropicStreamBody & { destroyed: boolean } {
  const size = options.chunk ?? 37;
  const out = {
    destroyed: false,
    destroy() {
      out.destroyed = true;
    },
    async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
      const bytes = new TextEncoder().encode(text);
      for (let at = 0; at < bytes.length; at += size) yield bytes.slice(at, at + size);
      if (options.failWith) throw options.failWith;
    },
  };
  return out;
}

async function collect(
  source: AnthropicStreamBody,
  signal?: AbortSignal,
): Promise<{ events: StreamEvent[]; error?: ProviderError }> {
  const events: StreamEvent[] = [];
  try {
    for await (const event of anthropicStreamEvents(source, {
      provider: 'claude',
      model: 'claude-sonnet-4-5',
      ...(signal ? { signal } : {}),
    }))
      events.push(event);
    return { events };
  } catch (error) {
    if (!ProviderError.isInstance(error)) throw error;
    return { events, error };
  }
}

describe('anthropicStreamEvents', () => {
  it('turns a recorded text stream into text deltas and one finish with usage and the answering model', async () => {
    const { events, error } = await collect(body(fixture('stream-text.sse')));
    expect(error).toBeUndefined();
    expect(events).toEqual([
      { type: 'text-delta', text: 'Hello' },
      { type: 'text-delta', text: ' there,' },
      { type: 'text-delta', text: ' friend.' },
      {
        type: 'finish',
        finishReason: 'stop',
        rawFinishReason: 'end_turn',
        usage: { inputTokens: 25, outputTokens: 9, totalTokens: 34 },
        model: 'claude-haiku-4-5-20251001',
        id: 'msg_011CdvzDZLnP6anCfgdRaJYa',
      },
    ]);
  });

  it('streams tool calls as start, argument deltas and a parsed call, ignoring thinking, ping and unknown events', async () => {
    const { events, error } = await collect(body(fixture('stream-tool-use.sse'), { chunk: 11 }));
    expect(error).toBeUndefined();
    expect(events).toEqual([
      { type: 'text-delta', text: 'Checking Paris.' },
      { type: 'tool-call-start', index: 0, id: 'toolu_0173ctUSHAMeHcosVSXzrTXc', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"city": "Par' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: 'is", "days": 2}' },
      {
        type: 'tool-call',
        index: 0,
        id: 'toolu_0173ctUSHAMeHcosVSXzrTXc',
        name: 'get_weather',
        input: { city: 'Paris', days: 2 },
      },
      { type: 'tool-call-start', index: 1, id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_time' },
      { type: 'tool-call', index: 1, id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_time', input: {} },
      {
        type: 'finish',
        finishReason: 'tool-calls',
        rawFinishReason: 'tool_use',
        usage: { inputTokens: 700, outputTokens: 89, totalTokens: 789 },
        model: 'claude-sonnet-4-5-20250929',
        id: 'msg_011CfqEtSc7RGn9rcJMRsqWP',
      },
    ]);
  });

  it('throws an in-stream overloaded error on an error event, after the content already sent', async () => {
    const { events, error } = await collect(body(fixture('stream-error.sse')));
    expect(events).toEqual([{ type: 'text-delta', text: 'Partial answ' }]);
    expect(error?.class).toBe('overloaded');
    expect(error?.inStream).toBe(true);
    expect(error?.code).toBe('overloaded_error');
    expect(error?.message).toBe("anthropic 'claude': in-stream overloaded_error: Overloaded");
  });

  it('treats a body that ends before message_stop as a network failure, not a short answer', async () => {
    const { events, error } = await collect(body(fixture('stream-truncated.sse')));
    expect(events).toEqual([{ type: 'text-delta', text: 'Cut off in the mid' }]);
    expect(error?.class).toBe('network');
    expect(error?.inStream).toBe(true);
    expect(error?.message).toMatch(/stream ended without its terminator/);
  });

  it('classifies a connection that breaks mid-body as an in-stream network error', async () => {
    const reset = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    const { error } = await collect(body(fixture('stream-truncated.sse'), { failWith: reset }));
    expect(error?.class).toBe('network');
    expect(error?.inStream).toBe(true);
    expect(error?.code).toBe('UND_ERR_SOCKET');
  });

  it('fails a malformed event with a classified server_error', async () => {
    const broken = fixture('stream-text.sse').replace(
      '"index":0,"delta":{"type":"text_delta","text":"Hello"}',
      '"index":"zero"',
    );
    const { error } = await collect(body(broken));
    expect(error?.class).toBe('server_error');
    expect(error?.inStream).toBe(true);
    const notJson = await collect(body('event: content_block_delta\ndata: {oops\n\n'));
    expect(notJson.error?.class).toBe('server_error');
  });

  it('releases the connection when the caller stops early, and not after a complete stream', async () => {
    const early = body(fixture('stream-text.sse'));
    for await (const event of anthropicStreamEvents(early, { provider: 'claude', model: 'm' })) {
      expect(event.type).toBe('text-delta');
      break;
    }
    expect(early.destroyed).toBe(true);

    const complete = body(fixture('stream-text.sse'));
    await collect(complete);
    expect(complete.destroyed).toBe(false);
  });

  it('rethrows the abort reason when the signal is aborted', async () => {
    const controller = new AbortController();
    const reason = new Error('deadline passed');
    controller.abort(reason);
    await expect(collect(body(fixture('stream-text.sse')), controller.signal)).rejects.toBe(reason);
  });
});
