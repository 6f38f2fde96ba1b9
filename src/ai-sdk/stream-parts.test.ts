/** failsoft stream events → AI SDK stream parts, on hand-written event sequences (the edges the simulator rarely hits). */
import type { LanguageModelV4StreamPart } from '@ai-sdk/provider';
import { describe, expect, it } from 'vitest';
import type { FailsoftStreamEvent, StreamStartEvent } from '../engine/results.js';
import { AIUnavailableError } from '../model/errors.js';
import { FailsoftUnavailableError } from './errors.js';
import { streamParts } from './stream-parts.js';

const start: StreamStartEvent = {
  type: 'start',
  feature: 'chat',
  provider: 'claude',
  model: 'm1',
  source: 'provider',
  degraded: false,
  attempts: [],
};
const context = { feature: 'chat', request: { messages: [{ role: 'user' as const, content: 'Hi' }] }, warnings: [] };
const usage = { inputTokens: 3, outputTokens: 4, totalTokens: 7 };

async function* events(list: FailsoftStreamEvent[], thenThrow?: unknown): AsyncGenerator<FailsoftStreamEvent> {
  for (const event of list) yield event;
  if (thenThrow !== undefined) throw thenThrow;
}

async function readAll(stream: ReadableStream<LanguageModelV4StreamPart>): Promise<LanguageModelV4StreamPart[]> {
  const out: LanguageModelV4StreamPart[] = [];
  const reader = stream.getReader();
  for (;;) {
    const next = await reader.read();
    if (next.done) return out;
    out.push(next.value);
  }
}

describe('streamParts', () => {
  it('text blocks close before a tool call; the tool input streams under the call id; finish carries usage and metadata', async () => {
    const all = await readAll(
      streamParts(
        events([
          { type: 'text-delta', text: 'Let me check. ' },
          { type: 'tool-call-start', index: 0, id: 'call_1', name: 'weather' },
          { type: 'tool-call-delta', index: 0, argumentsDelta: '{"city":' },
          { type: 'tool-call-delta', index: 0, argumentsDelta: '"Paris"}' },
          { type: 'tool-call', index: 0, id: 'call_1', name: 'weather', input: { city: 'Paris' } },
          { type: 'tool-call', index: 1, id: 'call_2', name: 'clock', input: undefined },
          {
            type: 'finish',
            finishReason: 'tool-calls',
            rawFinishReason: 'tool_use',
            usage,
            model: 'm1-2025',
            id: 'msg_1',
          },
        ]),
        start,
        context,
      ),
    );
    expect(all).toEqual([
      { type: 'stream-start', warnings: [] },
      { type: 'response-metadata', modelId: 'm1' },
      { type: 'text-start', id: 'text-0' },
      { type: 'text-delta', id: 'text-0', delta: 'Let me check. ' },
      { type: 'text-end', id: 'text-0' },
      { type: 'tool-input-start', id: 'call_1', toolName: 'weather' },
      { type: 'tool-input-delta', id: 'call_1', delta: '{"city":' },
      { type: 'tool-input-delta', id: 'call_1', delta: '"Paris"}' },
      { type: 'tool-input-end', id: 'call_1' },
      { type: 'tool-call', toolCallId: 'call_1', toolName: 'weather', input: '{"city":"Paris"}' },
      { type: 'tool-call', toolCallId: 'call_2', toolName: 'clock', input: '{}' },
      { type: 'response-metadata', id: 'msg_1', modelId: 'm1-2025' },
      {
        type: 'finish',
        usage: {
          inputTokens: { total: 3, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
          outputTokens: { total: 4, text: undefined, reasoning: undefined },
        },
        finishReason: { unified: 'tool-calls', raw: 'tool_use' },
        providerMetadata: {
          failsoft: {
            feature: 'chat',
            provider: 'claude',
            model: 'm1-2025',
            source: 'provider',
            degraded: false,
            attempts: [],
          },
        },
      },
    ]);
  });

  it('a stream that ends without finish is finished as interrupted, its open text closed', async () => {
    const all = await readAll(streamParts(events([{ type: 'text-delta', text: 'Hal' }]), start, context));
    expect(all.slice(-2)).toMatchObject([
      { type: 'text-end', id: 'text-0' },
      { type: 'finish', finishReason: { unified: 'interrupted' } },
    ]);
  });

  it('an error failsoft throws mid-stream errors the stream with the AI SDK error for it', async () => {
    const unavailable = new AIUnavailableError({
      feature: 'chat',
      reason: 'providers-failed',
      message: 'chat is unavailable',
      retryAfterMs: 2_000,
    });
    const stream = streamParts(events([{ type: 'text-delta', text: 'x' }], unavailable), start, context);
    const error = await readAll(stream).catch((e: unknown) => e);
    expect(FailsoftUnavailableError.isInstance(error)).toBe(true);
    expect((error as FailsoftUnavailableError).retryAfterMs).toBe(2_000);
  });

  it("a cancel while an event is awaited closes failsoft's stream and enqueues nothing after", async () => {
    let release: (() => void) | undefined;
    let closed = false;
    async function* slow(): AsyncGenerator<FailsoftStreamEvent> {
      try {
        yield { type: 'text-delta', text: 'a' };
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        yield { type: 'text-delta', text: 'b' };
      } finally {
        closed = true;
      }
    }
    const reader = streamParts(slow(), start, context).getReader();
    await reader.read();
    await reader.read();
    await reader.read();
    await reader.read();
    const pending = reader.read();
    // failsoft's stream is now waiting for its provider.
    await expect.poll(() => release !== undefined).toBe(true);
    const cancelled = reader.cancel();
    release?.();
    await cancelled;
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(closed).toBe(true);
  });
});
