import { providerError, type ProviderError } from '../../model/errors.js';
import type { FinishReason, Usage } from '../../model/response.js';
import type { StreamEvent } from '../../model/stream-event.js';
import type { HttpReply } from '../http-transport.js';
import { malformedResponse } from '../malformed-response.js';
import { readSseBatches, UnframedTail } from '../sse.js';
import { streamReadFailure } from '../stream-failure.js';
import { classifyOpenAIError } from './classify-openai-error.js';
import { chatCompletionChunkSchema, type ChatCompletionChunk } from './openai-api.js';
import { fromOpenAIUsage, mapOpenAIFinishReason, parseToolArguments } from './from-openai-response.js';
import { throwIfCancelled, type CancelSignal } from '../../model/cancel-signal.js';

/** A streamed body: bytes, and a way to drop the connection when the reader stops early. */
export type OpenAIStreamBody = AsyncIterable<Uint8Array | string> & {
  destroy?(error?: Error): unknown;
  dump?(): Promise<void>;
};

export interface OpenAIStreamContext {
  provider: string;
  /** `openai` or `openai-compatible`, for messages. */
  protocol: string;
  model: string;
  headers?: HttpReply['headers'];
  signal?: CancelSignal;
  secrets?: readonly string[];
}

interface ToolCallState {
  id: string;
  name: string;
  args: string;
  started: boolean;
}

/** The parse state of one stream: everything `finish` needs once `[DONE]` arrives. */
class StreamState {
  readonly calls = new Map<number, ToolCallState>();
  finishRaw: string | undefined;
  usage: Usage | undefined;
  id: string | undefined;
  model: string | undefined;
  refused = false;
  callsEmitted = false;

  /** Canonical events for one chunk's first choice (other choices, for n > 1, are not read). */
  *apply(chunk: ChatCompletionChunk): Generator<StreamEvent> {
    this.id ??= chunk.id;
    if (chunk.model) this.model ??= chunk.model;
    if (chunk.usage) this.usage = fromOpenAIUsage(chunk.usage);
    const choice = chunk.choices?.find((c) => (c.index ?? 0) === 0);
    if (!choice) return;
    const delta = choice.delta;
    if (delta?.content) yield { type: 'text-delta', text: delta.content };
    if (delta?.refusal) {
      this.refused = true;
      yield { type: 'text-delta', text: delta.refusal };
    }
    for (const [position, piece] of (delta?.tool_calls ?? []).entries()) {
      const index = piece.index ?? position;
      const call = this.calls.get(index) ?? { id: '', name: '', args: '', started: false };
      this.calls.set(index, call);
      if (piece.id && call.id === '') call.id = piece.id;
      if (piece.function?.name && call.name === '') call.name = piece.function.name;
      const args = piece.function?.arguments ?? '';
      if (!call.started && call.id !== '' && call.name !== '') {
        call.started = true;
        yield { type: 'tool-call-start', index, id: call.id, name: call.name };
        if (call.args !== '') yield { type: 'tool-call-delta', index, argumentsDelta: call.args };
      }
      call.args += args;
      if (call.started && args !== '') yield { type: 'tool-call-delta', index, argumentsDelta: args };
    }
    if (choice.finish_reason) {
      this.finishRaw = choice.finish_reason;
      yield* this.completeToolCalls();
    }
  }

  /** Emits `tool-call` (with parsed input) for every call, once, in index order. */
  *completeToolCalls(): Generator<StreamEvent> {
    if (this.callsEmitted) return;
    this.callsEmitted = true;
    for (const [index, call] of [...this.calls.entries()].sort((a, b) => a[0] - b[0])) {
      if (call.id === '') call.id = `call_${index}`;
      if (!call.started) {
        yield { type: 'tool-call-start', index, id: call.id, name: call.name };
        if (call.args !== '') yield { type: 'tool-call-delta', index, argumentsDelta: call.args };
      }
      yield { type: 'tool-call', index, id: call.id, name: call.name, input: parseToolArguments(call.args) };
    }
  }

  /** The one `finish` event. A vendor that never said why it stopped finished normally. */
  *finish(requestedModel: string): Generator<StreamEvent> {
    yield* this.completeToolCalls();
    let finishReason: FinishReason =
      this.finishRaw === undefined
        ? this.calls.size > 0
          ? 'tool-calls'
          : 'stop'
        : mapOpenAIFinishReason(this.finishRaw);
    if (this.refused) finishReason = 'content-filter';
    yield {
      type: 'finish',
      finishReason,
      ...(this.finishRaw === undefined ? {} : { rawFinishReason: this.finishRaw }),
      usage: this.usage ?? { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
      model: this.model ?? requestedModel,
      ...(this.id === undefined ? {} : { id: this.id }),
    };
  }
}

function malformed(context: OpenAIStreamContext, detail: string): ProviderError {
  return malformedResponse(context, { inStream: true }, detail);
}

function hasTopLevelError(json: unknown): boolean {
  return typeof json === 'object' && json !== null && 'error' in json && (json as { error: unknown }).error != null;
}

function inStreamError(context: OpenAIStreamContext, body: unknown): ProviderError {
  return classifyOpenAIError({ ...context, body, inStream: true });
}

/**
 * Reads an OpenAI stream (`data:` chunks, then `data: [DONE]`) into canonical events: text deltas,
 * tool-call start/delta/complete, and exactly one `finish` with usage and the answering model.
 * Throws a classified in-stream `ProviderError` on a `data:` carrying `error`, on a malformed chunk,
 * and (class `network`) when the body ends before `[DONE]`. Stopping early releases the connection.
 * @example for await (const event of openaiStreamEvents(reply.body, { provider: 'gpt', protocol: 'openai', model: 'gpt-4o' })) console.log(event);
 */
export async function* openaiStreamEvents(
  body: OpenAIStreamBody,
  context: OpenAIStreamContext,
): AsyncGenerator<StreamEvent> {
  const sseOptions = {
    tooLarge: (limit: number) => malformed(context, `no complete event in more than ${String(limit)} bytes`),
  };
  const state = new StreamState();
  const rawLines = new UnframedTail();
  let done = false;
  let ended = false;
  try {
    try {
      for await (const items of readSseBatches(body, sseOptions))
        for (const item of items) {
          throwIfCancelled(context.signal);
          if (done) continue; // drain what follows [DONE] so the connection can be reused
          if (item.kind === 'raw') {
            rawLines.add(item.line);
            continue;
          }
          if (item.event !== undefined && item.event !== 'message' && item.event !== 'error') continue; // unknown event names
          if (item.data.trim() === '[DONE]') {
            done = true;
            yield* state.finish(context.model);
            continue;
          }
          let json: unknown;
          try {
            json = JSON.parse(item.data) as unknown;
          } catch {
            throw malformed(context, item.data);
          }
          if (hasTopLevelError(json)) throw inStreamError(context, json);
          const chunk = chatCompletionChunkSchema.safeParse(json);
          if (!chunk.success) throw malformed(context, item.data);
          yield* state.apply(chunk.data);
        }
    } catch (error) {
      throw streamReadFailure(error, context);
    }
    ended = true;
    if (done) return;
    const tail = rawLines.text().trim();
    if (tail !== '') {
      let json: unknown;
      try {
        json = JSON.parse(tail) as unknown;
      } catch {
        json = undefined;
      }
      if (hasTopLevelError(json)) throw inStreamError(context, json);
    }
    throw providerError({
      class: 'network',
      message: `${context.protocol} '${context.provider}': stream ended without its terminator (data: [DONE])`,
      provider: context.provider,
      model: context.model,
      status: 200,
      inStream: true,
    });
  } finally {
    if (!ended) {
      if (done && body.dump) await body.dump().catch(() => undefined);
      else body.destroy?.();
    }
  }
}
