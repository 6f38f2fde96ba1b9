import { providerError, type ProviderError } from '../../model/errors.js';
import type { StreamEvent } from '../../model/stream-event.js';
import { malformedResponse } from '../malformed-response.js';
import { readSseBatches, UnframedTail } from '../sse.js';
import { streamReadFailure } from '../stream-failure.js';
import { geminiResponseSchema, type GeminiResponse, type GeminiUsage } from './gemini-api.js';
import { classifyGeminiError } from './classify-gemini-error.js';
import {
  blockedPromptError,
  geminiAnswerParts,
  geminiUsage,
  mapGeminiFinishReason,
  type GeminiCallContext,
} from './from-gemini-response.js';
import { throwIfCancelled, type CancelSignal } from '../../model/cancel-signal.js';

/** What the stream parser needs besides the body. */
export interface GeminiStreamContext extends GeminiCallContext {
  signal?: CancelSignal;
  /** Secrets to keep out of error messages. */
  secrets?: readonly string[];
  /** Releases the connection when the consumer stops early or the stream fails. */
  release?: () => void;
}

/**
 * Canonical events from a Gemini `streamGenerateContent?alt=sse` body. Gemini has no terminator
 * event: a stream is complete when the connection closes after a chunk with a `finishReason`.
 * Throws (with `inStream: true`) a classified error for a raw JSON error tail or an `error` chunk,
 * `network` for a stream that ends without a finishReason, `server_error` for a malformed chunk.
 * @example for await (const event of geminiStreamEvents(reply.body, { provider: 'gemini', model })) console.log(event);
 */
export async function* geminiStreamEvents(
  body: AsyncIterable<Uint8Array | string>,
  context: GeminiStreamContext,
): AsyncGenerator<StreamEvent> {
  const sseOptions = {
    tooLarge: (limit: number) => malformed(`no complete event in more than ${String(limit)} bytes`, context),
  };
  const rawLines = new UnframedTail();
  let finishReason: string | undefined;
  let usage: GeminiUsage | undefined;
  let model: string | undefined;
  let id: string | undefined;
  let callCount = 0;
  let sawToolCall = false;
  let completed = false;
  try {
    try {
      for await (const items of readSseBatches(body, sseOptions))
        for (const item of items) {
          throwIfCancelled(context.signal);
          if (item.kind === 'raw') {
            rawLines.add(item.line);
            continue;
          }
          // Gemini names no events; anything named (or a keep-alive) is not an answer chunk.
          if (item.event !== undefined && item.event !== 'message') continue;
          const chunk = parseChunk(item.data, context);
          if (chunk === undefined) continue;
          const blocked = blockedPromptError(chunk, context, true);
          if (blocked !== undefined) throw blocked;
          if (chunk.usageMetadata !== undefined) usage = chunk.usageMetadata;
          model = chunk.modelVersion ?? model;
          id = chunk.responseId ?? id;
          const candidate = chunk.candidates?.[0];
          if (candidate === undefined) continue;
          if (candidate.finishReason !== undefined) finishReason = candidate.finishReason;
          for (const part of geminiAnswerParts(candidate.content?.parts ?? [], callCount)) {
            if (part.type === 'text') {
              yield { type: 'text-delta', text: part.text };
              continue;
            }
            const index = callCount++;
            sawToolCall = true;
            yield { type: 'tool-call-start', index, id: part.id, name: part.name };
            yield { type: 'tool-call-delta', index, argumentsDelta: JSON.stringify(part.input) };
            yield { type: 'tool-call', index, id: part.id, name: part.name, input: part.input };
          }
        }
    } catch (error) {
      throw streamReadFailure(error, context);
    }
    throwIfCancelled(context.signal);
    if (!rawLines.empty) throw tailError(rawLines.text(), context);
    if (finishReason === undefined) {
      throw providerError({
        class: 'network',
        message: `gemini '${context.provider}': stream ended without its terminator (no finishReason before the connection closed)`,
        provider: context.provider,
        model: context.model,
        status: 200,
        inStream: true,
      });
    }
    completed = true;
    const finish: StreamEvent = {
      type: 'finish',
      finishReason: mapGeminiFinishReason(finishReason, sawToolCall),
      rawFinishReason: finishReason,
      usage: geminiUsage(usage),
      model: model ?? context.model,
    };
    if (id !== undefined) finish.id = id;
    yield finish;
  } finally {
    if (!completed) context.release?.();
  }
}

function parseChunk(data: string, context: GeminiStreamContext): GeminiResponse | undefined {
  if (data.trim() === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    throw malformed(`unparseable stream chunk: ${data.slice(0, 120)}`, context);
  }
  if (typeof json === 'object' && json !== null && 'error' in json) {
    throw classifyStreamError(json, context);
  }
  const result = geminiResponseSchema.safeParse(json);
  if (!result.success)
    throw malformed(
      `stream chunk does not match GenerateContentResponse: ${result.error.issues[0]?.message ?? ''}`,
      context,
    );
  return result.data;
}

/** A raw, unframed JSON body after the SSE chunks: Gemini's way of failing a started stream. */
function tailError(text: string, context: GeminiStreamContext): ProviderError {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return malformed(`unframed data after the stream: ${text.slice(0, 120)}`, context);
  }
  if (Array.isArray(json) && json.length === 1) json = json[0];
  if (typeof json === 'object' && json !== null && 'error' in json) return classifyStreamError(json, context);
  return malformed(`unframed data after the stream: ${text.slice(0, 120)}`, context);
}

function classifyStreamError(json: object, context: GeminiStreamContext): ProviderError {
  const error = (json as { error?: unknown }).error;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return classifyGeminiError({
    provider: context.provider,
    model: context.model,
    status: typeof code === 'number' ? code : 500,
    body: json,
    inStream: true,
    ...(context.secrets === undefined ? {} : { secrets: context.secrets }),
  });
}

function malformed(detail: string, context: GeminiStreamContext): ProviderError {
  return malformedResponse(
    { protocol: 'gemini', provider: context.provider, model: context.model, secrets: context.secrets },
    { inStream: true },
    detail,
  );
}
