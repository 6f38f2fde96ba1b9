import type { z } from 'zod';
import { type ProviderError, providerError } from '../../model/errors.js';
import type { Usage } from '../../model/response.js';
import type { StreamEvent } from '../../model/stream-event.js';
import { readSseBatches } from '../sse.js';
import {
  type AnthropicInputJsonDelta,
  type AnthropicTextDelta,
  contentBlockDeltaSchema,
  contentBlockStartSchema,
  contentBlockStopSchema,
  messageDeltaSchema,
  messageStartSchema,
} from './anthropic-api.js';
import { classifyAnthropicError } from './classify-anthropic-error.js';
import { malformedResponse } from '../malformed-response.js';
import { streamReadFailure } from '../stream-failure.js';
import { anthropicFinishReason, anthropicUsage, isTextBlock, isToolUseBlock } from './from-anthropic-response.js';
import type { CancelSignal } from '../../model/cancel-signal.js';

/** A streamed response body: bytes, and a way to let go of the connection early. */
export interface AnthropicStreamBody extends AsyncIterable<Uint8Array | string> {
  destroy?(error?: Error): unknown;
}

export interface AnthropicStreamContext {
  /** Configured provider name, for errors. */
  provider: string;
  /** The model requested (used until `message_start` names the answering one). */
  model: string;
  signal?: CancelSignal;
  /** Secrets to keep out of error messages. */
  redact?: readonly (string | undefined)[];
}

interface ToolBlock {
  ordinal: number;
  id: string;
  name: string;
  json: string;
  initialInput: unknown;
}

/** Per-stream state: what `message_start` and `message_delta` said, and the open tool blocks. */
class StreamState {
  model: string;
  id: string | undefined;
  usage: Usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
  stopReason: string | null | undefined;
  tools = new Map<number, ToolBlock>();
  toolCount = 0;

  constructor(model: string) {
    this.model = model;
  }

  setUsage(input: number | undefined, output: number | undefined): void {
    const inputTokens = input ?? this.usage.inputTokens;
    const outputTokens = output ?? this.usage.outputTokens;
    this.usage = { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
  }
}

function parse<T extends z.ZodType>(schema: T, data: unknown, ctx: AnthropicStreamContext, event: string): z.infer<T> {
  const result = schema.safeParse(data);
  if (!result.success) throw malformed(ctx, `bad ${event} event`, result.error);
  return result.data;
}

function* onEvent(
  event: string,
  data: unknown,
  state: StreamState,
  ctx: AnthropicStreamContext,
): Generator<StreamEvent> {
  switch (event) {
    case 'message_start': {
      const { message } = parse(messageStartSchema, data, ctx, event);
      state.model = message.model;
      state.id = message.id;
      state.usage = anthropicUsage({ ...message.usage, output_tokens: 0 });
      return;
    }
    case 'content_block_start': {
      const { index, content_block: block } = parse(contentBlockStartSchema, data, ctx, event);
      if (isTextBlock(block) && block.text !== '') yield { type: 'text-delta', text: block.text };
      if (isToolUseBlock(block)) {
        const tool: ToolBlock = {
          ordinal: state.toolCount++,
          id: block.id,
          name: block.name,
          json: '',
          initialInput: block.input,
        };
        state.tools.set(index, tool);
        yield { type: 'tool-call-start', index: tool.ordinal, id: tool.id, name: tool.name };
      }
      return;
    }
    case 'content_block_delta': {
      const { index, delta } = parse(contentBlockDeltaSchema, data, ctx, event);
      // The schema refuses other shapes for these two type names, so the name decides.
      if (delta.type === 'text_delta') {
        const { text } = delta as AnthropicTextDelta;
        if (text !== '') yield { type: 'text-delta', text };
      } else if (delta.type === 'input_json_delta') {
        const { partial_json: json } = delta as AnthropicInputJsonDelta;
        const tool = state.tools.get(index);
        if (tool === undefined) throw malformed(ctx, `input_json_delta for block ${index} that is not a tool_use`);
        tool.json += json;
        if (json !== '') yield { type: 'tool-call-delta', index: tool.ordinal, argumentsDelta: json };
      }
      return;
    }
    case 'content_block_stop': {
      const { index } = parse(contentBlockStopSchema, data, ctx, event);
      const tool = state.tools.get(index);
      if (tool === undefined) return;
      state.tools.delete(index);
      yield { type: 'tool-call', index: tool.ordinal, id: tool.id, name: tool.name, input: toolInput(tool, ctx) };
      return;
    }
    case 'message_delta': {
      const { delta, usage } = parse(messageDeltaSchema, data, ctx, event);
      if (delta.stop_reason !== undefined) state.stopReason = delta.stop_reason;
      const input =
        usage.input_tokens == null
          ? undefined
          : anthropicUsage({ ...usage, input_tokens: usage.input_tokens }).inputTokens;
      state.setUsage(input, usage.output_tokens);
      return;
    }
    case 'error':
      throw classifyAnthropicError({
        provider: ctx.provider,
        model: ctx.model,
        body: JSON.stringify(data),
        inStream: true,
        redact: ctx.redact ?? [],
      });
    default:
      return; // ping and event types added after this adapter was written
  }
}

function toolInput(tool: ToolBlock, ctx: AnthropicStreamContext): unknown {
  if (tool.json.trim() === '') return tool.initialInput ?? {};
  try {
    return JSON.parse(tool.json);
  } catch (error) {
    throw malformed(ctx, `tool_use ${tool.id} input is not JSON`, error);
  }
}

/** A stream event that is not what the API documents: the shared malformed-response error. */
function malformed(ctx: AnthropicStreamContext, detail: string, cause?: unknown): ProviderError {
  return malformedResponse(
    { protocol: 'anthropic', provider: ctx.provider, model: ctx.model, secrets: ctx.redact },
    { inStream: true },
    detail,
    cause,
  );
}

/**
 * Reads an Anthropic SSE body into canonical events: text deltas, tool-call start/delta/complete
 * (with parsed input), then exactly one `finish` on `message_stop`. Throws a classified
 * `ProviderError` (`inStream: true`) on an `error` event, a malformed event, a broken connection,
 * or a body that ends before `message_stop` (`network`). Breaking out early destroys the body;
 * an aborted `signal` rethrows its reason.
 * @example for await (const event of anthropicStreamEvents(reply.body, { provider: 'claude', model })) console.log(event);
 */
export async function* anthropicStreamEvents(
  body: AnthropicStreamBody,
  ctx: AnthropicStreamContext,
): AsyncGenerator<StreamEvent> {
  const sseOptions = {
    tooLarge: (limit: number) => malformed(ctx, `no complete event in more than ${String(limit)} bytes`),
  };
  const state = new StreamState(ctx.model);
  let finished = false;
  try {
    if (ctx.signal?.aborted) throw ctx.signal.reason;
    for await (const items of readSseBatches(body, sseOptions))
      for (const item of items) {
        if (item.kind !== 'event') continue;
        let data: unknown;
        try {
          data = JSON.parse(item.data);
        } catch (error) {
          if (item.event === 'ping') continue;
          throw malformed(ctx, `event ${item.event ?? '(unnamed)'} data is not JSON`, error);
        }
        const name =
          item.event ?? (typeof data === 'object' && data !== null ? String((data as { type?: unknown }).type) : '');
        if (name === 'message_stop') {
          finished = true;
          const finishReason = anthropicFinishReason(state.stopReason);
          yield {
            type: 'finish',
            finishReason,
            ...(state.stopReason ? { rawFinishReason: state.stopReason } : {}),
            usage: state.usage,
            model: state.model,
            ...(state.id === undefined ? {} : { id: state.id }),
          };
          return;
        }
        yield* onEvent(name, data, state, ctx);
      }
    throw providerError({
      class: 'network',
      message: `anthropic '${ctx.provider}': stream ended without its terminator (no message_stop)`,
      provider: ctx.provider,
      model: ctx.model,
      code: 'stream_truncated',
      inStream: true,
    });
  } catch (error) {
    throw streamReadFailure(error, ctx);
  } finally {
    if (!finished) body.destroy?.();
  }
}
